"""The labelled corpus of `check`: small repositories modelled on real projects' layouts, each
with what `check` must report on it (tests/check/corpus/README.md).

A repository is a txtar archive, `<name>.txtar`: free text (what it models), then each file as a
`-- path --` line followed by the file's text. Beside it, `<name>.expected.yml` labels it: the
stack `check` must recognise and every rule that applies, with its status and, for a failed
rule, where each finding is.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from visiobook_scaffold.check.model import Report, Status

CORPUS = Path(__file__).parent / "corpus"
FILE_MARKER = "-- "
STATUSES = {status.value for status in Status}


@dataclass(frozen=True)
class Labelled:
    """One repository of the corpus and what `check` must say about it."""

    name: str
    files: dict[str, str]
    checked: str
    """The folder `check` is given, relative to the repository root ("." for the root)."""
    git: bool
    """Whether the files are committed in a git repository (else a plain folder)."""
    stack: str
    rules: dict[str, Any]

    def materialise(self, target: Path) -> Path:
        """Write the repository under `target`; returns the folder to check."""
        for name, text in self.files.items():
            path = target / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        if self.git:
            for command in (
                ["init", "--quiet", "--initial-branch=main"],
                ["add", "--all"],
                ["-c", "user.name=corpus", "-c", "user.email=corpus@example.com",
                 "commit", "--quiet", "--no-verify", "-m", "corpus"],
            ):  # fmt: skip
                subprocess.run(["git", *command], cwd=target, check=True, timeout=60)
        return target / self.checked


def read_txtar(text: str) -> dict[str, str]:
    """The files of a txtar archive (golang.org/x/tools/txtar's format), by path."""
    files: dict[str, str] = {}
    current: str | None = None
    for line in text.splitlines(keepends=True):
        stripped = line.rstrip("\n")
        if stripped.startswith(FILE_MARKER) and stripped.endswith(" --") and len(stripped) > 6:
            current = stripped[len(FILE_MARKER) : -3].strip()
            if current in files:
                raise ValueError(f"{current} is in the archive twice")
            files[current] = ""
        elif current is not None:
            files[current] += line
    return files


def load(name: str) -> Labelled:
    files = read_txtar((CORPUS / f"{name}.txtar").read_text())
    expected = yaml.safe_load((CORPUS / f"{name}.expected.yml").read_text())
    return Labelled(
        name=name,
        files=files,
        checked=str(expected.get("path", ".")),
        git=bool(expected.get("git", True)),
        stack=str(expected["stack"]),
        rules=dict(expected["rules"]),
    )


def names() -> list[str]:
    return sorted(path.name.removesuffix(".txtar") for path in CORPUS.glob("*.txtar"))


def outcome(label: Any) -> tuple[str, Counter[str], str]:
    """A rule's label as (status, finding locations, text its skip reason must contain).

    `passed`; `skipped` or `{skipped: <part of the reason>}`; `{failed: [locations]}` (or
    `waived`), each location `path:line`, `path`, or `-` for a finding about the whole
    repository."""
    if isinstance(label, str):
        status, value = label, None
    else:
        ((status, value),) = dict(label).items()
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    if status in (Status.FAILED, Status.WAIVED):
        return status, Counter(str(location) for location in value or []), ""
    return status, Counter(), str(value or "")


def observed(report: Report) -> dict[str, tuple[str, Counter[str], str]]:
    """Each rule's result in the labels' terms."""
    return {
        result.rule.id: (
            result.status.value,
            Counter(finding.location() or "-" for finding in result.findings),
            result.note,
        )
        for result in report.results
    }

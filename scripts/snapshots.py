"""Rendered snapshots of the templates: the files a service owner receives, committed under
snapshots/ so that a template change shows its rendered diff in review.

Each snapshot is one set of answers rendered from this checkout (uncommitted changes included)
by the same code as `visiobook new`. Two things vary with each commit of this repository and are
written as placeholders: the template's commit in .copier-answers.yml and in the workflow's
visiobook-scaffold pin, and the template's path. Lock files are summarised by their size and
hash: their diff is the lock tools' business, not a reviewer's.

    make snapshots                   # render every set into snapshots/ (then review git diff)
    python -m scripts.snapshots --check  # exit 1 and name the files that differ

tests/test_snapshots.py renders them again and compares.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import sys
import tempfile
from pathlib import Path

from visiobook_scaffold.generate import NewProject, generate

REPO_ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS_DIR = REPO_ROOT / "snapshots"

# Every stack with its default answers, and once with answers that change what is rendered
# (another resource name, the Redis cache, the other language release, another organisation).
SNAPSHOTS: dict[str, dict[str, str]] = {
    "fastapi-defaults": {"stack": "fastapi", "service_name": "media-service"},
    "fastapi-custom": {
        "stack": "fastapi",
        "service_name": "asset-library",
        "resource": "media-assets",
        "cache": "redis",
        "language_version": "3.12",
    },
    "node-defaults": {"stack": "node", "service_name": "media-service"},
    "node-custom": {
        "stack": "node",
        "service_name": "asset-library",
        "resource": "media-assets",
        "cache": "redis",
        "language_version": "24",
    },
    "go-defaults": {"stack": "go", "service_name": "media-service"},
    "go-custom": {
        "stack": "go",
        "service_name": "asset-library",
        "resource": "media-assets",
        "cache": "redis",
        "language_version": "1.26",
    },
    "vue-defaults": {"stack": "vue", "service_name": "media-portal"},
    "vue-custom": {
        "stack": "vue",
        "service_name": "asset-portal",
        "resource": "media-assets",
        "org": "acme",
    },
}

LOCK_FILES = frozenset({"package-lock.json", "go.sum"})
COMMIT = "<template commit>"
TEMPLATE_PATH = "<template path>"
# What changes with each commit of this repository, and what stands for it in a snapshot.
VARYING: dict[str, list[tuple[re.Pattern[str], str]]] = {
    ".copier-answers.yml": [
        (re.compile(r"^_commit: .*$", re.MULTILINE), f"_commit: {COMMIT}"),
        (re.compile(r"^_src_path: .*$", re.MULTILINE), f"_src_path: {TEMPLATE_PATH}"),
    ],
    ".github/workflows/ci-cd.yml": [
        (re.compile(r"(VISIOBOOK_SCAFFOLD: git\+\S+@)\S+"), rf"\g<1>{COMMIT}"),
    ],
}


def summary(content: bytes) -> bytes:
    digest = hashlib.sha256(content).hexdigest()
    return f"lock file, summarised: {len(content)} bytes, sha256 {digest}\n".encode()


def comparable(relative: str, content: bytes) -> bytes:
    """A rendered file as its snapshot holds it."""
    if Path(relative).name in LOCK_FILES:
        return summary(content)
    replacements = VARYING.get(relative)
    if not replacements:
        return content
    text = content.decode()
    for pattern, replacement in replacements:
        text = pattern.sub(replacement, text)
    return text.encode()


def files_of(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def render(answers: dict[str, str]) -> dict[str, bytes]:
    """The snapshot of one set of answers: relative path -> content."""
    with tempfile.TemporaryDirectory(prefix="visiobook-snapshot-") as scratch:
        dest = Path(scratch) / answers["service_name"]
        project = NewProject(
            dest=dest,
            template=str(REPO_ROOT),
            vcs_ref="HEAD",  # this checkout as it is, uncommitted changes included
            answers=answers,
            ask=False,
            pretend=False,
            git=False,
        )
        generate(project)
        return {path: comparable(path, content) for path, content in files_of(dest).items()}


def differences(expected: dict[str, bytes], actual: dict[str, bytes]) -> list[str]:
    """The paths that are missing, new or changed, each with what happened to it."""
    lines = [f"missing: {path}" for path in sorted(expected.keys() - actual.keys())]
    lines += [f"new: {path}" for path in sorted(actual.keys() - expected.keys())]
    lines += [
        f"changed: {path}"
        for path in sorted(expected.keys() & actual.keys())
        if expected[path] != actual[path]
    ]
    return lines


def write(name: str, files: dict[str, bytes]) -> None:
    folder = SNAPSHOTS_DIR / name
    shutil.rmtree(folder, ignore_errors=True)
    for relative, content in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def main() -> None:
    parser = argparse.ArgumentParser(description="Render the templates' snapshots/.")
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args()
    stale = 0
    for name, answers in SNAPSHOTS.items():
        files = render(answers)
        if args.check:
            found = differences(files_of(SNAPSHOTS_DIR / name), files)
            stale += bool(found)
            for line in found:
                print(f"{name}: {line}")
        else:
            write(name, files)
            print(f"snapshots/{name}: {len(files)} files")
    for folder in sorted(SNAPSHOTS_DIR.iterdir()):
        if folder.is_dir() and folder.name not in SNAPSHOTS:  # a set no longer rendered
            if args.check:
                stale += 1
                print(f"{folder.name}: not a snapshot of SNAPSHOTS")
            else:
                shutil.rmtree(folder)
    if stale:
        sys.exit(f"{stale} snapshot(s) differ from the templates: run `make snapshots`")


if __name__ == "__main__":
    main()

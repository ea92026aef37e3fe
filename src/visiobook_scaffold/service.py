"""A service generated from the template, as a command finds it on disk: read once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from visiobook_scaffold.errors import ScaffoldError
from visiobook_scaffold.versions import reachable, template_source

ANSWERS_FILE = ".copier-answers.yml"


@dataclass(frozen=True)
class Service:
    """A generated service: its folder, the answers it records, and where its template is."""

    root: Path
    answers: dict[str, Any]
    """The answers file as Copier wrote it: the answers, plus `_src_path` (the template) and
    `_commit` (its version)."""
    template: str | None = None
    """`--template`: where to fetch the template's versions from instead (a fork, a mirror,
    the new place of a template folder that moved)."""

    @property
    def recorded_source(self) -> str:
        return str(self.answers.get("_src_path", ""))

    @property
    def version(self) -> str:
        return self._recorded_version()

    def check_renderable(self) -> None:
        """A clear error now, before anything changes, unless the answers record a template
        version and a template to render it from."""
        self._recorded_version()
        template_source(self.recorded_source, self.template)

    def _recorded_version(self) -> str:
        version = self.answers.get("_commit")
        if not version:
            raise ScaffoldError(f"{self.root / ANSWERS_FILE} records no template version (_commit)")
        return str(version)

    @property
    def source(self) -> str:
        """The source Copier renders the template from (versions.template_source)."""
        return template_source(self.recorded_source, self.template)

    @property
    def stack(self) -> str | None:
        stack = self.answers.get("stack")
        return str(stack) if stack is not None else None

    @contextmanager
    def reachable(self) -> Iterator[None]:
        """Within this block, git finds the template's versions (versions.reachable)."""
        with reachable(self.recorded_source, self.template):
            yield


def read_service(path: Path, template: str | None = None) -> Service:
    """The service in `path`, or a clear error when `path` holds none."""
    return Service(path.resolve(), recorded_answers(path), template)


def recorded_answers(path: Path) -> dict[str, Any]:
    """The answers file Copier wrote in `path`."""
    if not path.is_dir():
        raise ScaffoldError(f"{path} is not a folder")
    answers_file = path / ANSWERS_FILE
    if not answers_file.is_file():
        raise ScaffoldError(
            f"{path} has no {ANSWERS_FILE}: it was not generated from a Copier template"
        )
    try:
        answers = yaml.safe_load(answers_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        raise ScaffoldError(f"{answers_file} cannot be read as YAML") from None
    if not isinstance(answers, dict):
        raise ScaffoldError(f"{answers_file} is not a mapping of answers")
    return answers

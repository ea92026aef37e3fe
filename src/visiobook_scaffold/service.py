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
    answers_file: str = ANSWERS_FILE
    """The answers file of this layer of the service: the service's own, or an added
    resource's (resource.py)."""

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
            raise ScaffoldError(
                f"{self.root / self.answers_file} records no template version (_commit)"
            )
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


RESOURCE_ANSWERS_FILE = ".copier-answers.resource-{}.yml"
"""An added resource's answers file (copier.yml `_answers_file`), by the resource's name."""


def added_resources(service: Service) -> list[str]:
    """The resources added to the service (`visiobook add resource`), in the order added."""
    return [str(record["name"]) for record in resource_records(service)]


def resource_records(service: Service) -> list[dict[str, Any]]:
    """The service's record of each resource added to it: its name and its fields."""
    added = service.answers.get("resources") or []
    if not isinstance(added, list) or not all(
        isinstance(record, dict) and isinstance(record.get("name"), str) for record in added
    ):
        raise ScaffoldError(
            f"{service.root / ANSWERS_FILE} records `resources` that are not a list of"
            " resources, each with its name and fields"
        )
    return added


def resource_layers(service: Service) -> list[Service]:
    """The added resources, each a layer of the template with its own answers file."""
    layers = []
    for name in added_resources(service):
        answers_file = RESOURCE_ANSWERS_FILE.format(name)
        answers = recorded_answers(service.root, answers_file)
        layers.append(Service(service.root, answers, service.template, answers_file))
    return layers


def recorded_answers(path: Path, name: str = ANSWERS_FILE) -> dict[str, Any]:
    """The answers file Copier wrote in `path` (the service's, or the one named `name`)."""
    if not path.is_dir():
        raise ScaffoldError(f"{path} is not a folder")
    answers_file = path / name
    if not answers_file.is_file():
        raise ScaffoldError(f"{path} has no {name}: it was not generated from a Copier template")
    try:
        answers = yaml.safe_load(answers_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        raise ScaffoldError(f"{answers_file} cannot be read as YAML") from None
    if not isinstance(answers, dict):
        raise ScaffoldError(f"{answers_file} is not a mapping of answers")
    return answers

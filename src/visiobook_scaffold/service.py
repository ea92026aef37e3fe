"""A service generated from the template, as found on disk: its recorded answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from visiobook_scaffold.errors import ScaffoldError

ANSWERS_FILE = ".copier-answers.yml"


def recorded_answers(path: Path) -> dict[str, Any]:
    """The answers file Copier wrote: the answers, plus `_src_path` (the template) and
    `_commit` (its version)."""
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


def template_version(path: Path) -> str:
    version = recorded_answers(path).get("_commit")
    if not version:
        raise ScaffoldError(f"{path / ANSWERS_FILE} records no template version (_commit)")
    return str(version)

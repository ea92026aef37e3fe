"""Answers given on the command line: parsed and checked before anything is written."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

from visiobook_scaffold.errors import ScaffoldError
from visiobook_scaffold.template import TemplateConfig

MAX_DATA_FILE_BYTES = 1_000_000
"""A file of answers is a few lines; a larger one is something else (/dev/zero never ends)."""


def parse_data_pairs(pairs: list[str]) -> dict[str, str]:
    """`--data key=value` options, as Copier's own `--data` takes them."""
    answers: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ScaffoldError(f"--data expects key=value, got {pair!r}")
        answers[key.strip()] = value
    return answers


def load_data_file(path: Path) -> dict[str, Any]:
    """A YAML (or JSON, a subset of YAML) mapping of answers."""
    try:
        raw = _read_without_waiting(path)
    except OSError as error:
        raise ScaffoldError(f"cannot read data file {path}: {error.strerror}") from None
    if raw is None:
        raise ScaffoldError(f"data file {path} is a pipe that gave nothing to read")
    if len(raw) > MAX_DATA_FILE_BYTES:
        raise ScaffoldError(f"data file {path} is over 1 MB: not a file of answers")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScaffoldError(f"data file {path} is not UTF-8 text") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ScaffoldError(f"data file {path} is not valid YAML{where}") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(key, str) for key in data):
        raise ScaffoldError(f"data file {path} must be a mapping of answer names to values")
    for key, value in data.items():
        if isinstance(value, list | dict):
            kind = "list" if isinstance(value, list) else "mapping"
            raise ScaffoldError(f"data file {path}: answer {key!r} must be one value, got a {kind}")
    return data


def _read_without_waiting(path: Path) -> bytes | None:
    """The file's bytes; None for a pipe that gave none. Opening a named pipe (FIFO) waits for
    a writer, forever if none comes: it is opened without waiting, then read as usual, so a
    shell's `<(...)` works and a pipe nobody writes to is an error, not a hang."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(descriptor, "rb") as file:
        os.set_blocking(descriptor, True)
        data = file.read(MAX_DATA_FILE_BYTES + 1)
        return None if not data and stat.S_ISFIFO(os.fstat(descriptor).st_mode) else data


def check_answers(answers: dict[str, Any], config: TemplateConfig) -> None:
    """Reject answers the template does not ask, and stacks it cannot generate."""
    for key in answers:
        if key in config.computed:
            raise ScaffoldError(f"{key!r} is computed from the other answers and cannot be set")
        if key not in config.questions:
            known = ", ".join(config.questions)
            raise ScaffoldError(f"unknown answer {key!r}; the template asks: {known}")
        if config.questions[key] == "int" and not _is_int(answers[key]):
            raise ScaffoldError(f"{key} must be a whole number, got {answers[key]!r}")

    stack = answers.get("stack")
    if stack is None or not config.stacks:
        return
    if stack not in config.stacks:
        raise ScaffoldError(f"unknown stack {stack!r}; choose one of: {_stack_names(config)}")
    if not config.stacks[stack].available:
        raise ScaffoldError(
            f"stack {stack!r} is not available in this template version yet;"
            f" choose one of: {_stack_names(config)}"
        )


def _stack_names(config: TemplateConfig) -> str:
    return ", ".join(stack.key for stack in config.available_stacks())


def _is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and value.strip().lstrip("+-").isdigit()

"""Whether a settings file parses in its own format, and if not, where and why its parser stops.

Each format is read by a parser as strict as the tools that read the file: a file refused here
is one that npm, pip or helm refuse too.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass

import yaml


@dataclass(frozen=True)
class Unparsable:
    reason: str
    """The parser's reason, as one line, prefixed with the format ("not valid TOML: ...")."""
    line: int | None


def json_problem(text: str) -> Unparsable | None:
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return Unparsable(f"not valid JSON: {error.msg}", error.lineno)
    return None


_TOML_PLACE = re.compile(r"\s*\(at line (?P<line>\d+), column \d+\)$")


def toml_problem(text: str) -> Unparsable | None:
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # Python before 3.14 gives the place only inside the message: "... (at line 4, column 16)".
        message = str(error)
        place = _TOML_PLACE.search(message)
        reason = message[: place.start()] if place else message
        return Unparsable(f"not valid TOML: {reason}", int(place["line"]) if place else None)
    return None


def yaml_problem(text: str) -> Unparsable | None:
    """Syntax only (no values are built, so a date that does not exist is a string here, as it
    is to helm and kubectl), every document of the file."""
    try:
        documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        return Unparsable(
            f"not valid YAML: {error.problem or error.context}", mark.line + 1 if mark else None
        )
    except yaml.YAMLError as error:
        return Unparsable(f"not valid YAML: {str(error).splitlines()[0]}", None)
    surrogate = next((node for node in _scalars(documents) if _has_surrogate(node.value)), None)
    if surrogate is not None:
        # PyYAML decodes "\ud83c" to half a character; libyaml (and so helm, kubectl) refuse it.
        return Unparsable(
            "not valid YAML: an escape gives half of a UTF-16 pair, not a character"
            " (write the character itself)",
            surrogate.start_mark.line + 1,
        )
    return None


def _scalars(documents: list[yaml.Node]) -> list[yaml.ScalarNode]:
    """Every scalar of the documents, once (an alias points at a node met before)."""
    found: list[yaml.ScalarNode] = []
    seen: set[int] = set()
    pending = list(documents)
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            found.append(node)
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            pending.extend(part for pair in node.value for part in pair)
    return found


def _has_surrogate(value: str) -> bool:
    return any("\ud800" <= character <= "\udfff" for character in value)

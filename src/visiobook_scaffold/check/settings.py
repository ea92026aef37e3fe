"""The values a settings file holds, read by its format: each string value with the name it is
stored under and the line where the value is written."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

import yaml

from visiobook_scaffold.check.dockerfile import instructions

ENV_LIKE_SUFFIXES = (".ini", ".cfg", ".conf", ".properties", ".npmrc")
YAML_SUFFIXES = (".yml", ".yaml")
# A document of one of these kinds describes data (its keys are field names), holds none.
_SCHEMA_KEYS = frozenset({"openapi", "swagger", "$schema", "asyncapi"})
# Subtrees that hold no values of the service: a workflow's permissions (`id-token: write`),
# package.json's scripts (a script named "dev-token" holds a command).
_SKIPPED_KEYS = frozenset({"permissions", "scripts"})
# `NAME=value` (the name may hold a colon: .npmrc's `//host/:_authToken=`), or `name: value`.
_ASSIGNMENTS = (
    re.compile(r"^\s*(?:export\s+|-\s+)?(?P<name>[^\s=#;\[][^=]*?)\s*=\s*(?P<value>.*?)\s*$"),
    re.compile(r"^\s*(?:-\s+)?(?P<name>[^\s=:#;\[][^=:]*?)\s*:\s*(?P<value>.*?)\s*$"),
)
_INLINE_COMMENT = re.compile(r"\s+[#;].*$")


@dataclass(frozen=True)
class Setting:
    name: str
    value: str
    line: int


class NotParsed(Exception):  # noqa: N818 - the file is not in the format its name says
    """The file does not parse in its format (a Helm template, a half-written file)."""


def settings(path: str, text: str) -> Iterator[Setting]:
    """The string values of a settings file; raises NotParsed when it does not parse."""
    name = PurePosixPath(path).name
    if name.endswith(YAML_SUFFIXES):
        yield from _yaml_settings(text)
    elif name.endswith(".json"):
        yield from _tree_settings(_parsed(json.loads, text), text)
    elif name.endswith(".toml"):
        yield from _tree_settings(_parsed(tomllib.loads, text), text)
    elif name.lower().startswith(("dockerfile", "containerfile")) or name.endswith(".dockerfile"):
        yield from _dockerfile_settings(text)
    else:
        yield from line_settings(text)


def _parsed(parse: Callable[[str], object], text: str) -> object:
    try:
        return parse(text)
    except ValueError as error:  # JSONDecodeError and TOMLDecodeError are ValueErrors
        raise NotParsed(str(error)) from None


def line_settings(text: str) -> Iterator[Setting]:
    """`NAME=value` lines (.env, INI, .properties, .npmrc); sections and comments skipped."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith(("#", ";", "[", "//")) and "=" not in line.split("]")[-1]:
            continue
        matches = (pattern.match(line) for pattern in _ASSIGNMENTS)
        assignment = next((m for m in matches if m and ": " not in m["name"]), None)
        if assignment is None:
            continue
        value = assignment["value"]
        if value[:1] in "\"'" and value.endswith(value[:1]) and len(value) > 1:
            value = value[1:-1]
        else:
            value = _INLINE_COMMENT.sub("", value)
        # .npmrc: `//registry.npmjs.org/:_authToken=...` is named after the part past the URL.
        yield Setting(assignment["name"].rsplit(":", 1)[-1].strip(), value, number)


def _dockerfile_settings(text: str) -> Iterator[Setting]:
    """ENV and ARG values, continuation lines joined; each at the line its name is written on."""
    lines = text.splitlines()
    for instruction in instructions(text):
        if instruction.keyword not in ("ENV", "ARG"):
            continue
        try:
            parts = shlex.split(instruction.arguments)
        except ValueError:
            continue
        if len(parts) >= 2 and "=" not in parts[0]:  # the legacy form: ENV NAME value
            pairs = [(parts[0], " ".join(parts[1:]))]
        else:
            pairs = [(name, value) for name, sign, value in map(_split, parts) if sign]
        for name, value in pairs:
            yield Setting(name, value, _line_naming(lines, instruction.line, name))


def _split(part: str) -> tuple[str, str, str]:
    return part.partition("=")


def _line_naming(lines: list[str], start: int, name: str) -> int:
    """The first line from `start` on that writes `name` (a continued ENV spans several)."""
    word = re.compile(rf"(^|\s){re.escape(name)}(=|\s|$)")
    for number in range(start, len(lines) + 1):
        if word.search(lines[number - 1]):
            return number
    return start


def _yaml_settings(text: str) -> Iterator[Setting]:
    try:
        documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as error:
        raise NotParsed(str(error)) from None
    for document in documents:
        if isinstance(document, yaml.MappingNode) and _SCHEMA_KEYS & {
            key.value for key, _ in document.value if isinstance(key, yaml.ScalarNode)
        }:
            continue
        yield from _yaml_node_settings(document, "")


def _yaml_node_settings(node: yaml.Node | None, name: str) -> Iterator[Setting]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value not in _SKIPPED_KEYS:
                yield from _yaml_node_settings(value, str(key.value))
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            if isinstance(item, yaml.ScalarNode) and "=" in item.value:
                # docker-compose's `environment: [POSTGRES_PASSWORD=...]`
                item_name, _, item_value = item.value.partition("=")
                yield Setting(item_name, item_value, item.start_mark.line + 1)
            else:
                yield from _yaml_node_settings(item, name)
    elif isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
        yield Setting(name, str(node.value), node.start_mark.line + 1)


def _tree_settings(tree: object, text: str) -> Iterator[Setting]:
    """JSON or TOML: parsed for the values, each found again in the text for its line."""
    if isinstance(tree, dict) and _SCHEMA_KEYS & set(tree):
        return
    for name, value in _strings(tree, ""):
        yield Setting(name, value, _line_of(text, name, value))


def _strings(tree: object, name: str) -> Iterator[tuple[str, str]]:
    if isinstance(tree, dict):
        for key, value in tree.items():
            if key not in _SKIPPED_KEYS:
                yield from _strings(value, str(key))
    elif isinstance(tree, list):
        for item in tree:
            yield from _strings(item, name)
    elif isinstance(tree, str):
        yield name, tree


def _line_of(text: str, name: str, value: str) -> int:
    """The line where `value` is written after `name`; else where the value first is."""
    written = (json.dumps(value)[1:-1], value)
    for form in written:
        pattern = re.escape(name) + r"""["']?\s*[:=]\s*["']?""" + re.escape(form)
        match = re.search(pattern, text)
        if match:
            return text.count("\n", 0, match.end()) + 1
    for form in written:
        position = text.find(form)
        if position >= 0:
            return text.count("\n", 0, position) + 1
    return 1

"""YAML read with the line of each mapping, so findings can point into the file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

LINE = "__line__"
"""The key under which each mapping keeps its 1-based line."""


class _LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE] = node.start_mark.line + 1
        return mapping

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        # PyYAML raises a bare ValueError for a date the calendar has not (2027-02-30): make it
        # a YAML error with its place, like every other unreadable value.
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as error:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value} is not a date: {error}", node.start_mark
            ) from None


_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _LineLoader.construct_yaml_timestamp)


def load(text: str) -> Any:
    return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass


def load_all(text: str) -> Iterator[Any]:
    return yaml.load_all(text, Loader=_LineLoader)

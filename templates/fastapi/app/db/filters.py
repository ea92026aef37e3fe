"""The rows a list's filter[<field>] parameter keeps (guidelines 3.1, api/openapi.json): for a
string field, those whose value contains the text, ignoring case; for any other, those whose
value equals it."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, bindparam
from sqlalchemy.orm import InstrumentedAttribute


@dataclass(frozen=True)
class Filter:
    column: InstrumentedAttribute[Any]
    # Reads the parameter's text as the field's type; raises ValueError saying what it must be.
    parse: Callable[[str], object]
    contains: bool = False

    def condition(self, parameter: str) -> ColumnElement[bool]:
        """The condition, its value bound at each request under `parameter`."""
        value: BindParameter[Any] = bindparam(parameter)
        if self.contains:
            return self.column.ilike(value, escape="\\")
        return self.column == value

    def bound(self, value: object) -> object:
        """The value to bind for what `parse` read."""
        return contains_pattern(str(value)) if self.contains else value


def contains_pattern(text: str) -> str:
    """An ILIKE pattern for values that contain `text`, every character of it literal."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"

"""List query conventions shared by every resource (guidelines 3.1 and 3.3):
?page=1&limit=10&sort=createdAt:desc&filter[name]=sun&include=owner, parsed the same way in
every stack."""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field
from starlette.datastructures import QueryParams

from app.core.errors import InvalidRequestError, Problem

MAX_PAGE = 100_000  # deep OFFSETs are slow: clients that go that far should filter
MAX_LIMIT = 100
DEFAULT_LIMIT = 10
DIGITS = re.compile(r"[0-9]+")  # not str.isdigit(), which takes "²" and other scripts' digits


class Pagination(BaseModel):
    """The `pagination` part of every list response."""

    page: int
    limit: int
    total: int
    total_pages: int = Field(serialization_alias="totalPages")

    @classmethod
    def of(cls, page: int, limit: int, total: int) -> "Pagination":
        return cls(page=page, limit=limit, total=total, total_pages=(total + limit - 1) // limit)


@dataclass(frozen=True)
class Sort:
    field: str  # as the API spells it: createdAt
    descending: bool


DEFAULT_SORT = Sort("createdAt", descending=True)


@dataclass(frozen=True)
class ListQuery:
    page: int = 1
    limit: int = DEFAULT_LIMIT
    sort: Sort = DEFAULT_SORT
    # The filters given, by field as the API spells it, each value read as its field's type.
    filters: Mapping[str, object] = field(default_factory=dict)
    include: tuple[str, ...] = ()  # the references to embed, each once, in the given order

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


def whole_number(text: str, maximum: int) -> int:
    """Decimal digits only: `1.0`, `+1`, ` 1` and `0x1` are refused."""
    if not DIGITS.fullmatch(text):
        raise ValueError("must be a whole number written with the digits 0-9")
    significant = text.lstrip("0")
    if len(significant) > len(str(maximum)) or not 1 <= int(significant or "0") <= maximum:
        raise ValueError(f"must be between 1 and {maximum}")
    return int(significant)


def parse_sort(text: str, fields: tuple[str, ...]) -> Sort:
    """`name`, `name:asc` or `createdAt:desc`; ascending when the direction is left out."""
    field, colon, direction = text.partition(":")
    if field not in fields or (colon and direction not in {"asc", "desc"}):
        raise ValueError(f"must be <field>[:asc|desc] with field one of: {', '.join(fields)}")
    return Sort(field, direction == "desc")


def parse_include(text: str, references: tuple[str, ...]) -> tuple[str, ...]:
    """`owner,reviewer`: references of the resource, comma-separated."""
    names = text.split(",")
    if not set(names) <= set(references):
        raise ValueError(f"must be a comma-separated list of: {', '.join(references)}")
    return tuple(dict.fromkeys(names))


def parse_list_query(
    params: QueryParams,
    sort_fields: tuple[str, ...],
    filters: Mapping[str, Callable[[str], object]] | None = None,
    references: tuple[str, ...] = (),
) -> ListQuery:
    """The list parameters, or a 400 naming each bad one. `filters` reads each filter's text
    as its field's type; `references` are what `include` may name (none: no `include`).
    Unknown parameters are ignored; a known one given twice is refused (which one wins would
    otherwise depend on the framework)."""
    filters = filters or {}
    parsers: dict[str, Callable[[str], Any]] = {
        "page": lambda text: whole_number(text, MAX_PAGE),
        "limit": lambda text: whole_number(text, MAX_LIMIT),
        "sort": lambda text: parse_sort(text, sort_fields),
    }
    for name, parse in filters.items():
        parsers[f"filter[{name}]"] = parse
    if references:
        parsers["include"] = lambda text: parse_include(text, references)
    problems: list[Problem] = []
    parsed: dict[str, Any] = {}
    for name, parse in parsers.items():
        values = params.getlist(name)
        if len(values) > 1:
            problems.append(Problem(f"query.{name}", "must be given at most once"))
        elif values:
            try:
                parsed[name] = parse(values[0])
            except ValueError as error:
                problems.append(Problem(f"query.{name}", str(error)))
    if problems:
        raise InvalidRequestError(problems)
    return ListQuery(
        page=parsed.get("page", 1),
        limit=parsed.get("limit", DEFAULT_LIMIT),
        sort=parsed.get("sort", DEFAULT_SORT),
        filters={name: parsed[key] for name in filters if (key := f"filter[{name}]") in parsed},
        include=parsed.get("include", ()),
    )

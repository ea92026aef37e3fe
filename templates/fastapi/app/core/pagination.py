"""List query conventions shared by every resource (guidelines 3.1 and 3.3)."""

from dataclasses import dataclass

from pydantic import BaseModel, Field


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
    field: str
    descending: bool


def parse_sort(value: str, allowed: tuple[str, ...]) -> Sort:
    """`name`, `name:asc` or `created_at:desc`; raises ValueError for anything else."""
    field, _, direction = value.partition(":")
    direction = direction or "asc"
    if field not in allowed or direction not in {"asc", "desc"}:
        choices = ", ".join(allowed)
        raise ValueError(f"sort must be <field>[:asc|desc] with field one of: {choices}")
    return Sort(field, direction == "desc")

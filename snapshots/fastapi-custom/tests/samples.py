"""Valid request bodies of every resource, as clients write them, for the tests: each body has
new values (unique fields stay unique), and the rows it refers to are made first, through the
API."""

import itertools
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from httpx import AsyncClient

NUMBERS = itertools.count(1)


def text(number: int, max_length: int) -> str:
    """`sample <number>`, or the number alone where that does not fit."""
    value = f"sample {number}"
    return value if len(value) <= max_length else str(number)[-max_length:]


def decimal(number: int, precision: int, scale: int) -> str:
    """A decimal(precision, scale) as the API reads it back, every digit of its scale written."""
    whole = number % 10 ** (precision - scale)
    return f"{whole}.{number % 10**scale:0{scale}d}" if scale else str(whole)


def day(number: int) -> str:
    return (date(2000, 1, 1) + timedelta(days=number)).isoformat()


def moment(number: int) -> str:
    """An instant as the API reads it back: in UTC, to the millisecond."""
    value = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=number, milliseconds=number)
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def choice(number: int, *values: str) -> str:
    return values[number % len(values)]


# How each field of each resource gets its value from the number of the body.
SAMPLES: dict[str, dict[str, Callable[[int], Any]]] = {
    "media-assets": {
        "name": lambda n: text(n, 200),
        "description": lambda n: text(n, 10_000),
    },
}
# The references of each resource: the field, and the resource whose row it names.
REFERENCES: dict[str, dict[str, str]] = {}


async def body(client: AsyncClient, resource: str) -> dict[str, Any]:
    """A new body of `resource` with every field; the rows it refers to are made first."""
    number = next(NUMBERS)
    values = {field: sample(number) for field, sample in SAMPLES[resource].items()}
    for field, target in REFERENCES.get(resource, {}).items():
        values[field] = (await create(client, target))["id"]
    return values


async def create(client: AsyncClient, resource: str, **fields: Any) -> dict[str, Any]:
    """A row of `resource` made through the API: `fields` over a new body."""
    values = {**await body(client, resource), **fields}
    response = await client.post(f"/api/v1/{resource}", json=values)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created

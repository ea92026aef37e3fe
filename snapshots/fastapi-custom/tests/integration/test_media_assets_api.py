"""/api/v1/media-assets against the real PostgreSQL database in DATABASE_URL."""

import asyncio
import re
import uuid
from typing import Any

from httpx import AsyncClient
from sqlalchemy import create_engine, text

from app.core.config import Settings

URL = "/api/v1/media-assets"
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


async def create(client: AsyncClient, name: str, **fields: Any) -> dict[str, Any]:
    response = await client.post(URL, json={"name": name, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def names(client: AsyncClient, **params: str) -> list[str]:
    response = await client.get(URL, params=params)
    assert response.status_code == 200, response.text
    return [row["name"] for row in response.json()["data"]]


async def test_full_lifecycle_create_read_replace_patch_delete(client: AsyncClient) -> None:
    created = await create(client, "first", description="original")
    assert list(created) == ["id", "name", "description", "createdAt", "updatedAt", "version"]
    assert str(uuid.UUID(created["id"])) == created["id"]  # made by PostgreSQL, lower case
    assert TIMESTAMP.fullmatch(created["createdAt"])
    assert created["createdAt"] == created["updatedAt"]
    assert created["version"] == 1
    url = f"{URL}/{created['id']}"

    assert (await client.get(url)).json() == created

    replaced = (await client.put(url, json={"name": "renamed"})).json()
    assert (replaced["name"], replaced["description"], replaced["version"]) == ("renamed", None, 2)

    patched = (await client.patch(url, json={"description": "added"})).json()
    assert (patched["name"], patched["description"], patched["version"]) == ("renamed", "added", 3)
    assert patched["updatedAt"] > created["updatedAt"]
    assert patched["createdAt"] == created["createdAt"]

    deleted = await client.delete(url)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert (await client.get(url)).status_code == 404


async def test_every_put_and_patch_is_a_write_even_without_change(client: AsyncClient) -> None:
    created = await create(client, "same", description="d")
    url = f"{URL}/{created['id']}"
    await asyncio.sleep(0.002)  # the times are in milliseconds
    empty = (await client.patch(url, json={})).json()
    assert (empty["version"], empty["description"]) == (2, "d")
    assert empty["updatedAt"] > created["updatedAt"]
    same = (await client.put(url, json={"name": "same", "description": "d"})).json()
    assert same["version"] == 3


async def test_names_are_stored_as_sent(client: AsyncClient) -> None:
    created = await create(client, "  padded 😀 ", description="é" * 10_000)
    assert created["name"] == "  padded 😀 "
    assert len(created["description"]) == 10_000
    assert (await create(client, "😀" * 200))["name"] == "😀" * 200


async def test_duplicate_names_are_409(client: AsyncClient) -> None:
    await create(client, "unique")
    other = await create(client, "other")
    duplicate = await client.post(URL, json={"name": "unique"})
    assert duplicate.status_code == 409
    error = duplicate.json()["error"]
    assert (error["code"], error["message"]) == (
        "CONFLICT",
        "a media-asset named 'unique' already exists",
    )
    rename = await client.patch(f"{URL}/{other['id']}", json={"name": "unique"})
    assert rename.status_code == 409
    assert (await client.get(f"{URL}/{other['id']}")).json()["version"] == 1


async def test_list_paginates_with_total_pages(client: AsyncClient) -> None:
    for index in range(5):
        await create(client, f"item-{index}")
    first = (await client.get(URL, params={"limit": 2, "sort": "name"})).json()
    assert first["pagination"] == {"page": 1, "limit": 2, "total": 5, "totalPages": 3}
    assert [row["name"] for row in first["data"]] == ["item-0", "item-1"]
    assert await names(client, limit="2", page="3", sort="name") == ["item-4"]
    past_the_end = (await client.get(URL, params={"page": 9})).json()
    assert past_the_end["data"] == []
    assert past_the_end["pagination"] == {"page": 9, "limit": 10, "total": 5, "totalPages": 1}


async def test_list_sorts_newest_first_by_default(
    client: AsyncClient,
) -> None:
    for name in ["beta", "alpha", "gamma"]:
        await create(client, name)
    assert await names(client) == ["gamma", "alpha", "beta"]
    assert await names(client, sort="createdAt") == ["beta", "alpha", "gamma"]
    assert await names(client, sort="name:desc") == ["gamma", "beta", "alpha"]
    assert await names(client, sort="updatedAt:asc") == ["beta", "alpha", "gamma"]


async def test_equal_sort_keys_are_ordered_by_id(client: AsyncClient, settings: Settings) -> None:
    # One transaction: the three rows get the same created_at and updated_at (now()).
    engine = create_engine(settings.sqlalchemy_url)
    with engine.begin() as connection:
        rows = text("INSERT INTO media_assets (name) VALUES ('a'), ('b'), ('c')")
        connection.execute(rows)
    engine.dispose()
    for sort in ("createdAt:desc", "updatedAt:asc"):
        rows = (await client.get(URL, params={"sort": sort})).json()["data"]
        assert len({row["createdAt"] for row in rows}) == 1
        assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)


async def test_the_name_filter_contains_ignoring_case_every_character_literal(
    client: AsyncClient,
) -> None:
    for name in ["Sunrise", "sunset", "50% off", "500 off", "a_b", "axb", "back\\slash", "back"]:
        await create(client, name)
    assert sorted(await names(client, **{"filter[name]": "SUN"})) == ["Sunrise", "sunset"]
    assert await names(client, **{"filter[name]": "0%"}) == ["50% off"]
    assert await names(client, **{"filter[name]": "_"}) == ["a_b"]
    assert await names(client, **{"filter[name]": "\\"}) == ["back\\slash"]
    filtered = (await client.get(URL, params={"filter[name]": "nothing"})).json()
    assert filtered["pagination"] == {"page": 1, "limit": 10, "total": 0, "totalPages": 0}


async def test_absent_items_are_404_with_their_id(client: AsyncClient) -> None:
    missing = uuid.uuid4()
    response = await client.get(f"{URL}/{str(missing).upper()}")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "NOT_FOUND"
    assert error["message"] == f"media-asset '{missing}' not found"
    assert (await client.put(f"{URL}/{missing}", json={"name": "x"})).status_code == 404
    assert (await client.patch(f"{URL}/{missing}", json={})).status_code == 404
    assert (await client.delete(f"{URL}/{missing}")).status_code == 404

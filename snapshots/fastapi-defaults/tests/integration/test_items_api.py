"""/api/v1/items against the real PostgreSQL database in DATABASE_URL."""

import re
import uuid
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import create_engine, text

from app.core.config import Settings
from app.core.security import create_access_token
from tests import samples
from tests.conftest import auth_headers

RESOURCE = "items"
URL = f"/api/v1/{RESOURCE}"
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
# An item's keys, in the contract's order.
KEYS = [
    "id",
    "name",
    "description",
    "createdAt",
    "updatedAt",
    "version",
]
SORTABLE = [
    "name",
]
FILTERED = [
    "name",
]


# The 403 messages: the roles a route needs, in the order app/core/security.py names them.
WRITERS_ONLY = "requires the role editor or admin"
ADMINS_ONLY = "requires the role admin"


async def create(client: AsyncClient, **fields: Any) -> dict[str, Any]:
    return await samples.create(client, RESOURCE, **fields)


async def listed(client: AsyncClient, **params: str) -> list[dict[str, Any]]:
    response = await client.get(URL, params=params)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["data"]
    return rows


async def ids(client: AsyncClient, **params: str) -> list[str]:
    return [row["id"] for row in await listed(client, **params)]


def as_text(value: object) -> str:
    """A JSON value as a query writes it."""
    return str(value).lower() if isinstance(value, bool) else str(value)


async def test_full_lifecycle_create_read_replace_patch_delete(client: AsyncClient) -> None:
    sent = await samples.body(client, RESOURCE)
    response = await client.post(URL, json=sent)
    assert response.status_code == 201, response.text
    created = response.json()
    assert list(created) == KEYS
    assert {field: created[field] for field in sent} == sent  # read back as written
    assert str(uuid.UUID(created["id"])) == created["id"]  # made by PostgreSQL, lower case
    assert TIMESTAMP.fullmatch(created["createdAt"])
    assert created["createdAt"] == created["updatedAt"]
    assert created["version"] == 1
    url = f"{URL}/{created['id']}"
    assert response.headers["location"] == url

    assert (await client.get(url)).json() == created

    replacement = await samples.body(client, RESOURCE)
    replaced = (await client.put(url, json=replacement)).json()
    assert {field: replaced[field] for field in replacement} == replacement
    assert replaced["version"] == 2

    change = {"name": (await samples.body(client, RESOURCE))["name"]}
    patched = (await client.patch(url, json=change)).json()
    assert patched == {**replaced, **change, "version": 3, "updatedAt": patched["updatedAt"]}
    assert patched["updatedAt"] > created["updatedAt"]

    deleted = await client.delete(url)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert (await client.get(url)).status_code == 404


async def test_every_put_and_patch_is_a_write_even_without_change(client: AsyncClient) -> None:
    sent = await samples.body(client, RESOURCE)
    created = (await client.post(URL, json=sent)).json()
    url = f"{URL}/{created['id']}"
    empty = (await client.patch(url, json={})).json()
    assert empty == {**created, "version": 2, "updatedAt": empty["updatedAt"]}
    assert empty["updatedAt"] >= created["updatedAt"]
    same = (await client.put(url, json=sent)).json()
    assert same["version"] == 3


def assert_forbidden(response: Response, message: str) -> None:
    assert response.status_code == 403, response.text
    assert response.headers["www-authenticate"] == 'Bearer error="insufficient_scope"'
    error = response.json()["error"]
    assert (error["code"], error["message"]) == ("FORBIDDEN", message)
    assert error["correlation_id"] == response.headers["x-correlation-id"]
    assert TIMESTAMP.fullmatch(error["timestamp"])
    assert "details" not in error


@pytest.mark.parametrize(
    "roles",
    [
        pytest.param(None, id="no roles claim"),
        pytest.param([], id="no role"),
        pytest.param(["viewer"], id="another role"),
        pytest.param(["Editor", "ADMIN"], id="roles in another case"),
    ],
)
async def test_a_caller_without_a_role_reads_but_may_not_write(
    client: AsyncClient, settings: Settings, roles: list[str] | None
) -> None:
    item = await create(client)
    url = f"{URL}/{item['id']}"
    reader = auth_headers(settings, "reader", roles)
    assert (await client.get(url, headers=reader)).json() == item
    assert (await client.head(url, headers=reader)).status_code == 200
    listing = await client.get(URL, headers=reader)
    assert item["id"] in [row["id"] for row in listing.json()["data"]]
    body = await samples.body(client, RESOURCE)
    assert_forbidden(await client.post(URL, json=body, headers=reader), WRITERS_ONLY)
    assert_forbidden(await client.put(url, json=body, headers=reader), WRITERS_ONLY)
    assert_forbidden(await client.patch(url, json={}, headers=reader), WRITERS_ONLY)
    assert_forbidden(await client.delete(url, headers=reader), ADMINS_ONLY)
    assert (await client.get(url)).json() == item  # nothing was written


async def test_an_editor_creates_and_changes_and_an_admin_deletes(
    client: AsyncClient, settings: Settings
) -> None:
    editor = auth_headers(settings, "editor", ["editor"])
    created = await client.post(URL, json=await samples.body(client, RESOURCE), headers=editor)
    assert created.status_code == 201, created.text
    url = f"{URL}/{created.json()['id']}"
    replaced = await client.put(url, json=await samples.body(client, RESOURCE), headers=editor)
    assert replaced.status_code == 200, replaced.text
    assert (await client.patch(url, json={}, headers=editor)).json()["version"] == 3
    assert_forbidden(await client.delete(url, headers=editor), ADMINS_ONLY)
    # Roles may also come as one string of names separated by spaces (OAuth's scope).
    scope = {settings.jwt_roles_claim: "viewer editor"}
    scoped = {"Authorization": f"Bearer {create_access_token('editor', settings, scope)}"}
    assert (await client.patch(url, json={}, headers=scoped)).status_code == 200
    admin = auth_headers(settings, "admin", ["admin"])
    assert (await client.delete(url, headers=admin)).status_code == 204


async def test_the_403_comes_before_the_body_and_the_id(
    client: AsyncClient, settings: Settings
) -> None:
    """A caller without the role learns nothing of the request: not whether its body is
    well formed, nor whether the item exists."""
    reader = auth_headers(settings, "reader", [])
    json_type = {**reader, "Content-Type": "application/json"}
    assert_forbidden(await client.post(URL, content=b"{", headers=json_type), WRITERS_ONLY)
    assert_forbidden(await client.post(URL, headers=reader), WRITERS_ONLY)  # no body
    text_type = {**reader, "Content-Type": "text/plain"}
    assert_forbidden(await client.post(URL, content=b"{}", headers=text_type), WRITERS_ONLY)
    absent = f"{URL}/{uuid.uuid4()}"
    assert_forbidden(await client.patch(absent, json={}, headers=reader), WRITERS_ONLY)
    assert_forbidden(await client.put(f"{URL}/x", content=b"[", headers=json_type), WRITERS_ONLY)
    assert_forbidden(await client.delete(absent, headers=reader), ADMINS_ONLY)
    assert_forbidden(await client.delete(f"{URL}/x", headers=reader), ADMINS_ONLY)


@pytest.mark.parametrize(
    ("field", "conflict"),
    [
        ("name", "a item named '{}' already exists"),
    ],
)
async def test_a_unique_value_taken_is_409(client: AsyncClient, field: str, conflict: str) -> None:
    taken = (await create(client))[field]
    other = await create(client)
    duplicate = await client.post(URL, json={**await samples.body(client, RESOURCE), field: taken})
    assert duplicate.status_code == 409
    error = duplicate.json()["error"]
    assert (error["code"], error["message"]) == ("CONFLICT", conflict.format(taken))
    moved = await client.patch(f"{URL}/{other['id']}", json={field: taken})
    assert moved.status_code == 409
    assert (await client.get(f"{URL}/{other['id']}")).json()["version"] == 1


@pytest.mark.parametrize(
    ("field", "max_length"),
    [("name", 200), ("description", 10_000)],
)
async def test_text_is_stored_as_sent_up_to_its_length_in_code_points(
    client: AsyncClient, field: str, max_length: int
) -> None:
    longest = "😀" * max_length
    assert (await create(client, **{field: longest}))[field] == longest
    if max_length >= 4:
        padded = " é😀 "
        assert (await create(client, **{field: padded}))[field] == padded
    too_long = await client.post(
        URL, json={**await samples.body(client, RESOURCE), field: longest + "x"}
    )
    assert too_long.status_code == 400
    assert too_long.json()["error"]["details"][0]["field"] == f"body.{field}"


async def test_list_paginates_with_total_pages(client: AsyncClient) -> None:
    made = [(await create(client))["id"] for _ in range(5)]
    first = (await client.get(URL, params={"limit": 2, "sort": "createdAt:asc"})).json()
    assert first["pagination"] == {"page": 1, "limit": 2, "total": 5, "totalPages": 3}
    assert [row["id"] for row in first["data"]] == made[:2]
    assert await ids(client, limit="2", page="3", sort="createdAt:asc") == made[4:]
    past_the_end = (await client.get(URL, params={"page": 9})).json()
    assert past_the_end["data"] == []
    assert past_the_end["pagination"] == {"page": 9, "limit": 10, "total": 5, "totalPages": 1}


async def test_list_sorts_newest_first_by_default(client: AsyncClient) -> None:
    made = [(await create(client))["id"] for _ in range(3)]
    assert await ids(client) == made[::-1]
    assert await ids(client, sort="createdAt") == made
    assert await ids(client, sort="updatedAt:asc") == made


async def test_equal_sort_keys_are_ordered_by_id(client: AsyncClient, settings: Settings) -> None:
    for _ in range(3):
        await create(client)
    engine = create_engine(settings.sqlalchemy_url)
    with engine.begin() as connection:
        same_time = "created_at = '2026-01-01T00:00:00Z', updated_at = '2026-01-01T00:00:00Z'"
        connection.execute(text(f"UPDATE items SET {same_time}"))  # noqa: S608 (no input)
    engine.dispose()
    for sort in ("createdAt:desc", "updatedAt:asc"):
        found = await ids(client, sort=sort)
        assert found == sorted(found)


@pytest.mark.parametrize("field", SORTABLE)
async def test_the_list_sorts_on_each_sortable_field(client: AsyncClient, field: str) -> None:
    for _ in range(3):
        await create(client)
    ascending = [row[field] for row in await listed(client, sort=field)]
    assert ascending == sorted(ascending)
    descending = [row[field] for row in await listed(client, sort=f"{field}:desc")]
    assert descending == sorted(ascending, reverse=True)


@pytest.mark.parametrize("field", FILTERED)
async def test_each_filter_keeps_the_rows_it_matches(client: AsyncClient, field: str) -> None:
    rows = [await create(client) for _ in range(3)]
    wanted = as_text(rows[0][field])
    # A string field's filter keeps the values that contain the text, ignoring case.
    if field in {"name"}:
        matched = {row["id"] for row in rows if wanted.lower() in row[field].lower()}
        wanted = wanted.upper()
    else:
        matched = {row["id"] for row in rows if as_text(row[field]) == wanted}
    assert set(await ids(client, **{f"filter[{field}]": wanted})) == matched


async def test_a_text_filter_takes_every_character_literally(client: AsyncClient) -> None:
    field = "name"
    for value in ["50% off", "500 off", "a_b", "axb", "back\\slash", "back"]:
        await create(client, **{field: value})

    async def found(text: str) -> list[str]:
        return [row[field] for row in await listed(client, **{f"filter[{field}]": text})]

    assert await found("0%") == ["50% off"]
    assert await found("_") == ["a_b"]
    assert await found("\\") == ["back\\slash"]
    nothing = (await client.get(URL, params={f"filter[{field}]": "nothing"})).json()
    assert nothing["pagination"] == {"page": 1, "limit": 10, "total": 0, "totalPages": 0}


async def test_absent_items_are_404_with_their_id(client: AsyncClient) -> None:
    missing = uuid.uuid4()
    response = await client.get(f"{URL}/{str(missing).upper()}")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "NOT_FOUND"
    assert error["message"] == f"item '{missing}' not found"
    body = await samples.body(client, RESOURCE)
    assert (await client.put(f"{URL}/{missing}", json=body)).status_code == 404
    assert (await client.patch(f"{URL}/{missing}", json={})).status_code == 404
    assert (await client.delete(f"{URL}/{missing}")).status_code == 404

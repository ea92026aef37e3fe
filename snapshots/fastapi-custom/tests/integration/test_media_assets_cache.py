"""The read cache of /api/v1/media-assets: against real Redis and PostgreSQL.

A row's version changed in the database behind the service's back shows whether a read came
from the cache; the keys in Redis show what a write dropped.
"""

import socket
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from prometheus_client import REGISTRY
from redis import Redis
from sqlalchemy import create_engine, text

from app.core.config import Settings
from app.main import create_app
from tests import samples
from tests.conftest import UNREACHABLE_REDIS, auth_headers

RESOURCE = "media-assets"
URL = f"/api/v1/{RESOURCE}"
TABLE = "media_assets"
PREFIX = "asset-library:media-assets:"
FIRST_PAGE = "page=1&limit=10&sort=createdAt:desc"


@pytest.fixture
def redis(settings: Settings) -> Iterator[Redis]:
    with Redis.from_url(settings.redis_url, decode_responses=True) as client:
        yield client


async def client_of(settings: Settings) -> AsyncIterator[AsyncClient]:
    app = create_app(settings)
    async with AsyncClient(
        transport=ASGITransport(app=app),
        base_url="http://localhost",
        headers=auth_headers(settings),
    ) as client:
        yield client
    await app.state.engine.dispose()
    await app.state.redis.aclose()


@pytest.fixture
async def client_without_redis(settings: Settings) -> AsyncIterator[AsyncClient]:
    """The app on the real database with nothing listening where its Redis should be."""
    async for client in client_of(settings.model_copy(update={"redis_url": UNREACHABLE_REDIS})):
        yield client


@pytest.fixture
async def client_of_a_silent_redis(settings: Settings) -> AsyncIterator[AsyncClient]:
    """The app on the real database with a Redis that accepts connections and never answers."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        silent = f"redis://127.0.0.1:{server.getsockname()[1]}/0"
        async for client in client_of(settings.model_copy(update={"redis_url": silent})):
            yield client


def operations(operation: str, result: str) -> float:
    value = REGISTRY.get_sample_value(
        "cache_operations_total", {"operation": operation, "result": result}
    )
    return value or 0.0


def generation(redis: Redis) -> int:
    return int(redis.get(PREFIX + "generation") or 0)


def change_behind_the_service(settings: Settings, item_id: str, version: int) -> None:
    engine = create_engine(settings.sqlalchemy_url)
    with engine.begin() as connection:
        statement = text(f"UPDATE {TABLE} SET version = :version WHERE id = :id")  # noqa: S608
        connection.execute(statement, {"version": version, "id": item_id})
    engine.dispose()


async def create(client: AsyncClient) -> dict[str, Any]:
    return await samples.create(client, RESOURCE)


async def test_an_item_is_a_miss_then_a_hit_kept_for_cache_ttl(
    client: AsyncClient, settings: Settings, redis: Redis
) -> None:
    item = await create(client)
    misses, hits = operations("get", "miss"), operations("get", "hit")
    first = await client.get(f"{URL}/{item['id']}")
    assert first.json() == item
    key = PREFIX + f"item:{item['id']}"
    assert 0 < redis.pttl(key) <= settings.cache_ttl * 1000
    assert (operations("get", "miss"), operations("get", "hit")) == (misses + 1, hits)

    change_behind_the_service(settings, item["id"], 99)
    second = await client.get(f"{URL}/{item['id']}")
    assert second.json() == item, "the second read did not come from the cache"
    assert (operations("get", "miss"), operations("get", "hit")) == (misses + 1, hits + 1)


async def test_an_absent_item_is_not_cached(client: AsyncClient, redis: Redis) -> None:
    missing = uuid.uuid4()
    assert (await client.get(f"{URL}/{missing}")).status_code == 404
    assert redis.exists(PREFIX + f"item:{missing}") == 0


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
async def test_each_write_drops_the_item_and_every_page(
    client: AsyncClient,
    settings: Settings,
    redis: Redis,
    method: str,
) -> None:
    item = await create(client)
    body: dict[str, Any] | None = None if method == "DELETE" else {}
    if method == "PUT":
        body = await samples.body(client, RESOURCE)
    url = f"{URL}/{item['id']}"
    await client.get(url)
    await client.get(URL)
    before = generation(redis)
    change_behind_the_service(settings, item["id"], 41)  # what the write will read back
    invalidations = operations("invalidate", "ok")

    response = await client.request(method, url, json=body)
    assert response.is_success, response.text
    assert redis.exists(PREFIX + f"item:{item['id']}") == 0
    assert generation(redis) == before + 1
    assert operations("invalidate", "ok") == invalidations + 1
    if method == "DELETE":
        assert (await client.get(url)).status_code == 404
        assert (await client.get(URL)).json()["data"] == []
    else:
        assert (await client.get(url)).json() == response.json()
        assert (await client.get(URL)).json()["data"] == [response.json()]


async def test_a_create_drops_every_page(client: AsyncClient, redis: Redis) -> None:
    first = await create(client)
    assert [row["id"] for row in (await client.get(URL)).json()["data"]] == [first["id"]]
    before = generation(redis)
    assert redis.exists(PREFIX + f"list:{before}:{FIRST_PAGE}") == 1

    second = await create(client)
    assert generation(redis) == before + 1
    page = (await client.get(URL)).json()
    assert [row["id"] for row in page["data"]] == [second["id"], first["id"]]
    assert page["pagination"]["total"] == 2


async def test_a_failed_write_changes_nothing(client: AsyncClient, redis: Redis) -> None:
    item = await create(client)
    other = await create(client)
    await client.get(f"{URL}/{item['id']}")
    before = generation(redis)
    taken = {"name": other["name"]}
    assert (await client.patch(f"{URL}/{item['id']}", json=taken)).status_code == 409
    body = {**await samples.body(client, RESOURCE), **taken}
    assert (await client.post(URL, json=body)).status_code == 409
    assert (await client.patch(f"{URL}/{item['id']}", json={"unknown": 1})).status_code == 400
    assert (await client.put(f"{URL}/{uuid.uuid4()}", json=body)).status_code == 404
    assert (await client.delete(f"{URL}/{uuid.uuid4()}")).status_code == 404
    assert generation(redis) == before
    assert redis.exists(PREFIX + f"item:{item['id']}") == 1


async def test_pages_are_kept_by_generation_and_validated_query(
    client: AsyncClient, settings: Settings, redis: Redis
) -> None:
    item = await create(client)
    redis.set(PREFIX + "generation", 41)
    cached = (await client.get(URL, params={"sort": "createdAt", "limit": "05"})).json()
    assert [row["id"] for row in cached["data"]] == [item["id"]]
    key = PREFIX + "list:41:page=1&limit=5&sort=createdAt:asc"
    assert 0 < redis.pttl(key) <= settings.cache_ttl * 1000

    change_behind_the_service(settings, item["id"], 99)
    hits = operations("get", "hit")
    # The same query once validated: the same page.
    same = {"sort": "createdAt:asc", "limit": "5"}
    assert (await client.get(URL, params=same)).json() == cached
    assert operations("get", "hit") == hits + 1
    # Another query is another page: read from the database.
    (row,) = (await client.get(URL, params={"sort": "createdAt:desc"})).json()["data"]
    assert row["version"] == 99


async def test_without_redis_the_api_answers_from_the_database_and_the_probes_stay_up(
    client_without_redis: AsyncClient, settings: Settings
) -> None:
    client = client_without_redis
    body = await samples.body(client, RESOURCE)  # the rows it refers to made first
    errors = {operation: operations(operation, "error") for operation in ("get", "set")}
    errors["invalidate"] = operations("invalidate", "error")
    item = (await client.post(URL, json=body)).json()
    url = f"{URL}/{item['id']}"
    assert (await client.get(url)).json() == item
    change_behind_the_service(settings, item["id"], 99)
    assert (await client.get(url)).json()["version"] == 99
    assert (await client.get(URL)).json()["pagination"]["total"] == 1
    assert (await client.delete(url)).status_code == 204
    assert operations("get", "error") == errors["get"] + 3
    # A read of an item tries to set it; a page needs the generation first.
    assert operations("set", "error") == errors["set"] + 2
    assert operations("invalidate", "error") == errors["invalidate"] + 2

    # Redis is reported but not required, and /ready does not check it: every replica shares
    # Redis, so failing the probes on it would turn a cache outage into a full one.
    health = await client.get("/health")
    assert health.status_code == 200, health.text
    assert health.json()["status"] == "healthy"
    dependencies = health.json()["dependencies"]
    assert dependencies["database"]["status"] == "healthy"
    assert (dependencies["redis"]["status"], dependencies["redis"]["required"]) == (
        "unhealthy",
        False,
    )
    ready = await client.get("/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["status"] == "ready"
    assert ready.json()["checks"] == {
        "database": True,
        "database_migrations": True,
        "external_dependencies": True,
        "configuration": True,
    }


async def test_a_silent_redis_delays_a_read_by_its_command_timeouts_at_most(
    client_of_a_silent_redis: AsyncClient,
) -> None:
    client = client_of_a_silent_redis
    item = await create(client)  # its invalidation gave up after 500 ms
    started = time.monotonic()
    # The rate limit's count gives up (counted in memory instead), then the get, then the set.
    response = await client.get(f"{URL}/{item['id']}")
    assert response.json() == item
    assert time.monotonic() - started < 3 * 0.5 + 0.5
    health = await client.get("/health")
    assert health.status_code == 200, health.text
    assert health.json()["dependencies"]["redis"]["status"] == "unhealthy"
    ready = await client.get("/ready")  # Redis is not checked
    assert ready.status_code == 200, ready.text
    assert "redis" not in ready.json()["checks"]

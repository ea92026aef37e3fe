"""Slow tier: every backend generated with `cache: redis` caches alike (docs/contract.md, Cache).

Each one runs against a private Redis server and PostgreSQL. A change made in the database
behind the service's back shows whether a read came from the cache; writes through the API must
drop what they change; with Redis stopped the API still answers from the database, /health
reports Redis down without failing (it is not required) and /ready does not check it, and the
cache comes back with Redis.
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.helpers import SERVICE_STACKS
from tests.slow.conftest import RESOURCE
from tests.slow.postgres import PostgresServer, wait_until
from tests.slow.redis import RedisServer
from tests.slow.services import (
    JWT_SECRET,
    RunningService,
    access_token,
    launch,
    stop_gracefully,
)

pytestmark = pytest.mark.slow

COLLECTION = f"/api/v1/{RESOURCE}"
TABLE = RESOURCE.replace("-", "_")
HEADERS = {"Authorization": f"Bearer {access_token()}"}


@pytest.fixture(scope="module", params=SERVICE_STACKS)
def service(
    request: pytest.FixtureRequest, postgres: PostgresServer, redis: RedisServer
) -> Iterator[RunningService]:
    if not redis.is_accepting():
        redis.start()  # the previous backend's last test may have stopped it
    running = launch(
        request.param,
        request,
        postgres,
        f"cache_{request.param}",
        env={"REDIS_URL": redis.url, "CACHE_TTL": "1m"},
        cached=True,
    )
    yield running
    stop_gracefully(running)


def database_of(service: RunningService) -> str:
    return f"cache_{service.stack}"


def cache_operations(service: RunningService) -> dict[tuple[str, str], float]:
    text = httpx.get(f"{service.metrics}/metrics", timeout=5).text
    return {
        (sample.labels["operation"], sample.labels["result"]): sample.value
        for family in text_string_to_metric_families(text)
        if family.name == "cache_operations"
        for sample in family.samples
        if sample.name == "cache_operations_total"
    }


def create(service: RunningService, name: str) -> dict[str, object]:
    response = httpx.post(f"{service.base}{COLLECTION}", json={"name": name}, headers=HEADERS)
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def rename_behind_the_service(
    postgres: PostgresServer, service: RunningService, item_id: object, name: str
) -> None:
    # The test's own values: nothing to escape.
    statement = f"UPDATE {TABLE} SET name = '{name}' WHERE id = '{item_id}'"  # noqa: S608
    postgres.psql(database_of(service), "-c", statement)


def test_a_read_item_is_served_from_the_cache_until_a_write_drops_it(
    service: RunningService, postgres: PostgresServer, redis: RedisServer
) -> None:
    item = create(service, f"cached {uuid.uuid4()}")
    url = f"{service.base}{COLLECTION}/{item['id']}"
    before = cache_operations(service)
    first = httpx.get(url, headers=HEADERS)
    assert first.status_code == 200, first.text
    key = f"media-service:{RESOURCE}:item:{item['id']}"
    assert redis.command("EXISTS", key).strip() == b":1"

    rename_behind_the_service(postgres, service, item["id"], "changed behind its back")
    second = httpx.get(url, headers=HEADERS)
    assert second.json() == first.json(), "the second read did not come from the cache"
    after = cache_operations(service)
    assert after[("get", "miss")] == before.get(("get", "miss"), 0) + 1
    assert after[("get", "hit")] == before.get(("get", "hit"), 0) + 1

    patched = httpx.patch(url, json={"description": "written"}, headers=HEADERS)
    assert patched.status_code == 200, patched.text
    third = httpx.get(url, headers=HEADERS).json()
    assert third["name"] == "changed behind its back"
    assert third["description"] == "written"


def test_a_write_drops_every_cached_page(service: RunningService, postgres: PostgresServer) -> None:
    marker = uuid.uuid4().hex[:8]
    first = create(service, f"page {marker} one")
    listing = f"{service.base}{COLLECTION}"
    parameters = {"filter[name]": marker}
    cached = httpx.get(listing, params=parameters, headers=HEADERS).json()
    assert [item["id"] for item in cached["data"]] == [first["id"]]

    rename_behind_the_service(postgres, service, first["id"], f"page {marker} renamed")
    assert httpx.get(listing, params=parameters, headers=HEADERS).json() == cached

    second = create(service, f"page {marker} two")
    fresh = httpx.get(listing, params=parameters, headers=HEADERS).json()
    assert {item["id"] for item in fresh["data"]} == {first["id"], second["id"]}
    assert fresh["pagination"]["total"] == 2


def test_without_redis_the_api_answers_from_the_database_and_stays_ready(
    service: RunningService, postgres: PostgresServer, redis: RedisServer
) -> None:
    item = create(service, f"outage {uuid.uuid4()}")
    url = f"{service.base}{COLLECTION}/{item['id']}"
    redis.stop()
    try:
        started = time.monotonic()
        health = httpx.get(f"{service.base}/health", timeout=15)
        assert health.status_code == 200, health.text
        assert time.monotonic() - started < 10
        assert health.json()["status"] == "healthy"
        assert health.json()["dependencies"]["redis"]["status"] == "unhealthy"
        assert health.json()["dependencies"]["redis"]["required"] is False
        assert health.json()["dependencies"]["database"]["status"] == "healthy"
        ready = httpx.get(f"{service.base}/ready", timeout=15)
        assert ready.status_code == 200, ready.text
        assert "redis" not in ready.json()["checks"]

        read = httpx.get(url, headers=HEADERS, timeout=15)
        assert read.status_code == 200, read.text
        rename_behind_the_service(postgres, service, item["id"], "read from the database")
        assert httpx.get(url, headers=HEADERS, timeout=15).json()["name"] == (
            "read from the database"
        )
        assert cache_operations(service)[("get", "error")] >= 2
    finally:
        redis.start()
    wait_until(
        lambda: (
            httpx.get(f"{service.base}/health", timeout=15).json()["dependencies"]["redis"][
                "status"
            ]
            == "healthy"
        ),
        30,
        "/health to see Redis again once it is back",
    )
    before = cache_operations(service).get(("get", "hit"), 0)
    httpx.get(url, headers=HEADERS, timeout=15)
    httpx.get(url, headers=HEADERS, timeout=15)
    assert cache_operations(service).get(("get", "hit"), 0) > before


@pytest.mark.parametrize("stack", SERVICE_STACKS)
def test_a_redis_url_of_another_scheme_stops_the_start(
    stack: str, request: pytest.FixtureRequest, postgres: PostgresServer
) -> None:
    project = request.getfixturevalue(f"{stack}_cached_service")
    result = subprocess.run(
        project.server_command(),
        cwd=project.root,
        env={
            **os.environ,
            "DATABASE_URL": postgres.url(),
            "JWT_SECRET": JWT_SECRET,
            "NODE_ENV": "production",
            "REDIS_URL": "http://127.0.0.1:6379",
        },
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "invalid configuration: REDIS_URL must be a redis:// or rediss:// URL" in result.stderr

"""The rate limit per client (app/core/rate_limit.py) through the app, on the real database
and Redis."""

import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import pytest
from httpx import ASGITransport, AsyncClient
from prometheus_client import REGISTRY

from app.core.config import Settings
from app.main import create_app
from tests.conftest import UNREACHABLE_REDIS, auth_headers

URL = "/api/v1/media-assets"
POLICY = '"default";q=3;w=60'
NO_ID = "00000000-0000-0000-0000-000000000000"

ClientOf = Callable[..., AbstractAsyncContextManager[AsyncClient]]


def log_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    """The JSON lines the app logged (its handler writes to the captured stdout)."""
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


@pytest.fixture
def client_of(settings: Settings) -> ClientOf:
    """A client of a new app on the real database, with `overrides` to the settings; its
    address is 127.0.0.1 (httpx's ASGITransport)."""

    @asynccontextmanager
    async def client_of(**overrides: object) -> AsyncIterator[AsyncClient]:
        app = create_app(settings.model_copy(update={"rate_limit_requests": 3, **overrides}))
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://localhost") as client:
            yield client
        await app.state.engine.dispose()
        await app.state.redis.aclose()

    return client_of


async def test_the_request_over_the_limit_is_429_and_each_answer_says_what_is_left(
    settings: Settings, client_of: ClientOf
) -> None:
    alice = auth_headers(settings, "alice")
    async with client_of() as client:
        for remaining in (2, 1, 0):
            response = await client.get(URL, headers=alice)
            assert response.status_code == 200
            assert response.headers["ratelimit-policy"] == POLICY
            assert response.headers["ratelimit"].startswith(f'"default";r={remaining};t=')
            assert "retry-after" not in response.headers
        refused = await client.get(URL, headers=alice)
        other = await client.get(URL, headers=auth_headers(settings, "bob"))
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert (error["code"], error["message"]) == (
        "TOO_MANY_REQUESTS",
        "rate limit of 3 requests per 60 s exceeded",
    )
    assert refused.headers["ratelimit-policy"] == POLICY
    seconds = int(refused.headers["retry-after"])
    assert 1 <= seconds <= 60
    assert refused.headers["ratelimit"] == f'"default";r=0;t={seconds}'
    assert other.status_code == 200  # another subject has a budget of its own


async def test_requests_without_a_valid_token_are_counted_by_address(
    client_of: ClientOf,
) -> None:
    async with client_of() as client:
        statuses = [
            (await client.get(URL, headers=headers)).status_code
            for headers in ({}, {"Authorization": "Bearer nonsense"}, {}, {})
        ]
    assert statuses == [401, 401, 401, 429]


async def test_every_outcome_of_a_counted_request_has_the_headers(
    settings: Settings, client_of: ClientOf
) -> None:
    async with client_of() as client:
        reader = auth_headers(settings, roles=None)
        forbidden = await client.delete(f"{URL}/{NO_ID}", headers=reader)
        invalid = await client.get(f"{URL}/not-a-uuid", headers=reader)
        missing = await client.get(f"{URL}/{NO_ID}", headers=reader)
    assert [r.status_code for r in (forbidden, invalid, missing)] == [403, 400, 404]
    assert [r.headers["ratelimit"][:13] for r in (forbidden, invalid, missing)] == [
        '"default";r=2',
        '"default";r=1',
        '"default";r=0',
    ]


async def test_unknown_routes_methods_and_probes_are_not_counted(
    settings: Settings, client_of: ClientOf
) -> None:
    async with client_of() as client:
        answers = [
            await client.get("/api/v1/nowhere"),
            await client.post(f"{URL}/{NO_ID}"),
            *[await client.get(probe) for probe in ("/live", "/ready", "/health") * 2],
            await client.get("/api/docs/openapi.json"),
        ]
        counted = await client.get(URL, headers=auth_headers(settings))
    assert [a.status_code for a in answers[:2]] == [404, 405]
    assert not any("ratelimit" in answer.headers for answer in answers)
    assert counted.headers["ratelimit"].startswith('"default";r=2;')


async def test_no_limit_and_no_header_when_the_limit_is_0(
    settings: Settings, client_of: ClientOf
) -> None:
    async with client_of(rate_limit_requests=0) as client:
        answers = [await client.get(URL, headers=auth_headers(settings)) for _ in range(5)]
    assert [answer.status_code for answer in answers] == [200] * 5
    assert not any("ratelimit" in answer.headers for answer in answers)


async def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(
    client_of: ClientOf, capsys: pytest.CaptureFixture[str]
) -> None:
    first = {"X-Forwarded-For": "198.51.100.7, 203.0.113.1"}
    second = {"X-Forwarded-For": "203.0.113.2"}
    async with client_of(trusted_proxies=["127.0.0.1", "10.0.0.0/8"]) as client:
        for _ in range(3):
            assert (await client.get(URL, headers=first)).status_code == 401
        assert (await client.get(URL, headers=first)).status_code == 429
        # Another address, even through another trusted proxy, has a budget of its own.
        through_two = {"X-Forwarded-For": "203.0.113.2, 10.1.2.3"}
        assert (await client.get(URL, headers=through_two)).status_code == 401
        assert (await client.get(URL, headers=second)).status_code == 401
    # The rightmost address that is not a trusted proxy, in the request log too.
    addresses = [line["ip"] for line in log_lines(capsys) if line["message"] == "HTTP Request"]
    assert addresses == ["203.0.113.1"] * 4 + ["203.0.113.2"] * 2


async def test_x_forwarded_for_is_ignored_when_no_proxy_is_trusted(client_of: ClientOf) -> None:
    async with client_of() as client:
        statuses = [
            (await client.get(URL, headers={"X-Forwarded-For": f"203.0.113.{n}"})).status_code
            for n in range(4)
        ]
    assert statuses == [401, 401, 401, 429]  # all of them from 127.0.0.1


def cache_operations(result: str) -> float:
    labels = {"operation": "rate_limit", "result": result}
    return REGISTRY.get_sample_value("cache_operations_total", labels) or 0.0


async def test_replicas_with_the_same_redis_share_one_budget(
    settings: Settings, client_of: ClientOf
) -> None:
    alice = auth_headers(settings, "alice")
    counted = cache_operations("ok")
    async with client_of() as one, client_of() as another:
        statuses = [
            (await client.get(URL, headers=alice)).status_code
            for client in (one, another, one, another)
        ]
    assert statuses == [200, 200, 200, 429]
    assert cache_operations("ok") == counted + 4


async def test_with_redis_down_requests_are_counted_in_memory(
    settings: Settings, client_of: ClientOf, capsys: pytest.CaptureFixture[str]
) -> None:
    alice = auth_headers(settings, "alice")
    failed = cache_operations("error")
    async with client_of(redis_url=UNREACHABLE_REDIS) as client:
        statuses = [(await client.get(URL, headers=alice)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]  # never a 5xx for Redis alone
    assert cache_operations("error") == failed + 4
    warnings = [line for line in log_lines(capsys) if line.get("operation") == "rate_limit"]
    assert [(line["level"], line["message"]) for line in warnings] == [
        ("warn", "cache unavailable")
    ] * 4

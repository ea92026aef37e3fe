"""The deadline of each /api/v1 request and load shedding (app/core/admission.py), on the real
database: a lock held on the resource's table from another connection keeps a request's
statement waiting as long as the test wants."""

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager

import pytest
from httpx import ASGITransport, AsyncClient
from prometheus_client import REGISTRY
from sqlalchemy import Engine, create_engine, text

from app.core.config import Settings
from app.db.models import MediaAsset
from app.main import create_app
from tests.conftest import auth_headers

URL = "/api/v1/media-assets"
TABLE = MediaAsset.__tablename__

ClientOf = Callable[..., AbstractAsyncContextManager[AsyncClient]]


@pytest.fixture
def client_of(settings: Settings) -> ClientOf:
    """An authenticated client of a new app on the real database, with `overrides` to the
    settings."""

    @asynccontextmanager
    async def client_of(**overrides: object) -> AsyncIterator[AsyncClient]:
        app = create_app(settings.model_copy(update=overrides))
        transport = ASGITransport(app=app)
        headers = auth_headers(settings)
        async with AsyncClient(
            transport=transport, base_url="http://localhost", headers=headers
        ) as client:
            yield client
        await app.state.engine.dispose()
        await app.state.redis.aclose()

    return client_of


@pytest.fixture
def database(settings: Settings) -> Iterator[Engine]:
    """A connection of the test's own to the database (not the service's)."""
    engine = create_engine(settings.sqlalchemy_url)
    yield engine
    engine.dispose()


@contextmanager
def table_locked(database: Engine) -> Iterator[None]:
    """The resource's table locked by an open transaction until the block ends."""
    with database.begin() as connection:
        connection.execute(text(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE"))
        yield


def statements_of_the_service(database: Engine, settings: Settings) -> list[str]:
    """What the service's connections (its application_name) are running or waiting for."""
    with database.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT query FROM pg_stat_activity"
                " WHERE application_name = :name AND state = 'active'"
            ),
            {"name": settings.service_name},
        )
        return [row[0] for row in rows]


async def until(check: Callable[[], bool], seconds: float = 2) -> bool:
    """Whether `check` came true within `seconds` (polled)."""
    ends = time.monotonic() + seconds
    while not check():
        if time.monotonic() > ends:
            return False
        await asyncio.sleep(0.05)
    return True


def query_errors() -> float:
    return sum(
        sample.value
        for metric in REGISTRY.collect()
        if metric.name == "db_query_errors"
        for sample in metric.samples
        if sample.name == "db_query_errors_total" and sample.labels["table"] == TABLE
    )


async def test_a_request_past_its_deadline_is_503_and_its_statement_cancelled(
    settings: Settings,
    client_of: ClientOf,
    database: Engine,
    capsys: pytest.CaptureFixture[str],
) -> None:
    errors = query_errors()
    async with client_of(request_timeout=1.0) as client:
        with table_locked(database):
            started = time.monotonic()
            response = await client.get(URL)
            elapsed = time.monotonic() - started
            # PostgreSQL got the cancel: nothing of the service runs or waits any more.
            assert await until(lambda: not statements_of_the_service(database, settings))
        assert response.status_code == 503
        assert 1 <= elapsed < 2
        error = response.json()["error"]
        assert (error["code"], error["message"]) == (
            "SERVICE_UNAVAILABLE",
            "request took longer than 1 s",
        )
        assert "retry-after" not in response.headers
        assert response.headers["ratelimit"].startswith('"default";')  # it was counted
        assert (await client.get(URL)).status_code == 200  # the pool is healthy
    # The cancelled statement is what a client's cancel always was: one `connection` error.
    assert query_errors() == errors + 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["statusCode"] for line in lines if line["message"] == "HTTP Request"] == [
        503,
        200,
    ]
    assert not [line for line in lines if line["level"] == "error"]


async def test_a_request_over_the_concurrency_is_503_at_once_and_probes_still_answer(
    client_of: ClientOf, database: Engine
) -> None:
    async with client_of(max_concurrent_requests=1, request_timeout=5.0) as client:
        with table_locked(database):
            waiting = asyncio.create_task(client.get(URL))
            await asyncio.sleep(0.3)  # it is in progress, waiting for the lock
            started = time.monotonic()
            shed = await client.get(URL)
            assert time.monotonic() - started < 0.5
            live = await client.get("/live")
            unknown = await client.get("/api/v1/nowhere")  # a 404 takes no place
            assert not waiting.done()
        assert (await waiting).status_code == 200
        assert (await client.get(URL)).status_code == 200  # its place is free again
    assert shed.status_code == 503
    error = shed.json()["error"]
    assert (error["code"], error["message"]) == (
        "SERVICE_UNAVAILABLE",
        "too many requests in progress",
    )
    assert shed.headers["retry-after"] == "1"
    assert "ratelimit" not in shed.headers  # not counted by the rate limit
    assert live.status_code == 200
    assert unknown.status_code == 404

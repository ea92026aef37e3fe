"""Probes and metrics with the real, migrated database, and other services as real HTTP servers."""

import asyncio
import math
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from httpx import ASGITransport, AsyncClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from app.core.config import Settings
from app.db.models import MediaAsset
from app.main import create_app
from tests.conftest import auth_headers

URL = "/api/v1/media-assets"
TABLE = "media_assets"  # the table label of the resource's statements
TRICKLES = 0  # an upstream in this state starts answering at once, but never finishes in time


async def test_ready_when_the_database_is_migrated(client: AsyncClient) -> None:
    response = await client.get("/ready")
    assert response.status_code == 200
    assert response.json()["checks"] == {
        "database": True,
        "database_migrations": True,
        "external_dependencies": True,
        "configuration": True,
    }


async def test_health_reports_the_database_healthy_and_required(client: AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    database = body["dependencies"]["database"]
    assert (database["status"], database["required"]) == ("healthy", True)
    assert 0 <= database["latency_ms"] < 2000
    assert database["latency_ms"] == round(database["latency_ms"], 1)
    redis = body["dependencies"]["redis"]
    assert (redis["status"], redis["required"]) == ("healthy", False)  # reported, not required
    assert body["dependencies"]["external_services"] == {}


@pytest.mark.parametrize(
    "host",
    [
        "10.1.2.3:8000",  # kubelet probes the pod by its IP
        "asset-library.default.svc.cluster.local",  # other services call the Service
        "api.visiobook.com",  # the ingress
    ],
)
async def test_probes_answer_whatever_the_host(client: AsyncClient, host: str) -> None:
    """No host allow-list: a probe is answered whichever name it was sent to."""
    for path in ("/live", "/health", "/ready"):
        response = await client.get(path, headers={"Host": host})
        assert response.status_code == 200, (path, response.text)


class Upstream:
    """Another service, a real HTTP server on loopback: its /health answers `status`, or
    TRICKLES; every other path is a 404."""

    def __init__(self) -> None:
        self.status = 200
        self.requests: list[tuple[str, str]] = []
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                upstream.requests.append((self.command, self.path))
                if upstream.status == TRICKLES:
                    self.trickle()
                    return
                status = upstream.status
                self.send_response(status if self.path == "/health" else 404)
                if 300 <= status < 400:
                    self.send_header("Location", "/")  # 404 if followed, but it must not be
                self.send_header("Content-Length", "0")
                self.end_headers()

            def trickle(self) -> None:
                """The status line, then a byte of a header every half second for 8 seconds:
                each read gets something in time, only the check's 2 seconds in all stop it."""
                try:
                    self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                    for _ in range(16):
                        time.sleep(0.5)
                        self.wfile.write(b".")
                except OSError:  # the check gave up and closed the connection
                    pass

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep the test output to the tests

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True  # a slow answer does not hold the test run
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def storage() -> Iterator[Upstream]:
    upstream = Upstream()
    yield upstream
    upstream.close()


@pytest.fixture
def billing() -> Iterator[Upstream]:
    upstream = Upstream()
    yield upstream
    upstream.close()


@pytest.fixture
async def linked_client(
    settings: Settings, storage: Upstream, billing: Upstream
) -> AsyncIterator[AsyncClient]:
    """The app with two external services: storage-service, only reported, and billing,
    required."""
    linked = settings.model_copy(
        update={
            "external_services": ["storage-service", "billing"],
            "required_external_services": ["billing"],
            # A trailing slash is not doubled: billing is checked at /health, not //health.
            "external_service_urls": {"storage-service": storage.url, "billing": billing.url + "/"},
        }
    )
    app = create_app(linked)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://localhost") as client:
        yield client
    await app.state.http_client.aclose()
    await app.state.engine.dispose()


async def test_health_checks_each_external_service_at_its_health_path(
    linked_client: AsyncClient, storage: Upstream, billing: Upstream
) -> None:
    response = await linked_client.get("/health")
    assert response.status_code == 200, response.text
    services = response.json()["dependencies"]["external_services"]
    assert list(services) == ["storage-service", "billing"]
    assert (services["storage-service"]["required"], services["billing"]["required"]) == (
        False,
        True,
    )
    for state in services.values():
        assert state["status"] == "healthy"
        assert 0 <= state["latency_ms"] < 2000
    assert storage.requests == billing.requests == [("GET", "/health")]
    assert (await linked_client.get("/ready")).json()["checks"]["external_dependencies"] is True


async def test_a_service_down_that_is_not_required_is_only_reported(
    linked_client: AsyncClient, storage: Upstream
) -> None:
    storage.status = 503
    response = await linked_client.get("/health")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "healthy"
    assert body["dependencies"]["external_services"]["storage-service"]["status"] == "unhealthy"
    assert (await linked_client.get("/ready")).status_code == 200
    assert storage.requests == [("GET", "/health")]  # /ready checks the required ones only


@pytest.mark.parametrize("status", [500, 404, 302])
async def test_a_required_service_down_makes_health_and_ready_503(
    linked_client: AsyncClient, billing: Upstream, status: int
) -> None:
    """Any answer but a 2xx is down, a redirect too: it is not followed."""
    billing.status = status
    response = await linked_client.get("/health")
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["dependencies"]["external_services"]["billing"]["status"] == "unhealthy"
    assert body["dependencies"]["database"]["status"] == "healthy"
    ready = await linked_client.get("/ready")
    assert ready.status_code == 503, ready.text
    assert ready.json()["status"] == "not_ready"
    assert ready.json()["checks"] == {
        "database": True,
        "database_migrations": True,
        "external_dependencies": False,
        "configuration": True,
    }
    assert (await linked_client.get("/live")).status_code == 200
    assert ("GET", "/") not in billing.requests


async def test_a_service_that_does_not_answer_in_time_is_down_once_its_check_gives_up(
    linked_client: AsyncClient, storage: Upstream, billing: Upstream
) -> None:
    storage.status = billing.status = TRICKLES
    for path in ("/health", "/ready"):
        started = time.monotonic()
        response = await linked_client.get(path)
        elapsed = time.monotonic() - started
        assert response.status_code == 503, response.text
        assert elapsed < 2.9, f"{path} took {elapsed:.1f} s: the checks run at once, 2 s each"
    services = (await linked_client.get("/health")).json()["dependencies"]["external_services"]
    for state in services.values():
        assert state["status"] == "unhealthy"
        assert 1990 <= state["latency_ms"] < 2900


async def test_a_service_nothing_listens_for_is_down(
    linked_client: AsyncClient, billing: Upstream
) -> None:
    billing.close()  # its port is refused from now on
    response = await linked_client.get("/health")
    assert response.status_code == 503
    assert response.json()["dependencies"]["external_services"]["billing"]["status"] == "unhealthy"


async def test_metrics_label_requests_by_route_template(
    client: AsyncClient, metrics_client: AsyncClient
) -> None:
    url = "/api/v1/media-assets"
    await client.get(f"{url}/{uuid.uuid4()}")
    created = (await client.post(url, json={"name": "measured"})).json()
    await client.delete(f"{url}/{created['id']}")
    text = (await metrics_client.get("/metrics")).text
    route_template = url + "/{id}"  # the label, not the requested path
    assert f'route="{route_template}",status_code="404"' in text
    assert created["id"] not in text
    assert 'operation="media_asset_create",status="success"' in text
    assert 'operation="media_asset_delete",status="success"' in text


def samples(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    """The samples called `name` in a scrape, by their labels."""
    return {
        tuple(sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    }


def value(found: dict[tuple[tuple[str, str], ...], float], **labels: str) -> float:
    return found.get(tuple(sorted(labels.items())), 0.0)


async def test_database_queries_are_timed_and_counted_by_operation_and_table(
    settings: Settings, metrics_client: AsyncClient
) -> None:
    """Every statement the service sends, through the engine's events (guidelines 5.3)."""
    app = create_app(settings.model_copy(update={"db_pool_size": 4}))
    before = (await metrics_client.get("/metrics")).text
    async with AsyncClient(
        transport=ASGITransport(app=app),
        base_url="http://localhost",
        headers=auth_headers(settings),
    ) as client:
        assert (await client.post(URL, json={"name": "measured"})).status_code == 201
        assert (await client.get(URL, params={"name": "measured"})).status_code == 200
        assert (await client.get("/ready")).status_code == 200
    # A failing insert, straight through the database layer: a NOT NULL violation.
    async with app.state.sessionmaker() as session:
        with pytest.raises(IntegrityError):
            await session.execute(insert(MediaAsset).values(name=None))
    await app.state.engine.dispose()
    after = (await metrics_client.get("/metrics")).text

    counted = {
        name: (samples(before, name), samples(after, name))
        for name in ("db_query_duration_seconds_count", "db_query_errors_total")
    }

    def more(name: str, **labels: str) -> float:
        old, new = counted[name]
        return value(new, **labels) - value(old, **labels)

    assert more("db_query_duration_seconds_count", operation="insert", table=TABLE) == 2
    # The list sends one statement: its page and, in a window count, its total.
    assert more("db_query_duration_seconds_count", operation="select", table=TABLE) == 1
    assert more("db_query_duration_seconds_count", operation="select", table="unknown") == 1
    assert more("db_query_duration_seconds_count", operation="select", table="alembic_version") == 1
    assert more("db_query_errors_total", operation="insert", table=TABLE, error_type="23502") == 1
    buckets = samples(after, "db_query_duration_seconds_bucket")
    assert sorted(
        float(dict(labels)["le"])
        for labels in buckets
        if ("operation", "insert") in labels and ("table", TABLE) in labels
    ) == [0.01, 0.05, 0.1, 0.5, 1, 2, math.inf]
    # Transaction control is not recorded, and the pool's size is the most it opens.
    operations = {
        dict(labels)["operation"] for labels in samples(after, "db_query_duration_seconds_count")
    }
    assert operations <= {"select", "insert", "update", "delete", "other"}
    assert samples(after, "db_connections_max") == {(): 4.0}


async def test_a_query_cancelled_by_the_server_or_the_client_is_an_error(
    settings: Settings, metrics_client: AsyncClient
) -> None:
    """The server's SQLSTATE when it answered (57014: the statement timed out); `connection`
    when the client gave up waiting and no answer came."""
    app = create_app(settings)
    before = samples((await metrics_client.get("/metrics")).text, "db_query_errors_total")
    async with app.state.engine.connect() as connection:
        with pytest.raises(DBAPIError):  # a failing session statement is not recorded
            await connection.execute(text("SET statement_timeout = 'never'"))
    async with app.state.engine.connect() as connection:
        await connection.execute(text("SET statement_timeout = 50"))
        with pytest.raises(OperationalError):
            await connection.execute(text("SELECT pg_sleep(1)"))
    async with app.state.engine.connect() as connection:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.2):  # around the statement alone, not the connecting
                await connection.execute(text("SELECT pg_sleep(1) FROM pg_class LIMIT 1"))
    await app.state.engine.dispose()
    after = samples((await metrics_client.get("/metrics")).text, "db_query_errors_total")
    labels = {"operation": "select"}
    assert value(after, **labels, table="unknown", error_type="57014") == (
        value(before, **labels, table="unknown", error_type="57014") + 1
    )
    assert value(after, **labels, table="pg_class", error_type="connection") == (
        value(before, **labels, table="pg_class", error_type="connection") + 1
    )
    assert sum(after.values()) == sum(before.values()) + 2

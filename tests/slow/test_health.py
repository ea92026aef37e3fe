"""Slow tier: every backend judges its external services alike (docs/contract.md, Probes).

Each backend boots with two external services named in its configuration, both real HTTP
servers started here: `storage-service` (reported only) and `billing` (required). Their /health
answers are switched between healthy, failing and hanging, and each backend's /health and
/ready must say the same. Mistakes in that configuration stop every backend at start with the
same line.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from tests.helpers import SERVICE_STACKS
from tests.slow.postgres import PostgresServer
from tests.slow.services import JWT_SECRET, RunningService, launch, stop_gracefully

pytestmark = pytest.mark.slow

HANGS = 0  # an upstream in this state never answers within a check's 2 seconds


class Upstream:
    """Another service's /health, answering the status it is set to."""

    def __init__(self) -> None:
        self.status = 200
        self.requests: list[str] = []
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                upstream.requests.append(self.path)
                if upstream.status == HANGS:
                    time.sleep(5)
                status = upstream.status or 200
                self.send_response(status if self.path == "/health" else 404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def storage() -> Iterator[Upstream]:
    upstream = Upstream()
    yield upstream
    upstream.close()


@pytest.fixture(scope="module")
def billing() -> Iterator[Upstream]:
    upstream = Upstream()
    yield upstream
    upstream.close()


@pytest.fixture(autouse=True)
def upstreams_healthy(storage: Upstream, billing: Upstream) -> None:
    storage.status = billing.status = 200


@pytest.fixture(scope="module", params=SERVICE_STACKS)
def service(
    request: pytest.FixtureRequest,
    postgres: PostgresServer,
    storage: Upstream,
    billing: Upstream,
) -> Iterator[RunningService]:
    storage.status = billing.status = 200  # the previous backend's last test may have left one down
    running = launch(
        request.param,
        request,
        postgres,
        f"health_{request.param}",
        env={
            "EXTERNAL_SERVICES": " storage-service, billing,,",
            "REQUIRED_EXTERNAL_SERVICES": "billing",
            "STORAGE_SERVICE_URL": storage.url,
            "BILLING_URL": f"{billing.url}/",  # a trailing slash is not doubled
        },
    )
    yield running
    stop_gracefully(running)


def health(service: RunningService) -> httpx.Response:
    return httpx.get(f"{service.base}/health", timeout=15)


def test_health_reports_each_named_service_with_its_state_and_whether_it_is_required(
    service: RunningService, storage: Upstream, billing: Upstream
) -> None:
    storage.requests.clear()
    response = health(service)
    assert response.status_code == 200, response.text
    external = response.json()["dependencies"]["external_services"]
    assert set(external) == {"storage-service", "billing"}
    assert external["storage-service"]["required"] is False
    assert external["billing"]["required"] is True
    for dependency in external.values():
        assert dependency["status"] == "healthy"
        assert 0 <= dependency["latency_ms"] < 2000
    assert storage.requests == ["/health"]


def test_a_service_down_that_is_not_required_is_reported_and_nothing_fails(
    service: RunningService, storage: Upstream
) -> None:
    storage.status = 503
    response = health(service)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "healthy"
    assert body["dependencies"]["external_services"]["storage-service"]["status"] == "unhealthy"
    assert httpx.get(f"{service.base}/ready", timeout=15).status_code == 200


def test_a_required_service_down_makes_health_and_ready_answer_503(
    service: RunningService, billing: Upstream
) -> None:
    billing.status = 500
    response = health(service)
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["dependencies"]["external_services"]["billing"]["status"] == "unhealthy"
    assert body["dependencies"]["database"]["status"] == "healthy"
    ready = httpx.get(f"{service.base}/ready", timeout=15)
    assert ready.status_code == 503, ready.text
    assert ready.json()["checks"]["external_dependencies"] is False
    assert ready.json()["checks"]["database"] is True
    assert httpx.get(f"{service.base}/live", timeout=15).status_code == 200


def test_a_service_that_never_answers_is_unhealthy_once_its_check_gives_up(
    service: RunningService, billing: Upstream
) -> None:
    billing.status = HANGS
    started = time.monotonic()
    response = health(service)
    elapsed = time.monotonic() - started
    assert response.status_code == 503, response.text
    assert elapsed < 4, f"/health took {elapsed:.1f} s"
    billing_state = response.json()["dependencies"]["external_services"]["billing"]
    assert billing_state["status"] == "unhealthy"
    assert 1900 <= billing_state["latency_ms"] < 4000


MISTAKES = {
    "not a name": (
        {"EXTERNAL_SERVICES": "Storage!"},
        "invalid configuration: EXTERNAL_SERVICES has 'Storage!', not a service name"
        " (lower-case letters, digits and hyphens)",
    ),
    "no URL": (
        {"EXTERNAL_SERVICES": "storage-service", "STORAGE_SERVICE_URL": ""},
        "invalid configuration: EXTERNAL_SERVICES names 'storage-service',"
        " so STORAGE_SERVICE_URL must be set",
    ),
    "not an http URL": (
        {"EXTERNAL_SERVICES": "storage-service", "STORAGE_SERVICE_URL": "storage-service:8089"},
        "invalid configuration: STORAGE_SERVICE_URL must be an http or https URL",
    ),
    "required but not listed": (
        {"EXTERNAL_SERVICES": "", "REQUIRED_EXTERNAL_SERVICES": "billing"},
        "invalid configuration: REQUIRED_EXTERNAL_SERVICES names 'billing',"
        " which EXTERNAL_SERVICES does not list",
    ),
}


@pytest.mark.parametrize("stack", SERVICE_STACKS)
def test_a_mistake_in_the_external_services_stops_the_start_with_one_line(
    stack: str, request: pytest.FixtureRequest, postgres: PostgresServer
) -> None:
    project = request.getfixturevalue(f"{stack}_service")
    server = project.server_command()
    base = {
        **os.environ,
        "DATABASE_URL": postgres.url(),
        "JWT_SECRET": JWT_SECRET,
        "NODE_ENV": "production",
        "STORAGE_SERVICE_URL": "http://storage-service:8089",
    }
    for case, (env, message) in MISTAKES.items():
        result = subprocess.run(
            server,
            cwd=project.root,
            env={**base, **env},
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 2, (case, result.stdout + result.stderr)
        assert message in result.stderr, (case, result.stderr)

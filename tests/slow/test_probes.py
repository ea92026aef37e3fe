"""Slow tier: every generated service boots against real PostgreSQL and answers its probes
(Visiobook guidelines 5): /health, /ready (503 while the database is down), /metrics,
correlation ids, and 401 on its protected routes."""

from __future__ import annotations

import base64
import json
import os
import shlex
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.helpers import SERVICE_STACKS
from tests.slow.conftest import RESOURCE
from tests.slow.postgres import PostgresServer, wait_until
from tests.slow.project import ServiceProject, told_command
from tests.slow.services import (
    JWT_SECRET,
    RunningService,
    access_token,
    launch,
    migrated,
    stop_gracefully,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=SERVICE_STACKS)
def running_service(
    request: pytest.FixtureRequest, postgres: PostgresServer
) -> Iterator[RunningService]:
    service = launch(request.param, request, postgres, f"boot_{request.param}")
    yield service
    stop_gracefully(service)


@pytest.mark.parametrize("stack", SERVICE_STACKS)
def test_the_run_command_developers_are_told_serves_the_api_until_ctrl_c(
    stack: str, request: pytest.FixtureRequest, postgres: PostgresServer
) -> None:
    """The stack facts' `run` (what the service's README and `visiobook new` print), typed in
    a shell, builds what it needs and answers /health; Ctrl-C (SIGINT to the terminal's
    process group) stops every process it started."""
    project: ServiceProject = request.getfixturevalue(f"{stack}_service")
    environment = migrated(project, postgres, f"told_{stack}")
    log = project.root / f"told-run-{stack}.log"
    with log.open("w") as output:
        shell = subprocess.Popen(
            ["bash", "-c", told_command(stack, "run")],
            cwd=project.root,
            env=project.told_env(environment),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a process group of its own, as in a terminal
        )

    def answers() -> bool:
        try:
            url = f"http://127.0.0.1:{environment['PORT']}/health"
            return httpx.get(url, timeout=1).status_code == 200
        except httpx.TransportError:
            return shell.poll() is not None

    try:
        # `go run` and `npm run build` compile first.
        wait_until(answers, 180, f"`{told_command(stack, 'run')}` to answer /health")
        assert shell.poll() is None, log.read_text()[-4000:]
    finally:
        os.killpg(shell.pid, signal.SIGINT)
        shell.wait(timeout=30)

    def group_gone() -> bool:
        try:
            os.killpg(shell.pid, 0)
        except ProcessLookupError:
            return True
        return False

    try:
        wait_until(group_gone, 30, "every process of the run command to stop on Ctrl-C")
    finally:
        if not group_gone():
            os.killpg(shell.pid, signal.SIGKILL)


def test_booted_service_reports_healthy(running_service: RunningService) -> None:
    response = httpx.get(f"{running_service.base}/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    assert body["service"] == "media-service"
    assert {"timestamp", "version", "uptime", "dependencies"} <= set(body)
    database = body["dependencies"]["database"]
    assert database["status"] == "healthy"
    assert database["required"] is True
    assert 0 <= database["latency_ms"] < 2000
    assert body["dependencies"]["external_services"] == {}


def test_booted_service_is_alive(running_service: RunningService) -> None:
    response = httpx.get(f"{running_service.base}/live")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}


def test_booted_service_is_ready_with_its_migrated_database(
    running_service: RunningService,
) -> None:
    response = httpx.get(f"{running_service.base}/ready")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database_migrations"] is True


@pytest.mark.parametrize(
    "host",
    [
        "10.1.2.3:{port}",  # kubelet probes the pod by its IP
        "media-service.default.svc.cluster.local",  # another service, through the Service
        "api.visiobook.com",  # the ingress, with the public host
    ],
)
def test_probes_answer_whatever_host_kubelet_a_service_or_the_ingress_sends(
    running_service: RunningService, host: str
) -> None:
    header = host.format(port=running_service.base.rsplit(":", 1)[1])
    for path in ("/live", "/health", "/ready"):
        response = httpx.get(f"{running_service.base}{path}", headers={"Host": header})
        assert response.status_code == 200, (path, header, response.text)


def test_metrics_parse_as_prometheus_exposition(running_service: RunningService) -> None:
    httpx.get(f"{running_service.base}/health")
    response = httpx.get(f"{running_service.metrics}/metrics")
    assert response.status_code == 200
    families = {family.name: family for family in text_string_to_metric_families(response.text)}
    # prometheus_client's parser drops the _total suffix from counter family names.
    for name in (
        "http_request_duration_seconds",
        "http_requests",
        "http_request_errors",
        "business_operations",
        "business_operation_duration_seconds",
    ):
        assert name in families, sorted(families)
    routes = {sample.labels.get("route") for sample in families["http_requests"].samples}
    assert "/health" in routes


def test_metrics_are_served_only_apart_from_the_api(running_service: RunningService) -> None:
    """PROMETHEUS_PORT serves /metrics alone; the API port answers /metrics like any unknown
    path, so an ingress to the API never exposes them (guidelines 5.3, 6.2)."""
    on_api = httpx.get(f"{running_service.base}/metrics")
    assert on_api.status_code == 404
    assert on_api.json()["error"]["code"] == "NOT_FOUND"
    assert httpx.get(f"{running_service.metrics}/health").status_code == 404


def test_correlation_id_is_echoed_and_logged(running_service: RunningService) -> None:
    correlation_id = f"slow-tier-{uuid.uuid4()}"
    response = httpx.get(
        f"{running_service.base}/health", headers={"x-correlation-id": correlation_id}
    )
    assert response.headers["x-correlation-id"] == correlation_id
    generated = httpx.get(f"{running_service.base}/health").headers["x-correlation-id"]
    assert generated
    assert generated != correlation_id

    def logged() -> bool:
        return correlation_id in running_service.log.read_text()

    wait_until(logged, 5, "the request log line")
    lines = [
        json.loads(line)
        for line in running_service.log.read_text().splitlines()
        if correlation_id in line
    ]
    assert all(line["correlationId"] == correlation_id for line in lines)


def test_every_log_line_is_plain_json(running_service: RunningService) -> None:
    """Log lines are for a collector, not a terminal: no ANSI colour escapes anywhere and no
    uvicorn `color_message` copy of the message, from start-up through a request."""
    httpx.get(f"{running_service.base}/api/v1/{RESOURCE}")  # a 401, logged as a warning
    text = running_service.log.read_text()
    assert "\x1b" not in text, text[-2000:]
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert lines
    assert all(isinstance(line, dict) and "color_message" not in line for line in lines), lines
    assert any("Uvicorn running" in str(line.get("message")) for line in lines) == (
        running_service.stack == "fastapi"
    )


def test_resource_routes_need_a_token(running_service: RunningService) -> None:
    response = httpx.get(f"{running_service.base}/api/v1/{RESOURCE}")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["correlation_id"] == response.headers["x-correlation-id"]
    assert {"code", "message", "timestamp"} <= set(error)


def dev_token(service: RunningService, request: pytest.FixtureRequest, *options: str) -> str:
    """The README's development token command (copier.yml's `commands.dev_token`) run as a user
    would: from the service's folder, JWT_SECRET in its .env and not in the environment."""
    command = f"{told_command(service.stack, 'dev_token')} {shlex.join(options)}"
    project: ServiceProject = request.getfixturevalue(f"{service.stack}_service")
    environment = {
        key: value
        for key, value in project.told_env().items()
        if key not in {"JWT_SECRET", "DATABASE_URL"}
    }
    dot_env = service.root / ".env"
    dot_env.write_text(f"DATABASE_URL=postgresql://unused/none\nJWT_SECRET={JWT_SECRET}\n")
    try:
        result = subprocess.run(
            ["bash", "-c", command],
            cwd=service.root,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        dot_env.unlink()
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1, result.stdout
    return result.stdout.strip()


def test_a_development_token_from_the_service_folder_opens_the_api(
    running_service: RunningService, request: pytest.FixtureRequest
) -> None:
    token = dev_token(running_service, request, "--sub", "slow-dev", "--expires", "10m")
    headers = {"Authorization": f"Bearer {token}"}
    collection = f"{running_service.base}/api/v1/{RESOURCE}"
    created = httpx.post(collection, json={"name": f"dev token {uuid.uuid4()}"}, headers=headers)
    assert created.status_code == 201, created.text
    listed = httpx.get(collection, headers=headers, params={"limit": 100})
    assert listed.status_code == 200, listed.text
    assert created.json()["id"] in {item["id"] for item in listed.json()["data"]}
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["sub"] == "slow-dev"
    assert claims["exp"] - claims["iat"] == 600


def test_health_and_ready_turn_503_while_the_database_is_down_and_liveness_holds(
    running_service: RunningService, postgres: PostgresServer
) -> None:
    postgres.stop()
    try:
        for path in ("/ready", "/health"):
            started = time.monotonic()
            response = httpx.get(f"{running_service.base}{path}", timeout=15)
            assert response.status_code == 503, (path, response.text)
            assert time.monotonic() - started < 10, path
        assert response.json()["status"] == "unhealthy"
        assert response.json()["dependencies"]["database"]["status"] == "unhealthy"
        assert httpx.get(f"{running_service.base}/live").status_code == 200
    finally:
        postgres.start()
    for path in ("/ready", "/health"):
        wait_until(
            lambda path=path: (
                httpx.get(f"{running_service.base}{path}", timeout=15).status_code == 200
            ),
            30,
            f"{path} to recover after the database came back",
        )


def count(postgres: PostgresServer, database: str, query: str) -> int:
    return int(postgres.psql(database, "-c", query).strip())


@pytest.mark.parametrize("stack", SERVICE_STACKS)
def test_sigterm_lets_an_in_flight_request_finish(
    stack: str, request: pytest.FixtureRequest, postgres: PostgresServer
) -> None:
    """A request still waiting on the database when SIGTERM arrives gets its full answer. The
    wait is real: another session holds a lock on the resource's table for a few seconds."""
    database = f"drain_{stack}"
    service = launch(stack, request, postgres, database)
    table = RESOURCE.replace("-", "_")
    lock = f"BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(4); COMMIT;"
    holder = subprocess.Popen(
        [*postgres.psql_command(database), "-c", lock],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    locked = (
        "SELECT count(*) FROM pg_locks JOIN pg_database ON pg_database.oid = pg_locks.database"
        " WHERE mode = 'AccessExclusiveLock' AND granted AND datname = current_database()"
    )
    waiting = (
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    answers: list[httpx.Response] = []

    def call() -> None:
        headers = {"Authorization": f"Bearer {access_token()}"}
        answers.append(httpx.get(f"{service.base}/api/v1/{RESOURCE}", headers=headers, timeout=30))

    try:
        wait_until(lambda: count(postgres, database, locked) > 0, 10, "the table lock")
        caller = threading.Thread(target=call)
        caller.start()
        wait_until(lambda: count(postgres, database, waiting) > 0, 10, "the request to block")
        service.process.send_signal(signal.SIGTERM)
        caller.join(timeout=30)
        assert answers, "the in-flight request got no answer"
        assert answers[0].status_code == 200, answers[0].text
        assert answers[0].json()["pagination"]["total"] == 0
        code = service.process.wait(timeout=15)
        assert code in (0, -signal.SIGTERM), service.log.read_text()[-2000:]
    finally:
        holder.wait(timeout=30)
        if service.process.poll() is None:
            service.process.kill()

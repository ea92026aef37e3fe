"""Slow tier: a generated FastAPI service passes its own checks against real PostgreSQL, boots,
and answers its probes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.slow.postgres import PostgresServer, free_port, wait_until
from tests.slow.project import PythonProject, generate

pytestmark = pytest.mark.slow

RESOURCE = "media-assets"
JWT_SECRET = "slow-tier-secret-with-more-than-32-characters"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> PythonProject:
    root = generate(
        tmp_path_factory.mktemp("gen") / "media-service",
        "--stack",
        "fastapi",
        "--name",
        "media-service",
        "--data",
        f"resource={RESOURCE}",
    )
    project = PythonProject(root)
    project.install()
    return project


def test_generated_service_passes_ruff_lint_and_format(service: PythonProject) -> None:
    lint = service.tool("ruff", "check", ".")
    assert lint.code == 0, lint.output
    fmt = service.tool("ruff", "format", "--check", ".")
    assert fmt.code == 0, fmt.output


def test_generated_service_passes_strict_mypy(service: PythonProject) -> None:
    result = service.tool("mypy")
    assert result.code == 0, result.output
    assert "Success: no issues found" in result.output


def test_generated_service_passes_its_tests_with_coverage_against_postgres(
    service: PythonProject, postgres: PostgresServer, tmp_path: Path
) -> None:
    database_url = postgres.create_database("own_tests")
    report, junit = tmp_path / "coverage.json", tmp_path / "junit.xml"
    result = service.tool(
        "pytest",
        f"--cov-report=json:{report}",
        f"--junitxml={junit}",
        env={"DATABASE_URL": database_url},
    )
    assert result.code == 0, result.output[-4000:]

    suites = ET.parse(junit).getroot()
    cases = suites.iter("testcase")
    by_folder: dict[str, int] = {}
    for case in cases:
        assert case.find("skipped") is None, f"skipped: {case.get('name')}"
        folder = case.get("classname", "").split(".")[1]
        by_folder[folder] = by_folder.get(folder, 0) + 1
    assert {"unit", "integration", "contract"} <= set(by_folder), by_folder

    coverage = json.loads(report.read_text())["totals"]["percent_covered"]
    assert coverage >= 80, f"coverage {coverage:.1f}% < 80%"


@pytest.fixture(scope="module")
def running_service(service: PythonProject, postgres: PostgresServer) -> Iterator[dict[str, str]]:
    database_url = postgres.create_database("boot")
    env = {
        "DATABASE_URL": database_url,
        "JWT_SECRET": JWT_SECRET,
        "PORT": str(free_port()),
        "NODE_ENV": "production",
        "SERVICE_NAME": "media-service",
    }
    migrate = service.tool("alembic", "upgrade", "head", env=env)
    assert migrate.code == 0, migrate.output
    log_path = service.root / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(service.bin / "python"), "-m", "app"],
            cwd=service.root,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{env['PORT']}"

    def answers() -> bool:
        try:
            return httpx.get(f"{base}/health", timeout=1).status_code == 200
        except httpx.TransportError:
            return process.poll() is not None  # stop waiting if it died

    wait_until(answers, 30, "the service to answer /health")
    assert process.poll() is None, log_path.read_text()
    yield {"base": base, "log": str(log_path)}
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=15)


def test_booted_service_reports_healthy(running_service: dict[str, str]) -> None:
    response = httpx.get(f"{running_service['base']}/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    assert body["service"] == "media-service"
    assert {"timestamp", "version", "uptime", "dependencies"} <= set(body)


def test_booted_service_is_ready_with_its_database(running_service: dict[str, str]) -> None:
    response = httpx.get(f"{running_service['base']}/ready")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database_migrations"] is True


def test_metrics_parse_as_prometheus_exposition(running_service: dict[str, str]) -> None:
    httpx.get(f"{running_service['base']}/health")
    response = httpx.get(f"{running_service['base']}/metrics")
    assert response.status_code == 200
    families = {family.name: family for family in text_string_to_metric_families(response.text)}
    # prometheus_client's parser drops the _total suffix from counter family names.
    for name in ("http_request_duration_seconds", "http_requests", "http_request_errors"):
        assert name in families, sorted(families)
    routes = {sample.labels.get("route") for sample in families["http_requests"].samples}
    assert "/health" in routes


def test_correlation_id_is_echoed_and_logged(running_service: dict[str, str]) -> None:
    correlation_id = f"slow-tier-{uuid.uuid4()}"
    response = httpx.get(
        f"{running_service['base']}/health", headers={"x-correlation-id": correlation_id}
    )
    assert response.headers["x-correlation-id"] == correlation_id
    generated = httpx.get(f"{running_service['base']}/health").headers["x-correlation-id"]
    assert generated
    assert generated != correlation_id

    def logged() -> bool:
        return correlation_id in Path(running_service["log"]).read_text()

    wait_until(logged, 5, "the request log line")
    lines = [
        json.loads(line)
        for line in Path(running_service["log"]).read_text().splitlines()
        if correlation_id in line
    ]
    assert all(line["correlation_id"] == correlation_id for line in lines)


def test_resource_routes_need_a_token(running_service: dict[str, str]) -> None:
    response = httpx.get(f"{running_service['base']}/api/v1/{RESOURCE}")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["correlation_id"] == response.headers["x-correlation-id"]
    assert {"code", "message", "timestamp"} <= set(error)


def test_ready_turns_503_while_the_database_is_down(
    running_service: dict[str, str], postgres: PostgresServer
) -> None:
    postgres.stop()
    try:
        started = time.monotonic()
        response = httpx.get(f"{running_service['base']}/ready", timeout=15)
        assert response.status_code == 503, response.text
        assert response.json()["status"] == "not_ready"
        assert time.monotonic() - started < 10
        assert httpx.get(f"{running_service['base']}/health").status_code == 200
    finally:
        postgres.start()
    wait_until(
        lambda: httpx.get(f"{running_service['base']}/ready", timeout=15).status_code == 200,
        30,
        "/ready to recover after the database came back",
    )

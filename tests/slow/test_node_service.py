"""Slow tier: a generated Node service passes its own lint, type check and tests (Jest: unit,
integration, and the contract tier against api/openapi.json, on real PostgreSQL, coverage gate
80%) and builds; so does the one generated with `cache: redis`, its tests also against a real
Redis. Booting and probes: test_probes.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.slow.postgres import PostgresServer
from tests.slow.prisma import migrate_deploy
from tests.slow.project import NodeProject, generate
from tests.slow.redis import RedisServer

pytestmark = pytest.mark.slow


def test_generated_service_passes_eslint_and_prettier(node_service: NodeProject) -> None:
    result = node_service.told("lint")
    assert result.code == 0, result.output[-4000:]


def test_generated_service_passes_strict_type_check(node_service: NodeProject) -> None:
    result = node_service.told("type_check")
    assert result.code == 0, result.output[-4000:]


def test_generated_service_passes_its_tests_with_coverage_against_postgres(
    node_service: NodeProject, postgres: PostgresServer, tmp_path: Path
) -> None:
    database_url = migrated_database(postgres, "node_own_tests", node_service)
    passes_its_tests_with_coverage(node_service, tmp_path, {"DATABASE_URL": database_url})


def test_cached_service_passes_eslint_and_prettier(node_cached_service: NodeProject) -> None:
    result = node_cached_service.told("lint")
    assert result.code == 0, result.output[-4000:]


def test_cached_service_passes_strict_type_check(node_cached_service: NodeProject) -> None:
    result = node_cached_service.told("type_check")
    assert result.code == 0, result.output[-4000:]


def test_cached_service_passes_its_tests_with_coverage_against_postgres_and_redis(
    node_cached_service: NodeProject, postgres: PostgresServer, redis: RedisServer, tmp_path: Path
) -> None:
    database_url = migrated_database(postgres, "node_cached_own_tests", node_cached_service)
    # Database 1 of the private server: test_cache.py's services use database 0.
    redis_url = f"redis://127.0.0.1:{redis.port}/1"
    env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url}
    passes_its_tests_with_coverage(node_cached_service, tmp_path, env)
    suites = {Path(suite).name for suite in jest_suites(tmp_path)}
    assert "cache.test.ts" in suites, suites


def test_cached_service_integration_tests_fail_without_redis_url(
    node_cached_service: NodeProject, postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never skipped: without REDIS_URL, the cache's tests fail and say what is missing."""
    database_url = migrated_database(postgres, "node_cached_no_redis", node_cached_service)
    monkeypatch.delenv("REDIS_URL", raising=False)  # the harness passes its environment on
    env = {"DATABASE_URL": database_url}
    result = node_cached_service.npm("test", "--", "tests/integration/cache.test.ts", env=env)
    assert result.code != 0, result.output[-4000:]
    assert "REDIS_URL is not set" in result.output, result.output[-4000:]


def migrated_database(postgres: PostgresServer, database: str, service: NodeProject) -> str:
    """The URL of a new database with every migration of `service` applied."""
    database_url = postgres.create_database(database)
    migrate_deploy(postgres, database, service.root)
    return database_url


def jest_suites(report_folder: Path) -> list[str]:
    outcome = json.loads((report_folder / "jest.json").read_text())
    return [suite["name"] for suite in outcome["testResults"]]


def passes_its_tests_with_coverage(
    service: NodeProject, report_folder: Path, env: dict[str, str]
) -> None:
    """Every unit, integration and contract test passes, none skipped, coverage at least 80%."""
    report = report_folder / "jest.json"
    result = service.npm("run", "test:coverage", "--", "--json", f"--outputFile={report}", env=env)
    assert result.code == 0, result.output[-4000:]

    outcome = json.loads(report.read_text())
    assert outcome["numPendingTests"] == 0, "skipped tests"
    assert outcome["numTodoTests"] == 0, "todo tests"
    folders = {
        Path(suite["name"]).relative_to(service.root).parts[1] for suite in outcome["testResults"]
    }
    assert {"unit", "integration", "contract"} <= folders, folders

    summary = json.loads((service.root / "coverage/coverage-summary.json").read_text())
    for metric in ("lines", "statements", "functions", "branches"):
        covered = summary["total"][metric]["pct"]
        assert covered >= 80, f"{metric} coverage {covered}% < 80%"


def test_generated_service_builds_to_javascript(node_service: NodeProject) -> None:
    result = node_service.npm("run", "build")
    assert result.code == 0, result.output[-4000:]
    assert (node_service.root / "dist/server.js").is_file()
    assert (node_service.root / "dist/app.js").is_file()


@pytest.mark.parametrize("resource", ["data", "people", "abcdefghij-klmnopqrstuvs"])
def test_generated_code_is_lint_clean_and_typed_for_any_resource_name(
    node_service: NodeProject, tmp_path: Path, resource: str
) -> None:
    """Names reach identifiers and strings; even the longest allowed (24) fits Prettier's width."""
    root = generate(
        tmp_path / "svc", "--stack", "node", "--name", "svc", "--data", f"resource={resource}"
    )
    # Same lock file, so the installed tree of the main fixture serves as this one's.
    (root / "node_modules").symlink_to(node_service.root / "node_modules")
    project = NodeProject(root)
    generated = project.npm("exec", "--", "prisma", "generate")
    assert generated.code == 0, generated.output
    lint = project.npm("run", "lint")
    assert lint.code == 0, lint.output[-4000:]
    types = project.npm("run", "type-check")
    assert types.code == 0, types.output[-4000:]

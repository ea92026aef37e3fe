"""Slow tier: a generated FastAPI service passes its own lint, type check and tests (against
real PostgreSQL). Booting and probes: test_probes.py."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.slow.postgres import PostgresServer
from tests.slow.project import PythonProject, generate
from tests.slow.redis import RedisServer

pytestmark = pytest.mark.slow


def test_generated_service_passes_ruff_lint_and_format(fastapi_service: PythonProject) -> None:
    lint = fastapi_service.told("lint")  # ruff check, then ruff format --check
    assert lint.code == 0, lint.output
    assert "All checks passed!" in lint.output
    assert "already formatted" in lint.output


def test_generated_service_passes_strict_mypy(fastapi_service: PythonProject) -> None:
    result = fastapi_service.told("type_check")
    assert result.code == 0, result.output
    assert "Success: no issues found" in result.output


@pytest.mark.parametrize("cache", ["none", "redis"])
@pytest.mark.parametrize("resource", ["data", "people", "abcdefghij-klmnopqrstuvs"])
def test_generated_code_is_formatted_lint_clean_and_typed_for_any_resource_name(
    request: pytest.FixtureRequest, tmp_path: Path, resource: str, cache: str
) -> None:
    """Names reach identifiers, strings and docstrings; even the longest allowed (24 characters)
    leaves code that `ruff format` would not change, so the team's first CI run passes."""
    installed: PythonProject = request.getfixturevalue(
        "fastapi_cached_service" if cache == "redis" else "fastapi_service"
    )
    root = generate(
        tmp_path / "svc", "--stack", "fastapi", "--name", "svc",
        "--data", f"resource={resource}", "--data", f"cache={cache}",
    )  # fmt: skip
    # Same requirements, so the installed virtualenv of the fixture serves as this one's.
    project = PythonProject(root)
    project.bin.parent.symlink_to(installed.bin.parent)
    lint = project.told("lint")
    assert lint.code == 0, lint.output[-4000:]
    types = project.told("type_check")
    assert types.code == 0, types.output[-4000:]


def test_generated_service_passes_its_tests_with_coverage_against_postgres(
    fastapi_service: PythonProject, postgres: PostgresServer, tmp_path: Path
) -> None:
    database_url = postgres.create_database("own_tests")
    passes_its_tests(fastapi_service, {"DATABASE_URL": database_url}, tmp_path)


def test_cached_service_passes_ruff_lint_and_format(fastapi_cached_service: PythonProject) -> None:
    lint = fastapi_cached_service.told("lint")
    assert lint.code == 0, lint.output


def test_cached_service_passes_strict_mypy(fastapi_cached_service: PythonProject) -> None:
    result = fastapi_cached_service.told("type_check")
    assert result.code == 0, result.output
    assert "Success: no issues found" in result.output


def test_cached_service_passes_its_tests_with_coverage_against_postgres_and_redis(
    fastapi_cached_service: PythonProject,
    postgres: PostgresServer,
    redis: RedisServer,
    tmp_path: Path,
) -> None:
    """`cache: redis`: its integration tests use the slow tier's private Redis server."""
    if not redis.is_accepting():
        redis.start()  # a test of test_cache.py may have stopped it
    environment = {
        "DATABASE_URL": postgres.create_database("own_tests_cached"),
        "REDIS_URL": redis.url,
    }
    modules = passes_its_tests(fastapi_cached_service, environment, tmp_path)
    assert {"tests.unit.test_cache", "tests.integration.test_media_assets_cache"} <= modules


def passes_its_tests(service: PythonProject, env: dict[str, str], tmp_path: Path) -> set[str]:
    """Its pytest run passes, skips nothing, has every tier and covers at least 80% of app/;
    the test modules that ran."""
    report, junit = tmp_path / "coverage.json", tmp_path / "junit.xml"
    result = service.tool("pytest", f"--cov-report=json:{report}", f"--junitxml={junit}", env=env)
    assert result.code == 0, result.output[-4000:]

    suites = ET.parse(junit).getroot()
    cases = suites.iter("testcase")
    by_folder: dict[str, int] = {}
    modules = set()
    for case in cases:
        assert case.find("skipped") is None, f"skipped: {case.get('name')}"
        folder = case.get("classname", "").split(".")[1]
        by_folder[folder] = by_folder.get(folder, 0) + 1
        modules.add(case.get("classname", ""))
    assert {"unit", "integration", "contract"} <= set(by_folder), by_folder

    coverage = json.loads(report.read_text())["totals"]["percent_covered"]
    assert coverage >= 80, f"coverage {coverage:.1f}% < 80%"
    return modules

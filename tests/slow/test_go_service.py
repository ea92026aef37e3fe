"""Slow tier: a generated Go service resolves its modules, passes gofmt, go vet and staticcheck,
and its own race-enabled tests (integration and contract ones against real PostgreSQL) with
coverage >= 80%.
Booting and probes: test_probes.py."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.slow.postgres import PostgresServer, free_port, wait_until
from tests.slow.project import GoProject, generate
from tests.slow.services import JWT_SECRET

pytestmark = pytest.mark.slow


def test_go_mod_and_go_sum_are_tidy(go_service: GoProject) -> None:
    result = go_service.go("mod", "tidy", "-diff")
    assert result.code == 0, result.output[-4000:]


def test_generated_service_builds(go_service: GoProject) -> None:
    result = go_service.go("build", "./...")
    assert result.code == 0, result.output[-4000:]


def test_generated_service_passes_gofmt_and_staticcheck(go_service: GoProject) -> None:
    # The service's own lint command: gofmt -l must list nothing, then staticcheck.
    result = go_service.told("lint")
    assert result.code == 0, result.output[-4000:]
    assert "go tool staticcheck ./..." in result.output


def test_generated_service_passes_go_vet(go_service: GoProject) -> None:
    result = go_service.told("type_check")
    assert result.code == 0, result.output[-4000:]


def test_generated_service_passes_its_race_tests_with_coverage_against_postgres(
    go_service: GoProject, postgres: PostgresServer
) -> None:
    env = {"DATABASE_URL": postgres.create_database("go_own_tests")}
    assert_race_tests_pass_with_coverage(go_service, env, set())


def assert_race_tests_pass_with_coverage(
    project: GoProject, env: dict[str, str], more_integration_tests: set[str]
) -> None:
    """`make test` passes with coverage >= 80%, and every test ran (none skipped): the
    integration ones, `more_integration_tests` among them, and the contract ones."""
    result = project.told("test", env=env)
    assert result.code == 0, result.output[-4000:]
    assert "-race" in result.output
    covered = re.search(r"^coverage ([\d.]+)% \(minimum 80%\)$", result.output, re.M)
    assert covered is not None, result.output[-2000:]
    assert float(covered.group(1)) >= 80

    events = project.go("test", "-json", "-count=1", "./...", env=env)
    assert events.code == 0, events.output[-4000:]
    lines = [json.loads(line) for line in events.output.splitlines() if line.startswith("{")]
    outcomes = [
        line for line in lines if line.get("Test") and line["Action"] in {"pass", "fail", "skip"}
    ]
    assert not [line["Test"] for line in outcomes if line["Action"] != "pass"]
    integration = {
        line["Test"] for line in outcomes if line["Package"].endswith("/tests/integration")
    }
    expected = {"TestLifecycleOfAMediaAsset", "TestMediaAssetListPaginatesWithTotalPages"}
    assert expected | more_integration_tests <= integration
    # The contract tier: real answers validated against api/openapi.json.
    contract = {line["Test"] for line in outcomes if line["Package"].endswith("/tests/contract")}
    assert {
        "TestTheResourceLifecycleKeepsTheContract",
        "TestEveryErrorOfTheTableKeepsTheContract",
    } <= contract


def test_the_redis_variant_is_tidy_and_builds(go_cached_service: GoProject) -> None:
    tidy = go_cached_service.go("mod", "tidy", "-diff")
    assert tidy.code == 0, tidy.output[-4000:]
    verify = go_cached_service.go("mod", "verify")
    assert verify.code == 0, verify.output[-4000:]
    build = go_cached_service.go("build", "./...")
    assert build.code == 0, build.output[-4000:]


def test_the_redis_variant_passes_gofmt_staticcheck_and_go_vet(
    go_cached_service: GoProject,
) -> None:
    lint = go_cached_service.make("lint")
    assert lint.code == 0, lint.output[-4000:]
    assert "go tool staticcheck ./..." in lint.output
    vet = go_cached_service.go("vet", "./...")
    assert vet.code == 0, vet.output[-4000:]


def test_the_redis_variant_s_integration_tests_fail_without_redis_url(
    go_cached_service: GoProject, postgres: PostgresServer
) -> None:
    """Nothing is skipped silently: without REDIS_URL the integration run fails and says why."""
    env = {"DATABASE_URL": postgres.create_database("go_cached_no_redis"), "REDIS_URL": ""}
    result = go_cached_service.go("test", "-count=1", "./tests/integration/", env=env)
    assert result.code != 0, result.output[-4000:]
    assert "REDIS_URL must name a Redis server for these tests" in result.output


@pytest.mark.parametrize("resource", ["data", "people", "abcdefghij-klmnopqrstuvs"])
def test_generated_code_is_lint_clean_for_any_resource_name_on_both_go_releases(
    go_service: GoProject, tmp_path: Path, resource: str
) -> None:
    """Names reach identifiers, files and SQL, and gofmt's alignment must not depend on them.
    These services choose the other supported Go release, so both releases build the code.
    (`go_service` has filled the module cache they build from.)"""
    other_release = "language_version=1.26"
    root = generate(
        tmp_path / "svc",
        *("--stack", "go", "--name", "svc", "--data", f"resource={resource}"),
        *("--data", other_release),
    )
    project = GoProject(root)
    lint = project.make("lint")
    assert lint.code == 0, lint.output[-4000:]
    vet = project.go("vet", "./...")
    assert vet.code == 0, vet.output[-4000:]
    unit = project.go("test", "-short", "./...")
    assert unit.code == 0, unit.output[-4000:]


def test_the_service_reads_dot_env_from_its_folder_as_its_readme_says(
    go_service: GoProject, postgres: PostgresServer
) -> None:
    """`cp .env.example .env`, set DATABASE_URL, then migrate and run, with no variable exported:
    the binary reads .env from its working directory (the environment would win over it)."""
    server = go_service.server_command()  # make build: bin/server
    port, metrics_port = free_port(), free_port()
    example = (go_service.root / ".env.example").read_text()
    dot_env = go_service.root / ".env"
    dot_env.write_text(
        re.sub(r"^(DATABASE_URL|PROMETHEUS_PORT)=.*$", "", example, flags=re.M)
        + f"\nDATABASE_URL={postgres.create_database('go_dot_env')}\n"
        + f"JWT_SECRET={JWT_SECRET}\nPORT={port}\nPROMETHEUS_PORT={metrics_port}\n"
    )
    settings = {line.split("=", 1)[0] for line in example.splitlines() if "=" in line}
    env = {name: value for name, value in os.environ.items() if name not in settings}
    try:
        migrate = subprocess.run(
            [*server, "migrate"], cwd=go_service.root, env=env, capture_output=True, text=True
        )
        assert migrate.returncode == 0, migrate.stdout + migrate.stderr
        process = subprocess.Popen(
            server, cwd=go_service.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        try:

            def answers() -> bool:
                try:
                    return httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).is_success
                except httpx.TransportError:
                    return process.poll() is not None

            wait_until(answers, 30, "the service started with .env to answer /health")
            assert process.poll() is None, process.communicate()[0].decode()
            metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5)
            assert metrics.status_code == 200
        finally:
            process.send_signal(signal.SIGTERM)
            output = process.communicate(timeout=15)[0].decode()
        assert process.returncode == 0, output
    finally:
        dot_env.unlink()


def test_the_service_does_not_start_without_both_of_its_ports(
    go_service: GoProject, postgres: PostgresServer
) -> None:
    """PROMETHEUS_PORT equal to PORT is a configuration error (exit 2); a port another process
    holds, the API's or the metrics', stops the start at once with its name (exit 1)."""
    server = go_service.server_command()
    environment = {
        **os.environ,
        "DATABASE_URL": postgres.create_database("go_ports"),
        "JWT_SECRET": JWT_SECRET,
        "NODE_ENV": "production",
    }
    port = free_port()
    same = subprocess.run(
        server,
        cwd=go_service.root,
        env={**environment, "PORT": str(port), "PROMETHEUS_PORT": str(port)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert same.returncode == 2, same.stdout + same.stderr
    assert "invalid configuration: PROMETHEUS_PORT must differ from PORT" in same.stderr

    for name in ("PORT", "PROMETHEUS_PORT"):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            ports = {"PORT": str(free_port()), "PROMETHEUS_PORT": str(free_port())}
            ports[name] = str(taken.getsockname()[1])
            busy = subprocess.run(
                server,
                cwd=go_service.root,
                env={**environment, **ports},
                capture_output=True,
                text=True,
                timeout=30,
            )
        output = busy.stdout + busy.stderr
        assert busy.returncode == 1, output
        assert f"cannot listen on {name} {ports[name]}" in output, output
        assert "address already in use" in output, output

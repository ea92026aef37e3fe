"""The generated CI/CD workflow runs on GitHub's runners today, and deploys what it should.

Every action a workflow uses is on the release tests/data/current_action_majors.toml keeps (the
one that runs on the hosted runners' Node); the deploy jobs install the Helm and kubectl that
copier.yml pins; production's smoke test passes only on the service's own answer.
"""

from __future__ import annotations

import http.server
import os
import subprocess
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.version import Version

from tests.helpers import (
    AVAILABLE_STACKS,
    BASE_ANSWERS,
    REPO_ROOT,
    SERVICE_STACKS,
    run_workflow_step,
)

CURRENT = tomllib.loads((REPO_ROOT / "tests/data/current_action_majors.toml").read_text())[
    "actions"
]
COPIER = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())
PLATFORM_TOOLS = COPIER["platform_tools"]["default"]
RESOURCE = "media-assets"


def workflow_of(copie: Any, stack: str) -> dict[str, Any]:
    answers = {**BASE_ANSWERS, "stack": stack, "resource": RESOURCE}
    result = copie.copy(extra_answers=answers)
    assert result.exception is None, result.exception
    text = (Path(result.project_dir) / ".github/workflows/ci-cd.yml").read_text()
    workflow: dict[str, Any] = yaml.safe_load(text)
    return workflow


def steps_of(workflow: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for job in workflow["jobs"].values():
        yield from job["steps"]


def actions_of(workflow: dict[str, Any]) -> list[tuple[str, str]]:
    """Every (action, ref) the workflow's steps use."""
    uses = [step["uses"] for step in steps_of(workflow) if "uses" in step]
    return [(spec.split("@")[0], spec.split("@")[1]) for spec in uses]


def release(ref: str) -> Version:
    # `v7` is the newest v7.x.y; `0.36.0` is that release.
    return Version(ref.removeprefix("v"))


@pytest.fixture(scope="module")
def workflows(request: pytest.FixtureRequest) -> dict[str, dict[str, Any]]:
    copie = request.getfixturevalue("copie_session")
    return {stack: workflow_of(copie, stack) for stack in AVAILABLE_STACKS}


@pytest.mark.parametrize("stack", AVAILABLE_STACKS)
def test_every_action_is_listed_and_on_its_current_release(
    workflows: dict[str, dict[str, Any]], stack: str
) -> None:
    for action, ref in actions_of(workflows[stack]):
        assert action in CURRENT, (
            f"{stack} uses {action}, which tests/data/current_action_majors.toml does not list:"
            " add it, with the release that runs on the hosted runners' Node (runs.using)"
        )
        current = CURRENT[action]["current"]
        assert release(ref) >= release(current), (
            f"{stack} uses {action}@{ref}; the current release is {current}"
            f" ({CURRENT[action]['why']})"
        )


def test_the_list_names_only_actions_a_workflow_uses(
    workflows: dict[str, dict[str, Any]],
) -> None:
    used = {action for workflow in workflows.values() for action, _ in actions_of(workflow)}
    assert set(CURRENT) == used


def test_the_list_says_why_and_when_for_every_action() -> None:
    for action, entry in CURRENT.items():
        assert entry["runtime"] in {"node24", "composite", "docker"}, action
        assert entry["why"], action
        assert entry["checked"], action


@pytest.mark.parametrize("stack", AVAILABLE_STACKS)
def test_the_deploy_jobs_install_the_pinned_helm_and_kubectl(
    workflows: dict[str, dict[str, Any]], stack: str
) -> None:
    jobs = workflows[stack]["jobs"]
    for job in ("deploy-staging", "deploy-production"):
        versions = {
            step["uses"].split("@")[0]: step.get("with", {}).get("version")
            for step in jobs[job]["steps"]
            if "uses" in step
        }
        assert versions["azure/setup-helm"] == PLATFORM_TOOLS["helm"]
        assert versions["azure/setup-kubectl"] == PLATFORM_TOOLS["kubernetes"]


@pytest.mark.parametrize("stack", AVAILABLE_STACKS)
def test_staging_creates_no_ingress_for_the_production_host(
    workflows: dict[str, dict[str, Any]], stack: str
) -> None:
    (deploy,) = [
        s for s in workflows[stack]["jobs"]["deploy-staging"]["steps"] if s.get("name") == "Deploy"
    ]
    assert "--set ingress.enabled=false" in deploy["run"]


class Answers(http.server.BaseHTTPRequestHandler):
    """Answers each GET with the next status of the server's list (the last one repeats)."""

    server: AnsweringServer

    def do_GET(self) -> None:
        self.server.paths.append(self.path)
        statuses = self.server.statuses
        status = statuses.pop(0) if len(statuses) > 1 else statuses[0]
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read what the script printed, not the server's log."""


class AnsweringServer(http.server.ThreadingHTTPServer):
    def __init__(self, statuses: list[int]) -> None:
        super().__init__(("127.0.0.1", 0), Answers)
        self.statuses = statuses
        self.paths: list[str] = []


def run_smoke_test(
    workflow: dict[str, Any], statuses: list[int] | None, tmp_path: Path
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run production's smoke test step against a loopback server answering `statuses` (None:
    nothing listens on the port); what the script did, and the paths it asked for."""
    (step,) = [
        s
        for s in workflow["jobs"]["deploy-production"]["steps"]
        if s.get("name") == "Smoke test production"
    ]
    # The retries' pauses are skipped: a `sleep` that returns at once comes first on PATH.
    shims = tmp_path / "bin"
    shims.mkdir()
    (shims / "sleep").write_text("#!/bin/sh\nexit 0\n")
    (shims / "sleep").chmod(0o755)
    server = AnsweringServer(statuses or [200])
    if statuses is None:
        server.server_close()
    else:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {
            **step.get("env", {}),
            "PATH": f"{shims}:{os.environ['PATH']}",
            "PUBLIC_URL": f"http://127.0.0.1:{server.server_address[1]}",
        }
        result = run_workflow_step(step, env, timeout=120)
    finally:
        if statuses is not None:
            server.shutdown()
            server.server_close()
    return result, server.paths


@pytest.mark.parametrize("stack", SERVICE_STACKS)
def test_production_smoke_test_passes_on_the_backend_refusing_a_call_without_token(
    workflows: dict[str, dict[str, Any]], stack: str, tmp_path: Path
) -> None:
    # A dead upstream, then the ingress's default backend, then the service itself.
    result, paths = run_smoke_test(workflows[stack], [502, 404, 401], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert paths == [f"/api/v1/{RESOURCE}"] * 3


@pytest.mark.parametrize("status", [404, 502, 503, 200])
def test_production_smoke_test_fails_on_any_other_answer_from_a_backend(
    workflows: dict[str, dict[str, Any]], status: int, tmp_path: Path
) -> None:
    result, paths = run_smoke_test(workflows["fastapi"], [status], tmp_path)
    assert result.returncode != 0
    assert len(paths) == 10
    assert f"answered {status}, not 401" in result.stdout


def test_production_smoke_test_of_the_frontend_wants_its_page(
    workflows: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    result, paths = run_smoke_test(workflows["vue"], [503, 200], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert paths == ["/", "/"]


def test_production_smoke_test_fails_when_nothing_answers(
    workflows: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    result, _ = run_smoke_test(workflows["vue"], None, tmp_path)
    assert result.returncode != 0
    assert "answered 000" in result.stdout

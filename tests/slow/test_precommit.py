"""Slow tier: the pre-commit hook this repository publishes (.pre-commit-hooks.yaml) runs
`visiobook check` on a service as its team's commits would: pre-commit installs the tool from
this repository at a commit, in an environment of its own."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT
from tests.slow.project import generate

pytestmark = pytest.mark.slow

PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


def try_hook(service: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """`pre-commit try-repo`: the hook of this checkout's HEAD, on every file of `service`."""
    return subprocess.run(
        [*PRE_COMMIT, "try-repo", str(REPO_ROOT), "visiobook-check", "--all-files"],
        cwd=service,
        env={**os.environ, "PRE_COMMIT_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def commit_all(service: Path, message: str) -> None:
    identity = ["-c", "user.name=team", "-c", "user.email=team@example.com"]
    subprocess.run(["git", "add", "--all"], cwd=service, check=True)
    subprocess.run(["git", *identity, "commit", "-q", "-m", message], cwd=service, check=True)


def test_the_hook_passes_a_conforming_service_and_stops_a_commit_that_breaks_a_rule(
    tmp_path: Path,
) -> None:
    service = generate(tmp_path / "orders", "--stack", "go", "--name", "orders")
    home = tmp_path / "pre-commit-home"

    passing = try_hook(service, home)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert re.search(r"^visiobook check\.+Passed$", passing.stdout, re.M), passing.stdout

    dockerfile = service / "docker/Dockerfile"
    # The instruction and its continuation line (`\` then `CMD [...]`).
    without, removed = re.subn(r"^HEALTHCHECK .*\\\n.*\n", "", dockerfile.read_text(), flags=re.M)
    assert removed == 1
    dockerfile.write_text(without)
    commit_all(service, "drop the healthcheck")
    failing = try_hook(service, home)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "- hook id: visiobook-check" in failing.stdout
    assert "FAIL    docker-healthcheck" in failing.stdout
    assert "docker/Dockerfile:" in failing.stdout


def test_this_repositorys_own_hooks_pass_on_every_file_of_it(tmp_path: Path) -> None:
    """.pre-commit-config.yaml, as a contributor's commit runs it (ruff from PyPI at the pinned
    version, mypy from .venv), passes on the repository as committed."""
    result = subprocess.run(
        [*PRE_COMMIT, "run", "--all-files"],
        cwd=REPO_ROOT,
        env={**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for hook in ("ruff check", r"ruff format --check", r"mypy \(strict\)"):
        assert re.search(rf"^{hook}\.+Passed$", result.stdout, re.M), result.stdout

"""Services generated once per session, copied for each test that breaks one of them."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import AVAILABLE_STACKS, REPO_ROOT
from visiobook_scaffold.generate import NewProject, generate


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A fresh service of every stack, rendered from this checkout (git repo, first commit)."""
    root = tmp_path_factory.mktemp("generated")
    services = {}
    for stack in AVAILABLE_STACKS:
        answers = {"stack": stack, "service_name": f"{stack}-service"}
        target = root / stack
        generate(NewProject(target, str(REPO_ROOT), "HEAD", answers, False, False, git=True))
        services[stack] = target
    return services


@pytest.fixture
def service_copy(generated: dict[str, Path], tmp_path: Path) -> Callable[[str], Path]:
    """A private copy of a generated service, to break."""

    def copy(stack: str) -> Path:
        target = tmp_path / f"{stack}-service"
        shutil.copytree(generated[stack], target, symlinks=True)
        return target

    return copy

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.slow.postgres import PostgresServer
from tests.slow.project import GoProject, NodeProject, PythonProject, generate

# The example resource every generated service of the slow tier serves.
RESOURCE = "media-assets"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One private PostgreSQL server for the whole slow tier; tests create their own databases."""
    server = PostgresServer()
    server.start()
    yield server
    server.destroy()


@pytest.fixture(scope="session")
def fastapi_service(tmp_path_factory: pytest.TempPathFactory) -> PythonProject:
    """A FastAPI service generated with the CLI and installed in its own virtualenv."""
    root = tmp_path_factory.mktemp("fastapi") / "media-service"
    generate(
        root, "--stack", "fastapi", "--name", "media-service", "--data", f"resource={RESOURCE}"
    )
    project = PythonProject(root)
    project.install()
    return project


@pytest.fixture(scope="session")
def node_service(tmp_path_factory: pytest.TempPathFactory) -> NodeProject:
    """A Node service generated with the CLI and installed with `npm ci` from its lock file."""
    root = tmp_path_factory.mktemp("node") / "media-service"
    generate(root, "--stack", "node", "--name", "media-service", "--data", f"resource={RESOURCE}")
    project = NodeProject(root)
    project.install()
    return project


@pytest.fixture(scope="session")
def go_service(tmp_path_factory: pytest.TempPathFactory) -> GoProject:
    """A Go service generated with the CLI, its modules downloaded (go.sum comes with it)."""
    root = tmp_path_factory.mktemp("go") / "media-service"
    generate(root, "--stack", "go", "--name", "media-service", "--data", f"resource={RESOURCE}")
    project = GoProject(root)
    project.install()
    return project

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from tests.slow.kube import KubeCluster
from tests.slow.postgres import PostgresServer
from tests.slow.project import GoProject, NodeProject, PythonProject, VueProject, generate
from tests.slow.redis import RedisServer

# The example resource every generated service of the slow tier serves.
RESOURCE = "media-assets"

Project = TypeVar("Project", PythonProject, NodeProject, GoProject, VueProject)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One private PostgreSQL server for the whole slow tier; tests create their own databases."""
    server = PostgresServer()
    server.start()
    yield server
    server.destroy()


@pytest.fixture(scope="session")
def redis() -> Iterator[RedisServer]:
    """One private Redis server for the services generated with `cache: redis`."""
    server = RedisServer()
    server.start()
    yield server
    server.destroy()


@pytest.fixture(scope="session")
def kube(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KubeCluster]:
    """One private Kubernetes control plane (no kubelet) for the whole slow tier."""
    cluster = KubeCluster(tmp_path_factory.mktemp("kube"))
    cluster.start()
    yield cluster
    cluster.stop()


def installed(
    factory: pytest.TempPathFactory,
    stack: str,
    project: Callable[[Path], Project],
    *answers: str,
) -> Project:
    """A media-service of `stack` generated with the CLI (with more `key=value` answers), its
    dependencies installed."""
    root = factory.mktemp(stack) / "media-service"
    data = [arg for answer in (f"resource={RESOURCE}", *answers) for arg in ("--data", answer)]
    generate(root, "--stack", stack, "--name", "media-service", *data)
    service = project(root)
    service.install()
    return service


@pytest.fixture(scope="session")
def fastapi_service(tmp_path_factory: pytest.TempPathFactory) -> PythonProject:
    """Installed in its own virtualenv."""
    return installed(tmp_path_factory, "fastapi", PythonProject)


@pytest.fixture(scope="session")
def node_service(tmp_path_factory: pytest.TempPathFactory) -> NodeProject:
    """Installed with `npm ci` from its lock file."""
    return installed(tmp_path_factory, "node", NodeProject)


@pytest.fixture(scope="session")
def go_service(tmp_path_factory: pytest.TempPathFactory) -> GoProject:
    """Its modules downloaded (go.sum comes with it)."""
    return installed(tmp_path_factory, "go", GoProject)


@pytest.fixture(scope="session")
def vue_service(tmp_path_factory: pytest.TempPathFactory) -> VueProject:
    """Installed with `npm ci` from its lock file; nginx serves its build (tests/slow/nginx.py)."""
    return installed(tmp_path_factory, "vue", VueProject)


@pytest.fixture(scope="session")
def fastapi_cached_service(tmp_path_factory: pytest.TempPathFactory) -> PythonProject:
    """Generated with `cache: redis`."""
    return installed(tmp_path_factory, "fastapi", PythonProject, "cache=redis")


@pytest.fixture(scope="session")
def node_cached_service(tmp_path_factory: pytest.TempPathFactory) -> NodeProject:
    """Generated with `cache: redis`."""
    return installed(tmp_path_factory, "node", NodeProject, "cache=redis")


@pytest.fixture(scope="session")
def go_cached_service(tmp_path_factory: pytest.TempPathFactory) -> GoProject:
    """Generated with `cache: redis`."""
    return installed(tmp_path_factory, "go", GoProject, "cache=redis")

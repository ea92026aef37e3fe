"""The backends' compose.yaml: a local PostgreSQL that is the database .env.example names, in a
file that keeps the Compose specification (its JSON schema, as the compose-spec Go module
publishes it; `make tools` fetches it at the version the Makefile pins)."""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml
from yamllint import linter
from yamllint.config import YamlLintConfig

from tests.helpers import REPO_ROOT, SERVICE_STACKS, render

# `make tools` puts its tools in .tools/bin, or in $TOOLS (CI), which it also puts on PATH.
LOCAL_TOOLS = REPO_ROOT / ".tools" / "bin"


def compose_file(project: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((project / "compose.yaml").read_text())
    return document


def dot_env_example(project: Path) -> dict[str, str]:
    lines = (project / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def compose_schema_path() -> Path | None:
    """The schema `make tools` fetched, at the Makefile's pinned compose-go version."""
    pinned = re.search(r"^COMPOSE_GO_VERSION := (\S+)$", (REPO_ROOT / "Makefile").read_text(), re.M)
    assert pinned is not None, "the Makefile pins no COMPOSE_GO_VERSION"
    name = f"compose-spec-{pinned[1]}.json"
    folders = [LOCAL_TOOLS, *(Path(p) for p in os.environ.get("PATH", "").split(os.pathsep) if p)]
    if os.environ.get("TOOLS"):
        folders.insert(0, Path(os.environ["TOOLS"]))
    return next((folder / name for folder in folders if (folder / name).is_file()), None)


@pytest.fixture(scope="module")
def compose_validator() -> jsonschema.protocols.Validator:
    path = compose_schema_path()
    if path is None:
        reason = "the Compose specification's schema is not fetched: run `make tools`"
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)  # CI runs `make tools` first: never skip there
        pytest.skip(reason)
    schema = json.loads(path.read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def test_only_the_backends_get_a_compose_file(copie: Any) -> None:
    for stack in SERVICE_STACKS:
        assert (render(copie, stack=stack) / "compose.yaml").is_file(), stack
    assert not (render(copie, stack="vue") / "compose.yaml").exists()


@pytest.mark.parametrize("stack", SERVICE_STACKS)
def test_compose_postgres_is_the_database_env_example_names(copie: Any, stack: str) -> None:
    project = render(copie, stack=stack, service_name="billing-service")
    url = urlsplit(dot_env_example(project)["DATABASE_URL"])
    postgres = compose_file(project)["services"]["postgres"]
    assert postgres["environment"] == {
        "POSTGRES_USER": url.username,
        "POSTGRES_PASSWORD": url.password,
        "POSTGRES_DB": url.path.lstrip("/"),
    }
    assert url.hostname == "localhost"
    assert postgres["ports"] == [f"127.0.0.1:{url.port}:5432"]
    # Ready means it accepts connections to that database as that user (`$$` keeps Compose from
    # interpolating: the container's shell reads its own variables).
    assert postgres["healthcheck"]["test"] == [
        "CMD-SHELL",
        "pg_isready -h 127.0.0.1 -U $${POSTGRES_USER} -d $${POSTGRES_DB}",
    ]


def test_compose_keeps_its_data_in_a_named_volume_and_tests_against_ci_postgres(
    copie: Any,
) -> None:
    project = render(copie, stack="go")
    compose = compose_file(project)
    postgres = compose["services"]["postgres"]
    assert postgres["volumes"] == ["postgres-data:/var/lib/postgresql"]
    assert set(compose["volumes"]) == {"postgres-data"}
    # A pinned major release, the same as the workflow's PostgreSQL service container.
    assert re.fullmatch(r"postgres:\d+(-alpine)?", postgres["image"]), postgres["image"]
    workflow = yaml.safe_load((project / ".github/workflows/ci-cd.yml").read_text())
    assert workflow["jobs"]["test"]["services"]["postgres"]["image"] == postgres["image"]


def test_compose_file_passes_the_services_own_yamllint_with_the_longest_name(copie: Any) -> None:
    project = render(copie, stack="node", service_name="a" * 38 + "-b")  # 40, the most allowed
    config = YamlLintConfig(file=str(project / ".yamllint.yml"))
    problems = list(linter.run((project / "compose.yaml").read_text(), config))
    assert [str(problem) for problem in problems] == []


@pytest.mark.parametrize("stack", SERVICE_STACKS)
def test_compose_file_keeps_the_compose_specification(
    copie: Any, stack: str, compose_validator: jsonschema.protocols.Validator
) -> None:
    compose = compose_file(render(copie, stack=stack))
    errors = [error.message for error in compose_validator.iter_errors(compose)]
    assert errors == []


@pytest.mark.parametrize(
    ("breakage", "mistake"),
    [
        ("a misspelt key", lambda s: s.update(healthchek=s.pop("healthcheck"))),
        ("volumes as a string", lambda s: s.update(volumes="postgres-data:/var/lib/postgresql")),
        ("a duration as a number", lambda s: s["healthcheck"].update(interval=2)),
    ],
)
def test_the_compose_schema_rejects_a_broken_file(
    copie: Any,
    compose_validator: jsonschema.protocols.Validator,
    breakage: str,
    mistake: Any,
) -> None:
    broken = copy.deepcopy(compose_file(render(copie, stack="fastapi")))
    mistake(broken["services"]["postgres"])
    assert not compose_validator.is_valid(broken), f"{breakage} was accepted"

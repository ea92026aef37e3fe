"""Constants and small helpers shared by the test modules."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from visiobook_scaffold.fields import parse_field

REPO_ROOT = Path(__file__).resolve().parents[1]
# Commits in scratch repositories need an author, whatever the machine's git configuration says.
GIT_IDENTITY = ["-c", "user.name=Test", "-c", "user.email=test@example.com"]
AVAILABLE_STACKS = ["fastapi", "node", "go", "vue"]
# Stacks that generate an API with a database (`kind: service` in copier.yml); vue is a frontend.
SERVICE_STACKS = ["fastapi", "node", "go"]
BASE_ANSWERS = {"stack": "fastapi", "service_name": "media-service"}
# A resource `books` with every field type and modifier `--field` takes, two references to
# `people` among them: what the grown services of the tests are made of.
EVERY_TYPE = [
    "title:string(120):required:unique",
    "body:text",
    "pages:integer:default=1",
    "price:decimal(8,2):indexed",
    "ratio:decimal(2,2)",
    "inPrint:boolean:required:default=true",
    "published:date",
    "seenAt:datetime",
    "status:enum(draft,in-review,published):required:default=draft",
    "author:reference(people):required",
    "editor:reference(people)",
]


def grown_resources() -> list[dict[str, Any]]:
    """The `resources` answer of a service grown with people (a name) and books (EVERY_TYPE),
    as `visiobook add resource` records it."""
    people = [parse_field("name:string:required", []).answer()]
    books = [parse_field(spec, ["items", "people"]).answer() for spec in EVERY_TYPE]
    return [{"name": "people", "fields": people}, {"name": "books", "fields": books}]


def run_workflow_step(
    step: dict[str, Any], env: dict[str, str], cwd: Path | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """A GitHub Actions step's `run:` script, run as GitHub runs it: bash -e with pipefail, no
    profile, with `env` over this process's environment."""
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def git(cwd: Path, *args: str) -> str:
    """A git command in `cwd`, with a test identity; its stdout, stripped. Fails the test when
    git fails."""
    result = subprocess.run(
        ["git", *GIT_IDENTITY, *args], cwd=cwd, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def render(copie: Any, **answers: Any) -> Path:
    """This checkout's template rendered by pytest-copie with BASE_ANSWERS and `answers`."""
    result = copie.copy(extra_answers={**BASE_ANSWERS, **answers})
    assert result.exception is None, result.exception
    assert result.exit_code == 0
    return Path(result.project_dir)


def probe_template(root: Path, config: str | None = None) -> Path:
    """A template at root made of this repository's copier.yml (or `config`, a variant of it)
    and the macros its files import (templates/*.jinja, templates/fields/), without any stack's
    files: a test writes the files it renders."""
    (root / "templates").mkdir(parents=True, exist_ok=True)
    text = config if config is not None else (REPO_ROOT / "copier.yml").read_text()
    (root / "copier.yml").write_text(text)
    for macros in (REPO_ROOT / "templates").glob("*.jinja"):
        shutil.copyfile(macros, root / "templates" / macros.name)
    shutil.copytree(REPO_ROOT / "templates" / "fields", root / "templates" / "fields")
    return root

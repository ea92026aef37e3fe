"""Which stack a repository is: recorded by the template, or recognised from its manifests."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from visiobook_scaffold.errors import ScaffoldError
from visiobook_scaffold.service import ANSWERS_FILE

SERVER_FRAMEWORKS = ("express", "@nestjs/core", "fastify", "koa", "@hapi/hapi")
FASTAPI = re.compile(r"""^\s*["']?fastapi\b""", re.IGNORECASE | re.MULTILINE)


def detect_stack(root: Path, known: set[str]) -> str:
    """The stack key of the service at `root`; ScaffoldError when it is none of ours."""
    recorded = _recorded_stack(root)
    if recorded in known:
        return recorded
    if (root / "go.mod").is_file():
        return "go"
    dependencies = _npm_dependencies(root / "package.json")
    if "vue" in dependencies:
        return "vue"
    if any(name in dependencies for name in SERVER_FRAMEWORKS):
        return "node"
    for manifest in ("pyproject.toml", "requirements.txt"):
        text = _read(root / manifest)
        if text and FASTAPI.search(text):
            return "fastapi"
    raise ScaffoldError(
        f"no service found in {root}: expected a go.mod, a package.json using Vue or Express,"
        " or a FastAPI pyproject.toml or requirements.txt at its root"
    )


def _recorded_stack(root: Path) -> str | None:
    text = _read(root / ANSWERS_FILE)
    try:
        answers = yaml.safe_load(text) if text else None
    except yaml.YAMLError:
        return None
    return str(answers.get("stack")) if isinstance(answers, dict) else None


def _npm_dependencies(path: Path) -> set[str]:
    text = _read(path)
    try:
        manifest = json.loads(text) if text else {}
    except json.JSONDecodeError:
        return set()
    names: set[str] = set()
    if isinstance(manifest, dict):
        for group in ("dependencies", "devDependencies"):
            if isinstance(manifest.get(group), dict):
                names.update(manifest[group])
    return names


def _read(path: Path) -> str | None:
    if not path.is_file():  # a named pipe would wait for a writer; a device may never end
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None

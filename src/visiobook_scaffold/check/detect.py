"""Which stack a repository is: recorded by the template, or recognised from its manifests;
and, when a folder is not a service, why not and which folders below it are."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import yaml

from visiobook_scaffold.errors import ScaffoldError
from visiobook_scaffold.service import ANSWERS_FILE

SERVER_FRAMEWORKS = ("express", "@nestjs/core", "fastify", "koa", "@hapi/hapi")
FASTAPI = re.compile(r"""^\s*["']?fastapi\b""", re.IGNORECASE | re.MULTILINE)
STACK_ORDER = ("go", "fastapi", "node", "vue")
"""A mixed repository's stacks are named in this order: the service's, then the front end."""
SEARCH_DEPTH = 4
"""How deep below a folder that is not a service `check` looks for services."""
# Folders that hold no service of their own: dependencies, build output, caches, examples kept
# for documentation, and hidden folders (.github, .git).
NOT_SERVICE_DIRS = frozenset(
    {"node_modules", ".venv", "venv", "__pycache__", "dist", "build", "coverage", "vendor",
     ".tox", ".next", ".nuxt", "testdata", "fixtures", "site-packages"}
)  # fmt: skip
# What makes a Go module serve requests: a web framework, gRPC, or net/http's own server.
GO_SERVER_IMPORTS = re.compile(
    r'"(?:github\.com/(?:gin-gonic/gin|labstack/echo|go-chi/chi|gofiber/fiber|gorilla/mux'
    r'|julienschmidt/httprouter)|google\.golang\.org/grpc|connectrpc\.com/connect)[^"]*"'
)
GO_HTTP_SERVER = re.compile(r"\bhttp\.(?:ListenAndServe(?:TLS)?|Serve|Server)\b")
GO_MAIN_PACKAGE = re.compile(r"^package main\b", re.MULTILINE)
MAX_GO_FILES = 2000
# A JavaScript workspace (pnpm, npm, Yarn) lists its packages; its root's package.json holds the
# tooling every package shares. The root is an app of its own only with sources of its own.
NPM_WORKSPACE_FILES = ("pnpm-workspace.yaml",)
APP_SOURCES = ("src", "index.html", "server.js", "server.ts", "app.js", "app.ts", "index.js")
"""A module with more Go files than this is judged on its first ones."""


class NoServiceError(ScaffoldError):
    """The folder is not a service of any stack `check` knows."""


def detect_stack(root: Path, known: set[str]) -> str:
    """The stack key of the service at `root`, "go+vue" style for a mixed repository;
    NoServiceError when it is none of ours."""
    recorded = _recorded_stack(root)
    if recorded in known:
        return recorded
    stacks = detected_stacks(root)
    if stacks:
        return "+".join(stacks)
    raise NoServiceError(why_not_a_service(root))


def detected_stacks(root: Path, *, named: bool = True) -> list[str]:
    """Every stack whose manifest at `root` makes it a service (or a front end), in STACK_ORDER:
    one package.json with Vue and Express is both `node` and `vue`. A Go module without any
    Go source yet is a service being started when `named` (the folder `check` was given), and
    no service when looked for below a folder (a module that pins tools, say)."""
    found: set[str] = set()
    if (root / "go.mod").is_file() and (_go_serves(root) or (named and not _go_sources(root))):
        found.add("go")
    dependencies = (
        set() if _is_npm_workspace_root(root) else _npm_dependencies(root / "package.json")
    )
    # Below a folder, a Vue package is an app only with a page to serve: a library a
    # workspace shares (components, icons) has none.
    if "vue" in dependencies and (named or _has_page(root)):
        found.add("vue")
    if any(name in dependencies for name in SERVER_FRAMEWORKS):
        found.add("node")
    if _uses_fastapi(root):
        found.add("fastapi")
    return [stack for stack in STACK_ORDER if stack in found]


def is_service(root: Path, known: set[str]) -> bool:
    """Whether `find_services` lists `root`."""
    return _recorded_stack(root) in known or bool(detected_stacks(root, named=False))


def find_services(root: Path, known: set[str], depth: int = SEARCH_DEPTH) -> list[Path]:
    """The services at or below `root` (up to `depth` folders down), in path order; the
    folders of a service are its own, so no service is looked for inside one."""
    found: list[Path] = []
    for folder, subdirs, _ in os.walk(root):
        here = Path(folder)
        if is_service(here, known):
            found.append(here)
            subdirs[:] = []
            continue
        level = len(here.relative_to(root).parts)
        subdirs[:] = sorted(
            name
            for name in subdirs
            if level < depth and not name.startswith(".") and name not in NOT_SERVICE_DIRS
        )
    return sorted(found)


def why_not_a_service(root: Path) -> str:
    if (root / "go.mod").is_file():
        if _go_has_main(root):
            return (
                f"{root} is a Go command-line tool, not a service: no HTTP or gRPC server"
                " (no net/http server, gin, echo, chi, fiber, gorilla/mux or gRPC); use"
                " --stack go to judge it as one anyway"
            )
        return (
            f"{root} is a Go library, not a service: no main package serves requests; use"
            " --stack go to judge it as one anyway"
        )
    expected = (
        f"no service found in {root}: expected a go.mod, a package.json using Vue or Express,"
        " or a FastAPI pyproject.toml or requirements.txt at its root"
    )
    if _is_npm_workspace_root(root):
        return (
            f"{root} is the root of a JavaScript workspace, not a service: its package.json holds"
            " the tooling its packages share; check the package that is the service"
        )
    if _npm_dependencies(root / "package.json"):
        return f"{expected}; its package.json is a Node package that serves nothing"
    python = [name for name in ("pyproject.toml", "requirements.txt") if (root / name).is_file()]
    if python:
        return f"{expected}; its {python[0]} is a Python package without FastAPI"
    return expected


def _go_sources(root: Path) -> list[Path]:
    found: list[Path] = []
    for folder, subdirs, names in os.walk(root):
        subdirs[:] = [
            name for name in subdirs if not name.startswith(".") and name not in NOT_SERVICE_DIRS
        ]
        found.extend(
            Path(folder) / name
            for name in names
            if name.endswith(".go") and not name.endswith("_test.go")
        )
        if len(found) >= MAX_GO_FILES:
            break
    return found[:MAX_GO_FILES]


def _go_serves(root: Path) -> bool:
    """Whether the module runs a server (a module with no Go source, such as one that pins
    tool versions, serves nothing)."""
    for path in _go_sources(root):
        text = _read(path) or ""
        if GO_SERVER_IMPORTS.search(text) or GO_HTTP_SERVER.search(text):
            return True
    return False


def _go_has_main(root: Path) -> bool:
    return any(GO_MAIN_PACKAGE.search(_read(path) or "") for path in _go_sources(root))


def _uses_fastapi(root: Path) -> bool:
    for manifest in ("pyproject.toml", "requirements.txt"):
        text = _read(root / manifest)
        if text and FASTAPI.search(text):
            return True
    return False


def _recorded_stack(root: Path) -> str | None:
    text = _read(root / ANSWERS_FILE)
    try:
        answers = yaml.safe_load(text) if text else None
    except yaml.YAMLError:
        return None
    return str(answers.get("stack")) if isinstance(answers, dict) else None


def _has_page(root: Path) -> bool:
    """An app's HTML entry: Vite's index.html, or Vue CLI's public/index.html."""
    return (root / "index.html").is_file() or (root / "public" / "index.html").is_file()


def _is_npm_workspace_root(root: Path) -> bool:
    """A workspace's root (pnpm-workspace.yaml, or `workspaces` in package.json) without an
    app's sources of its own (src/, index.html, server.js, ...)."""
    manifest = _npm_manifest(root / "package.json")
    declares = "workspaces" in manifest or any(
        (root / name).is_file() for name in NPM_WORKSPACE_FILES
    )
    return declares and not any((root / name).exists() for name in APP_SOURCES)


def _npm_manifest(path: Path) -> dict[str, object]:
    text = _read(path)
    try:
        manifest = json.loads(text) if text else {}
    except json.JSONDecodeError:
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _npm_dependencies(path: Path) -> set[str]:
    manifest = _npm_manifest(path)
    names: set[str] = set()
    for group in ("dependencies", "devDependencies"):
        declared = manifest.get(group)
        if isinstance(declared, dict):
            names.update(declared)
    return names


def _read(path: Path) -> str | None:
    if not path.is_file():  # a named pipe would wait for a writer; a device may never end
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None

"""The versions a service declares: its runtime and its direct dependencies, with where."""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

import yaml
from packaging.version import InvalidVersion, Version

from visiobook_scaffold.check.dockerfile import production_dockerfile, stages
from visiobook_scaffold.check.profiles import RUNTIME, profile_of
from visiobook_scaffold.check.repo import Repo

_NUMBER = re.compile(r"\d+(?:\.\d+)*")


@dataclass(frozen=True)
class Declared:
    name: str
    """A package name, or RUNTIME for the language itself."""
    version: Version
    """The lowest version the declaration allows."""
    text: str
    path: str
    line: int | None


def lowest_version(constraint: str) -> Version | None:
    """The lowest version a constraint allows: ^5.2.0 -> 5.2.0, >=3.12 -> 3.12, ~=2.4 -> 2.4.
    None when it has no lower bound (*, latest, <5) or is not a version at all."""
    for part in re.split(r"\s*(?:,|\|\|)\s*|\s+", constraint.strip()):
        part = part.strip()
        if part.startswith(("<", "!")):
            continue
        match = _NUMBER.search(part.lstrip("^~>=v"))
        if match and part.lstrip("^~>=v").startswith(match.group(0)):
            try:
                return Version(match.group(0))
            except InvalidVersion:
                return None
    return None


def _line_of(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def declared(repo: Repo) -> list[Declared]:
    return repo.memo("declared-versions", lambda: [*_runtime(repo), *_dependencies(repo)])


def npm_dependencies(repo: Repo) -> Iterator[tuple[str, str, int | None]]:
    """(name, constraint, line) of package.json's dependencies of every kind."""
    text = repo.text("package.json")
    try:
        manifest = json.loads(text) if text else {}
    except json.JSONDecodeError:
        return
    for group in ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies"):
        entries = manifest.get(group) if isinstance(manifest, dict) else None
        for name, constraint in (entries or {}).items():
            yield name, str(constraint), _line_of(text or "", f'"{name}":')


def _dependencies(repo: Repo) -> Iterator[Declared]:
    ecosystem = profile_of(repo).ecosystem
    if ecosystem == "npm":
        for name, constraint, line in npm_dependencies(repo):
            path = "package.json"
            if constraint.startswith("catalog:"):
                constraint, path, line = _pnpm_catalog_entry(repo, name, constraint)
            version = lowest_version(constraint)
            if version:
                yield Declared(name, version, constraint, path, line)
    elif ecosystem == "python":
        yield from _python_requirements(repo)
    elif ecosystem == "go":
        yield from _go_requirements(repo)


PNPM_WORKSPACE = "pnpm-workspace.yaml"


def _pnpm_catalog_entry(repo: Repo, name: str, reference: str) -> tuple[str, str, int | None]:
    """The range a `catalog:` (or `catalog:<name>`) dependency stands for, where the workspace
    root's pnpm-workspace.yaml sets it: (constraint, path, line); an empty constraint when it
    does not."""
    path = posixpath.relpath(PNPM_WORKSPACE, repo.folder_in_repository or ".")
    text = repo.text(path) or ""
    try:
        workspace = yaml.safe_load(text) or {}
    except yaml.YAMLError:
        return "", path, None
    catalog_name = reference.removeprefix("catalog:") or "default"
    catalogs = workspace.get("catalogs") if isinstance(workspace, dict) else None
    catalog = (catalogs or {}).get(catalog_name) if isinstance(catalogs, dict) else None
    if catalog is None and catalog_name == "default" and isinstance(workspace, dict):
        catalog = workspace.get("catalog")
    constraint = catalog.get(name) if isinstance(catalog, dict) else None
    if constraint is None:
        return "", path, None
    # The entry's line: the first `name:` key below the catalog's own heading.
    heading = text.find("catalog:" if catalog_name == "default" else f"{catalog_name}:")
    entry = re.compile(rf"""^\s+["']?{re.escape(name)}["']?\s*:""", re.MULTILINE)
    match = entry.search(text, max(heading, 0))
    return str(constraint), path, text.count("\n", 0, match.start()) + 1 if match else None


_REQUIREMENT = re.compile(
    r"""^\s*["']?(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*"""
    r"""(?P<constraint>(?:==|>=|~=|===)\s*[0-9][^;,"'\s]*)""",
    re.MULTILINE,
)


def _python_requirements(repo: Repo) -> Iterator[Declared]:
    for path in ("requirements.txt", "requirements-dev.txt", "pyproject.toml"):
        text = repo.text(path) or ""
        for match in _REQUIREMENT.finditer(text):
            version = lowest_version(match["constraint"].lstrip("=~>"))
            if version:
                name = match["name"].lower().replace("_", "-")
                line = text.count("\n", 0, match.start()) + 1
                yield Declared(name, version, match["constraint"], path, line)


_GO_REQUIRE = re.compile(
    r"^\s*(?:require\s+)?(?P<module>[\w.-]+\.[\w./-]+)\s+v(?P<version>[\d.]+)", re.MULTILINE
)


def _go_requirements(repo: Repo) -> Iterator[Declared]:
    text = repo.text("go.mod") or ""
    for match in _GO_REQUIRE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        yield Declared(match["module"], Version(match["version"]), match["version"], "go.mod", line)


def _runtime(repo: Repo) -> Iterator[Declared]:
    """Every place the runtime version is set: they must all be high enough."""
    candidates: list[tuple[str, str, int | None]] = []
    ecosystem = profile_of(repo).ecosystem
    if ecosystem == "npm":
        nvmrc = repo.text(".nvmrc")
        if nvmrc and nvmrc.strip():
            candidates.append((nvmrc.strip(), ".nvmrc", 1))
        text = repo.text("package.json") or ""
        try:
            engines = json.loads(text).get("engines", {}) if text else {}
        except (json.JSONDecodeError, AttributeError):
            engines = {}
        if isinstance(engines, dict) and engines.get("node"):
            candidates.append((str(engines["node"]), "package.json", _line_of(text, '"node":')))
    elif ecosystem == "python":
        text = repo.text("pyproject.toml") or ""
        match = re.search(r"""^requires-python\s*=\s*["']([^"']+)""", text, re.MULTILINE)
        if match:
            candidates.append((match[1], "pyproject.toml", text.count("\n", 0, match.start()) + 1))
    elif ecosystem == "go":
        text = repo.text("go.mod") or ""
        match = re.search(r"^go\s+(\S+)", text, re.MULTILINE)
        if match:
            candidates.append((match[1], "go.mod", text.count("\n", 0, match.start()) + 1))
    candidates.extend(_runtime_images(repo))
    for constraint, path, line in candidates:
        version = lowest_version(constraint)
        if version:
            yield Declared(RUNTIME, version, constraint, path, line)


def _runtime_images(repo: Repo) -> Iterator[tuple[str, str, int | None]]:
    image = profile_of(repo).runtime_image
    path = production_dockerfile(repo.files)
    text = repo.text(path) if path else None
    if path is None or text is None:
        return
    for stage in stages(text):
        repository, _, tag = stage.base.partition(":")
        if repository.rsplit("/", 1)[-1] == image and tag:
            yield tag.split("-")[0], path, stage.line

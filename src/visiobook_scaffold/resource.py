"""`visiobook add resource`: a service's next resource, as a layer of the template of its own.

Copier renders one file per path, so a resource added beside the example one is rendered from
the resource layer (templates/resource/<stack>, the files of one resource) with its own answers
file, `.copier-answers.resource-<name>.yml`; the service's answers list it (`resources`), which
the few files listing every resource (the API router, the contract, the ingress, the README)
loop over. Adding one is two Copier runs, all or nothing: the service layer at its own version
with the longer list (Copier's three-way update, so the team's edits to those files stay), then
the new layer. docs/architecture.md, "Resources added to a service".
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from visiobook_scaffold import engine, git
from visiobook_scaffold.errors import InterruptError, ScaffoldError, one_line
from visiobook_scaffold.fields import Field
from visiobook_scaffold.service import (
    RESOURCE_ANSWERS_FILE,
    Service,
    added_resources,
    read_service,
    recorded_answers,
    resource_records,
)


@dataclass(frozen=True)
class AddResource:
    path: Path
    """The service's folder."""
    name: str
    """The resource, as its URL names it: plural kebab-case (guidelines 3.1)."""
    fields: list[Field] | None = None
    """Its fields; None: the example resource's (name, description)."""
    pretend: bool = False


@dataclass(frozen=True)
class Added:
    resource: str
    created: list[str] = field(default_factory=list)
    """The resource's own files, its answers file among them."""
    changed: list[str] = field(default_factory=list)
    """The service's files that list every resource."""
    conflicted: list[str] = field(default_factory=list)
    """Of those, the ones left with conflict markers (the team had edited the same lines)."""


def add_resource(request: AddResource) -> Added:
    git.require()
    service = read_service(request.path)
    name = request.name
    existing = listed_resources(service)
    if name in existing:
        raise ScaffoldError(f"the service already has the resource {name!r}")
    _require_clean(service)
    service.check_renderable()
    layer_answers = {**_service_answers(service), "layer": "resource", "resource": name}
    layer_answers |= next_migration(service.root, str(service.stack))
    if request.fields is not None:
        layer_answers["fields"] = [field.answer() for field in request.fields]
    answers_path = RESOURCE_ANSWERS_FILE.format(name)
    with tempfile.TemporaryDirectory(prefix="visiobook-resource-") as scratch:
        rendered = Path(scratch) / "resource"
        _render_layer(service, layer_answers, answers_path, rendered)
        layered_answers = (rendered / answers_path).is_file()
        files = sorted(
            path.relative_to(rendered).as_posix() for path in rendered.rglob("*") if path.is_file()
        )
        # A template version without the resource layer ignores `layer` and renders a service.
        recorded = recorded_answers(rendered, answers_path) if layered_answers else {}
    if recorded.get("layer") != "resource" or not isinstance(recorded.get("fields"), list):
        raise ScaffoldError(
            f"the {service.stack} template at {service.version} cannot add resources:"
            " run `visiobook update` first"
        )
    taken = [path for path in files if (service.root / path).exists()]
    if taken:
        raise ScaffoldError(f"{name!r} would overwrite {taken[0]}: choose another name")
    # The service records each added resource's fields too: its contract lists them.
    resources = [*resource_records(service), {"name": name, "fields": recorded["fields"]}]
    if request.pretend:
        with tempfile.TemporaryDirectory(prefix="visiobook-resource-") as scratch:
            return Added(name, files, _listing_files(service, resources, Path(scratch)))
    try:
        engine.update(
            service,
            answers={"resources": resources},
            version=service.version,
            ask=False,
            conflict="inline",
            pretend=False,
            unsafe=False,
        )
        _render_layer(service, layer_answers, answers_path, service.root)
    except BaseException as error:
        git.restore_head(service.root)
        if isinstance(error, KeyboardInterrupt):
            raise InterruptError("interrupted: the service is back at its last commit") from None
        raise ScaffoldError(
            f"adding {name} failed, the service is back at its last commit: {one_line(error)}"
        ) from error
    created: list[str] = []
    changed: list[str] = []
    for code, path in git.changes(service.root):
        (created if code == "??" or code.startswith("A") else changed).append(path)
    conflicted = [path for path in changed if _has_conflict_markers(service.root / path)]
    return Added(name, sorted(created), sorted(changed), sorted(conflicted))


def listed_resources(service: Service) -> list[str]:
    """The service's resources: the example one first, then those added, in order."""
    return [str(service.answers.get("resource", "")), *added_resources(service)]


def next_migration(root: Path, stack: str) -> dict[str, str]:
    """The answers naming the migration that creates the next resource's table, so that it
    applies after every migration the service has (the team's own included)."""
    if stack == "fastapi":
        return _next_alembic_revision(root / "alembic" / "versions")
    if stack == "go":
        return {"migration": f"{_largest_prefix(root / 'migrations', '*.sql') + 1:05d}"}
    if stack == "node":
        now = int(f"{datetime.now(UTC):%Y%m%d%H%M%S}")
        latest = _largest_prefix(root / "prisma" / "migrations", "*")
        return {"migration": str(max(now, latest + 1))}
    raise ScaffoldError(f"a {stack} project has no resources to add: add them to a backend")


# `revision: str = "0001"` or `revision = "0001"`, and the same for down_revision (None, a
# string, or a tuple of strings for a merge).
_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


def _next_alembic_revision(versions: Path) -> dict[str, str]:
    """The next numbered revision (0002, 0003...) and the one it follows: the head."""
    revisions: set[str] = set()
    followed: set[str] = set()
    for script in sorted(versions.glob("*.py")) if versions.is_dir() else []:
        text = script.read_text(encoding="utf-8", errors="replace")
        revision = _REVISION.search(text)
        if revision is None:
            continue
        revisions.add(revision[1])
        down = _DOWN_REVISION.search(text)
        if down is not None:
            followed.update(_QUOTED.findall(down[1]))
    heads = sorted(revisions - followed)
    if len(heads) > 1:
        raise ScaffoldError(
            f"alembic/versions has {len(heads)} heads ({', '.join(heads)}):"
            " merge them first (alembic merge heads)"
        )
    numbered = [int(revision) for revision in revisions if revision.isdigit()]
    number = max(numbered, default=0) + 1
    while f"{number:04d}" in revisions:
        number += 1
    return {"migration": f"{number:04d}", "migration_after": heads[0] if heads else ""}


def _largest_prefix(folder: Path, pattern: str) -> int:
    """The largest number a name in `folder` starts with (goose's and Prisma's migrations)."""
    numbers = [
        int(match[1])
        for path in (folder.glob(pattern) if folder.is_dir() else [])
        if (match := re.match(r"(\d+)_", path.name))
    ]
    return max(numbers, default=0)


def _service_answers(service: Service) -> dict[str, Any]:
    """The service's answers, which the resource's files read too (its name, its cache...)."""
    return {
        key: value
        for key, value in service.answers.items()
        if not key.startswith("_") and key != "resources"
    }


def _render_layer(service: Service, answers: dict[str, Any], answers_path: str, dest: Path) -> None:
    """Renders the resource layer recorded in `answers_path`, at the service's version."""
    engine.render(replace(service, answers_file=answers_path), service.version, answers, dest)


def _listing_files(service: Service, resources: list[dict[str, Any]], scratch: Path) -> list[str]:
    """The service's files that change when it lists `resources` (its added ones, the new one
    last): the service layer rendered with and without the new one."""
    before, after = scratch / "before", scratch / "after"
    answers = _service_answers(service)
    engine.render(service, service.version, {**answers, "resources": resources[:-1]}, before)
    engine.render(service, service.version, {**answers, "resources": resources}, after)
    changed = []
    for path in sorted(after.rglob("*")):
        old = before / path.relative_to(after)
        if path.is_file() and (not old.is_file() or old.read_bytes() != path.read_bytes()):
            changed.append(path.relative_to(after).as_posix())
    return changed


def _require_clean(service: Service) -> None:
    if not git.inside_work_tree(service.root):
        raise ScaffoldError(f"{service.root} is not in a git repository: commit the service first")
    if pending := git.changes(service.root):
        raise ScaffoldError(
            f"{service.root} has {len(pending)} uncommitted change(s): commit or stash them first"
        )


def _has_conflict_markers(path: Path) -> bool:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return False
    return any(line.startswith("<<<<<<< ") for line in lines)

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
from visiobook_scaffold.contract_fields import contract_path, read_contract
from visiobook_scaffold.errors import InterruptError, ScaffoldError, one_line
from visiobook_scaffold.fields import Field, check_fields, parse_field, read_model_file
from visiobook_scaffold.service import (
    RESOURCE_ANSWERS_FILE,
    Service,
    added_resources,
    read_service,
    recorded_answers,
    resource_records,
)


@dataclass(frozen=True)
class NewResource:
    name: str
    """The resource, as its URL names it: plural kebab-case (guidelines 3.1)."""
    fields: list[Field] | None = None
    """Its fields; None: the example resource's (name, description)."""


@dataclass(frozen=True)
class AddResource:
    path: Path
    """The service's folder."""
    resources: list[NewResource]
    """What to add, in order: a resource may refer to those before it."""
    pretend: bool = False


@dataclass(frozen=True)
class Added:
    resources: list[str]
    created: list[str] = field(default_factory=list)
    """The resources' own files, their answers files among them."""
    changed: list[str] = field(default_factory=list)
    """The service's files that list every resource."""
    conflicted: list[str] = field(default_factory=list)
    """Of those, the ones left with conflict markers (the team had edited the same lines)."""


def requested_resources(
    service_path: Path,
    name: str,
    specs: list[str],
    source: Path | None = None,
    api: Path | None = None,
) -> list[NewResource]:
    """What `add resource NAME` adds: NAME with the fields `specs` give (`--field`), or those
    `source` describes (`--from`) or the contract `api` holds (`--api`), together with the
    resources there it refers to that the service lacks, first; none when the service has them
    all. Without any, the example's fields."""
    if len([given for given in (specs, source, api) if given]) > 1:
        raise ScaffoldError("give the fields with one of --field, --from and --api")
    existing = listed_resources(read_service(service_path))
    if source is None and api is None:
        if not specs:
            return [NewResource(name)]
        return [NewResource(name, check_fields([parse_field(s, existing) for s in specs], name))]
    if source is not None:
        described = read_model_file(source, existing)
        origin = str(source)
    elif api is not None:
        described = read_contract(api, existing)
        origin = f"the contract {contract_path(api)}"
    models = {model.name: model for model in described}
    if name not in models:
        raise ScaffoldError(
            f"{origin} does not describe {name!r}; it describes {', '.join(models)}"
        )
    wanted: list[str] = []

    def with_targets(resource: str) -> None:
        for target in (declared.target for declared in models[resource].fields):
            if target is not None and target in models and target not in existing:
                with_targets(target)
        if resource not in existing and resource not in wanted:
            wanted.append(resource)

    with_targets(name)
    return [NewResource(resource, models[resource].fields) for resource in wanted]


def add_resource(request: AddResource) -> Added:
    """Adds the resources, all or nothing: the service layer once with the longer list, then
    each resource's layer, their migrations numbered in turn."""
    git.require()
    service = read_service(request.path)
    names = [new.name for new in request.resources]
    existing = listed_resources(service)
    for name in names:
        if name in existing:
            raise ScaffoldError(f"the service already has the resource {name!r}")
        if names.count(name) > 1:
            raise ScaffoldError(f"the resource {name!r} is given twice")
    _require_clean(service)
    service.check_renderable()
    layers: list[tuple[dict[str, Any], str]] = []
    records = resource_records(service)
    files: list[str] = []
    migration = next_migration(service.root, str(service.stack))
    with tempfile.TemporaryDirectory(prefix="visiobook-resource-") as scratch:
        for new in request.resources:
            layer_answers = {**_service_answers(service), "layer": "resource", "resource": new.name}
            layer_answers |= migration
            if new.fields is not None:
                layer_answers["fields"] = [field.answer() for field in new.fields]
            answers_path = RESOURCE_ANSWERS_FILE.format(new.name)
            rendered = Path(scratch) / new.name
            _render_layer(service, layer_answers, answers_path, rendered)
            layered_answers = (rendered / answers_path).is_file()
            own = sorted(
                path.relative_to(rendered).as_posix()
                for path in rendered.rglob("*")
                if path.is_file()
            )
            # A template version without the resource layer ignores `layer` and renders a
            # service.
            recorded = recorded_answers(rendered, answers_path) if layered_answers else {}
            if recorded.get("layer") != "resource" or not isinstance(recorded.get("fields"), list):
                raise ScaffoldError(
                    f"the {service.stack} template at {service.version} cannot add resources:"
                    " run `visiobook update` first"
                )
            taken = [path for path in own if (service.root / path).exists() or path in files]
            if taken:
                raise ScaffoldError(f"{new.name!r} would overwrite {taken[0]}: choose another name")
            files += own
            layers.append((layer_answers, answers_path))
            # The service records each added resource's fields too: its contract lists them.
            records = [*records, {"name": new.name, "fields": recorded["fields"]}]
            migration = following_migration(migration, str(service.stack))
    if request.pretend:
        with tempfile.TemporaryDirectory(prefix="visiobook-resource-") as scratch:
            listing = _listing_files(service, records, len(layers), Path(scratch))
        return Added(names, sorted(files), listing)
    try:
        engine.update(
            service,
            answers={"resources": records},
            version=service.version,
            ask=False,
            conflict="inline",
            pretend=False,
            unsafe=False,
        )
        for layer_answers, answers_path in layers:
            _render_layer(service, layer_answers, answers_path, service.root)
    except BaseException as error:
        git.restore_head(service.root)
        if isinstance(error, KeyboardInterrupt):
            raise InterruptError("interrupted: the service is back at its last commit") from None
        raise ScaffoldError(
            f"adding {', '.join(names)} failed, the service is back at its last commit:"
            f" {one_line(error)}"
        ) from error
    created: list[str] = []
    changed: list[str] = []
    for code, path in git.changes(service.root):
        (created if code == "??" or code.startswith("A") else changed).append(path)
    conflicted = [path for path in changed if _has_conflict_markers(service.root / path)]
    return Added(names, sorted(created), sorted(changed), sorted(conflicted))


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
    # The Vue app holds no table: its resources are screens over a backend's.
    return {}


# `revision: str = "0001"` or `revision = "0001"`, and the same for down_revision (None, a
# string, or a tuple of strings for a merge).
_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


def following_migration(migration: dict[str, str], stack: str) -> dict[str, str]:
    """The migration answers of the resource added right after the one `migration` names."""
    if not migration:
        return {}
    current = migration["migration"]
    if stack == "fastapi":
        return {"migration": f"{int(current) + 1:04d}", "migration_after": current}
    following = int(current) + 1
    return {"migration": f"{following:05d}" if stack == "go" else str(following)}


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


def _listing_files(
    service: Service, resources: list[dict[str, Any]], new: int, scratch: Path
) -> list[str]:
    """The service's files that change when it lists `resources` (its added ones, the `new`
    last): the service layer rendered with and without the new ones."""
    before, after = scratch / "before", scratch / "after"
    answers = _service_answers(service)
    engine.render(service, service.version, {**answers, "resources": resources[:-new]}, before)
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

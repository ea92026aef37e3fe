"""`visiobook update`: pull a newer template version into a service, all or nothing.

Copier's update is the engine (render the old version with the recorded answers, diff it with
the service, render the new version, apply the team's diff on top three ways). Around it, this
module makes the outcome predictable: it refuses a tree with uncommitted changes (so the update
is one reviewable diff and can always be undone), restores the last commit when the update
fails half-way, and reports what changed and what conflicts remain.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from visiobook_scaffold import engine, git, safeguard
from visiobook_scaffold.answers import check_answers
from visiobook_scaffold.currency import is_behind, newest_release, past_tag
from visiobook_scaffold.engine import ConflictStyle
from visiobook_scaffold.errors import InterruptError, ScaffoldError, one_line
from visiobook_scaffold.safeguard import Kept
from visiobook_scaffold.service import Service, read_service, recorded_answers, resource_layers
from visiobook_scaffold.template import (
    CONFIG_NAME,
    LAYER_ANSWERS,
    TemplateConfig,
    embedded_template_root,
    is_local_template,
    load_config,
)
from visiobook_scaffold.versions import CANONICAL_SOURCE, built_commit

CONFLICT_MARKER = "<<<<<<< "


@dataclass(frozen=True)
class UpdateRequest:
    path: Path
    to: str | None
    """Template tag, branch or commit to update to; None: the newest version."""
    answers: dict[str, Any]
    """Answers to change on the way (e.g. another port); the others are kept."""
    conflict: ConflictStyle
    pretend: bool
    ask: bool
    """Prompt for questions the newer template adds; else take their defaults."""
    template: str | None = None
    """Where to fetch the template's versions from instead of the recorded source (a fork,
    a mirror); the answers file keeps the recorded one. When the recorded source is a local
    folder that is gone (moved), this is its new place: both versions are rendered from here,
    and the answers file records it from then on (versions.template_source)."""
    trust: bool = False
    """Run the template's migration commands. The package's own embedded template is trusted
    like the package itself; any other template only with --trust."""


@dataclass(frozen=True)
class Updated:
    from_version: str
    to_version: str
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    conflicted: list[str] = field(default_factory=list)
    """Files left with conflict markers (inline) or with a `.rej` file beside them (rej)."""
    kept: list[Kept] = field(default_factory=list)
    """Files of the team's the three-way update would have lost (safeguard.py): kept as they
    were, with the template's version beside them where it has one."""
    before: str | None = None
    """A git ref to the commit the service was at before the update: the way back."""


def update(request: UpdateRequest) -> Updated:
    git.require()
    service = _service(request)
    _check_changed_answers(request.answers, service)
    # The service, then each resource added to it: a layer of the template with its own answers
    # file, taken to the same version (resource.py).
    layers = [service, *resource_layers(service)]
    # Before anything is written: a failure here leaves the service as it was.
    try:
        version = request.to or _default_target(service)
        plans = [_plan(layer, request, version) for layer in layers]
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt):
            raise InterruptError("interrupted: nothing was changed") from None
        failed = "update would fail" if request.pretend else "update failed, nothing was changed"
        raise ScaffoldError(f"{failed}: {one_line(error)}") from error
    if request.pretend:
        try:
            for layer, planned in zip(layers, plans, strict=True):
                _run_copier(layer, request, planned)
        except BaseException as error:
            # Copier pretends in temporary folders only: nothing here was touched.
            if isinstance(error, KeyboardInterrupt):
                raise InterruptError("interrupted: nothing was changed") from None
            raise ScaffoldError(f"update would fail: {one_line(error)}") from error
        return Updated(service.version, service.version)
    root = service.root
    start = git.head_commit(root)
    try:
        for index, (layer, planned) in enumerate(zip(layers, plans, strict=True)):
            if index:
                # Copier updates a committed tree only: the layers done so far are committed
                # here, and uncommitted again below.
                git.commit_everything(root, f"visiobook update: before {layer.answers_file}")
            _run_copier(layer, request, planned)
            if request.conflict == "inline":
                _merge_moved_files(layer)
        git.reset_to(root, start)
        kept = [kept for planned in plans for kept in safeguard.apply(root, planned.at_risk)]
    except BaseException as error:
        # git's restore below brings back every tracked file, but not an ignored one.
        for planned in plans:
            safeguard.put_back(root, planned.at_risk.ignored)
        git.reset_to(root, start)
        git.restore_head(root)
        if isinstance(error, KeyboardInterrupt):
            raise InterruptError("interrupted: the service is back at its last commit") from None
        raise ScaffoldError(
            f"update failed, the service is back at its last commit: {one_line(error)}"
        ) from error
    # Named once the update went through: a failed one is back at this very commit, and
    # leaves no ref behind.
    before = f"{BEFORE_UPDATE}/{datetime.now(UTC):%Y%m%dT%H%M%S.%fZ}"
    git.mark_commit(root, before, start)
    return replace(_outcome(service, request.conflict, kept), before=before)


BEFORE_UPDATE = "refs/visiobook/before-update"
"""Where each update names the commit it started from (git reset --hard <ref> goes back)."""


@dataclass(frozen=True)
class _Plan:
    """What the update will do, found before anything is written."""

    version: str
    """The template version to update to (a tag, branch or commit)."""
    answers: dict[str, Any]
    """The answers the update gives Copier (`_answers_for_copier`)."""
    at_risk: safeguard.Plan
    """The team's files a line-by-line merge would lose."""


def _plan(service: Service, request: UpdateRequest, version: str) -> _Plan:
    """Renders the new version and the service's own into a scratch folder.

    The new version is rendered with the answers the update will use, so its questions are
    asked here, once (or take their defaults); the two renders show the team's files the
    update would lose (safeguard.py).
    """
    with tempfile.TemporaryDirectory(prefix="visiobook-versions-") as scratch:
        old, new = Path(scratch) / "old", Path(scratch) / "new"
        answers = {**service.answers, **request.answers}
        engine.render(service, version, answers, new, ask=request.ask)
        engine.render(service, service.version, service.answers, old)
        answers_file = service.answers_file
        rendered = recorded_answers(new, answers_file) if (new / answers_file).is_file() else {}
        return _Plan(
            version,
            _answers_for_copier(service.answers, request, rendered),
            safeguard.plan(service.root, old, new),
        )


def _answers_for_copier(
    recorded: dict[str, Any], request: UpdateRequest, rendered: dict[str, Any]
) -> dict[str, Any]:
    """The answers the update gives Copier: `--data`, and when the user is asked, the answers
    to the new version's questions given while `_plan` rendered it (so each question is asked
    once, and the update renders what the safeguard rendered).

    A new question's default is left to Copier, which computes the same from the same answers,
    and also sees an answer that a migration renamed in the answers file (the scratch render
    cannot: migrations run in the service)."""
    if not request.ask:
        return dict(request.answers)
    new_answers = {
        name: value
        for name, value in rendered.items()
        if not name.startswith("_") and name not in recorded
    }
    return {**new_answers, **request.answers}


def _default_target(service: Service) -> str:
    """The version an update without `--to` goes to: the newest release; the template's newest
    commit when nothing is released, or when the service is already past a release (made from
    a checkout between releases). Never back to an older version."""
    source = service.source
    with service.reachable():
        newest = newest_release(source)
    if newest is not None and is_behind(service.version, newest[0]):
        return newest[1]
    if newest is None or past_tag(service.version) is not None:
        return _newest_commit(source)
    return service.version  # on the newest release: nothing to change


def _newest_commit(source: str) -> str:
    """The template's newest commit: for the embedded versions, the one the wheel was built
    from (what it generates), else the source's HEAD."""
    built = built_commit() if source == CANONICAL_SOURCE else None
    return built or "HEAD"


def _service(request: UpdateRequest) -> Service:
    """The service to update, checked: generated by us, a git work tree, nothing uncommitted."""
    path = request.path
    service = read_service(path, request.template)  # a generated service, or a clear error
    if not git.inside_work_tree(path):
        raise ScaffoldError(f"{path} is not in a git repository: commit the service first")
    if pending := git.changes(path):
        raise ScaffoldError(
            f"{path} has {len(pending)} uncommitted change(s): commit or stash them, then update"
        )
    service.check_renderable()
    return service


def _check_changed_answers(answers: dict[str, Any], service: Service) -> None:
    """`--data` names answers the template asks, with values of their type, as for `new`.

    Copier would ignore an unknown key: a typo (`prot=9000`) would be an update that silently
    changed nothing. The known answers are those the service records, plus the questions of the
    template when it can be read here (a newer version may ask more).
    """
    if not answers:
        return
    if layered := sorted(LAYER_ANSWERS & answers.keys()):
        raise ScaffoldError(
            f"an update cannot change {layered[0]!r}: `visiobook add resource` adds resources"
        )
    if "stack" in answers and answers["stack"] != service.stack:
        raise ScaffoldError(
            f"an update cannot change the stack ({service.stack!r}): generate a new service instead"
        )
    config = _readable_template(service.recorded_source, service.template)
    asked = {name for name in service.answers if not name.startswith("_")}
    if config is not None:
        asked |= set(config.questions)
        check_answers({name: value for name, value in answers.items() if name in asked}, config)
    for name in answers:
        if name not in asked:
            raise ScaffoldError(
                f"unknown answer {name!r}; the template asks: {', '.join(sorted(asked))}"
            )


def _readable_template(source: str, override: str | None) -> TemplateConfig | None:
    """The service's template, when it is a folder here (or the one this package embeds)."""
    source = override or source
    if source == CANONICAL_SOURCE:
        return load_config(embedded_template_root())
    if is_local_template(source) and (Path(source).expanduser() / CONFIG_NAME).is_file():
        # Read now, not from load_config's cache: a template folder changes between versions.
        return load_config.__wrapped__(Path(source).expanduser().resolve())
    return None


def _run_copier(service: Service, request: UpdateRequest, planned: _Plan) -> None:
    engine.update(
        service,
        answers=planned.answers,
        version=planned.version,
        ask=request.ask,
        conflict=request.conflict,
        pretend=request.pretend,
        unsafe=request.trust
        or (service.recorded_source == CANONICAL_SOURCE and request.template is None),
    )


def _merge_moved_files(service: Service) -> None:
    """Merges three ways the files a template migration moved (`git mv` before the update).

    Copier diffs the service against the old version rendered in the old layout, so a moved
    file reaches its merge as added on both sides with an empty base, and every line the team
    or the template changed becomes a conflict. The moved file is recognised by its content
    (our side is the team's file exactly as the last commit has it at its old path); the old
    version's rendering of that old path is the real base.
    """
    root = service.root
    both_added = git.added_on_both_sides(root)
    if not both_added:
        return
    moved_from = {
        git.head_blob(root, name): name for code, name in git.changes(root) if code == "D "
    }
    pairs = [
        (new, moved_from[ours], ours, theirs)
        for new, ours, theirs in both_added
        if ours in moved_from
    ]
    if not pairs:
        return
    with tempfile.TemporaryDirectory(prefix="visiobook-base-") as scratch:
        base = Path(scratch) / "base"
        engine.render(service, service.version, service.answers, base)
        for new, old, ours, theirs in pairs:
            base_file = base / old
            merged = git.merge_texts(
                root,
                git.blob_text(root, ours),
                base_file.read_text(encoding="utf-8") if base_file.is_file() else "",
                git.blob_text(root, theirs),
                labels=("before updating", "after updating"),
            )
            (root / new).write_text(merged, encoding="utf-8")
            if not _has_markers(root / new):
                git.stage(root, new)


def _outcome(service: Service, conflict: ConflictStyle, kept: list[Kept]) -> Updated:
    root = service.root
    created: list[str] = []
    changed: list[str] = []
    deleted: list[str] = []
    for code, name in git.changes(root):
        if code == "??" or code.startswith("A"):
            created.append(name)
        elif "D" in code:
            deleted.append(name)
        else:
            changed.append(name)
    # Markers where a merge of this tool's own could not finish, in either style.
    conflicted = {name for name in changed + created if _has_markers(root / name)}
    if conflict == "rej":
        rejects = [name for name in created if name.endswith(".rej")]
        created = [name for name in created if not name.endswith(".rej")]
        conflicted |= {name.removesuffix(".rej") for name in rejects}
    return Updated(
        service.version,
        read_service(root).version,
        sorted(created),
        sorted(changed),
        sorted(deleted),
        sorted(conflicted),
        kept,
    )


def _has_markers(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return any(line.startswith(CONFLICT_MARKER) for line in text.splitlines())

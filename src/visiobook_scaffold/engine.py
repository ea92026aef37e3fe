"""Copier, driven from one place: every render and update of a template goes through here.

Each call gets the same set-up: the template's versions reachable (versions.reachable), Copier's
notes kept off the terminal (it prints some, e.g. "No git tags found", even when quiet: the
command's summary and one-line error are its whole output), and the warning about a template
checkout with uncommitted changes silenced (normal while developing templates).
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import yaml

from visiobook_scaffold import git
from visiobook_scaffold.errors import COPIER_VALIDATION_PREFIX, ScaffoldError, one_line
from visiobook_scaffold.service import Service
from visiobook_scaffold.versions import reachable

ConflictStyle = Literal["inline", "rej"]


def copy(
    template: str,
    dest: Path,
    *,
    answers: dict[str, Any],
    version: str | None,
    ask: bool,
    pretend: bool,
) -> dict[str, Any]:
    """Renders `template` at `version` into the new folder `dest`; returns every answer used.
    A question not in `answers` is asked with `ask`, else takes its default. A pretend run
    shows Copier's own account of what it would write."""
    with _copier(show_notes=pretend) as copier, reachable(template):
        worker = copier.run_copy(
            template,
            dest,
            data=answers,
            vcs_ref=version,
            defaults=not ask,
            pretend=pretend,
            quiet=not pretend,
        )
    return dict(worker.answers.combined)


def render(
    service: Service,
    version: str,
    answers: dict[str, Any],
    dest: Path,
    ask: bool = False,
) -> None:
    """Renders the service's template at `version`, with `answers`, into `dest`; a question
    they do not answer takes its default, or, with `ask`, is asked. The answers are recorded
    in the service layer's own answers file."""
    given = {key: value for key, value in answers.items() if not key.startswith("_")}
    source = service.source
    try:
        with _copier() as copier, service.reachable():
            copier.run_copy(
                source,
                dest,
                data=given,
                vcs_ref=version,
                defaults=not ask,
                quiet=True,
                answers_file=service.answers_file,
            )
    except Exception as error:
        if COPIER_VALIDATION_PREFIX.match(str(error)):
            # The template's validator refused an answer: its message names the answer.
            raise ScaffoldError(one_line(error)) from None
        unanswered = _unanswered_question(error)
        if unanswered is not None:
            raise ScaffoldError(
                f"template {version} asks {unanswered!r}, which has no default:"
                f" answer it with --data {unanswered}=VALUE"
            ) from None
        raise ScaffoldError(
            f"cannot render template {source} at {version}: {one_line(error)}"
        ) from None


def update(
    service: Service,
    *,
    answers: dict[str, Any],
    version: str,
    ask: bool,
    conflict: ConflictStyle,
    pretend: bool,
    unsafe: bool,
) -> None:
    """Copier's three-way update of the service, in place, to `version`. The tree must be
    committed: git holds what the update replaces. Recorded answers are kept; only `answers`
    and questions the new version adds are asked (with `ask`) or defaulted."""
    with _copier() as copier, service.reachable(), _recording_source(service):
        copier.run_update(
            service.root,
            data=answers,
            vcs_ref=version,
            overwrite=True,
            skip_answered=True,
            defaults=not ask,
            conflict=conflict,
            pretend=pretend,
            quiet=True,
            unsafe=unsafe,
            answers_file=service.answers_file,
        )


@contextlib.contextmanager
def _copier(show_notes: bool = False) -> Iterator[ModuleType]:
    import copier  # deferred: importing Copier costs most of a second

    notes = contextlib.nullcontext() if show_notes else contextlib.redirect_stderr(io.StringIO())
    with warnings.catch_warnings(), notes:
        warnings.simplefilter("ignore", copier.errors.DirtyLocalWarning)
        yield copier


def _unanswered_question(error: Exception) -> str | None:
    """The question Copier could not answer without asking (no answer given, no default)."""
    match = re.fullmatch(r'Question "(?P<name>[^"]+)" is required', str(error))
    return match["name"] if isinstance(error, ValueError) and match else None


@contextlib.contextmanager
def _recording_source(service: Service) -> Iterator[None]:
    """Within this block, the answers file records the source Copier is to render from.

    Copier reads where the template is from the answers file only (`_src_path`): it has no
    option for a template that moved (copier issue #1729), whose workaround is to edit that
    line. The edit is hidden from git, since Copier refuses a tree with changes. Copier's update
    writes the file anew, recording the new source; when it did not (pretend, a failure), the
    file gets its bytes back.
    """
    source = service.source
    if source == service.recorded_source:
        yield
        return
    path = service.root / service.answers_file
    original = path.read_bytes()
    edited = yaml.safe_dump({**service.answers, "_src_path": source}, sort_keys=False).encode()
    path.write_bytes(edited)
    try:
        with git.unseen_changes(service.root, service.answers_file):
            yield
    finally:
        if path.read_bytes() == edited:
            path.write_bytes(original)

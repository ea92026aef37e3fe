"""`visiobook new`: render a template into a new folder with Copier, all or nothing."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from visiobook_scaffold import engine, git
from visiobook_scaffold.errors import InterruptError, ScaffoldError, one_line


@dataclass(frozen=True)
class NewProject:
    dest: Path
    template: str
    """A local folder or a git URL holding copier.yml."""
    vcs_ref: str | None
    answers: dict[str, Any]
    ask: bool
    """Let Copier prompt for answers not given (a template prompts.py cannot read first, such
    as a git URL); else answers not given take their defaults."""
    pretend: bool
    git: bool


@dataclass(frozen=True)
class Generated:
    dest: Path
    answers: dict[str, Any]
    files: int
    commit: str | None
    """Short hash of the initial commit, when one was made."""
    git_note: str | None
    """Why no repository was initialised, when it was not."""


def check_destination(dest: Path) -> None:
    try:
        if dest.is_symlink() and not dest.exists():
            raise ScaffoldError(f"destination {dest} is a symbolic link to nothing")
        if dest.exists() and not dest.is_dir():
            raise ScaffoldError(f"destination {dest} exists and is not a folder")
        if dest.is_dir() and any(dest.iterdir()):
            raise ScaffoldError(f"destination {dest} exists and is not empty")
        # Below a file, the folder cannot be made (the root always exists).
        existing = next(parent for parent in dest.absolute().parents if parent.exists())
        if not existing.is_dir():
            raise ScaffoldError(f"destination {dest} cannot be made: {existing} is not a folder")
    except OSError as error:  # a name too long, a folder that cannot be read
        raise ScaffoldError(f"destination {dest} cannot be used: {error.strerror}") from None


def generate(project: NewProject) -> Generated:
    git.require()
    check_destination(project.dest)
    existed = project.dest.exists()
    try:
        answers = engine.copy(
            project.template,
            project.dest,
            answers=project.answers,
            version=project.vcs_ref,
            ask=project.ask,
            pretend=project.pretend,
        )
    except BaseException as error:
        _remove_output(project.dest, existed)
        if isinstance(error, KeyboardInterrupt):
            raise InterruptError("interrupted: nothing was written") from None
        if isinstance(error, ScaffoldError):
            raise
        raise ScaffoldError(one_line(error)) from error
    if project.pretend:
        return Generated(project.dest, answers, 0, None, "pretend: nothing was written")

    files = sum(1 for path in project.dest.rglob("*") if path.is_file())
    if not project.git:
        return Generated(project.dest, answers, files, None, "--no-git")
    if git.inside_work_tree(project.dest.resolve().parent):
        return Generated(project.dest, answers, files, None, "already inside a git repository")
    service = answers.get("service_name", project.dest.name)
    try:
        commit = git.init_and_commit(
            project.dest, f"Generate {service} from the {answers.get('stack')} template"
        )
    except BaseException as error:
        # A half-made repository would leave a service that cannot be updated, and a rerun
        # would find the destination taken: all or nothing.
        _remove_output(project.dest, existed)
        if isinstance(error, KeyboardInterrupt):
            raise InterruptError("interrupted: nothing was written") from None
        raise ScaffoldError(
            f"the first commit failed, nothing was written: {one_line(error)}"
        ) from error
    return Generated(project.dest, answers, files, commit, None)


def _remove_output(dest: Path, existed: bool) -> None:
    """Leave the destination as it was: absent, or the empty folder the user gave."""
    if not dest.exists():
        return
    if not existed:
        shutil.rmtree(dest, ignore_errors=True)
        return
    for child in dest.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def is_interactive() -> bool:
    return sys.stdin.isatty()

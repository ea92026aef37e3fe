"""The few git operations the CLI needs, through the git command line."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from visiobook_scaffold.errors import ScaffoldError

# Used only when the user has no git identity configured, so the first commit can be made.
FALLBACK_IDENTITY = {
    "GIT_AUTHOR_NAME": "visiobook-scaffold",
    "GIT_AUTHOR_EMAIL": "scaffold@visiobook.invalid",
    "GIT_COMMITTER_NAME": "visiobook-scaffold",
    "GIT_COMMITTER_EMAIL": "scaffold@visiobook.invalid",
}


def _git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, env=env
    )
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise ScaffoldError(f"git {args[0]} failed in {cwd}: {detail}")
    return result.stdout.strip()


def inside_work_tree(path: Path) -> bool:
    """True when `path` (an existing folder) already belongs to a git work tree."""
    try:
        return _git(path, "rev-parse", "--is-inside-work-tree") == "true"
    except ScaffoldError:
        return False


def init_and_commit(path: Path, message: str) -> str:
    """`git init` a freshly generated project and commit everything; returns the short hash."""
    _git(path, "init", "--quiet", "--initial-branch=main")
    try:
        _git(path, "config", "user.email")
        env = None
    except ScaffoldError:  # no identity configured anywhere
        env = {**os.environ, **FALLBACK_IDENTITY}
    _git(path, "add", "--all")
    _git(path, "commit", "--quiet", "--no-verify", "--message", message, env=env)
    return _git(path, "rev-parse", "--short", "HEAD")

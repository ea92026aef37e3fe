"""The few git operations the CLI needs, through the git command line."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from visiobook_scaffold.errors import ScaffoldError

# Used only when the user has no git identity configured, so the first commit can be made.
FALLBACK_IDENTITY = {
    "GIT_AUTHOR_NAME": "visiobook-scaffold",
    "GIT_AUTHOR_EMAIL": "scaffold@visiobook.invalid",
    "GIT_COMMITTER_NAME": "visiobook-scaffold",
    "GIT_COMMITTER_EMAIL": "scaffold@visiobook.invalid",
}


def _git(
    cwd: Path, *args: str, env: dict[str, str] | None = None, check: bool = True, strip: bool = True
) -> str:
    result = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, env=env
    )
    if check and result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise ScaffoldError(f"git {args[0]} failed in {cwd}: {detail}")
    return result.stdout.strip() if strip else result.stdout


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


def changes(path: Path) -> list[tuple[str, str]]:
    """Uncommitted changes under `path`, untracked files included (ignored ones not), as
    (two-letter status, path relative to `path`) pairs; renames show as deletion + addition."""
    top = Path(_git(path, "rev-parse", "--show-toplevel")).resolve()
    here = path.resolve()
    out = _git(
        path, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", strip=False
    )
    entries = []
    for entry in filter(None, out.split("\0")):
        absolute = top / entry[3:]
        if absolute.is_relative_to(here):
            entries.append((entry[:2], absolute.relative_to(here).as_posix()))
    return entries


def restore_head(path: Path) -> None:
    """Puts everything under `path` back as the last commit has it: changes undone, untracked
    files removed (ignored files stay). Only for a tree known to have had no changes of its own."""
    _git(path, "reset", "--quiet", "HEAD", "--", ".", check=False)
    _git(path, "checkout", "--quiet", "HEAD", "--", ".", check=False)
    _git(path, "clean", "-d", "--force", "--quiet", "--", ".", check=False)


def remote_tags(source: str) -> list[str]:
    """Tag names of the repository at `source`, a URL or a local path."""
    out = _git(Path.cwd(), "ls-remote", "--tags", "--refs", "--", source)
    return [line.split("refs/tags/", 1)[1] for line in out.splitlines() if "refs/tags/" in line]


@contextmanager
def fetch_instead(url: str, target: str) -> Iterator[None]:
    """Within this block, every git process started from here fetches `url` from `target`
    (git's `url.<target>.insteadOf`, given through the environment, not written anywhere)."""
    # Copier runs git through plumbum, whose environment is a copy of os.environ taken when it
    # was imported: both are set.
    from plumbum import local

    index = int(os.environ.get("GIT_CONFIG_COUNT", "0"))
    added = {
        "GIT_CONFIG_COUNT": str(index + 1),
        f"GIT_CONFIG_KEY_{index}": f"url.{target}.insteadOf",
        f"GIT_CONFIG_VALUE_{index}": url,
    }
    saved = {name: os.environ.get(name) for name in added}
    os.environ.update(added)
    try:
        with local.env(**added):
            yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

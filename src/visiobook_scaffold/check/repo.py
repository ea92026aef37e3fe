"""The repository under check: its files, read once and on demand."""

from __future__ import annotations

import fnmatch
import os
import posixpath
import stat
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

import yaml

T = TypeVar("T")

# Never part of a service's own sources, whatever the .gitignore says.
SKIPPED_DIRS = frozenset(
    {".git", "node_modules", ".venv", "venv", "__pycache__", "dist", "build", "coverage",
     ".mypy_cache", ".pytest_cache", ".ruff_cache", "vendor", ".tox", ".next", ".nuxt"}
)  # fmt: skip
# Build output elsewhere, but what git lists there is committed on purpose: Go's standard
# layout keeps its packaging in build/ (build/package/Dockerfile).
COMMITTED_BUILD_DIRS = frozenset({"build"})
MAX_TEXT_BYTES = 1_000_000
"""Larger files are not read: no hand-written source or config is that big."""


class Repo:
    """A service repository: the files git would commit (tracked, or untracked and not ignored);
    without git, every file but dependency and build folders and what .gitignore ignores."""

    def __init__(
        self, root: Path, stack: str, kind: str, today: date, template: str | None = None
    ) -> None:
        self.root = root
        self.stack = stack
        self.kind = kind
        self.today = today
        """The day waivers are judged on."""
        self.template = template
        """Where to read the template's releases (`--template`); None: the recorded source."""
        self._texts: dict[str, str | None] = {}
        self._memo: dict[str, Any] = {}

    @cached_property
    def files(self) -> tuple[str, ...]:
        listed = _git_files(self.root)
        if not listed:
            # Outside git, or in a folder the enclosing repository ignores (a demo, a scratch
            # copy): the service is judged as the repository of its own it would be.
            listed = _files_of_own_repository(self.root)
        return tuple(sorted(listed if listed is not None else _walk(self.root)))

    @cached_property
    def file_set(self) -> frozenset[str]:
        return frozenset(self.files)

    @cached_property
    def dirs(self) -> frozenset[str]:
        parents: set[str] = set()
        for name in self.files:
            parents.update(str(parent) for parent in PurePosixPath(name).parents)
        parents.discard(".")
        return frozenset(parents)

    def has_file(self, path: str) -> bool:
        return path in self.file_set

    def has_dir(self, path: str) -> bool:
        """A folder with at least one listed file: git keeps no empty folder, so an empty one
        would be missing from every clone."""
        return path in self.dirs

    def text(self, path: str) -> str | None:
        """The file's text; None when it is missing, too large or not text."""
        if path not in self._texts:
            self._texts[path] = _read(self.root / path)
        return self._texts[path]

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()` once per repo: for work several rules share (e.g. rendering the chart)."""
        if key not in self._memo:
            self._memo[key] = compute()
        result: T = self._memo[key]
        return result

    def under(self, folders: tuple[str, ...], suffixes: tuple[str, ...]) -> list[str]:
        """Listed files below any of `folders` ("" for the whole repo) ending in a suffix; for a
        named folder, also the repository root's files below it (`root_files`): a service in a
        monorepo is built by the root's .github/workflows."""
        prefixes = tuple(f"{folder}/" if folder else "" for folder in folders)
        own = [name for name in self.files if name.startswith(prefixes) and name.endswith(suffixes)]
        named = tuple(prefix for prefix in prefixes if prefix)
        shared = [
            name
            for name in self.root_files
            if named and self.repository_path(name).startswith(named) and name.endswith(suffixes)
        ]
        return own + shared

    @cached_property
    def repository_root(self) -> Path:
        """The top of the git repository the service is committed in: its own folder, unless
        the service is a folder of a larger repository (a monorepo). Outside git, or in a
        folder the enclosing repository ignores, the service's folder."""
        top = _git_top(self.root)
        if top is None or top == self.root or not _git_files(self.root):
            return self.root
        return top

    @cached_property
    def folder_in_repository(self) -> str:
        """The service's folder relative to the repository root ("" when it is the root)."""
        return self.root.relative_to(self.repository_root).as_posix().removeprefix(".")

    def repository_path(self, path: str) -> str:
        """A path relative to the service as a path relative to the repository root."""
        return posixpath.normpath(posixpath.join(self.folder_in_repository or ".", path))

    @cached_property
    def root_files(self) -> tuple[str, ...]:
        """Files outside the service's folder that still concern it, as paths relative to the
        service ("../.github/workflows/ci.yml", a path a reader can open): the repository
        root's workflows (those that concern the service, see `_workflow_concerns`) and its
        .env files. Empty when the service is the repository root."""
        folder = self.folder_in_repository
        if not folder:
            return ()
        top = self.repository_root
        shared = _git_files_at(top, (".github/workflows", ".env*"))
        found = []
        for name in sorted(shared):
            is_workflow = name.startswith(".github/workflows/") and name.endswith((".yml", ".yaml"))
            is_env = "/" not in name and (name == ".env" or name.startswith(".env."))
            if is_env or (is_workflow and _workflow_concerns(_read(top / name), folder)):
                found.append(posixpath.relpath(name, folder))
        return tuple(found)


def _git(cwd: Path, *arguments: str) -> str | None:
    """What a git command prints; None outside git, or without git."""
    try:
        result = subprocess.run(
            ["git", *arguments], cwd=cwd, capture_output=True, check=True, timeout=60
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.decode("utf-8", "replace")


LIST_COMMITTABLE = ("ls-files", "-z", "--cached", "--others", "--exclude-standard")
"""The files git would commit: tracked, and untracked ones no .gitignore excludes."""


def _git_files(root: Path, *repository: str) -> list[str] | None:
    """Files git would commit, relative to `root`: also when `root` is a folder of a larger
    repository (a monorepo). None outside git."""
    listed = _git(root, *repository, *LIST_COMMITTABLE)
    if listed is None:
        return None
    names = {name for name in listed.split("\0") if name}
    skipped = SKIPPED_DIRS - COMMITTED_BUILD_DIRS
    # Deleted but not yet staged: not there to read.
    return [
        name for name in names if not _in_skipped_dir(name, skipped) and (root / name).is_file()
    ]


def _git_top(root: Path) -> Path | None:
    top = (_git(root, "rev-parse", "--show-toplevel") or "").strip()
    return Path(top).resolve() if top else None


def _git_files_at(top: Path, pathspecs: tuple[str, ...]) -> list[str]:
    """Files git would commit that match `pathspecs`, relative to `top`."""
    listed = _git(top, *LIST_COMMITTABLE, "--", *pathspecs) or ""
    names = {name for name in listed.split("\0") if name}
    return [name for name in names if (top / name).is_file()]


def _workflow_concerns(text: str | None, folder: str) -> bool:
    """Whether a root workflow builds or tests the service in `folder`: it does unless its
    `paths:` filters or `working-directory:` settings name only other folders."""
    try:
        workflow = yaml.safe_load(text or "")
    except yaml.YAMLError:
        return True  # ci-jobs says it does not parse
    if not isinstance(workflow, dict):
        return True
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    patterns = [
        str(pattern).removeprefix("./")
        for event in (triggers.values() if isinstance(triggers, dict) else ())
        if isinstance(event, dict)
        for pattern in (event.get("paths") or ())
        if not str(pattern).startswith("!")
    ]
    directories = [str(d).removeprefix("./").rstrip("/") for d in _working_directories(workflow)]
    if not patterns and not directories:
        return True
    probe = f"{folder}/any/file"
    return any(fnmatch.fnmatch(probe, p) or fnmatch.fnmatch(folder, p) for p in patterns) or any(
        "${{" in d or d == folder or d.startswith(f"{folder}/") for d in directories
    )


def _working_directories(node: object) -> list[object]:
    if isinstance(node, dict):
        return [
            found
            for key, value in node.items()
            for found in ([value] if key == "working-directory" else _working_directories(value))
        ]
    if isinstance(node, list):
        return [found for item in node for found in _working_directories(item)]
    return []


def _files_of_own_repository(root: Path) -> list[str] | None:
    """Files git would commit if `root` were the top of a new repository: its own .gitignore
    files apply, no enclosing repository's. None without git."""
    with tempfile.TemporaryDirectory(prefix="visiobook-check-") as scratch:
        git_dir = Path(scratch) / "git"
        try:
            subprocess.run(
                ["git", "init", "--quiet", "--bare", str(git_dir)],
                capture_output=True,
                check=True,
                timeout=60,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return _git_files(root, f"--git-dir={git_dir}", f"--work-tree={root}")


def _walk(root: Path) -> list[str]:
    """Without git: every file but dependency and build folders and those the .gitignore files
    ignore (read as git reads the common forms: globs, a leading or inner `/` anchoring to the
    file's folder, a trailing `/` for folders, `!` taking a name back)."""
    found: list[str] = []
    rules_of: dict[Path, list[_IgnoreRule]] = {root: []}
    for folder, subdirs, names in os.walk(root):
        here = Path(folder)
        rules = rules_of[here] + _ignore_rules(here)
        subdirs[:] = [
            name
            for name in subdirs
            if name not in SKIPPED_DIRS and not _ignored(rules, here / name, is_dir=True)
        ]
        for name in subdirs:
            rules_of[here / name] = rules
        # Regular files only: a FIFO or a device (a link to /dev/zero) is nothing to read.
        found.extend(
            (here / name).relative_to(root).as_posix()
            for name in names
            if (here / name).is_file() and not _ignored(rules, here / name, is_dir=False)
        )
    return found


@dataclass(frozen=True)
class _IgnoreRule:
    base: Path
    """The folder of the .gitignore: an anchored pattern is relative to it."""
    pattern: str
    anchored: bool
    dir_only: bool
    negated: bool


def _ignore_rules(folder: Path) -> list[_IgnoreRule]:
    text = _read(folder / ".gitignore") or ""
    rules = []
    for line in text.splitlines():
        pattern = line.rstrip()
        if not pattern or pattern.startswith("#"):
            continue
        negated = pattern.startswith("!")
        pattern = pattern.removeprefix("!")
        dir_only = pattern.endswith("/")
        pattern = pattern.rstrip("/")
        anchored = "/" in pattern
        rules.append(_IgnoreRule(folder, pattern.lstrip("/"), anchored, dir_only, negated))
    return rules


def _ignored(rules: list[_IgnoreRule], path: Path, is_dir: bool) -> bool:
    ignored = False
    for rule in rules:  # the last rule that matches decides
        if rule.dir_only and not is_dir:
            continue
        relative = path.relative_to(rule.base).as_posix()
        subject = relative if rule.anchored else path.name
        if fnmatch.fnmatchcase(subject, rule.pattern.replace("**/", "*")):
            ignored = not rule.negated
    return ignored


def _in_skipped_dir(name: str, skipped: frozenset[str] = SKIPPED_DIRS) -> bool:
    return any(part in skipped for part in name.split("/")[:-1])


def _read(path: Path) -> str | None:
    try:
        status = path.stat()
        # Opening a FIFO waits for a writer; a device may never end.
        if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_TEXT_BYTES:
            return None
        with path.open("rb") as file:
            data = file.read(MAX_TEXT_BYTES + 1)
    except OSError:
        return None
    if len(data) > MAX_TEXT_BYTES:  # grew since stat
        return None
    if b"\0" in data[:8192]:
        return None
    return data.decode("utf-8", "replace")

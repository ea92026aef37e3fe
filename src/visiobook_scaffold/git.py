"""The few git operations the CLI needs, through the git command line."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
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


def require() -> None:
    """Templates and services are git repositories: without git nothing can be done."""
    if shutil.which("git") is None:
        raise ScaffoldError("git is not installed (not found on PATH): install git, then retry")


def _git(
    cwd: Path,
    *args: str,
    env: dict[str, str] | None = None,
    check: bool = True,
    strip: bool = True,
    timeout: float | None = None,
) -> str:
    try:
        result = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
            env=env,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise ScaffoldError(f"git {args[0]} gave no answer in {timeout:g} s") from None
    if check and result.returncode != 0:
        lines = result.stderr.strip().splitlines() or ["no output"]
        # git's first `fatal:` says why; its last line may be advice ("and the repository exists.")
        detail = next((line for line in lines if line.startswith("fatal: ")), lines[-1])
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


EMPTY_BLOB = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"


def added_on_both_sides(path: Path) -> list[tuple[str, str, str]]:
    """Unmerged files whose base is empty: (name relative to `path`, our blob, their blob)."""
    out = _git(path, "ls-files", "--unmerged", "-z", "--", ".", strip=False)
    stages: dict[str, dict[str, str]] = {}
    for entry in filter(None, out.split("\0")):
        meta, name = entry.split("\t", 1)
        _mode, blob, stage = meta.split()
        stages.setdefault(name, {})[stage] = blob
    return [
        (name, blobs["2"], blobs["3"])
        for name, blobs in stages.items()
        if blobs.get("1", EMPTY_BLOB) == EMPTY_BLOB and "2" in blobs and "3" in blobs
    ]


def ignored(path: Path, names: list[str]) -> list[str]:
    """Those of `names` (relative to `path`) that git ignores there."""
    if not names:
        return []
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", "-z", "--stdin"],
        cwd=path,
        input="\0".join(names).encode() + b"\0",
        capture_output=True,
        check=False,
    )
    if result.returncode not in (0, 1):  # 1: none of them is ignored
        detail = result.stderr.decode(errors="replace").strip() or "no output"
        raise ScaffoldError(f"git check-ignore failed in {path}: {detail}")
    return [name for name in result.stdout.decode().split("\0") if name]


def head_blob(path: Path, name: str) -> str | None:
    """The blob of `name` (relative to `path`) in the last commit, None if it has none."""
    blob = _git(path, "rev-parse", "--verify", "--quiet", f"HEAD:./{name}", check=False)
    return blob or None


def blob_text(path: Path, blob: str) -> str:
    return _git(path, "cat-file", "blob", blob, strip=False)


def merge_texts(path: Path, ours: str, base: str, theirs: str, labels: tuple[str, str]) -> str:
    """Three-way merge of file contents (`git merge-file`); conflicts get markers."""
    with tempfile.TemporaryDirectory(prefix="visiobook-merge-") as scratch:
        files = []
        for side, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            file = Path(scratch) / side
            file.write_text(text, encoding="utf-8")
            files.append(str(file))
        merge = ["merge-file", "-p", "-L", labels[0], "-L", "base", "-L", labels[1], *files]
        # Exit status: the number of conflicts (or negative on error); stdout: the merge.
        result = subprocess.run(["git", *merge], cwd=path, capture_output=True, text=True)
        if result.returncode < 0 or result.returncode > 127:
            raise ScaffoldError(f"git merge-file failed in {path}: {result.stderr.strip()}")
        return result.stdout


def stage(path: Path, name: str) -> None:
    _git(path, "add", "--", name)


@contextmanager
def unseen_changes(path: Path, name: str) -> Iterator[None]:
    """Within this block, git takes the file `name` (relative to `path`) as the index has it,
    whatever is written there (`update-index --skip-worktree`): `git status` shows no change."""
    _git(path, "update-index", "--skip-worktree", "--", name)
    try:
        yield
    finally:
        _git(path, "update-index", "--no-skip-worktree", "--", name)


def head_commit(path: Path) -> str:
    return _git(path, "rev-parse", "--verify", "HEAD")


def mark_commit(path: Path, ref: str, commit: str) -> None:
    """Names `commit` `ref`, so it can be found again (after an update: the way back)."""
    _git(path, "update-ref", ref, commit)


def commit_everything(path: Path, message: str) -> None:
    """Commits every change under `path`, conflict markers included, as this tool: a step of its
    own work that `reset_to` takes back (no hook runs, nothing is signed)."""
    _git(path, "add", "--all", "--", ".")
    _git(
        path,
        "-c",
        "user.name=visiobook",
        "-c",
        "user.email=visiobook@localhost",
        "commit",
        "--quiet",
        "--allow-empty",
        "--no-verify",
        "--no-gpg-sign",
        "--message",
        message,
    )


def reset_to(path: Path, commit: str) -> None:
    """Moves the branch back to `commit`, leaving the files as they are: what was committed
    since shows as changes again."""
    _git(path, "reset", "--quiet", commit)


def restore_head(path: Path) -> None:
    """Puts everything under `path` back as the last commit has it: changes undone, untracked
    files removed (ignored files stay). Only for a tree known to have had no changes of its own."""
    _git(path, "reset", "--quiet", "HEAD", "--", ".", check=False)
    _git(path, "checkout", "--quiet", "HEAD", "--", ".", check=False)
    _git(path, "clean", "-d", "--force", "--quiet", "--", ".", check=False)


def diff_trees(base: Path, tree: Path, git_dir: Path, labels: tuple[str, str]) -> bytes:
    """The unified diff from the files of `base` to those of `tree`, as git writes it, with
    `tree`'s own .gitignore deciding what counts. `git_dir` is a scratch repository: the base
    is committed there, then `tree` is staged through --work-tree and compared with it. Paths
    are prefixed with `labels` (`template/Dockerfile`, `service/Dockerfile`)."""
    scratch = ["-c", "user.name=visiobook", "-c", "user.email=visiobook@visiobook.invalid"]

    def run(*args: str, work_tree: Path) -> bytes:
        result = subprocess.run(
            ["git", *scratch, f"--git-dir={git_dir}", f"--work-tree={work_tree}", *args],
            capture_output=True,
            check=False,
        )
        if result.returncode != 0:
            stderr = result.stderr.decode(errors="replace")
            detail = (stderr.strip().splitlines() or ["no output"])[-1]
            raise ScaffoldError(f"git {args[0]} failed while comparing: {detail}")
        return result.stdout

    run("init", "--quiet", work_tree=base)
    run("add", "--all", work_tree=base)
    run("commit", "--quiet", "--allow-empty", "--no-verify", "-m", "base", work_tree=base)
    run("add", "--all", work_tree=tree)
    return run(
        "diff", "--cached", "--no-color", "--no-renames", f"--src-prefix={labels[0]}/",
        f"--dst-prefix={labels[1]}/", work_tree=tree,
    )  # fmt: skip


def remote_tags(source: str) -> list[str]:
    """Tag names of the repository at `source`, a URL or a local path."""
    # Never a credentials prompt, never a hang: this only asks which versions exist.
    config, settings = network_settings()
    with configured(config, settings):
        out = _git(
            Path.cwd(), "ls-remote", "--tags", "--refs", "--", source, timeout=network_timeout()
        )
    return [line.split("refs/tags/", 1)[1] for line in out.splitlines() if "refs/tags/" in line]


def bundle_head(bundle: Path) -> str | None:
    """The commit a git bundle records as its HEAD (the checkout it was made from)."""
    out = _git(bundle.parent, "bundle", "list-heads", str(bundle), "HEAD", check=False)
    commit = out.split(" ", 1)[0]
    return commit or None


def network_timeout() -> int:
    """Seconds a git network operation may go without progress (VISIOBOOK_GIT_TIMEOUT)."""
    value = os.environ.get("VISIOBOOK_GIT_TIMEOUT", "")
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_NETWORK_TIMEOUT


DEFAULT_NETWORK_TIMEOUT = 60


def network_settings() -> tuple[dict[str, str], dict[str, str]]:
    """The git configuration and environment under which no git network operation hangs:
    no credentials prompt, HTTP(S) transfers that stall are aborted, SSH connections that stall
    are dropped. (The plain git:// protocol has no timeout of its own.)"""
    seconds = network_timeout()
    config = {"http.lowSpeedLimit": "1", "http.lowSpeedTime": str(seconds)}
    env = {"GIT_TERMINAL_PROMPT": "0"}
    if "GIT_SSH_COMMAND" not in os.environ and "GIT_SSH" not in os.environ:
        env["GIT_SSH_COMMAND"] = (
            f"ssh -o BatchMode=yes -o ConnectTimeout={seconds}"
            f" -o ServerAliveInterval={max(seconds // 3, 1)} -o ServerAliveCountMax=3"
        )
    return config, env


@contextmanager
def configured(config: dict[str, str], env: dict[str, str] | None = None) -> Iterator[None]:
    """Within this block, every git process started from here reads `config` (given through
    the environment, `GIT_CONFIG_KEY_<n>`, not written anywhere) and `env`."""
    index = int(os.environ.get("GIT_CONFIG_COUNT", "0"))
    added = {"GIT_CONFIG_COUNT": str(index + len(config)), **(env or {})}
    for offset, (key, value) in enumerate(config.items()):
        added[f"GIT_CONFIG_KEY_{index + offset}"] = key
        added[f"GIT_CONFIG_VALUE_{index + offset}"] = value
    saved = {name: os.environ.get(name) for name in added}
    os.environ.update(added)
    try:
        with _plumbum_env(added):
            yield
    finally:
        for name, previous in saved.items():
            if previous is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = previous


@contextmanager
def _plumbum_env(added: dict[str, str]) -> Iterator[None]:
    """Copier runs git through plumbum, whose environment is a copy of os.environ taken when
    plumbum was imported: the variables go there too."""
    try:
        from plumbum import local
    except ImportError:  # a Copier that no longer uses plumbum reads os.environ
        yield
        return
    with local.env(**added):
        yield

"""`visiobook diff`: what a team changed relative to a clean render of its template version.

The service's recorded template (`_src_path`) is rendered again at its recorded version
(`_commit`) with its recorded answers into a scratch folder; the service's files, as git sees
them (its .gitignore applies, uncommitted changes count), are then compared with that render.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path

from visiobook_scaffold import git as git_tool
from visiobook_scaffold.errors import ScaffoldError, one_line
from visiobook_scaffold.service import recorded_answers, template_version
from visiobook_scaffold.versions import reachable, template_source

IDENTITY = ["-c", "user.name=visiobook", "-c", "user.email=visiobook@visiobook.invalid"]


def drift(path: Path, template: str | None = None) -> bytes:
    """The unified diff from a clean render to the service, as git writes it (a file that is
    not UTF-8 keeps its bytes); empty when they are the same."""
    git_tool.require()
    answers = recorded_answers(path)
    version = template_version(path)
    recorded = str(answers.get("_src_path", ""))
    source = template_source(recorded, template)
    scratch = Path(tempfile.mkdtemp(prefix="visiobook-diff-"))
    try:
        clean = scratch / "clean"
        with reachable(recorded, template):
            render_version(source, version, answers, clean)
        return _compare(clean, path.resolve(), scratch / "git")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def render_version(
    source: str, version: str, answers: dict[str, object], dest: Path, ask: bool = False
) -> None:
    """Renders the template at `source`, at `version`, with `answers`, into `dest`; a question
    they do not answer takes its default, or, with `ask`, is asked."""
    import copier  # deferred: importing Copier costs most of a second

    given = {key: value for key, value in answers.items() if not key.startswith("_")}
    try:
        with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore", copier.errors.DirtyLocalWarning)
            copier.run_copy(source, dest, data=given, vcs_ref=version, defaults=not ask, quiet=True)
    except Exception as error:
        unanswered = _unanswered_question(error)
        if unanswered is not None:
            raise ScaffoldError(
                f"template {version} asks {unanswered!r}, which has no default:"
                f" answer it with --data {unanswered}=VALUE"
            ) from None
        raise ScaffoldError(
            f"cannot render template {source} at {version}: {one_line(error)}"
        ) from None


def _unanswered_question(error: Exception) -> str | None:
    """The question Copier could not answer without asking (no answer given, no default)."""
    match = re.fullmatch(r'Question "(?P<name>[^"]+)" is required', str(error))
    return match["name"] if isinstance(error, ValueError) and match else None


def _compare(clean: Path, service: Path, git_dir: Path) -> bytes:
    """Commits the clean render in a scratch repository, then stages the service's tree in it
    (through --work-tree, so the service's .gitignore decides what counts) and diffs the two."""

    def git(*args: str, work_tree: Path) -> bytes:
        result = subprocess.run(
            ["git", *IDENTITY, f"--git-dir={git_dir}", f"--work-tree={work_tree}", *args],
            capture_output=True,
            check=False,
        )
        if result.returncode != 0:
            stderr = result.stderr.decode(errors="replace")
            detail = (stderr.strip().splitlines() or ["no output"])[-1]
            raise ScaffoldError(f"git {args[0]} failed while comparing: {detail}")
        return result.stdout

    git("init", "--quiet", work_tree=clean)
    git("add", "--all", work_tree=clean)
    git("commit", "--quiet", "--allow-empty", "--no-verify", "-m", "clean render", work_tree=clean)
    git("add", "--all", work_tree=service)
    return git(
        "diff", "--cached", "--no-color", "--no-renames", "--src-prefix=template/",
        "--dst-prefix=service/", work_tree=service,
    )  # fmt: skip

"""Slow tier: no update loses a byte the team wrote, on every stack.

Each scenario changes a real service of every stack as a team would, releases a template version
with changes of its own, and updates. Whatever happens, every byte the team wrote (each line it
added or changed, each file it added, a file's mode, a file git ignores) is either still in place
or in a file the update names as a conflict or as kept, and the exit code says which: 0 when
nothing is named, 1 when something is, 2 (with the tree untouched) for an update refused.

A service of each stack is generated once from v1.0.0 and copied for each scenario; each
scenario releases its template version on a branch of its own from v1.0.0.
"""

from __future__ import annotations

import difflib
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
import yaml

from tests.helpers import AVAILABLE_STACKS, git
from tests.slow.updates import TemplateRepository, commit, replace_in, visiobook

pytestmark = pytest.mark.slow

REVIEW_LINE = "git working tree, then review the changes like any other commit."
TITLE_LINE = "media-service: a Visiobook microservice"
# No stack ships a binary file; the scenarios' template has one from v1.0.0 on.
DIAGRAM = "docs/diagram.png"
PNG_HEADER = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"


@dataclass(frozen=True)
class Work:
    """One file as the team left it, and as the template last wrote it."""

    team: bytes | None
    """None: the team deleted the file."""
    base: bytes | None
    """None: the team added the file (or git ignores it)."""
    executable: bool = False


@dataclass(frozen=True)
class Outcome:
    code: int
    summary: dict[str, object]
    stderr: str

    @property
    def named(self) -> set[str]:
        conflicted = self.summary.get("conflicted", [])
        kept = self.summary.get("kept", [])
        assert isinstance(conflicted, list)
        assert isinstance(kept, list)
        return set(conflicted) | {entry["path"] for entry in kept}

    @property
    def kept(self) -> dict[str, dict[str, str | None]]:
        kept = self.summary.get("kept", [])
        assert isinstance(kept, list)
        return {entry["path"]: entry for entry in kept}


def team_work(service: Path, since: str) -> dict[str, Work]:
    """Every file the team changed since commit `since`, and every file git ignores."""
    work = {}
    changed = git(service, "diff", "--no-renames", "--name-only", "-z", since, "HEAD")
    for name in filter(None, changed.split("\0")):
        path = service / name
        base = subprocess.run(
            ["git", "show", f"{since}:{name}"], cwd=service, capture_output=True, check=False
        )
        work[name] = Work(
            team=path.read_bytes() if path.is_file() else None,
            base=base.stdout if base.returncode == 0 else None,
            executable=path.is_file() and os.access(path, os.X_OK),
        )
    ignored = git(service, "ls-files", "--others", "--ignored", "--exclude-standard", "-z")
    for name in filter(None, ignored.split("\0")):
        work[name] = Work(team=(service / name).read_bytes(), base=None)
    return work


def lines_written(work: Work) -> list[bytes]:
    """The lines the team added or changed, line endings included."""
    team = (work.team or b"").splitlines(keepends=True)
    base = (work.base or b"").splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, base, team, autojunk=False)
    return [
        line
        for tag, _, _, start, end in matcher.get_opcodes()
        if tag in ("insert", "replace")
        for line in team[start:end]
    ]


def assert_nothing_lost(
    service: Path, work: dict[str, Work], outcome: Outcome, moved: dict[str, str]
) -> None:
    named = outcome.named
    for name, before in work.items():
        path = service / moved.get(name, name)
        if before.team is None:
            assert not path.exists() or name in named, f"{name}: deleted by the team, back"
            continue
        assert path.is_file(), f"{name}: the team's file is gone, and nothing says so"
        now = path.read_bytes()
        if name in outcome.kept or b"\0" in before.team[:8000]:
            assert now == before.team, f"{name}: the team's bytes were replaced"
        else:
            lost = [line for line in lines_written(before) if line not in now.splitlines(True)]
            assert not lost, f"{name}: the team's lines are gone: {lost[:3]}"
        assert os.access(path, os.X_OK) == before.executable, f"{name}: the team's mode changed"
    for entry in outcome.kept.values():
        if entry["beside"] is not None:
            assert (service / str(entry["beside"])).is_file(), entry
    # The exit code says whether anything is named.
    assert outcome.code == (1 if named else 0), (outcome.code, sorted(named), outcome.stderr)


def update(service: Path, *args: str) -> Outcome:
    code, out, err = visiobook("update", service, "--json", *args)
    summary = json.loads(out) if code in (0, 1) else {}
    return Outcome(code, summary, err)


def recorded_version(service: Path) -> str:
    return str(yaml.safe_load((service / ".copier-answers.yml").read_text())["_commit"])


# --- the team's changes ------------------------------------------------------------------------


def edit_title(service: Path) -> None:
    replace_in(service / "README.md", TITLE_LINE, "The media assets of the Visiobook studio.")


def reword_review_line(service: Path) -> None:
    replace_in(service / "README.md", REVIEW_LINE, "git working tree; ask the platform team.")


def add_decisions(service: Path) -> None:
    (service / "docs").mkdir(exist_ok=True)
    (service / "docs/decisions.md").write_text("# Decisions\n\n1. We keep the defaults.\n")


def delete_yamllint(service: Path) -> None:
    (service / ".yamllint.yml").unlink()


def tighten_yamllint(service: Path) -> None:
    with (service / ".yamllint.yml").open("a") as config:
        config.write("  # The team's rule: no trailing spaces, ever.\n  trailing-spaces: enable\n")


def ignore_local_config(service: Path) -> None:
    with (service / ".gitignore").open("a") as ignore:
        ignore.write("config/local.yaml\n")
    (service / "config").mkdir()
    (service / "config/local.yaml").write_text("token: the-teams-own-secret\n")


def redraw_diagram(service: Path) -> None:
    (service / DIAGRAM).write_bytes(PNG_HEADER + b"the team's drawing\0\1\2")


def note_in_dev_image(service: Path) -> None:
    dev_image = service / "docker/Dockerfile.dev"
    dev_image.write_text(dev_image.read_text() + "# The team's own line.\n")


def add_contributing(service: Path) -> None:
    (service / "CONTRIBUTING.md").write_text("# Contributing\n\nAsk the media team first.\n")


def make_readme_executable(service: Path) -> None:
    (service / "README.md").chmod(0o755)


def crlf_readme(service: Path) -> None:
    """As an editor on Windows saves it: every line ends in CRLF, and the title is reworded."""
    edit_title(service)
    readme = service / "README.md"
    readme.write_bytes(readme.read_bytes().replace(b"\n", b"\r\n"))


def edit_answers_by_hand(service: Path) -> None:
    replace_in(
        service / ".copier-answers.yml",
        "image_registry: ghcr.io/visiobook",
        "image_registry: registry.example.com/media",
    )
    with (service / ".copier-answers.yml").open("a") as answers:
        answers.write("# The media team moved its images in November.\n")


# --- the template's changes --------------------------------------------------------------------


def template_rewords_review_line(template: TemplateRepository, stack: str) -> None:
    replace_in(
        template.root / "templates/shared/README.md.jinja",
        REVIEW_LINE,
        "git working tree, then review the changes and run the tests before you merge.",
    )


def template_edits_yamllint(template: TemplateRepository, stack: str) -> None:
    replace_in(template.root / "templates/shared/.yamllint.yml", "max: 120", "max: 110")


def template_adds_local_config(template: TemplateRepository, stack: str) -> None:
    (template.stack_tree(stack) / "config").mkdir()
    (template.stack_tree(stack) / "config/local.yaml").write_text("token: change-me\n")


def template_redraws_diagram(template: TemplateRepository, stack: str) -> None:
    (template.stack_tree(stack) / DIAGRAM).write_bytes(PNG_HEADER + b"the template's\0\3")


def template_drops_yamllint(template: TemplateRepository, stack: str) -> None:
    (template.stack_tree(stack) / ".yamllint.yml").unlink()


def template_renames_dev_image(template: TemplateRepository, stack: str) -> None:
    docker = template.stack_tree(stack) / "docker"
    git(
        template.root,
        "mv",
        str(docker / "Dockerfile.dev.jinja"),
        str(docker / "Dev.Dockerfile.jinja"),
    )


def template_adds_contributing(template: TemplateRepository, stack: str) -> None:
    (template.stack_tree(stack) / "CONTRIBUTING.md").write_text(
        "# Contributing\n\nOne change per pull request.\n"
    )


@dataclass(frozen=True)
class Scenario:
    team: Callable[[Path], None]
    template: Callable[[TemplateRepository, str], None]
    code: int
    args: tuple[str, ...] = ()
    moved: dict[str, str] = field(default_factory=dict)


SCENARIOS = {
    "edits on different lines merge": Scenario(edit_title, template_rewords_review_line, 0),
    "edits of the same line conflict": Scenario(
        reword_review_line, template_rewords_review_line, 1
    ),
    "a file the team added stays": Scenario(add_decisions, template_rewords_review_line, 0),
    "a file the team deleted stays deleted": Scenario(delete_yamllint, template_edits_yamllint, 0),
    "a path the template adds that the team ignores is kept": Scenario(
        ignore_local_config, template_adds_local_config, 1
    ),
    "a binary file both sides changed is kept": Scenario(
        redraw_diagram, template_redraws_diagram, 1
    ),
    "a file the team edited and the template deletes is kept": Scenario(
        tighten_yamllint, template_drops_yamllint, 1
    ),
    "a file the template renames takes the team's edits": Scenario(
        note_in_dev_image,
        template_renames_dev_image,
        0,
        moved={"docker/Dockerfile.dev": "docker/Dev.Dockerfile"},
    ),
    "a file the team and the template both add": Scenario(
        add_contributing, template_adds_contributing, 1
    ),
    "a mode the team set survives the template's edit": Scenario(
        make_readme_executable, template_rewords_review_line, 0
    ),
    "a file the team saved with CRLF": Scenario(crlf_readme, template_rewords_review_line, 1),
    "an answers file edited by hand": Scenario(
        edit_answers_by_hand, template_rewords_review_line, 0
    ),
    "a mistyped answer is refused": Scenario(
        edit_title, template_rewords_review_line, 2, args=("--data", "prot=9000")
    ),
    "a version that does not exist is refused": Scenario(
        edit_title, template_rewords_review_line, 2, args=("--to", "v9.9.9")
    ),
}


# --- the services ------------------------------------------------------------------------------

versions = itertools.count(1)


def next_version() -> str:
    return f"v1.{next(versions)}.0"


@dataclass(frozen=True)
class Released:
    template: TemplateRepository
    service: Path


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Released]:
    """Per stack: the template released as v1.0.0 (with a binary file) and a service of it."""

    @cache
    def of(stack: str) -> Released:
        root = tmp_path_factory.mktemp(f"released-{stack}")
        template = TemplateRepository.of_this_checkout(root / "template")
        (template.stack_tree(stack) / DIAGRAM).parent.mkdir(exist_ok=True)
        (template.stack_tree(stack) / DIAGRAM).write_bytes(PNG_HEADER + b"v1\0")
        template.release("v1.0.0")
        return Released(template, template.generate(root / "media-service", stack))

    return of


@pytest.fixture
def start(
    released: Callable[[str], Released], tmp_path: Path
) -> Callable[[str], tuple[TemplateRepository, Path]]:
    """A copy of the stack's generated service, and the template on a branch from v1.0.0."""

    def of(stack: str) -> tuple[TemplateRepository, Path]:
        origin = released(stack)
        service = tmp_path / "media-service"
        shutil.copytree(origin.service, service, symlinks=True)
        git(origin.template.root, "checkout", "--quiet", "-B", tmp_path.name, "v1.0.0")
        return origin.template, service

    return of


def changed_by_the_team(service: Path, change: Callable[[Path], None]) -> dict[str, Work]:
    since = git(service, "rev-parse", "HEAD")
    change(service)
    commit(service, "the team's work")
    return team_work(service, since)


def untouched(service: Path, head: str, work: dict[str, Work]) -> None:
    assert git(service, "rev-parse", "HEAD") == head
    assert git(service, "status", "--porcelain", "--untracked-files=all") == ""
    for name, before in work.items():
        path = service / name
        assert (path.read_bytes() if path.exists() else None) == before.team, name


@pytest.mark.parametrize("stack", AVAILABLE_STACKS)
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_no_update_loses_the_teams_bytes(
    start: Callable[[str], tuple[TemplateRepository, Path]], stack: str, name: str
) -> None:
    scenario = SCENARIOS[name]
    template, service = start(stack)
    work = changed_by_the_team(service, scenario.team)
    scenario.template(template, stack)
    version = next_version()
    template.release(version)
    head = git(service, "rev-parse", "HEAD")

    outcome = update(service, "--to", version, *scenario.args)

    assert outcome.code == scenario.code, outcome.stderr
    if scenario.code == 2:
        assert outcome.stderr.count("\n") == 1
        assert outcome.stderr.startswith("error: ")
        untouched(service, head, work)
        return
    assert recorded_version(service) == version
    assert_nothing_lost(service, work, outcome, scenario.moved)


@pytest.mark.parametrize("stack", AVAILABLE_STACKS)
def test_two_updates_in_a_row_keep_the_teams_bytes_of_both_rounds(
    start: Callable[[str], tuple[TemplateRepository, Path]], stack: str
) -> None:
    template, service = start(stack)
    first = changed_by_the_team(service, edit_title)
    template_rewords_review_line(template, stack)
    template.release(version := next_version())
    outcome = update(service, "--to", version)
    assert_nothing_lost(service, first, outcome, {})
    commit(service, f"update to {version}")

    second = changed_by_the_team(service, tighten_yamllint)
    template_adds_contributing(template, stack)
    template.release(version := next_version())
    outcome = update(service, "--to", version)

    assert recorded_version(service) == version
    assert_nothing_lost(service, first | second, outcome, {})
    assert (service / "CONTRIBUTING.md").is_file()


@pytest.mark.parametrize("stack", AVAILABLE_STACKS)
def test_an_update_from_a_template_that_moved_keeps_the_teams_bytes(
    released: Callable[[str], Released], tmp_path: Path, stack: str
) -> None:
    old_place, new_place = tmp_path / "templates-old", tmp_path / "templates-new"
    shutil.copytree(released(stack).template.root, old_place, symlinks=True)
    service = TemplateRepository(old_place).generate(tmp_path / "media-service", stack)
    work = changed_by_the_team(service, edit_title)
    old_place.rename(new_place)
    template = TemplateRepository(new_place)
    git(new_place, "checkout", "--quiet", "-B", "moved", "v1.0.0")
    template_rewords_review_line(template, stack)
    template.release("v1.99.0")

    outcome = update(service, "--to", "v1.99.0", "--template", str(new_place))

    assert outcome.code == 0, outcome.stderr
    assert recorded_version(service) == "v1.99.0"
    assert_nothing_lost(service, work, outcome, {})


@pytest.mark.parametrize("stack", AVAILABLE_STACKS)
def test_an_interrupted_update_puts_everything_back(
    start: Callable[[str], tuple[TemplateRepository, Path]], tmp_path: Path, stack: str
) -> None:
    template, service = start(stack)
    work = changed_by_the_team(service, ignore_local_config)
    template_adds_local_config(template, stack)
    # A migration that waits after the new version is written: the moment to press Ctrl-C.
    waiting = tmp_path / "migration-waiting"
    with (template.root / "copier.yml").open("a") as config:
        config.write(
            "_migrations:\n"
            "  - version: v1.0.1\n"
            "    when: \"{{ _stage == 'after' }}\"\n"
            f"    command: touch {waiting} && sleep 60\n"
        )
    template.release(version := next_version())
    head = git(service, "rev-parse", "HEAD")

    result = interrupted_when(waiting, "update", str(service), "--to", version, "--trust")

    assert result.returncode == 130, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    untouched(service, head, work)


def interrupted_when(signal_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`visiobook ARGS` in a process group of its own, sent SIGINT (as Ctrl-C would) as soon
    as `signal_file` exists."""
    process = subprocess.Popen(
        [sys.executable, "-m", "visiobook_scaffold", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while not signal_file.exists() and process.poll() is None:
        assert time.monotonic() < deadline, "the update never reached its migration"
        time.sleep(0.1)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)

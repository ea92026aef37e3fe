"""`visiobook update`: a service generated from one template version takes the next one, with
the team's own changes kept, through Copier's three-way update.

Each test releases versions of a small template in a temporary git repository, generates a
service from the first, changes it as a team would, and updates it.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tests.helpers import git
from visiobook_scaffold import versions
from visiobook_scaffold.cli import app

runner = CliRunner()
LINES = [f"line {n}" for n in range(1, 11)]


def visiobook(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(arg) for arg in args])
    return result.exit_code, result.stdout, result.stderr


class TemplateRepo:
    """A Copier template in a git repository whose commits are tagged as its versions."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "tpl").mkdir(parents=True)
        (root / "copier.yml").write_text(
            "_subdirectory: tpl\n"
            "stack: {type: str}\n"
            "service_name: {type: str}\n"
            "port: {type: int, default: 8000}\n"
        )
        self.write("{{_copier_conf.answers_file}}.jinja", "{{ _copier_answers|to_nice_yaml }}")
        self.write("app.txt", "\n".join(LINES) + "\n")
        self.write("config.txt.jinja", "port={{ port }}\n")
        self.write("notes.txt", "template notes\n")
        git(root, "init", "--quiet", "--initial-branch=main")
        self.release("v1.0.0")

    def write(self, name: str, text: str) -> None:
        (self.root / "tpl" / name).write_text(text)

    def edit_line(self, name: str, number: int, text: str) -> None:
        path = self.root / "tpl" / name
        lines = path.read_text().splitlines()
        lines[number - 1] = text
        path.write_text("\n".join(lines) + "\n")

    def release(self, version: str) -> None:
        git(self.root, "add", "--all")
        git(self.root, "commit", "--quiet", "--allow-empty", "--message", version)
        git(self.root, "tag", version)


@pytest.fixture
def template(tmp_path: Path) -> TemplateRepo:
    return TemplateRepo(tmp_path / "template")


@pytest.fixture
def service(tmp_path: Path, template: TemplateRepo) -> Path:
    """A service generated from v1.0.0 and committed, as `visiobook new` leaves it."""
    return generate(template, tmp_path / "svc", "v1.0.0")


def generate(template: TemplateRepo, dest: Path, version: str) -> Path:
    code, _, err = visiobook(
        "new", dest, "--template", template.root, "--vcs-ref", version, "--stack", "x",
        "--name", dest.name,
    )  # fmt: skip
    assert code == 0, err
    return dest


def edit_line(service: Path, name: str, number: int, text: str) -> None:
    path = service / name
    lines = path.read_text().splitlines()
    lines[number - 1] = text
    path.write_text("\n".join(lines) + "\n")


def commit(service: Path, message: str = "team change") -> None:
    git(service, "add", "--all")
    git(service, "commit", "--quiet", "--message", message)


def recorded_version(service: Path) -> str:
    return str(yaml.safe_load((service / ".copier-answers.yml").read_text())["_commit"])


def test_a_team_edit_where_the_template_did_not_change_survives(
    service: Path, template: TemplateRepo
) -> None:
    edit_line(service, "app.txt", 9, "line 9, the team's")
    commit(service)
    template.edit_line("app.txt", 1, "line 1, the template's")
    template.release("v2.0.0")

    code, out, err = visiobook("update", service)

    assert code == 0, err
    lines = (service / "app.txt").read_text().splitlines()
    assert lines[0] == "line 1, the template's"
    assert lines[8] == "line 9, the team's"
    assert "from template v1.0.0 to v2.0.0" in out
    assert recorded_version(service) == "v2.0.0"
    assert "<<<<<<<" not in (service / "app.txt").read_text()
    assert not list(service.rglob("*.rej"))


def test_an_edit_on_both_sides_is_a_conflict_with_both_versions(
    service: Path, template: TemplateRepo
) -> None:
    edit_line(service, "app.txt", 5, "line 5, the team's")
    commit(service)
    template.edit_line("app.txt", 5, "line 5, the template's")
    template.release("v2.0.0")

    code, _, err = visiobook("update", service)

    assert code == 1
    text = (service / "app.txt").read_text()
    assert "<<<<<<<" in text
    assert "line 5, the team's" in text
    assert "line 5, the template's" in text
    assert "Conflicts in 1 file(s)" in err
    assert "  app.txt" in err


def test_conflicts_can_be_left_as_rej_files(service: Path, template: TemplateRepo) -> None:
    edit_line(service, "app.txt", 5, "line 5, the team's")
    commit(service)
    template.edit_line("app.txt", 5, "line 5, the template's")
    template.release("v2.0.0")

    code, _, err = visiobook("update", service, "--conflict", "rej")

    assert code == 1
    # The file takes the template's side; the team's change that did not apply is in the .rej.
    assert "line 5, the template's" in (service / "app.txt").read_text()
    assert "+line 5, the team's" in (service / "app.txt.rej").read_text()
    assert "<<<<<<<" not in (service / "app.txt").read_text()
    assert ".rej" in err


def test_files_added_by_the_team_stay_and_files_it_deleted_stay_deleted(
    service: Path, template: TemplateRepo
) -> None:
    (service / "ours.txt").write_text("the team's own file\n")
    (service / "notes.txt").unlink()
    commit(service)
    template.write("notes.txt", "template notes, revised\n")
    template.write("added.txt", "a file the template gained\n")
    template.release("v2.0.0")

    code, out, err = visiobook("update", service)

    assert code == 0, err
    assert (service / "ours.txt").read_text() == "the team's own file\n"
    assert not (service / "notes.txt").exists()
    assert (service / "added.txt").read_text() == "a file the template gained\n"
    assert "Created:\n  added.txt" in out


def test_an_answer_changed_during_the_update_rerenders_what_depends_on_it(
    service: Path, template: TemplateRepo
) -> None:
    template.edit_line("app.txt", 1, "line 1, the template's")
    template.release("v2.0.0")

    code, _, err = visiobook("update", service, "--data", "port=9100")

    assert code == 0, err
    assert (service / "config.txt").read_text() == "port=9100\n"
    assert yaml.safe_load((service / ".copier-answers.yml").read_text())["port"] == 9100


def test_updating_twice_changes_nothing_the_second_time(
    service: Path, template: TemplateRepo
) -> None:
    template.edit_line("app.txt", 1, "line 1, the template's")
    template.release("v2.0.0")
    assert visiobook("update", service)[0] == 0
    commit(service, "update to v2.0.0")

    code, out, err = visiobook("update", service)

    assert code == 0, err
    assert out == "Nothing to change: svc is at template v2.0.0.\n"
    assert git(service, "status", "--porcelain") == ""


def test_a_service_on_the_newest_release_stays_there_with_later_commits_unreleased(
    service: Path, template: TemplateRepo
) -> None:
    template.edit_line("app.txt", 1, "line 1, not released yet")
    git(template.root, "commit", "--quiet", "--all", "--message", "work in progress")

    code, out, err = visiobook("update", service)

    assert code == 0, err
    assert out == "Nothing to change: svc is at template v1.0.0.\n"
    assert (service / "app.txt").read_text().splitlines()[0] == "line 1"


def test_a_service_made_between_releases_updates_to_the_newest_commit_never_back(
    tmp_path: Path, template: TemplateRepo
) -> None:
    """Generated from a checkout past its newest release (`v1.0.0-1-g...`): the newest
    release is older than the service, so the update goes forward to the template's HEAD."""
    template.edit_line("app.txt", 1, "line 1, after v1.0.0")
    git(template.root, "commit", "--quiet", "--all", "--message", "after the release")
    dest = generate(template, tmp_path / "between", "HEAD")
    assert recorded_version(dest).startswith("v1.0.0-1-g")
    template.edit_line("app.txt", 2, "line 2, newer still")
    git(template.root, "commit", "--quiet", "--all", "--message", "newer still")

    code, _, err = visiobook("update", dest)

    assert code == 0, err
    assert (dest / "app.txt").read_text().splitlines()[:2] == [
        "line 1, after v1.0.0",
        "line 2, newer still",
    ]
    assert recorded_version(dest).startswith("v1.0.0-2-g")


def test_to_selects_the_version(service: Path, template: TemplateRepo) -> None:
    template.edit_line("app.txt", 1, "line 1, v2")
    template.release("v2.0.0")
    template.edit_line("app.txt", 1, "line 1, v3")
    template.release("v3.0.0")

    code, _, err = visiobook("update", service, "--to", "v2.0.0")

    assert code == 0, err
    assert (service / "app.txt").read_text().splitlines()[0] == "line 1, v2"
    assert recorded_version(service) == "v2.0.0"


def test_pretend_writes_nothing(service: Path, template: TemplateRepo) -> None:
    template.edit_line("app.txt", 1, "line 1, the template's")
    template.write("added.txt", "new\n")
    template.release("v2.0.0")

    code, out, err = visiobook("update", service, "--pretend")

    assert code == 0, err
    assert out == "Pretend run: nothing was written.\n"
    assert git(service, "status", "--porcelain", "--untracked-files=all") == ""


@pytest.mark.parametrize(
    ("change", "what"),
    [
        (lambda s: (s / "app.txt").write_text("uncommitted\n"), "1 uncommitted change(s)"),
        (lambda s: (s / "scratch.txt").write_text("untracked\n"), "1 uncommitted change(s)"),
    ],
    ids=["modified", "untracked"],
)
def test_a_tree_with_uncommitted_changes_is_refused_untouched(
    service: Path, template: TemplateRepo, change: Callable[[Path], object], what: str
) -> None:
    template.edit_line("app.txt", 1, "line 1, the template's")
    template.release("v2.0.0")
    change(service)
    before = git(service, "status", "--porcelain", "--untracked-files=all")

    code, _, err = visiobook("update", service)

    assert code == 2
    assert err.count("\n") == 1, err
    assert what in err
    assert "commit or stash them" in err
    assert git(service, "status", "--porcelain", "--untracked-files=all") == before
    assert recorded_version(service) == "v1.0.0"


def test_a_failing_update_leaves_the_service_at_its_last_commit(
    service: Path, template: TemplateRepo
) -> None:
    template.edit_line("app.txt", 1, "line 1, the template's")
    template.write("added.txt", "new\n")
    template.write("broken.txt.jinja", "{{ this is not jinja }}\n")
    template.release("v2.0.0")

    code, _, err = visiobook("update", service)

    assert code == 2
    # The new version is rendered before anything is written (safeguard.py): it fails there.
    assert err.startswith("error: update failed, nothing was changed: ")
    assert err.count("\n") == 1, err
    assert git(service, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(service, "for-each-ref", "refs/visiobook/") == ""
    assert recorded_version(service) == "v1.0.0"


def test_an_update_failing_after_it_wrote_puts_the_service_back(
    service: Path, template: TemplateRepo
) -> None:
    template.edit_line("app.txt", 1, "line 1, the template's")
    template.write("added.txt", "new\n")
    with (template.root / "copier.yml").open("a") as config:
        config.write(
            "_migrations:\n"
            "  - version: v2.0.0\n"
            "    when: \"{{ _stage == 'after' }}\"\n"
            "    command: 'false'\n"
        )
    template.release("v2.0.0")

    code, _, err = visiobook("update", service, "--trust")

    assert code == 2
    assert err.startswith("error: update failed, the service is back at its last commit: ")
    assert err.count("\n") == 1, err
    assert git(service, "status", "--porcelain", "--untracked-files=all") == ""
    assert recorded_version(service) == "v1.0.0"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--conflict", "both"], "--conflict takes inline or rej, got 'both'"),
        (["--data", "port"], "--data expects key=value, got 'port'"),
        (["--to", "v9.9.9"], "update failed"),
        # --data is checked as `new` checks it, before anything is written.
        (["--data", "prot=9000"], "unknown answer 'prot'; the template asks: "),
        (["--data", "port=ninety"], "port must be a whole number, got 'ninety'"),
        (["--data", "stack=y"], "an update cannot change the stack ('x')"),
        (["--data", "_commit=v0"], "unknown answer '_commit'"),
    ],
)
def test_bad_options_fail_with_one_line(
    service: Path, template: TemplateRepo, args: list[str], message: str
) -> None:
    code, _, err = visiobook("update", service, *args)
    assert code == 2
    assert err.count("\n") == 1, err
    assert message in err
    assert git(service, "status", "--porcelain", "--untracked-files=all") == ""


def test_a_file_the_team_ignores_is_kept_when_the_template_adds_it(
    service: Path, template: TemplateRepo
) -> None:
    """Git cannot bring an ignored file back: the update must not write over it."""
    (service / ".gitignore").write_text("local.cfg\n")
    commit(service)
    (service / "local.cfg").write_text("the team's own settings\n")
    template.write("local.cfg", "the template's defaults\n")
    template.edit_line("app.txt", 1, "line 1, the template's")
    template.release("v2.0.0")

    code, out, err = visiobook("update", service)

    assert code == 1, out + err
    assert (service / "local.cfg").read_text() == "the team's own settings\n"
    assert (service / "local.cfg.template").read_text() == "the template's defaults\n"
    assert "Kept 1 file(s) of yours" in err
    assert "  local.cfg (ignored by git)" in err
    # The rest of the update went through.
    assert (service / "app.txt").read_text().startswith("line 1, the template's\n")
    assert recorded_version(service) == "v2.0.0"


def test_a_binary_file_both_sides_changed_keeps_the_teams_bytes(
    service: Path, template: TemplateRepo
) -> None:
    (template.root / "tpl" / "logo.bin").write_bytes(b"\x00\x01 logo v1")
    template.release("v1.1.0")
    code, _, err = visiobook("update", service, "--to", "v1.1.0")
    assert code == 0, err
    commit(service, "take v1.1.0")
    (service / "logo.bin").write_bytes(b"\x00\x01 the team's logo")
    commit(service)
    (template.root / "tpl" / "logo.bin").write_bytes(b"\x00\x01 logo v2")
    template.release("v2.0.0")

    code, _, err = visiobook("update", service)

    assert code == 1, err
    assert (service / "logo.bin").read_bytes() == b"\x00\x01 the team's logo"
    assert (service / "logo.bin.template").read_bytes() == b"\x00\x01 logo v2"
    assert "logo.bin (binary, changed by you and by the template)" in err


def test_a_file_the_template_deletes_and_the_team_edited_is_kept(
    service: Path, template: TemplateRepo
) -> None:
    (service / "notes.txt").write_text("template notes\nand the team's own\n")
    commit(service)
    (template.root / "tpl" / "notes.txt").unlink()
    template.release("v2.0.0")

    code, _, err = visiobook("update", service)

    assert code == 1, err
    assert (service / "notes.txt").read_text() == "template notes\nand the team's own\n"
    assert "notes.txt (deleted by the template, edited by you)" in err


def test_a_file_the_template_deletes_and_the_team_left_alone_goes(
    service: Path, template: TemplateRepo
) -> None:
    (template.root / "tpl" / "notes.txt").unlink()
    template.release("v2.0.0")

    code, _, err = visiobook("update", service)

    assert code == 0, err
    assert not (service / "notes.txt").exists()


def test_a_file_the_template_renames_keeps_the_teams_edits(
    service: Path, template: TemplateRepo
) -> None:
    """No migration says so: the rename is found by the content's likeness."""
    edit_line(service, "app.txt", 9, "line 9, the team's")
    commit(service)
    (template.root / "tpl" / "app.txt").rename(template.root / "tpl" / "main.txt")
    template.edit_line("main.txt", 1, "line 1, the template's")
    template.release("v2.0.0")

    code, _, err = visiobook("update", service)

    assert code == 0, err
    assert not (service / "app.txt").exists()
    lines = (service / "main.txt").read_text().splitlines()
    assert lines[0] == "line 1, the template's"
    assert lines[8] == "line 9, the team's"


def test_what_the_team_wrote_into_the_answers_file_by_hand_stays(
    service: Path, template: TemplateRepo
) -> None:
    with (service / ".copier-answers.yml").open("a") as answers:
        answers.write("# Port agreed with the platform team.\n")
    commit(service)
    template.edit_line("app.txt", 1, "line 1, the template's")
    template.release("v2.0.0")

    code, _, err = visiobook("update", service)

    assert code == 0, err
    answers_text = (service / ".copier-answers.yml").read_text()
    assert answers_text.endswith("# Port agreed with the platform team.\n")
    assert recorded_version(service) == "v2.0.0"


def test_every_update_leaves_a_ref_to_the_commit_before_it(
    service: Path, template: TemplateRepo
) -> None:
    before = git(service, "rev-parse", "HEAD")
    template.edit_line("app.txt", 1, "line 1, the template's")
    template.release("v2.0.0")

    code, out, err = visiobook("update", service)

    assert code == 0, err
    (ref,) = git(service, "for-each-ref", "--format=%(refname)", "refs/visiobook/").splitlines()
    assert git(service, "rev-parse", ref) == before
    assert f"The service before this update: {ref}" in out
    # The way back, after the update is committed.
    commit(service, "take v2.0.0")
    git(service, "reset", "--quiet", "--hard", ref)
    assert recorded_version(service) == "v1.0.0"


def test_json_summary_for_ci(service: Path, template: TemplateRepo) -> None:
    edit_line(service, "app.txt", 5, "line 5, the team's")
    commit(service)
    template.edit_line("app.txt", 5, "line 5, the template's")
    template.write("added.txt", "new\n")
    template.release("v2.0.0")

    code, out, _ = visiobook("update", service, "--json")

    assert code == 1
    summary = json.loads(out)
    assert summary["from"] == "v1.0.0"
    assert summary["to"] == "v2.0.0"
    assert summary["created"] == ["added.txt"]
    assert summary["changed"] == [".copier-answers.yml", "app.txt"]
    assert summary["conflicted"] == ["app.txt"]
    assert summary["kept"] == []
    assert summary["before"].startswith("refs/visiobook/before-update/")


def test_a_pretend_update_leaves_no_ref(service: Path, template: TemplateRepo) -> None:
    template.edit_line("app.txt", 1, "line 1, the template's")
    template.release("v2.0.0")
    code, _, err = visiobook("update", service, "--pretend")
    assert code == 0, err
    assert git(service, "for-each-ref", "refs/visiobook/") == ""


def test_an_answer_a_newer_version_asks_can_be_given_on_the_way(
    service: Path, template: TemplateRepo
) -> None:
    (template.root / "copier.yml").write_text(
        (template.root / "copier.yml").read_text() + "region: {type: str, default: eu}\n"
    )
    template.write("region.txt.jinja", "region={{ region }}\n")
    template.release("v2.0.0")

    code, _, err = visiobook("update", service, "--data", "region=us", "--defaults")

    assert code == 0, err
    assert (service / "region.txt").read_text() == "region=us\n"


def add_question_without_default(template: TemplateRepo) -> None:
    """v2.0.0 asks who owns the service, with no default, and writes two files named by it."""
    config = template.root / "copier.yml"
    config.write_text(config.read_text() + "owner: {type: str}\n")
    template.write("owner.txt.jinja", "owner={{ owner }}\n")
    template.write("{{ owner }}.local.jinja", "the template's local settings\n")
    template.release("v2.0.0")


def test_a_new_question_without_default_takes_the_answer_given_with_data(
    service: Path, template: TemplateRepo
) -> None:
    edit_line(service, "app.txt", 9, "line 9, the team's")
    commit(service)
    add_question_without_default(template)

    code, out, err = visiobook("update", service, "--defaults", "--data", "owner=team-a")

    assert code == 0, out + err
    assert (service / "owner.txt").read_text() == "owner=team-a\n"
    assert (service / "app.txt").read_text().splitlines()[8] == "line 9, the team's"
    assert yaml.safe_load((service / ".copier-answers.yml").read_text())["owner"] == "team-a"


def test_a_new_question_without_default_and_no_answer_is_named_in_one_line(
    service: Path, template: TemplateRepo
) -> None:
    add_question_without_default(template)

    code, _, err = visiobook("update", service, "--defaults")

    assert code == 2
    assert err == (
        "error: update failed, nothing was changed: template v2.0.0 asks 'owner', which has no"
        " default: answer it with --data owner=VALUE\n"
    )
    assert git(service, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(service, "for-each-ref", "refs/visiobook/") == ""
    assert recorded_version(service) == "v1.0.0"


def test_an_interactive_update_asks_a_new_question_once_and_keeps_what_it_names(
    service: Path, template: TemplateRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The safeguard renders the new version with the answer the user gives, as the update
    does: the team's ignored file of that name is kept."""
    (service / ".gitignore").write_text("*.local\n")
    commit(service)
    (service / "team-b.local").write_text("the team's local settings\n")
    add_question_without_default(template)
    asked: list[str] = []

    def user_answers(questions: list[dict[str, object]], **_: object) -> dict[str, str]:
        asked.extend(str(question["name"]) for question in questions)
        return {str(question["name"]): "team-b" for question in questions}

    monkeypatch.setattr("visiobook_scaffold.generate.is_interactive", lambda: True)
    monkeypatch.setattr("copier._main.unsafe_prompt", user_answers)

    code, out, err = visiobook("update", service)

    assert code == 1, out + err
    assert asked == ["owner"]
    assert (service / "owner.txt").read_text() == "owner=team-b\n"
    assert (service / "team-b.local").read_text() == "the team's local settings\n"
    assert (service / "team-b.local.template").read_text() == "the template's local settings\n"
    assert "team-b.local (ignored by git)" in err


@pytest.mark.parametrize("command", [["update"], ["update", "--check"], ["diff"]])
def test_a_folder_that_is_not_a_generated_service_is_refused(
    tmp_path: Path, command: list[str]
) -> None:
    code, _, err = visiobook(*command, tmp_path)
    assert code == 2
    assert err == (
        f"error: {tmp_path} has no .copier-answers.yml:"
        " it was not generated from a Copier template\n"
    )


def test_a_service_outside_git_is_refused(service: Path) -> None:
    git(service, "rev-parse", "--git-dir")
    subprocess.run(["rm", "-rf", str(service / ".git")], check=True)
    code, _, err = visiobook("update", service)
    assert code == 2
    assert "is not in a git repository" in err


def test_check_passes_while_the_service_is_on_the_newest_release(
    service: Path, template: TemplateRepo
) -> None:
    template.write("unreleased.txt", "work in progress\n")
    git(template.root, "add", "--all")
    git(template.root, "commit", "--quiet", "--message", "not released yet")
    template.release("v2.0.0-rc1")  # a pre-release is not offered

    code, out, err = visiobook("update", service, "--check")

    assert code == 0, err
    assert out == "svc is on the newest template version (v1.0.0).\n"


def test_check_fails_with_the_newer_release(service: Path, template: TemplateRepo) -> None:
    template.edit_line("app.txt", 1, "line 1, v1.2")
    template.release("v1.2.0")
    template.edit_line("app.txt", 1, "line 1, v1.10")
    template.release("v1.10.0")  # newer than v1.2.0, though it sorts first as text
    (service / "scratch.txt").write_text("uncommitted work does not matter to --check\n")

    code, out, _ = visiobook("update", service, "--check")

    assert code == 1
    assert out == "svc is on template v1.0.0; v1.10.0 is released: run `visiobook update`.\n"
    assert recorded_version(service) == "v1.0.0"


def test_a_template_folder_given_relative_is_recorded_where_it_is(
    tmp_path: Path, template: TemplateRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(template.root.parent)
    code, _, err = visiobook(
        "new", tmp_path / "relative", "--template", template.root.name, "--vcs-ref", "v1.0.0",
        "--stack", "x", "--name", "svc",
    )  # fmt: skip
    assert code == 0, err
    answers = yaml.safe_load((tmp_path / "relative" / ".copier-answers.yml").read_text())
    assert answers["_src_path"] == str(template.root.resolve())
    template.release("v1.1.0")

    monkeypatch.chdir(tmp_path / "relative")
    code, out, err = visiobook("update", "--check")

    assert (code, err) == (1, "")
    assert out == "relative is on template v1.0.0; v1.1.0 is released: run `visiobook update`.\n"


def test_check_says_so_when_the_template_has_no_release(tmp_path: Path) -> None:
    template = tmp_path / "template"
    (template / "tpl").mkdir(parents=True)
    (template / "copier.yml").write_text(
        "_subdirectory: tpl\nstack: {type: str}\nservice_name: {type: str}\n"
    )
    (template / "tpl" / "{{_copier_conf.answers_file}}.jinja").write_text(
        "{{ _copier_answers|to_nice_yaml }}"
    )
    git(template, "init", "--quiet")
    git(template, "add", "--all")
    git(template, "commit", "--quiet", "--message", "untagged")
    code, _, err = visiobook(
        "new", tmp_path / "svc", "--template", template, "--stack", "x", "--name", "svc"
    )
    assert code == 0, err

    code, out, err = visiobook("update", tmp_path / "svc", "--check")

    assert code == 0, err
    assert out.endswith("; no release to compare with.\n")


def test_diff_of_an_untouched_service_is_empty(service: Path) -> None:
    code, out, err = visiobook("diff", service)
    assert code == 0, err
    assert out == "svc matches a clean render of template v1.0.0.\n"


def test_diff_shows_what_the_team_changed_added_and_deleted(
    service: Path, template: TemplateRepo
) -> None:
    edit_line(service, "app.txt", 3, "line 3, the team's")
    (service / "notes.txt").unlink()
    commit(service)
    (service / "ours.txt").write_text("uncommitted, untracked: counts too\n")
    (service / ".gitignore").write_text("build/\n")
    (service / "build").mkdir()
    (service / "build" / "output.bin").write_text("ignored by the service: not drift\n")
    template.edit_line("app.txt", 1, "a newer template version is not drift")
    template.release("v2.0.0")

    code, out, _ = visiobook("diff", service)

    assert code == 1
    changed = {line.split(" service/")[1] for line in out.splitlines() if line.startswith("diff ")}
    assert changed == {"app.txt", "notes.txt", "ours.txt", ".gitignore"}
    assert "-line 3\n+line 3, the team's\n" in out
    assert "deleted file mode" in out
    assert "a newer template version" not in out


def test_diff_shows_a_text_file_that_is_not_utf8_byte_for_byte(service: Path) -> None:
    (service / "notes.txt").write_bytes(b"notes de l'\xe9quipe, en Latin-1\n")

    result = runner.invoke(app, ["diff", str(service)])

    assert result.exit_code == 1, result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert b"+notes de l'\xe9quipe, en Latin-1\n" in result.stdout_bytes


def test_pretend_reports_an_update_that_would_fail_with_one_line(
    service: Path, template: TemplateRepo
) -> None:
    code, _, err = visiobook("update", service, "--pretend", "--to", "v9.9.9")
    assert code == 2
    assert err.startswith("error: update would fail: ")
    assert err.count("\n") == 1, err
    assert git(service, "status", "--porcelain", "--untracked-files=all") == ""


def add_migration(template: TemplateRepo, version: str, command: str) -> None:
    """A Copier migration that runs in the service before the update to `version`."""
    config = template.root / "copier.yml"
    text = config.read_text()
    if "_migrations:" not in text:
        text += "_migrations:\n"
    entry = f"  - version: {version}\n    when: \"{{{{ _stage == 'before' }}}}\"\n"
    config.write_text(text + entry + f"    command: {command!r}\n")


def test_a_file_the_template_renamed_moves_with_the_teams_edits(
    service: Path, template: TemplateRepo
) -> None:
    edit_line(service, "app.txt", 9, "line 9, the team's")
    commit(service)
    git(template.root, "mv", "tpl/app.txt", "tpl/main.txt")
    template.edit_line("main.txt", 1, "line 1, the template's")
    add_migration(template, "v2.0.0", "test ! -e app.txt || git mv app.txt main.txt")
    template.release("v2.0.0")

    code, out, err = visiobook("update", service, "--trust")

    assert code == 0, out + err
    assert not (service / "app.txt").exists()
    lines = (service / "main.txt").read_text().splitlines()
    assert lines[0] == "line 1, the template's"
    assert lines[8] == "line 9, the team's"
    assert "<<<<<<<" not in (service / "main.txt").read_text()
    assert "Deleted:\n  app.txt" in out


def test_a_moved_file_edited_on_both_sides_keeps_only_the_real_conflict(
    service: Path, template: TemplateRepo
) -> None:
    edit_line(service, "app.txt", 5, "line 5, the team's")
    edit_line(service, "app.txt", 9, "line 9, the team's")
    commit(service)
    git(template.root, "mv", "tpl/app.txt", "tpl/main.txt")
    template.edit_line("main.txt", 1, "line 1, the template's")
    template.edit_line("main.txt", 5, "line 5, the template's")
    add_migration(template, "v2.0.0", "test ! -e app.txt || git mv app.txt main.txt")
    template.release("v2.0.0")

    code, _, err = visiobook("update", service, "--trust")

    assert code == 1
    text = (service / "main.txt").read_text()
    assert text.count("<<<<<<< ") == 1, text
    assert text.startswith("line 1, the template's\n")
    assert "line 9, the team's" in text
    assert "  main.txt" in err


def test_a_renamed_answer_keeps_its_value(tmp_path: Path, template: TemplateRepo) -> None:
    dest = tmp_path / "svc9100"
    code, _, err = visiobook(
        "new", dest, "--template", template.root, "--vcs-ref", "v1.0.0", "--stack", "x",
        "--name", "svc", "--data", "port=9100",
    )  # fmt: skip
    assert code == 0, err
    config = template.root / "copier.yml"
    config.write_text(config.read_text().replace("port:", "http_port:"))
    template.write("config.txt.jinja", "http_port={{ http_port }}\n")
    add_migration(template, "v2.0.0", "sed -i 's/^port:/http_port:/' .copier-answers.yml")
    template.release("v2.0.0")

    code, out, err = visiobook("update", dest, "--trust")

    assert code == 0, out + err
    assert (dest / "config.txt").read_text() == "http_port=9100\n"
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert answers["http_port"] == 9100
    assert "port" not in answers


def test_migrations_of_another_template_need_trust(service: Path, template: TemplateRepo) -> None:
    add_migration(template, "v2.0.0", "touch migrated.txt")
    template.release("v2.0.0")

    code, _, err = visiobook("update", service)

    assert code == 2
    assert err.count("\n") == 1, err
    assert not (service / "migrated.txt").exists()
    assert git(service, "status", "--porcelain", "--untracked-files=all") == ""


def made_by_a_wheel(
    tmp_path: Path, template: TemplateRepo, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Path]:
    """What an installed wheel does, in-process: the template's versions as its bundle, and a
    service generated from them under the canonical name. The bundle, and the service."""
    bundle = tmp_path / "versions.bundle"
    monkeypatch.setattr(versions, "BUNDLE", bundle)
    monkeypatch.setenv("COPIER_CACHE_DIR", str(tmp_path / "copier-cache"))
    git(template.root, "bundle", "create", str(bundle), "--all")
    dest = tmp_path / "svc"
    source = versions.CANONICAL_SOURCE
    code, _, err = visiobook("new", dest, "--template", source, "--stack", "x", "--name", "svc")
    assert code == 0, err
    return bundle, dest


def test_a_service_recording_the_canonical_source_updates_from_the_embedded_bundle(
    tmp_path: Path, template: TemplateRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What an installed wheel does, in-process: its template versions are a git bundle, and
    the name services record is fetched from it (the name itself never resolves)."""
    bundle, dest = made_by_a_wheel(tmp_path, template, monkeypatch)
    source = versions.CANONICAL_SOURCE
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert (answers["_src_path"], answers["_commit"]) == (source, "v1.0.0")

    # The next release of the tool embeds a newer bundle.
    template.edit_line("app.txt", 1, "line 1, v2")
    template.release("v2.0.0")
    git(template.root, "bundle", "create", str(bundle), "--all")
    assert visiobook("update", dest, "--check")[0] == 1
    code, _, err = visiobook("update", dest)

    assert code == 0, err
    assert (dest / "app.txt").read_text().startswith("line 1, v2\n")
    assert recorded_version(dest) == "v2.0.0"
    assert yaml.safe_load((dest / ".copier-answers.yml").read_text())["_src_path"] == source


def test_a_service_made_by_a_wheel_checked_from_a_checkout_says_which_visiobook_to_run(
    tmp_path: Path, template: TemplateRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle, dest = made_by_a_wheel(tmp_path, template, monkeypatch)
    source = versions.CANONICAL_SOURCE
    bundle.unlink()  # a source checkout's visiobook carries no bundle

    code, out, err = visiobook("update", dest, "--check")

    assert (code, out) == (2, "")
    assert err == (
        "error: this service was made by an installed visiobook (its template is"
        f" {source}, found in the wheel): run that visiobook, or give --template with a"
        " checkout of visiobook-scaffold\n"
    )


@pytest.fixture
def moved(tmp_path: Path) -> tuple[Path, TemplateRepo]:
    """A service generated from the folder template-a at v1.0.0, edited by its team; then the
    folder moved to template-b, where v2.0.0 was released."""
    template = TemplateRepo(tmp_path / "template-a")
    dest = tmp_path / "svc"
    code, _, err = visiobook(
        "new", dest, "--template", template.root, "--vcs-ref", "v1.0.0", "--stack", "x",
        "--name", "svc",
    )  # fmt: skip
    assert code == 0, err
    edit_line(dest, "app.txt", 9, "line 9, the team's")
    commit(dest)
    template.root = template.root.rename(tmp_path / "template-b")
    template.edit_line("app.txt", 1, "line 1, v2")
    template.release("v2.0.0")
    return dest, template


def test_a_moved_template_folder_updates_from_its_new_place(
    moved: tuple[Path, TemplateRepo],
) -> None:
    service, template = moved
    new_place = str(template.root)

    assert visiobook("update", service, "--check", "--template", new_place)[0] == 1
    code, out, err = visiobook("diff", service, "--template", new_place)
    assert code == 1, err
    assert "+line 9, the team's\n" in out
    code, out, err = visiobook("update", service, "--template", new_place)

    assert code == 0, out + err
    lines = (service / "app.txt").read_text().splitlines()
    assert (lines[0], lines[8]) == ("line 1, v2", "line 9, the team's")
    # The recorded folder is gone: the service records the new place from now on.
    answers = yaml.safe_load((service / ".copier-answers.yml").read_text())
    assert (answers["_src_path"], answers["_commit"]) == (new_place, "v2.0.0")
    assert git(service, "ls-files", "-v", ".copier-answers.yml").startswith("H ")  # seen by git
    commit(service, "update")
    assert visiobook("update", service, "--check")[0] == 0


@pytest.mark.parametrize("command", [["update"], ["update", "--check"], ["diff"]])
def test_a_moved_template_folder_is_named_with_the_way_out(
    moved: tuple[Path, TemplateRepo], command: list[str]
) -> None:
    service, template = moved
    old_place = template.root.with_name("template-a")

    code, _, err = visiobook(*command, service)

    assert code == 2
    assert err == (
        f"error: the template folder this service records, {old_place}, is gone:"
        " if it moved, give its new place with --template\n"
    )
    assert git(service, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(service, "for-each-ref", "refs/visiobook/") == ""

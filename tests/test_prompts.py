"""`visiobook new` on a terminal: the real CLI driven in a pseudo-terminal, and the questions'
evaluation (questions.py) on its own."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest
import yaml

from tests.helpers import REPO_ROOT
from visiobook_scaffold.errors import ScaffoldError
from visiobook_scaffold.questions import Form
from visiobook_scaffold.template import load_config

ENTER, DOWN, UP, BACKSPACE, CTRL_C = "\r", "\x1b[B", "\x1b[A", "\x7f", "\x03"
DEFAULTED = [
    "One-line description",
    "Example resource",
    "Organisation",
    "Container registry",
    "Public host",
    "Port the service",
]
"""The questions after the name and folder that take a typed default (in copier.yml's order)."""


def spawn(cwd: Path, *args: str, columns: int = 120) -> pexpect.spawn:
    # A real terminal answers prompt_toolkit's cursor position request; a pty does not, and
    # prompt_toolkit would wait for the answer before drawing.
    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1"}
    return pexpect.spawn(
        sys.executable,
        ["-m", "visiobook_scaffold", "new", *args],
        cwd=str(cwd),
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, columns),
    )


def answer(child: pexpect.spawn, question: str, keys: str = ENTER) -> None:
    child.expect_exact(question)
    child.send(keys)


def finish(child: pexpect.spawn) -> str:
    """The rest of the session's output, once the command has ended."""
    child.expect(pexpect.EOF)
    child.close()
    return str(child.before)


def stored_answers(service: Path) -> dict[str, object]:
    answers = yaml.safe_load((service / ".copier-answers.yml").read_text())
    assert isinstance(answers, dict)
    return answers


def test_bare_new_asks_everything_and_enter_takes_every_default(tmp_path: Path) -> None:
    child = spawn(tmp_path, "--no-git")
    answer(child, "Which stack is this service built on?")  # the first choice: fastapi
    answer(child, "Service name", "media-service" + ENTER)
    answer(child, "Folder to create")
    for question in DEFAULTED:
        answer(child, question)
    answer(child, "Python version")
    answer(child, "Cache the resource's reads")  # none
    child.expect_exact("About to create:")
    child.expect_exact("folder            media-service")
    answer(child, "Create it in media-service?")
    output = finish(child)
    assert child.exitstatus == 0, output
    assert "Created media-service (fastapi) in media-service" in output
    assert stored_answers(tmp_path / "media-service") == {
        "_commit": stored_answers(tmp_path / "media-service")["_commit"],
        "_src_path": str(REPO_ROOT),
        "stack": "fastapi",
        "service_name": "media-service",
        "description": "media-service: a Visiobook microservice",
        "resource": "items",
        "org": "visiobook",
        "image_registry": "ghcr.io/visiobook",
        "public_domain": "api.visiobook.com",
        "port": 8000,
        "language_version": "3.13",
        "cache": "none",
    }


def test_a_choice_is_made_with_the_arrow_keys_and_given_answers_are_not_asked(
    tmp_path: Path,
) -> None:
    child = spawn(tmp_path, "svc", "--name", "svc", "--data", "resource=media-assets", "--no-git")
    answer(child, "Which stack is this service built on?", DOWN + DOWN + ENTER)  # go
    # Once chosen, the answer as stored, not the menu entry (which may wrap).
    child.expect(
        r"Which stack is this service built on\?(?:\x1b\[[0-9;]*m| )*go(?:\x1b\[[0-9;]*m)*\r*\n"
    )
    for question in DEFAULTED:
        if question != "Example resource":
            answer(child, question)
    answer(child, "Go version", UP + ENTER)  # 1.26, above the default 1.27
    answer(child, "Cache the resource's reads")  # none
    answer(child, "Create it in svc?")
    output = finish(child)
    assert child.exitstatus == 0, output
    answers = stored_answers(tmp_path / "svc")
    assert (answers["stack"], answers["language_version"]) == ("go", "1.26")
    assert answers["resource"] == "media-assets"
    assert answers["port"] == 8080  # the go stack's default, not fastapi's
    for given in ("Service name", "Folder to create", "Example resource"):
        assert given not in output


def test_a_refused_name_is_one_whole_line_under_the_question_then_asked_again(
    tmp_path: Path,
) -> None:
    child = spawn(tmp_path, "--stack", "vue", "--pretend", columns=60)
    answer(child, "Service name", "Media" + ENTER)
    # Whole, though the terminal is narrower, and in the template's own words.
    child.expect_exact(
        "  ✖ service_name must be a DNS-1123 label: lowercase letters, digits and '-',"
        " starting with a letter and not ending with '-'"
    )
    answer(child, "Service name", "media" + ENTER)
    answer(child, "Folder to create")
    for question in DEFAULTED:
        answer(child, question)
    answer(child, "Node.js version")
    answer(child, "Create it in media?")
    output = finish(child)
    assert child.exitstatus == 0, output
    assert "Validation error" not in output
    assert "Pretend run: nothing was written." in output
    assert not (tmp_path / "media").exists()


def test_changing_an_answer_from_the_summary_changes_what_is_generated(tmp_path: Path) -> None:
    child = spawn(tmp_path, "--stack", "fastapi", "--no-git")
    answer(child, "Service name", "media" + ENTER)
    answer(child, "Folder to create")
    for question in DEFAULTED:
        answer(child, question)
    answer(child, "Python version")
    answer(child, "Cache the resource's reads")  # none
    answer(child, "Create it in media?", DOWN + ENTER)  # Change an answer
    answer(child, "Which answer?", DOWN + ENTER)  # the first is the stack, then the name
    # The current answer is offered; typing replaces it.
    answer(child, "Service name", "assets" + ENTER)
    # The folder and description were left at their defaults: they follow the new name.
    child.expect_exact("folder            assets")
    child.expect_exact("description       assets: a Visiobook microservice")
    answer(child, "Create it in assets?")
    output = finish(child)
    assert child.exitstatus == 0, output
    assert not (tmp_path / "media").exists()
    answers = stored_answers(tmp_path / "assets")
    assert answers["service_name"] == "assets"
    # A backend's domain is the platform's API host, whatever its name.
    assert answers["public_domain"] == "api.visiobook.com"


def test_an_answer_a_change_makes_wrong_is_asked_again_with_the_reason(tmp_path: Path) -> None:
    child = spawn(tmp_path, "svc", "--name", "svc", "--pretend")
    answer(child, "Which stack is this service built on?")  # fastapi
    for question in DEFAULTED:
        answer(child, question)
    answer(child, "Python version", UP + ENTER)  # 3.12: chosen, not the default
    answer(child, "Cache the resource's reads")  # none
    answer(child, "Create it in svc?", DOWN + ENTER)
    answer(child, "Which answer?")  # the stack
    answer(child, "Which stack is this service built on?", DOWN + ENTER)  # node
    child.expect_exact("✖ language_version must be one of: 22, 24")
    answer(child, "Node.js version")
    child.expect_exact("port              8080")  # the default follows the stack
    answer(child, "Create it in svc?")
    output = finish(child)
    assert child.exitstatus == 0, output


def test_declining_the_summary_writes_nothing_and_exits_130(tmp_path: Path) -> None:
    child = spawn(tmp_path, "svc", "--stack", "node", "--name", "svc", "--no-git")
    for question in DEFAULTED:
        answer(child, question)
    answer(child, "Node.js version")
    answer(child, "Cache the resource's reads")  # none
    answer(child, "Create it in svc?", DOWN + DOWN + ENTER)  # No, cancel
    output = finish(child)
    assert child.exitstatus == 130, output
    assert output.strip().endswith("error: cancelled: nothing was written")
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_at_a_question_writes_nothing_and_exits_130(tmp_path: Path) -> None:
    child = spawn(tmp_path, columns=50)
    child.expect_exact("Which stack is this service built on?")
    # A menu entry longer than the terminal is wrapped under itself, not cut.
    child.expect_exact("   service (user, project, database services)")
    child.send(CTRL_C)
    output = finish(child)
    assert child.exitstatus == 130, output
    assert output.strip().endswith("error: interrupted: nothing was written")
    assert list(tmp_path.iterdir()) == []


def test_an_answer_given_on_the_command_line_that_is_refused_stops_as_without_a_terminal(
    tmp_path: Path,
) -> None:
    child = spawn(tmp_path, "--stack", "fastapi", "--name", "Media")
    output = finish(child)
    assert child.exitstatus == 2, output
    assert output.strip() == (
        "error: service_name must be a DNS-1123 label: lowercase letters, digits and '-',"
        " starting with a letter and not ending with '-'"
    )


def test_a_taken_folder_is_refused_under_the_question(tmp_path: Path) -> None:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "kept.txt").write_text("mine\n")
    child = spawn(tmp_path, "--stack", "fastapi", "--name", "svc", "--pretend")
    answer(child, "Folder to create")
    child.expect_exact("✖ destination svc exists and is not empty")
    answer(child, "Folder to create", CTRL_C)
    finish(child)
    assert child.exitstatus == 130
    assert [path.name for path in (tmp_path / "svc").iterdir()] == ["kept.txt"]


def test_a_yes_no_question_and_its_condition_in_a_template_without_a_name(
    tmp_path: Path,
) -> None:
    template = tmp_path / "template"
    (template / "files").mkdir(parents=True)
    (template / "copier.yml").write_text(
        "_subdirectory: files\n"
        "shout:\n  type: bool\n  help: Shout the greeting?\n  default: false\n"
        "greeting:\n  type: str\n  help: The greeting\n  when: '{{ shout }}'\n  default: HELLO\n"
    )
    (template / "files" / "greeting.txt.jinja").write_text("{{ shout }} {{ greeting }}\n")
    child = spawn(tmp_path, "--template", str(template), "--no-git")
    answer(child, "Shout the greeting?", "y")  # y/N: one key answers
    answer(child, "The greeting")
    # No name to follow: the folder comes last, and has no default.
    answer(child, "Folder to create", ENTER)
    child.expect_exact("✖ the folder must be named")
    answer(child, "Folder to create", "out" + ENTER)
    answer(child, "Create it in out?")
    output = finish(child)
    assert child.exitstatus == 0, output
    assert (tmp_path / "out" / "greeting.txt").read_text() == "True HELLO\n"


# questions.py on its own: copier.yml's rules, without a terminal.


def write_config(root: Path, text: str) -> Form:
    root.mkdir()
    (root / "copier.yml").write_text(text)
    return Form(load_config(root).specs, root)


def test_conditions_are_honoured_and_computed_values_never_asked(tmp_path: Path) -> None:
    form = write_config(
        tmp_path / "template",
        "shout: {type: bool, default: false}\n"
        "greeting: {type: str, when: '{{ shout }}', default: HELLO}\n"
        "loud: {type: str, when: false, default: '{{ name | upper }}'}\n"
        "name: {type: str, default: 'x{{ loud }}'}\n",
    )
    quiet = form.resolve({"shout": "no"}, {"name"})
    assert quiet.pending is None
    assert quiet.answers == {"shout": False, "name": "x"}  # loud came before name: empty
    loud = form.resolve({"shout": True}, set())
    assert loud.pending is not None
    assert (loud.pending.key, loud.pending.default) == ("greeting", "HELLO")


def test_a_validator_that_fails_on_an_answer_refuses_it_with_the_reason(tmp_path: Path) -> None:
    form = write_config(
        tmp_path / "template",
        "replicas:\n  type: int\n  default: 2\n"
        '  validator: \'{{ "" if 12 % replicas == 0 else "must divide 12" }}\'\n',
    )
    assert form.resolve({"replicas": "3"}, set()).error == ""
    assert form.resolve({"replicas": "5"}, set()).error == "must divide 12"
    assert form.resolve({"replicas": "0"}, set()).error == "replicas: integer modulo by zero"
    assert form.resolve({"replicas": "two"}, set()).error == (
        "replicas must be a whole number, got 'two'"
    )


def test_the_repository_template_is_evaluated_as_copier_evaluates_it() -> None:
    config = load_config(REPO_ROOT)
    form = Form(config.specs, config.root, settings=config.settings)
    assert Form.unsupported(config.specs, config.settings) == ""
    every = {"description", "resource", "org", "image_registry", "public_domain", "port"}
    progress = form.resolve({"stack": "node", "service_name": "svc"}, every)
    assert progress.pending is not None
    assert progress.pending.key == "language_version"
    assert [choice.value for choice in progress.pending.choices] == ["22", "24"]
    assert progress.answers["port"] == 8080
    refused = form.resolve({"stack": "go", "service_name": "svc", "resource": "strings"}, every)
    assert refused.pending is not None
    assert refused.pending.key == "resource"
    assert refused.error.startswith("resource 'strings' would give a name that clashes with")
    # The derived names come from templates/names.jinja, read from the template's root.
    people = form.resolve(
        {"stack": "go", "service_name": "svc", "resource": "people"},
        every | {"language_version", "cache"},
    )
    assert (people.pending, people.error) == (None, "")


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("_jinja_extensions: [x.Y]\nname: a\n", "_jinja_extensions"),
        ("_envops: {block_start_string: '[%'}\nname: a\n", "_envops"),
        ("_envops: {undefined: my.Undefined}\nname: a\n", "_envops"),
        ("tags: {type: str, choices: [a, b], multiselect: true}\n", "tags: multiselect"),
        ("token: {type: str, secret: true, default: x}\n", "token: secret"),
    ],
)
def test_what_the_prompts_cannot_evaluate_is_left_to_copier(
    tmp_path: Path, spec: str, reason: str
) -> None:
    (tmp_path / "copier.yml").write_text(spec)
    config = load_config(tmp_path)
    assert Form.unsupported(config.specs, config.settings) == reason


def test_a_misspelt_name_stops_the_prompts_when_the_template_asks_for_strict_rendering(
    tmp_path: Path,
) -> None:
    spec = "name: {type: str, default: 'svc'}\nfolder: {type: str, default: '{{ nmae }}-x'}\n"
    lenient = write_config(tmp_path / "lenient", spec)
    assert lenient.resolve({}, {"name", "folder"}).answers["folder"] == "-x"
    (tmp_path / "strict").mkdir()
    (tmp_path / "strict" / "copier.yml").write_text(
        "_envops: {undefined: jinja2.StrictUndefined}\n" + spec
    )
    config = load_config(tmp_path / "strict")
    strict = Form(config.specs, config.root, settings=config.settings)
    refusal = "cannot evaluate question 'folder': 'nmae' is undefined"
    with pytest.raises(ScaffoldError, match=refusal):
        strict.resolve({}, {"name", "folder"})

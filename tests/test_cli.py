"""`visiobook` command line behaviour, through Typer's runner (stdin is not a terminal)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pexpect
import pytest
import yaml
from typer.testing import CliRunner

from tests.helpers import AVAILABLE_STACKS, REPO_ROOT, git, probe_template
from visiobook_scaffold.cli import app
from visiobook_scaffold.template import load_config

runner = CliRunner()
NEW = ["new", "--stack", "fastapi", "--name", "media-service"]


def run(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(arg) for arg in args])
    return result.exit_code, result.stdout, result.stderr


def test_version_prints_the_package_version() -> None:
    code, out, _ = run("--version")
    assert code == 0
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    assert out.strip() == f"visiobook {pyproject['project']['version']}"


def test_list_shows_every_stack_with_default_versions() -> None:
    code, out, _ = run("list")
    assert code == 0
    lines = out.strip().splitlines()
    assert [line.split()[0] for line in lines] == ["fastapi", "node", "go", "vue"]
    assert lines[0].startswith("fastapi  Python 3.13 (3.12, 3.13, 3.14), FastAPI 0.165, port 8000")
    assert lines[1].startswith("node     Node.js 22 (22, 24), Express 5 + Prisma 7, port 8080")
    assert lines[2].startswith("go       Go 1.27 (1.26, 1.27), Gin 1.12, port 8080")
    assert lines[3].startswith("vue      Node.js 22 (22, 24), Vue 3.5 + Vite 7, port 8080")
    for line in lines:
        available = line.split()[0] in AVAILABLE_STACKS
        assert ("[not available yet]" in line) is not available, line


@pytest.mark.parametrize("args", [["--help"], ["list"], ["--version"], ["new", "--help"]])
def test_fast_commands_do_not_import_copier(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "visiobook_scaffold", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines()}
    assert "visiobook_scaffold.cli" in imported
    assert not {name for name in imported if name.split(".")[0] == "copier"}


@pytest.mark.parametrize(
    "command", [[], ["new"], ["update"], ["diff"], ["check"], ["list"], ["doctor"]]
)
def test_help_names_values_not_python_types(command: list[str]) -> None:
    code, out, _ = run(*command, "--help")
    assert code == 0
    for python_type in ("<bool>", "<str>", "<list[", "<int>", "<path>", "╭"):
        assert python_type not in out


def test_list_answers_names_every_question_with_its_default(tmp_path: Path) -> None:
    config = load_config(REPO_ROOT)
    code, out, err = run("new", tmp_path / "svc", "--list-answers")
    assert code == 0, err
    listed = [line.split()[0] for line in out.splitlines()[1:]]
    assert listed == list(config.questions)
    assert "  resource " in out
    assert "[default: items]" in out
    assert "[default: ghcr.io/<org>]" in out
    assert "per stack (fastapi 8000, node 8080" in out
    assert not (tmp_path / "svc").exists()


def test_a_refused_answer_is_said_by_the_templates_own_words(tmp_path: Path) -> None:
    code, _, err = run("new", tmp_path / "svc", "--stack", "fastapi", "--name", "Media")
    assert code == 2
    assert err.startswith("error: service_name must be a DNS-1123 label: lowercase letters")


def test_new_renders_commits_and_prints_next_steps(tmp_path: Path) -> None:
    dest = tmp_path / "media-service"
    code, out, err = run(*NEW, dest)
    assert code == 0, err
    assert (dest / "README.md").is_file()
    assert (dest / "k8s/helm/Chart.yaml").is_file()
    assert git(dest, "status", "--porcelain") == ""
    assert git(dest, "log", "--format=%s") == "Generate media-service from the fastapi template"
    assert f"Created media-service (fastapi) in {dest}" in out
    assert "initial commit" in out
    assert "python -m app" in out
    assert "helm upgrade --install media-service k8s/helm" in out


def test_new_prints_only_the_steps_a_stack_has(tmp_path: Path) -> None:
    code, out, err = run("new", tmp_path / "svc", "--stack", "node", "--name", "user-service")
    assert code == 0, err
    run_it = out.split("Run it:\n")[1].split("Test it:")[0].splitlines()
    assert all(line.strip() for line in run_it), run_it
    assert run_it[1:] == [
        "  docker compose up -d --wait   # PostgreSQL (without Docker: see README.md)",
        "  cp .env.example .env",
        "  npm ci",
        "  npx prisma migrate deploy",
        "  npm run build && npm start",
    ]
    token = out.split("Call its API with a development token:\n")[1].split("Deploy it:")[0]
    assert token == "  npm run --silent dev-token --\n"


def test_new_tells_a_frontend_what_to_configure(tmp_path: Path) -> None:
    code, out, err = run("new", tmp_path / "web", "--stack", "vue", "--name", "web-portal")
    assert code == 0, err
    run_it = out.split("Run it:\n")[1].split("Test it:")[0].splitlines()
    assert run_it[1:] == [
        "  cp .env.example .env   # then set VITE_API_URL",
        "  npm ci",
        "  npm run dev",
    ]
    assert "development token" not in out


def test_new_defaults_the_destination_to_the_service_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(*NEW, "--no-git")
    assert code == 0, err
    assert (tmp_path / "media-service" / ".copier-answers.yml").is_file()


def test_new_accepts_an_existing_empty_folder(tmp_path: Path) -> None:
    code, _, err = run(*NEW, tmp_path, "--no-git")
    assert code == 0, err
    assert (tmp_path / "README.md").is_file()


def test_no_git_leaves_no_repository(tmp_path: Path) -> None:
    code, out, _ = run(*NEW, tmp_path / "svc", "--no-git")
    assert code == 0
    assert not (tmp_path / "svc" / ".git").exists()
    assert "no git repository: --no-git" in out


def test_new_inside_a_repository_does_not_nest_one(tmp_path: Path) -> None:
    git(tmp_path, "init", "--quiet")
    code, out, _ = run(*NEW, tmp_path / "services" / "media")
    assert code == 0
    assert not (tmp_path / "services" / "media" / ".git").exists()
    assert "already inside a git repository" in out


def test_pretend_writes_nothing(tmp_path: Path) -> None:
    dest = tmp_path / "svc"
    code, out, _ = run(*NEW, dest, "--pretend")
    assert code == 0
    assert not dest.exists()
    assert "nothing was written" in out


def test_answers_come_from_data_and_data_file(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_text("resource: media-assets\nport: 8100\norg: studio\n")
    dest = tmp_path / "svc"
    code, _, err = run(*NEW, dest, "--no-git", "--data-file", answers, "-d", "port=8200")
    assert code == 0, err
    stored = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert (stored["resource"], stored["port"], stored["org"]) == ("media-assets", 8200, "studio")
    assert stored["image_registry"] == "ghcr.io/studio"


def write_template(root: Path, files: dict[str, str]) -> Path:
    (root / "tpl").mkdir(parents=True)
    (root / "copier.yml").write_text(
        "_subdirectory: tpl\nstack: {type: str}\nservice_name: {type: str}\n"
    )
    for name, text in files.items():
        (root / "tpl" / name).write_text(text)
    return root


def test_template_and_vcs_ref_select_a_template_version(tmp_path: Path) -> None:
    template = write_template(tmp_path / "tpl-repo", {"version.txt": "one"})
    git(template, "init", "--quiet")
    git(template, "add", "-A")
    git(template, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "v1")
    git(template, "tag", "v1.0.0")
    (template / "tpl" / "version.txt").write_text("two")
    git(template, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "v2")
    git(template, "tag", "v2.0.0")

    for ref, expected in (("v1.0.0", "one"), ("v2.0.0", "two")):
        dest = tmp_path / ref
        code, _, err = run(
            "new",
            dest,
            "--template",
            template,
            "--vcs-ref",
            ref,
            "--name",
            "svc",
            "--stack",
            "x",
            "--no-git",
        )
        assert code == 0, err
        assert (dest / "version.txt").read_text() == expected


def test_a_stack_not_available_yet_is_refused_before_rendering(tmp_path: Path) -> None:
    config = (REPO_ROOT / "copier.yml").read_text()
    vue_facts = config.index("    vue:\n")
    template = probe_template(
        tmp_path / "template",
        config[:vue_facts] + config[vue_facts:].replace("available: true", "available: false", 1),
    )
    dest = tmp_path / "web"
    code, _, err = run("new", dest, "--template", template, "--stack", "vue", "--name", "web")
    assert code == 2
    assert err == (
        "error: stack 'vue' is not available in this template version yet;"
        " choose one of: fastapi, node, go\n"
    )
    assert not dest.exists()


def test_missing_name_without_a_terminal_is_an_error(tmp_path: Path) -> None:
    code, _, err = run("new", tmp_path / "svc", "--stack", "fastapi")
    assert code == 2
    assert err == "error: --name is required when not prompting (--defaults or no terminal)\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"port: [8000\n", "is not valid YAML (line 2)"),
        (b"- a\n- b\n", "must be a mapping"),
        (b"stack: [fastapi]\n", "answer 'stack' must be one value, got a list"),
        (b"service_name: {a: 1}\n", "answer 'service_name' must be one value, got a mapping"),
        (b"service_name: caf\xe9\n", "is not UTF-8 text"),
    ],
)
def test_malformed_data_file_is_rejected(tmp_path: Path, content: bytes, message: str) -> None:
    data_file = tmp_path / "answers.yml"
    data_file.write_bytes(content)
    code, _, err = run(*NEW, tmp_path / "svc", "--data-file", data_file)
    assert code == 2
    assert message in err
    assert not (tmp_path / "svc").exists()


def test_unreadable_template_config_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "copier.yml").write_text("stack: [unclosed\n")
    code, _, err = run(*NEW, tmp_path / "svc", "--template", tmp_path)
    assert code == 2
    assert err.startswith(f"error: cannot read template {tmp_path / 'copier.yml'}")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("stacks", "message"),
    [
        ("{x: {summary: s}}", "stack x: lacks available, kind, language"),
        ("[fastapi]", "`stacks` is not a mapping"),
        ("{x: 5}", "stack x: its facts are not a mapping"),
        ("{x: {summary: s, prot: 8080}}", "stack x: unknown fact prot"),
    ],
)
def test_malformed_stack_facts_in_a_template_are_one_line(
    tmp_path: Path, stacks: str, message: str
) -> None:
    template = tmp_path / "template"
    template.mkdir()
    (template / "copier.yml").write_text(f"stacks:\n  type: yaml\n  default: {stacks}\n")
    code, _, err = run(*NEW, tmp_path / "svc", "--template", template)
    assert code == 2
    assert err.count("\n") == 1, err
    assert message in err
    assert not (tmp_path / "svc").exists()


def test_non_empty_destination_is_refused_and_kept(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    code, _, err = run(*NEW, tmp_path)
    assert code == 2
    assert err == f"error: destination {tmp_path} exists and is not empty\n"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_failing_first_commit_leaves_nothing_behind(tmp_path: Path) -> None:
    """As when the disk fills up during the commit: here, signing with a program that is not
    there."""
    signing = {
        "GIT_CONFIG_COUNT": "2",
        "GIT_CONFIG_KEY_0": "commit.gpgSign",
        "GIT_CONFIG_VALUE_0": "true",
        "GIT_CONFIG_KEY_1": "gpg.program",
        "GIT_CONFIG_VALUE_1": str(tmp_path / "no-such-gpg"),
    }
    dest = tmp_path / "svc"
    result = subprocess.run(
        [sys.executable, "-m", "visiobook_scaffold", *NEW, str(dest)],
        env={**os.environ, **signing},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: the first commit failed, nothing was written: ")
    assert result.stderr.count("\n") == 1
    assert not dest.exists()


@pytest.mark.parametrize("name", ["..", ".", "a/b"])
def test_a_name_that_is_no_folder_name_is_blamed_on_the_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("new", "--stack", "go", "--name", name)
    assert code == 2
    assert err.startswith(f"error: --name {name!r} cannot name the service's folder")
    assert list(tmp_path.iterdir()) == []


def test_without_git_every_command_says_so_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path / "no-tools-here")}
    for command in (["new", str(tmp_path / "svc"), "--stack", "go", "--name", "svc"],
                    ["update", str(tmp_path)], ["diff", str(tmp_path)]):  # fmt: skip
        result = subprocess.run(
            [sys.executable, "-m", "visiobook_scaffold", *command],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 2, command
        assert result.stderr == (
            "error: git is not installed (not found on PATH): install git, then retry\n"
        ), command
    assert not (tmp_path / "svc").exists()


def test_a_destination_the_system_cannot_name_is_refused_with_one_line(tmp_path: Path) -> None:
    dest = tmp_path / ("d" * 300)
    code, _, err = run(*NEW, dest)
    assert code == 2
    assert err.startswith(f"error: destination {dest} cannot be used: File name too long")
    assert err.count("\n") == 1


def test_a_destination_that_is_a_dangling_link_is_refused(tmp_path: Path) -> None:
    dest = tmp_path / "svc"
    dest.symlink_to(tmp_path / "nowhere")
    code, _, err = run(*NEW, dest)
    assert code == 2
    assert err == f"error: destination {dest} is a symbolic link to nothing\n"
    assert dest.is_symlink()


def test_destination_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "svc"
    target.write_text("x")
    code, _, err = run(*NEW, target)
    assert code == 2
    assert "exists and is not a folder" in err


@pytest.mark.parametrize("dest_exists", [False, True])
def test_failure_during_rendering_removes_what_was_written(
    tmp_path: Path, dest_exists: bool
) -> None:
    template = write_template(
        tmp_path / "broken",
        {
            "a-first.txt": "written before the failure",
            "z-last.txt.jinja": "{{ service_name | no_such_filter }}",
        },
    )
    dest = tmp_path / "svc"
    if dest_exists:
        dest.mkdir()
    code, _, err = run("new", dest, "--template", template, "--name", "svc", "--stack", "x")
    assert code == 2
    assert err.startswith("error: ")
    assert err.count("\n") == 1, err
    assert "no_such_filter" in err
    if dest_exists:
        assert list(dest.iterdir()) == []
    else:
        assert not dest.exists()


def test_ctrl_c_while_rendering_removes_what_was_written_and_exits_130(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import copier

    def render_then_interrupt(src_path: str, dst_path: Path, **_: object) -> None:
        Path(dst_path).mkdir(parents=True, exist_ok=True)
        (Path(dst_path) / "half-written.txt").write_text("the first file\n")
        raise KeyboardInterrupt

    monkeypatch.setattr(copier, "run_copy", render_then_interrupt)
    dest = tmp_path / "svc"
    code, _, err = run(*NEW, dest)
    assert code == 130
    assert err == "error: interrupted: nothing was written\n"
    assert not dest.exists()


def test_embedded_template_is_this_repository_in_a_checkout() -> None:
    from visiobook_scaffold.template import embedded_template_root

    assert embedded_template_root() == REPO_ROOT


def test_missing_answers_are_prompted_on_a_terminal(tmp_path: Path) -> None:
    dest = tmp_path / "svc"
    child = pexpect.spawn(
        sys.executable,
        [
            "-m",
            "visiobook_scaffold",
            "new",
            str(dest),
            "--stack",
            "fastapi",
            "--no-git",
            "--data",
            "port=8100",
        ],
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 200),
    )
    child.expect("Service name")
    child.sendline("prompted-service")
    # Accept the default of every other question until the command ends.
    while child.expect([pexpect.TIMEOUT, pexpect.EOF], timeout=0.2) == 0:
        child.send("\r")
    child.close()
    assert child.exitstatus == 0
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert answers["service_name"] == "prompted-service"
    assert answers["description"] == "prompted-service: a Visiobook microservice"
    assert answers["port"] == 8100  # given with --data, so not asked

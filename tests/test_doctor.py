"""`visiobook doctor` on machines made of small executables that answer like the real tools."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from visiobook_scaffold import doctor
from visiobook_scaffold.cli import app

runner = CliRunner()
GO_1_26_LOCAL_TOOLCHAIN = (
    'case "$1" in version) echo go version go1.26.8 linux/amd64;; env) echo local;; esac'
)
"""A Go 1.26 that fetches no newer toolchain (GOTOOLCHAIN=local), as Debian's sets it."""


class Machine:
    """A PATH holding git and whatever tools a test gives it, and an empty pyenv."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.bin = root / "bin"
        self.bin.mkdir()
        git = shutil.which("git")
        assert git is not None
        (self.bin / "git").symlink_to(git)
        self.pyenv = root / "pyenv"
        monkeypatch.setenv("PATH", str(self.bin))
        monkeypatch.setenv("PYENV_ROOT", str(self.pyenv))

    def tool(self, name: str, script: str) -> None:
        path = self.bin / name
        path.write_text(f"#!/bin/sh\n{script}\n")
        path.chmod(0o755)

    def doctor(self, *args: str) -> tuple[int, str, str]:
        result = runner.invoke(app, ["doctor", *args])
        return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Machine:
    return Machine(tmp_path, monkeypatch)


def test_a_missing_toolchain_is_named_with_its_fix_and_exit_1(machine: Machine) -> None:
    code, out, _ = machine.doctor("--stack", "node")
    assert code == 1
    assert "missing  Node.js 22 or 24 (node): not found\n" in out
    assert "         fix: install Node.js 22 LTS" in out
    assert out.endswith("Missing: Node.js 22 or 24 (node).\n")


def test_a_node_too_old_for_the_stack_is_missing(machine: Machine) -> None:
    machine.tool("node", "echo v20.19.0")
    machine.tool("npm", "echo 10.8.2")
    code, out, _ = machine.doctor("--stack", "vue")
    assert code == 1
    assert "missing  Node.js 22 or 24 (vue): 20.19.0\n" in out


def test_a_supported_toolchain_passes_and_the_rest_is_advice(machine: Machine) -> None:
    machine.tool("node", "echo v22.11.0")
    machine.tool("npm", "echo 10.9.0")
    code, out, _ = machine.doctor("--stack", "node")
    assert code == 0, out
    assert "ok       Node.js 22 or 24 (node): 22.11.0\n" in out
    assert "warn     PostgreSQL (integration tests): not found\n" in out
    assert "warn     helm (deploy with the chart): not found\n" in out
    assert out.endswith("Everything the stacks need is here.\n")


def test_an_older_go_with_a_local_toolchain_is_told_how_to_build(machine: Machine) -> None:
    machine.tool(
        "go",
        'case "$1" in version) echo "go version go1.26.3 linux/amd64";; env) echo local;; esac',
    )
    code, out, _ = machine.doctor("--stack", "go")
    assert code == 0, out
    assert "warn     Go 1.26 or 1.27 (go): 1.26.3\n" in out
    assert "generate with --data language_version=1.26" in out


def test_a_python_pyenv_has_but_has_not_selected_is_found(machine: Machine) -> None:
    interpreter = machine.pyenv / "versions/3.13.2/bin/python3.13"
    interpreter.parent.mkdir(parents=True)
    interpreter.write_text("")
    code, out, _ = machine.doctor("--stack", "fastapi")
    assert code == 0, out
    assert "warn     Python 3.12, 3.13 or 3.14 (fastapi): 3.13.2 in pyenv, not selected\n" in out
    assert "fix: pyenv shell 3.13.2" in out


def test_a_tool_that_never_answers_is_given_up_on(
    machine: Machine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(doctor, "PROBE_TIMEOUT", 1)
    machine.tool("node", "exec sleep 60")
    code, out, _ = machine.doctor("--stack", "node")
    assert code == 1
    assert "missing  Node.js 22 or 24 (node): not found\n" in out


def test_an_unknown_stack_is_one_line(machine: Machine) -> None:
    assert machine.doctor("--stack", "cobol") == (
        2,
        "",
        "error: unknown stack 'cobol'; choose one of: fastapi, node, go, vue\n",
    )


def test_new_says_when_this_machine_cannot_run_what_it_made(
    machine: Machine, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["new", str(tmp_path / "svc"), "--stack", "node", "--name", "svc"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "This machine lacks Node.js 22 or 24 (node), found none:"
        " `visiobook doctor --stack node` says how to get it."
    )


def test_new_says_when_the_machines_go_will_not_build_the_version_it_made(
    machine: Machine, tmp_path: Path
) -> None:
    machine.tool("go", GO_1_26_LOCAL_TOOLCHAIN)
    result = runner.invoke(app, ["new", str(tmp_path / "svc"), "--stack", "go", "--name", "svc"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "On this machine, Go 1.26 or 1.27 (go): found 1.26.8; go.mod asks Go 1.27 and"
        " GOTOOLCHAIN=local: set GOTOOLCHAIN=auto, or generate with --data language_version=1.26."
    )


def test_new_says_nothing_when_the_machines_go_builds_the_version_it_made(
    machine: Machine, tmp_path: Path
) -> None:
    machine.tool("go", GO_1_26_LOCAL_TOOLCHAIN)
    result = runner.invoke(
        app,
        ["new", str(tmp_path / "svc"), "--stack", "go", "--name", "svc",
         "--data", "language_version=1.26"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "On this machine" not in result.stdout
    assert "lacks" not in result.stdout

"""Generate a real service with the CLI and run its own tool chain, as a user would.

Each stack's project knows how to install itself, migrate a database, and start its server;
the probe tests (test_probes.py) then treat every stack alike. `told()` runs a command as the
stack facts give it to developers (copier.yml: the service's README and CI print the same), so
the commands users are told are the ones proven.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import yaml

from tests.helpers import REPO_ROOT
from tests.slow.postgres import PostgresServer
from tests.slow.prisma import migrate_deploy
from visiobook_scaffold.template import load_config


@dataclass(frozen=True)
class Run:
    code: int
    output: str


def generate(dest: Path, *args: str) -> Path:
    subprocess.run(
        [sys.executable, "-m", "visiobook_scaffold", "new", str(dest), "--defaults", *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return dest


def run(cwd: Path, *command: str, env: dict[str, str] | None = None, timeout: int = 900) -> Run:
    result = subprocess.run(
        command,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    return Run(result.returncode, result.stdout + result.stderr)


def told_command(stack: str, name: str) -> str:
    """The command `name` (install, migrate, run, lint, test...) as the stack facts give it."""
    return load_config(REPO_ROOT).stacks[stack].commands[name]


@dataclass(frozen=True)
class Project:
    """A generated project in `root`, its dependencies installed by the harness."""

    root: Path

    STACK: ClassVar[str]
    # What the harness needs on this machine and a developer's does not (see each stack).
    HARNESS_ENV: ClassVar[dict[str, str]] = {}

    def workspace_env(self) -> dict[str, str]:
        """What the stack's `workspace` command sets up for the others (none: nothing)."""
        return {}

    def told_env(self, env: dict[str, str] | None = None) -> dict[str, str]:
        """The environment a developer's shell gives the stack's commands: this one, what the
        harness needs, what `workspace` sets up, then `env`."""
        return {**os.environ, **self.HARNESS_ENV, **self.workspace_env(), **(env or {})}

    def told(self, name: str, env: dict[str, str] | None = None) -> Run:
        """Runs the stack's command `name` exactly as its developers are told, in a shell."""
        command = told_command(self.STACK, name)
        return run(self.root, "bash", "-c", command, env=self.told_env(env))


@dataclass(frozen=True)
class ServiceProject(Project, ABC):
    """A backend: a database to migrate and a server to start."""

    def migrate(self, postgres: PostgresServer, database: str, env: dict[str, str]) -> None:
        result = self.told("migrate", env=env)
        assert result.code == 0, result.output

    @abstractmethod
    def server_command(self) -> list[str]:
        """What the release image runs (its Dockerfile's CMD), built as the image builds it:
        the process Kubernetes signals, whose exit codes and graceful stop are tested."""


def python_release(root: Path) -> str:
    """The interpreter of the service's `language_version` (its answers file)."""
    answers = yaml.safe_load((root / ".copier-answers.yml").read_text())
    return python_of(str(answers["language_version"]))


def python_of(release: str) -> str:
    """The interpreter of a Python release (`3.13`): the newest patch release pyenv has of it,
    else `python3.X` on PATH (pyenv's shims answer only for the releases selected, so they are
    passed over)."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    installed = sorted(
        pyenv_root.glob(f"versions/{release}.*/bin/python{release}"),
        key=lambda path: int(path.parts[-3].rsplit(".", 1)[1]),
    )
    if installed:
        return str(installed[-1])
    found = shutil.which(f"python{release}")
    if found is None or "/shims/" in found:
        raise AssertionError(f"Python {release}, which the service is generated for, is missing")
    return found


@dataclass(frozen=True)
class PythonProject(ServiceProject):
    STACK: ClassVar[str] = "fastapi"

    @property
    def bin(self) -> Path:
        return self.root / ".venv" / "bin"

    def workspace_env(self) -> dict[str, str]:
        # What `. .venv/bin/activate` does; the harness made .venv on the Python the service
        # is generated for (install), where `workspace` would take the `python` on PATH.
        path = f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}"
        return {"VIRTUAL_ENV": str(self.root / ".venv"), "PATH": path}

    def install(self, requirements: str = "requirements-dev.txt") -> None:
        # On the Python release the service was generated for, as its team would run it.
        python = python_release(self.root)
        created = run(self.root, python, "-m", "venv", str(self.root / ".venv"))
        assert created.code == 0, created.output
        result = run(
            self.root,
            str(self.bin / "pip"),
            "install",
            "--disable-pip-version-check",
            "-q",
            "-r",
            requirements,
        )
        assert result.code == 0, result.output

    def tool(self, name: str, *args: str, env: dict[str, str] | None = None) -> Run:
        return run(self.root, str(self.bin / name), *args, env=env)

    def server_command(self) -> list[str]:
        return [str(self.bin / "python"), "-m", "app"]


@dataclass(frozen=True)
class NpmProject(Project):
    """A project installed with `npm ci` from its lock file, run through its npm scripts."""

    def install(self) -> None:
        result = self.npm("ci", "--no-audit", "--no-fund")
        assert result.code == 0, result.output

    def npm(self, *args: str, env: dict[str, str] | None = None) -> Run:
        npm = shutil.which("npm")
        assert npm is not None, "npm not found"
        return run(self.root, npm, *args, env={**self.HARNESS_ENV, **(env or {})})


@dataclass(frozen=True)
class NodeProject(NpmProject, ServiceProject):
    STACK: ClassVar[str] = "node"
    # Prisma's CLI wants its schema-engine binary, downloaded from a host this machine cannot
    # reach; `prisma generate` only checks that one exists. Only the harness does this: the
    # generated project uses the normal Prisma workflow (see tests/slow/prisma.py).
    HARNESS_ENV: ClassVar[dict[str, str]] = {
        "PRISMA_SCHEMA_ENGINE_BINARY": "/bin/true",
        "CHECKPOINT_DISABLE": "1",
    }

    def migrate(self, postgres: PostgresServer, database: str, env: dict[str, str]) -> None:
        # Not `told("migrate")`: `prisma migrate deploy` needs the schema engine (prisma.py).
        migrate_deploy(postgres, database, self.root)

    def server_command(self) -> list[str]:
        result = self.npm("run", "build")
        assert result.code == 0, result.output
        node = shutil.which("node")
        assert node is not None, "node not found"
        return [node, "dist/server.js"]


@dataclass(frozen=True)
class GoProject(ServiceProject):
    STACK: ClassVar[str] = "go"

    # The generated go.mod names the Go release the user chose, which may be newer than the
    # machine's; Go's default (`auto`) fetches that toolchain from the module proxy. Debian's
    # Go package sets `local` instead, so the harness asks for Go's default.
    HARNESS_ENV: ClassVar[dict[str, str]] = {"GOTOOLCHAIN": "auto"}

    def install(self) -> None:
        result = self.go("mod", "download")
        assert result.code == 0, result.output

    def go(self, *args: str, env: dict[str, str] | None = None) -> Run:
        go = shutil.which("go")
        assert go is not None, "go not found"
        return run(self.root, go, *args, env={**self.HARNESS_ENV, **(env or {})})

    def make(self, *args: str, env: dict[str, str] | None = None) -> Run:
        make = shutil.which("make")
        assert make is not None, "make not found"
        return run(self.root, make, *args, env={**self.HARNESS_ENV, **(env or {})})

    def server_command(self) -> list[str]:
        result = self.make("build")
        assert result.code == 0, result.output
        return [str(self.root / "bin" / "server")]


@dataclass(frozen=True)
class VueProject(NpmProject):
    """A Vue app: no database and no server of its own (nginx serves its build: nginx.py)."""

    STACK: ClassVar[str] = "vue"

    def chromium(self) -> str:
        """Debian's Chromium: the browser tests may not download Playwright's own."""
        browser = shutil.which("chromium")
        assert browser is not None, "chromium not found (Debian package `chromium`)"
        return browser

"""Generate a real service with the CLI and run its own tool chain, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path


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


@dataclass(frozen=True)
class PythonProject:
    root: Path

    @property
    def bin(self) -> Path:
        return self.root / ".venv" / "bin"

    def install(self, requirements: str = "requirements-dev.txt") -> None:
        venv.create(self.root / ".venv", with_pip=True)
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

"""A service generated with the CLI into a temporary folder, for the lock-file scripts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def generate(stack: str, service: Path, answers: dict[str, str] | None = None) -> None:
    """Generates `stack` into `service`, named after the folder, with default answers but those
    given."""
    new = [sys.executable, "-m", "visiobook_scaffold", "new", str(service), "--defaults"]
    data = [f"--data={key}={value}" for key, value in (answers or {}).items()]
    subprocess.run(
        [*new, "--stack", stack, "--name", service.name, *data, "--no-git"],
        check=True,
        cwd=REPO_ROOT,
    )

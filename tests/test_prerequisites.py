"""`make prerequisites`: a fresh machine learns everything `make test` needs in one message."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.helpers import REPO_ROOT


def test_every_missing_prerequisite_is_listed_at_once_with_the_install_command(
    tmp_path: Path,
) -> None:
    # A machine with a shell and nothing else on PATH.
    for tool in ("bash", "ls"):
        found = shutil.which(tool)
        assert found is not None
        (tmp_path / tool).symlink_to(found)
    result = subprocess.run(
        ["bash", str(REPO_ROOT / "scripts/check_prerequisites.sh")],
        env={"PATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    lacks, install = result.stderr.splitlines()
    assert lacks.startswith("make test needs what this machine lacks: git, make, a C compiler")
    assert "shellcheck" in lacks
    assert "Go (https://go.dev/dl/), Node.js with npm (https://nodejs.org/)." in lacks
    assert install.startswith("On Debian or Ubuntu: sudo apt-get install git make gcc libc6-dev")


def test_this_machine_has_what_make_test_needs() -> None:
    result = subprocess.run(
        ["bash", str(REPO_ROOT / "scripts/check_prerequisites.sh")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr

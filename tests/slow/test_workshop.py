"""Slow tier: docs/workshop.md is what its commands print today.

scripts/run_workshop.py runs every command of scripts/workshop.src.md, in order, in a scratch folder
against a private PostgreSQL server (tests/slow/postgres.py), and renders the page from what
they printed. This test runs it and fails when the committed page differs from that render, with
the difference and the command that writes the page again.
"""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.workshop_page import comparable, parse
from tests.helpers import REPO_ROOT
from tests.slow.tools import tool

pytestmark = pytest.mark.slow

PAGE = REPO_ROOT / "docs" / "workshop.md"
SOURCE = REPO_ROOT / "scripts" / "workshop.src.md"
REGENERATE = "python scripts/run_workshop.py"


def test_the_workshop_page_shows_what_its_commands_print(tmp_path: Path) -> None:
    produced = tmp_path / "workshop.md"
    # The learner's helm: the one `make tools` builds when PATH has none.
    helm_folder = str(Path(tool("helm")).parent)
    result = subprocess.run(
        [sys.executable, "scripts/run_workshop.py", "--output", str(produced)],
        cwd=REPO_ROOT,
        env={**os.environ, "PATH": f"{helm_folder}:{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )
    assert result.returncode == 0, f"the workshop stopped:\n{result.stderr[-8000:]}"
    # What `doctor` finds differs from machine to machine: such blocks compare by command.
    segments = parse(SOURCE.read_text())
    committed = comparable(PAGE.read_text(), segments)
    rendered = comparable(produced.read_text(), segments)
    if committed != rendered:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                rendered.splitlines(keepends=True),
                "docs/workshop.md (committed)",
                "docs/workshop.md (this run)",
            )
        )
        pytest.fail(
            f"docs/workshop.md is not what its commands print now; run `{REGENERATE}` and"
            f" review the difference:\n{diff[-8000:]}",
            pytrace=False,
        )

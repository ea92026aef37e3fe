"""Slow tier: the built wheel carries the templates and generates a service on its own."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest
import yaml

from tests.helpers import REPO_ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the wheel built from this checkout installed into it."""
    root = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(root / "dist"), str(REPO_ROOT)],
        check=True,
        capture_output=True,
    )
    venv.create(root / "venv", with_pip=True)
    wheel = next((root / "dist").glob("*.whl"))
    subprocess.run(
        [str(root / "venv/bin/pip"), "install", "-q", "--disable-pip-version-check", str(wheel)],
        check=True,
        capture_output=True,
    )
    return root / "venv" / "bin"


def test_installed_wheel_generates_from_its_embedded_template(
    installed: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "svc"
    # Run from an empty folder, far from this checkout, so only the wheel's copy can be used.
    result = subprocess.run(
        [
            str(installed / "visiobook"),
            "new",
            str(dest),
            "--stack",
            "fastapi",
            "--name",
            "svc",
            "--no-git",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert "site-packages/visiobook_scaffold/_template" in answers["_src_path"]
    # Shared files, linked in the source tree, arrive as real files.
    for shared in (
        "README.md",
        ".env.example",
        "k8s/helm/templates/deployment.yaml",
        ".github/workflows/ci-cd.yml",
    ):
        assert (dest / shared).is_file(), shared
    rendered = sum(len(files) for _, _, files in os.walk(dest))
    in_checkout = sum(
        len(files) for _, _, files in os.walk(REPO_ROOT / "templates/fastapi", followlinks=True)
    )
    assert rendered == in_checkout


def test_installed_cli_lists_stacks_without_copier(installed: Path) -> None:
    result = subprocess.run(
        [str(installed / "python"), "-X", "importtime", "-m", "visiobook_scaffold", "list"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.startswith("fastapi  Python")
    assert " copier" not in result.stderr

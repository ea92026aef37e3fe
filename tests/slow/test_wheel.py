"""Slow tier: the built wheel carries the templates and generates a service on its own."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.helpers import AVAILABLE_STACKS, REPO_ROOT

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


@pytest.mark.parametrize("stack", AVAILABLE_STACKS)
def test_installed_wheel_generates_from_its_embedded_template(
    installed: Path, tmp_path: Path, stack: str
) -> None:
    dest = tmp_path / "svc"
    # Run from an empty folder, far from this checkout, so only the wheel's copy can be used.
    result = subprocess.run(
        [
            str(installed / "visiobook"),
            "new",
            str(dest),
            "--stack",
            stack,
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
        len(files) for _, _, files in os.walk(REPO_ROOT / "templates" / stack, followlinks=True)
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


def test_wheel_built_through_the_sdist_embeds_the_same_template(tmp_path: Path) -> None:
    """`python -m build` makes the wheel from the sdist; linked shared folders must survive it."""

    def embedded(*options: str) -> set[str]:
        out = tmp_path / "-".join(options or ("default",))
        command = [sys.executable, "-m", "build", *options, "--outdir", str(out), str(REPO_ROOT)]
        subprocess.run(command, check=True, capture_output=True)
        (wheel,) = out.glob("*.whl")
        with zipfile.ZipFile(wheel) as archive:
            return {name for name in archive.namelist() if "/_template/" in name}

    direct, through_sdist = embedded("--wheel"), embedded()
    assert through_sdist == direct
    for stack in AVAILABLE_STACKS:
        prefix = f"visiobook_scaffold/_template/templates/{stack}/"
        assert f"{prefix}k8s/helm/templates/deployment.yaml" in direct
        assert f"{prefix}.github/workflows/ci-cd.yml.jinja" in direct

"""Build hook: embed the template (copier.yml + templates/) as real files, and its versions.

Stack trees link the shared files and folders (templates/shared) with symlinks. Hatchling's own
walk visits each real folder once, so a shared folder linked into several stacks would reach
only the first; copying the tree with the links resolved gives every stack its full copy.

The template's versions (this repository's commits and tags) travel as a git bundle: the
installed CLI generates from it, and updates services offline with it (versions.py). The sdist
carries the bundle made from the checkout, so a wheel built from the sdist embeds the same.
Release tags missing from the checkout are restored first from `releases.toml` (releases.py).
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

EMBEDDED = "visiobook_scaffold/_template"
BUNDLE = "versions.bundle"


def releases_module(root: Path) -> ModuleType:
    """src/visiobook_scaffold/releases.py, loaded from its file: the package is not installed
    while it is being built."""
    spec = importlib.util.spec_from_file_location(
        "visiobook_releases", root / "src" / "visiobook_scaffold" / "releases.py"
    )
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {root}/src/visiobook_scaffold/releases.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_bundle(root: Path, bundle: Path) -> bool:
    """Bundles the checkout's history (HEAD, branches, tags); False when there is none."""
    if not (root / ".git").exists():
        return False
    for warning in releases_module(root).restore_tags(root):
        print(f"warning: release tag not restored: {warning}", file=sys.stderr)
    if subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True).stdout:
        print("warning: uncommitted changes are not in the embedded versions", file=sys.stderr)
    command = ["git", "bundle", "create", "--quiet", str(bundle), "HEAD", "--branches", "--tags"]
    subprocess.run(command, cwd=root, check=True, capture_output=True)
    return True


class EmbedTemplateHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        if self.target_name == "sdist":
            # The sdist keeps file links as links, but a shared folder reached through several
            # links is walked only once, under whichever name came first. Name every one.
            for folder in sorted((root / "templates").glob("*/*")):
                if folder.is_dir() and (folder.is_symlink() or folder.parent.name == "shared"):
                    build_data["force_include"][str(folder)] = str(folder.relative_to(root))
            bundle = Path(self.directory) / BUNDLE
            if make_bundle(root, bundle):
                build_data["force_include"][str(bundle)] = BUNDLE
            return
        staging = Path(self.directory) / "_template"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(
            root / "templates",
            staging / "templates",
            symlinks=False,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
        shutil.copy2(root / "copier.yml", staging / "copier.yml")
        if not make_bundle(root, staging / BUNDLE):
            if (root / BUNDLE).is_file():  # building from the sdist
                shutil.copy2(root / BUNDLE, staging / BUNDLE)
            else:
                print("warning: no git history: the wheel cannot update services", file=sys.stderr)
        build_data["force_include"][str(staging)] = EMBEDDED

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        shutil.rmtree(Path(self.directory) / "_template", ignore_errors=True)
        (Path(self.directory) / BUNDLE).unlink(missing_ok=True)

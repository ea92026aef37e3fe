"""Wheel build hook: embed the template (copier.yml + templates/) as real files.

Stack trees link the shared files and folders (templates/shared) with symlinks. Hatchling's own
walk visits each real folder once, so a shared folder linked into several stacks would reach
only the first; copying the tree with the links resolved gives every stack its full copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

EMBEDDED = "visiobook_scaffold/_template"


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
        build_data["force_include"][str(staging)] = EMBEDDED

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        shutil.rmtree(Path(self.directory) / "_template", ignore_errors=True)

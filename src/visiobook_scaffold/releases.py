"""The template's released versions, as this repository records them in `releases.toml`.

A release is a git tag (`v0.1.0`), which Copier, `update --check` and `check` read. A tag may
not survive the way a repository is published (a push of the branch alone, a copy of its
files with history, a mirror that drops tags), but a tracked file does: `releases.toml` maps
each version to the commit it was cut from, and `restore_tags` tags whatever commit lacks its
tag. The wheel's build runs it (hatch_build.py) before it bundles the history, so the embedded
versions always carry every release; so does the editable install `make` does.

Standard library only: the build hook loads this file before the package is installed.
"""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

RELEASES_FILE = "releases.toml"


def recorded(root: Path) -> dict[str, str]:
    """Version (`0.1.0`) -> full commit id, as `releases.toml` at `root` records them."""
    path = root / RELEASES_FILE
    if not path.is_file():
        return {}
    table = tomllib.loads(path.read_text(encoding="utf-8")).get("releases", {})
    return {str(version): str(commit) for version, commit in table.items()}


def tag_name(version: str) -> str:
    return f"v{version}"


def restore_tags(root: Path) -> list[str]:
    """Tags, in the git repository at `root`, each recorded release whose tag is missing.

    Returns a warning per release it could not restore: its commit is not in this clone (a
    shallow one), or its tag exists but names another commit (the tag wins: it is what
    Copier reads, and moving a published tag would rewrite a release).
    """
    warnings = []
    for version, commit in recorded(root).items():
        tag = tag_name(version)
        tagged = _git(root, "rev-parse", "--quiet", "--verify", f"refs/tags/{tag}^{{commit}}")
        if tagged is not None:
            if tagged != commit:
                warnings.append(f"{tag} names {tagged[:12]}, {RELEASES_FILE} says {commit[:12]}")
            continue
        if _git(root, "cat-file", "-e", f"{commit}^{{commit}}") is None:
            warnings.append(f"{tag}: commit {commit[:12]} is not in this clone")
            continue
        _git(root, "tag", tag, commit)
    return warnings


def _git(root: Path, *args: str) -> str | None:
    """git's output, stripped; None when it fails."""
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else None

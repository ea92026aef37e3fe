"""A released copy of this checkout's template, and the commands a team runs on its service.

Shared by the slow tier's update tests: the template of this checkout (copier.yml and
templates/, links kept) goes into a git repository of its own whose tags are its versions.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from tests.helpers import REPO_ROOT, git
from visiobook_scaffold.cli import app


def visiobook(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(arg) for arg in args])
    return result.exit_code, result.stdout, result.stderr


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def commit(service: Path, message: str) -> None:
    git(service, "add", "--all")
    git(service, "commit", "--quiet", "--message", message)


class TemplateRepository:
    """A template in a git repository whose tags are its released versions."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def of_this_checkout(cls, root: Path) -> TemplateRepository:
        """This checkout's template in a new repository, nothing released yet."""
        root.mkdir(parents=True)
        shutil.copy2(REPO_ROOT / "copier.yml", root / "copier.yml")
        shutil.copytree(REPO_ROOT / "templates", root / "templates", symlinks=True)
        git(root, "init", "--quiet", "--initial-branch=main")
        return cls(root)

    @classmethod
    def released(cls, root: Path) -> TemplateRepository:
        """This checkout's template, released as v1.0.0."""
        template = cls.of_this_checkout(root)
        template.release("v1.0.0")
        return template

    def stack_tree(self, stack: str) -> Path:
        return self.root / "templates" / stack

    def release(self, version: str) -> None:
        git(self.root, "add", "--all")
        git(self.root, "commit", "--quiet", "--allow-empty", "--message", version)
        git(self.root, "tag", version)

    def generate(self, dest: Path, stack: str) -> Path:
        code, _, err = visiobook(
            "new", dest, "--template", self.root, "--vcs-ref", "v1.0.0", "--defaults",
            "--stack", stack, "--name", "media-service", "--data", "resource=media-assets",
        )  # fmt: skip
        assert code == 0, err
        return dest

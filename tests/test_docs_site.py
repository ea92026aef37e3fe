"""The documentation site: it builds with every warning an error, and its command reference,
generated from the CLI, covers every command and option."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import typer.main

from tests.helpers import REPO_ROOT
from visiobook_scaffold.cli import app

GENERATED = ("index.md", "commands")


def docs_site() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_site", REPO_ROOT / "scripts/docs_site.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def site_root(tmp_path: Path) -> Path:
    """A copy of what the site is built from (the checkout's generated pages left out)."""
    root = tmp_path / "site-root"
    root.mkdir()
    for name in ("zensical.toml", "README.md"):
        shutil.copy(REPO_ROOT / name, root / name)
    shutil.copytree(
        REPO_ROOT / "docs", root / "docs", ignore=lambda folder, names: _generated(folder, names)
    )
    return root


def _generated(folder: str, names: list[str]) -> list[str]:
    return [name for name in names if name in GENERATED] if Path(folder).name == "docs" else []


def build(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts/docs_site.py"), "build", "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_site_builds_in_strict_mode_with_the_generated_pages(site_root: Path) -> None:
    result = build(site_root)
    assert result.returncode == 0, result.stderr
    assert "strict: no warnings" in result.stdout
    site = site_root / "site"
    for page in (
        "index.html",
        "commands/index.html",
        "commands/update/index.html",
        "update/index.html",
    ):
        assert (site / page).exists(), page
    # Offline: the pages ask nothing of a font or analytics service.
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis.com" not in home
    assert "googletagmanager" not in home


def _break_link(root: Path) -> None:
    with (root / "docs/contract.md").open("a", encoding="utf-8") as page:
        page.write("\nSee [the rules](no-such-page.md).\n")


def _break_anchor(root: Path) -> None:
    with (root / "docs/contract.md").open("a", encoding="utf-8") as page:
        page.write("\nSee [the rules](check.md#no-such-heading).\n")


def _link_outside_docs(root: Path) -> None:
    with (root / "docs/contract.md").open("a", encoding="utf-8") as page:
        page.write("\nSee [the CLI](../src/visiobook_scaffold/cli.py).\n")


def _page_outside_nav(root: Path) -> None:
    (root / "docs/orphan.md").write_text("# Orphan\n", encoding="utf-8")


def _nav_without_page(root: Path) -> None:
    (root / "docs/benchmarks.md").unlink()


def _broken_readme_link(root: Path) -> None:
    with (root / "README.md").open("a", encoding="utf-8") as readme:
        readme.write("\nSee [the guide](docs/no-such-guide.md).\n")


@pytest.mark.parametrize(
    ("breakage", "says"),
    [
        (_break_link, "page does not exist"),
        (_break_anchor, "anchor does not exist"),
        (
            _link_outside_docs,
            "docs/contract.md links ../src/visiobook_scaffold/cli.py, outside docs/: link"
            " https://github.com/visiobook/visiobook-scaffold/blob/main/src/visiobook_scaffold/cli.py",
        ),
        (_page_outside_nav, "in docs/ but not in the nav of zensical.toml: orphan.md"),
        (_nav_without_page, "in the nav of zensical.toml but not in docs/: benchmarks.md"),
        (_broken_readme_link, "page does not exist"),
    ],
)
def test_a_broken_link_or_nav_fails_the_build(site_root: Path, breakage: Any, says: str) -> None:
    breakage(site_root)
    result = build(site_root)
    assert result.returncode == 1
    assert says in result.stderr


def test_the_front_page_is_the_readme_with_links_that_work_from_the_docs_folder() -> None:
    readme = (
        "# Title\n\nRules: [check](docs/check.md#waivers), [log](CHANGELOG.md), "
        '[top](#title), [web](https://example.org/a), [t](docs/contract.md "The contract").\n'
    )
    front = docs_site().readme_as_front_page(
        readme, "docs", "https://github.com/visiobook/visiobook-scaffold"
    )
    assert front.endswith(
        "Rules: [check](check.md#waivers), "
        "[log](https://github.com/visiobook/visiobook-scaffold/blob/main/CHANGELOG.md), "
        '[top](#title), [web](https://example.org/a), [t](contract.md "The contract").\n'
    )
    assert front.startswith("<!-- Generated from README.md")


def _commands() -> dict[str, Any]:
    root = typer.main.get_command(app)
    return dict(getattr(root, "commands", {}))


def _table_rows(page: str) -> dict[str, str]:
    """A reference page's parameter rows, by their first cell (`-d, --data KEY=VALUE`)."""
    return {line.split("`")[1]: line for line in page.splitlines() if line.startswith("| `")}


def test_the_reference_has_a_page_per_command_listing_every_option_with_its_help(
    site_root: Path,
) -> None:
    docs_site().write_pages(site_root)
    pages = site_root / "docs/commands"
    commands = _commands()
    assert set(commands) >= {"new", "list", "update", "diff", "check", "doctor"}
    assert {page.stem for page in pages.glob("*.md")} == {*commands, "index"}
    for name, command in commands.items():
        page = (pages / f"{name}.md").read_text(encoding="utf-8")
        assert page.count(f"# visiobook {name}\n") == 1
        assert f"visiobook {name} [OPTIONS]" in page  # the usage line
        ctx = command.context_class(command, info_name=name)
        rows = _table_rows(page)
        for param in command.get_params(ctx):
            help_text = " ".join((getattr(param, "help", None) or "").split())
            if param.param_type_name == "argument":
                row = rows[param.metavar]
            else:
                flags = (*param.opts, *param.secondary_opts)
                [row] = [
                    line
                    for cell, line in rows.items()
                    if flags[-1] in cell.replace(",", " ").split()
                ]
                for flag in flags:
                    assert flag in row.split("`")[1].replace(",", " ").split(), (name, flag)
            assert help_text in row.replace("\\|", "|"), (name, param.name)
            if isinstance(param.default, str):
                assert f"`{param.default}`" in row, (name, param.name)
        for paragraph in (command.help or "").split("\n\n"):
            assert " ".join(paragraph.split()) in page, (name, paragraph)
        if "Exit code" in (command.help or ""):
            assert "## Exit codes" in page, name


def test_every_command_page_is_in_the_nav() -> None:
    config = tomllib.loads((REPO_ROOT / "zensical.toml").read_text(encoding="utf-8"))
    listed = docs_site().nav_pages(config["project"]["nav"])
    assert {f"commands/{name}.md" for name in _commands()} <= set(listed)

"""Build the documentation site (Zensical, zensical.toml) with every warning an error.

    python scripts/docs_site.py build [--root DIR]   # pages, nav check, strict build into site/
    python scripts/docs_site.py serve                # pages, nav check, preview on localhost:8000

Before Zensical runs, the generated pages are written into the docs folder (both git-ignored):
the front page, docs/index.md, from README.md (which stays the GitHub front page), and one page
per command in docs/commands/, from the CLI's own help (visiobook_scaffold.reference), so the
reference cannot drift from `--help`. Zensical checks links and anchors; this script checks the
nav: every page listed, every listed page there.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

from visiobook_scaffold import reference
from visiobook_scaffold.cli import app

PROGRAM = "visiobook"
CONFIG = "zensical.toml"
COMMANDS = "commands"
FRONT_PAGE = "index.md"
# A Markdown link's target: `](target)` or `](target "title")`.
LINK = re.compile(r"\]\((?P<target>[^)\s]+)(?P<rest>[^)]*)\)")
SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:")  # https:, mailto:


class SiteError(Exception):
    """The site cannot be built as it stands: one line saying why."""


def project(root: Path) -> dict[str, Any]:
    config = tomllib.loads((root / CONFIG).read_text(encoding="utf-8"))
    return dict(config["project"])


def write_pages(root: Path) -> None:
    """The generated pages: the front page from README.md, the commands from the CLI."""
    settings = project(root)
    docs = root / settings["docs_dir"]
    front = readme_as_front_page(
        (root / "README.md").read_text(encoding="utf-8"), docs.name, settings["repo_url"]
    )
    (docs / FRONT_PAGE).write_text(front, encoding="utf-8")
    pages = docs / COMMANDS
    shutil.rmtree(pages, ignore_errors=True)  # a removed command leaves no page behind
    pages.mkdir()
    (pages / "index.md").write_text(
        reference.index_page(app, PROGRAM, "Commands"), encoding="utf-8"
    )
    for command in reference.commands(app, PROGRAM):
        (pages / f"{command.name}.md").write_text(
            reference.command_page(command, PROGRAM), encoding="utf-8"
        )


def readme_as_front_page(readme: str, docs_folder: str, repo_url: str) -> str:
    """README.md, with its links made right from the docs folder: a page of the docs folder by
    its name there, any other file of the repository on GitHub."""

    def relink(match: re.Match[str]) -> str:
        target = match["target"]
        if target.startswith("#") or SCHEME.match(target):
            return match[0]
        if target.startswith(f"{docs_folder}/"):
            target = target.removeprefix(f"{docs_folder}/")
        else:
            target = f"{repo_url}/blob/main/{target}"
        return f"]({target}{match['rest']})"

    generated = "<!-- Generated from README.md by scripts/docs_site.py: edit README.md instead. -->"
    return f"{generated}\n\n{LINK.sub(relink, readme)}"


def check_nav(root: Path) -> None:
    """Every page of the docs folder is in the nav, and every nav entry is a page there."""
    settings = project(root)
    docs = root / settings["docs_dir"]
    listed = set(nav_pages(settings.get("nav", [])))
    present = {page.relative_to(docs).as_posix() for page in docs.rglob("*.md")}
    missing = sorted(listed - present)
    unlisted = sorted(present - listed)
    problems = [f"in the nav of {CONFIG} but not in {docs.name}/: {name}" for name in missing]
    problems += [f"in {docs.name}/ but not in the nav of {CONFIG}: {name}" for name in unlisted]
    if problems:
        raise SiteError("; ".join(problems))


def check_links_stay_inside(root: Path) -> None:
    """No page links a file outside the docs folder: the site would not have it (Zensical says
    so for a Markdown file only). Such a link is written as the file's GitHub address, which
    works on GitHub and on the site alike."""
    settings = project(root)
    docs = (root / settings["docs_dir"]).resolve()
    problems = []
    for page in sorted(docs.rglob("*.md")):
        for target in relative_links(page.read_text(encoding="utf-8")):
            path = (page.parent / target.split("#")[0]).resolve()
            if not path.is_relative_to(docs):
                where = path.relative_to(root.resolve()).as_posix()
                problems.append(
                    f"{page.relative_to(docs.parent).as_posix()} links {target}, outside"
                    f" {docs.name}/: link {settings['repo_url']}/blob/main/{where} instead"
                )
    if problems:
        raise SiteError("; ".join(problems))


def relative_links(markdown: str) -> list[str]:
    """The targets of the Markdown links that name a file by a relative path, fenced code left
    out."""
    targets = []
    in_fence = False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        elif not in_fence:
            targets += [
                match["target"]
                for match in LINK.finditer(line)
                if not (match["target"].startswith("#") or SCHEME.match(match["target"]))
            ]
    return targets


def nav_pages(nav: Any) -> list[str]:
    """The pages a Zensical/MkDocs nav lists, however deeply nested."""
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, list):
        return [page for item in nav for page in nav_pages(item)]
    if isinstance(nav, dict):
        return [page for value in nav.values() for page in nav_pages(value)]
    raise SiteError(f"unexpected nav entry in {CONFIG}: {nav!r}")


def build(root: Path) -> None:
    """Generated pages, nav check, then Zensical in strict mode: any warning fails the build."""
    write_pages(root)
    check_nav(root)
    check_links_stay_inside(root)
    run = subprocess.run(
        [sys.executable, "-m", "zensical", "build", "--strict", "-f", str(root / CONFIG)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = run.stdout + run.stderr
    if run.returncode != 0 or "Warning" in output:
        raise SiteError(f"the strict build failed:\n{output}")
    print(f"Built {root / project(root)['site_dir']} (strict: no warnings).")


def serve(root: Path) -> None:
    write_pages(root)
    check_nav(root)
    check_links_stay_inside(root)
    served = subprocess.run(
        [sys.executable, "-m", "zensical", "serve", "-f", str(root / CONFIG)], check=False
    )
    if served.returncode != 0:  # e.g. the port is taken: make must not say it went well
        raise SiteError(f"zensical serve exited with {served.returncode}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("action", choices=("build", "serve"))
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(__file__).resolve().parent.parent,
        help="folder holding zensical.toml, README.md and the docs folder (default: this checkout)",
    )
    arguments = parser.parse_args()
    try:
        build(arguments.root) if arguments.action == "build" else serve(arguments.root)
    except SiteError as error:
        sys.exit(f"docs: {error}")


if __name__ == "__main__":
    main()

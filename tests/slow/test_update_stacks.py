"""Slow tier: `visiobook update` on real services of every stack.

The template of this checkout is released as v1.0.0 in a temporary git repository; a service
generated from it is changed as a team would change it; the template then gets a v2.0.0 with
changes of its own; the service is updated and its files are checked one by one. For FastAPI
and Vue, the updated service also passes its own checks.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.helpers import AVAILABLE_STACKS, git
from tests.slow.postgres import PostgresServer
from tests.slow.project import PythonProject, VueProject
from tests.slow.updates import TemplateRepository, commit, replace_in, visiobook

pytestmark = pytest.mark.slow

REVIEW_LINE = "git working tree, then review the changes like any other commit."


@pytest.fixture
def template(tmp_path: Path) -> TemplateRepository:
    return TemplateRepository.released(tmp_path / "template")


def no_conflict_left(service: Path) -> None:
    for path in service.rglob("*"):
        if ".git" in path.parts or not path.is_file():
            continue
        assert not path.name.endswith(".rej"), path
        assert "<<<<<<< " not in path.read_text(errors="replace"), f"markers left in {path}"


def team_changes(service: Path) -> None:
    """What a team does to its service: edits, a file of its own, a template file it drops."""
    replace_in(
        service / "README.md",
        "media-service: a Visiobook microservice",
        "The media assets of the Visiobook studio.",
    )
    (service / "docs").mkdir(exist_ok=True)
    (service / "docs/decisions.md").write_text("# Decisions\n\n1. We keep the defaults.\n")
    (service / ".yamllint.yml").unlink()
    commit(service, "team changes")


def template_changes(template: TemplateRepository, stack: str) -> None:
    """What the next template version brings: an edit, a new file, an edit of a dropped file."""
    replace_in(
        template.root / "templates/shared/README.md.jinja",
        REVIEW_LINE,
        "git working tree, then review the changes and run the tests before you merge.",
    )
    (template.root / "templates" / stack / "CONTRIBUTING.md").write_text(
        "# Contributing\n\nOne change per pull request.\n"
    )
    replace_in(template.root / "templates/shared/.yamllint.yml", "max: 120", "max: 110")
    template.release("v2.0.0")


@pytest.mark.parametrize("stack", AVAILABLE_STACKS)
def test_update_brings_the_template_changes_and_keeps_the_teams(
    template: TemplateRepository, tmp_path: Path, stack: str
) -> None:
    service = template.generate(tmp_path / "media-service", stack)
    team_changes(service)
    template_changes(template, stack)
    head = git(service, "rev-parse", "HEAD")
    (service / "scratch.txt").write_text("not committed\n")
    assert visiobook("update", service)[0] == 2, "an uncommitted file must stop the update"
    (service / "scratch.txt").unlink()
    assert visiobook("update", service, "--pretend") == (
        0,
        "Pretend run: nothing was written.\n",
        "",
    )
    assert git(service, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(service, "rev-parse", "HEAD") == head

    code, out, err = visiobook("update", service)

    assert code == 0, err
    readme = (service / "README.md").read_text()
    assert "The media assets of the Visiobook studio." in readme  # the team's
    assert "review the changes and run the tests before you merge." in readme  # the template's
    assert (service / "CONTRIBUTING.md").read_text().startswith("# Contributing")
    assert (service / "docs/decisions.md").read_text().startswith("# Decisions")
    assert not (service / ".yamllint.yml").exists(), "a file the team deleted came back"
    no_conflict_left(service)
    answers = yaml.safe_load((service / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v2.0.0"
    assert "from template v1.0.0 to v2.0.0" in out

    commit(service, "update to v2.0.0")
    assert (
        visiobook("update", service)[1]
        == "Nothing to change: media-service is at template v2.0.0.\n"
    )
    assert visiobook("diff", service)[0] == 1  # the team's changes are drift from a clean v2


@pytest.mark.parametrize("stack", AVAILABLE_STACKS)
def test_an_edit_the_template_also_made_is_a_conflict_with_both_sides(
    template: TemplateRepository, tmp_path: Path, stack: str
) -> None:
    service = template.generate(tmp_path / "media-service", stack)
    replace_in(service / "README.md", REVIEW_LINE, "git working tree; ask the platform team.")
    commit(service, "team wording")
    template_changes(template, stack)

    code, _, err = visiobook("update", service)

    assert code == 1
    assert "  README.md" in err
    readme = (service / "README.md").read_text()
    assert "<<<<<<< " in readme
    assert "ask the platform team." in readme
    assert "run the tests before you merge." in readme


@pytest.mark.parametrize("stack", AVAILABLE_STACKS)
def test_an_answer_changed_during_the_update_reaches_the_platform_files(
    template: TemplateRepository, tmp_path: Path, stack: str
) -> None:
    service = template.generate(tmp_path / "media-service", stack)
    template_changes(template, stack)

    code, _, err = visiobook("update", service, "--data", "port=8123")

    assert code == 0, err
    values = yaml.safe_load((service / "k8s/helm/values.yaml").read_text())
    assert values["service"]["targetPort"] == 8123
    assert values["env"]["PORT"] == "8123"
    assert "PORT=8123\n" in (service / ".env.example").read_text()
    no_conflict_left(service)


def test_an_updated_fastapi_service_passes_its_own_checks(
    template: TemplateRepository, tmp_path: Path, postgres: PostgresServer
) -> None:
    service = template.generate(tmp_path / "media-service", "fastapi")
    team_changes(service)
    template_changes(template, "fastapi")
    assert visiobook("update", service)[0] == 0

    project = PythonProject(service)
    project.install()
    for check in (["ruff", "check", "."], ["ruff", "format", "--check", "."], ["mypy"]):
        result = project.tool(*check)
        assert result.code == 0, result.output[-4000:]
    database_url = postgres.create_database("updated_fastapi")
    result = project.tool("pytest", "-q", env={"DATABASE_URL": database_url})
    assert result.code == 0, result.output[-4000:]


def test_an_updated_vue_app_passes_its_own_checks(
    template: TemplateRepository, tmp_path: Path, vue_service: VueProject
) -> None:
    service = template.generate(tmp_path / "media-service", "vue")
    team_changes(service)
    template_changes(template, "vue")
    assert visiobook("update", service)[0] == 0

    # Same lock file, so the installed tree of the main fixture serves as this one's.
    (service / "node_modules").symlink_to(vue_service.root / "node_modules")
    project = VueProject(service)
    for script in ("lint", "type-check", "test:unit", "build"):
        result = project.npm("run", script)
        assert result.code == 0, f"{script}: {result.output[-4000:]}"


@pytest.mark.parametrize("stack", AVAILABLE_STACKS)
def test_a_file_the_template_moved_takes_the_teams_edits_along(
    template: TemplateRepository, tmp_path: Path, stack: str
) -> None:
    service = template.generate(tmp_path / "media-service", stack)
    dev_image = service / "docker/Dockerfile.dev"
    dev_image.write_text(dev_image.read_text() + "# The team's own line.\n")
    commit(service, "team note in the dev image")
    # v2.0.0 moves the file (a Copier migration moves the service's copy first) and edits it.
    docker = template.root / "templates" / stack / "docker"
    git(
        template.root,
        "mv",
        str(docker / "Dockerfile.dev.jinja"),
        str(docker / "Dev.Dockerfile.jinja"),
    )
    replace_in(docker / "Dev.Dockerfile.jinja", "# Development image", "# Image for development")
    with (template.root / "copier.yml").open("a") as config:
        config.write(
            "_migrations:\n"
            "  - version: v2.0.0\n"
            "    when: \"{{ _stage == 'before' }}\"\n"
            "    command: test ! -e docker/Dockerfile.dev"
            " || git mv docker/Dockerfile.dev docker/Dev.Dockerfile\n"
        )
    template.release("v2.0.0")

    code, out, err = visiobook("update", service, "--trust")

    assert code == 0, out + err
    assert not dev_image.exists()
    moved = (service / "docker/Dev.Dockerfile").read_text()
    assert moved.startswith("# Image for development")
    assert moved.endswith("# The team's own line.\n")
    no_conflict_left(service)

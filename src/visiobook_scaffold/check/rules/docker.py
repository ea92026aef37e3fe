"""Spec 1.2 and 9.1 (Docker): the production image."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from visiobook_scaffold.check.dockerfile import (
    Instruction,
    Stage,
    built_targets,
    copies_from_another_stage,
    deployed_stage,
    image_tag_problem,
    is_development_file,
    is_dockerfile,
    production_dockerfile,
    shipped_stages,
    stages,
)
from visiobook_scaffold.check.model import Finding, Severity, Skip
from visiobook_scaffold.check.registry import rule
from visiobook_scaffold.check.repo import Repo

ROOT_USERS = {"root", "0"}


@dataclass(frozen=True)
class Image:
    """The production Dockerfile and the stage of it that ships."""

    path: str
    stages: list[Stage]
    deployed: Stage


def _build_files(repo: Repo, *, compose: bool) -> Iterator[str]:
    """Where a repository says which stage it builds: workflows, Makefiles, scripts and
    skaffold files; or (`compose`) its compose files. Development variants aside: they build
    the dev stage."""
    for path in repo.files:
        name = PurePosixPath(path).name.lower()
        yaml = name.endswith((".yml", ".yaml"))
        if compose:
            wanted = yaml and "compose" in name
        else:
            wanted = (
                path.lower().startswith(".github/workflows/")
                or name in ("makefile", "justfile", ".gitlab-ci.yml")
                or name.endswith((".mk", ".sh"))
                or (yaml and "skaffold" in name)
            )
        if wanted and not is_development_file(path):
            yield path


def _targets(repo: Repo, parsed: list[Stage]) -> set[str]:
    """The stages the repository builds by name. Compose files count only when nothing else
    names a stage: they are mostly for running the service locally."""
    names = {stage.name.lower() for stage in parsed if stage.name}
    for compose in (False, True):
        found = built_targets(repo.text(path) or "" for path in _build_files(repo, compose=compose))
        if found & names:
            return found & names
    return set()


def _image(repo: Repo) -> Image:
    def find() -> Image | None:
        path = production_dockerfile(repo.files)
        if path is None:
            return None
        parsed = stages(repo.text(path) or "")
        if not parsed:
            raise Skip(f"{path} has no FROM instruction")
        return Image(path, parsed, deployed_stage(parsed, _targets(repo, parsed)))

    image = repo.memo("production-image", find)
    if image is None:
        others = [path for path in repo.files if is_dockerfile(path)]
        if others:
            listed = ", ".join(others)
            raise Skip(f"no production Dockerfile, only development or test ones ({listed})")
        raise Skip("no Dockerfile")
    return image


def _stage_label(stage: Stage) -> str:
    return f"the deployed stage {stage.name}" if stage.name else "the deployed stage"


@rule(
    "docker-multi-stage",
    category="docker",
    severity=Severity.ERROR,
    spec="1.2",
    title="The image is built in stages",
    fix="Build in one stage (`FROM ... AS builder`) and copy only what runs into a second one.",
)
def multi_stage(repo: Repo) -> Iterator[Finding]:
    image = _image(repo)
    if len(image.stages) < 2:
        yield Finding(
            "one stage only: build tools ship in the image", image.path, image.deployed.line
        )
    elif not copies_from_another_stage(image.stages, image.deployed):
        yield Finding(
            f"{_stage_label(image.deployed)} copies nothing from a build stage (COPY --from):"
            " it is built where it runs, so build tools ship in the image",
            image.path,
            image.deployed.line,
        )


@rule(
    "docker-non-root",
    category="docker",
    severity=Severity.ERROR,
    spec="1.2",
    title="The image runs as a non-root user",
    fix="Create a user with a fixed numeric UID in the deployed stage and end with `USER 10001`.",
)
def non_root(repo: Repo) -> Iterator[Finding]:
    image = _image(repo)
    user = _inherited(image, "USER")
    if user is None:
        yield Finding(
            f"{_stage_label(image.deployed)} sets no USER: the container runs as root",
            image.path,
            image.deployed.line,
        )
    elif user.arguments.split(":")[0].strip() in ROOT_USERS:
        yield Finding(f"USER {user.arguments} is root", image.path, user.line)


def _inherited(image: Image, keyword: str) -> Instruction | None:
    """The last `keyword` instruction in effect in the deployed stage: its own, else that of the
    stage it starts from (`FROM base AS prod` keeps base's USER and HEALTHCHECK)."""
    by_name = {stage.name.lower(): stage for stage in image.stages if stage.name}
    visited: list[Stage] = []
    stage: Stage | None = image.deployed
    while stage is not None and not any(stage is known for known in visited):
        visited.append(stage)
        found = stage.last(keyword)
        if found is not None:
            return found
        stage = by_name.get(stage.base.lower())
    return None


@rule(
    "docker-healthcheck",
    category="docker",
    severity=Severity.ERROR,
    spec="1.2",
    title="The image declares a HEALTHCHECK",
    fix="Add `HEALTHCHECK CMD ...` to the deployed stage, calling the service's /health.",
)
def healthcheck(repo: Repo) -> Iterator[Finding]:
    image = _image(repo)
    check = _inherited(image, "HEALTHCHECK")
    if check is None:
        yield Finding(
            f"{_stage_label(image.deployed)} has no HEALTHCHECK", image.path, image.deployed.line
        )
    elif check.arguments.upper().startswith("NONE"):
        yield Finding("HEALTHCHECK NONE turns the health check off", image.path, check.line)


@rule(
    "docker-pinned-base",
    category="docker",
    severity=Severity.ERROR,
    spec="9.1",
    title="Base images are pinned (no latest, no untagged image)",
    fix="Give every FROM a version tag (node:22-alpine, not node:alpine or node) or a digest.",
)
def pinned_base(repo: Repo) -> Iterator[Finding]:
    image = _image(repo)
    names = {stage.name.lower() for stage in image.stages if stage.name}
    for stage in shipped_stages(image.stages, image.deployed):
        if stage.base.lower() not in names and stage.base != "scratch":
            problem = image_tag_problem(stage.base)
            if problem:
                yield Finding(f"base image {stage.base} {problem}", image.path, stage.line)


@rule(
    "docker-ignore",
    category="docker",
    severity=Severity.ERROR,
    spec="1.2",
    title="A .dockerignore keeps the build context small and free of secrets",
    fix="Add a .dockerignore at the repository root (the build context) that excludes .git,"
    " .env, dependencies and build output.",
)
def dockerignore(repo: Repo) -> Iterator[Finding]:
    path = _image(repo).path
    if not (repo.has_file(".dockerignore") or repo.has_file(f"{path}.dockerignore")):
        yield Finding("no .dockerignore at the repository root")

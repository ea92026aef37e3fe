"""Spec 1.2 and 9.1 (Docker): the production image."""

from __future__ import annotations

from collections.abc import Iterator

from visiobook_scaffold.check.dockerfile import (
    PRODUCTION_DOCKERFILES,
    Stage,
    image_tag_problem,
    stages,
)
from visiobook_scaffold.check.model import Finding, Severity, Skip
from visiobook_scaffold.check.registry import rule
from visiobook_scaffold.check.repo import Repo

ROOT_USERS = {"root", "0"}


def _production_dockerfile(repo: Repo) -> tuple[str, list[Stage]]:
    for path in PRODUCTION_DOCKERFILES:
        text = repo.text(path)
        if text is not None:
            parsed = stages(text)
            if not parsed:
                raise Skip(f"{path} has no FROM instruction")
            return path, parsed
    raise Skip("no Dockerfile (docker/Dockerfile or Dockerfile)")


@rule(
    "docker-multi-stage",
    category="docker",
    severity=Severity.ERROR,
    spec="1.2",
    title="The image is built in stages",
    fix="Build in one stage (`FROM ... AS builder`) and copy only what runs into a second one.",
)
def multi_stage(repo: Repo) -> Iterator[Finding]:
    path, parsed = _production_dockerfile(repo)
    if len(parsed) < 2:
        yield Finding("one stage only: build tools ship in the image", path, parsed[0].line)


@rule(
    "docker-non-root",
    category="docker",
    severity=Severity.ERROR,
    spec="1.2",
    title="The image runs as a non-root user",
    fix="Create a user with a fixed numeric UID in the last stage and end with `USER 10001`.",
)
def non_root(repo: Repo) -> Iterator[Finding]:
    path, parsed = _production_dockerfile(repo)
    final = parsed[-1]
    user = final.last("USER")
    if user is None:
        yield Finding("the final stage sets no USER: the container runs as root", path, final.line)
    elif user.arguments.split(":")[0].strip() in ROOT_USERS:
        yield Finding(f"USER {user.arguments} is root", path, user.line)


@rule(
    "docker-healthcheck",
    category="docker",
    severity=Severity.ERROR,
    spec="1.2",
    title="The image declares a HEALTHCHECK",
    fix="Add `HEALTHCHECK CMD ...` to the final stage, calling the service's /health.",
)
def healthcheck(repo: Repo) -> Iterator[Finding]:
    path, parsed = _production_dockerfile(repo)
    final = parsed[-1]
    check = final.last("HEALTHCHECK")
    if check is None:
        yield Finding("the final stage has no HEALTHCHECK", path, final.line)
    elif check.arguments.upper().startswith("NONE"):
        yield Finding("HEALTHCHECK NONE turns the health check off", path, check.line)


@rule(
    "docker-pinned-base",
    category="docker",
    severity=Severity.ERROR,
    spec="9.1",
    title="Base images are pinned (no latest, no untagged image)",
    fix="Give every FROM a version tag (node:22-alpine) or a digest.",
)
def pinned_base(repo: Repo) -> Iterator[Finding]:
    path, parsed = _production_dockerfile(repo)
    earlier: set[str] = set()
    for stage in parsed:
        if stage.base.lower() not in earlier and stage.base != "scratch":
            problem = image_tag_problem(stage.base)
            if problem:
                yield Finding(f"base image {stage.base} {problem}", path, stage.line)
        if stage.name:
            earlier.add(stage.name.lower())


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
    path, _ = _production_dockerfile(repo)
    if not (repo.has_file(".dockerignore") or repo.has_file(f"{path}.dockerignore")):
        yield Finding("no .dockerignore at the repository root")

"""Spec 7.1: approved stacks at their minimum versions, no forbidden library."""

from __future__ import annotations

from collections.abc import Iterator

from packaging.version import Version

from visiobook_scaffold.check.model import Finding, Severity, Skip
from visiobook_scaffold.check.registry import rule
from visiobook_scaffold.check.repo import Repo
from visiobook_scaffold.check.versions import RUNTIME, declared, npm_dependencies
from visiobook_scaffold.template import embedded_template_root, load_config

FORBIDDEN = {
    "moment": "date-fns",
    "request": "axios",
    "mongoose": "Prisma",
}
"""Guidelines 7.1's forbidden libraries, and what to use instead."""

# Guidelines 7.1's "Stack Approuvée" minimums, per stack (package names as declared).
FLOORS: dict[str, dict[str, str]] = {
    "node": {
        RUNTIME: "18.18", "typescript": "5.2", "express": "4.18", "@nestjs/core": "10",
        "prisma": "5.6", "@prisma/client": "5.6", "zod": "3.22", "jest": "29",
        "axios": "1.6", "winston": "3.11",
    },
    "fastapi": {
        RUNTIME: "3.11", "fastapi": "0.104", "pytest": "7.4", "pydantic": "2.4",
        "torch": "2.1", "transformers": "4.35", "spacy": "3.7", "numpy": "1.24", "pandas": "2.1",
    },
    "go": {
        RUNTIME: "1.21", "github.com/gin-gonic/gin": "1.9", "github.com/gofiber/fiber/v2": "2.50",
        "gorm.io/gorm": "1.25",
    },
    "vue": {
        "vue": "3.3", "typescript": "5.0", "vite": "4.0", "vuetify": "3", "vue-router": "4",
    },
}  # fmt: skip


@rule(
    "forbidden-libraries",
    category="dependencies",
    severity=Severity.ERROR,
    spec="7.1",
    title="No forbidden library (moment, request, mongoose)",
    fix="Replace moment with date-fns, request with axios, mongoose with Prisma.",
    stacks=("node", "vue"),
)
def forbidden_libraries(repo: Repo) -> Iterator[Finding]:
    for name, _, line in npm_dependencies(repo):
        if name in FORBIDDEN:
            yield Finding(f"{name} is forbidden: use {FORBIDDEN[name]}", "package.json", line)


@rule(
    "version-floors",
    category="dependencies",
    severity=Severity.ERROR,
    spec="7.1",
    title="Runtime and approved libraries meet the guidelines' minimum versions",
    fix="Upgrade to at least the version guidelines 7.1 approves (the template generates"
    " current releases: `visiobook list`).",
)
def version_floors(repo: Repo) -> Iterator[Finding]:
    floors = FLOORS[repo.stack]
    judged = [item for item in declared(repo) if item.name in floors]
    if not judged:
        raise Skip("no version of the runtime or of an approved library found to judge")
    for item in judged:
        floor = floors[item.name]
        if item.version < Version(floor):
            what = "the runtime" if item.name == RUNTIME else item.name
            yield Finding(
                f"{what} {item.text} is below the approved minimum {floor}", item.path, item.line
            )


@rule(
    "runtime-supported",
    category="dependencies",
    severity=Severity.WARNING,
    spec="7.1",
    title="The runtime is a release still supported upstream",
    fix="Move to a supported release: the ones the template generates (`visiobook list`).",
)
def runtime_supported(repo: Repo) -> Iterator[Finding]:
    stack = load_config(embedded_template_root()).stacks[repo.stack]
    oldest = min(Version(v) for v in stack.language_versions)
    runtimes = [item for item in declared(repo) if item.name == RUNTIME]
    if not runtimes:
        raise Skip(f"no {stack.language} version declared to judge")
    for item in runtimes:
        if _release(item.version) < oldest:
            yield Finding(
                f"{stack.language} {item.text} is older than the supported"
                f" {', '.join(stack.language_versions)}",
                item.path,
                item.line,
            )


def _release(version: Version) -> Version:
    """Compare releases, not patches: Go 1.26.3 is release 1.26."""
    return Version(".".join(str(part) for part in version.release[:2]))

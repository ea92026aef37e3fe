"""Spec 7.1: approved stacks at their minimum versions, no forbidden library."""

from __future__ import annotations

from collections.abc import Iterator

from packaging.version import Version

from visiobook_scaffold.check.model import Finding, Severity, Skip
from visiobook_scaffold.check.profiles import RUNTIME, profile_of, stacks_of
from visiobook_scaffold.check.registry import rule
from visiobook_scaffold.check.repo import Repo
from visiobook_scaffold.check.versions import declared, npm_dependencies
from visiobook_scaffold.template import embedded_template_root, load_config

FORBIDDEN = {
    "moment": "date-fns",
    "request": "axios",
    "mongoose": "Prisma",
}
"""Guidelines 7.1's forbidden libraries, and what to use instead."""


@rule(
    "forbidden-libraries",
    category="dependencies",
    severity=Severity.ERROR,
    spec="7.1",
    title="No forbidden library (moment, request, mongoose)",
    fix="Replace moment with date-fns, request with axios, mongoose with Prisma.",
    stacks=stacks_of("npm"),
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
    floors = profile_of(repo).minimums
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

"""Spec 3.1 and 9.2 (API design): versioned, plural kebab-case resources, no verbs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from visiobook_scaffold.check.model import Finding, Severity
from visiobook_scaffold.check.registry import rule
from visiobook_scaffold.check.repo import Repo
from visiobook_scaffold.check.routes import Route, routes

VERSION = re.compile(r"^v\d+$")
KEBAB_CASE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
# Routes that are not resources: probes, metrics and API documentation.
INFRASTRUCTURE = frozenset(
    {"live", "health", "ready", "metrics", "livez", "healthz", "readyz", "liveness", "readiness",
     "docs", "redoc", "swagger", "api-docs", "openapi.json", "swagger.json", "favicon.ico"}
)  # fmt: skip
# The service names of guidelines 3.1 may come first: /api/v1/storage/...
SERVICE_NAMES = frozenset({"storage", "analysis", "media"})
# The same test as the template's `resource` question (copier.yml).
PLURAL = re.compile(r"(s|data|media|people|children|feedback)$")
READS_SINGULAR = re.compile(r"(ss|us|is)$")
VERBS = frozenset(
    {"get", "create", "update", "delete", "remove", "add", "fetch", "list", "set", "make", "do",
     "edit", "save", "insert", "modify", "change", "find", "retrieve", "compute", "process",
     "run", "execute", "send", "post", "put", "patch", "upsert", "destroy"}
)  # fmt: skip


def _segments(route: Route) -> list[str]:
    return [s for s in route.path.split("/") if s]


def _is_parameter(segment: str) -> bool:
    return segment[0] in ":{*<(" or "(" in segment


def _resource_segments(route: Route) -> list[str]:
    """The route's literal path segments that name resources."""
    return [
        segment
        for segment in _segments(route)
        if not _is_parameter(segment)
        and segment != "api"
        and not VERSION.match(segment)
        and segment not in INFRASTRUCTURE
    ]


@rule(
    "api-versioned",
    category="api",
    severity=Severity.ERROR,
    spec="3.1",
    title="Resources are served under /api/v{n}/",
    fix="Mount the resource routers under /api/v1 (a new major version under /api/v2).",
    kinds=("service",),
)
def versioned(repo: Repo) -> Iterator[Finding]:
    declared = routes(repo)
    for route in declared:
        segments = _segments(route)
        if segments[:1] == ["api"] and len(segments) > 1:
            second = segments[1]
            if not VERSION.match(second) and second not in INFRASTRUCTURE:
                yield Finding(f"{route.path} has no version after /api/", route.file, route.line)
    if any(re.search(r"/api/v\d+(/|$)", route.path) for route in declared):
        return
    resources = [route for route in declared if _resource_segments(route)]
    if resources:
        first = resources[0]
        yield Finding(f"no route is under /api/v{{n}}/ (e.g. {first.path})", first.file, first.line)


def naming_problems(segment: str) -> list[str]:
    """Why a resource path segment breaks guidelines 3.1; empty when it does not."""
    if not KEBAB_CASE.match(segment):
        return [f"'{segment}' is not kebab-case"]
    words = segment.split("-")
    problems = []
    if words[0] in VERBS:
        return [f"'{segment}' starts with a verb (the HTTP method says the action)"]
    last = words[-1]
    if segment not in SERVICE_NAMES and (not PLURAL.search(last) or READS_SINGULAR.search(last)):
        problems.append(f"'{segment}' is not plural")
    return problems


@rule(
    "api-naming",
    category="api",
    severity=Severity.ERROR,
    spec="3.1",
    title="Resource paths are plural, kebab-case nouns (no verbs)",
    fix="Rename the path segment: plural noun, lowercase words joined by '-',"
    " e.g. /api/v1/media-assets; let the HTTP method carry the action.",
    kinds=("service",),
)
def naming(repo: Repo) -> Iterator[Finding]:
    for route in routes(repo):
        problems = [p for s in _resource_segments(route) for p in naming_problems(s)]
        if problems:
            yield Finding(f"{route.path}: {'; '.join(problems)}", route.file, route.line)

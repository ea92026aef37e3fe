"""Spec 3.1 and 9.2 (API design): versioned, plural kebab-case resources, no verbs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from visiobook_scaffold.check.limits import rate_limit_evidence
from visiobook_scaffold.check.model import Finding, Severity, Skip
from visiobook_scaffold.check.openapi import documents, who_may_call, write_operations
from visiobook_scaffold.check.registry import rule
from visiobook_scaffold.check.repo import Repo
from visiobook_scaffold.check.routes import Route, no_route_reason, routes

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
    declared = _read_routes(repo)
    for route in declared:
        segments = _segments(route)
        if segments[:1] == ["api"] and len(segments) > 1:
            second = segments[1]
            if not VERSION.match(second) and second not in INFRASTRUCTURE:
                yield Finding(f"{route.path} has no version after /api/", route.file, route.line)
    if any(re.search(r"/api/v\d+(/|$)", route.path) for route in declared):
        return
    # A finding about the whole API: no one line is where the version is missing.
    yield Finding(f"routes were read but none is under /api/v{{n}}/: {_listed(declared)}")


def _read_routes(repo: Repo) -> list[Route]:
    """The routes read; skips, saying where it looked, when there is none to judge."""
    declared = routes(repo)
    if not declared:
        raise Skip(no_route_reason(repo))
    return declared


def _listed(declared: list[Route], most: int = 3) -> str:
    shown = ", ".join(f"{r.path} ({r.file}:{r.line})" for r in declared[:most])
    return shown + (f" and {len(declared) - most} more" if len(declared) > most else "")


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
    declared = _read_routes(repo)
    if not any(_resource_segments(route) for route in declared):
        raise Skip(f"no resource route to judge, only {_listed(declared)}")
    for route in declared:
        problems = [p for s in _resource_segments(route) for p in naming_problems(s)]
        if problems:
            yield Finding(f"{route.path}: {'; '.join(problems)}", route.file, route.line)


@rule(
    "api-write-roles",
    category="api",
    severity=Severity.WARNING,
    spec="9.1",
    title="Operations that write say which roles may call them",
    fix="Give each POST, PUT, PATCH and DELETE of the OpenAPI document a security requirement"
    ' that names the roles it needs (`"security": [{"bearerAuth": ["editor"]}]`), and check'
    " them in the route (403 without the role).",
    kinds=("service",),
)
def write_roles(repo: Repo) -> Iterator[Finding]:
    found = documents(repo)
    if not found:
        raise Skip("no OpenAPI document in the files (named openapi, swagger or api)")
    writes = [
        (document, operation) for document in found for operation in write_operations(document)
    ]
    if not writes:
        listed = ", ".join(document.path for document in found)
        raise Skip(f"no operation that writes in {listed}")
    for document, operation in writes:
        problem = who_may_call(operation)
        if problem:
            yield Finding(f"{operation.method} {operation.path}: {problem}", document.path)


@rule(
    "api-rate-limit",
    category="api",
    severity=Severity.WARNING,
    spec="9.1",
    title="Requests are rate limited",
    fix="Limit each client's requests (a rate-limiting library, or the ingress's limits) and"
    " document the 429 answer in the OpenAPI document, with RateLimit and Retry-After headers.",
    kinds=("service",),
)
def rate_limit(repo: Repo) -> Iterator[Finding]:
    if not rate_limit_evidence(repo):
        yield Finding(
            "no rate limit found: no rate-limiting library among the dependencies, no ingress"
            " limit, no 429 answer in an OpenAPI document"
        )

"""Spec 5 and 9.1 (Monitoring): probes, metrics and correlation ids."""

from __future__ import annotations

import re
from collections.abc import Iterator

from visiobook_scaffold.check.model import Finding, Severity
from visiobook_scaffold.check.registry import rule
from visiobook_scaffold.check.repo import Repo
from visiobook_scaffold.check.routes import routes, source_files


def _missing_routes(repo: Repo, wanted: tuple[str, ...]) -> Iterator[Finding]:
    declared = {route.path.rstrip("/") for route in routes(repo)}
    for path in wanted:
        if path not in declared:
            yield Finding(f"no {path} route in {_where(repo)}")


def _where(repo: Repo) -> str:
    return "docker/ (nginx) and src/" if repo.stack == "vue" else "the sources"


@rule(
    "health-routes",
    category="observability",
    severity=Severity.ERROR,
    spec="5.1",
    title="/health (the dependencies' state) and /ready (readiness) are served",
    fix="Serve GET /health (each dependency's state, 503 when a required one is down) and"
    " GET /ready (the service can take traffic), outside authentication.",
)
def health_routes(repo: Repo) -> Iterator[Finding]:
    yield from _missing_routes(repo, ("/health", "/ready"))


@rule(
    "metrics-route",
    category="observability",
    severity=Severity.ERROR,
    spec="5.3",
    title="Prometheus metrics are served on /metrics",
    fix="Serve GET /metrics with the Prometheus client of the stack.",
    kinds=("service",),
)
def metrics_route(repo: Repo) -> Iterator[Finding]:
    yield from _missing_routes(repo, ("/metrics",))


# nginx spells the header $http_x_correlation_id.
CORRELATION_HEADER = re.compile(r"x[-_]correlation[-_]id", re.IGNORECASE)


@rule(
    "correlation-id",
    category="observability",
    severity=Severity.ERROR,
    spec="5.2",
    title="The x-correlation-id header is read, propagated and logged",
    fix="Read x-correlation-id from each request (or make one), return it, pass it on to"
    " downstream calls and put it in every log line.",
)
def correlation_id(repo: Repo) -> Iterator[Finding]:
    for path in source_files(repo):
        text = repo.text(path)
        if text and CORRELATION_HEADER.search(text):
            return
    yield Finding(f"x-correlation-id appears nowhere in {_where(repo)}")

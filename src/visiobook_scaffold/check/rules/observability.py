"""Spec 5 and 9.1 (Monitoring): probes, metrics, correlation ids, alerts and dashboards.

Alerts and dashboards are found where teams keep them: objects of the rendered chart or the raw
manifests (a Prometheus Operator `PrometheusRule`, a `ConfigMap` holding a dashboard for
Grafana's sidecar, a grafana-operator `GrafanaDashboard`), or plain files anywhere in the
repository (a Prometheus rule file, a dashboard's JSON)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import yaml

from visiobook_scaffold.check.manifests import (
    CHART_DIR,
    KubeObject,
    all_objects,
    chart_present,
    helm_binary,
    mapping,
    rendered_chart,
)
from visiobook_scaffold.check.model import Finding, Severity, Skip
from visiobook_scaffold.check.profiles import profile_of
from visiobook_scaffold.check.registry import rule
from visiobook_scaffold.check.repo import Repo
from visiobook_scaffold.check.routes import no_route_reason, routes, source_files


def _missing_routes(repo: Repo, wanted: tuple[str, ...]) -> Iterator[Finding]:
    """A missing probe is a finding when other routes were read; when none was, the sources
    were not understood and there is nothing to judge."""
    if not routes(repo):
        raise Skip(no_route_reason(repo))
    declared = {route.path.rstrip("/") for route in routes(repo)}
    for path in wanted:
        if path not in declared:
            yield Finding(f"no {path} route in {_where(repo)}")


def _where(repo: Repo) -> str:
    return profile_of(repo).routes_where


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


# Chart templates are not YAML until helm renders them: their objects come from the render.
_TEMPLATES = f"{CHART_DIR}/templates/"


def _deployment_read(repo: Repo) -> None:
    """Skips when the deployment cannot be read: what it would create is not known."""
    if chart_present(repo):
        if helm_binary() is None:
            raise Skip("helm is not on PATH: the chart was not rendered")
        if rendered_chart(repo).error:
            raise Skip("the chart does not render (helm-renders)")
    elif repo.has_dir(CHART_DIR):
        raise Skip(f"{CHART_DIR} has no Chart.yaml (helm-renders)")
    elif not all_objects(repo):
        raise Skip("no Helm chart and no manifests under k8s/")


def _alert_names(groups: object) -> list[str]:
    """The alerts of a Prometheus rule file's `groups` (or a PrometheusRule's spec.groups)."""
    if not isinstance(groups, list):
        return []
    return [
        str(entry["alert"])
        for group in groups
        if isinstance(group, dict) and isinstance(group.get("rules"), list)
        for entry in group["rules"]
        if isinstance(entry, dict) and entry.get("alert")
    ]


def _yaml_documents(repo: Repo, path: str) -> list[Any]:
    text = repo.text(path)
    if text is None:
        return []
    try:
        return list(yaml.safe_load_all(text))
    except yaml.YAMLError:
        return []  # a file that does not parse is config-files-parse's finding


def _alerts(repo: Repo) -> Iterator[str]:
    for kube_object in all_objects(repo):
        if kube_object.kind == "PrometheusRule":
            yield from _alert_names(mapping(kube_object.body.get("spec")).get("groups"))
    for path in repo.under(("",), (".yaml", ".yml")):
        if path.startswith(_TEMPLATES):
            continue
        for document in _yaml_documents(repo, path):
            if isinstance(document, dict) and "kind" not in document:
                yield from _alert_names(document.get("groups"))


@rule(
    "alerts-configured",
    category="observability",
    severity=Severity.ERROR,
    spec="9.1",
    title="Prometheus alerts are configured",
    fix="Ship alerting rules with the service: a PrometheusRule in the chart (or a Prometheus"
    " rule file) alerting on its errors, latency and availability.",
    kinds=("service",),
)
def alerts_configured(repo: Repo) -> Iterator[Finding]:
    if next(_alerts(repo), None) is None:
        _deployment_read(repo)
        yield Finding(
            "no alerting rule: no PrometheusRule in the manifests or the rendered chart, and no"
            " Prometheus rule file with an `alert`"
        )


def _is_dashboard(value: object) -> bool:
    """A Grafana dashboard's model: a title and panels (or the rows of old dashboards)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return False
    if isinstance(value, dict) and isinstance(value.get("dashboard"), dict):
        value = value["dashboard"]  # the HTTP API's envelope
    return (
        isinstance(value, dict)
        and isinstance(value.get("title"), str)
        and isinstance(value.get("panels", value.get("rows")), list)
    )


def _dashboard_objects(kube_object: KubeObject) -> bool:
    body = kube_object.body
    if kube_object.kind == "ConfigMap":
        return any(_is_dashboard(value) for value in mapping(body.get("data")).values())
    if kube_object.kind == "GrafanaDashboard":
        spec = mapping(body.get("spec"))
        return _is_dashboard(spec.get("json")) or bool(spec.get("grafanaCom") or spec.get("url"))
    return False


def _has_dashboard(repo: Repo) -> bool:
    if any(_dashboard_objects(kube_object) for kube_object in all_objects(repo)):
        return True
    return any(_is_dashboard(repo.text(path)) for path in repo.under(("",), (".json",)))


@rule(
    "grafana-dashboard",
    category="observability",
    severity=Severity.ERROR,
    spec="9.1",
    title="A Grafana dashboard ships with the service",
    fix="Ship the service's dashboard with it: its JSON in the repository, or a ConfigMap that"
    " Grafana's dashboard sidecar picks up (or a GrafanaDashboard).",
    kinds=("service",),
)
def grafana_dashboard(repo: Repo) -> Iterator[Finding]:
    if not _has_dashboard(repo):
        _deployment_read(repo)
        yield Finding(
            "no Grafana dashboard: no dashboard JSON in the repository and none in a ConfigMap"
            " or GrafanaDashboard of the manifests or the rendered chart"
        )

"""alerts-configured and grafana-dashboard find alerts and dashboards where teams keep them,
in repositories laid out unlike the generated ones."""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from pathlib import Path

import pytest

from visiobook_scaffold.check.model import Skip
from visiobook_scaffold.check.repo import Repo
from visiobook_scaffold.check.rules.observability import alerts_configured, grafana_dashboard

ALERT_GROUPS = {
    "groups": [
        {
            "name": "orders",
            "rules": [
                {"record": "job:http_requests:rate5m", "expr": "sum by (job) (rate(x[5m]))"},
                {"alert": "OrdersErrors", "expr": "job:errors:ratio > 0.05", "for": "5m"},
            ],
        }
    ]
}
RECORDING_ONLY = {"groups": [{"name": "kpis", "rules": [ALERT_GROUPS["groups"][0]["rules"][0]]}]}
# What the service deploys: without it, there is nothing to judge (the rules skip).
DEPLOYMENT = json.dumps(
    {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "orders"}, "spec": {}}
)
DASHBOARD = {"title": "Orders", "schemaVersion": 41, "panels": [{"type": "timeseries"}]}


def repo(root: Path) -> Repo:
    return Repo(root, "go", "service", datetime.date(2026, 11, 29))


def write(root: Path, path: str, text: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(text)


def prometheus_rule(body: Mapping[str, object]) -> str:
    return json.dumps(
        {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "PrometheusRule",
            "metadata": {"name": "orders"},
            "spec": body,
        }
    )


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("monitoring/alerts.yml", json.dumps(ALERT_GROUPS)),
        ("deploy/prometheus/rules.yaml", json.dumps(ALERT_GROUPS)),
        ("k8s/alerts.yaml", prometheus_rule(ALERT_GROUPS)),
    ],
)
def test_alerts_are_found_in_rule_files_and_prometheus_rules(
    tmp_path: Path, path: str, text: str
) -> None:
    write(tmp_path, path, text)
    assert list(alerts_configured(repo(tmp_path))) == []


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("monitoring/recording.yml", json.dumps(RECORDING_ONLY)),
        ("k8s/rules.yaml", prometheus_rule(RECORDING_ONLY)),
        ("docker-compose.yml", "services:\n  api:\n    image: orders\n"),
    ],
)
def test_recording_rules_alone_or_no_rule_file_is_a_finding(
    tmp_path: Path, path: str, text: str
) -> None:
    write(tmp_path, "k8s/deployment.yaml", DEPLOYMENT)
    write(tmp_path, path, text)
    findings = list(alerts_configured(repo(tmp_path)))
    assert [finding.message for finding in findings] == [
        "no alerting rule: no PrometheusRule in the manifests or the rendered chart, and no"
        " Prometheus rule file with an `alert`"
    ]


def config_map(data: dict[str, str]) -> str:
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "orders-dashboard", "labels": {"grafana_dashboard": "1"}},
            "data": data,
        }
    )


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("grafana/orders.json", json.dumps(DASHBOARD)),
        ("dashboards/api-envelope.json", json.dumps({"dashboard": DASHBOARD, "overwrite": True})),
        ("k8s/dashboard.yaml", config_map({"orders.json": json.dumps(DASHBOARD)})),
        (
            "k8s/grafana-dashboard.yaml",
            json.dumps(
                {
                    "apiVersion": "grafana.integreatly.org/v1beta1",
                    "kind": "GrafanaDashboard",
                    "metadata": {"name": "orders"},
                    "spec": {"json": json.dumps(DASHBOARD)},
                }
            ),
        ),
    ],
)
def test_a_dashboard_is_found_as_a_file_a_config_map_or_a_grafana_dashboard(
    tmp_path: Path, path: str, text: str
) -> None:
    write(tmp_path, path, text)
    assert list(grafana_dashboard(repo(tmp_path))) == []


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("package.json", json.dumps({"name": "orders", "version": "1.0.0"})),
        ("api/openapi.json", json.dumps({"openapi": "3.1.0", "info": {"title": "Orders"}})),
        ("k8s/configmap.yaml", config_map({"LOG_LEVEL": "info"})),
    ],
)
def test_json_that_is_no_dashboard_is_a_finding(tmp_path: Path, path: str, text: str) -> None:
    write(tmp_path, "k8s/deployment.yaml", DEPLOYMENT)
    write(tmp_path, path, text)
    assert len(list(grafana_dashboard(repo(tmp_path)))) == 1


def test_without_manifests_or_chart_both_rules_skip_with_the_reason(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "# orders\n")
    for check in (alerts_configured, grafana_dashboard):
        with pytest.raises(Skip, match="no Helm chart and no manifests under k8s/"):
            list(check(repo(tmp_path)))

"""The chart's Grafana dashboard (scripts/build_dashboard.py, docs/observability.md).

- the committed JSON is what the script builds with the Grafana Foundation SDK;
- it is Grafana's dashboard model of the release the SDK targets: the SDK's models, generated
  from Grafana's own schema, read it back unchanged (a key the schema lacks is dropped), and its
  schemaVersion is the one those models carry;
- every query parses as PromQL and reads only series one of three sources vouches for: the
  chart's recording rules (promtool tests them), the contract's metrics (the slow tier scrapes
  them from every booted backend: tests/slow/test_alerting.py) or the listed Kubernetes metrics;
- the backends' charts ship it, the frontend's does not.
"""

from __future__ import annotations

import copy
import importlib.metadata
import json
import re
import tomllib
from itertools import combinations
from pathlib import Path
from typing import Any

import promql_parser
import pytest
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.cog.plugins import register_default_plugins
from grafana_foundation_sdk.models.dashboard import Dashboard

from scripts.build_dashboard import KUBERNETES_METRICS, OUTPUT, render
from tests.dashboards import load, panels, promql, queries
from tests.helpers import AVAILABLE_STACKS, BASE_ANSWERS, REPO_ROOT, SERVICE_STACKS

CHART = REPO_ROOT / "templates" / "shared" / "k8s" / "helm"
RULES = CHART / "templates" / "prometheusrule.yaml"
CONTRACT = REPO_ROOT / "docs" / "contract.md"
HISTOGRAM_SERIES = re.compile(r"_(bucket|count|sum)$")


@pytest.fixture(scope="module")
def model() -> dict[str, Any]:
    return load()


def test_the_committed_dashboard_is_what_the_script_builds() -> None:
    assert OUTPUT.read_text() == render(), "stale: run python scripts/build_dashboard.py"


def round_trip(model: dict[str, Any]) -> Any:
    decoded = Dashboard.from_json(copy.deepcopy(model))
    return json.loads(json.dumps(decoded, cls=JSONEncoder))


def test_the_sdk_models_of_grafanas_schema_read_the_dashboard_back_unchanged(
    model: dict[str, Any],
) -> None:
    # Without the panel plugins, options and fieldConfig would pass through unread.
    register_default_plugins()
    assert round_trip(model) == model


def test_the_round_trip_refuses_a_key_grafanas_schema_lacks() -> None:
    register_default_plugins()
    model = load()
    timeseries = next(panel for panel in panels(model) if panel["type"] == "timeseries")
    timeseries["options"]["legend"]["showLegendd"] = True
    assert round_trip(model) != model


def pinned_sdk() -> str:
    extra = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    dev = extra["optional-dependencies"]["dev"]
    (pin,) = [d for d in dev if d.startswith("grafana-foundation-sdk==")]
    return str(pin).split("==", 1)[1]


def test_the_schema_version_is_the_current_one_of_the_grafana_release_the_sdk_targets(
    model: dict[str, Any],
) -> None:
    # The SDK's version is <build>!<Grafana release>; its model carries that release's version.
    assert importlib.metadata.version("grafana-foundation-sdk") == pinned_sdk()
    assert pinned_sdk().endswith("!11.6.0")
    assert model["schemaVersion"] == Dashboard().schema_version == 41


def test_panels_have_unique_ids_and_tile_the_grid_without_overlap(model: dict[str, Any]) -> None:
    every = list(panels(model))
    ids = [panel["id"] for panel in every]
    assert len(ids) == len(set(ids)), ids
    assert all(isinstance(i, int) and i > 0 for i in ids), ids
    boxes = [panel["gridPos"] for panel in every]
    for box in boxes:
        assert min(box["w"], box["h"]) >= 1
        assert 0 <= box["x"] <= box["x"] + box["w"] <= 24
    for a, b in combinations(boxes, 2):
        apart = (a["x"] + a["w"] <= b["x"] or b["x"] + b["w"] <= a["x"]
                 or a["y"] + a["h"] <= b["y"] or b["y"] + b["h"] <= a["y"])  # fmt: skip
        assert apart, (a, b)


def test_every_panel_queries_the_chosen_prometheus_data_source(model: dict[str, Any]) -> None:
    (source,) = [v for v in model["templating"]["list"] if v["type"] == "datasource"]
    assert source["query"] == "prometheus"
    reference = {"type": "prometheus", "uid": f"${{{source['name']}}}"}
    for panel in panels(model):
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == reference, panel["title"]
        assert panel["targets"], panel["title"]
        assert all(target["datasource"] == reference for target in panel["targets"])


def test_namespace_and_pod_are_variables_and_the_job_a_hidden_one_the_chart_sets(
    model: dict[str, Any],
) -> None:
    variables = {v["name"]: v for v in model["templating"]["list"]}
    assert variables["job"]["type"] == "constant"
    assert variables["job"]["hide"] == 2  # shown nowhere: the chart sets it per release
    assert variables["namespace"]["type"] == variables["pod"]["type"] == "query"
    assert variables["pod"]["multi"]
    assert variables["pod"]["includeAll"]
    template = (CHART / "templates" / "grafana-dashboard.yaml").read_text()
    assert 'eq $variable.name "job"' in template


def test_every_query_parses_as_promql(model: dict[str, Any]) -> None:
    found = list(queries(model))
    assert len(found) > 20
    for query in found:
        try:
            promql_parser.parse(query.expr)
        except Exception as error:  # the parser's own error type is not exported
            pytest.fail(f"{query.where}: {error}\n{query.expr}")


def selectors(expr: str) -> list[Any]:
    """The vector selectors of a PromQL expression, once each (the walk meets a range
    selector's twice, as a new object each time)."""
    found: dict[str, Any] = {}

    def visit(node: Any) -> None:
        if isinstance(node, promql_parser.MatrixSelector):
            node = node.vector_selector
        if isinstance(node, promql_parser.VectorSelector):
            found[str(node)] = node

    promql_parser.walk(promql_parser.parse(expr), visit)
    return list(found.values())


def recorded() -> set[str]:
    """The series the chart's PrometheusRule records, its `range` lists spelt out."""
    template = RULES.read_text()
    values: dict[str, set[str]] = {}
    for name, items in re.findall(r"range \$(\w+) := list ((?:\"[^\"]*\"\s*)+)", template):
        values.setdefault(name, set()).update(re.findall(r'"([^"]*)"', items))
    names: set[str] = set()
    for record in re.findall(r"- record: (.+)$", template, re.M):
        pattern = re.escape(record)
        for name, options in values.items():
            spelt = "(" + "|".join(sorted(map(re.escape, options))) + ")"
            pattern = pattern.replace(re.escape(f"{{{{ ${name} }}}}"), spelt)
        assert "{" not in pattern, f"a record name the test cannot spell out: {record}"
        names.add(pattern)
    return names


def contract_metrics() -> set[str]:
    """The metrics the shared contract's Metrics item names (guidelines 5.3)."""
    text = CONTRACT.read_text()
    item = text[text.index("- **Metrics**") :]
    item = item[: item.index("\n- **", 1)]
    return set(re.findall(r"`([a-z_]+)`", item))


def unknown_metrics(model: dict[str, Any]) -> list[str]:
    rules = recorded()
    service = contract_metrics()
    unknown = []
    for query in queries(model):
        for selector in selectors(query.expr):
            name = selector.name
            if any(re.fullmatch(rule, name) for rule in rules) or name in KUBERNETES_METRICS:
                continue
            if HISTOGRAM_SERIES.sub("", name) in service or name in service:
                continue
            unknown.append(f"{query.where}: {name}")
    return unknown


def test_every_metric_is_recorded_by_the_chart_named_by_the_contract_or_from_kubernetes(
    model: dict[str, Any],
) -> None:
    assert not unknown_metrics(model)


def test_a_query_of_an_unknown_metric_is_refused() -> None:
    model = load()
    panel = next(panel for panel in panels(model) if panel["type"] == "timeseries")
    panel["targets"][0]["expr"] = 'rate(http_request_total{job="$job"}[5m])'  # a typo
    assert unknown_metrics(model) == [f"panel {panel['title']!r} query A: http_request_total"]


def test_the_recorded_series_the_test_spells_out_include_the_kpis() -> None:
    rules = recorded()
    for name in ("service:http_requests:availability_rate1d", "service_route:http_requests:rate5m"):
        assert any(re.fullmatch(rule, name) for rule in rules), name
    never = "service:http_requests:availability_rate1w"
    assert not any(re.fullmatch(rule, never) for rule in rules)


def test_every_kubernetes_metric_is_documented() -> None:
    page = (REPO_ROOT / "docs" / "observability.md").read_text()
    for name in KUBERNETES_METRICS:
        assert f"`{name}`" in page, name


def unit_of(expr: str) -> str:
    """The unit of a query's result, from what it measures."""
    (name, *_) = [selector.name for selector in selectors(promql(expr))]
    if ":ratio_" in name or ":availability_" in name:
        return "percentunit"
    if "quantile" in expr:
        return "s"
    if name.endswith("_bytes"):
        return "bytes"
    if name.endswith("http_requests:rate5m"):
        return "reqps"
    if name.endswith(":rate5m") or name.startswith("db_query_"):
        return "ops"
    # Counts: connections, CPU cores, restarts.
    return "short"


def test_each_panels_unit_is_what_its_queries_measure(model: dict[str, Any]) -> None:
    for panel in panels(model):
        if panel["type"] == "row":
            continue
        unit = panel["fieldConfig"]["defaults"]["unit"]
        for target in panel["targets"]:
            assert unit == unit_of(target["expr"]), (panel["title"], target["expr"])


def render_project(copie: Any, stack: str) -> Path:
    result = copie.copy(extra_answers={**BASE_ANSWERS, "stack": stack})
    assert result.exception is None, result.exception
    return Path(result.project_dir)


@pytest.mark.parametrize("stack", AVAILABLE_STACKS)
def test_backend_charts_ship_the_dashboard_verbatim_and_the_frontends_does_not(
    copie: Any, stack: str
) -> None:
    shipped = render_project(copie, stack) / "k8s" / "helm" / "dashboards" / "service.json"
    if stack in SERVICE_STACKS:
        assert shipped.read_text() == OUTPUT.read_text()
    else:
        assert not shipped.parent.exists()

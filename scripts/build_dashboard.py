"""Build the backend service's Grafana dashboard with the Grafana Foundation SDK.

    python scripts/build_dashboard.py           # writes the chart's dashboards/service.json
    python scripts/build_dashboard.py --check   # exits 1 when the committed JSON is stale

The chart ships the JSON in a ConfigMap that Grafana's dashboard sidecar loads
(templates/grafana-dashboard.yaml); the chart sets the dashboard's uid, title and the hidden
`job` variable per release. Every query reads a series one of three sources vouches for:
a recording rule of the chart's PrometheusRule (tested with promtool), a metric every booted
backend exposes (tests/slow/test_alerting.py scrapes it), or a Kubernetes metric listed in
KUBERNETES_METRICS (docs/observability.md, "Dashboards").
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from grafana_foundation_sdk.builders import common as common_builders
from grafana_foundation_sdk.builders import dashboard as dash
from grafana_foundation_sdk.builders import prometheus, stat, timeseries
from grafana_foundation_sdk.cog import builder as cogbuilder
from grafana_foundation_sdk.cog import variants
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import common
from grafana_foundation_sdk.models.dashboard import (
    DashboardCursorSync,
    DataSourceRef,
    VariableOption,
    VariableRefresh,
    VariableSort,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
# The directory's name renders empty for the frontend, whose chart ships no dashboard.
OUTPUT = (
    REPO_ROOT
    / "templates/shared/k8s/helm/{% if stacks[stack].kind == 'service' %}dashboards{% endif %}"
    / "service.json"
)

# Series the dashboard reads from Kubernetes, not from the service, and who exposes them. Their
# `pod` and `namespace` labels are the pod's own.
KUBERNETES_METRICS = {
    "up": "Prometheus, one per scrape target: the pod variable lists the service's targets",
    "container_cpu_usage_seconds_total": "cAdvisor (kubelet): CPU seconds per container",
    "container_memory_working_set_bytes": "cAdvisor (kubelet): the memory the OOM killer counts",
    "kube_pod_container_status_restarts_total": "kube-state-metrics: container restarts",
}

DATASOURCE = DataSourceRef(type_val="prometheus", uid="${datasource}")
# The chart sets the `job` variable to the release's Service name, the job label the chart's
# ServiceMonitor gives the service's series; this value only stands in for it.
JOB_PLACEHOLDER = "service"
SERVICE = 'job="$job", namespace="$namespace"'
PODS = f'{SERVICE}, pod=~"$pod"'
# cAdvisor's series of the service's containers: not the pod's cgroup ("") nor its pause ("POD").
CONTAINERS = 'namespace="$namespace", pod=~"$pod", container!="", container!="POD"'
QUANTILES = ("0.5", "0.95", "0.99")
# Panel heights and widths, in Grafana's grid units (24 columns).
HEIGHT = 8
STAT_HEIGHT = 4


# A panel's query, as the panel builders take it.
Target = cogbuilder.Builder[variants.Dataquery]


def query(expr: str, legend: str, ref: str = "A") -> Target:
    return (
        prometheus.Dataquery()
        .expr(expr)
        .legend_format(legend)
        .ref_id(ref)
        .range()
        .datasource(DATASOURCE)
    )


def refs(count: int) -> list[str]:
    return [chr(ord("A") + index) for index in range(count)]


def graph(
    title: str, description: str, unit: str, targets: list[Target], width: int = 12
) -> timeseries.Panel:
    return (
        timeseries.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .min(0)
        .line_width(1)
        .fill_opacity(10)
        .height(HEIGHT)
        .span(width)
        .targets(targets)
        .legend(
            common_builders.VizLegendOptions()
            .display_mode(common.LegendDisplayMode.TABLE)
            .placement(common.LegendPlacement.BOTTOM)
            .show_legend(True)
            .calcs(["mean", "max"])
        )
        .tooltip(
            common_builders.VizTooltipOptions()
            .mode(common.TooltipDisplayMode.MULTI)
            .sort(common.SortOrder.DESCENDING)
        )
    )


def single(title: str, description: str, unit: str, expr: str) -> stat.Panel:
    return (
        stat.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .height(STAT_HEIGHT)
        .span(4)
        .with_target(query(expr, title))
        .reduce_options(common_builders.ReduceDataOptions().calcs(["lastNotNull"]).values(False))
        .graph_mode(common.BigValueGraphMode.AREA)
    )


def quantile_targets(series: str, selector: str, legend: str) -> list[Target]:
    """One query per quantile of a recorded histogram_quantile series."""
    return [
        query(f'{series}{{{selector}, quantile="{q}"}}', f"{legend} p{float(q) * 100:g}", ref)
        for q, ref in zip(QUANTILES, refs(len(QUANTILES)), strict=True)
    ]


def variables() -> list[dash.DatasourceVariable | dash.QueryVariable | dash.ConstantVariable]:
    namespaces = 'label_values(up{job="$job"}, namespace)'
    pods = f"label_values(up{{{SERVICE}}}, pod)"
    return [
        dash.DatasourceVariable("datasource").label("Data source").type("prometheus"),
        dash.ConstantVariable("job").value(JOB_PLACEHOLDER),
        dash.QueryVariable("namespace")
        .label("Namespace")
        .datasource(DATASOURCE)
        .query(namespaces)
        .refresh(VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(VariableSort.ALPHABETICAL_ASC),
        # The pods Prometheus scrapes for the service: the ServiceMonitor labels each target
        # with its pod, so other releases' and the migration Job's pods never show.
        dash.QueryVariable("pod")
        .label("Pod")
        .datasource(DATASOURCE)
        .query(pods)
        .refresh(VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(VariableSort.ALPHABETICAL_ASC)
        .multi(True)
        .include_all(True)
        .current(VariableOption(selected=True, text="All", value="$__all")),
    ]


Panel = timeseries.Panel | stat.Panel


def kpis() -> tuple[str, list[Panel]]:
    panels: list[Panel] = []
    for window in ("5m", "1h", "1d"):
        panels.append(
            single(
                f"Availability ({window})",
                f"Share of API requests answered without a server error over {window}.",
                "percentunit",
                f"service:http_requests:availability_rate{window}{{{SERVICE}}}",
            )
        )
    panels.append(
        single(
            "Throughput",
            "API requests per second over 5 minutes.",
            "reqps",
            f"service:http_requests:rate5m{{{SERVICE}}}",
        )
    )
    panels.append(
        single(
            "Server errors (5xx)",
            "Share of API requests answered 5xx over 5 minutes (alert HTTPHighErrorRatio).",
            "percentunit",
            f"service:http_requests_5xx:ratio_rate5m{{{SERVICE}}}",
        )
    )
    panels.append(
        single(
            "Latency p95",
            "95th percentile of the API requests' duration over 5 minutes.",
            "s",
            "service:http_request_duration_seconds:histogram_quantile_rate5m"
            f'{{{SERVICE}, quantile="0.95"}}',
        )
    )
    panels.append(
        graph(
            "Error rate by type",
            "Share of API requests answered 4xx (client_error) or 5xx (server_error).",
            "percentunit",
            [query(f"service:http_request_errors:ratio_rate5m{{{SERVICE}}}", "{{error_type}}")],
        )
    )
    panels.append(
        graph(
            "API latency",
            "Percentiles of the API requests' duration over 5 minutes.",
            "s",
            quantile_targets(
                "service:http_request_duration_seconds:histogram_quantile_rate5m", SERVICE, "API"
            ),
        )
    )
    return "KPIs (API requests, probes left out)", panels


def red() -> tuple[str, list[Panel]]:
    return "Requests per route (rate, errors, duration)", [
        graph(
            "Requests per route",
            "Requests per second by route template, probes included.",
            "reqps",
            [query(f"service_route:http_requests:rate5m{{{SERVICE}}}", "{{route}}")],
        ),
        graph(
            "Errors per route",
            "Share of each route's requests answered 4xx or 5xx.",
            "percentunit",
            [
                query(
                    f"service_route:http_request_errors:ratio_rate5m{{{SERVICE}}}",
                    "{{route}} {{error_type}}",
                )
            ],
        ),
        graph(
            "Latency per route",
            "Percentiles of each route's request duration over 5 minutes.",
            "s",
            quantile_targets(
                "service_route:http_request_duration_seconds:histogram_quantile_rate5m",
                SERVICE,
                "{{route}}",
            ),
            width=24,
        ),
    ]


def business() -> tuple[str, list[Panel]]:
    return "Business operations", [
        graph(
            "Operations",
            "Business operations per second by operation.",
            "ops",
            [query(f"service_operation:business_operations:rate5m{{{SERVICE}}}", "{{operation}}")],
            width=8,
        ),
        graph(
            "Failed operations",
            "Share of each operation that ended in an error (alert BusinessOperationErrors).",
            "percentunit",
            [
                query(
                    f"service_operation:business_operations_errors:ratio_rate5m{{{SERVICE}}}",
                    "{{operation}}",
                )
            ],
            width=8,
        ),
        graph(
            "Operation duration",
            "Percentiles of each operation's duration over 5 minutes.",
            "s",
            quantile_targets(
                "service_operation:business_operation_duration_seconds:histogram_quantile_rate5m",
                SERVICE,
                "{{operation}}",
            ),
            width=8,
        ),
    ]


def database() -> tuple[str, list[Panel]]:
    queries = f"rate(db_query_duration_seconds_bucket{{{PODS}}}[$__rate_interval])"
    return "Database", [
        graph(
            "Connection pool",
            "Connections in use and the pool's size, per pod (alert DatabasePoolSaturated).",
            "short",
            [
                query(f"db_connections_active{{{PODS}}}", "{{pod}} in use", "A"),
                query(f"db_connections_max{{{PODS}}}", "{{pod}} max", "B"),
            ],
            width=8,
        ),
        graph(
            "Queries",
            "Statements per second by operation and table.",
            "ops",
            [
                query(
                    "sum by (operation, table) "
                    f"(rate(db_query_duration_seconds_count{{{PODS}}}[$__rate_interval]))",
                    "{{operation}} {{table}}",
                )
            ],
            width=8,
        ),
        graph(
            "Query errors",
            "Failed statements per second by operation, table and SQLSTATE (alert "
            "DatabaseQueryErrors).",
            "ops",
            [
                query(
                    "sum by (operation, table, error_type) "
                    f"(rate(db_query_errors_total{{{PODS}}}[$__rate_interval]))",
                    "{{operation}} {{table}} {{error_type}}",
                )
            ],
            width=8,
        ),
        graph(
            "Query latency",
            "Percentiles of the statements' duration by operation and table.",
            "s",
            [
                query(
                    f"histogram_quantile({q}, sum by (operation, table, le) ({queries}))",
                    f"{{{{operation}}}} {{{{table}}}} p{float(q) * 100:g}",
                    ref,
                )
                for q, ref in zip(QUANTILES, refs(len(QUANTILES)), strict=True)
            ],
            width=24,
        ),
    ]


def pods() -> tuple[str, list[Panel]]:
    return "Pods", [
        graph(
            "CPU",
            "CPU cores used per pod (cAdvisor).",
            "short",
            [
                query(
                    "sum by (pod) "
                    f"(rate(container_cpu_usage_seconds_total{{{CONTAINERS}}}[$__rate_interval]))",
                    "{{pod}}",
                )
            ],
            width=8,
        ),
        graph(
            "Memory",
            "Working set per pod (cAdvisor): what the memory limit is enforced against.",
            "bytes",
            [
                query(
                    f"sum by (pod) (container_memory_working_set_bytes{{{CONTAINERS}}})",
                    "{{pod}}",
                )
            ],
            width=8,
        ),
        graph(
            "Restarts (1h)",
            "Container restarts per pod over the last hour (kube-state-metrics; alert "
            "PodRestarting).",
            "short",
            [
                query(
                    "sum by (pod) (increase(kube_pod_container_status_restarts_total"
                    '{namespace="$namespace", pod=~"$pod"}[1h]))',
                    "{{pod}}",
                )
            ],
            width=8,
        ),
    ]


def build() -> dict[str, object]:
    """The dashboard as Grafana's JSON model (the chart sets uid and title per release)."""
    builder = (
        dash.Dashboard("Visiobook service")
        .uid("visiobook-service")
        .description("RED, KPIs, business operations, database and pods of one backend service.")
        .tags(["visiobook", "service"])
        .editable()
        .tooltip(DashboardCursorSync.CROSSHAIR)
        .time("now-6h", "now")
        .refresh("30s")
        .variables(list(variables()))
    )
    # Expanded rows: Grafana keeps an expanded row's panels beside it, not inside it.
    ids = iter(range(1, 1000))
    for title, panels in (kpis(), red(), business(), database(), pods()):
        builder.with_row(dash.Row(title).id(next(ids)))
        for panel in panels:
            builder.with_panel(panel.id(next(ids)))
    model: dict[str, object] = json.loads(json.dumps(builder.build(), cls=JSONEncoder))
    return model


def render() -> str:
    return json.dumps(build(), indent=2, sort_keys=True) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="fail when the JSON is stale")
    args = parser.parse_args()
    text = render()
    if args.check:
        if OUTPUT.read_text() != text:
            print(f"{OUTPUT.relative_to(REPO_ROOT)} is stale: run {sys.argv[0]}", file=sys.stderr)
            return 1
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

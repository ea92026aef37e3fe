"""Slow tier: the chart's PrometheusRule (recording rules for the KPIs, alerts), proven with
promtool for every backend (docs/observability.md).

- `promtool check rules` (every lint on, fatal) passes without a warning;
- `promtool test rules` runs the unit tests of tests/data/alerting/: every alert fires on a
  failing series and stays silent on a healthy one, and an alert without both cases fails;
- every alert has its severity, summary, description and a runbook_url into its own section of
  the service's docs/runbook.md;
- every metric and label the rules read is one the booted service exposes after a mix of
  requests (the rules parsed with a PromQL parser), but for the few series that come from
  elsewhere, listed in EXTERNAL with why;
- the chart's Grafana dashboard (docs/observability.md, "Dashboards") is rendered as the
  release's ConfigMap for Grafana's sidecar, and every metric and label its queries read is a
  recorded series with that label, one the booted service exposes, or a listed Kubernetes one.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import promql_parser
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from scripts.build_dashboard import KUBERNETES_METRICS, OUTPUT
from tests.dashboards import Query, queries
from tests.helpers import REPO_ROOT, SERVICE_STACKS
from tests.slow.conftest import RESOURCE
from tests.slow.postgres import PostgresServer, wait_until
from tests.slow.project import generate
from tests.slow.services import RunningService, access_token, launch, stop_gracefully
from tests.slow.tools import tool

pytestmark = pytest.mark.slow

SERVICE = "media-service"
# The unit tests' series carry this release's labels: job is the Service's name (the release's,
# as the ServiceMonitor has Prometheus set it), namespace the release's.
NAMESPACE = "production"
UNIT_TESTS = REPO_ROOT / "tests" / "data" / "alerting"
# What a cluster with the Prometheus Operator tells helm it serves.
OPERATOR_API = [
    "--api-versions=monitoring.coreos.com/v1/ServiceMonitor",
    "--api-versions=monitoring.coreos.com/v1/PrometheusRule",
]
SEVERITIES = {"critical", "warning"}

# Series the rules read that no service exposes, and why.
EXTERNAL = {
    "up": "Prometheus's own, one per scrape target (ScrapeTargetDown)",
    "kube_pod_status_ready": "kube-state-metrics: the pods' readiness, i.e. /ready (PodNotReady)",
    "kube_pod_container_status_restarts_total": "kube-state-metrics: restarts (PodRestarting)",
}
# Labels Prometheus puts on every series it scrapes through the ServiceMonitor, not the service
# (the Operator's scrape configuration sets `pod` from the target's pod too).
TARGET_LABELS = {"job", "namespace", "pod"}
# Guidelines 5.3's database metrics, which issue 19 adds to every backend beside these rules:
# named in the failure, so that a backend without them is plain to see.
DATABASE_METRICS = {
    "db_query_duration_seconds_count",
    "db_query_errors_total",
    "db_connections_max",
}


def pinned_promtool() -> str:
    """The Prometheus Go module version the Makefile pins (the one place for it)."""
    found = re.search(r"^PROMTOOL_VERSION := (\S+)$", (REPO_ROOT / "Makefile").read_text(), re.M)
    assert found is not None, "the Makefile pins no PROMTOOL_VERSION"
    return found[1]


def promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("promtool"), *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def helm_template(project: Path, *flags: str) -> list[dict[str, Any]]:
    result = subprocess.run(
        [tool("helm"), "template", SERVICE, "k8s/helm", "--namespace", NAMESPACE, *flags],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.fixture(scope="module", params=SERVICE_STACKS)
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp(f"alerting-{request.param}") / SERVICE
    return generate(dest, "--stack", request.param, "--name", SERVICE, "--no-git",
                    "--data", f"resource={RESOURCE}")  # fmt: skip


@pytest.fixture(scope="module")
def groups(project: Path) -> list[dict[str, Any]]:
    """The rule groups of the PrometheusRule the chart renders with its default values."""
    (rule,) = [d for d in helm_template(project, *OPERATOR_API) if d["kind"] == "PrometheusRule"]
    assert rule["metadata"]["name"] == SERVICE
    return list(rule["spec"]["groups"])


def rules(groups: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return [rule for group in groups for rule in group["rules"] if key in rule]


@pytest.fixture(scope="module")
def rule_folder(groups: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """rules.yaml, the groups as Prometheus loads them, beside copies of the unit tests."""
    folder = tmp_path_factory.mktemp("rules")
    (folder / "rules.yaml").write_text(yaml.safe_dump({"groups": groups}, sort_keys=False))
    for test in UNIT_TESTS.glob("*.yaml"):
        shutil.copy(test, folder / test.name)
    return folder


def test_promtool_is_the_release_the_makefile_pins() -> None:
    """A promtool left on PATH by an older pin would judge the rules with another Prometheus."""
    go = shutil.which("go")
    assert go is not None, "go not found"
    built = subprocess.run([go, "version", "-m", tool("promtool")], capture_output=True,
                           text=True, check=True).stdout  # fmt: skip
    module = re.search(r"^\s+mod\s+github\.com/prometheus/prometheus\s+(\S+)", built, re.M)
    assert module is not None, built
    assert module[1] == pinned_promtool(), f"{tool('promtool')} is {module[1]}: run `make tools`"


def test_rules_pass_promtool_check_with_every_lint_and_no_warning(rule_folder: Path) -> None:
    result = promtool("check", "rules", "--lint=all", "--lint-fatal", "rules.yaml", cwd=rule_folder)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "SUCCESS" in output, output
    assert "warning" not in output.lower(), output


def test_every_alert_fires_on_a_failing_series_and_stays_silent_on_a_healthy_one(
    rule_folder: Path,
) -> None:
    tests = sorted(path.name for path in UNIT_TESTS.glob("*.yaml"))
    assert tests
    result = promtool("test", "rules", *tests, cwd=rule_folder)
    assert result.returncode == 0, result.stdout + result.stderr


def unit_tested() -> tuple[dict[str, int], dict[str, int]]:
    """How many test cases expect each alert to fire, and how many expect it to stay silent."""
    fires: dict[str, int] = defaultdict(int)
    silent: dict[str, int] = defaultdict(int)
    for path in UNIT_TESTS.glob("*.yaml"):
        suite = yaml.safe_load(path.read_text())
        assert suite["rule_files"] == ["rules.yaml"], path.name
        for test in suite["tests"]:
            for case in test.get("alert_rule_test", []):
                counted = fires if case.get("exp_alerts") else silent
                counted[case["alertname"]] += 1
    return fires, silent


def test_every_alert_has_a_unit_test_that_fires_and_one_that_stays_silent(
    groups: list[dict[str, Any]],
) -> None:
    alerts = {rule["alert"] for rule in rules(groups, "alert")}
    fires, silent = unit_tested()
    assert not alerts - set(fires), f"no unit test makes these fire: {sorted(alerts - set(fires))}"
    assert not alerts - set(silent), (
        f"no unit test keeps these silent: {sorted(alerts - set(silent))}"
    )
    assert not (set(fires) | set(silent)) - alerts, "unit tests of alerts the chart lacks"


def test_every_alert_has_a_severity_a_summary_a_description_and_its_runbook_section(
    project: Path, groups: list[dict[str, Any]]
) -> None:
    runbook = (project / "docs" / "runbook.md").read_text()
    sections = re.findall(r"^## (\S+)$", runbook, re.M)
    base = f"https://github.com/visiobook/{SERVICE}/blob/main/docs/runbook.md"
    alerts = rules(groups, "alert")
    for rule in alerts:
        name = rule["alert"]
        assert rule["labels"]["severity"] in SEVERITIES, name
        annotations = rule["annotations"]
        assert annotations["summary"], name
        assert annotations["description"], name
        # GitHub's anchor of the heading `## <name>` is the name in lower case.
        assert annotations["runbook_url"] == f"{base}#{name.lower()}", name
    assert sections == [rule["alert"] for rule in alerts], "one runbook section per alert, in order"


def test_thresholds_and_the_runbook_address_are_values(project: Path) -> None:
    (rule,) = [
        doc
        for doc in helm_template(
            project,
            *OPERATOR_API,
            # --set keeps 0.1 a string; --set-json gives the number a values file would.
            "--set-json=monitoring.prometheusRule.alerts.errorRatio.threshold=0.1",
            "--set-json=monitoring.prometheusRule.alerts.latency.objective=0.999",
            "--set=monitoring.prometheusRule.alerts.latency.threshold=1",
            "--set=monitoring.prometheusRule.runbookUrl=https://runbooks.example.com/media.md",
        )
        if doc["kind"] == "PrometheusRule"
    ]
    by_name = {r.get("alert") or r["record"]: r for g in rule["spec"]["groups"] for r in g["rules"]}
    assert by_name["HTTPHighErrorRatio"]["expr"].endswith("> 0.1")
    # 14.4 times the budget (0.1%) over 1h and 5m; the bucket boundary 1, as 1 or 1.0.
    assert by_name["HTTPLatencyBudgetFastBurn"]["expr"].count("> 0.0144") == 2
    assert 'le=~"1(\\\\.0)?"' in by_name["service:http_requests_slow:ratio_rate1h"]["expr"]
    url = by_name["PodNotReady"]["annotations"]["runbook_url"]
    assert url == "https://runbooks.example.com/media.md#podnotready"


@pytest.mark.parametrize(
    ("flags", "rendered"),
    [
        ([], set()),  # a cluster without the Operator: the chart installs all the same
        (["--api-versions=monitoring.coreos.com/v1/ServiceMonitor"], {"ServiceMonitor"}),
        (OPERATOR_API, {"ServiceMonitor", "PrometheusRule"}),
        ([*OPERATOR_API, "--set=monitoring.prometheusRule.enabled=false"], {"ServiceMonitor"}),
        # The rules select what the chart's ServiceMonitor scrapes: without it, nothing.
        ([*OPERATOR_API, "--set=monitoring.serviceMonitor.enabled=false"], set()),
        ([*OPERATOR_API, "--set=monitoring.enabled=false"], set()),
    ],
    ids=["no-operator", "no-rule-api", "operator", "rules-off", "service-monitor-off", "off"],
)
def test_monitoring_objects_need_the_operator_api_and_their_values(
    project: Path, flags: list[str], rendered: set[str]
) -> None:
    kinds = {doc["kind"] for doc in helm_template(project, *flags)}
    assert kinds & {"ServiceMonitor", "PrometheusRule"} == rendered


def test_a_frontend_chart_renders_no_rules(tmp_path: Path) -> None:
    """nginx serves no /metrics: monitoring is off, so neither a ServiceMonitor nor rules."""
    project = generate(tmp_path / "web", "--stack", "vue", "--name", "web", "--no-git")
    rendered = helm_template(project, *OPERATOR_API)
    assert not {doc["kind"] for doc in rendered} & {"ServiceMonitor", "PrometheusRule"}
    assert not [doc for doc in rendered if "grafana_dashboard" in doc["metadata"]["labels"]]
    assert not (project / "docs").exists()


# ---------------------------------------------------------------------------------------------
# The dashboard's ConfigMap.


def dashboards(project: Path, *flags: str) -> list[dict[str, Any]]:
    rendered = helm_template(project, *flags)
    return [
        d for d in rendered if d["kind"] == "ConfigMap" and "-dashboard" in d["metadata"]["name"]
    ]


def test_the_dashboard_configmap_is_the_releases_and_carries_the_sidecars_label(
    project: Path,
) -> None:
    (configmap,) = dashboards(project)
    assert configmap["metadata"]["name"] == f"{SERVICE}-dashboard"
    assert configmap["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert "annotations" not in configmap["metadata"]
    ((key, text),) = configmap["data"].items()
    assert key == f"{NAMESPACE}-{SERVICE}.json"
    model = json.loads(text)
    assert model["title"] == f"{SERVICE} ({NAMESPACE})"
    assert model["uid"].startswith(f"{SERVICE}-")
    assert len(model["uid"]) <= 40
    variables = {v["name"]: v for v in model["templating"]["list"]}
    assert variables["job"]["query"] == variables["job"]["current"]["value"] == SERVICE
    assert variables["namespace"]["current"]["value"] == NAMESPACE
    # The rest is the committed JSON as it is (helm's JSON round trip keeps every value).
    committed = json.loads(OUTPUT.read_text())
    for changed in ("uid", "title", "templating"):
        del model[changed], committed[changed]
    assert model == committed


def test_the_dashboard_uid_is_stable_per_release_and_fits_grafanas_40_characters(
    project: Path,
) -> None:
    def uid(*flags: str) -> str:
        (configmap,) = dashboards(project, *flags)
        (text,) = configmap["data"].values()
        return str(json.loads(text)["uid"])

    assert uid() == uid()
    long_name = "a-very-long-release-name-that-goes-on-and-on-and-on"
    assert len(uid(f"--set=fullnameOverride={long_name}")) <= 40
    assert uid("--set=fullnameOverride=other") != uid()
    assert uid("--namespace=staging") != uid()


def test_the_sidecar_label_and_the_folder_annotation_are_values(project: Path) -> None:
    (configmap,) = dashboards(
        project,
        "--set=monitoring.dashboard.label=dashboards",
        "--set=monitoring.dashboard.labelValue=platform",
        "--set=monitoring.dashboard.folder=Visiobook services",
        "--set=monitoring.dashboard.folderAnnotation=grafana-folder",
    )
    assert configmap["metadata"]["labels"]["dashboards"] == "platform"
    assert "grafana_dashboard" not in configmap["metadata"]["labels"]
    assert configmap["metadata"]["annotations"] == {"grafana-folder": "Visiobook services"}


@pytest.mark.parametrize(
    ("flags", "count"),
    [
        ([], 1),  # no Operator needed: Grafana's sidecar reads plain ConfigMaps
        (["--set=monitoring.dashboard.enabled=false"], 0),
        (["--set=monitoring.enabled=false"], 0),
    ],
    ids=["default", "dashboard-off", "monitoring-off"],
)
def test_the_dashboard_needs_only_its_values(project: Path, flags: list[str], count: int) -> None:
    assert len(dashboards(project, *flags)) == count


# ---------------------------------------------------------------------------------------------
# The rules read only what a booted service exposes.


def database(stack: str) -> str:
    return f"alerting_{stack}"


@pytest.fixture(scope="module")
def running_service(
    project: Path, request: pytest.FixtureRequest, postgres: PostgresServer
) -> Iterator[RunningService]:
    stack = yaml.safe_load((project / ".copier-answers.yml").read_text())["stack"]
    service = launch(stack, request, postgres, database(stack))
    yield service
    stop_gracefully(service)


def request_mix(service: RunningService, postgres: PostgresServer, database: str) -> None:
    """What a day of traffic shows: probes, reads, writes, a business operation that fails,
    client errors, a short database outage and a query that times out waiting for a lock
    (server errors, failed queries)."""
    headers = {"Authorization": f"Bearer {access_token()}"}
    collection = f"{service.base}/api/v1/{RESOURCE}"
    for path in ("/health", "/ready"):
        assert httpx.get(f"{service.base}{path}").status_code == 200
    created = httpx.post(collection, json={"name": "alerting"}, headers=headers)
    assert created.status_code == 201, created.text
    item = f"{collection}/{created.json()['id']}"
    httpx.get(collection, headers=headers)
    httpx.get(item, headers=headers)
    httpx.patch(item, json={"name": "patched"}, headers=headers)
    httpx.put(item, json={"name": "replaced"}, headers=headers)
    httpx.delete(item, headers=headers)
    # Business operations that fail: the item is gone.
    assert httpx.patch(item, json={"name": "gone"}, headers=headers).status_code == 404
    httpx.delete(item, headers=headers)
    httpx.get(f"{collection}/{uuid.uuid4()}", headers=headers)
    httpx.post(collection, json={}, headers=headers)
    httpx.get(collection)  # no token: 401

    # The database goes away for a moment; the connections made once it is back wait at most
    # half a second for a lock.
    postgres.psql(database, "-c", f"ALTER DATABASE {database} SET lock_timeout = '500ms'")
    postgres.stop()
    try:
        calls: tuple[Callable[[], httpx.Response], ...] = (
            lambda: httpx.get(collection, headers=headers, timeout=60),
            lambda: httpx.post(collection, json={"name": "outage"}, headers=headers, timeout=60),
        )
        for call in calls:
            with contextlib.suppress(httpx.TransportError):
                call()
    finally:
        postgres.start()
    wait_until(
        lambda: httpx.get(f"{service.base}/ready", timeout=15).status_code == 200,
        30,
        "/ready to recover after the database came back",
    )
    # Another session holds the table: the service's query fails on its lock timeout.
    table = RESOURCE.replace("-", "_")
    lock = f"BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(3); COMMIT;"
    holder = subprocess.Popen([*postgres.psql_command(database), "-c", lock],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    locked = (
        "SELECT count(*) FROM pg_locks JOIN pg_database ON pg_database.oid = pg_locks.database"
        " WHERE mode = 'AccessExclusiveLock' AND granted AND datname = current_database()"
    )
    try:
        wait_until(lambda: int(postgres.psql(database, "-c", locked)) > 0, 10, "the table lock")
        timed_out = httpx.get(collection, headers=headers, timeout=30)
        assert timed_out.status_code >= 500, timed_out.text
    finally:
        holder.wait(timeout=30)
    created = httpx.post(collection, json={"name": "after the outage"}, headers=headers)
    assert created.status_code == 201, created.text


def exposed(service: RunningService) -> tuple[dict[str, list[dict[str, str]]], set[str]]:
    """Each sample name the service exposes with the label sets of its samples, and the names
    of the metrics it declares (`# TYPE`), samples or not."""
    response = httpx.get(f"{service.metrics}/metrics")
    assert response.status_code == 200
    samples: dict[str, list[dict[str, str]]] = defaultdict(list)
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[sample.name].append(dict(sample.labels))
    return samples, set(re.findall(r"^# TYPE (\S+)", response.text, re.M))


def declared(name: str, types: set[str]) -> bool:
    return name in types or re.sub(r"_(bucket|count|sum)$", "", name) in types


def vector_selectors(node: Any) -> list[Any]:
    """The vector selectors under a node of a parsed PromQL expression."""
    found: dict[int, Any] = {}

    def visit(child: Any) -> None:
        if isinstance(child, promql_parser.MatrixSelector):
            child = child.vector_selector
        if isinstance(child, promql_parser.VectorSelector):
            found[id(child)] = child

    promql_parser.walk(node, visit)
    return list(found.values())


def label_uses(expr: str) -> tuple[list[Any], list[tuple[str, list[Any]]]]:
    """The vector selectors of a PromQL expression, and each label it groups or matches by with
    the selectors that label must come from: an aggregation's `by` labels from the series it
    aggregates, a binary operation's `on` and `group_left` labels from either side."""
    parsed = promql_parser.parse(expr)
    uses: list[tuple[str, list[Any]]] = []

    def visit(node: Any) -> None:
        if isinstance(node, promql_parser.AggregateExpr) and node.modifier is not None:
            if str(node.modifier.type).endswith("By"):
                uses.extend((label, vector_selectors(node.expr)) for label in node.modifier.labels)
        elif isinstance(node, promql_parser.BinaryExpr) and node.modifier is not None:
            matching = node.modifier.matching
            labels = list(node.modifier.group_labels or [])
            if matching is not None and str(matching.type).endswith("Include"):
                labels += matching.labels
            uses.extend((label, vector_selectors(node)) for label in labels)

    promql_parser.walk(parsed, visit)
    return vector_selectors(parsed), uses


Samples = dict[str, list[dict[str, str]]]


@pytest.fixture(scope="module")
def scraped(running_service: RunningService, postgres: PostgresServer) -> tuple[Samples, set[str]]:
    """What the service exposes after the request mix: samples by name, declared metrics."""
    request_mix(running_service, postgres, database(running_service.stack))
    return exposed(running_service)


def unexposed(
    name: str,
    expr: str,
    scraped: tuple[Samples, set[str]],
    elsewhere: set[str],
    extra_uses: tuple[str, ...] = (),
) -> list[str]:
    """What an expression reads that the service does not expose: its metrics, the labels it
    matches on (and a value each positive matcher matches), the labels it groups or matches by,
    and `extra_uses` (labels read from its selectors' series, e.g. a legend's), but for the
    series `elsewhere` (recorded, or not the service's)."""
    samples, types = scraped

    def labels_of(selector: Any) -> set[str]:
        return set().union(*(set(labels) for labels in samples.get(selector.name, [])))

    missing: list[str] = []
    found, uses = label_uses(expr)
    uses += [(label, found) for label in extra_uses]
    for selector in [s for s in found if s.name not in elsewhere]:
        if selector.name not in samples:
            why = "declared, no sample" if declared(selector.name, types) else "not exposed"
            missing.append(f"{name}: metric {selector.name} ({why})")
            continue
        for matcher in selector.matchers.matchers:
            if matcher.name in TARGET_LABELS or matcher.name == "__name__":
                continue
            if matcher.name not in labels_of(selector):
                missing.append(f"{name}: label {matcher.name} of {selector.name}")
                continue
            positive = str(matcher.op).rsplit(".", 1)[-1].startswith(("Equal", "Re"))
            if not positive:
                continue
            values = {s[matcher.name] for s in samples[selector.name] if matcher.name in s}
            if not any(re.fullmatch(matcher.value, value) for value in values):
                missing.append(f"{name}: no {selector.name} with {matcher.name}"
                               f" ~ {matcher.value!r} (exposed: {sorted(values)})")  # fmt: skip
    # Labels grouped or matched by come from the series (or are the target's); a recorded
    # series keeps its rule's `by` labels, checked where it is recorded.
    for label, under in uses:
        sources = [s for s in under if s.name in samples]
        if label in TARGET_LABELS or not sources:
            continue
        if not any(label in labels_of(s) for s in sources):
            missing.append(f"{name}: label {label} of {sorted({s.name for s in sources})}")
    return missing


def test_every_metric_and_label_the_rules_read_is_exposed_by_the_booted_service(
    groups: list[dict[str, Any]], scraped: tuple[Samples, set[str]]
) -> None:
    recorded = {rule["record"] for rule in rules(groups, "record")}
    missing: list[str] = []
    for rule in rules(groups, "record") + rules(groups, "alert"):
        name = rule.get("record") or rule["alert"]
        missing += unexposed(name, rule["expr"], scraped, recorded | set(EXTERNAL))
    absent = sorted(m for m in DATABASE_METRICS if any(f" {m} (" in line for line in missing))
    hint = f"\nthe service lacks guidelines 5.3's database metrics {absent}" if absent else ""
    assert not missing, "\n".join(sorted(set(missing))) + hint


def recorded_labels(groups: list[dict[str, Any]]) -> dict[str, set[str]]:
    """The labels of each recorded series: its rule's `by` labels (but `le`, which
    histogram_quantile takes away) and the rule's own labels."""
    labels: dict[str, set[str]] = defaultdict(set)
    for rule in rules(groups, "record"):
        by: set[str] = set()

        def visit(node: Any, by: set[str] = by) -> None:
            if isinstance(node, promql_parser.AggregateExpr) and node.modifier is not None:
                by.update(node.modifier.labels)

        promql_parser.walk(promql_parser.parse(rule["expr"]), visit)
        labels[rule["record"]] |= (by - {"le"}) | set(rule.get("labels", {}))
    return labels


def dashboard_misreads(
    query: Query, recorded: dict[str, set[str]], scraped: tuple[Samples, set[str]]
) -> list[str]:
    """What a dashboard query reads that is neither recorded by the chart (with that label),
    nor exposed by the service, nor one of the listed Kubernetes metrics."""
    elsewhere = set(recorded) | set(KUBERNETES_METRICS)
    missing = unexposed(query.where, query.expr, scraped, elsewhere, query.labels)
    found, uses = label_uses(query.expr)
    on_recorded = [s for s in found if s.name in recorded]
    for selector in on_recorded:
        for matcher in selector.matchers.matchers:
            if matcher.name != "__name__" and matcher.name not in recorded[selector.name]:
                missing.append(f"{query.where}: label {matcher.name} of {selector.name}")
    if on_recorded:
        for label in [*query.labels, *(label for label, _ in uses)]:
            if not any(label in recorded[s.name] for s in on_recorded):
                missing.append(f"{query.where}: label {label} of the recorded series")
    return missing


def test_every_metric_and_label_the_dashboard_reads_is_recorded_exposed_or_from_kubernetes(
    groups: list[dict[str, Any]], scraped: tuple[Samples, set[str]]
) -> None:
    recorded = recorded_labels(groups)
    assert recorded["service_route:http_requests:rate5m"] == {"namespace", "job", "route"}
    dashboard = list(queries(json.loads(OUTPUT.read_text())))
    missing = [line for query in dashboard for line in dashboard_misreads(query, recorded, scraped)]
    assert not missing, "\n".join(sorted(set(missing)))
    # The check refuses what no source vouches for: a misspelt metric, a label a rule drops.
    for expr, labels in [
        ('db_query_duration_seconds_count{job="media-service", operation="upsert"}', ()),
        ('service:http_requests:rate5m{job="media-service"}', ("route",)),
        ('sum by (tabel) (rate(db_query_errors_total{job="media-service"}[5m]))', ()),
        ("rate(db_query_errorz_total[5m])", ()),
    ]:
        wrong = Query("a wrong query", expr, labels)
        assert dashboard_misreads(wrong, recorded, scraped), expr

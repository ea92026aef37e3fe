"""Slow tier: the files that build and deploy a service, judged by the real tools.

Helm (lint --strict, template), the Kubernetes OpenAPI schemas (kubernetes-validate, offline),
actionlint with shellcheck, hadolint and yamllint, for every stack and several value sets.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.helpers import AVAILABLE_STACKS, REPO_ROOT, run_workflow_step
from tests.slow.project import generate, python_of
from tests.slow.tools import tool

pytestmark = pytest.mark.slow

SERVICE = "media-service"
SERVICE_MONITOR_SCHEMA = json.loads((REPO_ROOT / "tests/schemas/servicemonitor.json").read_text())
SARIF_SCHEMA = json.loads((REPO_ROOT / "tests/schemas/sarif-schema-2.1.0.json").read_text())
SCAFFOLD = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())["scaffold"]["default"]

# What a cluster with the Prometheus Operator serves: only there does the chart render its
# ServiceMonitor and PrometheusRule (helm template takes these flags; helm lint has none).
OPERATOR_API = [
    "--api-versions=monitoring.coreos.com/v1/ServiceMonitor",
    "--api-versions=monitoring.coreos.com/v1/PrometheusRule",
]
MONITORING_KINDS = {"ServiceMonitor", "PrometheusRule"}

# Value sets the chart must render cleanly with, and the kinds each one must produce. A set may
# hold helm flags (--api-versions) beside the values it sets.
VALUE_SETS: dict[str, tuple[list[str], set[str], set[str]]] = {
    "defaults": (
        [],
        {"HorizontalPodAutoscaler", "PodDisruptionBudget", "Ingress", "NetworkPolicy"},
        MONITORING_KINDS,
    ),
    "no-autoscaling": (["autoscaling.enabled=false"], set(), {"HorizontalPodAutoscaler"}),
    "no-ingress": (["ingress.enabled=false"], set(), {"Ingress"}),
    "no-network-policy": (["networkPolicy.enabled=false"], set(), {"NetworkPolicy"}),
    "web-origins": (["global.webOrigins={https://portal.example.com}"], {"ConfigMap"}, set()),
    "operator": (OPERATOR_API, MONITORING_KINDS, set()),
    "no-monitoring": (
        [*OPERATOR_API, "monitoring.enabled=false", "monitoring.serviceMonitor.enabled=true"],
        set(),
        MONITORING_KINDS,
    ),
    "blue-green": (
        ["deployment.suffix=green", "productionService.enabled=true"],
        {"Ingress"},
        set(),
    ),
}


# Every stack, and a backend generated with `cache: redis` (its chart, manifests and workflow
# gain Redis; the chart is shared, so one backend stands for all three).
PROJECTS = [*AVAILABLE_STACKS, "fastapi-redis"]


@pytest.fixture(scope="module", params=PROJECTS)
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    stack, _, cache = request.param.partition("-")
    dest = tmp_path_factory.mktemp(request.param) / SERVICE
    answers = ["--data", f"cache={cache}"] if cache else []
    return generate(dest, "--stack", stack, "--name", SERVICE, "--no-git", *answers)


def is_frontend(project: Path) -> bool:
    """Whether the project's stack is a browser app (no database, secrets, migrations, metrics)."""
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    facts = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())["stacks"]["default"]
    return bool(facts[answers["stack"]]["kind"] == "frontend")


def is_cached(project: Path) -> bool:
    """Whether the project was generated with `cache: redis`."""
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return bool(answers.get("cache") == "redis")


def run(*command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def as_flags(settings: list[str] | tuple[str, ...], *, lint: bool = False) -> list[str]:
    """`--set` for each value; helm's own flags as they are (none for helm lint)."""
    flags = [setting for setting in settings if setting.startswith("--")]
    values = [
        arg for setting in settings if not setting.startswith("--") for arg in ("--set", setting)
    ]
    return values if lint else [*flags, *values]


def helm_template(project: Path, *settings: str, release: str = SERVICE) -> list[dict[str, Any]]:
    flags = as_flags(settings)
    result = run(tool("helm"), "template", release, "k8s/helm", *flags, cwd=project)
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.mark.parametrize("value_set", VALUE_SETS)
def test_chart_passes_helm_lint_strict(project: Path, value_set: str) -> None:
    flags = as_flags(VALUE_SETS[value_set][0], lint=True)
    result = run(tool("helm"), "lint", "--strict", "k8s/helm", *flags, cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("value_set", VALUE_SETS)
def test_rendered_manifests_validate_against_kubernetes_schemas(
    project: Path, value_set: str, tmp_path: Path
) -> None:
    settings, present, absent = VALUE_SETS[value_set]
    if value_set == "operator" and is_frontend(project):
        # nginx serves no /metrics: monitoring is off, so no ServiceMonitor scrapes nothing.
        present, absent = set(), MONITORING_KINDS
    documents = helm_template(project, *settings)
    kinds = {doc["kind"] for doc in documents}
    assert present <= kinds, f"{value_set}: missing {present - kinds}"
    assert not absent & kinds, f"{value_set}: unexpected {absent & kinds}"

    # The PrometheusRule is judged by promtool (test_alerting.py) and by the Operator's CRD on
    # the API server (test_kubernetes.py).
    built_in = [doc for doc in documents if doc["kind"] not in MONITORING_KINDS]
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(yaml.safe_dump_all(built_in))
    result = run(tool("kubernetes-validate"), "--strict", "--quiet", str(manifest), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    for doc in documents:
        if doc["kind"] == "ServiceMonitor":
            jsonschema.validate(doc, SERVICE_MONITOR_SCHEMA)


def test_autoscaling_leaves_replicas_to_the_hpa(project: Path) -> None:
    (scaled,) = [d for d in helm_template(project) if d["kind"] == "Deployment"]
    assert "replicas" not in scaled["spec"]
    fixed = helm_template(project, "autoscaling.enabled=false")
    (deployment,) = [d for d in fixed if d["kind"] == "Deployment"]
    assert deployment["spec"]["replicas"] == 3


def test_blue_green_production_service_selects_the_active_colour(project: Path) -> None:
    documents = helm_template(
        project,
        "deployment.suffix=green",
        "productionService.enabled=true",
        "productionService.activeVersion=green",
        "ingress.enabled=true",
        release=f"{SERVICE}-green",  # each colour is its own release, as CI installs them
    )
    (deployment,) = [d for d in documents if d["kind"] == "Deployment"]
    assert deployment["spec"]["template"]["metadata"]["labels"]["version"] == "green"
    services = {d["metadata"]["name"]: d for d in documents if d["kind"] == "Service"}
    assert services[SERVICE]["spec"]["selector"] == {
        "app.kubernetes.io/name": SERVICE,
        "version": "green",
    }
    (ingress,) = [d for d in documents if d["kind"] == "Ingress"]
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"]
    assert backend == SERVICE


def test_metrics_have_their_own_named_port_that_no_ingress_routes(project: Path) -> None:
    documents = helm_template(project, *OPERATOR_API)
    by_kind = {d["kind"]: d for d in documents if d["kind"] != "Service"}
    (container,) = by_kind["Deployment"]["spec"]["template"]["spec"]["containers"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    env = {e["name"]: e.get("value") for e in container["env"]}
    service_ports = {
        p["name"]: p["targetPort"]
        for d in documents
        if d["kind"] == "Service"
        for p in d["spec"]["ports"]
    }
    routed = [
        path["path"]
        for rule in by_kind["Ingress"]["spec"]["rules"]
        for path in rule["http"]["paths"]
    ]
    if is_frontend(project):
        assert set(ports) == {"http"}
        assert set(service_ports) == {"http"}
        assert routed == ["/"]
        assert "ServiceMonitor" not in by_kind
        annotations = by_kind["Deployment"]["spec"]["template"]["metadata"]["annotations"]
        assert "prometheus.io/port" not in annotations
        return
    assert ports["metrics"] == 9090
    assert env["PROMETHEUS_PORT"] == "9090"
    assert service_ports == {"http": "http", "metrics": "metrics"}
    (endpoint,) = by_kind["ServiceMonitor"]["spec"]["endpoints"]
    assert endpoint["port"] == "metrics"
    annotations = by_kind["Deployment"]["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == "9090"
    # Only the API's own paths reach the public host: not the probes, not /metrics.
    assert routed == ["/api/v1/items"]


def test_the_nginx_exporter_sidecar_is_the_frontends_metrics_port(
    project: Path, tmp_path: Path
) -> None:
    exporter_on = ["--set", "monitoring.nginxExporter.enabled=true"]
    if not is_frontend(project):
        # A backend serves its own /metrics: no exporter stands in for it.
        result = run(tool("helm"), "lint", "--strict", "k8s/helm", *exporter_on, cwd=project)
        assert result.returncode != 0
        assert "/monitoring" in result.stdout + result.stderr
        return
    lint = run(tool("helm"), "lint", "--strict", "k8s/helm", *exporter_on, cwd=project)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    documents = helm_template(project, *OPERATOR_API, "monitoring.nginxExporter.enabled=true")
    by_kind = {d["kind"]: d for d in documents}
    assert "PrometheusRule" not in by_kind, "the alerts are the backends'"
    pod = by_kind["Deployment"]["spec"]["template"]
    app, exporter = pod["spec"]["containers"]
    assert exporter["name"] == "nginx-exporter"
    assert exporter["image"] == "nginx/nginx-prometheus-exporter:1.5.3"
    # nginx serves stub_status on the pod's loopback only (docker/nginx.conf.template).
    assert "--nginx.scrape-uri=http://127.0.0.1:8081/stub_status" in exporter["args"]
    assert exporter["securityContext"] == app["securityContext"]
    assert exporter["securityContext"]["readOnlyRootFilesystem"] is True
    assert exporter["securityContext"]["allowPrivilegeEscalation"] is False
    assert set(exporter["resources"]) == {"requests", "limits"}
    assert exporter["ports"] == [{"name": "metrics", "containerPort": 9113, "protocol": "TCP"}]
    assert [p["name"] for p in app["ports"]] == ["http"]
    assert "PROMETHEUS_PORT" not in {e["name"] for e in app["env"]}
    assert pod["metadata"]["annotations"]["prometheus.io/port"] == "9113"
    service_ports = {p["name"]: p["port"] for p in by_kind["Service"]["spec"]["ports"]}
    assert service_ports == {"http": 80, "metrics": 9113}
    (endpoint,) = by_kind["ServiceMonitor"]["spec"]["endpoints"]
    assert endpoint["port"] == "metrics"
    jsonschema.validate(by_kind["ServiceMonitor"], SERVICE_MONITOR_SCHEMA)
    admitted = [
        (peer["namespaceSelector"]["matchLabels"], rule["ports"])
        for rule in by_kind["NetworkPolicy"]["spec"]["ingress"]
        for peer in rule["from"]
        if "namespaceSelector" in peer
    ]
    assert (
        {"kubernetes.io/metadata.name": "monitoring"},
        [{"port": "metrics", "protocol": "TCP"}],
    ) in admitted
    built_in = [doc for doc in documents if doc["kind"] not in MONITORING_KINDS]
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(yaml.safe_dump_all(built_in))
    result = run(tool("kubernetes-validate"), "--strict", "--quiet", str(manifest), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    # monitoring.enabled would give nginx a metrics port it does not serve.
    both = [*exporter_on, "--set", "monitoring.enabled=true"]
    refused = run(tool("helm"), "lint", "--strict", "k8s/helm", *both, cwd=project)
    assert refused.returncode != 0


def test_the_api_host_and_web_origins_are_one_value_each(project: Path) -> None:
    documents = helm_template(
        project,
        "global.apiHost=api.example.org",
        "global.webOrigins={https://portal.example.org,https://admin.example.org}",
    )
    (ingress,) = [d for d in documents if d["kind"] == "Ingress"]
    # The service's own ConfigMap, not its dashboard's.
    (config,) = [
        d for d in documents if d["kind"] == "ConfigMap" and d["metadata"]["name"] == SERVICE
    ]
    if is_frontend(project):
        # The app's own host stays; it calls the API host.
        assert ingress["spec"]["rules"][0]["host"] == "media-service.visiobook.com"
        assert config["data"]["VITE_API_URL"] == "https://api.example.org"
        assert config["data"]["VITE_WEB_VITALS_URL"] == ""
        return
    assert ingress["spec"]["rules"][0]["host"] == "api.example.org"
    assert ingress["spec"]["tls"] == [
        {"secretName": f"{SERVICE}-tls", "hosts": ["api.example.org"]}
    ]
    assert config["data"]["CORS_ORIGINS"] == "https://portal.example.org,https://admin.example.org"


def test_network_policy_admits_the_ingress_controller_prometheus_and_the_platform(
    project: Path,
) -> None:
    documents = helm_template(project)
    (policy,) = [d for d in documents if d["kind"] == "NetworkPolicy"]
    (deployment,) = [d for d in documents if d["kind"] == "Deployment"]
    spec = policy["spec"]
    assert spec["podSelector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"]
    assert spec["policyTypes"] == ["Ingress", "Egress"]
    admitted = {
        (
            peer.get("namespaceSelector", {})
            .get("matchLabels", {})
            .get("kubernetes.io/metadata.name")
            or "same namespace",
            port["port"],
        )
        for rule in spec["ingress"]
        for peer in rule["from"]
        for port in rule["ports"]
    }
    expected = {("ingress-nginx", "http"), ("same namespace", "http")}
    if not is_frontend(project):
        expected.add(("monitoring", "metrics"))
    assert admitted == expected
    egress_ports = {port["port"] for rule in spec["egress"] for port in rule.get("ports", [])}
    expected_ports = {53} if is_frontend(project) else {53, 5432}
    if is_cached(project):
        expected_ports.add(6379)
    assert egress_ports == expected_ports


def test_network_policy_lets_the_cache_reach_the_redis_peers_it_is_given(project: Path) -> None:
    if not is_cached(project):
        pytest.skip("a service without the cache has no networkPolicy.redis")
    peer = "networkPolicy.redis.to[0].podSelector.matchLabels.app\\.kubernetes\\.io/name=redis"
    documents = helm_template(project, peer)
    (policy,) = [d for d in documents if d["kind"] == "NetworkPolicy"]
    (redis_rule,) = [
        rule
        for rule in policy["spec"]["egress"]
        if {"port": 6379, "protocol": "TCP"} in rule.get("ports", [])
    ]
    assert redis_rule["to"] == [
        {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "redis"}}}
    ]


@pytest.mark.parametrize(
    ("url", "port"),
    [("https://idp.example.org/certs", 443), ("http://[fd00::1]:8443/certs", 8443)],
)
def test_network_policy_lets_a_service_reach_its_identity_provider_once_named(
    project: Path, url: str, port: int
) -> None:
    if is_frontend(project):
        pytest.skip("a browser app verifies no token")
    documents = helm_template(
        project,
        f"configMap.JWT_JWKS_URL={url}",
        "networkPolicy.identityProvider.to[0].ipBlock.cidr=10.20.0.0/16",
    )
    (policy,) = [d for d in documents if d["kind"] == "NetworkPolicy"]
    (rule,) = [
        rule
        for rule in policy["spec"]["egress"]
        if {"port": port, "protocol": "TCP"} in rule.get("ports", [])
    ]
    assert rule["to"] == [{"ipBlock": {"cidr": "10.20.0.0/16"}}]


def test_secrets_reach_the_pods_only_through_secret_key_refs(project: Path) -> None:
    (deployment,) = [d for d in helm_template(project) if d["kind"] == "Deployment"]
    env = {e["name"]: e for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    if is_frontend(project):
        # Whatever a browser app is given, its users can read: it gets no secret at all.
        assert not [e for e in env.values() if "valueFrom" in e]
        return
    secrets = ["DATABASE_URL", "JWT_SECRET", *(["REDIS_URL"] if is_cached(project) else [])]
    assert {name for name, e in env.items() if "valueFrom" in e} >= set(secrets)
    for name in secrets:
        assert "value" not in env[name]
        assert env[name]["valueFrom"]["secretKeyRef"]["key"]
    assert ("REDIS_URL" in env) == is_cached(project)


def test_migrations_run_as_a_hook_job_before_new_pods(project: Path) -> None:
    documents = helm_template(project)
    if is_frontend(project):
        assert "Job" not in {d["kind"] for d in documents}
        return
    (job,) = [d for d in documents if d["kind"] == "Job"]
    hooks = job["metadata"]["annotations"]["helm.sh/hook"].split(",")
    assert set(hooks) == {"pre-install", "pre-upgrade"}
    pod = job["spec"]["template"]
    (container,) = pod["spec"]["containers"]
    (deployment,) = [d for d in documents if d["kind"] == "Deployment"]
    assert container["image"] == deployment["spec"]["template"]["spec"]["containers"][0]["image"]
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    facts = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())["stacks"]["default"]
    stack = facts[answers["stack"]]
    # The release image runs the stack's migrate command, or its own when it has one (Go).
    migrate = stack.get("image_migrate") or stack["commands"]["migrate"]
    assert container["command"] == ["sh", "-c", migrate]
    env = {e["name"] for e in container["env"]}
    assert {"DATABASE_URL", "JWT_SECRET"} <= env
    # The Service must never route traffic to the migration pod.
    (service,) = [d for d in documents if d["kind"] == "Service"]
    selector = service["spec"]["selector"].items()
    assert not selector <= pod["metadata"]["labels"].items()
    assert "Job" not in {d["kind"] for d in helm_template(project, "migrations.enabled=false")}


@pytest.mark.parametrize(
    ("setting", "complaint"),
    [
        ("image.tag=latest", "/image/tag"),
        ("securityContext.runAsNonRoot=false", "/securityContext/runAsNonRoot"),
        ("securityContext.readOnlyRootFilesystem=false", "/securityContext/readOnlyRootFilesystem"),
        ("service.targetPort=80", "/service/targetPort"),
        ("env.JWT_SECRET=in-plain-text", "/env"),
        ("deployment.suffix=purple", "/deployment/suffix"),
        ("autoscaling.enabled=maybe", "/autoscaling/enabled"),
        ("replicas=3", "additional properties 'replicas' not allowed"),
        ("global.webOrigins={https://portal.example.com/app}", "/global/webOrigins/0"),
        ("global.apiHost=API.example.com", "/global/apiHost"),
        ("ingress.host=https://example.com", "/ingress/host"),
        # The latency objective's threshold must be a bucket boundary of the histogram.
        (
            "monitoring.prometheusRule.alerts.latency.threshold=0.3",
            "/monitoring/prometheusRule/alerts/latency/threshold",
        ),
        (
            "monitoring.prometheusRule.alerts.errorRatio.threshold=5",
            "/monitoring/prometheusRule/alerts/errorRatio/threshold",
        ),
        # Grafana's sidecar label must be a Kubernetes label name.
        ("monitoring.dashboard.label=grafana dashboard", "/monitoring/dashboard/label"),
    ],
)
def test_values_schema_rejects_wrong_values(project: Path, setting: str, complaint: str) -> None:
    result = run(tool("helm"), "lint", "--strict", "k8s/helm", "--set", setting, cwd=project)
    assert result.returncode != 0
    assert complaint in result.stdout + result.stderr


def without_helm_bookkeeping(manifest: dict[str, Any]) -> dict[str, Any]:
    """What a cluster runs, minus what only Helm adds (chart labels, config checksum)."""
    text = json.dumps(manifest)
    clean: dict[str, Any] = json.loads(text)
    for metadata in (clean["metadata"], clean.get("spec", {}).get("template", {}).get("metadata")):
        if metadata:
            metadata.get("labels", {}).pop("helm.sh/chart", None)
            metadata.get("labels", {}).pop("app.kubernetes.io/managed-by", None)
            metadata.get("labels", {}).pop("app.kubernetes.io/version", None)
            metadata.get("annotations", {}).pop("checksum/config", None)
            if metadata.get("annotations") == {}:
                del metadata["annotations"]
    return clean


@pytest.mark.parametrize("kind", ["Deployment", "Service", "ConfigMap"])
def test_raw_manifests_match_the_chart_defaults(project: Path, kind: str) -> None:
    raw_file = {"Deployment": "deployment", "Service": "service", "ConfigMap": "configmap"}[kind]
    raw = yaml.safe_load((project / "k8s" / f"{raw_file}.yaml").read_text())
    rendered = helm_template(project, "autoscaling.enabled=false")
    # By name too: a backend's chart has a second ConfigMap, its Grafana dashboard.
    (chart,) = [d for d in rendered if d["kind"] == kind and d["metadata"]["name"] == SERVICE]
    chart, raw = without_helm_bookkeeping(chart), without_helm_bookkeeping(raw)
    if kind == "Deployment":
        chart_pod, raw_pod = chart["spec"]["template"]["spec"], raw["spec"]["template"]["spec"]
        # The chart adds a dedicated service account and anti-affinity; raw manifests keep to
        # the pod itself and disable the token mount instead.
        for key in ("serviceAccountName", "affinity"):
            chart_pod.pop(key)
        raw_pod.pop("automountServiceAccountToken")
        chart_container, raw_container = chart_pod["containers"][0], raw_pod["containers"][0]
        chart_image, raw_image = chart_container.pop("image"), raw_container.pop("image")
        assert chart_image.rsplit(":", 1)[0] == raw_image.rsplit(":", 1)[0]
        chart_container["env"].sort(key=lambda e: e["name"])
        raw_container["env"].sort(key=lambda e: e["name"])
    assert raw == chart


def pinned_actionlint() -> str:
    """The actionlint release the dev extra pins (pyproject.toml, the one place for it)."""
    dev = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    (pin,) = [r for r in dev["optional-dependencies"]["dev"] if r.startswith("actionlint-")]
    return str(pin).split("==")[1].split(";")[0].strip()


def test_workflow_passes_actionlint_with_shellcheck(project: Path) -> None:
    # The pinned release, not an older one on PATH: only a current table of popular actions
    # knows which actions run on a runtime GitHub removed (Node 20).
    version = run(tool("actionlint"), "-version", cwd=project).stdout.splitlines()[0]
    assert version.endswith(f" {pinned_actionlint()}"), (
        f"{tool('actionlint')} is {version}; run `pip install -e '.[dev]'` (and remove a"
        " Go-built .tools/bin/actionlint an older `make tools` left)"
    )
    result = run(
        tool("actionlint"),
        f"-shellcheck={tool('shellcheck')}",
        ".github/workflows/ci-cd.yml",
        cwd=project,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_runs_the_stack_checks_with_postgres(project: Path) -> None:
    workflow = yaml.safe_load((project / ".github/workflows/ci-cd.yml").read_text())
    jobs = workflow["jobs"]
    assert {"test", "security", "build", "deploy-staging", "deploy-production"} <= set(jobs)
    services = set() if is_frontend(project) else {"postgres"}
    if is_cached(project):
        services.add("redis")
    assert set(jobs["test"].get("services", {})) == services
    uses = [step["uses"] for job in jobs.values() for step in job["steps"] if "uses" in step]
    for action in uses:
        assert re.search(r"@(v\d+|\d+\.\d+\.\d+)$", action), f"{action} is not pinned"
    assert jobs["build"]["needs"] == ["test", "security", "guidelines"]


def step_named(job: dict[str, Any], name: str) -> dict[str, Any]:
    steps: list[dict[str, Any]] = job["steps"]
    (step,) = [step for step in steps if step.get("name") == name]
    return step


@pytest.fixture(scope="module")
def setup_python(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """What actions/setup-python leaves on PATH: a fresh Python of the release asked for, as
    the folder of its `python` and `pip` (one per release in this module)."""
    made: dict[str, Path] = {}

    def setup(release: str) -> Path:
        if release not in made:
            venv = tmp_path_factory.mktemp(f"python{release}")
            created = run(python_of(release), "-m", "venv", str(venv), cwd=venv)
            assert created.returncode == 0, created.stderr
            made[release] = venv / "bin"
        return made[release]

    return setup


def from_this_repository(requirement: str) -> str:
    """The workflow's pip requirement for visiobook-scaffold, fetched from this repository
    instead of where its releases are published (GitHub cannot be reached here): the same
    commit, installed from git the same way."""
    prefix = f"git+{SCAFFOLD['repository']}@"
    assert requirement.startswith(prefix), requirement
    ref = requirement.removeprefix(prefix)
    known = run("git", "cat-file", "-e", f"{ref}^{{commit}}", cwd=REPO_ROOT).returncode == 0
    # Generated from a working tree with changes, a service records the commit Copier made of
    # them, which only Copier's copy holds: the working tree itself is then what it came from.
    return f"git+file://{REPO_ROOT}@{ref}" if known else str(REPO_ROOT)


def test_guidelines_job_installs_the_pinned_visiobook_and_its_audit_passes(
    project: Path, setup_python: Callable[[str], Path]
) -> None:
    workflow = yaml.safe_load((project / ".github/workflows/ci-cd.yml").read_text())
    job = workflow["jobs"]["guidelines"]
    assert job["permissions"]["security-events"] == "write"
    (python_setup,) = [
        s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python@")
    ]
    python = setup_python(python_setup["with"]["python-version"])
    env = {
        "PATH": f"{python}:{Path(tool('helm')).parent}:{os.environ['PATH']}",
        "VISIOBOOK_SCAFFOLD": from_this_repository(workflow["env"]["VISIOBOOK_SCAFFOLD"]),
    }
    # The projects of this module come from one commit: installed once, for the first.
    installed_for = python.parent / "visiobook-requirement"
    if not installed_for.exists() or installed_for.read_text() != env["VISIOBOOK_SCAFFOLD"]:
        installed = run_workflow_step(step_named(job, "Install visiobook"), env, project)
        assert installed.returncode == 0, installed.stdout + installed.stderr
        installed_for.write_text(env["VISIOBOOK_SCAFFOLD"])

    audit = run_workflow_step(step_named(job, "Audit against the guidelines"), env, project)

    assert audit.returncode == 0, audit.stdout + audit.stderr
    upload = step_named(job, "Upload the findings to code scanning")
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    log = json.loads((project / upload["with"]["sarif_file"]).read_text())
    jsonschema.validators.validator_for(SARIF_SCHEMA)(SARIF_SCHEMA).validate(log)
    assert [
        result for run_ in log["runs"] for result in run_["results"] if "suppressions" not in result
    ] == []


def test_yaml_passes_yamllint_strict(project: Path) -> None:
    result = run(tool("yamllint"), "--strict", ".", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("dockerfile", ["docker/Dockerfile", "docker/Dockerfile.dev"])
def test_dockerfiles_pass_hadolint(project: Path, dockerfile: str) -> None:
    result = run(tool("hadolint"), dockerfile, cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_image_is_multi_stage_non_root_with_healthcheck(project: Path) -> None:
    lines = [
        line.strip()
        for line in (project / "docker/Dockerfile").read_text().replace("\\\n", " ").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    stages = [i for i, line in enumerate(lines) if line.upper().startswith("FROM ")]
    assert len(stages) >= 2, "the production image must be built in several stages"
    for line in (lines[i] for i in stages):
        image = line.split()[1]
        assert ":" in image, f"untagged base image {image}"
        assert not image.endswith(":latest"), f"unpinned base image {image}"
    final = lines[stages[-1] :]
    users = [line.split()[1] for line in final if line.upper().startswith("USER ")]
    assert users, "the final stage sets no USER"
    uid = users[-1].split(":")[0]
    assert uid.isdigit(), f"USER {users[-1]} is not numeric"
    assert int(uid) != 0, "the final stage runs as root"
    assert any(line.upper().startswith("HEALTHCHECK ") for line in final)
    copied = " ".join(line for line in final if line.upper().startswith("COPY "))
    for build_only in ("tests", "requirements-dev", ".git"):
        assert build_only not in copied, f"the final stage copies {build_only}"

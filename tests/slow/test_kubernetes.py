"""Slow tier: the chart on a real Kubernetes API server (tests/slow/kube.py), every stack.

Admission (Pod Security `restricted`, enforced and warned about), install, upgrade, rollback, an
upgrade from the previous release's chart (immutable fields such as a Deployment's selector) and
the workflow's blue-green switch, all without an error or a warning. No kubelet runs: Pods are
admitted and never start, so hooks are judged by a server-side dry run (docs/kubernetes.md).
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.version import Version

from tests.helpers import AVAILABLE_STACKS, REPO_ROOT, SERVICE_STACKS
from tests.slow.kube import KubeCluster, Result
from tests.slow.project import generate
from visiobook_scaffold.releases import recorded

pytestmark = pytest.mark.slow

SERVICE = "media-service"
IMAGE = "ghcr.io/visiobook/media-service"
# Every optional object on at once: the dry run then judges them all.
EVERYTHING = [
    "ingress.enabled=true",
    "monitoring.serviceMonitor.enabled=true",
    "productionService.enabled=true",
    "deployment.suffix=blue",
    "image.tag=0123abc",
]
# What this cluster serves (the CRDs kube.py installs), as helm install finds it: helm template
# only renders the ServiceMonitor and the PrometheusRule when told.
OPERATOR_API = [
    "--api-versions=monitoring.coreos.com/v1/ServiceMonitor",
    "--api-versions=monitoring.coreos.com/v1/PrometheusRule",
]


@pytest.fixture(scope="module", params=AVAILABLE_STACKS)
def stack(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def project(stack: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp(stack) / SERVICE
    return generate(dest, "--stack", stack, "--name", SERVICE, "--no-git")


@pytest.fixture(scope="module")
def namespace(kube: KubeCluster, stack: str) -> Callable[[str], str]:
    """A restricted namespace of this stack's for one purpose, e.g. `go-upgrade`."""

    def make(purpose: str) -> str:
        name = f"{stack}-{purpose}"
        kube.namespace(name)
        return name

    return make


def sets(*settings: str) -> list[str]:
    return [arg for setting in settings for arg in ("--set", setting)]


def documents(text: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


@pytest.mark.parametrize("settings", [[], EVERYTHING], ids=["defaults", "everything"])
def test_whole_chart_with_hooks_is_admitted_by_a_server_side_dry_run_without_warnings(
    kube: KubeCluster,
    stack: str,
    project: Path,
    namespace: Callable[[str], str],
    settings: list[str],
) -> None:
    ns = namespace("dry-run")
    frontend = stack not in SERVICE_STACKS
    if frontend and settings:
        # The frontend's optional sidecar, whose metrics bring a ServiceMonitor along.
        settings = [*settings, "monitoring.nginxExporter.enabled=true"]
    # helm template renders the hooks (the migration Job) and the test Pod too.
    rendered = kube.helm("template", SERVICE, "k8s/helm", "--namespace", ns, *OPERATOR_API,
                         *sets(*settings), cwd=project).check()  # fmt: skip
    kinds = {doc["kind"] for doc in documents(rendered.stdout)}
    assert {"Deployment", "Service", "Pod"} <= kinds
    # The monitoring objects, judged by the Operator's CRD schemas: a backend's; the frontend's
    # ServiceMonitor with the nginx exporter (no rules: the alerts are the backends').
    monitoring = {"ServiceMonitor", "PrometheusRule"}
    expected = ({"ServiceMonitor"} if settings else set()) if frontend else monitoring
    assert kinds & monitoring == expected
    applied = kube.kubectl(
        "apply", "--dry-run=server", "--namespace", ns, "-f", "-", stdin=rendered.stdout
    ).check()
    assert applied.stdout.count("(server dry run)") == len(documents(rendered.stdout))


def pods_created(
    kube: KubeCluster, ns: str, replicas: int, selector: str = "", timeout: float = 60
) -> list[Any]:
    """The pods the controller manager created (for `selector`), once all of them are."""
    deadline = time.monotonic() + timeout
    while True:
        pods = kube.get("pods", "--namespace", ns, f"--selector={selector}")["items"]
        if len(pods) == replicas or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    no_failed_creates(kube, ns)
    assert len(pods) == replicas, kube.logs()
    return list(pods)


def no_failed_creates(kube: KubeCluster, ns: str) -> None:
    """No controller was refused a Pod (Pod Security admission, quota, a missing account)."""
    failed = kube.get("events", "--namespace", ns, "--field-selector", "reason=FailedCreate")
    assert not failed["items"], [event["message"] for event in failed["items"]]


def test_install_upgrade_and_rollback_succeed_without_warnings(
    kube: KubeCluster, stack: str, project: Path, namespace: Callable[[str], str]
) -> None:
    ns = namespace("release")

    def helm(*args: str) -> Result:
        # --no-hooks: no kubelet runs the migration Job, which Helm would wait for forever.
        return kube.helm(*args, "--namespace", ns, "--no-hooks", cwd=project).check()

    helm("install", SERVICE, "k8s/helm")
    assert kube.get("horizontalpodautoscaler", SERVICE, "--namespace", ns)
    # helm finds the Operator's API on the cluster: a backend's scrape config and rules are in.
    monitors = kube.get("servicemonitors,prometheusrules", "--namespace", ns)["items"]
    kinds = {(item["kind"], item["metadata"]["name"]) for item in monitors}
    backend = stack in SERVICE_STACKS
    assert kinds == (
        {("ServiceMonitor", SERVICE), ("PrometheusRule", SERVICE)} if backend else set()
    )
    # The HPA owns the replica count (it is not running here, so the Deployment's default).
    (pod,) = pods_created(kube, ns, replicas=1)
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True

    helm("upgrade", SERVICE, "k8s/helm", *sets("autoscaling.enabled=false", "env.LOG_LEVEL=debug"))
    deployment = kube.get("deployment", SERVICE, "--namespace", ns)
    assert deployment["spec"]["replicas"] == 3
    assert {"name": "LOG_LEVEL", "value": "debug"} in deployment["spec"]["template"]["spec"][
        "containers"
    ][0]["env"]
    hpas = kube.get("horizontalpodautoscalers", "--namespace", ns)["items"]
    assert not hpas

    helm("rollback", SERVICE, "1")
    deployment = kube.get("deployment", SERVICE, "--namespace", ns)
    assert {"name": "LOG_LEVEL", "value": "info"} in deployment["spec"]["template"]["spec"][
        "containers"
    ][0]["env"]
    assert kube.get("horizontalpodautoscaler", SERVICE, "--namespace", ns)
    history = kube.helm("history", SERVICE, "--namespace", ns, "--output=yaml", cwd=project)
    assert [entry["status"] for entry in yaml.safe_load(history.check().stdout)] == [
        "superseded",
        "superseded",
        "deployed",
    ]
    # The upgrade's and the rollback's ReplicaSets were admitted Pods too.
    assert len(kube.get("replicasets", "--namespace", ns)["items"]) == 2
    no_failed_creates(kube, ns)


@pytest.fixture(scope="module")
def previous_project(stack: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same service, made by the newest released template (releases.toml)."""
    newest = max(recorded(REPO_ROOT), key=Version)
    dest = tmp_path_factory.mktemp(f"{stack}-v{newest}") / SERVICE
    return generate(dest, "--stack", stack, "--name", SERVICE, "--no-git",
                    "--template", str(REPO_ROOT), "--vcs-ref", f"v{newest}")  # fmt: skip


def test_upgrade_from_the_previous_release_chart_succeeds(
    kube: KubeCluster, project: Path, previous_project: Path, namespace: Callable[[str], str]
) -> None:
    ns = namespace("previous")
    kube.helm("install", SERVICE, "k8s/helm", "--namespace", ns, "--no-hooks",
              cwd=previous_project).check()  # fmt: skip
    before = kube.get("deployment", SERVICE, "--namespace", ns)
    # A changed selector (immutable) or any other refused field fails this upgrade.
    kube.helm("upgrade", SERVICE, "k8s/helm", "--namespace", ns, "--no-hooks", cwd=project).check()
    after = kube.get("deployment", SERVICE, "--namespace", ns)
    assert after["spec"]["selector"] == before["spec"]["selector"]
    status = kube.helm("status", SERVICE, "--namespace", ns, "--output=yaml", cwd=project)
    release = yaml.safe_load(status.check().stdout)
    assert (release["version"], release["info"]["status"]) == (2, "deployed")


def test_an_upgrade_that_changes_the_selector_is_refused(
    kube: KubeCluster, project: Path, namespace: Callable[[str], str]
) -> None:
    """The harness's own check of the test above: a chart whose Deployment selector differs
    (a colour adds `version`) cannot upgrade a release in place."""
    ns = namespace("immutable")
    kube.helm("install", SERVICE, "k8s/helm", "--namespace", ns, "--no-hooks",
              cwd=project).check()  # fmt: skip
    refused = kube.helm("upgrade", SERVICE, "k8s/helm", "--namespace", ns, "--no-hooks",
                        *sets("deployment.suffix=blue"), cwd=project)  # fmt: skip
    assert refused.code != 0
    assert "field is immutable" in refused.stderr


def workflow_step(project: Path, name: str) -> dict[str, Any]:
    """A deploy-production step of the generated workflow, found by its name."""
    workflow = yaml.safe_load((project / ".github/workflows/ci-cd.yml").read_text())
    (step,) = [s for s in workflow["jobs"]["deploy-production"]["steps"] if s.get("name") == name]
    return dict(step)


@pytest.fixture
def production(kube: KubeCluster) -> Iterator[str]:
    """The `production` namespace the workflow names, emptied after each stack's rollout."""
    kube.namespace("production")
    yield "production"
    for colour in ("blue", "green"):
        kube.helm("uninstall", f"{SERVICE}-{colour}", "--namespace", "production")
    kube.kubectl("delete", "service,ingress", SERVICE, "--namespace", "production",
                 "--ignore-not-found").check()  # fmt: skip


def test_blue_green_switch_and_rollback_move_the_production_service(
    kube: KubeCluster, project: Path, production: str, tmp_path: Path
) -> None:
    outputs = tmp_path / "github-output"

    def step(name: str, **env: str) -> dict[str, str]:
        """Runs the step's script as GitHub Actions does, and returns the outputs it set."""
        outputs.write_text("")
        script = str(workflow_step(project, name)["run"])
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=project,
            env={**kube.env, "SERVICE": SERVICE, "IMAGE": IMAGE, "GITHUB_SHA": "0123abc",
                 "GITHUB_OUTPUT": str(outputs), **env},
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        Result(done.returncode, done.stdout, done.stderr).check()
        return dict(line.split("=", 1) for line in outputs.read_text().splitlines())

    def deploy(colour: str) -> None:
        # The workflow's own deploy step adds --wait, which no pod can satisfy without a kubelet.
        kube.helm("upgrade", "--install", f"{SERVICE}-{colour}", "k8s/helm",
                  "--namespace", production, "--no-hooks",
                  *sets(f"image.repository={IMAGE}", "image.tag=0123abc",
                        f"deployment.suffix={colour}", "ingress.enabled=false"),
                  cwd=project).check()  # fmt: skip

    def selector() -> dict[str, str]:
        service = kube.get("service", SERVICE, "--namespace", production)
        return dict(service["spec"]["selector"])

    def live() -> str:
        return selector()["version"]

    first = step("Find the live colour")
    assert first == {"live": "none", "idle": "blue"}
    deploy("blue")
    step("Switch traffic to the new colour", IDLE=first["idle"])
    assert live() == "blue"

    second = step("Find the live colour")
    assert second == {"live": "blue", "idle": "green"}
    deploy("green")
    step("Switch traffic to the new colour", IDLE=second["idle"])
    assert live() == "green"
    # The production Service selects the green pods only (version label), not the blue ones.
    labels = ",".join(f"{key}={value}" for key, value in selector().items())
    pods = pods_created(kube, production, replicas=1, selector=labels)
    assert {pod["metadata"]["labels"]["version"] for pod in pods} == {"green"}

    step("Roll back to the previous colour", LIVE=second["live"])
    assert live() == "blue"


def test_the_namespaces_refuse_and_warn_about_what_restricted_forbids(kube: KubeCluster) -> None:
    """The harness's own check: a root Pod is refused, a Deployment of one warned about."""
    kube.namespace("restricted-check")
    pod = {"containers": [{"name": "root", "image": "busybox:1.37"}]}
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "root"},
        "spec": {
            "selector": {"matchLabels": {"app": "root"}},
            "template": {"metadata": {"labels": {"app": "root"}}, "spec": pod},
        },
    }
    warned = kube.kubectl("apply", "--dry-run=server", "--namespace", "restricted-check",
                          "-f", "-", stdin=json.dumps(deployment))  # fmt: skip
    assert warned.code == 0, warned.output
    assert any("restricted" in line for line in warned.warnings()), warned.output
    refused = kube.kubectl("apply", "--dry-run=server", "--namespace", "restricted-check",
                           "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "Pod",
                           "metadata": {"name": "root"}, "spec": pod}))  # fmt: skip
    assert refused.code != 0
    assert 'violates PodSecurity "restricted:latest"' in refused.stderr

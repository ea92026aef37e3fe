"""Spec 6.2 and 9.1 (Kubernetes): the Helm chart and raw manifests deploy a hardened pod."""

from __future__ import annotations

from collections.abc import Iterator

from visiobook_scaffold.check.formats import json_problem, yaml_problem
from visiobook_scaffold.check.manifests import (
    CHART_DIR,
    CHART_SCHEMA,
    CHART_SETTINGS,
    LONG_RUNNING,
    Container,
    all_objects,
    chart_present,
    containers,
    helm_binary,
    mapping,
    rendered_chart,
)
from visiobook_scaffold.check.model import Finding, Severity, Skip
from visiobook_scaffold.check.registry import rule
from visiobook_scaffold.check.repo import Repo
from visiobook_scaffold.check.secrets import is_secret_name, url_password
from visiobook_scaffold.check.yaml_lines import LINE


def _containers(repo: Repo) -> list[Container]:
    found = list(containers(all_objects(repo)))
    if not found:
        reason = "no pod in the manifests under k8s/"
        if helm_binary() is None and chart_present(repo):
            reason += ", and the chart was not rendered (helm is not on PATH)"
        raise Skip(reason)
    return found


def _at(container: Container, message: str) -> Finding:
    owner = container.owner
    return Finding(f"{container.label}: {message}", owner.path, owner.line(container.spec))


@rule(
    "helm-renders",
    category="kubernetes",
    severity=Severity.ERROR,
    spec="6.2",
    title="The Helm chart exists and renders",
    fix="Keep a chart in k8s/helm (Chart.yaml, values.yaml, templates/) and make"
    " `helm template k8s/helm` succeed.",
)
def chart_renders(repo: Repo) -> Iterator[Finding]:
    if not chart_present(repo):
        yield Finding(f"no Helm chart: {CHART_DIR}/Chart.yaml is missing")
        return
    if helm_binary() is None:
        # The chart cannot be rendered here, but its own files can be read: one that does not
        # parse would fail every deployment, so it is a finding, not a skip.
        unparsable = list(_unparsable_chart_files(repo))
        if not unparsable:
            raise Skip("helm is not on PATH: the chart was not rendered")
        yield from unparsable
        return
    error = rendered_chart(repo).error
    if error:
        yield Finding(f"helm template fails: {error}", f"{CHART_DIR}/Chart.yaml")


def _unparsable_chart_files(repo: Repo) -> Iterator[Finding]:
    checks = [(path, yaml_problem) for path in CHART_SETTINGS] + [(CHART_SCHEMA, json_problem)]
    for path, problem_of in checks:
        text = repo.text(path)
        problem = problem_of(text) if text is not None else None
        if problem is not None:
            yield Finding(problem.reason, path, problem.line)


@rule(
    "k8s-resources",
    category="kubernetes",
    severity=Severity.ERROR,
    spec="9.1",
    title="Every container has CPU and memory requests and limits",
    fix="Set resources.requests and resources.limits (cpu and memory) for every container.",
)
def resources(repo: Repo) -> Iterator[Finding]:
    for container in _containers(repo):
        declared = mapping(container.spec.get("resources"))
        missing = [
            f"{group}.{resource}"
            for group in ("requests", "limits")
            for resource in ("cpu", "memory")
            if not mapping(declared.get(group)).get(resource)
        ]
        if missing:
            yield _at(container, f"no resources {', '.join(missing)}")


@rule(
    "k8s-probes",
    category="kubernetes",
    severity=Severity.ERROR,
    spec="9.1",
    title="Long-running containers have liveness and readiness probes",
    fix="Add livenessProbe (a GET that checks only the process, e.g. /live) and readinessProbe"
    " (GET /ready) to the container.",
)
def probes(repo: Repo) -> Iterator[Finding]:
    for container in _containers(repo):
        if container.init or container.owner.kind not in LONG_RUNNING:
            continue
        missing = [p for p in ("livenessProbe", "readinessProbe") if p not in container.spec]
        if missing:
            yield _at(container, f"no {' and no '.join(missing)}")


def _security(container: Container, key: str) -> object:
    """A securityContext setting: the container's own, else the pod's."""
    own = mapping(container.spec.get("securityContext"))
    if key in own:
        return own[key]
    return mapping(container.pod.get("securityContext")).get(key)


@rule(
    "k8s-run-as-non-root",
    category="kubernetes",
    severity=Severity.ERROR,
    spec="9.1",
    title="Pods run as a non-root user",
    fix="Set securityContext.runAsNonRoot: true (pod or container) and a non-zero runAsUser.",
)
def run_as_non_root(repo: Repo) -> Iterator[Finding]:
    for container in _containers(repo):
        if _security(container, "runAsNonRoot") is not True:
            yield _at(container, "runAsNonRoot is not true")
        elif _security(container, "runAsUser") == 0:
            yield _at(container, "runAsUser is 0 (root)")


@rule(
    "k8s-read-only-root",
    category="kubernetes",
    severity=Severity.ERROR,
    spec="9.1",
    title="Containers have a read-only root filesystem",
    fix="Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the"
    " process must write (e.g. /tmp).",
)
def read_only_root(repo: Repo) -> Iterator[Finding]:
    for container in _containers(repo):
        settings = mapping(container.spec.get("securityContext"))
        if settings.get("readOnlyRootFilesystem") is not True:
            yield _at(container, "readOnlyRootFilesystem is not true")


@rule(
    "k8s-drop-capabilities",
    category="kubernetes",
    severity=Severity.ERROR,
    spec="9.1",
    title="Containers drop all Linux capabilities and cannot escalate",
    fix="Set securityContext.capabilities.drop: [ALL] and allowPrivilegeEscalation: false.",
)
def drop_capabilities(repo: Repo) -> Iterator[Finding]:
    for container in _containers(repo):
        settings = mapping(container.spec.get("securityContext"))
        dropped = mapping(settings.get("capabilities")).get("drop") or []
        if "ALL" not in dropped:
            yield _at(container, "capabilities.drop does not include ALL")
        if settings.get("allowPrivilegeEscalation") is not False:
            yield _at(container, "allowPrivilegeEscalation is not false")


@rule(
    "k8s-secret-refs",
    category="kubernetes",
    severity=Severity.ERROR,
    spec="6.2",
    title="Secrets reach pods only through secretKeyRef",
    fix="Keep the value in a Kubernetes Secret and read it with"
    " `valueFrom.secretKeyRef`; never as a literal `value` or in a ConfigMap.",
)
def secret_refs(repo: Repo) -> Iterator[Finding]:
    objects = all_objects(repo)
    for container in _containers(repo):
        listed = container.spec.get("env")
        for variable in map(mapping, listed if isinstance(listed, list) else []):
            name = str(variable.get("name", ""))
            if "value" not in variable:
                continue
            value = str(variable["value"])
            if is_secret_name(name) or url_password(value):
                yield _at(container, f"{name} is a literal value, not a secretKeyRef")
    for kube_object in objects:
        if kube_object.kind != "ConfigMap":
            continue
        data = mapping(kube_object.body.get("data"))
        for key, value in data.items():
            if not isinstance(key, str) or key == LINE:
                continue
            if is_secret_name(key) or url_password(str(value)):
                yield Finding(
                    f"ConfigMap {kube_object.name} holds {key}, a secret",
                    kube_object.path,
                    kube_object.line(data),
                )

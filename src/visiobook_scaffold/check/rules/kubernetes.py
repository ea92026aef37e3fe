"""Spec 6.2 and 9.1 (Kubernetes): the Helm chart and raw manifests deploy a hardened pod."""

from __future__ import annotations

import re
from collections.abc import Iterator

from visiobook_scaffold.check.formats import json_problem, yaml_problem
from visiobook_scaffold.check.manifests import (
    CHART_DIR,
    LONG_RUNNING,
    MISSING_DEPENDENCIES,
    Container,
    KubeObject,
    all_objects,
    chart_dirs,
    chart_present,
    chart_render,
    chart_schema,
    chart_settings,
    containers,
    helm_binary,
    mapping,
    template_line,
)
from visiobook_scaffold.check.model import Finding, Severity, Skip
from visiobook_scaffold.check.registry import rule
from visiobook_scaffold.check.repo import Repo
from visiobook_scaffold.check.secrets import is_placeholder, is_secret_name, url_password
from visiobook_scaffold.check.yaml_lines import LINE


def _containers(repo: Repo) -> list[Container]:
    found = list(containers(all_objects(repo)))
    if not found:
        reason = "no pod in the raw manifests (k8s/, deploy/, manifests/, ...) or the charts"
        if helm_binary() is None and chart_present(repo):
            reason += ", and the chart was not rendered (helm is not on PATH)"
        raise Skip(reason)
    return found


def _at(repo: Repo, container: Container, message: str) -> Finding:
    """A finding at the container's line: in a manifest, its own; in a chart's template, the
    line that names it (`- name: api`), found in the template's text."""
    owner = container.owner
    line = owner.line(container.spec)
    name = container.spec.get("name")
    if line is None and isinstance(name, str):
        line = template_line(
            repo, owner, re.compile(rf"^\s*-?\s*name:\s*[\"']?{re.escape(name)}[\"']?\s*$")
        )
    return Finding(f"{container.label}: {message}", owner.path, line)


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
    charts = chart_dirs(repo)
    if not charts:
        yield Finding(f"no Helm chart: no Chart.yaml in the repository (6.2: {CHART_DIR})")
        return
    if helm_binary() is None:
        # The charts cannot be rendered here, but their own files can be read: one that does
        # not parse would fail every deployment, so it is a finding, not a skip.
        unparsable = [
            finding for chart in charts for finding in _unparsable_chart_files(repo, chart)
        ]
        if not unparsable:
            raise Skip("helm is not on PATH: the chart was not rendered")
        yield from unparsable
        return
    unfetched = []
    for chart in charts:
        error = chart_render(repo, chart).error
        if error and MISSING_DEPENDENCIES in error:
            unfetched.append(chart)
        elif error:
            yield Finding(f"helm template fails: {error}", f"{chart}/Chart.yaml")
    if unfetched and len(unfetched) == len(charts):
        # Fetching them needs the network and their repositories: not judged here.
        raise Skip(
            f"{', '.join(unfetched)}: the chart's dependencies are not in its charts/ folder"
            " (helm dependency build), so it was not rendered"
        )


def _unparsable_chart_files(repo: Repo, chart: str) -> Iterator[Finding]:
    checks = [(path, yaml_problem) for path in chart_settings(chart)]
    checks.append((chart_schema(chart), json_problem))
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
            yield _at(repo, container, f"no resources {', '.join(missing)}")


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
            yield _at(repo, container, f"no {' and no '.join(missing)}")


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
            yield _at(repo, container, "runAsNonRoot is not true")
        elif _security(container, "runAsUser") == 0:
            yield _at(repo, container, "runAsUser is 0 (root)")


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
            yield _at(repo, container, "readOnlyRootFilesystem is not true")


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
            yield _at(repo, container, "capabilities.drop does not include ALL")
        if settings.get("allowPrivilegeEscalation") is not False:
            yield _at(repo, container, "allowPrivilegeEscalation is not false")


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
    config_maps = [kube_object for kube_object in objects if kube_object.kind == "ConfigMap"]
    # A ConfigMap is judged even without a pod here: whatever mounts it reads the secret.
    pods = _containers(repo) if not config_maps else list(containers(objects))
    for container in pods:
        listed = container.spec.get("env")
        for variable in map(mapping, listed if isinstance(listed, list) else []):
            name = str(variable.get("name", ""))
            if "value" not in variable:
                continue
            value = str(variable["value"])
            if is_secret_name(name) or url_password(value):
                yield _at(repo, container, f"{name} is a literal value, not a secretKeyRef")
    for config_map in config_maps:
        yield from _configmap_secrets(repo, config_map)


# `name: value`, `name=value` or `"name": "value",` in a file a ConfigMap embeds
# (application.properties, .env, config.yaml, appsettings.json).
_EMBEDDED_SETTING = re.compile(
    r"""^\s*(?:export\s+)?["']?([\w.-]+)["']?\s*[:=]\s*(\S.*?)\s*,?\s*$"""
)


def _configmap_secrets(repo: Repo, kube_object: KubeObject) -> Iterator[Finding]:
    """Secrets a ConfigMap's data holds: a real-looking value under a secret-like key
    (`signing-key`, `jwt-secret`), or a URL with a password; also inside a file it embeds."""
    data = mapping(kube_object.body.get("data"))
    for key, value in data.items():
        if not isinstance(key, str) or key == LINE or not isinstance(value, (str, int, float)):
            continue
        text = str(value)
        key_line = template_line(
            repo, kube_object, re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*:")
        )
        if _holds_secret(key, text):
            yield Finding(
                f"ConfigMap {kube_object.name} holds {key}, a secret, in plain text",
                kube_object.path,
                key_line,
            )
            continue
        if "\n" not in text.strip():
            continue  # a file it embeds has lines
        for offset, line in enumerate(text.splitlines(), start=1):
            match = _EMBEDDED_SETTING.match(line)
            if match and _holds_secret(match[1].rsplit(".", 1)[-1], match[2]):
                where = key_line + offset if key_line and kube_object.raw else key_line
                yield Finding(
                    f"ConfigMap {kube_object.name}: {key} sets {match[1]}, a secret, in plain text",
                    kube_object.path,
                    where,
                )


def _holds_secret(name: str, value: str) -> bool:
    if url_password(value):
        return True
    return is_secret_name(name) and not is_placeholder(value)

"""The Kubernetes objects a service deploys: its raw manifests and its rendered Helm chart."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import yaml

from visiobook_scaffold.check import yaml_lines
from visiobook_scaffold.check.repo import Repo
from visiobook_scaffold.check.yaml_lines import LINE

CHART_DIR = "k8s/helm"
LONG_RUNNING = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"})
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}


@dataclass(frozen=True)
class KubeObject:
    kind: str
    name: str
    body: dict[str, Any]
    path: str
    """The manifest, or for a rendered chart the template that produced it."""
    raw: bool
    """From a manifest file: lines are those of `path`."""

    def line(self, mapping: dict[str, Any]) -> int | None:
        return mapping.get(LINE) if self.raw else None


@dataclass(frozen=True)
class Container:
    owner: KubeObject
    pod: dict[str, Any]
    spec: dict[str, Any]
    init: bool

    @property
    def label(self) -> str:
        return f"{self.owner.kind} {self.owner.name}, container {self.spec.get('name', '?')}"


@dataclass(frozen=True)
class Rendered:
    objects: list[KubeObject]
    error: str | None
    """Why the chart did not render; None when it did (or there is no chart or no helm)."""


def chart_present(repo: Repo) -> bool:
    return repo.has_file(f"{CHART_DIR}/Chart.yaml")


def helm_binary() -> str | None:
    return shutil.which("helm")


def rendered_chart(repo: Repo) -> Rendered:
    return repo.memo("rendered-chart", lambda: _render(repo))


# Rendered as on a cluster that serves the Prometheus Operator's API, so the ServiceMonitor and
# PrometheusRule a chart creates only there (gated on .Capabilities) are judged too.
OPERATOR_APIS = (
    "--api-versions", "monitoring.coreos.com/v1/ServiceMonitor",
    "--api-versions", "monitoring.coreos.com/v1/PrometheusRule",
)  # fmt: skip


def _render(repo: Repo) -> Rendered:
    helm = helm_binary()
    if helm is None or not chart_present(repo):
        return Rendered([], None)
    try:
        result = subprocess.run(
            [helm, "template", "check", CHART_DIR, *OPERATOR_APIS],
            cwd=repo.root,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return Rendered([], f"helm could not run: {error}")
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        return Rendered([], lines[-1] if lines else f"helm exited with {result.returncode}")
    objects = []
    for document in result.stdout.split("\n---"):
        source = next(
            (line[len("# Source: ") :] for line in document.splitlines()
             if line.startswith("# Source: ")),
            None,
        )  # fmt: skip
        body = yaml.safe_load(document)
        if isinstance(body, dict) and source:
            # "<chart name>/templates/x.yaml": the chart's name is its folder here.
            template = PurePosixPath(CHART_DIR, *PurePosixPath(source).parts[1:]).as_posix()
            objects.append(_object(body, template, raw=False))
    return Rendered(objects, None)


def raw_objects(repo: Repo) -> list[KubeObject]:
    return repo.memo("raw-manifests", lambda: list(_raw(repo)))


def raw_manifest_paths(repo: Repo) -> list[str]:
    """The YAML files under k8s/ outside the chart (whose templates are not YAML until helm
    renders them)."""
    return [
        path
        for path in repo.under(("k8s",), (".yaml", ".yml"))
        if not path.startswith(f"{CHART_DIR}/")
    ]


CHART_SETTINGS = (f"{CHART_DIR}/Chart.yaml", f"{CHART_DIR}/values.yaml")
"""The chart's own files that are plain YAML (not templates), as helm reads them."""
CHART_SCHEMA = f"{CHART_DIR}/values.schema.json"


def _raw(repo: Repo) -> Iterator[KubeObject]:
    for path in raw_manifest_paths(repo):
        text = repo.text(path)
        if text is None:
            continue
        try:
            documents = list(yaml_lines.load_all(text))
        except yaml.YAMLError:
            continue  # a file that does not parse is config-files-parse's finding
        for body in documents:
            if isinstance(body, dict) and "kind" in body:
                yield _object(body, path, raw=True)


def _object(body: dict[str, Any], path: str, *, raw: bool) -> KubeObject:
    metadata = body.get("metadata")
    if not isinstance(metadata, dict):
        metadata = {}
    return KubeObject(str(body.get("kind")), str(metadata.get("name", "?")), body, path, raw)


def all_objects(repo: Repo) -> list[KubeObject]:
    """Raw manifests, then the rendered chart's objects."""
    return raw_objects(repo) + rendered_chart(repo).objects


def containers(objects: list[KubeObject]) -> Iterator[Container]:
    for kube_object in objects:
        pod = _dig(kube_object.body, POD_SPEC_PATHS.get(kube_object.kind))
        if pod is None:
            continue
        for key, init in (("initContainers", True), ("containers", False)):
            listed = pod.get(key)
            for spec in listed if isinstance(listed, list) else []:
                if isinstance(spec, dict):
                    yield Container(kube_object, pod, spec, init)


def mapping(value: object) -> dict[str, Any]:
    """`value` when it is a mapping, else an empty one: manifests are read as they are."""
    return value if isinstance(value, dict) else {}


def _dig(body: dict[str, Any], path: tuple[str, ...] | None) -> dict[str, Any] | None:
    if path is None:
        return None
    node: Any = body
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None

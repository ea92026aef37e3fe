"""The Kubernetes objects a service deploys: its raw manifests and its rendered Helm chart."""

from __future__ import annotations

import re
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
"""Where the guidelines (6.2) put the chart; charts elsewhere are found and judged too."""
MANIFEST_FOLDERS = frozenset(
    {"k8s", "kubernetes", "deploy", "deployment", "deployments", "manifests"}
)
"""Folders (at any depth) whose YAML files with apiVersion and kind are raw manifests."""
TEST_FOLDERS = frozenset({"test", "tests", "testdata", "fixtures", "e2e", "__tests__"})
"""Charts and manifests below these are test inputs (a chart linter's fixtures), not deployed."""


def _in_test_folder(path: str) -> bool:
    return bool(TEST_FOLDERS & set(PurePosixPath(path).parts[:-1]))


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


def chart_dirs(repo: Repo) -> list[str]:
    """Every Helm chart of the repository (a folder with a Chart.yaml), the guidelines' k8s/helm
    first, then by path; subcharts (under another chart's charts/) render with their parent, and
    charts in test folders are test inputs."""
    return repo.memo("chart-dirs", lambda: _chart_dirs(repo))


def _chart_dirs(repo: Repo) -> list[str]:
    found = sorted(
        str(PurePosixPath(path).parent)
        for path in repo.files
        if PurePosixPath(path).name == "Chart.yaml" and not _in_test_folder(path)
    )
    charts = [
        chart
        for chart in found
        if not any(chart.startswith(f"{other}/charts/") for other in found if other != chart)
    ]
    return sorted(charts, key=lambda chart: (chart != CHART_DIR, chart))


def in_chart(repo: Repo, path: str) -> bool:
    return any(chart == "." or path.startswith(f"{chart}/") for chart in chart_dirs(repo))


def chart_present(repo: Repo) -> bool:
    return bool(chart_dirs(repo))


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


MISSING_DEPENDENCIES = "missing in charts/ directory"
"""helm's words for a chart whose dependencies were not fetched (`helm dependency build`)."""


def _render(repo: Repo) -> Rendered:
    """Every chart rendered; the error is the first chart's that did not render."""
    helm = helm_binary()
    if helm is None:
        return Rendered([], None)
    objects: list[KubeObject] = []
    errors: list[str] = []
    for chart in chart_dirs(repo):
        rendered = render_chart(repo, helm, chart)
        objects.extend(rendered.objects)
        if rendered.error:
            errors.append(rendered.error)
    return Rendered(objects, errors[0] if errors else None)


def chart_render(repo: Repo, chart: str) -> Rendered:
    """One chart rendered (memoised); no objects and no error without helm."""
    helm = helm_binary()
    if helm is None:
        return Rendered([], None)
    return render_chart(repo, helm, chart)


def render_chart(repo: Repo, helm: str, chart: str) -> Rendered:
    return repo.memo(f"rendered-chart:{chart}", lambda: _render_one(repo, helm, chart))


def _render_one(repo: Repo, helm: str, chart: str) -> Rendered:
    try:
        result = subprocess.run(
            [helm, "template", "check", chart, *OPERATOR_APIS],
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
        reason = lines[-1] if lines else f"helm exited with {result.returncode}"
        return Rendered([], f"{chart}: {reason}")
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
            template = PurePosixPath(chart, *PurePosixPath(source).parts[1:]).as_posix()
            objects.append(_object(body, template, raw=False))
    return Rendered(objects, None)


def raw_objects(repo: Repo) -> list[KubeObject]:
    return repo.memo("raw-manifests", lambda: list(_raw(repo)))


# Also in YAML written as JSON ({"apiVersion": ...}), which kubectl reads as well.
_API_VERSION = re.compile(r"[\"']?\bapiVersion[\"']?\s*:")
_KIND = re.compile(r"[\"']?\bkind[\"']?\s*:")


def raw_manifest_paths(repo: Repo) -> list[str]:
    """The raw Kubernetes manifests, outside the charts (whose templates are not YAML until helm
    renders them): every YAML file under the guidelines' k8s/, and those with an apiVersion and
    a kind under a k8s/, kubernetes/, deploy/, deployment(s)/ or manifests/ folder at any depth
    (but in .github): such folders also keep compose files, playbooks and values files."""
    return repo.memo("raw-manifest-paths", lambda: list(_raw_manifest_paths(repo)))


def _raw_manifest_paths(repo: Repo) -> Iterator[str]:
    for path in repo.under(("",), (".yaml", ".yml")):
        folders = PurePosixPath(path).parts[:-1]
        if not MANIFEST_FOLDERS & set(folders) or folders[0] == ".github":
            continue
        if _in_test_folder(path):
            continue
        if path.startswith(f"{CHART_DIR}/") or in_chart(repo, path):
            continue
        if folders[0] == "k8s":
            yield path  # the guidelines' folder: every YAML file in it is a manifest
            continue
        text = repo.text(path) or ""
        if _API_VERSION.search(text) and _KIND.search(text):
            yield path


def chart_settings(chart: str) -> tuple[str, str]:
    """The chart's own files that are plain YAML (not templates), as helm reads them."""
    return f"{chart}/Chart.yaml", f"{chart}/values.yaml"


def chart_schema(chart: str) -> str:
    return f"{chart}/values.schema.json"


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


def template_line(repo: Repo, kube_object: KubeObject, pattern: re.Pattern[str]) -> int | None:
    """The first line of the object's file (manifest or template) matching `pattern`, searched
    from the object's own place in a manifest: where a reader finds what a rule judged."""
    text = repo.text(kube_object.path)
    if text is None:
        return None
    start = kube_object.line(kube_object.body) or 1
    for number, line in enumerate(text.splitlines()[start - 1 :], start=start):
        if pattern.search(line):
            return number
    return None


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

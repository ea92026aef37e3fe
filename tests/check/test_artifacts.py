"""Artifacts where real repositories keep them: the production Dockerfile and the stage of it
that ships, every Helm chart, raw manifests outside k8s/, and secrets in a ConfigMap's data."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest

from visiobook_scaffold.check.dockerfile import (
    built_targets,
    deployed_stage,
    image_tag_problem,
    production_dockerfile,
    shipped_stages,
    stages,
)
from visiobook_scaffold.check.manifests import chart_dirs, raw_manifest_paths
from visiobook_scaffold.check.model import Finding, Skip
from visiobook_scaffold.check.repo import Repo
from visiobook_scaffold.check.rules.docker import healthcheck, non_root, pinned_base
from visiobook_scaffold.check.rules.kubernetes import chart_renders, secret_refs
from visiobook_scaffold.check.rules.structure import standard_tree


def repo(root: Path, files: dict[str, str], stack: str = "go") -> Repo:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return Repo(root, stack, "service", datetime.date(2026, 11, 29))


@pytest.mark.parametrize(
    ("image", "floating"),
    [
        ("node:alpine", "alpine"),
        ("nginx:stable-alpine", "stable-alpine"),
        ("python:slim", "slim"),
        ("node:lts", "lts"),
        ("node:22-alpine", None),
        ("python:3.13-slim", None),
        ("nginx:1.29-alpine", None),
    ],
)
def test_a_tag_that_names_no_version_floats(image: str, floating: str | None) -> None:
    problem = image_tag_problem(image)
    if floating is None:
        assert problem is None
    else:
        assert problem is not None
        assert f"floating tag {floating}" in problem


@pytest.mark.parametrize(
    ("files", "production"),
    [
        (["Dockerfile", "docker/Dockerfile"], "docker/Dockerfile"),
        (["Dockerfile", "docker/dockerfile"], "docker/dockerfile"),
        (["Dockerfile", "Dockerfile.prod", "Dockerfile.dev"], "Dockerfile.prod"),
        (["Dockerfile.dev", "dockerfile"], "dockerfile"),
        (["images/worker/Dockerfile", "images/api/Dockerfile"], "images/api/Dockerfile"),
        (["images/api/Dockerfile", "api.Dockerfile"], "api.Dockerfile"),
        (["Dockerfile-dev", "Dockerfile.test", ".devcontainer/Dockerfile"], None),
        (["Dockerfile.dockerignore", "README.md"], None),
    ],
)
def test_the_production_dockerfile_is_picked_in_a_documented_order(
    files: list[str], production: str | None
) -> None:
    assert production_dockerfile(files) == production


TEST_LAST = """\
FROM node:alpine AS base
RUN npm ci
FROM base AS build
RUN npm run build
FROM node:22-alpine AS prod
COPY --from=build /app/dist ./dist
CMD ["node", "dist/server.js"]
FROM build AS test
RUN npm test
"""


def test_the_deployed_stage_is_not_a_test_stage_after_it() -> None:
    parsed = stages(TEST_LAST)
    assert deployed_stage(parsed).name == "prod"


def test_a_stage_the_repository_builds_with_target_wins() -> None:
    parsed = stages(TEST_LAST)
    assert deployed_stage(parsed, {"build"}).name == "build"
    # A test target (CI builds it too) never counts as the deployed one.
    assert deployed_stage(parsed, {"test"}).name == "prod"


def test_a_stage_that_only_runs_tests_is_ci_whatever_its_name() -> None:
    text = "FROM golang:1.24 AS build\nRUN go build\nFROM build AS check\nRUN go test ./...\n"
    assert deployed_stage(stages(text)).name == "build"


def test_targets_are_read_from_build_commands_and_compose() -> None:
    texts = [
        "docker build --target=release .",
        "services:\n  api:\n    build:\n      target: prod\n",
    ]
    assert built_targets(texts) == {"release", "prod"}


def test_compose_targets_count_only_when_no_build_command_names_a_stage(tmp_path: Path) -> None:
    text = "FROM node:22 AS base\nFROM base AS release\nUSER 1000\nFROM base AS builder\n"
    text += "FROM builder AS tools\n"
    compose = "services:\n  api:\n    build:\n      target: builder\n"
    checked = repo(tmp_path, {"Dockerfile": text, "compose.yaml": compose})
    # compose builds `builder` to run locally: with no other word on it, that is the stage.
    assert locations(non_root(checked)) == ["Dockerfile:4"]
    (tmp_path / "Makefile").write_text("image:\n\tdocker build --target release .\n")
    rechecked = Repo(tmp_path, "node", "service", datetime.date(2026, 11, 29))
    assert locations(non_root(rechecked)) == []


def test_the_shipped_image_is_made_of_its_lineage_and_what_it_copies_from() -> None:
    parsed = stages(TEST_LAST)
    shipped = shipped_stages(parsed, deployed_stage(parsed))
    assert [stage.name for stage in shipped] == ["base", "build", "prod"]


def locations(findings: object) -> list[str]:
    assert not isinstance(findings, Finding)
    return [finding.location() for finding in findings]  # type: ignore[attr-defined]


def test_docker_rules_judge_the_deployed_stage_at_its_from_line(tmp_path: Path) -> None:
    checked = repo(tmp_path, {"Dockerfile": TEST_LAST})
    assert locations(non_root(checked)) == ["Dockerfile:5"]
    assert locations(healthcheck(checked)) == ["Dockerfile:5"]
    assert locations(pinned_base(checked)) == ["Dockerfile:1"]


def test_without_a_production_dockerfile_the_rules_say_which_ones_do_not_count(
    tmp_path: Path,
) -> None:
    checked = repo(tmp_path, {"Dockerfile.dev": "FROM node:22\n"})
    with pytest.raises(Skip, match=r"only development or test ones \(Dockerfile.dev\)"):
        list(non_root(checked))


def test_a_test_stage_is_not_judged_for_pinning(tmp_path: Path) -> None:
    text = "FROM golang:1.24 AS build\nFROM alpine:3.22\nCOPY --from=build /a /a\n"
    text += "FROM golang AS lint\nRUN golangci-lint run\n"
    assert locations(pinned_base(repo(tmp_path, {"Dockerfile": text}))) == []


CHART = "apiVersion: v2\nname: x\nversion: 0.1.0\n"


def test_every_chart_is_found_the_guidelines_one_first_subcharts_with_their_parent(
    tmp_path: Path,
) -> None:
    checked = repo(
        tmp_path,
        {
            "helm/shelf/Chart.yaml": CHART,
            "charts/web/Chart.yaml": CHART,
            "charts/web/charts/redis/Chart.yaml": CHART,
            "k8s/helm/Chart.yaml": CHART,
            "tests/fixtures/chart/Chart.yaml": CHART,
        },
    )
    assert chart_dirs(checked) == ["k8s/helm", "charts/web", "helm/shelf"]


def test_raw_manifests_are_kubernetes_documents_in_deployment_folders(tmp_path: Path) -> None:
    checked = repo(
        tmp_path,
        {
            "deploy/k8s/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\n",
            "deploy/docker-compose.yml": "services:\n  api:\n    image: x\n",
            "manifests/base/service.yml": "apiVersion: v1\nkind: Service\n",
            "deploy/helm/api/Chart.yaml": CHART,
            "deploy/helm/api/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\n",
            ".github/workflows/deploy/x.yml": "apiVersion: v1\nkind: Pod\n",
            "src/fixtures/pod.yaml": "apiVersion: v1\nkind: Pod\n",
            "test/e2e/k8s/pod.yaml": "apiVersion: v1\nkind: Pod\n",
        },
    )
    assert raw_manifest_paths(checked) == [
        "deploy/k8s/deployment.yaml",
        "manifests/base/service.yml",
    ]


CONFIG_MAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: api
data:
  LOG_LEVEL: info
  signing-key: 'k3Yq9vTz82LmWc4RbXp1'
  jwt-secret: changeme
  DATABASE_URL: postgresql://api:Vx82kLmq@db:5432/api
  application.properties: |
    server.port=8080
    spring.datasource.password=Tq7zW2vLp9
  appsettings.json: |
    {
      "Logging": {"LogLevel": "Information"},
      "ApiToken": "Zr8mQ2xW5vLk9pT3",
      "CachePassword": ""
    }
"""


def test_secrets_in_a_config_map_are_found_at_their_line(tmp_path: Path) -> None:
    checked = repo(tmp_path, {"deploy/configmap.yaml": CONFIG_MAP})
    assert locations(secret_refs(checked)) == [
        "deploy/configmap.yaml:7",
        "deploy/configmap.yaml:9",
        "deploy/configmap.yaml:12",
        "deploy/configmap.yaml:16",
    ]


def test_the_structure_rule_says_where_the_artifacts_are_instead(tmp_path: Path) -> None:
    checked = repo(
        tmp_path, {"images/api/Dockerfile": "FROM alpine:3.22\n", "helm/shelf/Chart.yaml": CHART}
    )
    messages = [finding.message for finding in standard_tree(checked)]
    assert (
        "missing file docker/Dockerfile (the production Dockerfile is images/api/Dockerfile)"
        in messages
    )
    assert "missing folder k8s/ (the Kubernetes files are in helm/shelf/)" in messages
    assert "missing file go.mod" in messages


@pytest.mark.skipif(shutil.which("helm") is None, reason="needs helm on PATH (make tools)")
def test_a_chart_whose_dependencies_were_not_fetched_is_not_judged(tmp_path: Path) -> None:
    dependency = "dependencies:\n  - name: postgresql\n    version: 16.2.1\n"
    dependency += "    repository: oci://registry-1.docker.io/bitnamicharts\n"
    checked = repo(tmp_path, {"helm/shelf/Chart.yaml": CHART + dependency})
    with pytest.raises(Skip, match="helm/shelf: the chart's dependencies are not in its charts/"):
        list(chart_renders(checked))


@pytest.mark.skipif(shutil.which("helm") is None, reason="needs helm on PATH (make tools)")
def test_a_chart_that_does_not_render_fails_at_its_chart_file(tmp_path: Path) -> None:
    checked = repo(
        tmp_path,
        {
            "charts/web/Chart.yaml": CHART,
            "charts/web/templates/broken.yaml": "kind: {{ .Values.missing.kind }}\n",
            "k8s/helm/Chart.yaml": CHART,
        },
    )
    assert locations(chart_renders(checked)) == ["charts/web/Chart.yaml"]

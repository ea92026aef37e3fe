"""For each rule, ways to break a freshly generated service so that this rule, and only it,
fails. `test_rules.py` runs every check on each broken copy."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Breakage:
    rule: str
    stack: str
    how: str
    apply: Callable[[Path], object]
    needs_helm: bool = False

    @property
    def id(self) -> str:
        return f"{self.rule}-{self.how.replace(' ', '-')}"


def replace(path: Path, old: str, new: str, *, count: int = 1) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}: the breakage no longer applies"
    path.write_text(text.replace(old, new) if count < 0 else text.replace(old, new, count))


def remove(*paths: Path) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def replace_everywhere(root: Path, pattern: str, new: str) -> None:
    hits = 0
    for path in root.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            text = path.read_text(errors="ignore")
            changed, count = re.subn(pattern, new, text, flags=re.IGNORECASE)
            if count:
                path.write_text(changed)
                hits += count
    assert hits, f"{pattern} found nowhere under {root}"


def edit_workflow(root: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    """Change the generated CI workflow's jobs (a dict of job id to job)."""
    path = root / ".github/workflows/ci-cd.yml"
    workflow = yaml.safe_load(path.read_text())
    edit(workflow["jobs"])
    path.write_text(yaml.safe_dump(workflow, sort_keys=False))


def edit_contract(root: Path, edit: Callable[[dict[str, Any]], object]) -> None:
    """Change the paths of the generated API contract, api/openapi.json."""
    path = root / "api/openapi.json"
    document = json.loads(path.read_text())
    edit(document["paths"])
    path.write_text(json.dumps(document, indent=2))


def without_429_answers(paths: dict[str, Any]) -> None:
    """The contract no longer says any operation may answer 429."""
    for item in paths.values():
        for operation in item.values():
            if isinstance(operation, dict):
                operation.get("responses", {}).pop("429", None)


def without_security_work(jobs: dict[str, Any]) -> None:
    """No job audits the dependencies or scans anything, whatever the jobs are called."""
    jobs["quality"] = jobs.pop("security")
    for job in jobs.values():
        job["steps"] = [
            step
            for step in job.get("steps", [])
            if not re.search(r"audit|trivy|codeql", f"{step.get('uses', '')} {step.get('run', '')}")
        ]


def build_job_only_compiles(jobs: dict[str, Any]) -> None:
    """The job named build compiles the code; no job builds the image."""
    jobs["build"]["steps"] = [{"uses": "actions/checkout@v7"}, {"run": "go build ./..."}]


def add_npm_dependency(root: Path, name: str, version: str) -> None:
    manifest = json.loads((root / "package.json").read_text())
    manifest["dependencies"][name] = version
    (root / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")


def newer_template_release(root: Path) -> None:
    """Point the service at a template whose newest release is newer than its own version."""
    template = root.parent / "template-repo"
    template.mkdir()
    (template / "copier.yml").write_text("service_name: {type: str}\n")
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "v2"], ["tag", "v2.0.0"]):
        subprocess.run(["git", *identity, *args], cwd=template, check=True)
    answers = root / ".copier-answers.yml"
    text = re.sub(r"(?m)^_commit: .*$", "_commit: v1.0.0", answers.read_text())
    answers.write_text(re.sub(r"(?m)^_src_path: .*$", f"_src_path: {template}", text))


EMOJI_AS_OLD_VERSIONS_ESCAPED_IT = "\\ud83c\\udfac Media service"
"""An emoji as Jinja's tojson wrote it (a UTF-16 pair of escapes), which older template versions
put in pyproject.toml and Chart.yaml: neither TOML nor libyaml takes such an escape."""


def escape_description_as_old_versions_did(path: Path) -> None:
    text = path.read_text()
    escaped, count = re.subn(
        r"(?m)^(description\s*[=:]\s*)\".*\"$",
        lambda line: f'{line[1]}"{EMOJI_AS_OLD_VERSIONS_ESCAPED_IT}"',
        text,
    )
    assert count == 1, f"no description line in {path}: the breakage no longer applies"
    path.write_text(escaped)


def commit_env_file(root: Path) -> None:
    """A .env forced past the .gitignore: listed by git, so committed."""
    write(root / ".env", "LOG_LEVEL=debug\n")
    subprocess.run(["git", "add", "--force", ".env"], cwd=root, check=True)


SINGLE_STAGE_DOCKERFILE = """\
FROM python:3.13-slim-bookworm
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY app/ ./app/
USER 10001:10001
HEALTHCHECK CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"]
CMD ["python", "-m", "app"]
"""

BREAKAGES = [
    Breakage(
        "structure-tree", "node", "no tests/mocks", lambda r: shutil.rmtree(r / "tests/mocks")
    ),
    Breakage(
        "structure-tree", "fastapi", "no alembic env", lambda r: (r / "alembic/env.py").unlink()
    ),
    Breakage(
        "docker-multi-stage",
        "fastapi",
        "one stage",
        lambda r: write(r / "docker/Dockerfile", SINGLE_STAGE_DOCKERFILE),
    ),
    Breakage(
        "docker-non-root",
        "go",
        "no USER",
        lambda r: replace(r / "docker/Dockerfile", "USER 10001:10001\n", ""),
    ),
    Breakage(
        "docker-non-root",
        "node",
        "USER root",
        lambda r: replace(r / "docker/Dockerfile", "USER 10001:10001", "USER root"),
    ),
    Breakage(
        "docker-healthcheck",
        "node",
        "HEALTHCHECK NONE",
        lambda r: (r / "docker/Dockerfile").open("a").write("HEALTHCHECK NONE\n"),
    ),
    Breakage(
        "docker-pinned-base",
        "vue",
        "nginx latest",
        lambda r: replace(r / "docker/Dockerfile", "nginx:1.29-alpine", "nginx:latest"),
    ),
    Breakage(
        "docker-pinned-base",
        "go",
        "untagged alpine",
        lambda r: replace(r / "docker/Dockerfile", "FROM alpine:3.22", "FROM alpine"),
    ),
    Breakage(
        "docker-ignore", "fastapi", "no .dockerignore", lambda r: (r / ".dockerignore").unlink()
    ),
    Breakage("helm-renders", "go", "no chart", lambda r: (r / "k8s/helm/Chart.yaml").unlink()),
    Breakage(
        "helm-renders",
        "node",
        "template error",
        lambda r: (r / "k8s/helm/templates/configmap.yaml").write_text(
            "{{ .Values.nope.deeper }}\n"
        ),
        needs_helm=True,
    ),
    Breakage(
        "helm-renders",
        "go",
        "emoji escape in Chart.yaml",
        lambda r: escape_description_as_old_versions_did(r / "k8s/helm/Chart.yaml"),
    ),
    Breakage(
        "k8s-resources",
        "node",
        "no limits",
        lambda r: replace(
            r / "k8s/deployment.yaml",
            "            limits:\n              cpu: 500m\n              memory: 512Mi\n",
            "",
        ),
    ),
    Breakage(
        "k8s-resources",
        "fastapi",
        "chart without resources",
        lambda r: replace(r / "k8s/helm/templates/deployment.yaml", "resources:", "unused:"),
        needs_helm=True,
    ),
    Breakage(
        "k8s-probes",
        "node",
        "no readiness probe",
        lambda r: replace(r / "k8s/deployment.yaml", "readinessProbe:", "startupProbe:"),
    ),
    Breakage(
        "k8s-run-as-non-root",
        "go",
        "runAsNonRoot false",
        lambda r: replace(
            r / "k8s/deployment.yaml", "runAsNonRoot: true", "runAsNonRoot: false", count=-1
        ),
    ),
    Breakage(
        "k8s-read-only-root",
        "vue",
        "writable root",
        lambda r: replace(
            r / "k8s/deployment.yaml",
            "readOnlyRootFilesystem: true",
            "readOnlyRootFilesystem: false",
        ),
    ),
    Breakage(
        "k8s-drop-capabilities",
        "fastapi",
        "keeps capabilities",
        lambda r: replace(
            r / "k8s/deployment.yaml", "                - ALL", "                - NET_RAW"
        ),
    ),
    Breakage(
        "k8s-secret-refs",
        "node",
        "literal token",
        lambda r: replace(
            r / "k8s/deployment.yaml",
            "          env:\n",
            "          env:\n"
            "            - name: PAYMENT_API_TOKEN\n"
            "              value: 8f14e45fceea167a5a36dedd4bea2543\n",
        ),
    ),
    Breakage(
        "ci-jobs",
        "fastapi",
        "no scanner in any job",
        lambda r: edit_workflow(r, without_security_work),
    ),
    Breakage(
        "ci-jobs",
        "go",
        "build job only compiles",
        lambda r: edit_workflow(r, build_job_only_compiles),
    ),
    Breakage("ci-jobs", "vue", "no workflow", lambda r: shutil.rmtree(r / ".github")),
    Breakage(
        "coverage-gate",
        "fastapi",
        "fail_under 60",
        lambda r: replace(r / "pyproject.toml", "fail_under = 80", "fail_under = 60"),
    ),
    Breakage(
        "coverage-gate",
        "node",
        "no coverageThreshold",
        lambda r: replace(
            r / "jest.config.js", "coverageThreshold", "coverageDirectory: 'coverage', unused"
        ),
    ),
    Breakage(
        "coverage-gate",
        "go",
        "COVERAGE_MIN 70",
        lambda r: replace(r / "Makefile", "COVERAGE_MIN := 80", "COVERAGE_MIN := 70"),
    ),
    Breakage(
        "health-routes",
        "go",
        "/readyz",
        lambda r: replace(r / "internal/handlers/health.go", '"/ready"', '"/readyz"', count=-1),
    ),
    Breakage(
        "health-routes",
        "vue",
        "nginx without /health",
        lambda r: replace(
            r / "docker/nginx.conf.template", "location = /health", "location = /alive"
        ),
    ),
    Breakage(
        "metrics-route",
        "node",
        "/stats",
        lambda r: replace(r / "src/metrics-app.ts", 'app.get("/metrics"', 'app.get("/stats"'),
    ),
    Breakage(
        "correlation-id",
        "fastapi",
        "x-request-id",
        lambda r: replace_everywhere(r / "app", r"x-correlation-id", "x-request-id"),
    ),
    Breakage(
        "alerts-configured",
        "node",
        "no PrometheusRule",
        lambda r: replace(
            r / "k8s/helm/values.yaml",
            "prometheusRule:\n    enabled: true",
            "prometheusRule:\n    enabled: false",
        ),
        needs_helm=True,
    ),
    Breakage(
        "grafana-dashboard",
        "go",
        "no dashboard",
        lambda r: remove(
            r / "k8s/helm/dashboards", r / "k8s/helm/templates/grafana-dashboard.yaml"
        ),
        needs_helm=True,
    ),
    Breakage(
        "env-example",
        "go",
        "no PROMETHEUS_PORT",
        lambda r: replace(r / ".env.example", "PROMETHEUS_PORT=9090\n", ""),
    ),
    Breakage(
        "no-committed-secrets",
        "fastapi",
        "committed .env",
        commit_env_file,
    ),
    Breakage(
        "no-committed-secrets",
        "go",
        "private key",
        lambda r: write(
            r / "deploy/tls.pem",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n",
        ),
    ),
    Breakage(
        "no-committed-secrets",
        "node",
        "real jwt secret",
        lambda r: replace(
            r / ".env.example",
            "JWT_SECRET=change-me-to-a-random-string-of-at-least-32-characters",
            "JWT_SECRET=q8Zr2mVx4LpT9sKw7NbY3cHd6FgJ1aQe",
        ),
    ),
    Breakage(
        "no-committed-secrets",
        "node",
        "a real token in package.json's config (its scripts are commands, never flagged)",
        lambda r: replace(
            r / "package.json",
            '"scripts": {',
            '"config": {\n    "apiToken": "q8Zr2mVx4LpT9sKw7NbY3cHd6FgJ1aQe"\n  },\n  "scripts": {',
        ),
    ),
    Breakage(
        "no-committed-secrets",
        "go",
        "password in a URL",
        lambda r: write(
            r / "config/production.yaml",
            "database:\n  url: postgresql://app:Tr0ub4dor3@db:5432/app\n",
        ),
    ),
    Breakage(
        "config-files-parse",
        "fastapi",
        "emoji escape in pyproject.toml",
        lambda r: escape_description_as_old_versions_did(r / "pyproject.toml"),
    ),
    Breakage(
        "config-files-parse",
        "vue",
        "trailing comma in package.json",
        lambda r: replace(r / "package.json", '"private": true,', '"private": true,,'),
    ),
    Breakage(
        "config-files-parse",
        "node",
        "unclosed list in a manifest",
        lambda r: replace(r / "k8s/service.yaml", "ports:\n", "ports: [\n"),
    ),
    Breakage(
        "api-versioned",
        "node",
        "/api/items",
        lambda r: replace(
            r / "src/controllers/item.controller.ts", '"/api/v1/items', '"/api/items', count=-1
        ),
    ),
    Breakage(
        "api-versioned",
        "fastapi",
        "no version prefix",
        lambda r: replace(r / "app/api/v1/__init__.py", 'prefix="/api/v1"', 'prefix="/"'),
    ),
    Breakage(
        "api-write-roles",
        "go",
        "delete open to any caller",
        lambda r: edit_contract(
            r,
            lambda paths: paths["/api/v1/items/{id}"]["delete"].update(
                security=[{"bearerAuth": []}]
            ),
        ),
    ),
    Breakage(
        "api-write-roles",
        "node",
        "create without security",
        lambda r: edit_contract(r, lambda paths: paths["/api/v1/items"]["post"].pop("security")),
    ),
    Breakage(
        "api-rate-limit",
        "fastapi",
        "no 429 in the contract",
        lambda r: edit_contract(r, without_429_answers),
    ),
    Breakage(
        "load-test-thresholds",
        "go",
        "locust run that cannot fail",
        lambda r: replace(
            r / "load/locustfile.py",
            "environment.process_exit_code = 1 if missed else 0",
            "print(len(missed))",
        ),
    ),
    Breakage("load-test-thresholds", "node", "no load test", lambda r: remove(r / "load")),
    Breakage(
        "api-naming",
        "go",
        "verb",
        lambda r: replace(
            r / "internal/handlers/router.go", 'api.Group("/items")', 'api.Group("/get-items")'
        ),
    ),
    Breakage(
        "api-naming",
        "fastapi",
        "singular",
        lambda r: replace(r / "app/api/v1/items.py", 'prefix="/items"', 'prefix="/item"'),
    ),
    Breakage(
        "api-naming",
        "node",
        "camelCase",
        lambda r: replace(
            r / "src/controllers/item.controller.ts",
            '"/api/v1/items',
            '"/api/v1/mediaItems',
            count=-1,
        ),
    ),
    Breakage(
        "forbidden-libraries",
        "vue",
        "moment",
        lambda r: add_npm_dependency(r, "moment", "^2.30.1"),
    ),
    Breakage(
        "forbidden-libraries",
        "node",
        "mongoose",
        lambda r: add_npm_dependency(r, "mongoose", "^8.9.0"),
    ),
    Breakage(
        "version-floors",
        "node",
        "express 4.17",
        lambda r: replace(r / "package.json", '"express": "^5.3.0"', '"express": "^4.17.1"'),
    ),
    Breakage(
        "version-floors",
        "fastapi",
        "fastapi 0.100",
        lambda r: replace(r / "requirements.txt", "fastapi==0.165.0", "fastapi==0.100.1"),
    ),
    Breakage(
        "runtime-supported",
        "go",
        "go 1.24",
        lambda r: replace(r / "go.mod", "go 1.27.0", "go 1.24"),
    ),
    Breakage(
        "runtime-supported",
        "vue",
        "node 20",
        lambda r: replace(r / ".nvmrc", "22", "20"),
    ),
    Breakage("template-current", "fastapi", "newer release", newer_template_release),
    Breakage(
        "waivers-valid",
        "node",
        "expired waiver",
        lambda r: write(
            r / ".visiobook.yml",
            "waivers:\n"
            "  - rule: docker-healthcheck\n    reason: sidecar probes\n    expires: 2020-01-31\n",
        ),
    ),
    Breakage(
        "waivers-valid",
        "go",
        "reasonless waiver",
        lambda r: write(
            r / ".visiobook.yml", "waivers:\n  - rule: api-naming\n    expires: 2099-01-31\n"
        ),
    ),
    Breakage(
        "waivers-valid",
        "vue",
        "unknown rule",
        lambda r: write(
            r / ".visiobook.yml",
            "waivers:\n  - rule: no-such-rule\n    reason: typo\n    expires: 2099-01-31\n",
        ),
    ),
]

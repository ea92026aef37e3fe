"""Slow tier: docs/platform.md's umbrella chart, run as written: a Vue app and two backends
rendered together reach each other through the one API host.

Every ingress rule is followed as a cluster would: host and path, to the Service it names, to
the port of that Service, to the pods the Service selects, to the container port that port
targets.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import REPO_ROOT
from tests.slow.tools import tool

pytestmark = pytest.mark.slow

PAGE = (REPO_ROOT / "docs/platform.md").read_text()
# A shell block, or a file block (its name in the title), in the page's order.
BLOCK = re.compile(r'```(?:bash|yaml title="([^"]+)")\n(.*?)```', re.DOTALL)


def page_steps() -> list[str | list[str]]:
    """The page's steps in order: a file's name to write, or a command's words split as the
    shell would (comments dropped)."""
    steps: list[str | list[str]] = []
    for name, text in BLOCK.findall(PAGE):
        if name:
            steps.append(name)
            continue
        steps += [
            words for line in text.splitlines() if (words := shlex.split(line, comments=True))
        ]
    return steps


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{shlex.join(command)}:\n{result.stdout}{result.stderr}"
    return result


@pytest.fixture(scope="module")
def manifests(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The page's commands, run in a fresh folder; the umbrella chart's rendered manifests."""
    cwd = tmp_path_factory.mktemp("platform")
    files = dict(BLOCK.findall(PAGE))
    rendered = ""
    for step in page_steps():
        if isinstance(step, str):
            (cwd / step).write_text(files[step])
            continue
        # `mkdir platform && cd platform` and friends: split on the shell's `&&`.
        for command in _split_and(step):
            if command[0] == "cd":
                cwd = cwd / command[1]
            elif command[0] == "mkdir":
                (cwd / command[-1]).mkdir(parents=True)
            elif command[0] == "visiobook":
                run([sys.executable, "-m", "visiobook_scaffold", *command[1:]], cwd)
            elif command[0] == "helm":
                redirect = command.index(">") if ">" in command else len(command)
                result = run([tool("helm"), *command[1:redirect]], cwd)
                if command[1] == "template":
                    rendered = result.stdout
            else:
                raise AssertionError(f"docs/platform.md runs {command}: teach this test it")
    assert rendered, "the page renders no manifests"
    return [doc for doc in yaml.safe_load_all(rendered) if doc]


def _split_and(words: list[str]) -> list[list[str]]:
    commands: list[list[str]] = [[]]
    for word in words:
        if word == "&&":
            commands.append([])
        else:
            commands[-1].append(word)
    return commands


def follow(manifests: list[dict[str, Any]], host: str, path: str) -> tuple[str, int]:
    """The Deployment and container port a request for host+path reaches, as a cluster would
    route it (the longest matching Prefix rule wins)."""
    candidates = [
        (rule_path, ingress["metadata"]["namespace"] if "namespace" in ingress else "", backend)
        for ingress in manifests
        if ingress["kind"] == "Ingress"
        for rule in ingress["spec"]["rules"]
        if rule["host"] == host
        for rule_path, backend in (
            (p["path"], p["backend"]["service"]) for p in rule["http"]["paths"]
        )
        if path == rule_path or path.startswith(rule_path.rstrip("/") + "/")
    ]
    assert candidates, f"no ingress rule serves https://{host}{path}"
    _, _, backend = max(candidates, key=lambda candidate: len(candidate[0]))
    (service,) = [
        d for d in manifests if d["kind"] == "Service" and d["metadata"]["name"] == backend["name"]
    ]
    (port,) = [p for p in service["spec"]["ports"] if p["name"] == backend["port"]["name"]]
    selector = service["spec"]["selector"].items()
    (deployment,) = [
        d
        for d in manifests
        if d["kind"] == "Deployment"
        and selector <= d["spec"]["template"]["metadata"]["labels"].items()
    ]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    (target,) = [p for p in container["ports"] if p["name"] == port["targetPort"]]
    env = {e["name"]: e.get("value") for e in container["env"]}
    # The process listens where the traffic lands.
    assert env.get("PORT", str(target["containerPort"])) == str(target["containerPort"])
    return deployment["metadata"]["name"], target["containerPort"]


def config(manifests: list[dict[str, Any]], release: str) -> dict[str, str]:
    (found,) = [
        d for d in manifests if d["kind"] == "ConfigMap" and d["metadata"]["name"] == release
    ]
    data: dict[str, str] = found["data"]
    return data


def test_each_backend_serves_its_resource_on_the_one_api_host(
    manifests: list[dict[str, Any]],
) -> None:
    assert follow(manifests, "api.visiobook.com", "/api/v1/items") == (
        "platform-media-service",
        8000,
    )
    assert follow(manifests, "api.visiobook.com", "/api/v1/items/42") == (
        "platform-media-service",
        8000,
    )
    assert follow(manifests, "api.visiobook.com", "/api/v1/users") == (
        "platform-user-service",
        8080,
    )


def test_the_web_app_has_its_own_host_and_calls_the_api_host(
    manifests: list[dict[str, Any]],
) -> None:
    assert follow(manifests, "portal.visiobook.com", "/") == ("platform-portal", 8080)
    api_url = config(manifests, "platform-portal")["VITE_API_URL"]
    assert api_url == "https://api.visiobook.com"
    # The app's own resource path (src/resources/<resource>.ts) is one the API host routes.
    resource_file = REPO_ROOT / "templates/vue/src/resources/{{resource}}.ts.jinja"
    assert 'apiPath: "/api/v1/{{ resource }}"' in resource_file.read_text()
    assert follow(manifests, api_url.removeprefix("https://"), "/api/v1/items")[0] == (
        "platform-media-service"
    )


def test_every_backend_lets_the_web_app_origin_call_it(manifests: list[dict[str, Any]]) -> None:
    origins = {
        f"https://{rule['host']}"
        for d in manifests
        if d["kind"] == "Ingress" and d["metadata"]["name"] == "platform-portal"
        for rule in d["spec"]["rules"]
    }
    assert origins == {"https://portal.visiobook.com"}
    for backend in ("platform-media-service", "platform-user-service"):
        assert config(manifests, backend)["CORS_ORIGINS"].split(",") == sorted(origins)


def test_no_probe_or_metrics_path_is_public(manifests: list[dict[str, Any]]) -> None:
    routed = [
        (rule["host"], path["path"])
        for d in manifests
        if d["kind"] == "Ingress"
        for rule in d["spec"]["rules"]
        for path in rule["http"]["paths"]
    ]
    assert len(routed) == len(set(routed)), "two ingresses claim the same host and path"
    for host, path in routed:
        if host == "api.visiobook.com":
            assert path.startswith("/api/v1/"), path
    for path in ("/metrics", "/live", "/health", "/ready"):
        with pytest.raises(AssertionError, match="no ingress rule"):
            follow(manifests, "api.visiobook.com", path)

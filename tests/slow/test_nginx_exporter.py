"""Slow tier: the frontend chart's nginx exporter sidecar reads the image's nginx for real.

The generated project's nginx configuration and start script (tests/slow/nginx.py) serve a
one-page site; the NGINX Prometheus exporter runs with the arguments the chart gives its sidecar
(helm template, monitoring.nginxExporter.enabled=true), pointed at that nginx's stub_status.
No app build is needed, so this takes seconds.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.slow.nginx import StaticServer
from tests.slow.postgres import free_port, wait_until
from tests.slow.project import generate
from tests.slow.tools import tool

pytestmark = pytest.mark.slow

# Debian's package of the exporter: the Go module proxy does not serve its module here.
EXPORTER = "prometheus-nginx-exporter"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(
        tmp_path_factory.mktemp("vue") / "web", "--stack", "vue", "--name", "web", "--no-git"
    )


def sidecar_args(project: Path) -> list[str]:
    """The exporter container's arguments, as the chart renders them."""
    rendered = subprocess.run(
        [
            tool("helm"),
            "template",
            "web",
            "k8s/helm",
            "--set",
            "monitoring.nginxExporter.enabled=true",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    documents: list[dict[str, Any]] = [d for d in yaml.safe_load_all(rendered) if d]
    (deployment,) = [d for d in documents if d["kind"] == "Deployment"]
    containers = deployment["spec"]["template"]["spec"]["containers"]
    (exporter,) = [c for c in containers if c["name"] == "nginx-exporter"]
    return list(exporter["args"])


def samples(text: str) -> dict[str, float]:
    """The unlabelled samples of a Prometheus text exposition."""
    found = re.findall(r"^([a-z_]+) (\S+)$", text, flags=re.M)
    return {name: float(value) for name, value in found}


@pytest.fixture
def site(project: Path, tmp_path: Path) -> Iterator[StaticServer]:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>web</title>\n")
    with StaticServer(project, dist) as server:
        yield server


def test_the_exporter_turns_nginx_stub_status_into_metrics(
    project: Path, site: StaticServer
) -> None:
    # The status page is on its own loopback port; the app's port serves the app there.
    status = httpx.get(f"http://127.0.0.1:{site.status_port}/stub_status")
    assert status.text.startswith("Active connections:"), status.text
    assert "Active connections" not in httpx.get(f"{site.base_url}/stub_status").text

    # The chart's arguments, with this test's ports (the pod's are 8081 and monitoring.port).
    metrics_port = free_port()
    args = [
        arg.replace("127.0.0.1:8081/", f"127.0.0.1:{site.status_port}/")
        if arg.startswith("--nginx.scrape-uri=")
        else f"--web.listen-address=127.0.0.1:{metrics_port}"
        if arg.startswith("--web.listen-address=")
        else arg
        for arg in sidecar_args(project)
    ]
    assert f"--nginx.scrape-uri=http://127.0.0.1:{site.status_port}/stub_status" in args
    metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"
    exporter = subprocess.Popen(
        [tool(EXPORTER), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:

        def scrape() -> dict[str, float]:
            return samples(httpx.get(metrics_url, timeout=2).text)

        def answers() -> bool:
            try:
                return httpx.get(metrics_url, timeout=1).status_code == 200
            except httpx.TransportError:
                return exporter.poll() is not None  # stop waiting if it died

        wait_until(answers, 10, "the exporter's /metrics")
        assert exporter.poll() is None, exporter.communicate()[1]

        before = scrape()
        assert before["nginx_up"] == 1
        # At least the exporter's own request to stub_status.
        assert before["nginx_connections_active"] >= 1
        for _ in range(3):
            httpx.get(f"{site.base_url}/health")
        after = scrape()
        assert after["nginx_http_requests_total"] >= before["nginx_http_requests_total"] + 3

        # nginx gone: the exporter still answers, and says so.
        site.stop()
        assert scrape()["nginx_up"] == 0
    finally:
        exporter.terminate()
        exporter.wait(timeout=10)

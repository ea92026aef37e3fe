"""Slow tier: the generated Vue app works with every generated backend, for real.

For each backend stack: the backend boots against its own database, with the app's origin in
CORS_ORIGINS; the app's production build is served by the image's own start script and nginx
configuration, with VITE_API_URL pointing at that backend (nothing else changes between
backends); then the app's live browser tests (`tests/e2e/live.spec.ts`, Playwright in Debian's
Chromium, no stub) sign in, create, list, sort, filter, edit and delete.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import SERVICE_STACKS
from tests.slow.nginx import StaticServer
from tests.slow.postgres import PostgresServer, free_port
from tests.slow.project import Run, VueProject
from tests.slow.services import access_token, launch, stop_gracefully

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def app_build(vue_service: VueProject) -> Path:
    result = vue_service.npm("run", "build")
    assert result.code == 0, result.output[-4000:]
    return vue_service.root / "dist"


@pytest.mark.parametrize("stack", SERVICE_STACKS)
def test_vue_app_drives_the_real_backend_in_chromium(
    stack: str,
    request: pytest.FixtureRequest,
    postgres: PostgresServer,
    vue_service: VueProject,
    app_build: Path,
    tmp_path: Path,
) -> None:
    api_port = free_port()
    app = StaticServer(
        vue_service.root, app_build, {"VITE_API_URL": f"http://127.0.0.1:{api_port}"}
    )
    env = {"PORT": str(api_port), "CORS_ORIGINS": app.base_url}
    report = tmp_path / "playwright.json"
    try:
        backend = launch(stack, request, postgres, f"e2e_{stack}", env)
        try:
            with app:
                result: Run = vue_service.npm(
                    "run",
                    "test:e2e",
                    "--",
                    "--project=live",
                    "--reporter=list,json",
                    env={
                        "E2E_BASE_URL": app.base_url,
                        "E2E_API_TOKEN": access_token(f"e2e-{stack}"),
                        "CHROMIUM_PATH": vue_service.chromium(),
                        "PLAYWRIGHT_JSON_OUTPUT_NAME": str(report),
                    },
                )
        finally:
            stop_gracefully(backend)
    finally:
        app.close()
    assert result.code == 0, result.output[-6000:] + backend.log.read_text()[-3000:]
    stats = json.loads(report.read_text())["stats"]
    assert stats["unexpected"] == 0
    assert stats["skipped"] == 0, "skipped browser tests"
    assert stats["flaky"] == 0, "flaky browser tests"
    assert stats["expected"] >= 1, stats
    # The app reached the backend through CORS: its calls are in the backend's request log.
    requests = [
        json.loads(line)
        for line in backend.log.read_text().splitlines()
        if line.startswith("{") and '"HTTP Request"' in line
    ]
    calls = {(r["method"], r["statusCode"]) for r in requests if "/api/v1/" in r["url"]}
    assert {("POST", 201), ("GET", 200), ("PUT", 200), ("DELETE", 204)} <= calls, calls

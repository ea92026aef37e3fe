"""Slow tier: a generated Vue app passes its own lint, type check and unit tests (coverage gate
80%), builds, and its browser tests pass in Debian's Chromium against the build served by the
image's own nginx configuration and start script (tests/slow/nginx.py)."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers import REPO_ROOT
from tests.slow.nginx import StaticServer
from tests.slow.postgres import free_port, wait_until
from tests.slow.project import VueProject, generate

pytestmark = pytest.mark.slow

ARTIFACTS = REPO_ROOT / ".artifacts"
# The backend origin the container is configured with at start: the browser tests stub it, so
# a request that reaches it proves the app read the runtime /config.js, not a build-time value.
API_ORIGIN = "https://api.visiobook.test"
# Where the container tells the app to send its web vitals (the served fixture's; the browser
# tests run a real endpoint on a port of their own).
WEB_VITALS_URL = "https://rum.visiobook.test/vitals"


@pytest.fixture(scope="module")
def built(vue_service: VueProject) -> Path:
    """The app's production build (`npm run build`), as the image's first stage makes it."""
    result = vue_service.npm("run", "build")
    assert result.code == 0, result.output[-4000:]
    return vue_service.root / "dist"


def test_generated_app_passes_eslint_and_prettier(vue_service: VueProject) -> None:
    result = vue_service.told("lint")
    assert result.code == 0, result.output[-4000:]


def test_generated_app_passes_vue_tsc(vue_service: VueProject) -> None:
    result = vue_service.told("type_check")
    assert result.code == 0, result.output[-4000:]


def test_generated_app_passes_its_unit_tests_with_coverage(
    vue_service: VueProject, tmp_path: Path
) -> None:
    assert_unit_tests_pass_with_coverage(vue_service, tmp_path)


def assert_unit_tests_pass_with_coverage(app: VueProject, workdir: Path) -> None:
    """The app's unit tests all pass, none skipped, with every coverage metric at 80% or more."""
    report = workdir / "vitest.json"
    result = app.npm(
        "run", "test:unit", "--", "--reporter=default", "--reporter=json", f"--outputFile={report}"
    )
    assert result.code == 0, result.output[-4000:]

    outcome = json.loads(report.read_text())
    assert outcome["numFailedTests"] == 0
    assert outcome["numPendingTests"] == 0, "skipped tests"
    assert outcome["numTodoTests"] == 0, "todo tests"
    assert outcome["numPassedTests"] >= 10, outcome["numPassedTests"]
    summary = json.loads((app.root / "coverage/coverage-summary.json").read_text())
    for metric in ("lines", "statements", "functions", "branches"):
        covered = summary["total"][metric]["pct"]
        assert covered >= 80, f"{metric} coverage {covered}% < 80%"


def test_unit_tests_pass_whatever_the_developers_dot_env_and_shell_hold(
    vue_service: VueProject,
) -> None:
    """The README's `cp .env.example .env`, then VITE_API_URL set to the developer's backend (in
    `.env`, and exported too): the unit tests see neither."""
    example = (vue_service.root / ".env.example").read_text()
    assert "VITE_API_URL=" in example
    dot_env = vue_service.root / ".env"
    dot_env.write_text(
        re.sub(r"^VITE_API_URL=.*$", "VITE_API_URL=http://localhost:9999", example, flags=re.M)
    )
    try:
        result = vue_service.told("test", env={"VITE_API_URL": "http://localhost:9998"})
    finally:
        dot_env.unlink()
    assert result.code == 0, result.output[-4000:]


def test_build_splits_the_routes_into_lazy_chunks(built: Path) -> None:
    index = (built / "index.html").read_text()
    assert '<script src="/config.js"></script>' in index
    scripts = sorted((built / "assets").glob("*.js"))
    first_load = {s.name for s in scripts if s.name in index}  # the entry and its preloads
    assert first_load, "index.html loads no script"
    # Each view is its own chunk, fetched when its route is first visited.
    for view in ("ListView", "DetailView", "CreateView", "SignInView", "NotFoundView"):
        chunks = {s.name for s in scripts if s.name.startswith(f"{view}-")}
        assert chunks, f"no chunk of its own for {view}"
        assert not chunks & first_load, f"{view} is loaded before its route is visited"
    total_gzip = sum(len(gzip.compress(s.read_bytes(), 9)) for s in scripts)
    # A guard against a bundle that swallowed everything (e.g. Vuetify without tree-shaking,
    # ~300 KB gzip alone); the measured size is in docs/benchmarks.md.
    assert total_gzip < 250_000, f"built JS is {total_gzip} bytes gzip"


def test_browser_tests_pass_against_the_build_served_by_the_image_nginx(
    vue_service: VueProject, built: Path, tmp_path: Path
) -> None:
    report = tmp_path / "playwright.json"
    # tests/e2e/vitals.spec.ts listens there: the beacons go by the container's /config.js and
    # pass its Content-Security-Policy.
    vitals_url = f"http://127.0.0.1:{free_port()}/vitals"
    env = {"VITE_API_URL": API_ORIGIN, "VITE_WEB_VITALS_URL": vitals_url}
    with StaticServer(vue_service.root, built, env) as server:
        config = httpx.get(f"{server.base_url}/config.js").text
        assert API_ORIGIN in config
        assert vitals_url in config
        result = vue_service.npm(
            "run",
            "test:e2e",
            "--",
            "--reporter=list,json",
            env={
                "E2E_BASE_URL": server.base_url,
                "CHROMIUM_PATH": vue_service.chromium(),
                "E2E_WEB_VITALS_URL": vitals_url,
                "PLAYWRIGHT_JSON_OUTPUT_NAME": str(report),
                # The stubbed tests only: no live project, whatever the caller's environment.
                "E2E_API_TOKEN": "",
            },
        )
    assert result.code == 0, result.output[-6000:]

    stats = json.loads(report.read_text())["stats"]
    assert stats["unexpected"] == 0
    assert stats["skipped"] == 0, "skipped browser tests"
    assert stats["flaky"] == 0, "flaky browser tests"
    assert stats["expected"] >= 3, stats

    screenshot = vue_service.root / "test-results/screenshots/list.png"
    assert screenshot.read_bytes().startswith(b"\x89PNG"), "no screenshot of the list"
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(screenshot, ARTIFACTS / "vue-list.png")


def listed_browser_tests(app: VueProject, report: Path, token: str) -> set[tuple[str, str]]:
    """(project, file) of each browser test Playwright would run with this E2E_API_TOKEN."""
    result = app.npm(
        "exec",
        "--",
        "playwright",
        "test",
        "--list",
        "--reporter=json",
        env={
            "E2E_API_TOKEN": token,
            "E2E_BASE_URL": "http://127.0.0.1:9",  # listing starts no server
            "PLAYWRIGHT_JSON_OUTPUT_NAME": str(report),
        },
    )
    assert result.code == 0, result.output[-4000:]
    found = set()
    suites = json.loads(report.read_text())["suites"]
    while suites:
        suite = suites.pop()
        suites.extend(suite.get("suites", []))
        for spec in suite.get("specs", []):
            found |= {(test["projectName"], spec["file"]) for test in spec["tests"]}
    return found


def test_the_live_browser_test_runs_only_with_a_token(
    vue_service: VueProject, tmp_path: Path
) -> None:
    """Without E2E_API_TOKEN the live project does not exist, so the stubbed run skips nothing;
    with one, tests/e2e/live.spec.ts runs in its own project against the real backend."""
    stubbed = {("stubbed", "app.spec.ts"), ("stubbed", "vitals.spec.ts")}
    assert listed_browser_tests(vue_service, tmp_path / "without.json", "") == stubbed
    with_token = listed_browser_tests(vue_service, tmp_path / "with.json", "a.jwt.token")
    assert with_token == stubbed | {("live", "live.spec.ts")}


@pytest.fixture(scope="module")
def served(vue_service: VueProject, built: Path) -> Iterator[StaticServer]:
    """The build behind the image's start script and nginx configuration, as a non-root user."""
    env = {"VITE_API_URL": API_ORIGIN, "VITE_WEB_VITALS_URL": WEB_VITALS_URL}
    with StaticServer(vue_service.root, built, env) as server:
        yield server


def test_container_answers_the_kubernetes_probes(served: StaticServer) -> None:
    health = httpx.get(f"{served.base_url}/health")
    assert (health.status_code, health.json()) == (200, {"status": "healthy"})
    ready = httpx.get(f"{served.base_url}/ready")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})


def test_container_runs_as_an_unprivileged_user(served: StaticServer) -> None:
    assert served.process is not None
    status = Path(f"/proc/{served.process.pid}/status").read_text()
    (uid_line,) = [line for line in status.splitlines() if line.startswith("Uid:")]
    assert int(uid_line.split()[1]) != 0, "nginx's master process runs as root"


def test_container_writes_the_runtime_configuration_from_its_environment(
    served: StaticServer,
) -> None:
    config = httpx.get(f"{served.base_url}/config.js")
    assert config.status_code == 200
    assert config.headers["cache-control"] == "no-store"
    assert config.text.strip() == (
        f'window.__APP_CONFIG__ = {{"apiUrl": "{API_ORIGIN}", "webVitalsUrl": "{WEB_VITALS_URL}"}};'
    )
    # The browser may call those origins, and no other.
    policy = config.headers["content-security-policy"]
    (connect,) = [rule for rule in policy.split(";") if rule.strip().startswith("connect-src")]
    assert connect.split()[1:] == ["'self'", API_ORIGIN, "https://rum.visiobook.test"]


def test_container_serves_the_app_with_spa_fallback_and_caching(
    served: StaticServer, built: Path
) -> None:
    index = (built / "index.html").read_text()
    # A client-side route gets the app, revalidated on each visit.
    route = httpx.get(f"{served.base_url}/media-assets/0f1e2d")
    assert (route.status_code, route.text) == (200, index)
    assert route.headers["cache-control"] == "no-cache"
    # A hashed asset is cached for a year; a missing one is a 404, not the app's HTML.
    asset = next((built / "assets").glob("*.js"))
    cached = httpx.get(f"{served.base_url}/assets/{asset.name}")
    assert cached.status_code == 200
    assert cached.headers["cache-control"] == "public, max-age=31536000, immutable"
    missing = httpx.get(f"{served.base_url}/assets/missing-0000.js")
    assert missing.status_code == 404
    assert "cache-control" not in missing.headers
    for response in (route, cached, missing):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_container_logs_requests_as_json_with_the_correlation_id(served: StaticServer) -> None:
    correlation_id = f"slow-tier-{uuid.uuid4()}"
    response = httpx.get(
        f"{served.base_url}/media-assets?token=secret",
        headers={"x-correlation-id": correlation_id},
    )
    assert response.headers["x-correlation-id"] == correlation_id

    def logged() -> bool:
        return any(r.get("correlation_id") == correlation_id for r in served.log_records())

    wait_until(logged, 5, "the request's log line")
    (record,) = [r for r in served.log_records() if r.get("correlation_id") == correlation_id]
    assert record["path"] == "/media-assets", "the query string (tokens) must not be logged"
    assert record["status_code"] == 200
    assert record["method"] == "GET"


@pytest.mark.parametrize("name", ["VITE_API_URL", "VITE_WEB_VITALS_URL"])
@pytest.mark.parametrize("url", ['https://evil"host/', "api.example.com", "https://a b/"])
def test_container_refuses_a_malformed_url_with_one_line(
    vue_service: VueProject, built: Path, name: str, url: str
) -> None:
    server = StaticServer(vue_service.root, built, {name: url})
    try:
        with pytest.raises(RuntimeError):
            server.start(timeout=10)
        assert server.process is not None
        assert server.process.wait(timeout=10) != 0
        errors = [r for r in server.log_records() if r.get("level") == "error"]
        assert len(errors) == 1, server.logs()
        assert name in str(errors[0]["message"])
    finally:
        server.close()


LONGEST_NAME = "abcdefghij-abcdefghij-abcdefghij-abcdefg"  # 40 characters, the most allowed
QUOTED_DESCRIPTION = 'The "web" portal & <admin> dashboard: ' + "x" * 160  # 200 characters


@pytest.mark.parametrize(
    "answers",
    [
        ["--name", "web", "--data", "resource=data"],
        ["--name", "web", "--data", "resource=people"],
        ["--name", "web", "--data", "resource=abcdefghij-klmnopqrstuvs"],
        ["--name", LONGEST_NAME, "--data", f"description={QUOTED_DESCRIPTION}"],
    ],
    ids=["data", "people", "longest-resource", "longest-name-and-description"],
)
def test_generated_code_is_lint_clean_and_typed_for_any_answers(
    vue_service: VueProject, tmp_path: Path, answers: list[str]
) -> None:
    """Answers reach strings only; even the longest allowed fit Prettier's 100 columns."""
    root = generate(tmp_path / "web", "--stack", "vue", *answers)
    # Same lock file, so the installed tree of the main fixture serves as this one's.
    (root / "node_modules").symlink_to(vue_service.root / "node_modules")
    app = VueProject(root)
    lint = app.npm("run", "lint")
    assert lint.code == 0, lint.output[-4000:]
    types = app.npm("run", "type-check")
    assert types.code == 0, types.output[-4000:]

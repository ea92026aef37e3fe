"""What shows a repository's rate limit and load tests (`api-rate-limit`,
`load-test-thresholds`), read from files modelled on how teams write them."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from visiobook_scaffold.check.limits import load_tests, rate_limit_evidence
from visiobook_scaffold.check.repo import Repo


def repo_of(root: Path, files: dict[str, str], stack: str = "go") -> Repo:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return Repo(root, stack, "service", datetime.date(2026, 12, 1))


GO_MOD = "module example.com/shelf\n\ngo 1.25\n\nrequire (\n\t{require}\n)\n"


@pytest.mark.parametrize(
    ("stack", "files", "what"),
    [
        ("go", {"go.mod": GO_MOD.format(require="golang.org/x/time v0.12.0")}, "golang.org/x/time"),
        (
            "go",
            {"go.mod": GO_MOD.format(require="github.com/ulule/limiter/v3 v3.11.2")},
            "github.com/ulule/limiter/v3",
        ),
        (
            "node",
            {"package.json": json.dumps({"dependencies": {"express-rate-limit": "^7.5.0"}})},
            "express-rate-limit",
        ),
        ("fastapi", {"requirements.txt": "fastapi==0.121.0\nslowapi==0.1.9\n"}, "slowapi"),
    ],
)
def test_a_rate_limiting_library_shows_a_limit(
    tmp_path: Path, stack: str, files: dict[str, str], what: str
) -> None:
    found = rate_limit_evidence(repo_of(tmp_path, files, stack))
    assert [evidence.what for evidence in found] == [f"the dependency {what}"]


def test_an_ingress_that_limits_shows_a_limit(tmp_path: Path) -> None:
    ingress = (
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: shelf\n"
        '  annotations:\n    nginx.ingress.kubernetes.io/limit-rps: "20"\n'
    )
    found = rate_limit_evidence(repo_of(tmp_path, {"k8s/ingress.yaml": ingress}))
    assert [(e.what, e.path) for e in found] == [("an ingress rate limit", "k8s/ingress.yaml")]


def test_a_429_in_the_api_document_shows_a_limit_and_other_answers_do_not(
    tmp_path: Path,
) -> None:
    def document(codes: list[str]) -> str:
        responses = {code: {"description": code} for code in codes}
        return json.dumps({"openapi": "3.1.0", "paths": {"/x": {"get": {"responses": responses}}}})

    without = repo_of(tmp_path / "a", {"api/openapi.json": document(["200"])})
    assert rate_limit_evidence(without) == []
    found = rate_limit_evidence(
        repo_of(tmp_path / "b", {"api/openapi.json": document(["200", "429"])})
    )
    assert [e.path for e in found] == ["api/openapi.json"]


def test_a_similar_name_is_not_a_rate_limiter(tmp_path: Path) -> None:
    files = {"package.json": json.dumps({"dependencies": {"express-rate-limit-ui": "^1.0.0"}})}
    assert rate_limit_evidence(repo_of(tmp_path, files, "node")) == []


K6 = "import http from 'k6/http';\n\nexport const options = {{{options}}};\n"
LOCUST = "from locust import HttpUser, task\n\nclass Reader(HttpUser):\n    pass\n{extra}"
ARTILLERY = "config:\n  target: http://localhost:3000\n  phases:\n    - duration: 60\n{extra}"
K6_THRESHOLDS = "vus: 10, thresholds: { http_req_failed: ['rate<0.01'] }"
ARTILLERY_ENSURE = "  ensure:\n    p95: 200\n"
GATLING = (
    "import io.gatling.core.Predef._\nsetUp(s).assertions(global.failedRequests.percent.lt(1))\n"
)
ARTILLERY_SCENARIOS = "scenarios:\n  - flow:\n      - get:\n          url: /api/v1/users\n"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"load/script.js": K6.format(options=K6_THRESHOLDS)}, [("load/script.js", "k6", True)]),
        ({"load/script.js": K6.format(options="vus: 10")}, [("load/script.js", "k6", False)]),
        ({"locustfile.py": LOCUST.format(extra="")}, [("locustfile.py", "Locust", False)]),
        (
            {"load/locustfile.py": LOCUST.format(extra="environment.process_exit_code = 1\n")},
            [("load/locustfile.py", "Locust", True)],
        ),
        (
            {"locustfile.py": LOCUST.format(extra=""), "locust.conf": "check-fail-ratio = 0.01\n"},
            [("locustfile.py", "Locust", True)],
        ),
        (
            {"perf/users.yml": ARTILLERY.format(extra=ARTILLERY_ENSURE) + ARTILLERY_SCENARIOS},
            [("perf/users.yml", "Artillery", True)],
        ),
        (
            {"perf/users.yml": ARTILLERY.format(extra="") + ARTILLERY_SCENARIOS},
            [("perf/users.yml", "Artillery", False)],
        ),
        (
            {"src/gatling/scala/Users.scala": GATLING},
            [("src/gatling/scala/Users.scala", "Gatling", True)],
        ),
        ({"docker-compose.yml": "services:\n  api:\n    image: x\n"}, []),
        ({"src/app.py": "import requests\n"}, []),
    ],
)  # fmt: skip
def test_load_tests_are_found_with_whether_a_run_can_fail(
    tmp_path: Path, files: dict[str, str], expected: list[tuple[str, str, bool]]
) -> None:
    found = load_tests(repo_of(tmp_path, files))
    assert [(test.path, test.tool, test.can_fail) for test in found] == expected

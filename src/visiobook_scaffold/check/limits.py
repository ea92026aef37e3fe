"""What a repository shows of a rate limit and of a load test, read without running anything.

A rate limit is shown by a rate-limiting library among the dependencies, an ingress that limits
(ingress-nginx's `limit-rps`/`limit-rpm` annotations, a Traefik `rateLimit` middleware), or an
OpenAPI document whose operations answer 429. A load test is a k6, Locust, Artillery or Gatling
script; it judges the service when its run can fail on the results: k6 `thresholds`, Locust's
`process_exit_code` set by the script (or locust-plugins' `--check-*` options), Artillery
`ensure`, Gatling `assertions`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from visiobook_scaffold.check.openapi import documents
from visiobook_scaffold.check.repo import Repo
from visiobook_scaffold.check.versions import declared

RATE_LIMIT_LIBRARIES = (
    # npm
    "express-rate-limit", "rate-limiter-flexible", "@nestjs/throttler", "@fastify/rate-limit",
    "koa-ratelimit", "express-slow-down", "hono-rate-limiter",
    # Python
    "slowapi", "fastapi-limiter", "flask-limiter", "django-ratelimit", "limits",
    # Go (module paths; a major version suffix may follow)
    "golang.org/x/time", "github.com/ulule/limiter", "github.com/didip/tollbooth",
    "github.com/go-chi/httprate", "github.com/sethvargo/go-limiter",
    "github.com/JGLTechnologies/gin-rate-limit",
)  # fmt: skip
_INGRESS_LIMIT = re.compile(
    r"nginx\.ingress\.kubernetes\.io/limit-(rps|rpm)\s*:|^\s*rateLimit\s*:", re.MULTILINE
)
_MANIFEST_SUFFIXES = (".yaml", ".yml", ".tpl")


@dataclass(frozen=True)
class Evidence:
    what: str
    path: str


def rate_limit_evidence(repo: Repo) -> list[Evidence]:
    """Each place that shows requests are rate limited; empty when none does."""
    found = []
    for item in declared(repo):
        name = item.name.lower()
        if any(name == library.lower() or name.startswith(library.lower() + "/")
               for library in RATE_LIMIT_LIBRARIES):  # fmt: skip
            found.append(Evidence(f"the dependency {item.name}", item.path))
    for path in repo.under(("",), _MANIFEST_SUFFIXES):
        if _INGRESS_LIMIT.search(repo.text(path) or ""):
            found.append(Evidence("an ingress rate limit", path))
    for document in documents(repo):
        if _answers_429(document.content):
            found.append(Evidence("429 answers in the API document", document.path))
    return found


def _answers_429(content: dict[str, object]) -> bool:
    paths = content.get("paths")
    for item in (paths if isinstance(paths, dict) else {}).values():
        for operation in (item if isinstance(item, dict) else {}).values():
            responses = operation.get("responses") if isinstance(operation, dict) else None
            if isinstance(responses, dict) and "429" in {str(code) for code in responses}:
                return True
    return False


@dataclass(frozen=True)
class LoadTest:
    path: str
    tool: str
    can_fail: bool
    """Whether a run fails when the results miss a threshold."""


_K6 = re.compile(r"""(from\s+|require\(\s*)["']k6(/[\w/-]+)?["']""")
_K6_THRESHOLDS = re.compile(r"\bthresholds\s*:")
_LOCUST = re.compile(r"^\s*(from\s+locust\b|import\s+locust\b)", re.MULTILINE)
_LOCUST_FAILS = re.compile(
    r"\bprocess_exit_code\s*=|check[-_](fail[-_]ratio|avg[-_]response[-_]time|rps)"
)
_GATLING = re.compile(r"\bio\.gatling\b")
_GATLING_ASSERTIONS = re.compile(r"\bassertions?\s*\(")
_SCRIPT_SUFFIXES = (".js", ".mjs", ".ts", ".py", ".scala", ".java", ".kt", ".yaml", ".yml")
_LOCUST_SETTINGS = ("locust.conf", ".locust.conf")


def load_tests(repo: Repo) -> list[LoadTest]:
    """The load tests in the repository's files, dependencies and generated code left out."""
    settings = " ".join(repo.text(path) or "" for path in repo.under(("",), _LOCUST_SETTINGS))
    found = []
    for path in repo.under(("",), _SCRIPT_SUFFIXES):
        text = repo.text(path) or ""
        if path.endswith((".js", ".mjs", ".ts")) and _K6.search(text):
            found.append(LoadTest(path, "k6", bool(_K6_THRESHOLDS.search(text))))
        elif path.endswith(".py") and _LOCUST.search(text):
            can_fail = bool(_LOCUST_FAILS.search(text) or _LOCUST_FAILS.search(settings))
            found.append(LoadTest(path, "Locust", can_fail))
        elif path.endswith((".scala", ".java", ".kt")) and _GATLING.search(text):
            found.append(LoadTest(path, "Gatling", bool(_GATLING_ASSERTIONS.search(text))))
        elif path.endswith((".yaml", ".yml")) and "scenarios" in text:
            ensure = _artillery_ensure(text)
            if ensure is not None:
                found.append(LoadTest(path, "Artillery", ensure))
    return found


def _artillery_ensure(text: str) -> bool | None:
    """Whether an Artillery script sets `ensure` (None when the file is not one)."""
    try:
        script = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if not isinstance(script, dict) or not isinstance(script.get("scenarios"), list):
        return None
    config = script.get("config")
    if not isinstance(config, dict) or not ("target" in config or "phases" in config):
        return None
    plugins = config.get("plugins")
    return bool(config.get("ensure") or (isinstance(plugins, dict) and plugins.get("ensure")))

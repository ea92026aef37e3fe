"""Spec 1.3 and 9.1 (Security): configuration through the environment, no secret committed,
settings files that their tools can read."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath

from visiobook_scaffold.check.formats import Unparsable, json_problem, toml_problem, yaml_problem
from visiobook_scaffold.check.manifests import raw_manifest_paths
from visiobook_scaffold.check.model import Finding, Severity
from visiobook_scaffold.check.registry import rule
from visiobook_scaffold.check.repo import Repo
from visiobook_scaffold.check.secrets import PRIVATE_KEY, is_secret_name, looks_real, url_password
from visiobook_scaffold.check.settings import NotParsed, line_settings, settings
from visiobook_scaffold.check.versions import declared as declared_versions
from visiobook_scaffold.service import ANSWERS_FILE

ENV_EXAMPLE = ".env.example"
COMMON_VARIABLES = (
    "SERVICE_NAME", "SERVICE_VERSION", "PORT", "NODE_ENV",
    "DATABASE_URL",
    "JWT_SECRET", "JWT_EXPIRES_IN", "BCRYPT_ROUNDS",
    "PROMETHEUS_PORT", "LOG_LEVEL", "CORRELATION_ID_HEADER",
    "API_GATEWAY_URL", "STORAGE_SERVICE_URL",
)  # fmt: skip
# A browser app holds no database nor secret: the service variables, and where its API is.
FRONTEND_VARIABLES = (
    "SERVICE_NAME", "SERVICE_VERSION", "PORT", "NODE_ENV", "LOG_LEVEL", "VITE_API_URL",
)  # fmt: skip
# REDIS_URL is listed for services that use Redis: those that depend on a Redis client.
REDIS_CLIENTS = (
    "redis", "valkey", "aioredis", "coredis",  # Python
    "ioredis", "iovalkey", "@redis/client", "@valkey/valkey-glide",  # Node
    "github.com/redis/go-redis", "github.com/go-redis/redis", "github.com/redis/rueidis",
    "github.com/gomodule/redigo", "github.com/valkey-io/valkey-go",  # Go
)  # fmt: skip
_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=", re.MULTILINE)


@rule(
    "env-example",
    category="configuration",
    severity=Severity.ERROR,
    spec="1.3",
    title=".env.example lists the standard variables",
    fix="Add the missing variables to .env.example, with placeholder values (guidelines 1.3).",
)
def env_example(repo: Repo) -> Iterator[Finding]:
    text = repo.text(ENV_EXAMPLE)
    if text is None:
        yield Finding(f"no {ENV_EXAMPLE}")
        return
    declared = set(_ASSIGNMENT.findall(text))
    wanted = FRONTEND_VARIABLES if repo.kind == "frontend" else COMMON_VARIABLES
    if repo.kind != "frontend" and uses_redis(repo):
        wanted = (*wanted, "REDIS_URL")
    missing = [name for name in wanted if name not in declared]
    if missing:
        yield Finding(f"missing {', '.join(missing)}", ENV_EXAMPLE)


def uses_redis(repo: Repo) -> bool:
    """Whether the service depends on a Redis client (a Go module's major version is a path)."""
    return any(
        declared.name == client or declared.name.startswith(f"{client}/")
        for declared in declared_versions(repo)
        for client in REDIS_CLIENTS
    )


# Files that hold settings, where a secret would be written as a value under a name.
_CONFIG_SUFFIXES = (
    ".env", ".yml", ".yaml", ".toml", ".ini", ".cfg", ".conf", ".properties", ".json", ".npmrc",
)  # fmt: skip
_LOCK_FILES = re.compile(r"(^|[-.])lock\.(json|yaml|yml|toml)$|\.lock$")
# .env files meant to be shared; any other (.env, .env.production, ...) is a real one.
_SHARED_ENV_SUFFIXES = frozenset({"example", "sample", "template", "dist", "test", "ci"})
_KEY_FILES = re.compile(r"(^|/)(id_rsa|id_dsa|id_ecdsa|id_ed25519)$|\.(p12|pfx|key)$")
# Translations: "Password" is a word to show there, not a setting.
_LOCALE_DIRS = frozenset({"locale", "locales", "i18n", "l10n", "lang", "langs", "translations"})
_LOCALE_FILES = re.compile(r"\.(po|pot|mo|xlf|xliff|arb)$")
# Test fixtures hold fake credentials on purpose (a JWT secret to sign test tokens, a key pair
# to test TLS): they are not judged, so that a real-looking fake never fails the check.
_TEST_DIRS = frozenset(
    {"test", "tests", "__tests__", "testdata", "fixtures", "__fixtures__", "__mocks__", "spec",
     "e2e", "cypress", "playwright"}
)  # fmt: skip
_TEST_FILES = re.compile(r"(_test\.go|\.(spec|test)\.[cm]?[jt]sx?|^test_.*\.py|_test\.py)$")
# Vite exposes VITE_ variables to the browser: they are public by construction.
_PUBLIC_PREFIX = "VITE_"
MAX_FINDINGS_PER_FILE = 5
"""More are summed up in one finding: the file needs the same fix throughout."""


def _is_env_file(name: str) -> bool:
    return name == ".env" or name.startswith(".env.")


def _is_config_file(path: str) -> bool:
    name = PurePosixPath(path).name
    if _LOCK_FILES.search(name):
        return False
    return (
        _is_env_file(name)
        or name.lower().startswith(("dockerfile", "containerfile"))
        or name.endswith(_CONFIG_SUFFIXES)
    )


def is_test_fixture(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return bool(_TEST_DIRS & set(parts[:-1])) or bool(_TEST_FILES.search(parts[-1]))


def _is_translation(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return bool(_LOCALE_DIRS & set(parts[:-1])) or bool(_LOCALE_FILES.search(parts[-1]))


def _is_real_env_file(repo: Repo, name: str) -> bool:
    """A .env file that holds one environment's real values: not one meant to be shared
    (.env.example), nor a browser app's `.env` or `.env.<mode>`: Vite reads those at build time
    and they are committed by design (their values are judged one by one); `.env.local` and
    `.env.<mode>.local` are this machine's own."""
    if not _is_env_file(name) or name.split(".")[-1] in _SHARED_ENV_SUFFIXES:
        return False
    return repo.kind != "frontend" or name.endswith(".local")


@rule(
    "no-committed-secrets",
    category="configuration",
    severity=Severity.ERROR,
    spec="9.1",
    title="No secret is committed (env files, keys, real values)",
    fix="Remove the value (and rotate it: it is in the git history), keep a placeholder such as"
    " change-me in .env.example, and read the real one from a Kubernetes Secret.",
)
def committed_secrets(repo: Repo) -> Iterator[Finding]:
    # In a monorepo, the root's .env files and workflows are committed beside the service.
    for path in (*repo.files, *repo.root_files):
        if is_test_fixture(path) or _is_translation(path):
            continue
        findings = list(_secrets_in(repo, path))
        yield from findings[:MAX_FINDINGS_PER_FILE]
        if len(findings) > MAX_FINDINGS_PER_FILE:
            more = len(findings) - MAX_FINDINGS_PER_FILE
            yield Finding(f"and {more} more in this file", path)


def _secrets_in(repo: Repo, path: str) -> Iterator[Finding]:
    name = PurePosixPath(path).name
    if _is_real_env_file(repo, name):
        yield Finding(f"{name} is committed: keep it out of git and share .env.example", path)
        return
    if _KEY_FILES.search(path):
        yield Finding("a private key file is committed", path)
        return
    text = repo.text(path)
    if not text:
        return
    key = PRIVATE_KEY.search(text)
    if key:
        yield Finding("a private key is committed", path, text.count("\n", 0, key.start()) + 1)
    if _is_config_file(path):
        yield from _secret_settings(path, text)


def _secret_settings(path: str, text: str) -> Iterator[Finding]:
    try:
        found = list(settings(path, text))
    except NotParsed:
        # A Helm template, a file half-written: its lines are all there is to read.
        found = list(line_settings(text))
    for setting in found:
        if setting.name.startswith(_PUBLIC_PREFIX):
            continue  # shipped to the browser: public by construction
        if is_secret_name(setting.name) and looks_real(setting.value):
            yield Finding(f"{setting.name} has a real-looking value", path, setting.line)
        elif url_password(setting.value):
            yield Finding(f"{setting.name} is a URL with a password in it", path, setting.line)


@rule(
    "config-files-parse",
    category="configuration",
    severity=Severity.ERROR,
    spec="9.1",
    title="Manifests and settings files parse in their own format",
    fix="Correct the file where its parser stops (the finding says where and why): its tools"
    " (npm, pip, kubectl, visiobook update) refuse it as it is.",
)
def config_files_parse(repo: Repo) -> Iterator[Finding]:
    for path, problem_of in _settings_files(repo):
        text = repo.text(path)
        if text is None:
            continue  # too large or binary: not a settings file the rules read
        problem = problem_of(text)
        if problem is not None:
            yield Finding(problem.reason, path, problem.line)


def _settings_files(repo: Repo) -> Iterator[tuple[str, Callable[[str], Unparsable | None]]]:
    """The files several rules read, with the parser of their format. A file one rule owns is
    judged by that rule: a workflow by ci-jobs, the chart's files by helm-renders,
    .visiobook.yml by waivers-valid. go.mod has no parser here: Go's own would need the
    toolchain the file names, and the rules read only its `go` and `require` lines."""
    by_name = {"package.json": json_problem, "pyproject.toml": toml_problem}
    for path, problem_of in by_name.items():
        if repo.has_file(path):
            yield path, problem_of
    if repo.has_file(ANSWERS_FILE):
        yield ANSWERS_FILE, yaml_problem
    for path in raw_manifest_paths(repo):
        yield path, yaml_problem

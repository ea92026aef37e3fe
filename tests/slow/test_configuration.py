"""Slow tier: a configuration mistake stops every backend with the same line (docs/contract.md,
Outside the API): one line on stderr, `invalid configuration: ...`, exit status 2."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.helpers import SERVICE_STACKS
from tests.slow.postgres import PostgresServer
from tests.slow.services import JWT_SECRET

pytestmark = pytest.mark.slow

MISTAKES = {
    "DB_POOL_SIZE": ("0", "DB_POOL_SIZE must be at least 1"),
    "MAX_CONCURRENT_REQUESTS": ("1.5", "MAX_CONCURRENT_REQUESTS must be a whole number"),
    "PORT": ("70000", "PORT must be at most 65535"),
    "RATE_LIMIT_REQUESTS": ("-1", "RATE_LIMIT_REQUESTS must be at least 0"),
    "RATE_LIMIT_WINDOW": ("1500ms", "RATE_LIMIT_WINDOW must be a whole number of seconds"),
    "REQUEST_TIMEOUT": ("5 s", "REQUEST_TIMEOUT must be a duration such as 500ms, 5s, 24h or 7d"),
    "SHUTDOWN_TIMEOUT": ("0s", "SHUTDOWN_TIMEOUT must be more than 0"),
    "NODE_ENV": ("prod", "NODE_ENV must be one of: development test staging production"),
    "JWT_ROLES_CLAIM": ("", "JWT_ROLES_CLAIM must not be empty"),
    "TRUSTED_PROXIES": (
        "proxy.internal",
        "TRUSTED_PROXIES has 'proxy.internal', not an IP address or CIDR range",
    ),
}
# Mistakes made with other variables, or alone only with them set: (the variables set, the line).
TOGETHER = {
    "JWT_JWKS_URL": (
        {
            "JWT_JWKS_URL": "ftp://idp.example.test/certs",
            "JWT_ISSUER": "https://idp.test",
            "JWT_AUDIENCE": "media-service",
        },
        "JWT_JWKS_URL must be an http or https URL",
    ),
    "JWT_ISSUER": (
        {"JWT_JWKS_URL": "https://idp.example.test/certs", "JWT_AUDIENCE": "media-service"},
        "JWT_ISSUER is required when JWT_JWKS_URL is set",
    ),
    "JWT_AUDIENCE": (
        {"JWT_JWKS_URL": "https://idp.example.test/certs", "JWT_ISSUER": "https://idp.test"},
        "JWT_AUDIENCE is required when JWT_JWKS_URL is set",
    ),
}


@pytest.mark.parametrize("stack", SERVICE_STACKS)
def test_a_configuration_mistake_is_one_line_in_the_words_of_every_backend(
    stack: str, request: pytest.FixtureRequest, postgres: PostgresServer
) -> None:
    project = request.getfixturevalue(f"{stack}_service")
    base = {
        **os.environ,
        "DATABASE_URL": postgres.url(),
        "JWT_SECRET": JWT_SECRET,
        "NODE_ENV": "production",
    }
    mistakes = {
        **{variable: ({variable: value}, line) for variable, (value, line) in MISTAKES.items()},
        **TOGETHER,
    }
    # All at once: each stops at its configuration, so they share nothing but the CPU.
    started = {
        variable: subprocess.Popen(
            project.server_command(),
            cwd=project.root,
            env={**base, **variables},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for variable, (variables, _) in mistakes.items()
    }
    wrong = []
    for variable, process in started.items():
        variables, message = mistakes[variable]
        _, stderr = process.communicate(timeout=60)
        line = f"invalid configuration: {message}"
        if process.returncode != 2 or line not in stderr.splitlines():
            wrong.append(f"{variable} ({variables}): exit {process.returncode}, {stderr!r}")
    assert not wrong, "\n".join(wrong)

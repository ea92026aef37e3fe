"""Boot a generated backend as a user would, against a private PostgreSQL, for the slow tier.

    service = launch("go", request, postgres, "contract_go", {"CORS_ORIGINS": origin})
    httpx.get(f"{service.base}/health")
    stop_gracefully(service)

Tokens are minted here with the standard library (HS256 by hand), so a test can also make the
malformed, expired and unsigned ones the services must refuse.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from tests.slow.postgres import PostgresServer, free_port, wait_until
from tests.slow.project import ServiceProject

JWT_SECRET = "slow-tier-secret-with-more-than-32-characters"


@dataclass(frozen=True)
class RunningService:
    stack: str
    root: Path
    base: str
    # The metrics listener (PROMETHEUS_PORT), apart from the API.
    metrics: str
    log: Path
    process: subprocess.Popen[bytes]


def launch(
    stack: str,
    request: pytest.FixtureRequest,
    postgres: PostgresServer,
    database: str,
    env: dict[str, str] | None = None,
    *,
    cached: bool = False,
) -> RunningService:
    """Starts the stack's service (generated with `cache: redis` when `cached`) on a new migrated
    database and waits until it answers."""
    fixture = f"{stack}_cached_service" if cached else f"{stack}_service"
    project: ServiceProject = request.getfixturevalue(fixture)
    return start(project, postgres, database, env)


def start(
    project: ServiceProject,
    postgres: PostgresServer,
    database: str,
    env: dict[str, str] | None = None,
) -> RunningService:
    """Starts a generated backend on a new migrated database and waits until it answers."""
    stack = project.STACK
    environment = migrated(project, postgres, database, env)
    command = project.server_command()
    log = project.root / f"server-{database}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            command,
            cwd=project.root,
            env={**os.environ, **environment},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{environment['PORT']}"
    metrics = f"http://127.0.0.1:{environment['PROMETHEUS_PORT']}"
    service = RunningService(stack, project.root, base, metrics, log, process)

    def answers() -> bool:
        try:
            return httpx.get(f"{service.base}/health", timeout=1).status_code == 200
        except httpx.TransportError:
            return process.poll() is not None  # stop waiting if it died

    wait_until(answers, 30, "the service to answer /health")
    assert process.poll() is None, log.read_text()
    return service


def migrated(
    project: ServiceProject,
    postgres: PostgresServer,
    database: str,
    env: dict[str, str] | None = None,
) -> dict[str, str]:
    """The environment a service boots with on a new database, which it has migrated."""
    environment = {
        "DATABASE_URL": postgres.create_database(database),
        "JWT_SECRET": JWT_SECRET,
        "PORT": str(free_port()),
        "PROMETHEUS_PORT": str(free_port()),
        "NODE_ENV": "production",
        "SERVICE_NAME": "media-service",
        **(env or {}),
    }
    project.migrate(postgres, database, environment)
    return environment


def stop_gracefully(service: RunningService) -> None:
    service.process.send_signal(signal.SIGTERM)
    # Within the grace period; uvicorn re-raises the signal once it has shut down gracefully.
    code = service.process.wait(timeout=15)
    assert code in (0, -signal.SIGTERM), (
        f"exit {code} on SIGTERM: {service.log.read_text()[-2000:]}"
    )


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwt(claims: dict[str, Any], *, alg: str = "HS256", secret: str = JWT_SECRET) -> str:
    """A JWT with these claims: signed with HMAC-SHA256/512, or unsigned for `alg: none`."""
    header = _b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    payload = _b64(json.dumps(claims).encode())
    signing_input = f"{header}.{payload}"
    if alg == "none":
        return f"{signing_input}."
    digest = {"HS256": hashlib.sha256, "HS512": hashlib.sha512}[alg]
    signature = hmac.new(secret.encode(), signing_input.encode(), digest).digest()
    return f"{signing_input}.{_b64(signature)}"


def access_token(
    subject: str = "slow-tier", lifetime: int = 3600, roles: tuple[str, ...] = ("admin",)
) -> str:
    """A token every backend accepts: HS256, signed with JWT_SECRET, with sub and exp; its
    `roles` (admin by default) may do everything (docs/contract.md, Authorization)."""
    now = int(time.time())
    return jwt({"sub": subject, "roles": list(roles), "iat": now, "exp": now + lifetime})


def schemathesis(contract: Path, base: str, workdir: Path, *options: str) -> list[str]:
    """Runs schemathesis on the running service at `base`, driven by the document `contract`,
    with every check, in every phase (examples, coverage, fuzzing, stateful through the
    document's links); `options` narrow it (e.g. `--include-tag`). The operations it exercised,
    as "GET /api/v1/x"; a failure fails the calling test with schemathesis's own report."""
    report = workdir / "junit.xml"
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "st"),
            "run",
            str(contract),
            "--url",
            base,
            "--header",
            f"Authorization: Bearer {access_token()}",
            "--checks",
            "all",
            "--max-examples",
            "200",
            "--seed",
            "20261128",
            "--workers",
            "1",
            "--request-timeout",
            "10",
            "--report",
            "junit",
            "--report-junit-path",
            str(report),
            *options,
        ],
        cwd=workdir,  # where schemathesis keeps its cache (.schemathesis/)
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-12000:] + result.stderr[-4000:]
    suite = ElementTree.parse(report).getroot()
    assert not suite.findall(".//failure")
    assert not suite.findall(".//error")
    return [str(case.get("name")) for case in suite.iter("testcase")]

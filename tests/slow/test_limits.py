"""Slow tier: every backend limits alike (docs/contract.md, Rate limits, Deadlines and load
shedding): the same budget, headers and 429 per caller; one budget shared by replicas through
Redis; a request past its deadline answered 503 with its statement gone from PostgreSQL; a
request beyond the concurrency limit shed at once."""

from __future__ import annotations

import re
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.helpers import SERVICE_STACKS
from tests.slow.conftest import RESOURCE
from tests.slow.postgres import PostgresServer, wait_until
from tests.slow.redis import RedisServer
from tests.slow.services import RunningService, access_token, launch, start, stop_gracefully

pytestmark = pytest.mark.slow

COLLECTION = f"/api/v1/{RESOURCE}"
TABLE = RESOURCE.replace("-", "_")
BUDGET = 3
LIMITS = {
    "RATE_LIMIT_REQUESTS": str(BUDGET),
    "RATE_LIMIT_WINDOW": "1m",
    "REQUEST_TIMEOUT": "1s",
    "MAX_CONCURRENT_REQUESTS": "1",
}
POLICY = f'"default";q={BUDGET};w=60'
REMAINING = re.compile(r'^"default";r=(\d+);t=(\d+)$')


def database_of(stack: str) -> str:
    return f"limits_{stack}"


@pytest.fixture(scope="module", params=SERVICE_STACKS)
def service(request: pytest.FixtureRequest, postgres: PostgresServer) -> Iterator[RunningService]:
    running = launch(request.param, request, postgres, database_of(request.param), LIMITS)
    yield running
    stop_gracefully(running)


def bearer(subject: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token(subject=subject)}"}


def left(response: httpx.Response) -> tuple[int, int]:
    """(requests left, seconds until the window ends) from the RateLimit field."""
    match = REMAINING.match(response.headers.get("ratelimit", ""))
    assert match, f"RateLimit: {response.headers.get('ratelimit')!r}"
    return int(match[1]), int(match[2])


def test_a_caller_gets_its_budget_then_429_with_the_headers(service: RunningService) -> None:
    caller = bearer(f"limits-{uuid.uuid4()}")
    answers = [httpx.get(f"{service.base}{COLLECTION}", headers=caller) for _ in range(BUDGET + 1)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert {answer.headers["ratelimit-policy"] for answer in answers} == {POLICY}
    assert [left(answer)[0] for answer in answers] == [2, 1, 0, 0]
    refused = answers[-1]
    seconds = left(refused)[1]
    assert 1 <= seconds <= 60
    assert refused.headers["retry-after"] == str(seconds)
    error = refused.json()["error"]
    assert error["code"] == "TOO_MANY_REQUESTS"
    assert error["message"] == f"rate limit of {BUDGET} requests per 60 s exceeded"
    # Another caller has a budget of its own.
    other = httpx.get(f"{service.base}{COLLECTION}", headers=bearer(f"other-{uuid.uuid4()}"))
    assert other.status_code == 200


def test_callers_without_a_valid_token_are_counted_by_address(service: RunningService) -> None:
    statuses = [
        httpx.get(f"{service.base}{COLLECTION}", headers={"X-Forwarded-For": f"10.0.0.{n}"})
        for n in range(BUDGET + 1)
    ]
    # X-Forwarded-For is not believed from a peer TRUSTED_PROXIES does not name.
    assert [answer.status_code for answer in statuses] == [401, 401, 401, 429]
    assert statuses[-1].json()["error"]["code"] == "TOO_MANY_REQUESTS"


def test_the_probes_are_never_counted(service: RunningService) -> None:
    for _ in range(BUDGET + 2):
        answer = httpx.get(f"{service.base}/health")
        assert answer.status_code == 200
        assert "ratelimit" not in answer.headers


class TableLock:
    """An ACCESS EXCLUSIVE lock on the resource's table, held by a psql session of its own until
    released: every statement of the service on that table waits behind it."""

    def __init__(self, postgres: PostgresServer, database: str) -> None:
        self.psql = subprocess.Popen(
            postgres.psql_command(database),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.psql.stdin is not None
        assert self.psql.stdout is not None
        self.psql.stdin.write(f"BEGIN; LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE; SELECT 1;\n")
        self.psql.stdin.flush()
        assert self.psql.stdout.readline().strip() == "1"  # the lock is held

    def release(self) -> None:
        assert self.psql.stdin is not None
        self.psql.stdin.write("COMMIT;\n")
        self.psql.stdin.close()
        self.psql.wait(timeout=10)


def waiting_statements(postgres: PostgresServer, database: str) -> list[str]:
    """The statements other sessions of the database are running (or waiting to run)."""
    query = (
        "SELECT query FROM pg_stat_activity WHERE datname = current_database()"
        " AND state = 'active' AND pid <> pg_backend_pid() AND query ILIKE :'pattern'"
        " AND query NOT ILIKE '%LOCK TABLE%'"
    )
    # Read from stdin, where psql substitutes its variables (not in -c).
    listed = subprocess.run(
        [*postgres.psql_command(database), "-v", f"pattern=%{TABLE}%"],
        input=query,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line for line in listed.splitlines() if line]


def test_a_request_past_its_deadline_is_503_and_its_statement_cancelled(
    service: RunningService, postgres: PostgresServer
) -> None:
    caller = bearer(f"deadline-{uuid.uuid4()}")
    lock = TableLock(postgres, database_of(service.stack))
    try:
        started = time.monotonic()
        answer = httpx.get(f"{service.base}{COLLECTION}", headers=caller, timeout=10)
        took = time.monotonic() - started
        assert answer.status_code == 503, answer.text
        assert answer.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
        assert answer.json()["error"]["message"] == "request took longer than 1 s"
        assert 0.9 <= took < 3
        wait_until(
            lambda: waiting_statements(postgres, database_of(service.stack)) == [],
            2,
            "PostgreSQL to cancel the statement of the request cut at its deadline",
        )
    finally:
        lock.release()
    assert httpx.get(f"{service.base}{COLLECTION}", headers=caller).status_code == 200


def test_a_request_beyond_the_concurrency_limit_is_shed_at_once(
    service: RunningService, postgres: PostgresServer
) -> None:
    lock = TableLock(postgres, database_of(service.stack))
    held: list[httpx.Response] = []
    try:
        first = threading.Thread(
            target=lambda: held.append(
                httpx.get(f"{service.base}{COLLECTION}", headers=bearer("held"), timeout=10)
            )
        )
        first.start()
        wait_until(
            lambda: waiting_statements(postgres, database_of(service.stack)) != [],
            3,
            "the first request to wait on the lock",
        )
        started = time.monotonic()
        shed = httpx.get(f"{service.base}{COLLECTION}", headers=bearer(f"shed-{uuid.uuid4()}"))
        assert time.monotonic() - started < 0.5
        assert shed.status_code == 503, shed.text
        assert shed.headers["retry-after"] == "1"
        assert shed.json()["error"]["message"] == "too many requests in progress"
        # Kubernetes still sees the pod.
        assert httpx.get(f"{service.base}/live").status_code == 200
        first.join(timeout=10)
    finally:
        lock.release()
    assert [answer.status_code for answer in held] == [503]  # cut at its own deadline


@pytest.mark.parametrize("stack", SERVICE_STACKS)
def test_replicas_share_one_budget_through_redis(
    stack: str, request: pytest.FixtureRequest, postgres: PostgresServer, redis: RedisServer
) -> None:
    if not redis.is_accepting():
        redis.start()
    env = {"REDIS_URL": redis.url, "RATE_LIMIT_REQUESTS": "4", "RATE_LIMIT_WINDOW": "1m"}
    first = launch(stack, request, postgres, f"shared_{stack}", env, cached=True)
    project = request.getfixturevalue(f"{stack}_cached_service")
    second = start(project, postgres, f"shared_{stack}_b", env)
    try:
        caller = bearer(f"shared-{uuid.uuid4()}")
        replicas = [first, second, first, second, first]
        statuses = [
            httpx.get(f"{replica.base}{COLLECTION}", headers=caller).status_code
            for replica in replicas
        ]
        assert statuses == [200, 200, 200, 200, 429]
    finally:
        stop_gracefully(second)
        stop_gracefully(first)

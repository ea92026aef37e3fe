"""Slow tier: the three generated backends are one API (docs/contract.md).

Each backend boots against its own PostgreSQL database. Then:
- it serves the shared document at /api/docs/openapi.json;
- schemathesis, with every check, finds no failure in it, driven by the shared document;
- one request sequence (CRUD, pagination, sort, filter, every error case, the auth cases,
  routing, CORS, headers) gets the expected status from each, and the same statuses, JSON keys,
  error codes and headers from all three.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.helpers import SERVICE_STACKS
from tests.slow.conftest import RESOURCE
from tests.slow.postgres import PostgresServer, wait_until
from tests.slow.services import (
    RunningService,
    access_token,
    jwt,
    launch,
    schemathesis,
    stop_gracefully,
)

pytestmark = pytest.mark.slow

COLLECTION = f"/api/v1/{RESOURCE}"
# The web app's origin, allowed by CORS_ORIGINS; any other origin is not.
APP_ORIGIN = "http://portal.visiobook.test"
OTHER_ORIGIN = "http://elsewhere.example"
BODY_LIMIT = 1024 * 1024  # REQUEST_BODY_MAX_BYTES's default
SECURITY_HEADERS = {
    "cache-control": "no-store",
    "content-security-policy": "frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


@pytest.fixture(scope="module")
def backends(
    request: pytest.FixtureRequest, postgres: PostgresServer
) -> Iterator[dict[str, RunningService]]:
    services: dict[str, RunningService] = {}
    try:
        for stack in SERVICE_STACKS:
            # Schemathesis sends thousands of requests with one token: a budget it cannot spend
            # (test_limits.py proves the limit itself).
            env = {"CORS_ORIGINS": APP_ORIGIN, "RATE_LIMIT_REQUESTS": "1000000"}
            services[stack] = launch(stack, request, postgres, f"contract_{stack}", env)
        yield services
    finally:
        for service in services.values():
            stop_gracefully(service)


def contract_file(backends: dict[str, RunningService], stack: str) -> Path:
    return backends[stack].root / "api" / "openapi.json"


@pytest.mark.parametrize("stack", SERVICE_STACKS)
def test_backend_serves_the_shared_contract(
    backends: dict[str, RunningService], stack: str
) -> None:
    service = backends[stack]
    served = httpx.get(f"{service.base}/api/docs/openapi.json")
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("application/json")
    assert served.json() == json.loads(contract_file(backends, stack).read_text())
    page = httpx.get(f"{service.base}/api/docs")
    assert page.status_code == 200
    assert "swagger" in page.text.lower()


@pytest.mark.parametrize("stack", SERVICE_STACKS)
def test_schemathesis_finds_no_failure(
    backends: dict[str, RunningService], stack: str, tmp_path: Path
) -> None:
    """Every check of schemathesis (status codes, schemas, headers, negative data rejected,
    positive data accepted, unsupported methods, auth ignored, use after free...), in every
    phase (examples, coverage, fuzzing, stateful through the document's links)."""
    service = backends[stack]
    tested = set(schemathesis(contract_file(backends, stack), service.base, tmp_path))
    # Every operation of the document was exercised.
    paths = json.loads(contract_file(backends, stack).read_text())["paths"]
    for path, item in paths.items():
        for method in set(item) - {"parameters"}:
            assert f"{method.upper()} {path}" in tested, (method, path, tested)


# --- One request sequence, three backends -------------------------------------------------

VALID = "valid"  # the step sends a valid token
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@dataclass(frozen=True)
class Step:
    """One request. `path` may name ids saved by earlier steps: `{alpha}`."""

    name: str
    method: str
    path: str
    status: int
    body: Any = None
    content: bytes | Callable[[], Iterator[bytes]] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    token: str | None = VALID
    save: str | None = None


def chunks(size: int) -> Callable[[], Iterator[bytes]]:
    """A JSON body of `size` bytes sent chunked (no Content-Length)."""

    def produce() -> Iterator[bytes]:
        yield b'{"name": "chunked", "description": "'
        remaining = size - 40
        while remaining > 0:
            piece = min(remaining, 64 * 1024)
            yield b"a" * piece
            remaining -= piece
        yield b'"}'

    return produce


def listing(name_filter: str, **parameters: str) -> str:
    return f"{COLLECTION}?{urlencode({'filter[name]': name_filter, **parameters}, quote_via=quote)}"


def sequence(prefix: str) -> list[Step]:
    now = int(time.time())
    item = f"{COLLECTION}/{{alpha}}"
    absent = f"{COLLECTION}/{uuid.UUID(int=0)}"
    big = json.dumps({"name": "big", "description": "a" * BODY_LIMIT}).encode()

    def with_roles(roles: object) -> str:
        return jwt({"sub": "x", "exp": now + 600, "roles": roles})

    reader = jwt({"sub": "reader", "exp": now + 600})  # no roles claim: may only read
    return [
        # CRUD
        Step("create alpha", "POST", COLLECTION, 201, {"name": f"{prefix} Alpha"}, save="alpha"),
        Step(
            "create beta",
            "POST",
            COLLECTION,
            201,
            {"name": f"{prefix} beta", "description": "b"},
            save="beta",
        ),
        Step(
            "create gamma",
            "POST",
            COLLECTION,
            201,
            {"name": f"{prefix} Gamma 100%_\\"},
            save="gamma",
        ),
        Step("read", "GET", item, 200),
        Step("read, id in upper case", "GET", f"{COLLECTION}/{{ALPHA}}", 200),
        Step("head", "HEAD", item, 200),
        Step("replace", "PUT", item, 200, {"name": f"{prefix} Alpha 2"}),
        Step("patch nothing", "PATCH", item, 200, {}),
        Step("patch description", "PATCH", item, 200, {"description": "d"}),
        Step("patch description to null", "PATCH", item, 200, {"description": None}),
        # Lists: every query filters on this run's prefix, so other rows do not count.
        Step("list", "GET", listing(prefix), 200),
        Step("list newest first", "GET", listing(prefix, sort="createdAt:desc"), 200),
        Step("list oldest first", "GET", listing(prefix, sort="createdAt"), 200),
        Step("list by name", "GET", listing(prefix, sort="name:asc"), 200),
        Step("list by name, descending", "GET", listing(prefix, sort="name:desc"), 200),
        Step("list recently updated", "GET", listing(prefix, sort="updatedAt:desc"), 200),
        Step("page 2 of 2", "GET", listing(prefix, limit="2", page="2"), 200),
        Step("page past the end", "GET", listing(prefix, page="9"), 200),
        Step("filter ignores case", "GET", listing(f"{prefix.upper()} ALPHA"), 200),
        # A wildcard would match: "%" any text, "_" one character, "\\" escaping the next.
        Step("filter % is literal", "GET", listing(f"{prefix}%Alpha"), 200),
        Step("filter _ is literal", "GET", listing(f"{prefix[:-1]}_"), 200),
        Step("filter \\ % _ are literal", "GET", listing(f"{prefix} Gamma 100%_\\"), 200),
        Step("unknown parameter ignored", "GET", listing(prefix, colour="red"), 200),
        # 400: parameters
        Step("page 0", "GET", f"{COLLECTION}?page=0", 400),
        Step("page not a number", "GET", f"{COLLECTION}?page=abc", 400),
        Step("page 1.0", "GET", f"{COLLECTION}?page=1.0", 400),
        Step("page +1", "GET", f"{COLLECTION}?page=%2B1", 400),
        Step("page huge", "GET", f"{COLLECTION}?page=9223372036854775807", 400),
        Step("limit 101", "GET", f"{COLLECTION}?limit=101", 400),
        Step("limit 0", "GET", f"{COLLECTION}?limit=0", 400),
        Step("page given twice", "GET", f"{COLLECTION}?page=1&page=2", 400),
        Step("sort unknown field", "GET", f"{COLLECTION}?sort=colour", 400),
        Step("sort in snake case", "GET", f"{COLLECTION}?sort=created_at:desc", 400),
        Step("sort bad direction", "GET", f"{COLLECTION}?sort=name:up", 400),
        Step("filter empty", "GET", f"{COLLECTION}?filter[name]=", 400),
        Step("filter NUL", "GET", f"{COLLECTION}?filter[name]=%00", 400),
        Step("filter too long", "GET", f"{COLLECTION}?filter[name]={'a' * 201}", 400),
        Step("malformed id", "GET", f"{COLLECTION}/not-a-uuid", 400),
        Step("id without hyphens", "GET", f"{COLLECTION}/{uuid.UUID(int=1).hex}", 400),
        Step("malformed id on delete", "DELETE", f"{COLLECTION}/42", 400),
        # 400: bodies
        Step("no body", "POST", COLLECTION, 400),
        Step(
            "empty JSON body",
            "POST",
            COLLECTION,
            400,
            headers={"content-type": "application/json"},
            content=b"",
        ),
        Step(
            "malformed JSON",
            "POST",
            COLLECTION,
            400,
            content=b'{"name": ',
            headers={"content-type": "application/json"},
        ),
        Step(
            "trailing data",
            "POST",
            COLLECTION,
            400,
            content=b'{"name": "x"} {}',
            headers={"content-type": "application/json"},
        ),
        Step("not an object", "POST", COLLECTION, 400, ["name"]),
        Step("a string", "POST", COLLECTION, 400, "name"),
        Step("name missing", "POST", COLLECTION, 400, {"description": "x"}),
        Step("name null", "POST", COLLECTION, 400, {"name": None}),
        Step("name a number", "POST", COLLECTION, 400, {"name": 5}),
        Step("name empty", "POST", COLLECTION, 400, {"name": ""}),
        Step("name blank", "POST", COLLECTION, 400, {"name": " \t\r\n "}),
        Step("name too long", "POST", COLLECTION, 400, {"name": "a" * 201}),
        Step("name with NUL", "POST", COLLECTION, 400, {"name": "a\u0000b"}),
        Step(
            "name with an unpaired surrogate",
            "POST",
            COLLECTION,
            400,
            content=b'{"name": "a\\ud800b"}',
            headers={"content-type": "application/json"},
        ),
        Step(
            "description too long",
            "POST",
            COLLECTION,
            400,
            {"name": "x", "description": "a" * 10_001},
        ),
        Step(
            "description with NUL", "POST", COLLECTION, 400, {"name": "x", "description": "\u0000"}
        ),
        Step("unknown field", "POST", COLLECTION, 400, {"name": "x", "colour": "red"}),
        Step("patch name null", "PATCH", item, 400, {"name": None}),
        Step("patch unknown field", "PATCH", item, 400, {"version": 7}),
        Step("put without name", "PUT", item, 400, {"description": "x"}),
        Step("malformed id and body", "PUT", f"{COLLECTION}/x", 400, {"name": ""}),
        # 200 edge: 200 emoji are 200 code points (400 UTF-16 units, 800 bytes)
        Step(
            "name of 200 emoji",
            "POST",
            COLLECTION,
            201,
            {"name": "\U0001f600" * 199 + "e"},
            save="emoji",
        ),
        Step("delete emoji", "DELETE", f"{COLLECTION}/{{emoji}}", 204),
        # 415, 413
        Step(
            "text/plain body",
            "POST",
            COLLECTION,
            415,
            content=b'{"name": "x"}',
            headers={"content-type": "text/plain"},
        ),
        Step("no content type", "POST", COLLECTION, 415, content=b'{"name": "x"}'),
        Step(
            "latin-1 JSON",
            "POST",
            COLLECTION,
            415,
            content=b'{"name": "x"}',
            headers={"content-type": "application/json; charset=iso-8859-1"},
        ),
        Step(
            "gzip JSON",
            "POST",
            COLLECTION,
            415,
            content=b'{"name": "x"}',
            headers={"content-type": "application/json", "content-encoding": "gzip"},
        ),
        Step(
            "utf-8 charset accepted",
            "POST",
            COLLECTION,
            201,
            content=f'{{"name": "{prefix} utf8"}}'.encode(),
            headers={"content-type": "application/json; charset=UTF-8"},
            save="utf8",
        ),
        Step(
            "over the limit by Content-Length",
            "POST",
            COLLECTION,
            413,
            content=big,
            headers={"content-type": "application/json"},
        ),
        Step(
            "over the limit, chunked",
            "POST",
            COLLECTION,
            413,
            content=chunks(BODY_LIMIT + 4096),
            headers={"content-type": "application/json"},
        ),
        Step(
            "unauthenticated big body",
            "PUT",
            item,
            401,
            content=big,
            headers={"content-type": "application/json"},
            token=None,
        ),
        # 404, 409
        Step("absent", "GET", absent, 404),
        Step("replace absent", "PUT", absent, 404, {"name": "x"}),
        Step("patch absent", "PATCH", absent, 404, {}),
        Step("delete absent", "DELETE", absent, 404),
        Step("name taken", "POST", COLLECTION, 409, {"name": f"{prefix} beta"}),
        Step(
            "name taken by replace",
            "PUT",
            f"{COLLECTION}/{{gamma}}",
            409,
            {"name": f"{prefix} beta"},
        ),
        Step(
            "name taken by patch",
            "PATCH",
            f"{COLLECTION}/{{gamma}}",
            409,
            {"name": f"{prefix} beta"},
        ),
        # 401: every way a token can be wrong
        Step("no token", "GET", COLLECTION, 401, token=None),
        Step(
            "basic auth",
            "GET",
            COLLECTION,
            401,
            token=None,
            headers={"authorization": "Basic YTpi"},
        ),
        Step("garbage token", "GET", COLLECTION, 401, token="not.a.jwt"),
        Step(
            "wrong secret",
            "GET",
            COLLECTION,
            401,
            token=jwt(
                {"sub": "x", "exp": now + 600}, secret="another-secret-of-at-least-32-characters"
            ),
        ),
        Step("expired", "GET", COLLECTION, 401, token=jwt({"sub": "x", "exp": now - 60})),
        Step("no exp", "GET", COLLECTION, 401, token=jwt({"sub": "x"})),
        Step("no sub", "GET", COLLECTION, 401, token=jwt({"exp": now + 600})),
        Step("empty sub", "GET", COLLECTION, 401, token=jwt({"sub": "", "exp": now + 600})),
        Step("numeric sub", "GET", COLLECTION, 401, token=jwt({"sub": 42, "exp": now + 600})),
        Step(
            "not yet valid",
            "GET",
            COLLECTION,
            401,
            token=jwt({"sub": "x", "exp": now + 600, "nbf": now + 300}),
        ),
        Step(
            "alg none",
            "GET",
            COLLECTION,
            401,
            token=jwt({"sub": "x", "exp": now + 600}, alg="none"),
        ),
        Step(
            "HS512", "GET", COLLECTION, 401, token=jwt({"sub": "x", "exp": now + 600}, alg="HS512")
        ),
        Step(
            "bearer in lower case",
            "GET",
            listing(prefix),
            200,
            token=None,
            headers={"authorization": f"bearer {access_token()}"},
        ),
        Step(
            "unauthenticated malformed JSON",
            "POST",
            COLLECTION,
            401,
            token=None,
            content=b"{",
            headers={"content-type": "application/json"},
        ),
        Step("unauthenticated absent", "GET", absent, 401, token=None),
        Step("unauthenticated malformed id", "GET", f"{COLLECTION}/x", 401, token=None),
        # 403: a valid token without a role the operation needs (docs/contract.md, Authorization)
        Step("reader reads", "GET", item, 200, token=reader),
        Step("reader lists", "GET", listing(prefix), 200, token=reader),
        Step("reader creates", "POST", COLLECTION, 403, {"name": f"{prefix} r"}, token=reader),
        Step("reader replaces", "PUT", item, 403, {"name": f"{prefix} r"}, token=reader),
        Step("reader patches", "PATCH", item, 403, {}, token=reader),
        Step("reader deletes", "DELETE", item, 403, token=reader),
        Step("reader deletes an absent item", "DELETE", absent, 403, token=reader),
        Step("reader deletes a malformed id", "DELETE", f"{COLLECTION}/x", 403, token=reader),
        Step("reader posts no body", "POST", COLLECTION, 403, token=reader),
        Step(
            "reader posts malformed JSON",
            "POST",
            COLLECTION,
            403,
            token=reader,
            content=b"{",
            headers={"content-type": "application/json"},
        ),
        Step("empty roles", "PATCH", item, 403, {}, token=with_roles([])),
        Step("another role", "PATCH", item, 403, {}, token=with_roles(["viewer"])),
        Step("role in another case", "DELETE", item, 403, token=with_roles(["Admin"])),
        Step("editor patches", "PATCH", item, 200, {}, token=with_roles(["editor"])),
        Step("editor deletes", "DELETE", item, 403, token=with_roles(["editor"])),
        Step(
            "roles as a string of names",
            "PATCH",
            item,
            200,
            {},
            token=with_roles("viewer editor"),
        ),
        Step("roles a number", "GET", COLLECTION, 401, token=with_roles(7)),
        Step("roles an object", "GET", COLLECTION, 401, token=with_roles({"editor": True})),
        Step("roles holding a number", "GET", COLLECTION, 401, token=with_roles(["editor", 1])),
        # Routing
        Step("unknown path", "GET", "/api/v1/nothing-here", 404),
        Step("trailing slash", "GET", f"{COLLECTION}/", 404),
        Step("trailing slash on an item", "GET", f"{item}/", 404),
        Step("other letter case", "GET", COLLECTION.upper(), 404),
        Step("TRACE on the collection", "TRACE", COLLECTION, 405),
        Step("QUERY on the collection", "QUERY", COLLECTION, 405),
        Step("DELETE on the collection", "DELETE", COLLECTION, 405),
        Step("POST on an item", "POST", item, 405, {"name": "x"}),
        Step("OPTIONS without a preflight", "OPTIONS", COLLECTION, 405),
        Step("method before token", "TRACE", item, 405, token=None),
        Step("PUT on a probe", "PUT", "/health", 405),
        # CORS
        Step(
            "preflight from the app",
            "OPTIONS",
            item,
            204,
            token=None,
            headers={
                "origin": APP_ORIGIN,
                "access-control-request-method": "PUT",
                "access-control-request-headers": "authorization,content-type",
            },
        ),
        Step(
            "preflight to an unknown path",
            "OPTIONS",
            "/api/v1/nothing-here",
            404,
            token=None,
            headers={"origin": APP_ORIGIN, "access-control-request-method": "GET"},
        ),
        Step(
            "preflight from elsewhere",
            "OPTIONS",
            item,
            405,
            token=None,
            headers={"origin": OTHER_ORIGIN, "access-control-request-method": "PUT"},
        ),
        Step("request from the app", "GET", item, 200, headers={"origin": APP_ORIGIN}),
        Step("request from elsewhere", "GET", item, 200, headers={"origin": OTHER_ORIGIN}),
        # Correlation ids
        Step(
            "correlation id kept",
            "GET",
            "/health",
            200,
            headers={"x-correlation-id": "client-1.2:3_4"},
        ),
        Step(
            "x-request-id fallback", "GET", "/health", 200, headers={"x-request-id": "from-gateway"}
        ),
        Step(
            "unsafe correlation id replaced",
            "GET",
            "/health",
            200,
            headers={"x-correlation-id": "evil id\twith spaces"},
        ),
        # Probes, and the end of the items
        Step("ready", "GET", "/ready", 200),
        Step("delete", "DELETE", item, 204),
        Step("read deleted", "GET", item, 404),
        Step("delete again", "DELETE", item, 404),
        Step("delete beta", "DELETE", f"{COLLECTION}/{{beta}}", 204),
        Step("delete gamma", "DELETE", f"{COLLECTION}/{{gamma}}", 204),
        Step("delete utf8", "DELETE", f"{COLLECTION}/{{utf8}}", 204),
        Step("list after deletes", "GET", listing(prefix), 200),
    ]


def send(client: httpx.Client, step: Step, saved: dict[str, str]) -> httpx.Response:
    ids = {**saved, **{name.upper(): value.upper() for name, value in saved.items()}}
    headers = dict(step.headers)
    if step.token == VALID:
        headers["authorization"] = f"Bearer {access_token()}"
    elif step.token is not None:
        headers["authorization"] = f"Bearer {step.token}"
    content = step.content() if callable(step.content) else step.content
    if step.body is not None:
        content = json.dumps(step.body).encode()
        headers.setdefault("content-type", "application/json")
    return client.request(
        step.method, step.path.format(**ids), content=content, headers=headers, timeout=30
    )


def observe(response: httpx.Response, sent_headers: dict[str, str]) -> dict[str, Any]:
    """What must be the same in every stack: status, JSON keys, codes, the telling headers."""
    seen: dict[str, Any] = {"status": response.status_code}
    headers = response.headers
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    seen["content-type"] = media_type or None
    for name in (
        "allow",
        "www-authenticate",
        "access-control-allow-origin",
        "access-control-allow-methods",
        "access-control-allow-headers",
        "access-control-expose-headers",
        "access-control-max-age",
        "ratelimit-policy",
    ):
        seen[name] = headers.get(name)
    seen["location"] = UUID.sub("<id>", headers.get("location", "")) or None
    seen["vary has origin"] = "origin" in headers.get("vary", "").lower()
    seen["security headers"] = {name: headers.get(name) for name in SECURITY_HEADERS}
    sent_id = sent_headers.get("x-correlation-id") or sent_headers.get("x-request-id")
    echoed = headers.get("x-correlation-id")
    seen["correlation id"] = "echoed" if echoed == sent_id else ("new" if echoed else None)
    if media_type == "application/json" and response.content:
        body = response.json()
        seen["keys"] = sorted(body) if isinstance(body, dict) else type(body).__name__
        if isinstance(body, dict) and "error" in body:
            error = body["error"]
            seen["error keys"] = sorted(error)
            seen["code"] = error["code"]
            seen["message"] = UUID.sub("<id>", error["message"])
            seen["detail fields"] = sorted(d["field"] for d in error.get("details", []))
            seen["correlation id in body"] = error["correlation_id"] == echoed
        if isinstance(body, dict) and "data" in body:
            seen["names"] = [entry["name"] for entry in body["data"]]
            seen["pagination"] = body["pagination"]
            seen["item keys"] = sorted({key for entry in body["data"] for key in entry})
        if isinstance(body, dict) and "createdAt" in body:
            seen["name"] = body["name"]
            seen["description"] = body["description"]
            seen["version"] = body["version"]
    else:
        seen["body"] = response.content.decode(errors="replace") if response.content else None
    return seen


def run_sequence(service: RunningService, prefix: str) -> list[dict[str, Any]]:
    saved: dict[str, str] = {}
    observations = []
    with httpx.Client(base_url=service.base) as client:
        for step in sequence(prefix):
            response = send(client, step, saved)
            seen = observe(response, step.headers)
            seen["step"] = step.name
            observations.append(seen)
            if step.save is not None and response.status_code == 201:
                saved[step.save] = response.json()["id"]
            # Distinct creation times, so `createdAt` orders the rows the same way everywhere.
            time.sleep(0.01)
    return observations


def test_the_same_requests_get_the_same_answers_from_every_backend(
    backends: dict[str, RunningService],
) -> None:
    prefix = f"conformance-{uuid.uuid4().hex[:8]}"
    answers = {stack: run_sequence(service, prefix) for stack, service in backends.items()}
    steps = sequence(prefix)
    problems = []
    for index, step in enumerate(steps):
        seen = {stack: answers[stack][index] for stack in SERVICE_STACKS}
        wrong = {stack: o["status"] for stack, o in seen.items() if o["status"] != step.status}
        if wrong:
            problems.append(f"{step.name}: expected {step.status}, got {wrong}")
        reference = seen[SERVICE_STACKS[0]]
        for stack in SERVICE_STACKS[1:]:
            for key in sorted(set(reference) | set(seen[stack])):
                if reference.get(key) != seen[stack].get(key):
                    problems.append(
                        f"{step.name}: {key}: {SERVICE_STACKS[0]}={reference.get(key)!r}"
                        f" {stack}={seen[stack].get(key)!r}"
                    )
    assert not problems, "\n".join(problems)
    expect_answers(answers[SERVICE_STACKS[0]], prefix)


def expect_answers(observations: list[dict[str, Any]], prefix: str) -> None:
    """What the contract says of the answers, beyond their being the same everywhere."""
    seen = {o["step"]: o for o in observations}
    alpha, beta, gamma = f"{prefix} Alpha 2", f"{prefix} beta", f"{prefix} Gamma 100%_\\"
    assert seen["list"]["pagination"] == {"page": 1, "limit": 10, "total": 3, "totalPages": 1}
    assert seen["list"]["names"] == [gamma, beta, alpha]  # createdAt:desc by default
    assert seen["list newest first"]["names"] == [gamma, beta, alpha]
    assert seen["list oldest first"]["names"] == [alpha, beta, gamma]
    assert seen["list recently updated"]["names"] == [alpha, gamma, beta]
    assert seen["page 2 of 2"]["names"] == [alpha]
    assert seen["page 2 of 2"]["pagination"] == {
        "page": 2,
        "limit": 2,
        "total": 3,
        "totalPages": 2,
    }
    assert seen["page past the end"]["names"] == []
    assert seen["page past the end"]["pagination"]["total"] == 3
    assert seen["filter ignores case"]["names"] == [alpha]
    assert seen["filter % is literal"]["names"] == []
    assert seen["filter _ is literal"]["names"] == []
    assert seen["filter \\ % _ are literal"]["names"] == [gamma]
    assert seen["list after deletes"]["names"] == []
    assert seen["list"]["item keys"] == sorted(
        ["id", "name", "description", "createdAt", "updatedAt", "version"]
    )
    # Every write bumps the version, even one that changes nothing.
    versions = [seen[s]["version"] for s in ("create alpha", "replace", "patch nothing")]
    assert versions == [1, 2, 3]
    assert seen["patch description to null"]["version"] == 5
    assert seen["replace"]["description"] is None  # left out of a PUT: back to its default
    assert seen["create alpha"]["location"] == f"{COLLECTION}/<id>"
    assert seen["name of 200 emoji"]["status"] == 201
    assert seen["malformed id"]["detail fields"] == ["path.id"]
    assert seen["unknown field"]["detail fields"] == ["body.colour"]
    assert seen["name taken"]["message"] == f"a media-asset named '{beta}' already exists"
    assert seen["absent"]["message"] == "media-asset '<id>' not found"
    assert seen["no token"]["www-authenticate"] == "Bearer"
    assert seen["expired"]["www-authenticate"] == 'Bearer error="invalid_token"'
    insufficient = 'Bearer error="insufficient_scope"'
    for step in ("reader creates", "reader deletes", "editor deletes", "reader posts no body"):
        assert seen[step]["code"] == "FORBIDDEN", step
        assert seen[step]["www-authenticate"] == insufficient, step
    assert seen["reader creates"]["message"] == "requires the role editor or admin"
    assert seen["reader deletes"]["message"] == "requires the role admin"
    assert seen["roles a number"]["www-authenticate"] == 'Bearer error="invalid_token"'
    assert seen["TRACE on the collection"]["allow"] == "GET, HEAD, POST"
    assert seen["POST on an item"]["allow"] == "GET, HEAD, PUT, PATCH, DELETE"
    assert seen["PUT on a probe"]["allow"] == "GET, HEAD"
    preflight = seen["preflight from the app"]
    assert preflight["access-control-allow-origin"] == APP_ORIGIN
    assert preflight["access-control-allow-methods"] == "GET, HEAD, POST, PUT, PATCH, DELETE"
    assert preflight["access-control-max-age"] == "600"
    assert seen["request from the app"]["access-control-allow-origin"] == APP_ORIGIN
    assert seen["request from the app"]["access-control-expose-headers"] == (
        "x-correlation-id, RateLimit, RateLimit-Policy, Retry-After"
    )
    # Every /api/v1 answer but a 404 or 405 says the caller's quota (the backends' budget).
    assert seen["list"]["ratelimit-policy"] == '"default";q=1000000;w=60'
    assert seen["no token"]["ratelimit-policy"] == '"default";q=1000000;w=60'
    assert seen["unknown path"]["ratelimit-policy"] is None
    assert seen["request from elsewhere"]["access-control-allow-origin"] is None
    assert seen["preflight from elsewhere"]["access-control-allow-origin"] is None
    assert seen["correlation id kept"]["correlation id"] == "echoed"
    assert seen["x-request-id fallback"]["correlation id"] == "echoed"
    assert seen["unsafe correlation id replaced"]["correlation id"] == "new"
    for observation in observations:
        assert observation["security headers"] == SECURITY_HEADERS, observation["step"]
        assert observation["correlation id"] in ("echoed", "new"), observation["step"]
        if "code" in observation:
            assert observation["correlation id in body"], observation["step"]


def request_log_lines(service: RunningService) -> list[dict[str, Any]]:
    """The complete request lines logged so far (the last one may still be being written)."""
    entries = []
    for line in service.log.read_text().splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict) and entry.get("message") == "HTTP Request":
            entries.append(entry)
    return entries


def test_every_backend_logs_a_request_with_the_same_fields(
    backends: dict[str, RunningService],
) -> None:
    """Guidelines 5.2's request line, with the same keys and value formats in every stack."""
    correlation_id = f"log-{uuid.uuid4().hex}"
    fields = {}
    for stack, service in backends.items():
        headers = {"authorization": f"Bearer {access_token('log-reader')}"}
        headers["x-correlation-id"] = correlation_id
        httpx.get(f"{service.base}{COLLECTION}?page=1", headers=headers)

        def logged(service: RunningService = service) -> list[dict[str, Any]]:
            lines = request_log_lines(service)
            return [line for line in lines if line.get("correlationId") == correlation_id]

        # The line is written once the response is sent, so it may land a moment later.
        wait_until(lambda: bool(logged()), 5, f"the request's log line from {stack}")
        (entry,) = logged()
        fields[stack] = sorted(entry)
        assert entry["level"] == "info"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["timestamp"])
        assert entry["method"] == "GET"
        assert entry["url"] == f"{COLLECTION}?page=1"
        assert entry["route"] == COLLECTION
        assert entry["statusCode"] == 200
        assert isinstance(entry["responseTime"], int | float)
        assert entry["userId"] == "log-reader"
        assert entry["service"] == "media-service"
    assert fields["fastapi"] == fields["node"] == fields["go"], fields


def test_every_backend_labels_its_metrics_alike(backends: dict[str, RunningService]) -> None:
    """The same route templates, business operations and database statement labels in every
    stack (guidelines 5.3)."""
    seen = {}
    table = RESOURCE.replace("-", "_")
    for stack, service in backends.items():
        exposition = httpx.get(f"{service.metrics}/metrics").text
        families = {family.name: family for family in text_string_to_metric_families(exposition)}
        routes = {s.labels["route"] for s in families["http_requests"].samples}
        operations = {s.labels["operation"] for s in families["business_operations"].samples}
        # The statements on the resource's own table (each stack's migration table differs).
        statements = {
            (s.labels["operation"], s.labels["table"])
            for s in families["db_query_duration_seconds"].samples
            if s.name.endswith("_count") and s.labels["table"] in {table, "unknown"}
        }
        seen[stack] = (
            routes & {COLLECTION, f"{COLLECTION}/{{id}}", "<unmatched>"},
            operations,
            statements,
            {"db_query_errors", "db_connections_active", "db_connections_max"} <= set(families),
        )
    assert seen["fastapi"] == seen["node"] == seen["go"], seen
    routes, operations, statements, pool_metrics = seen["fastapi"]
    assert routes == {COLLECTION, f"{COLLECTION}/{{id}}", "<unmatched>"}
    item = RESOURCE.removesuffix("s").replace("-", "_")
    assert operations == {f"{item}_{verb}" for verb in ("create", "replace", "update", "delete")}
    verbs = ("select", "insert", "update", "delete")
    assert statements == {(verb, table) for verb in verbs} | {("select", "unknown")}
    assert pool_metrics


# --- The load test each backend ships ------------------------------------------------------


@pytest.fixture(scope="module")
def locust_venv(
    backends: dict[str, RunningService], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """One virtualenv with the Locust the services pin (load/requirements.txt, the same file in
    every backend), which each service's load/run.sh then finds as its own load/.venv."""
    venv = tmp_path_factory.mktemp("locust") / "venv"
    requirements = backends[SERVICE_STACKS[0]].root / "load" / "requirements.txt"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", "-r", str(requirements)],
        check=True,
        timeout=600,
    )
    return venv


def run_load_test(
    service: RunningService, venv: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    own = service.root / "load" / ".venv"
    if not own.exists():
        own.symlink_to(venv)
    return subprocess.run(
        ["bash", "load/run.sh", service.base],
        cwd=service.root,
        # A reader's token, as the deploy's: the load test writes nothing.
        env={**os.environ, "LOAD_TEST_TOKEN": access_token(roles=()), **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("stack", SERVICE_STACKS)
def test_the_shipped_load_test_meets_its_objectives(
    backends: dict[str, RunningService], stack: str, locust_venv: Path
) -> None:
    """load/run.sh, with the objectives of load/locust.conf, against the booted service: it
    reads pages and items of the resource and exits 0; shorter than the deploy's minute."""
    service = backends[stack]
    with httpx.Client(base_url=service.base) as client:
        for number in range(12):  # items to read
            client.post(
                COLLECTION,
                json={"name": f"load {uuid.uuid4().hex[:8]} {number}"},
                headers={"authorization": f"Bearer {access_token()}"},
            ).raise_for_status()
    result = run_load_test(service, locust_venv, {"LOCUST_RUN_TIME": "10s"})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = result.stdout + result.stderr
    assert f"{COLLECTION}/{{id}}" in summary  # items were read, not only lists
    assert "objective missed" not in summary


def test_the_load_test_fails_when_an_objective_is_missed(
    backends: dict[str, RunningService], locust_venv: Path
) -> None:
    service = backends[SERVICE_STACKS[0]]
    result = run_load_test(
        service, locust_venv, {"LOCUST_RUN_TIME": "3s", "LOCUST_MIN_RPS": "1000000"}
    )
    assert result.returncode == 1
    assert "load test: objective missed: " in result.stderr
    assert "(at least 1000000)" in result.stderr

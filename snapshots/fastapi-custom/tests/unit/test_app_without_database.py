"""Behaviour that must hold even when the database is unreachable: probes, the order of the
checks before any query, routing errors, headers, CORS, correlation ids, logs and metrics."""

import json
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated

import pytest
from fastapi import HTTPException, Query
from httpx import ASGITransport, AsyncClient, Response

from app.core.config import Settings
from app.main import create_app
from tests.conftest import UNREACHABLE_DATABASE, auth_headers, make_settings
from tests.identity_provider import AUDIENCE, ISSUER, RSA_KEY, IdentityProvider, claims

URL = "/api/v1/media-assets"
CONTRACT = (Path(__file__).resolve().parents[2] / "api" / "openapi.json").read_bytes()
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
JSON = {"Content-Type": "application/json"}
SECURITY_HEADERS = {
    "cache-control": "no-store",
    "content-security-policy": "frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


@pytest.fixture
def headers(offline_settings: Settings) -> dict[str, str]:
    return auth_headers(offline_settings)


def details(response: Response) -> list[str]:
    body = response.json()
    assert body["error"]["code"] == "VALIDATION_ERROR"
    return [problem["field"] for problem in body["error"]["details"]]


async def test_live_is_200_without_a_database(offline_client: AsyncClient) -> None:
    """Liveness checks nothing else: a database outage must not restart every replica."""
    response = await offline_client.get("/live")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert (await offline_client.head("/live")).status_code == 200


async def test_health_is_503_and_unhealthy_without_a_database(offline_client: AsyncClient) -> None:
    response = await offline_client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    database = body["dependencies"]["database"]
    assert (database["status"], database["required"]) == ("unhealthy", True)
    assert 0 <= database["latency_ms"] < 2100
    redis = body["dependencies"]["redis"]
    assert (redis["status"], redis["required"]) == ("unhealthy", False)  # the database made it 503
    assert body["dependencies"]["external_services"] == {}
    assert TIMESTAMP.fullmatch(body["timestamp"])


async def test_ready_is_503_without_a_database(offline_client: AsyncClient) -> None:
    response = await offline_client.get("/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready"
    assert body["checks"] == {
        "database": False,
        "database_migrations": False,
        "external_dependencies": True,  # none is required
        "configuration": True,
    }


async def test_no_token_is_401_with_a_bearer_challenge(offline_client: AsyncClient) -> None:
    response = await offline_client.get(URL)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    error = response.json()["error"]
    assert (error["code"], error["message"]) == ("UNAUTHORIZED", "missing bearer token")
    assert error["correlation_id"] == response.headers["x-correlation-id"]
    assert TIMESTAMP.fullmatch(error["timestamp"])


async def test_a_forged_token_is_401_without_saying_why(offline_client: AsyncClient) -> None:
    response = await offline_client.get(URL, headers={"Authorization": "bearer x.y.z"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert response.json()["error"]["message"] == "invalid bearer token"


@pytest.fixture
async def provider_client(identity_provider: IdentityProvider) -> AsyncIterator[AsyncClient]:
    """The app behind an identity provider (JWT_JWKS_URL), started and stopped as uvicorn does."""
    settings = make_settings(
        UNREACHABLE_DATABASE,
        jwt_jwks_url=identity_provider.url,
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
    )
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://localhost") as client,
    ):
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_the_key_set_is_not_fetched_at_start_up(
    identity_provider: IdentityProvider, provider_client: AsyncClient
) -> None:
    assert (await provider_client.get("/live")).status_code == 200
    assert identity_provider.requests == []


async def test_a_provider_token_is_503_while_its_key_cannot_be_fetched(
    identity_provider: IdentityProvider, provider_client: AsyncClient, metrics_client: AsyncClient
) -> None:
    identity_provider.status = 500
    response = await provider_client.get(URL, headers=bearer(RSA_KEY.sign(claims())))
    assert response.status_code == 503
    error = response.json()["error"]
    assert (error["code"], error["message"]) == (
        "SERVICE_UNAVAILABLE",
        "signing keys are unavailable",
    )
    # The token may be good: no challenge that would make its client drop it, and no
    # Retry-After (the cooldown, not the client, decides when the set is fetched again).
    assert "www-authenticate" not in response.headers
    assert "retry-after" not in response.headers
    text = (await metrics_client.get("/metrics")).text
    assert 'jwks_fetches_total{outcome="failure"}' in text


async def test_a_provider_token_is_checked_for_its_roles_and_an_unknown_kid_is_401(
    identity_provider: IdentityProvider, provider_client: AsyncClient
) -> None:
    reader = RSA_KEY.sign(claims(roles=[]))
    response = await provider_client.post(URL, content=b"{oops", headers={**bearer(reader), **JSON})
    assert response.status_code == 403  # the token was accepted; its roles do not allow this
    unknown = RSA_KEY.sign(claims(), kid="rsa-9")
    response = await provider_client.get(URL, headers=bearer(unknown))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert response.json()["error"]["message"] == "invalid bearer token"
    assert len(identity_provider.requests) == 1


async def test_authentication_comes_before_the_body(offline_client: AsyncClient) -> None:
    response = await offline_client.post(URL, content=b"{oops", headers={"Content-Type": "x/y"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("method", "path", "message"),
    [
        ("POST", "", "requires the role editor or admin"),
        ("PUT", "/not-a-uuid", "requires the role editor or admin"),
        ("PATCH", f"/{uuid.UUID(int=0)}", "requires the role editor or admin"),
        ("DELETE", "/not-a-uuid", "requires the role admin"),
    ],
)
async def test_the_role_is_checked_after_the_token_and_before_the_body(
    offline_client: AsyncClient, offline_settings: Settings, method: str, path: str, message: str
) -> None:
    # A malformed body, and an id malformed or never looked up: no database is asked either.
    reader = auth_headers(offline_settings, "reader", roles=["viewer"])
    response = await offline_client.request(
        method, URL + path, content=b"{oops", headers={**reader, **JSON}
    )
    assert response.status_code == 403
    assert response.headers["www-authenticate"] == 'Bearer error="insufficient_scope"'
    error = response.json()["error"]
    assert (error["code"], error["message"]) == ("FORBIDDEN", message)


@pytest.mark.parametrize(
    ("request_headers", "body", "status", "code"),
    [
        ({}, b"", 400, "VALIDATION_ERROR"),
        ({"Content-Type": "text/plain"}, b"{oops", 415, "UNSUPPORTED_MEDIA_TYPE"),
        (
            {"Content-Type": "application/json; charset=utf-16"},
            b"{}",
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        ({**JSON, "Content-Encoding": "gzip"}, b"{}", 415, "UNSUPPORTED_MEDIA_TYPE"),
        ({**JSON, "Content-Encoding": "identity, br"}, b"{}", 415, "UNSUPPORTED_MEDIA_TYPE"),
        (JSON, b" " * 1_048_577, 413, "CONTENT_TOO_LARGE"),
        (JSON, b"{oops", 400, "VALIDATION_ERROR"),
    ],
)
async def test_body_checks_come_in_the_contract_order(
    offline_client: AsyncClient,
    headers: dict[str, str],
    request_headers: dict[str, str],
    body: bytes,
    status: int,
    code: str,
) -> None:
    # A malformed id too: it is judged only once the body is.
    response = await offline_client.put(
        f"{URL}/not-a-uuid", content=body, headers={**headers, **request_headers}
    )
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)


async def test_a_utf8_json_body_with_its_charset_and_no_encoding_is_accepted(
    offline_client: AsyncClient, headers: dict[str, str]
) -> None:
    response = await offline_client.put(
        f"{URL}/not-a-uuid",
        content=b"{}",
        headers={
            **headers,
            "Content-Type": 'Application/JSON; charset="UTF-8"',
            "Content-Encoding": "identity",
        },
    )
    assert details(response) == ["path.id"]


async def test_the_413_message_names_the_configured_limit(offline_settings: Settings) -> None:
    app = create_app(offline_settings.model_copy(update={"request_body_max_bytes": 10}))
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://localhost") as client:

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(3):
                yield b'{"name":'

        response = await client.post(
            URL, content=chunks(), headers={**auth_headers(offline_settings), **JSON}
        )
    await app.state.engine.dispose()
    assert response.status_code == 413
    assert response.json()["error"]["message"] == "request body is larger than 10 bytes"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (b"[]", ["body"]),
        (b'{"name": NaN}', ["body"]),
        (b'\xef\xbb\xbf{"name": "bom"}', ["body"]),
        (b'{"name": "\xff"}', ["body"]),
        (b'{"name": "x"} {}', ["body"]),
        (b"[" * 100_000 + b"]" * 100_000, ["body"]),
        (b"{}", ["body.name"]),
        (b'{"name": 7, "description": false}', ["body.name", "body.description"]),
        (b'{"name": "", "owner": "me"}', ["body.name", "body.owner"]),
        (b'{"name": " \\t\\r\\n"}', ["body.name"]),
        (b'{"name": "a\\u0000"}', ["body.name"]),
        (b'{"name": "a\\ud800"}', ["body.name"]),
        (b'{"name": "x", "description": "\\u0000"}', ["body.description"]),
        (b'{"\\ud800": 1, "name": "x"}', ["body"]),
    ],
)
async def test_invalid_bodies_name_their_fields(
    offline_client: AsyncClient, headers: dict[str, str], body: bytes, fields: list[str]
) -> None:
    response = await offline_client.post(URL, content=body, headers={**headers, **JSON})
    assert response.status_code == 400
    assert details(response) == fields


async def test_lengths_count_code_points(
    offline_client: AsyncClient, headers: dict[str, str]
) -> None:
    too_long = {"name": "😀" * 201, "description": "é" * 10_001}
    response = await offline_client.post(URL, json=too_long, headers=headers)
    assert details(response) == ["body.name", "body.description"]


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("page=0", ["query.page"]),
        ("page=1&page=2", ["query.page"]),
        ("limit=101&sort=secret:desc", ["query.limit", "query.sort"]),
        ("filter%5Bname%5D=a%00", ["query.filter[name]"]),
    ],
)
async def test_bad_query_parameters_are_400(
    offline_client: AsyncClient, headers: dict[str, str], query: str, fields: list[str]
) -> None:
    response = await offline_client.get(f"{URL}?{query}", headers=headers)
    assert response.status_code == 400
    assert details(response) == fields


@pytest.mark.parametrize("item_id", ["not-a-uuid", "0" * 32, "{" + str(uuid.uuid4()) + "}"])
async def test_a_malformed_id_is_400_not_404(
    offline_client: AsyncClient, headers: dict[str, str], item_id: str
) -> None:
    response = await offline_client.get(f"{URL}/{item_id}", headers=headers)
    assert response.status_code == 400
    assert details(response) == ["path.id"]


@pytest.mark.parametrize(
    # /metrics is served apart from the API, on PROMETHEUS_PORT (test_metrics_listener.py).
    "path",
    ["/nowhere", f"{URL}/", "/API/v1/media-assets", f"{URL}/a/b", "/metrics"],
)
async def test_unknown_paths_are_404_without_redirects(
    offline_client: AsyncClient, path: str
) -> None:
    response = await offline_client.get(path)
    assert response.status_code == 404
    error = response.json()["error"]
    assert (error["code"], error["message"]) == ("NOT_FOUND", f"no route for GET {path}")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("TRACE", URL, "GET, HEAD, POST"),
        ("OPTIONS", URL, "GET, HEAD, POST"),
        ("DELETE", URL, "GET, HEAD, POST"),
        ("POST", f"{URL}/{uuid.uuid4()}", "GET, HEAD, PUT, PATCH, DELETE"),
        ("POST", "/live", "GET, HEAD"),
        ("POST", "/health", "GET, HEAD"),
        ("PUT", "/ready", "GET, HEAD"),
        ("PUT", "/api/docs/openapi.json", "GET, HEAD"),
    ],
)
async def test_other_methods_are_405_with_allow(
    offline_client: AsyncClient, method: str, path: str, allowed: str
) -> None:
    response = await offline_client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    error = response.json()["error"]
    assert error["code"] == "METHOD_NOT_ALLOWED"
    assert error["message"] == f"method {method} not allowed (allowed: {allowed})"


async def test_get_paths_answer_head(offline_client: AsyncClient) -> None:
    assert (await offline_client.head("/live")).status_code == 200
    assert (await offline_client.head("/health")).status_code == 503
    assert (await offline_client.head(URL)).status_code == 401


@pytest.mark.parametrize("path", ["/live", "/health", "/nowhere", URL])
async def test_every_response_has_the_security_headers(
    offline_client: AsyncClient, path: str
) -> None:
    response = await offline_client.get(path)
    assert {name: response.headers.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS


@pytest.fixture
async def cors_client(offline_settings: Settings) -> AsyncIterator[AsyncClient]:
    settings = offline_settings.model_copy(
        update={"cors_origins": ["https://app.example.com"], "correlation_id_header": "x-trace"}
    )
    app = create_app(settings)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://localhost") as client:
        yield client
    await app.state.engine.dispose()


async def test_a_listed_origin_gets_cors_headers(cors_client: AsyncClient) -> None:
    response = await cors_client.get(URL, headers={"Origin": "https://app.example.com"})
    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == "https://app.example.com"
    # A browser app may read the correlation id and the rate limit's headers.
    assert response.headers["access-control-expose-headers"] == (
        "x-trace, RateLimit, RateLimit-Policy, Retry-After"
    )
    assert response.headers["vary"] == "Origin"


async def test_a_listed_origin_preflight_to_a_known_path_is_204(cors_client: AsyncClient) -> None:
    response = await cors_client.options(
        URL,
        headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "PATCH"},
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "https://app.example.com"
    assert response.headers["access-control-allow-methods"] == "GET, HEAD, POST, PUT, PATCH, DELETE"
    assert (
        response.headers["access-control-allow-headers"] == "Authorization, Content-Type, x-trace"
    )
    assert response.headers["access-control-max-age"] == "600"
    assert response.headers["x-trace"]
    unknown = await cors_client.options(
        "/nowhere",
        headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"},
    )
    assert unknown.status_code == 404


async def test_other_origins_get_no_cors_header(cors_client: AsyncClient) -> None:
    origin = {"Origin": "https://app.example.com.evil.example"}
    response = await cors_client.get("/live", headers=origin)
    preflight = await cors_client.options(
        URL, headers={**origin, "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status_code == 405
    for answer in (response, preflight):
        assert not [name for name in answer.headers if name.startswith("access-control-")]


@pytest.mark.parametrize(
    ("request_headers", "expected"),
    [
        ({"x-correlation-id": "given-id"}, "given-id"),
        ({"x-request-id": "req-1"}, "req-1"),
        ({"x-correlation-id": "a.b:c_d-1", "x-request-id": "req-1"}, "a.b:c_d-1"),
        ({"x-correlation-id": "x" * 128}, "x" * 128),
    ],
)
async def test_a_valid_correlation_id_is_echoed(
    offline_client: AsyncClient, request_headers: dict[str, str], expected: str
) -> None:
    response = await offline_client.get("/live", headers=request_headers)
    assert response.headers["x-correlation-id"] == expected


@pytest.mark.parametrize("given", ["", "has space", "x" * 129, 'quote"', "a/b"])
async def test_an_invalid_correlation_id_is_replaced_by_a_uuid(
    offline_client: AsyncClient, given: str
) -> None:
    response = await offline_client.get("/live", headers={"x-correlation-id": given})
    assert uuid.UUID(response.headers["x-correlation-id"])


async def test_the_correlation_header_is_configurable(cors_client: AsyncClient) -> None:
    response = await cors_client.get("/nowhere", headers={"X-Trace": "traced"})
    assert response.headers["x-trace"] == "traced"
    assert response.json()["error"]["correlation_id"] == "traced"


async def test_one_request_line_with_the_contract_fields(
    offline_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app(offline_settings)  # its log handler writes to the captured stdout
    headers = {**auth_headers(offline_settings, "user-7"), "x-correlation-id": "traced"}
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://localhost") as client:
        await client.get(f"{URL}/{uuid.uuid4()}?x=%20y", headers={**headers, "User-Agent": "t/1"})
        await client.get("/nowhere", headers={"x-correlation-id": "anonymous"})
    await app.state.engine.dispose()
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    requests = [line for line in lines if line["message"] == "HTTP Request"]
    traced = [line for line in lines if line.get("correlationId") == "traced"]
    assert traced
    assert requests[0] == {
        "timestamp": requests[0]["timestamp"],
        "level": "info",
        "message": "HTTP Request",
        "service": offline_settings.service_name,
        "version": offline_settings.service_version,
        "environment": "test",
        "correlationId": "traced",
        "method": "GET",
        "url": requests[0]["url"],
        "statusCode": 500,  # the database is unreachable
        "responseTime": requests[0]["responseTime"],
        "userAgent": "t/1",
        "ip": "127.0.0.1",
        "userId": "user-7",
        "route": "/api/v1/media-assets/{id}",
    }
    assert requests[0]["url"].endswith("?x=%20y")
    assert TIMESTAMP.fullmatch(requests[0]["timestamp"])
    assert requests[1]["route"] == "<unmatched>"
    assert "userId" not in requests[1]


async def test_metrics_label_requests_by_route_template(
    offline_client: AsyncClient, metrics_client: AsyncClient
) -> None:
    for probe in ("/live", "/health", "/ready"):
        await offline_client.get(probe)
    await offline_client.get(f"{URL}/{uuid.uuid4()}")
    await offline_client.get(f"/scanner/{uuid.uuid4()}")
    text = (await metrics_client.get("/metrics")).text
    assert 'http_requests_total{method="GET",route="/live",status_code="200"}' in text
    assert 'http_requests_total{method="GET",route="/health",status_code="503"}' in text
    assert 'http_requests_total{method="GET",route="/ready",status_code="503"}' in text
    assert 'route="' + URL + '/{id}",status_code="401"' in text
    assert 'route="<unmatched>",status_code="404"' in text
    assert "/scanner" not in text
    assert "http_request_duration_seconds_bucket" in text
    assert "db_connections_active" in text


async def test_unhandled_errors_become_a_500_envelope_with_every_header(
    offline_settings: Settings,
) -> None:
    app = create_app(offline_settings)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("unexpected")

    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://localhost") as client:
        response = await client.get("/boom", headers={"x-correlation-id": "crash-1"})
    await app.state.engine.dispose()
    assert response.status_code == 500
    assert response.headers["x-correlation-id"] == "crash-1"
    assert response.headers["cache-control"] == "no-store"
    error = response.json()["error"]
    assert (error["code"], error["message"]) == ("INTERNAL_ERROR", "internal server error")
    assert error["correlation_id"] == "crash-1"


async def test_fastapi_parameter_errors_and_other_http_errors_keep_the_envelope(
    offline_settings: Settings,
) -> None:
    """For routes a team adds the FastAPI way: still the contract's envelope."""
    app = create_app(offline_settings)

    @app.get("/pages")
    async def pages(page: Annotated[int, Query(ge=1)]) -> int:
        return page

    @app.get("/private")
    async def private() -> None:
        raise HTTPException(403, "not for you")

    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://localhost") as client:
        invalid = await client.get("/pages?page=0")
        forbidden = await client.get("/private")
    await app.state.engine.dispose()
    assert invalid.status_code == 400
    assert details(invalid) == ["query.page"]
    assert forbidden.status_code == 403
    assert forbidden.json()["error"]["code"] == "FORBIDDEN"
    assert forbidden.json()["error"]["message"] == "not for you"


async def test_the_contract_is_served_as_written(offline_settings: Settings) -> None:
    app = create_app(offline_settings)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://localhost") as client:
        served = await client.get("/api/docs/openapi.json")
        page = await client.get("/api/docs")
    await app.state.engine.dispose()
    assert served.status_code == 200
    assert served.headers["content-type"] == "application/json"
    assert served.content == CONTRACT
    assert page.status_code == 200
    assert "/api/docs/openapi.json" in page.text
    assert app.openapi() == json.loads(CONTRACT)  # FastAPI's own schema is the contract too

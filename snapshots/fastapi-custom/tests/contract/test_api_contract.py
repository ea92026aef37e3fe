"""The service answers as api/openapi.json says (guidelines 4.3): a real sequence of requests
against the app and the real PostgreSQL database, every response checked against the document."""

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import jwt
import pytest
from httpx import ASGITransport, AsyncClient, Response

from app.core.config import Settings
from app.main import create_app
from tests.conftest import auth_headers
from tests.contract.openapi import assert_documented, assert_error

URL = "/api/v1/media-assets"
MAX_BODY = 1_048_576  # REQUEST_BODY_MAX_BYTES's default


async def send(
    client: AsyncClient, method: str, url: str, status: int, code: str | None = None, **kwargs: Any
) -> Response:
    response = await client.request(method, url, **kwargs)
    assert response.status_code == status, response.text
    assert_documented(response)
    if code is not None:
        assert response.json()["error"]["code"] == code
    return response


async def test_a_media_asset_lives_and_dies_as_documented(client: AsyncClient) -> None:
    created = await send(client, "POST", URL, 201, json={"name": "Sun 50% off", "description": "d"})
    item = created.json()
    assert created.headers["location"] == f"{URL}/{item['id']}"
    assert item["version"] == 1
    await send(client, "POST", URL, 201, json={"name": "Moon"})
    item_url = f"{URL}/{item['id']}"

    assert (await send(client, "GET", item_url, 200)).json() == item
    await send(client, "GET", f"{URL}/{item['id'].upper()}", 200)  # a UUID in any case
    listed = await send(client, "GET", URL, 200, params={"sort": "name:asc", "limit": "1"})
    assert [row["name"] for row in listed.json()["data"]] == ["Moon"]
    assert listed.json()["pagination"] == {"page": 1, "limit": 1, "total": 2, "totalPages": 2}
    filtered = await send(client, "GET", URL, 200, params={"filter[name]": "50%"})
    assert [row["name"] for row in filtered.json()["data"]] == ["Sun 50% off"]

    replaced = (await send(client, "PUT", item_url, 200, json={"name": "Sun"})).json()
    assert (replaced["description"], replaced["version"]) == (None, 2)
    patched = (await send(client, "PATCH", item_url, 200, json={"description": "x"})).json()
    assert (patched["name"], patched["version"]) == ("Sun", 3)
    unchanged = (await send(client, "PATCH", item_url, 200, json={})).json()
    assert unchanged["version"] == 4
    assert unchanged["updatedAt"] >= patched["updatedAt"]

    deleted = await send(client, "DELETE", item_url, 204)
    assert deleted.content == b""
    await send(client, "GET", item_url, 404, "NOT_FOUND")


MISSING = "Bearer"
INVALID = 'Bearer error="invalid_token"'


def authorization(case: str, settings: Settings) -> str | None:
    """The Authorization header of each way to get authentication wrong."""
    secret = settings.jwt_secret.get_secret_value()
    now = int(time.time())
    valid: dict[str, object] = {"sub": "someone", "exp": now + 600}
    claims: dict[str, dict[str, object]] = {
        "expired": {**valid, "exp": now - 1},
        "without exp": {"sub": "someone"},
        "without sub": {"exp": now + 600},
        "empty sub": {**valid, "sub": ""},
        "not yet valid": {**valid, "nbf": now + 600},
    }
    if case in claims:
        return f"Bearer {jwt.encode(claims[case], secret, 'HS256')}"
    return {
        "no header": None,
        "basic": "Basic dXNlcjpwYXNz",
        "empty bearer": "Bearer ",
        "not a jwt": "Bearer not-a-jwt",
        "wrong secret": f"Bearer {jwt.encode(valid, 'another-secret-' * 3, 'HS256')}",
        "alg none": f"Bearer {jwt.encode(valid, '', 'none')}",
        "HS512": f"Bearer {jwt.encode(valid, secret, 'HS512')}",
    }[case]


# The HS512 token is signed with the service's own secret, which PyJWT finds short for HS512.
@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
@pytest.mark.parametrize(
    ("case", "challenge"),
    [
        ("no header", MISSING),
        ("basic", MISSING),
        ("empty bearer", MISSING),
        ("not a jwt", INVALID),
        ("wrong secret", INVALID),
        ("expired", INVALID),
        ("without exp", INVALID),
        ("without sub", INVALID),
        ("empty sub", INVALID),
        ("not yet valid", INVALID),
        ("alg none", INVALID),
        ("HS512", INVALID),
    ],
)
async def test_every_authentication_failure_is_the_same_401(
    client: AsyncClient, settings: Settings, case: str, challenge: str
) -> None:
    header = authorization(case, settings)
    anonymous = {"Authorization": header} if header is not None else {}
    client.headers.pop("Authorization")
    # With a malformed body: the service must not judge it before it knows the caller.
    response = await send(
        client, "POST", URL, 401, "UNAUTHORIZED", headers=anonymous, content=b"{not json"
    )
    assert response.headers["www-authenticate"] == challenge


@pytest.mark.parametrize(
    ("method", "path", "request_args"),
    [
        ("POST", "", {"json": {"name": "x"}}),
        ("PUT", "/{id}", {"json": {"name": "x"}}),
        ("PATCH", "/{id}", {"json": {}}),
        ("DELETE", "/{id}", {}),
    ],
)
async def test_a_caller_without_the_role_is_403(
    client: AsyncClient,
    settings: Settings,
    method: str,
    path: str,
    request_args: dict[str, Any],
) -> None:
    item = (await send(client, "POST", URL, 201, json={"name": "kept"})).json()
    reader = auth_headers(settings, "reader", roles=None)  # a valid token, with no role
    url = URL + path.format(id=item["id"])
    response = await send(client, method, url, 403, "FORBIDDEN", headers=reader, **request_args)
    assert response.headers["www-authenticate"] == 'Bearer error="insufficient_scope"'


async def chunks(size: int) -> AsyncIterator[bytes]:
    """A chunked body (no Content-Length) of `size` bytes."""
    for _ in range(0, size, 65536):
        yield b" " * 65536


JSON = {"Content-Type": "application/json"}
BAD = "VALIDATION_ERROR"
# Each row of the contract's status table: method, path after URL ({id} is an existing item),
# request arguments, then the status, code and `details` field expected.
ERRORS = [
    pytest.param("POST", "", {}, 400, BAD, "body", id="no body"),
    pytest.param(
        "POST",
        "",
        {"content": b"{}", "headers": {"Content-Type": "text/plain"}},
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        None,
        id="text/plain",
    ),
    pytest.param(
        "PUT",
        "/{id}",
        {"content": b"{}", "headers": {"Content-Type": "application/json; charset=latin-1"}},
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        None,
        id="latin-1",
    ),
    pytest.param(
        "POST",
        "",
        {"content": b" " * (MAX_BODY + 1), "headers": JSON},
        413,
        "CONTENT_TOO_LARGE",
        None,
        id="Content-Length too large",
    ),
    pytest.param(
        "PATCH",
        "/{id}",
        {"content": "chunked", "headers": JSON},
        413,
        "CONTENT_TOO_LARGE",
        None,
        id="chunked too large",
    ),
    pytest.param(
        "POST",
        "",
        {"content": b'{"name": ', "headers": JSON},
        400,
        BAD,
        "body",
        id="malformed JSON",
    ),
    pytest.param(
        "POST",
        "",
        {"content": b'["a list"]', "headers": JSON},
        400,
        BAD,
        "body",
        id="not an object",
    ),
    pytest.param(
        "POST",
        "",
        {"json": {"name": "x", "owner": "me"}},
        400,
        BAD,
        "body.owner",
        id="unknown field",
    ),
    pytest.param("POST", "", {"json": {"name": " \t\r\n"}}, 400, BAD, "body.name", id="blank name"),
    pytest.param("POST", "", {"json": {"name": "a\x00b"}}, 400, BAD, "body.name", id="NUL in body"),
    pytest.param(
        "POST",
        "",
        {"content": b'{"name": "\\ud800"}', "headers": JSON},
        400,
        BAD,
        "body.name",
        id="unpaired surrogate",
    ),
    pytest.param("PATCH", "/{id}", {"json": {"name": None}}, 400, BAD, "body.name", id="null name"),
    pytest.param(
        "PUT", "/not-a-uuid", {"json": {"name": "x"}}, 400, BAD, "path.id", id="malformed id"
    ),
    pytest.param("DELETE", "/not-a-uuid", {}, 400, BAD, "path.id", id="malformed id to delete"),
    pytest.param("GET", "?page=1&page=2", {}, 400, BAD, "query.page", id="parameter twice"),
    pytest.param("GET", "?limit=1.0", {}, 400, BAD, "query.limit", id="not digits"),
    pytest.param("GET", "?sort=id", {}, 400, BAD, "query.sort", id="unknown sort"),
    pytest.param(
        "GET", "?filter%5Bname%5D=%00", {}, 400, BAD, "query.filter[name]", id="NUL in filter"
    ),
    pytest.param("GET", "/{absent}", {}, 404, "NOT_FOUND", None, id="absent"),
    pytest.param(
        "PUT", "/{absent}", {"json": {"name": "x"}}, 404, "NOT_FOUND", None, id="absent PUT"
    ),
    pytest.param("POST", "", {"json": {"name": "taken"}}, 409, "CONFLICT", None, id="name taken"),
    pytest.param(
        "PATCH",
        "/{id}",
        {"json": {"name": "taken"}},
        409,
        "CONFLICT",
        None,
        id="renamed onto a taken name",
    ),
]


@pytest.mark.parametrize(("method", "path", "request_args", "status", "code", "field"), ERRORS)
async def test_each_error_of_the_contract(
    client: AsyncClient,
    method: str,
    path: str,
    request_args: dict[str, Any],
    status: int,
    code: str,
    field: str | None,
) -> None:
    await send(client, "POST", URL, 201, json={"name": "taken"})
    other = (await send(client, "POST", URL, 201, json={"name": "other"})).json()
    url = URL + path.format(id=other["id"], absent=uuid.uuid4())
    if request_args.get("content") == "chunked":
        request_args = {**request_args, "content": chunks(MAX_BODY + 65536)}
    response = await send(client, method, url, status, code, **request_args)
    if field is not None:
        assert field in [problem["field"] for problem in response.json()["error"]["details"]]


async def test_routes_the_document_does_not_list(client: AsyncClient) -> None:
    assert_error(await client.get(f"{URL}/"), 404, "NOT_FOUND")
    assert_error(await client.get(URL.upper()), 404, "NOT_FOUND")
    assert_error(await client.get("/api/v2/media-assets"), 404, "NOT_FOUND")
    # Metrics are served apart from the API, on PROMETHEUS_PORT: not a path of the API.
    assert_error(await client.get("/metrics"), 404, "NOT_FOUND")

    collection = await client.request("TRACE", URL)
    assert_error(collection, 405, "METHOD_NOT_ALLOWED")
    assert collection.headers["allow"] == "GET, HEAD, POST"
    item = await client.post(f"{URL}/{uuid.uuid4()}", json={"name": "x"})
    assert_error(item, 405, "METHOD_NOT_ALLOWED")
    assert item.headers["allow"] == "GET, HEAD, PUT, PATCH, DELETE"
    assert item.json()["error"]["message"] == (
        "method POST not allowed (allowed: GET, HEAD, PUT, PATCH, DELETE)"
    )


async def test_get_paths_answer_head(client: AsyncClient) -> None:
    created = (await send(client, "POST", URL, 201, json={"name": "head"})).json()
    for url in (URL, f"{URL}/{created['id']}", "/live", "/health", "/ready"):
        await send(client, "HEAD", url, 200)


async def test_probes_follow_the_contract(client: AsyncClient) -> None:
    assert (await send(client, "GET", "/live", 200)).json() == {"status": "alive"}
    health = await send(client, "GET", "/health", 200)
    assert health.json()["dependencies"]["database"]["status"] == "healthy"
    await send(client, "GET", "/ready", 200)


async def test_probes_follow_the_contract_while_a_required_service_is_down(
    settings: Settings,
) -> None:
    """The 503 answers, with an external service in them: nothing listens on port 9."""
    down = settings.model_copy(
        update={
            "external_services": ["billing"],
            "required_external_services": ["billing"],
            "external_service_urls": {"billing": "http://127.0.0.1:9"},
        }
    )
    app = create_app(down)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://localhost") as client:
        health = await send(client, "GET", "/health", 503)
        billing = health.json()["dependencies"]["external_services"]["billing"]
        assert (billing["status"], billing["required"]) == ("unhealthy", True)
        ready = await send(client, "GET", "/ready", 503)
        assert ready.json()["checks"]["external_dependencies"] is False
        assert (await send(client, "GET", "/live", 200)).json() == {"status": "alive"}
    await app.state.http_client.aclose()
    await app.state.engine.dispose()

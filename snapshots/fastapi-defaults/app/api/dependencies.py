"""FastAPI dependencies shared by the routers: settings, database session, the rate limit,
caller identity and roles, and the JSON body.

Nothing is declared the FastAPI way (body models, Query parameters): FastAPI would read and
judge those before the router's authentication runs, and answer 422. Here the order of the
checks is the contract's (docs/contract.md): 429, 401, 403, then 400 no body, 415, 413, 400
malformed JSON, then the fields and parameters (400). FastAPI solves a router's dependencies,
then a route's, then the endpoint's parameters, in the order declared: so /api/v1's router
counts the request (`count_request`), the resource's router authenticates
(`require_principal`), the route checks the roles (`require_role`), and only then are the body
and the id read.

Dependencies are `async def` even when they await nothing: FastAPI runs a plain `def` in a worker
thread, a hand-off that costs more than the function.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request, params
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.errors import (
    ApiError,
    ContentTooLargeError,
    ForbiddenError,
    InvalidRequestError,
    Problem,
    ServiceUnavailableError,
    TooManyRequestsError,
    UnauthorizedError,
    UnsupportedMediaTypeError,
)
from app.core.jwks import SigningKeysUnavailableError
from app.core.rate_limit import STATE_KEY as RATE_LIMIT_STATE
from app.core.rate_limit import RateLimiter
from app.core.security import InvalidTokenError, Principal, TokenVerifier


async def get_settings_from_app(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings_from_app)]


# Methods that only read: their sessions run in autocommit (app/db/session.py).
READ_METHODS = frozenset({"GET", "HEAD"})


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    state = request.app.state
    # Requests take the pool's connections first come, first served (app.state.db_turns); the
    # wait is bounded as the pool's own is, by DB_CONNECT_TIMEOUT.
    async with asyncio.timeout(state.settings.db_connect_timeout):
        await state.db_turns.acquire()
    try:
        reads = request.method in READ_METHODS
        async with (state.read_sessionmaker if reads else state.sessionmaker)() as session:
            yield session
    finally:
        state.db_turns.release()


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def bearer_token(request: Request) -> str | None:
    """The token of `Authorization: Bearer <JWT>`, None when there is none."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def get_caller(request: Request) -> Principal | ApiError:
    """The caller a valid bearer token names, else the answer that refuses the request: 401, or
    503 when the token names an identity provider's key that cannot be fetched now (the token
    may well be good, and a client drops a token on 401). FastAPI keeps the answer for the
    request, so the token is verified once, for the rate limit and the authentication."""
    token = bearer_token(request)
    if token is None:
        return UnauthorizedError("missing bearer token", headers={"WWW-Authenticate": "Bearer"})
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        principal = await verifier.verify(token)
    except SigningKeysUnavailableError:
        return ServiceUnavailableError("signing keys are unavailable")
    except InvalidTokenError:
        challenge = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        return UnauthorizedError("invalid bearer token", headers=challenge)
    request.state.user_id = principal.subject  # for the request log line
    return principal


CallerDep = Annotated[Principal | ApiError, Depends(get_caller)]


async def count_request(request: Request, caller: CallerDep) -> None:
    """Counts the request against its client's budget (app/core/rate_limit.py), before the
    authentication judges it: the client is the token's subject when the token is valid, else
    the address the request came from (uvicorn's ProxyHeadersMiddleware has read it from
    X-Forwarded-For when a trusted proxy sent it). Over budget: 429, even without a token."""
    limiter: RateLimiter | None = request.app.state.rate_limiter
    if limiter is None:  # RATE_LIMIT_REQUESTS=0
        return
    if isinstance(caller, Principal):
        client = f"sub:{caller.subject}"
    else:
        client = f"ip:{request.client.host if request.client else 'unknown'}"
    standing = await limiter.count(client)
    setattr(request.state, RATE_LIMIT_STATE, standing)  # the headers of any answer
    if standing.exceeded:
        retry_after = {"Retry-After": str(standing.reset)}
        raise TooManyRequestsError(limiter.message(), headers=retry_after)


async def require_principal(caller: CallerDep) -> Principal:
    """The caller, from `Authorization: Bearer <JWT>`. Every invalid token gets the same 401:
    the answer does not say which check failed."""
    if isinstance(caller, ApiError):
        raise caller
    return caller


PrincipalDep = Annotated[Principal, Depends(require_principal)]


def require_role(roles: tuple[str, ...]) -> params.Depends:
    """A route's permission, for its `dependencies`: the caller needs one of `roles`, else 403.
    It runs after the router's `require_principal` (whose answer FastAPI keeps for the request,
    so the token is verified once) and before anything of the body or the id is read, so a 403
    does not tell whether the item exists."""
    message = "requires the role " + " or ".join(roles)

    async def check_roles(principal: PrincipalDep) -> None:
        if principal.roles.isdisjoint(roles):
            challenge = {"WWW-Authenticate": 'Bearer error="insufficient_scope"'}
            raise ForbiddenError(message, headers=challenge)

    return params.Depends(check_roles)  # what Depends() makes, with its type


def is_json(content_type: str) -> bool:
    """application/json, in UTF-8 when a charset is given."""
    media_type, *parameters = content_type.split(";")
    if media_type.strip().lower() != "application/json":
        return False
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() != "utf-8":
            return False
    return True


def reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")  # Python's json module would take NaN and Infinity


async def json_object(request: Request, settings: SettingsDep) -> dict[str, Any]:
    """The request's body: a JSON object of at most REQUEST_BODY_MAX_BYTES.

    Declare it after the router's authentication dependency, which then runs first.
    """
    headers = request.headers
    chunked = "chunked" in headers.get("transfer-encoding", "").lower()
    length = int(headers.get("content-length") or 0)
    if not chunked and length == 0:
        raise InvalidRequestError([Problem("body", "is required")])
    encodings = ",".join(headers.getlist("content-encoding")).split(",")
    identity = all(coding.strip().lower() in {"", "identity"} for coding in encodings)
    if not is_json(headers.get("content-type", "")) or not identity:
        raise UnsupportedMediaTypeError()
    limit = settings.request_body_max_bytes
    if length > limit:  # refused before reading a byte of it
        raise ContentTooLargeError(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:  # a chunked body, refused once it passes the limit
            raise ContentTooLargeError(limit)
    try:
        document = json.loads(body.decode("utf-8"), parse_constant=reject_constant)
    except (ValueError, RecursionError):  # not UTF-8, not JSON, too deeply nested
        raise InvalidRequestError([Problem("body", "must be valid JSON")]) from None
    if not isinstance(document, dict):
        raise InvalidRequestError([Problem("body", "must be a JSON object")])
    return document


JsonObject = Annotated[dict[str, Any], Depends(json_object)]

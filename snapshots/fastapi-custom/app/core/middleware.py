"""Pure ASGI middleware (no BaseHTTPMiddleware overhead): correlation ids and request logs,
security headers, CORS, and the 500 envelope."""

import json
import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import allowed_methods, error_body
from app.core.logging import correlation_id_var
from app.core.metrics import route_template

logger = logging.getLogger("app.request")

# A client's correlation id is kept only if it cannot forge a log line.
VALID_CORRELATION_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# The OWASP REST cheat sheet's baseline; HSTS is left to the ingress, which terminates TLS.
SECURITY_HEADERS = {
    "cache-control": "no-store",
    "content-security-policy": "frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
CORS_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE"


class RequestContextMiddleware:
    """The outermost layer: takes the correlation id from the request (or makes one), exposes it
    to every log line of the request, echoes it and the security headers on every response, and
    logs one `HTTP Request` line per request."""

    def __init__(self, app: ASGIApp, header: str) -> None:
        self.app = app
        self.header = header

    def correlation_id(self, headers: Headers) -> str:
        given = headers.get(self.header) or headers.get("x-request-id")
        if given and VALID_CORRELATION_ID.fullmatch(given):
            return given
        return str(uuid.uuid4())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        correlation_id = self.correlation_id(request_headers)
        token = correlation_id_var.set(correlation_id)
        # request.state: the authentication dependency leaves the caller's id there.
        state = scope.setdefault("state", {})
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers[self.header] = correlation_id
                headers.update(SECURITY_HEADERS)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            query = scope.get("query_string", b"").decode("latin-1")
            path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
            fields = {
                "method": scope["method"],
                "url": f"{path}?{query}" if query else path,
                "statusCode": status,
                "responseTime": round((time.perf_counter() - started) * 1000, 2),
                "userAgent": request_headers.get("user-agent"),
                "ip": scope["client"][0] if scope.get("client") else None,
                "userId": state.get("user_id"),
                "route": route_template(scope),
            }
            logger.info("HTTP Request", extra={k: v for k, v in fields.items() if v is not None})
            correlation_id_var.reset(token)


class CorsMiddleware:
    """CORS for the origins of CORS_ORIGINS, exactly as written there; no credentials (the API
    takes bearer tokens, not cookies). Any other origin gets no CORS header, and its preflight is
    an ordinary OPTIONS request (405). A preflight to an unknown path is a 404, as the contract's
    order wants."""

    def __init__(self, app: ASGIApp, origins: list[str], correlation_header: str) -> None:
        self.app = app
        self.origins = set(origins)
        self.correlation_header = correlation_header

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope) if scope["type"] == "http" else Headers()
        origin = headers.get("origin")
        if origin not in self.origins:
            await self.app(scope, receive, send)
            return
        allowed = {
            "access-control-allow-origin": origin,
            # A browser app may read the correlation id and where it stands against the rate
            # limit (app/core/rate_limit.py).
            "access-control-expose-headers": (
                f"{self.correlation_header}, RateLimit, RateLimit-Policy, Retry-After"
            ),
        }
        preflight = scope["method"] == "OPTIONS" and "access-control-request-method" in headers
        if preflight and allowed_methods(scope):
            answer = {
                **allowed,
                "vary": "Origin",
                "access-control-allow-methods": CORS_METHODS,
                "access-control-allow-headers": (
                    f"Authorization, Content-Type, {self.correlation_header}"
                ),
                "access-control-max-age": "600",
            }
            await send(
                {
                    "type": "http.response.start",
                    "status": 204,
                    "headers": [(k.encode(), v.encode()) for k, v in answer.items()],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                response_headers.update(allowed)
                response_headers.add_vary_header("Origin")
            await send(message)

        await self.app(scope, receive, send_with_cors)


class InternalErrorMiddleware:
    """Turns an unhandled exception into the 500 envelope, inside the layers that add the
    correlation id, the security and CORS headers, and count the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response_started = False

        async def send_and_track(message: Message) -> None:
            nonlocal response_started
            response_started |= message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_and_track)
        except Exception:
            logger.exception("Unhandled error")
            if response_started:
                raise
            body = json.dumps(error_body("INTERNAL_ERROR", "internal server error")).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})

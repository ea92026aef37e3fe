"""Correlation ids and request logs, as pure ASGI middleware (no BaseHTTPMiddleware overhead)."""

import json
import logging
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import error_body
from app.core.logging import correlation_id_var

logger = logging.getLogger("app.request")


class CorrelationIdMiddleware:
    """Takes the correlation id from the request (or makes one), exposes it to every log line of
    the request, echoes it in the response, and logs one line per request.

    It also turns an unhandled exception into the standard 500 error envelope, so that even that
    response carries the correlation id.
    """

    def __init__(self, app: ASGIApp, header: str = "x-correlation-id") -> None:
        self.app = app
        self.header = header.lower().encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        incoming = headers.get(self.header) or headers.get(b"x-request-id")
        correlation_id = incoming.decode("latin-1")[:128] if incoming else str(uuid.uuid4())
        token = correlation_id_var.set(correlation_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_header(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message["headers"] = [
                    *message.get("headers", []),
                    (self.header, correlation_id.encode("latin-1")),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_header)
        except Exception:
            logger.exception("Unhandled error")
            if response_started:
                raise
            await self._send_internal_error(send_with_header)
        finally:
            logger.info(
                "HTTP request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status_code": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "client_ip": scope["client"][0] if scope.get("client") else None,
                },
            )
            correlation_id_var.reset(token)

    async def _send_internal_error(self, send: Send) -> None:
        body = error_body(500, "Internal server error")
        payload = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 500,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": payload})

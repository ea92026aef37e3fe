"""Load shedding and a deadline for each /api/v1 request (docs/contract.md, Statuses).

At most MAX_CONCURRENT_REQUESTS /api/v1 requests are in progress at once: one more is answered
503 at once, before its rate limit and authentication, so an overloaded service answers fast
instead of queueing work it will finish too late. Each admitted request is answered within
REQUEST_TIMEOUT: at the deadline its handler's task is cancelled, which makes psycopg send
PostgreSQL a cancel request for the statement it waits for, and the client gets a 503. The
probes are neither shed nor timed (Kubernetes must still see the pod), and an unknown route or
method (404, 405) is answered as it is, without taking a place.
"""

import asyncio
import json

from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.config import duration_words
from app.core.errors import error_body

API_PREFIX = "/api/v1/"


def route_exists(scope: Scope) -> bool:
    """Whether a route serves the request's method on its path (not a 404 nor a 405)."""
    routes = scope["app"].router.routes
    return any(route.matches(scope)[0] == Match.FULL for route in routes)


async def send_unavailable(send: Send, message: str, headers: dict[str, str]) -> None:
    """The 503 envelope, SERVICE_UNAVAILABLE."""
    body = json.dumps(error_body("SERVICE_UNAVAILABLE", message)).encode()
    fields = {"content-type": "application/json", "content-length": str(len(body)), **headers}
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [(name.encode(), value.encode()) for name, value in fields.items()],
        }
    )
    await send({"type": "http.response.body", "body": body})


class AdmissionMiddleware:
    """Admits an /api/v1 request when a place is free, and answers it by its deadline."""

    def __init__(self, app: ASGIApp, max_in_progress: int, timeout: float) -> None:
        self.app = app
        self.max_in_progress = max_in_progress
        self.timeout = timeout
        self.deadline_message = f"request took longer than {duration_words(timeout)}"
        # One event loop: counting needs no lock.
        self.in_progress = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or not scope["path"].startswith(API_PREFIX)
            or not route_exists(scope)
        ):
            await self.app(scope, receive, send)
            return
        if self.in_progress >= self.max_in_progress:
            await send_unavailable(send, "too many requests in progress", {"retry-after": "1"})
            return
        self.in_progress += 1
        try:
            await self.answer_by_deadline(scope, receive, send)
        finally:
            self.in_progress -= 1

    async def answer_by_deadline(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def send_and_track(message: Message) -> None:
            nonlocal started
            started |= message["type"] == "http.response.start"
            await send(message)

        deadline = asyncio.timeout(self.timeout)
        try:
            async with deadline:
                await self.app(scope, receive, send_and_track)
        except TimeoutError:
            if not deadline.expired():
                raise  # not the deadline's: not this layer's to answer
            # The handler's task was cancelled: it sends nothing more. An answer it had begun
            # cannot be replaced; the server ends it.
            if not started:
                await send_unavailable(send, self.deadline_message, {})

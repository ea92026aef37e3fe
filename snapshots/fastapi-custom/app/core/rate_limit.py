"""Rate limiting per client (docs/contract.md): RATE_LIMIT_REQUESTS per RATE_LIMIT_WINDOW.

Each client has a fixed window that starts at its first counted request; the request that
passes the limit in it, and every later one until the window ends, is refused (429). Each
counted answer says where the client stands in the RateLimit-Policy and RateLimit headers
(draft-ietf-httpapi-ratelimit-headers-10), so a client can slow down before it is refused.

The counts are kept in Redis, so every replica shares one budget; while Redis fails, each
replica counts in its own memory instead (a request is never refused for the cache alone).
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.cache import Cache, CacheUnavailableError
from app.core.config import Settings

# The policy's name in the headers: one policy for every client.
POLICY = "default"
# Where the counting dependency leaves the client's standing for RateLimitHeadersMiddleware.
STATE_KEY = "rate_limit"


@dataclass(frozen=True)
class Usage:
    """A client's window after counting a request: its requests so far, this one included, and
    the seconds until the window ends."""

    count: int
    ends_in: float


@dataclass(frozen=True)
class Standing:
    """Where a client stands against the policy, after counting its request."""

    limit: int
    window: int  # seconds
    usage: Usage

    @property
    def exceeded(self) -> bool:
        return self.usage.count > self.limit

    @property
    def reset(self) -> int:
        """Seconds until the window ends, rounded up: at least 1, as the headers say it."""
        return max(1, math.ceil(self.usage.ends_in))

    def headers(self) -> dict[str, str]:
        remaining = max(0, self.limit - self.usage.count)
        return {
            "RateLimit-Policy": f'"{POLICY}";q={self.limit};w={self.window}',
            "RateLimit": f'"{POLICY}";r={remaining};t={self.reset}',
        }


class Counter(Protocol):
    async def count(self, client: str) -> Usage: ...


class MemoryCounter:
    """The windows of this process's clients. Windows that ended are dropped once per window,
    so the map holds the clients of the last two windows at most. A count awaits nothing, so
    no other request runs in the middle of one (one event loop)."""

    def __init__(self, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self.clock = clock
        self.windows: dict[str, tuple[int, float]] = {}  # client -> (count, when it ends)
        self.next_sweep = clock() + window

    def hit(self, client: str) -> Usage:
        now = self.clock()
        if now >= self.next_sweep:
            self.sweep(now)
        count, ends = self.windows.get(client, (0, now))
        if ends <= now:  # no window yet, or it ended: this request starts one
            count, ends = 0, now + self.window
        self.windows[client] = (count + 1, ends)
        return Usage(count + 1, ends - now)

    async def count(self, client: str) -> Usage:
        return self.hit(client)

    def sweep(self, now: float) -> None:
        self.windows = {client: w for client, w in self.windows.items() if w[1] > now}
        self.next_sweep = now + self.window


# Counts the request and reads the window's end in one round trip, atomically: the key
# expires with the window, which its first request starts (a key left without one by a failed
# call gets it at the next).
COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if count == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


class RedisCounter:
    """The windows in Redis under `<SERVICE_NAME>:ratelimit:<client>`, shared by every replica.
    When Redis fails, the request is counted in `fallback` (this process's memory), and the
    failure counted and logged as the cache's own (`rate_limit` operation)."""

    def __init__(self, redis: Redis, prefix: str, window: float, fallback: MemoryCounter) -> None:
        self.script = redis.register_script(COUNT_SCRIPT)  # EVALSHA, loading it when missing
        self.prefix = prefix
        self.window_ms = round(window * 1000)
        self.fallback = fallback

    async def count(self, client: str) -> Usage:
        try:
            async with Cache.operation("rate_limit"):
                reply = self.script(keys=[self.prefix + client], args=[self.window_ms])
                count, ttl_ms = await Cache.command(reply)
        except CacheUnavailableError:
            return self.fallback.hit(client)
        return Usage(int(count), int(ttl_ms) / 1000)


class RateLimiter:
    """RATE_LIMIT_REQUESTS per RATE_LIMIT_WINDOW for each client."""

    def __init__(self, limit: int, window: float, counter: Counter) -> None:
        self.limit = limit
        self.window = round(window)
        self.counter = counter

    async def count(self, client: str) -> Standing:
        return Standing(self.limit, self.window, await self.counter.count(client))

    def message(self) -> str:
        return f"rate limit of {self.limit} requests per {self.window} s exceeded"


def create_rate_limiter(settings: Settings, redis: Redis) -> RateLimiter | None:
    """The service's rate limiter; None when RATE_LIMIT_REQUESTS is 0 (no limit)."""
    if settings.rate_limit_requests == 0:
        return None
    window = settings.rate_limit_window
    prefix = f"{settings.service_name}:ratelimit:"
    counter = RedisCounter(redis, prefix, window, MemoryCounter(window))
    return RateLimiter(settings.rate_limit_requests, window, counter)


class RateLimitHeadersMiddleware:
    """Puts the RateLimit headers on the answer of every counted request, whatever its status:
    the counting dependency (app/api/dependencies.py) left the client's standing in the
    request's state. Outside the layer that makes the 500 envelope, so a 500 has them too; a
    request not counted (404, 405, the probes) has none."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})

        async def send_with_headers(message: Message) -> None:
            standing: Standing | None = state.get(STATE_KEY)
            if message["type"] == "http.response.start" and standing is not None:
                MutableHeaders(scope=message).update(standing.headers())
            await send(message)

        await self.app(scope, receive, send_with_headers)

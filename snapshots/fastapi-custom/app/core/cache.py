"""The read cache in Redis (docs/contract.md, Cache).

Reads are kept under `<SERVICE_NAME>:<resource>:` keys for CACHE_TTL at most: `item:<id>` for
one item, `list:<generation>:<query>` for a page. A write deletes the item's key and increments
`generation`, which puts every cached page out of use at once (they expire by themselves).

Redis is an optimisation, never a dependency of an answer: when it is down, refuses or is slow,
every method here answers as if nothing were cached (a miss, or nothing done), after counting
the failure and logging `cache unavailable`. No command waits longer than COMMAND_TIMEOUT and
none is retried, so an outage costs a request that long at most per command.
"""

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import TypeVar

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from app.core.config import Settings
from app.core.metrics import CACHE_OPERATION_DURATION, CACHE_OPERATIONS

logger = logging.getLogger(__name__)

COMMAND_TIMEOUT = 0.5  # seconds
GENERATION = "generation"

T = TypeVar("T")


def create_redis(settings: Settings) -> Redis:
    """The service's Redis client: connecting and every command give up after COMMAND_TIMEOUT,
    with no retry (the client's default retries with back-off, for seconds)."""
    return Redis.from_url(
        settings.redis_url,
        socket_connect_timeout=COMMAND_TIMEOUT,
        socket_timeout=COMMAND_TIMEOUT,
        retry=Retry(NoBackoff(), retries=0),
    )


def text(reply: bytes | str | None) -> str | None:
    """A GET's reply as text: the client answers bytes."""
    return reply.decode() if isinstance(reply, bytes) else reply


class CacheUnavailableError(Exception):
    """Redis failed: refused, down or slower than COMMAND_TIMEOUT."""


class Operation:
    """What one cache operation found out: `hit` or `miss` for a `get`, else `ok`."""

    def __init__(self) -> None:
        self.result = "ok"


class Cache:
    """The cached reads of one resource, as text (their JSON)."""

    def __init__(self, redis: Redis, prefix: str, ttl_seconds: float) -> None:
        self.redis = redis
        self.prefix = prefix  # <SERVICE_NAME>:<resource>:
        self.ttl_ms = round(ttl_seconds * 1000)  # CACHE_TTL may be in milliseconds

    async def get(self, key: str) -> str | None:
        """The text kept at `key`; None when there is none or Redis failed."""
        try:
            async with self.operation("get") as operation:
                value = text(await self.command(self.redis.get(self.prefix + key)))
                operation.result = "miss" if value is None else "hit"
                return value
        except CacheUnavailableError:
            return None

    async def get_list(self, query: str) -> tuple[str | None, str | None]:
        """The page kept for `query` in the current generation (None when there is none), and
        the key to keep it under after a miss; (None, None) when Redis failed."""
        try:
            async with self.operation("get") as operation:
                generation = await self.command(self.redis.get(self.prefix + GENERATION))
                key = f"list:{int(generation or 0)}:{query}"
                value = text(await self.command(self.redis.get(self.prefix + key)))
                operation.result = "miss" if value is None else "hit"
                return value, key
        except CacheUnavailableError:
            return None, None

    async def set(self, key: str, value: str) -> None:
        """Keeps `value` at `key` for CACHE_TTL; nothing when Redis failed."""
        try:
            async with self.operation("set"):
                await self.command(self.redis.set(self.prefix + key, value, px=self.ttl_ms))
        except CacheUnavailableError:
            pass

    async def invalidate(self, key: str) -> None:
        """Drops `key` and every cached page, in one transaction. When Redis fails they stay
        until they expire: a write never fails for the cache."""
        try:
            async with self.operation("invalidate"):
                transaction = self.redis.pipeline(transaction=True)
                transaction.delete(self.prefix + key)
                transaction.incr(self.prefix + GENERATION)
                await self.command(transaction.execute())
        except CacheUnavailableError:
            pass

    @staticmethod
    async def command(reply: Awaitable[T]) -> T:
        """The reply of one command, which gives up after COMMAND_TIMEOUT whatever it waits for
        (the socket timeouts do not cover resolving Redis's host name)."""
        try:
            async with asyncio.timeout(COMMAND_TIMEOUT):
                return await reply
        except (RedisError, OSError, TimeoutError) as error:
            raise CacheUnavailableError(str(error) or type(error).__name__) from error

    @staticmethod
    @asynccontextmanager
    async def operation(name: str) -> AsyncIterator[Operation]:
        """Counts and times the block as one cache operation; a failure of Redis is counted as
        an `error` and logged, then raised as CacheUnavailableError."""
        started = time.perf_counter()
        operation = Operation()
        try:
            yield operation
        except CacheUnavailableError as error:
            operation.result = "error"
            logger.warning("cache unavailable", extra={"operation": name, "reason": str(error)})
            raise
        finally:
            CACHE_OPERATIONS.labels(name, operation.result).inc()
            CACHE_OPERATION_DURATION.labels(name).observe(time.perf_counter() - started)

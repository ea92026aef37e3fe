"""Prometheus metrics with the names of the Visiobook guidelines (5.3)."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from prometheus_client import Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HTTP_REQUEST_DURATION = Histogram(
    "http_request_duration_seconds",
    "Duration of HTTP requests in seconds",
    ["method", "route", "status_code"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5),
)
HTTP_REQUESTS = Counter(
    "http_requests_total", "Total number of HTTP requests", ["method", "route", "status_code"]
)
HTTP_REQUEST_ERRORS = Counter(
    "http_request_errors_total",
    "Total number of HTTP request errors",
    ["method", "route", "error_type"],
)
DB_CONNECTIONS_ACTIVE = Gauge("db_connections_active", "Number of active database connections")
# The pool's size (DB_POOL_SIZE): db_connections_active / db_connections_max is its saturation.
DB_CONNECTIONS_MAX = Gauge(
    "db_connections_max", "Most database connections the pool may open (DB_POOL_SIZE)"
)
# Labelled by app/db/query_metrics.py, which times every statement the engine sends.
DB_QUERY_DURATION = Histogram(
    "db_query_duration_seconds",
    "Duration of database queries in seconds",
    ["operation", "table"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 2),
)
DB_QUERY_ERRORS = Counter(
    "db_query_errors_total",
    "Total number of failed database queries",
    ["operation", "table", "error_type"],
)
BUSINESS_OPERATIONS = Counter(
    "business_operations_total", "Total number of business operations", ["operation", "status"]
)
BUSINESS_OPERATION_DURATION = Histogram(
    "business_operation_duration_seconds",
    "Duration of business operations in seconds",
    ["operation"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5),
)
# Fetches of the identity provider's key set (JWT_JWKS_URL, app/core/jwks.py): `success`, or
# `failure` when the provider could not be reached or sent no key set.
JWKS_FETCHES = Counter(
    "jwks_fetches_total", "Total number of fetches of the identity provider's key set", ["outcome"]
)
# Counted by app/core/cache.py: `get` is a hit or a miss, `set` and `invalidate` ok; any of them
# is an error when Redis failed.
CACHE_OPERATIONS = Counter(
    "cache_operations_total", "Total number of cache operations", ["operation", "result"]
)
CACHE_OPERATION_DURATION = Histogram(
    "cache_operation_duration_seconds",
    "Duration of cache operations in seconds",
    ["operation"],
    buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.5),
)

# Requests that match no route share one label, so random paths cannot explode cardinality.
UNMATCHED_ROUTE = "<unmatched>"


def track_db_connections(checked_out: Callable[[], int], pool_size: int) -> None:
    DB_CONNECTIONS_ACTIVE.set_function(checked_out)
    DB_CONNECTIONS_MAX.set(pool_size)


@contextmanager
def track(operation: str) -> Iterator[None]:
    """Counts and times the block as one operation: `success`, or `error` when it raises."""
    started = time.perf_counter()
    status = "error"
    try:
        yield
        status = "success"
    finally:
        BUSINESS_OPERATIONS.labels(operation, status).inc()
        BUSINESS_OPERATION_DURATION.labels(operation).observe(time.perf_counter() - started)


def route_template(scope: Scope) -> str:
    """The path template of the route that matched, e.g. /api/v1/items/{id}, not the raw path.

    FastAPI keeps a route's template as its router declared it, without the prefixes the router
    was included under: those are the first segments of the path itself.
    """
    route = scope.get("route")
    if route is None:
        return UNMATCHED_ROUTE
    template = route.path_format.split("/")[1:]
    path = scope["path"].split("/")
    return "/".join(path[: len(path) - len(template)] + template)


class MetricsMiddleware:
    """Pure ASGI middleware: times every HTTP request and labels it with its route template."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_capture_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_capture_status)
        finally:
            route = route_template(scope)
            method = scope["method"]
            HTTP_REQUEST_DURATION.labels(method, route, str(status)).observe(
                time.perf_counter() - started
            )
            HTTP_REQUESTS.labels(method, route, str(status)).inc()
            if status >= 400:
                error_type = "server_error" if status >= 500 else "client_error"
                HTTP_REQUEST_ERRORS.labels(method, route, error_type).inc()

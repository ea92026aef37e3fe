"""Probes (guidelines 5.1, docs/contract.md): /live, /health and /ready at the root of the
service. /metrics is served apart from the API, on PROMETHEUS_PORT (app/metrics.py)."""

import asyncio
import time
from collections.abc import Awaitable
from pathlib import Path

import httpx
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import Settings
from app.core.timestamps import now
from app.models.health import (
    Dependencies,
    Dependency,
    HealthResponse,
    LivenessResponse,
    ReadinessChecks,
    ReadinessResponse,
)

router = APIRouter()

MIGRATIONS = Path(__file__).resolve().parents[3] / "alembic"
STARTED = time.monotonic()
# Every check gives up after this long, and they run at once: a probe answers within about
# that long whatever hangs (the chart's readinessProbe waits 3 seconds).
CHECK_TIMEOUT = 2.0


def create_http_client() -> httpx.AsyncClient:
    """The client the probes check external services with: no redirect is followed, and no
    step of a request (connecting, sending, waiting for the answer) takes longer than a check."""
    return httpx.AsyncClient(timeout=CHECK_TIMEOUT, follow_redirects=False)


async def database_answers(engine: AsyncEngine) -> bool:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
    return True


async def redis_answers(redis: Redis) -> bool:
    return bool(await redis.ping())


async def migrations_at_head(engine: AsyncEngine) -> bool:
    heads = set(ScriptDirectory(str(MIGRATIONS)).get_heads())
    async with engine.connect() as connection:
        rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
        applied = {row[0] for row in rows}
    return applied == heads


async def service_healthy(client: httpx.AsyncClient, base_url: str) -> bool:
    """Another service's /health: healthy on any 2xx answer (a redirect is not one)."""
    response = await client.get(base_url.rstrip("/") + "/health")
    return response.is_success


async def timed(check: Awaitable[bool]) -> tuple[bool, float]:
    """Whether the check passed within CHECK_TIMEOUT, and how long it took in milliseconds.
    Any failure (refused, timed out, no table yet, ...) is a failed check to a probe."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            passed = await check
    except Exception:
        passed = False
    return passed, round((time.perf_counter() - started) * 1000, 1)


def dependency(check: tuple[bool, float], required: bool) -> Dependency:
    passed, latency_ms = check
    return Dependency(
        status="healthy" if passed else "unhealthy", latency_ms=latency_ms, required=required
    )


@router.api_route("/live", methods=["GET", "HEAD"], response_model=LivenessResponse)
async def live() -> LivenessResponse:
    """Liveness: 200 while the process serves requests. It checks nothing else, so kubelet
    restarts a pod only when the process itself is stuck, never for a database outage."""
    return LivenessResponse(status="alive")


@router.api_route("/health", methods=["GET", "HEAD"])
async def health(request: Request) -> JSONResponse:
    """Every dependency with its state, how long its check took and whether the service needs
    it; 503 while a required one is unhealthy."""
    settings: Settings = request.app.state.settings
    client: httpx.AsyncClient = request.app.state.http_client
    services, urls = settings.external_services, settings.external_service_urls
    database, redis, *checked = await asyncio.gather(
        timed(database_answers(request.app.state.engine)),
        timed(redis_answers(request.app.state.redis)),
        *(timed(service_healthy(client, urls[service])) for service in services),
    )
    dependencies = Dependencies(
        database=dependency(database, required=True),
        # Reported, not required: the API answers from the database while Redis is down, and
        # every replica shares it, so a 503 here would turn a cache outage into a full one.
        redis=dependency(redis, required=False),
        external_services={
            service: dependency(check, required=service in settings.required_external_services)
            for service, check in zip(services, checked, strict=True)
        },
    )
    required = [dependencies.database] + [
        state for state in dependencies.external_services.values() if state.required
    ]
    is_healthy = all(state.status == "healthy" for state in required)
    body = HealthResponse(
        status="healthy" if is_healthy else "unhealthy",
        timestamp=now(),
        service=settings.service_name,
        version=settings.service_version,
        uptime=round(time.monotonic() - STARTED, 3),
        dependencies=dependencies,
    )
    return JSONResponse(body.model_dump(), status_code=200 if is_healthy else 503)


@router.api_route("/ready", methods=["GET", "HEAD"])
async def ready(request: Request) -> JSONResponse:
    """Readiness: the database answers, its schema is at the newest migration and every
    required external service is healthy. Redis is not checked: every replica shares
    it and the API answers without it, so a cache outage must not take every pod out of the
    Service."""
    settings: Settings = request.app.state.settings
    engine = request.app.state.engine
    client: httpx.AsyncClient = request.app.state.http_client
    (database, _), (migrations, _), *required = await asyncio.gather(
        timed(database_answers(engine)),
        timed(migrations_at_head(engine)),
        *(
            timed(service_healthy(client, settings.external_service_urls[service]))
            for service in settings.required_external_services
        ),
    )
    checks = ReadinessChecks(
        database=database,
        database_migrations=migrations,
        external_dependencies=all(passed for passed, _ in required),
        configuration=True,  # settings were validated at start-up, or the app would not run
    )
    is_ready = all(checks.model_dump().values())
    body = ReadinessResponse(
        status="ready" if is_ready else "not_ready", timestamp=now(), checks=checks
    )
    return JSONResponse(body.model_dump(), status_code=200 if is_ready else 503)

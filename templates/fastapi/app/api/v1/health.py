"""Probes (guidelines 5.1): /health and /ready at the root of the service. /metrics is served
apart from the API, on PROMETHEUS_PORT (app/metrics.py)."""

import asyncio
import time
from pathlib import Path

from alembic.script import ScriptDirectory
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.timestamps import now
from app.models.health import HealthResponse, ReadinessChecks, ReadinessResponse

router = APIRouter()

MIGRATIONS = Path(__file__).resolve().parents[3] / "alembic"
STARTED = time.monotonic()


async def database_reachable(engine: AsyncEngine, seconds: float) -> bool:
    try:
        async with asyncio.timeout(seconds), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:  # any failure means "not reachable" to a probe
        return False
    return True


async def migrations_at_head(engine: AsyncEngine, seconds: float) -> bool:
    heads = set(ScriptDirectory(str(MIGRATIONS)).get_heads())
    try:
        async with asyncio.timeout(seconds), engine.connect() as connection:
            rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
            applied = {row[0] for row in rows}
    except Exception:  # no table yet, or no database
        return False
    return applied == heads


@router.api_route("/health", methods=["GET", "HEAD"], response_model=HealthResponse)
async def health(request: Request) -> HealthResponse:
    """Liveness: 200 as long as the process serves requests.

    The database state is reported but does not fail the probe: restarting pods cannot fix a
    database outage, and Kubernetes would restart every replica at once. /ready covers it.
    """
    settings = request.app.state.settings
    database = await database_reachable(request.app.state.engine, seconds=1.0)
    return HealthResponse(
        status="healthy",
        timestamp=now(),
        service=settings.service_name,
        version=settings.service_version,
        uptime=round(time.monotonic() - STARTED, 3),
        dependencies={
            "database": "healthy" if database else "unhealthy",
            "external_services": {},
        },
    )


@router.api_route("/ready", methods=["GET", "HEAD"])
async def ready(request: Request) -> JSONResponse:
    """Readiness: the database answers and its schema is at the newest migration."""
    engine = request.app.state.engine
    timeout = request.app.state.settings.db_connect_timeout
    database = await database_reachable(engine, timeout)
    checks = ReadinessChecks(
        database=database,
        database_migrations=database and await migrations_at_head(engine, timeout),
        configuration=True,  # settings were validated at start-up, or the app would not run
    )
    is_ready = checks.database and checks.database_migrations and checks.configuration
    body = ReadinessResponse(
        status="ready" if is_ready else "not_ready", timestamp=now(), checks=checks
    )
    return JSONResponse(body.model_dump(), status_code=200 if is_ready else 503)

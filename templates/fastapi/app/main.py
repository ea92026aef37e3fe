"""The FastAPI application: `create_app()` builds it from settings (uvicorn calls it)."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.trustedhost import TrustedHostMiddleware

from app.api.v1 import api_router
from app.api.v1.health import router as health_router
from app.core.config import Settings, get_settings
from app.core.errors import install_error_handlers
from app.core.logging import configure_logging
from app.core.metrics import MetricsMiddleware, track_db_connections
from app.core.middleware import CorrelationIdMiddleware
from app.db.session import create_engine, create_sessionmaker

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings)
    engine = create_engine(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        logger.info("Service starting", extra={"port": settings.port})
        yield
        await engine.dispose()
        logger.info("Service stopped")

    app = FastAPI(
        title=settings.service_name,
        version=settings.service_version,
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url="/api/redoc",
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = create_sessionmaker(engine)
    track_db_connections(engine.pool.checkedout)  # type: ignore[attr-defined]

    install_error_handlers(app)
    app.include_router(health_router)
    app.include_router(api_router)

    # Added last runs first: correlation id outermost so every log line and error carries it.
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=[settings.correlation_id_header],
        )
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(CorrelationIdMiddleware, header=settings.correlation_id_header)
    return app

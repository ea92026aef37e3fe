"""The FastAPI application: `create_app()` builds it from settings (uvicorn calls it)."""

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app.api.docs import OPENAPI_JSON
from app.api.docs import router as docs_router
from app.api.v1 import api_router
from app.api.v1.health import create_http_client
from app.api.v1.health import router as health_router
from app.core.admission import AdmissionMiddleware
from app.core.config import Settings, get_settings
from app.core.errors import install_error_handlers
from app.core.jwks import create_key_set
from app.core.logging import configure_logging
from app.core.metrics import MetricsMiddleware, track_db_connections
from app.core.middleware import CorsMiddleware, InternalErrorMiddleware, RequestContextMiddleware
from app.core.rate_limit import RateLimitHeadersMiddleware, create_rate_limiter
from app.core.security import TokenVerifier
from app.db.session import create_engine, create_read_sessionmaker, create_sessionmaker

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings)
    engine = create_engine(settings)
    http_client = create_http_client()  # the probes' checks of other services
    # The identity provider's keys, fetched at the first token that needs them.
    provider_keys = create_key_set(settings.jwt_jwks_url) if settings.jwt_jwks_url else None

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        logger.info(
            "Service starting",
            extra={"port": settings.port, "metricsPort": settings.prometheus_port},
        )
        yield
        await engine.dispose()
        await http_client.aclose()
        if provider_keys is not None:
            await provider_keys.client.aclose()
        logger.info("Service stopped")

    app = FastAPI(
        title=settings.service_name,
        version=settings.service_version,
        lifespan=lifespan,
        # The contract, api/openapi.json, is served by app/api/docs.py as it is written.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        # A trailing slash is another path, so a 404, not a redirect.
        redirect_slashes=False,
    )
    contract = json.loads(OPENAPI_JSON)
    app.openapi = lambda: contract  # type: ignore[method-assign]  # FastAPI's documented override
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = create_sessionmaker(engine)
    app.state.read_sessionmaker = create_read_sessionmaker(engine)
    # One turn per pooled connection, given in the order requests ask (asyncio's semaphore is
    # fair): waiting in the pool's own queue, a request can lose its connection to a newer one
    # again and again, which put p99 over a second under load.
    app.state.db_turns = asyncio.Semaphore(settings.db_pool_size)
    app.state.token_verifier = TokenVerifier(settings, provider_keys)  # keys built once
    app.state.http_client = http_client
    app.state.rate_limiter = create_rate_limiter(settings)
    track_db_connections(
        engine.pool.checkedout,  # type: ignore[attr-defined]
        settings.db_pool_size,  # the pool's size is the most it opens: no overflow
    )

    install_error_handlers(app)
    app.include_router(health_router)
    app.include_router(docs_router)
    app.include_router(api_router)

    # The last added runs first: the client's address is known before anything logs or counts
    # it, the correlation id is set before anything logs or answers, and the 500 envelope is made
    # inside the layers that add headers and count requests. A request's deadline covers its
    # handler and its 500; the 503 of its deadline gets the RateLimit headers too.
    app.add_middleware(InternalErrorMiddleware)
    app.add_middleware(
        AdmissionMiddleware,
        max_in_progress=settings.max_concurrent_requests,
        timeout=settings.request_timeout,
    )
    app.add_middleware(RateLimitHeadersMiddleware)
    app.add_middleware(MetricsMiddleware)
    if settings.cors_origins:
        app.add_middleware(
            CorsMiddleware,
            origins=settings.cors_origins,
            correlation_header=settings.correlation_id_header,
        )
    app.add_middleware(RequestContextMiddleware, header=settings.correlation_id_header)
    if settings.trusted_proxies:
        # uvicorn's own: behind a proxy of TRUSTED_PROXIES, the client is the rightmost
        # X-Forwarded-For address that is not one of them.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    return app

"""The database engine and sessions, created from settings (never at import time)."""

import math

from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from app.core.config import Settings
from app.db.query_metrics import instrument


def create_engine(settings: Settings) -> AsyncEngine:
    """The engine of the service, every statement of which is timed and labelled (guidelines
    5.3: db_query_duration_seconds, db_query_errors_total)."""
    engine = create_async_engine(
        settings.sqlalchemy_url,
        # DB_POOL_SIZE is the most connections the service opens: no overflow beyond it.
        pool_size=settings.db_pool_size,
        max_overflow=0,
        # No ping at each checkout (a round trip per request): a statement that fails because
        # its connection broke invalidates the whole pool, so the next requests reconnect, and
        # /ready checks the database for the orchestrator.
        pool_pre_ping=False,
        # Fail fast when the database is unreachable, so /ready can answer 503 quickly.
        pool_timeout=settings.db_connect_timeout,
        connect_args={
            # libpq counts whole seconds.
            "connect_timeout": math.ceil(settings.db_connect_timeout),
            # Its connections are told apart in pg_stat_activity.
            "application_name": settings.service_name,
            # No statement outlives a request's deadline (REQUEST_TIMEOUT), even one the
            # cancel at the deadline (app/core/admission.py) did not reach.
            "options": f"-c statement_timeout={round(settings.request_timeout * 1000)}",
        },
    )
    instrument(engine.sync_engine)  # an async engine runs its events on its sync engine
    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for requests that write: their statements run in a transaction, committed or
    rolled back as a whole."""
    return async_sessionmaker(engine, expire_on_commit=False)


def create_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for requests that only read (GET, HEAD): in autocommit, each statement is a
    transaction of its own, so no BEGIN and ROLLBACK go to the database around it."""
    reader = engine.execution_options(isolation_level="AUTOCOMMIT")
    return async_sessionmaker(reader, expire_on_commit=False)

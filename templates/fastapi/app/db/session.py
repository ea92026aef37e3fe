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
        pool_pre_ping=True,
        # Fail fast when the database is unreachable, so /ready can answer 503 quickly.
        pool_timeout=settings.db_connect_timeout,
        # libpq counts whole seconds.
        connect_args={"connect_timeout": math.ceil(settings.db_connect_timeout)},
    )
    instrument(engine.sync_engine)  # an async engine runs its events on its sync engine
    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)

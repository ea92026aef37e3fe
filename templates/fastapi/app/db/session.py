"""The database engine and sessions, created from settings (never at import time)."""

import math

from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from app.core.config import Settings


def create_engine(settings: Settings) -> AsyncEngine:
    return create_async_engine(
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


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)

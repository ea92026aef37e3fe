"""Fixtures shared by every test tier.

Unit tests build the app against an unreachable database; integration and contract tests use
the real PostgreSQL database in DATABASE_URL, migrated with Alembic.
"""

import os
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from httpx import ASGITransport, AsyncClient
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource
from sqlalchemy import create_engine, inspect, text

from app.core.config import Settings
from app.core.security import create_access_token
from app.db.base import Base
from app.main import create_app
from app.metrics import create_metrics_app
from tests.identity_provider import IdentityProvider

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TEST_SECRET = "test-secret-that-is-at-least-32-characters-long"
# Port 9 (discard) on loopback: nothing listens, so connections fail at once.
UNREACHABLE_DATABASE = "postgresql://nobody:nothing@127.0.0.1:9/none"


class GivenSettings(Settings):
    """Settings from the values given only: no environment variable and no .env, so a
    developer's .env (copied from .env.example, as the README says) changes no test."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "jwt_secret": TEST_SECRET,
        "node_env": "test",
        "db_connect_timeout": "2s",
        **overrides,
    }
    return GivenSettings.model_validate(values)


def auth_headers(
    settings: Settings, subject: str = "test-user", roles: Sequence[str] | None = ("admin",)
) -> dict[str, str]:
    """A bearer token's header; its roles, admin by default, may do everything (None: a token
    without the roles claim, which may only read)."""
    token = create_access_token(subject, settings, roles=roles)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def offline_settings() -> Settings:
    return make_settings(UNREACHABLE_DATABASE)


@pytest.fixture
async def offline_client(offline_settings: Settings) -> AsyncIterator[AsyncClient]:
    """The app with no database behind it: for everything that must work without one."""
    app = create_app(offline_settings)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://localhost") as client:
        yield client
    await app.state.engine.dispose()


@pytest.fixture
async def metrics_client() -> AsyncIterator[AsyncClient]:
    """The metrics listener's app (PROMETHEUS_PORT), which serves the registry the API counts in."""
    app = create_metrics_app()
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://localhost") as client:
        yield client


@pytest.fixture
def identity_provider() -> Iterator[IdentityProvider]:
    """An identity provider serving its key set over HTTP on loopback (JWT_JWKS_URL)."""
    provider = IdentityProvider()
    yield provider
    provider.close()


@pytest.fixture(scope="session")
def database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        pytest.fail(
            "DATABASE_URL is not set: integration and contract tests need a PostgreSQL database,"
            " e.g. DATABASE_URL=postgresql://user:password@localhost:5432/app_test"
        )
    return url


@pytest.fixture(scope="session")
def migrated_database(database_url: str) -> str:
    """Run the migrations down and up once per session, so both directions are exercised."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", make_settings(database_url).sqlalchemy_url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    command.upgrade(config, "head")
    return database_url


@pytest.fixture
def settings(migrated_database: str) -> Settings:
    settings = make_settings(migrated_database)
    engine = create_engine(settings.sqlalchemy_url)
    with engine.begin() as connection:
        tables = [
            t.name for t in Base.metadata.sorted_tables if inspect(connection).has_table(t.name)
        ]
        if tables:
            connection.execute(text(f"TRUNCATE {', '.join(tables)}"))
    engine.dispose()
    return settings


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncClient]:
    """An authenticated client of the app on the real, freshly emptied database."""
    app = create_app(settings)
    async with AsyncClient(
        transport=ASGITransport(app=app),
        base_url="http://localhost",
        headers=auth_headers(settings),
    ) as client:
        yield client
    await app.state.engine.dispose()

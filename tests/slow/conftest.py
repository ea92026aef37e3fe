from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.slow.postgres import PostgresServer


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One private PostgreSQL server for the whole slow tier; tests create their own databases."""
    server = PostgresServer()
    server.start()
    yield server
    server.destroy()

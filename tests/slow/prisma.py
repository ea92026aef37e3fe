"""What `prisma migrate deploy` does to a database, for the slow tier only.

Prisma's CLI runs migrations through its schema-engine binary, which it downloads from Prisma's
own host; this machine cannot reach it. The generated project uses the real command (CI and
deploy); our harness applies the same committed migration.sql files itself, those not applied
yet as Prisma does, and records them in `_prisma_migrations` with the table layout and checksum
Prisma uses, so the service's readiness check reads exactly what the real command would have left.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import Path

from tests.slow.postgres import PostgresServer

# Prisma's own definition of its bookkeeping table (schema-engine, PostgreSQL flavour).
MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
);
"""

# The migrations Prisma counts as applied: finished, not rolled back.
APPLIED = (
    'SELECT migration_name FROM "_prisma_migrations"'
    " WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL"
)


def migrate_deploy(
    postgres: PostgresServer, database: str, project: Path, role: str = "postgres"
) -> None:
    """Applies every migration of `project` the database has not had yet, in name order, each in
    its own transaction, as `role`: the one the service connects as owns what the migrations
    create, as with Prisma."""
    assert re.fullmatch(r"[a-z_][a-z0-9_]*", role), role
    as_role = ("-c", f"SET ROLE {role}")
    postgres.psql(database, *as_role, "-c", MIGRATIONS_TABLE)
    applied = set(postgres.psql(database, "-tAc", APPLIED).split())
    for folder in sorted(p for p in (project / "prisma" / "migrations").iterdir() if p.is_dir()):
        # Prisma names migrations <timestamp>_<snake_case>: safe to quote as they are.
        assert re.fullmatch(r"[0-9a-z_]+", folder.name), folder.name
        if folder.name in applied:
            continue
        sql = folder / "migration.sql"
        checksum = hashlib.sha256(sql.read_bytes()).hexdigest()
        values = f"'{uuid.uuid4()}', '{checksum}', '{folder.name}', now(), now(), 1"
        columns = "id, checksum, migration_name, started_at, finished_at, applied_steps_count"
        record = f'INSERT INTO "_prisma_migrations" ({columns}) VALUES ({values});'  # noqa: S608
        postgres.psql(database, "-1", *as_role, "-f", str(sql), "-c", record)

"""The same-SQL baseline of a generated FastAPI service's `GET /api/v1/items`: FastAPI on uvicorn
(the versions the generated service pins), psycopg with psycopg_pool, and nothing else.

benchmarks/services.py installs and runs it (`python app.py`); it is never generated into a
service. It sends the statements the generated list route is meant to send, which the benchmark
checks in PostgreSQL's log before it compares the two.
"""

import base64
import hashlib
import hmac
import json
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from psycopg_pool import AsyncConnectionPool

# The page and the exact total in one statement, as the generated service's SQLAlchemy writes it.
PAGE = (
    "SELECT items.name, items.description, items.id, items.created_at, items.updated_at,"
    " items.version, (SELECT count(*) AS count_1 FROM items) AS total"
    " FROM items ORDER BY items.created_at DESC, items.id LIMIT %s::INTEGER OFFSET %s::INTEGER"
)
# Only for a page past the end, which has no row to carry the total.
TOTAL = "SELECT count(*) AS count_1 FROM items"

# The HMAC key is prepared once; each request copies it (one HMAC-SHA256, no JOSE library).
MAC = hmac.new(os.environ["JWT_SECRET"].encode(), digestmod=hashlib.sha256)
# Autocommit: a read sends its statement alone, no BEGIN/ROLLBACK around it.
pool = AsyncConnectionPool(
    os.environ["DATABASE_URL"],
    min_size=1,
    max_size=int(os.environ.get("DB_POOL_SIZE", "10")),
    kwargs={"autocommit": True},
    open=False,
)


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    await pool.open()
    yield
    await pool.close()


app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)


def unpadded(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def authorized(header: str) -> bool:
    """An HS256 bearer token signed with JWT_SECRET whose `exp` is in the future."""
    scheme, _, token = header.partition(" ")
    signing_input, _, signature = token.rpartition(".")
    if scheme.lower() != "bearer" or not signing_input:
        return False
    mac = MAC.copy()
    mac.update(signing_input.encode())
    if not hmac.compare_digest(signature, unpadded(mac.digest())):
        return False
    payload = signing_input.partition(".")[2]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    expires = claims.get("exp")
    return isinstance(expires, int | float) and expires > time.time()


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@app.get("/api/v1/items")
async def list_items(request: Request) -> JSONResponse:
    if not authorized(request.headers.get("authorization", "")):
        return JSONResponse({"status": 401, "title": "Unauthorized"}, status_code=401)
    page = int(request.query_params.get("page", "1"))
    limit = int(request.query_params.get("limit", "10"))
    offset = (page - 1) * limit
    async with pool.connection() as connection:
        rows = await (await connection.execute(PAGE, (limit, offset))).fetchall()
        total = rows[0][6] if rows else 0
        if not rows and offset > 0:
            counted = await (await connection.execute(TOTAL)).fetchone()
            total = counted[0] if counted else 0
    data: list[dict[str, Any]] = [
        {
            "id": str(row[2]),
            "name": row[0],
            "description": row[1],
            "createdAt": timestamp(row[3]),
            "updatedAt": timestamp(row[4]),
            "version": row[5],
        }
        for row in rows
    ]
    pagination = {"page": page, "limit": limit, "total": total, "totalPages": -(-total // limit)}
    return JSONResponse({"data": data, "pagination": pagination})


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "healthy"}


@app.get("/ready")
async def ready() -> dict[str, str]:
    async with pool.connection() as connection:
        await connection.execute("SELECT 1")
    return {"status": "ready"}


if __name__ == "__main__":
    # The server the generated `python -m app` runs: uvicorn with uvloop and httptools
    # (uvicorn[standard]), one process, no access log.
    uvicorn.run(
        app, host="127.0.0.1", port=int(os.environ["PORT"]), access_log=False, log_level="warning"
    )

"""Business logic of media-assets.

The service works over a repository protocol, so its rules can be tested without a database.
Its reads are cached in Redis by MediaAssetCachedRepository, in front of the SQL one.
"""

import functools
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import quote

from psycopg.errors import ForeignKeyViolation, UniqueViolation
from sqlalchemy import Integer, Select, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.cache import Cache
from app.core.errors import ConflictError, NotFoundError
from app.core.metrics import track
from app.core.pagination import ListQuery, Pagination
from app.db.filters import Filter
from app.db.models import MediaAsset
from app.models import values
from app.models.media_asset import (
    MediaAssetPage,
    MediaAssetRead,
)

ENTITY_NAME = "media-asset"
# Prefix of the business_operations_total `operation` label: <prefix>_create, ...
OPERATION = "media_asset"
# The `sort` fields of the API and their columns.
SORT_COLUMNS = {
    "createdAt": MediaAsset.created_at,
    "updatedAt": MediaAsset.updated_at,
    "name": MediaAsset.name,
}
# The `filter[...]` parameters of the API: each one's column, and how it reads its text.
FILTERS: dict[str, Filter] = {
    "name": Filter(MediaAsset.name, values.contained_text(200), contains=True),
}
# The unique fields, by the constraint that keeps each unique: the API's name, the attribute.
UNIQUE_FIELDS: dict[str, tuple[str, str]] = {
    "uq_media_assets_name": ("name", "name"),
}


def taken(field: str, value: object) -> ConflictError:
    holder = f"named '{value}'" if field == "name" else f"with {field} '{value}'"
    return ConflictError(f"a {ENTITY_NAME} {holder} already exists")


def not_found(entity_id: uuid.UUID) -> NotFoundError:
    return NotFoundError(f"{ENTITY_NAME} '{entity_id}' not found")


def referred(entity_id: uuid.UUID, table: str) -> ConflictError:
    referrers = table.replace("_", "-")
    return ConflictError(f"{ENTITY_NAME} '{entity_id}' is referred to by {referrers}")


@functools.cache
def list_statements(
    sort: str, descending: bool, filters: tuple[str, ...]
) -> tuple[Select[Any], Select[Any]]:
    """The page statement of one kind of list query, and its count: built once each, as
    building one takes SQLAlchemy about as long as PostgreSQL takes to run it. The values
    (each filter's, `offset`, `limit`) are bound at each request."""
    matching = [FILTERS[name].condition(f"filter_{name}") for name in filters]
    column = SORT_COLUMNS[sort]
    counting = select(func.count()).select_from(MediaAsset).where(*matching)
    # correlate(None): the subquery counts the whole table, not the outer query's row.
    total = counting.correlate(None).scalar_subquery().label("total")
    statement = (
        select(MediaAsset, total)
        .where(*matching)
        # The id breaks ties, so pages never overlap.
        .order_by(column.desc() if descending else column, MediaAsset.id)
        .offset(bindparam("offset", type_=Integer))
        .limit(bindparam("limit", type_=Integer))
    )
    return statement, counting


class MediaAssetRepository(Protocol):
    """Storage of media-assets.

    Raises ConflictError when a unique value is already taken or the row to delete is still
    referred to.
    `update` and `delete` return None when no row has the id."""

    async def list(self, query: ListQuery) -> tuple[list[MediaAsset], int]: ...

    async def get(self, entity_id: uuid.UUID) -> MediaAsset | None: ...

    async def add(self, values: dict[str, Any]) -> MediaAsset: ...

    async def update(
        self,
        entity_id: uuid.UUID,
        values: dict[str, Any],
    ) -> MediaAsset | None: ...

    async def delete(self, entity_id: uuid.UUID) -> uuid.UUID | None: ...


class MediaAssetSqlRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list(self, query: ListQuery) -> tuple[list[MediaAsset], int]:
        """The page and the number of matching rows, in one statement and one snapshot: each
        row carries the count (a subquery PostgreSQL runs once; a window count would make it
        keep every matching row, not just the page). Only a page past the end, which has no
        row to carry it, counts again (docs/contract.md, Lists)."""
        filters = tuple(query.filters)
        statement, counting = list_statements(query.sort.field, query.sort.descending, filters)
        bound: dict[str, Any] = {"offset": query.offset, "limit": query.limit}
        for name, value in query.filters.items():
            bound[f"filter_{name}"] = FILTERS[name].bound(value)
        page = (await self.session.execute(statement, bound)).all()
        if page:
            return [row[0] for row in page], page[0].total
        if query.offset == 0:
            return [], 0
        return [], await self.session.scalar(counting, bound) or 0

    async def get(self, entity_id: uuid.UUID) -> MediaAsset | None:
        return await self.session.get(MediaAsset, entity_id)

    async def add(self, values: dict[str, Any]) -> MediaAsset:
        statement = insert(MediaAsset).values(**values)
        async with self.writing(values):
            rows = await self.session.scalars(statement.returning(MediaAsset))
            return rows.one()

    async def update(
        self,
        entity_id: uuid.UUID,
        values: dict[str, Any],
    ) -> MediaAsset | None:
        # Always an UPDATE, even with no field to change: a write happened, so the version and
        # updated_at move.
        statement = (
            update(MediaAsset)
            .where(MediaAsset.id == entity_id)
            .values(**values, version=MediaAsset.version + 1, updated_at=func.now())
            .returning(MediaAsset)
        )
        async with self.writing(values):
            return (await self.session.scalars(statement)).one_or_none()

    async def delete(self, entity_id: uuid.UUID) -> uuid.UUID | None:
        statement = delete(MediaAsset).where(MediaAsset.id == entity_id)
        async with self.writing({}, deleting=entity_id):
            return await self.session.scalar(statement.returning(MediaAsset.id))

    @asynccontextmanager
    async def writing(
        self,
        values: dict[str, Any],
        deleting: uuid.UUID | None = None,
    ) -> AsyncIterator[None]:
        """Commits what the block wrote when it ends. What PostgreSQL refuses becomes the API's
        answer: a unique value already taken or a row still
        referred to is a conflict."""
        try:
            yield
            await self.session.commit()
        except IntegrityError as error:
            await self.session.rollback()
            refused = error.orig
            constraint = getattr(getattr(refused, "diag", None), "constraint_name", None)
            if isinstance(refused, UniqueViolation) and constraint in UNIQUE_FIELDS:
                field, attribute = UNIQUE_FIELDS[constraint]
                raise taken(field, values.get(attribute)) from error
            if isinstance(refused, ForeignKeyViolation) and deleting is not None:
                raise referred(deleting, refused.diag.table_name or "other rows") from error
            raise


class MediaAssetCachedRepository:
    """Another repository's reads, kept in the cache as the API's JSON (docs/contract.md, Cache):
    each item at `item:<id>`, each page by its query. A write that succeeds drops the item and
    every page; one that fails changes nothing. When Redis fails, reads go to the repository."""

    def __init__(self, repository: MediaAssetRepository, cache: Cache) -> None:
        self.repository = repository
        self.cache = cache

    async def list(self, query: ListQuery) -> tuple[list[MediaAsset], int]:
        cached, key = await self.cache.get_list(list_query_text(query))
        if cached is not None:
            document = json.loads(cached)
            items = [entity_of(item) for item in document["data"]]
            return items, document["pagination"]["total"]
        entities, total = await self.repository.list(query)
        if key is not None:  # Redis answered: the page is kept under this generation
            page = MediaAssetPage(
                data=[MediaAssetRead.model_validate(entity) for entity in entities],
                pagination=Pagination.of(query.page, query.limit, total),
            )
            await self.cache.set(key, page.model_dump_json(by_alias=True))
        return entities, total

    async def get(self, entity_id: uuid.UUID) -> MediaAsset | None:
        key = item_key(entity_id)
        cached = await self.cache.get(key)
        if cached is not None:
            return entity_of(json.loads(cached))
        entity = await self.repository.get(entity_id)
        if entity is not None:  # only what exists is cached: an absent id is asked again
            read = MediaAssetRead.model_validate(entity)
            await self.cache.set(key, read.model_dump_json(by_alias=True))
        return entity

    async def add(self, values: dict[str, Any]) -> MediaAsset:
        entity = await self.repository.add(values)
        await self.cache.invalidate(item_key(entity.id))
        return entity

    async def update(
        self,
        entity_id: uuid.UUID,
        values: dict[str, Any],
    ) -> MediaAsset | None:
        entity = await self.repository.update(entity_id, values)
        if entity is not None:
            await self.cache.invalidate(item_key(entity_id))
        return entity

    async def delete(self, entity_id: uuid.UUID) -> uuid.UUID | None:
        deleted = await self.repository.delete(entity_id)
        if deleted is not None:
            await self.cache.invalidate(item_key(entity_id))
        return deleted


def item_key(entity_id: uuid.UUID) -> str:
    return f"item:{entity_id}"  # str(UUID) is in lower case


def list_query_text(query: ListQuery) -> str:
    """The list's parameters as validated, defaults filled in, in the contract's order, each
    filter's text percent-encoded (all but A-Z a-z 0-9 - . _ ~), so that no text passes for
    another parameter: page=1&limit=10&sort=createdAt:desc&filter[name]=sun. (Not `include`:
    the cached page holds this resource's rows only.)"""
    direction = "desc" if query.sort.descending else "asc"
    parameters = [
        f"page={query.page}",
        f"limit={query.limit}",
        f"sort={query.sort.field}:{direction}",
    ]
    for name, value in query.filters.items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        parameters.append(f"filter[{name}]={quote(text, safe='')}")
    return "&".join(parameters)


def entity_of(item: dict[str, Any]) -> MediaAsset:
    """An entity from its cached JSON, as the API wrote it (not attached to a session)."""
    return MediaAsset(
        id=uuid.UUID(item["id"]),
        name=item["name"],
        description=item["description"],
        created_at=datetime.fromisoformat(item["createdAt"]),
        updated_at=datetime.fromisoformat(item["updatedAt"]),
        version=item["version"],
    )


class MediaAssetService:
    def __init__(self, repository: MediaAssetRepository) -> None:
        self.repository = repository

    async def list(self, query: ListQuery) -> tuple[list[MediaAsset], int]:
        return await self.repository.list(query)

    async def get(self, entity_id: uuid.UUID) -> MediaAsset:
        entity = await self.repository.get(entity_id)
        if entity is None:
            raise not_found(entity_id)
        return entity

    async def create(self, values: dict[str, Any]) -> MediaAsset:
        with track(f"{OPERATION}_create"):
            return await self.repository.add(values)

    async def replace(self, entity_id: uuid.UUID, values: dict[str, Any]) -> MediaAsset:
        with track(f"{OPERATION}_replace"):
            return await self._update(entity_id, values)

    async def update(self, entity_id: uuid.UUID, values: dict[str, Any]) -> MediaAsset:
        with track(f"{OPERATION}_update"):
            return await self._update(entity_id, values)

    async def delete(self, entity_id: uuid.UUID) -> None:
        with track(f"{OPERATION}_delete"):
            if await self.repository.delete(entity_id) is None:
                raise not_found(entity_id)

    async def _update(self, entity_id: uuid.UUID, values: dict[str, Any]) -> MediaAsset:
        entity = await self.repository.update(entity_id, values)
        if entity is None:
            raise not_found(entity_id)
        return entity

"""Business logic of items.

The service works over a repository protocol, so its rules can be tested without a database.
"""

import functools
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

from psycopg.errors import ForeignKeyViolation, UniqueViolation
from sqlalchemy import Integer, Select, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import ConflictError, NotFoundError
from app.core.metrics import track
from app.core.pagination import ListQuery
from app.db.filters import Filter
from app.db.models import Item
from app.models import values

ENTITY_NAME = "item"
# Prefix of the business_operations_total `operation` label: <prefix>_create, ...
OPERATION = "item"
# The `sort` fields of the API and their columns.
SORT_COLUMNS = {
    "createdAt": Item.created_at,
    "updatedAt": Item.updated_at,
    "name": Item.name,
}
# The `filter[...]` parameters of the API: each one's column, and how it reads its text.
FILTERS: dict[str, Filter] = {
    "name": Filter(Item.name, values.contained_text(200), contains=True),
}
# The unique fields, by the constraint that keeps each unique: the API's name, the attribute.
UNIQUE_FIELDS: dict[str, tuple[str, str]] = {
    "uq_items_name": ("name", "name"),
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
    counting = select(func.count()).select_from(Item).where(*matching)
    # correlate(None): the subquery counts the whole table, not the outer query's row.
    total = counting.correlate(None).scalar_subquery().label("total")
    statement = (
        select(Item, total)
        .where(*matching)
        # The id breaks ties, so pages never overlap.
        .order_by(column.desc() if descending else column, Item.id)
        .offset(bindparam("offset", type_=Integer))
        .limit(bindparam("limit", type_=Integer))
    )
    return statement, counting


class ItemRepository(Protocol):
    """Storage of items.

    Raises ConflictError when a unique value is already taken or the row to delete is still
    referred to.
    `update` and `delete` return None when no row has the id."""

    async def list(self, query: ListQuery) -> tuple[list[Item], int]: ...

    async def get(self, entity_id: uuid.UUID) -> Item | None: ...

    async def add(self, values: dict[str, Any]) -> Item: ...

    async def update(
        self,
        entity_id: uuid.UUID,
        values: dict[str, Any],
    ) -> Item | None: ...

    async def delete(self, entity_id: uuid.UUID) -> uuid.UUID | None: ...


class ItemSqlRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list(self, query: ListQuery) -> tuple[list[Item], int]:
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

    async def get(self, entity_id: uuid.UUID) -> Item | None:
        return await self.session.get(Item, entity_id)

    async def add(self, values: dict[str, Any]) -> Item:
        statement = insert(Item).values(**values)
        async with self.writing(values):
            rows = await self.session.scalars(statement.returning(Item))
            return rows.one()

    async def update(
        self,
        entity_id: uuid.UUID,
        values: dict[str, Any],
    ) -> Item | None:
        # Always an UPDATE, even with no field to change: a write happened, so the version and
        # updated_at move.
        statement = (
            update(Item)
            .where(Item.id == entity_id)
            .values(**values, version=Item.version + 1, updated_at=func.now())
            .returning(Item)
        )
        async with self.writing(values):
            return (await self.session.scalars(statement)).one_or_none()

    async def delete(self, entity_id: uuid.UUID) -> uuid.UUID | None:
        statement = delete(Item).where(Item.id == entity_id)
        async with self.writing({}, deleting=entity_id):
            return await self.session.scalar(statement.returning(Item.id))

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


class ItemService:
    def __init__(self, repository: ItemRepository) -> None:
        self.repository = repository

    async def list(self, query: ListQuery) -> tuple[list[Item], int]:
        return await self.repository.list(query)

    async def get(self, entity_id: uuid.UUID) -> Item:
        entity = await self.repository.get(entity_id)
        if entity is None:
            raise not_found(entity_id)
        return entity

    async def create(self, values: dict[str, Any]) -> Item:
        with track(f"{OPERATION}_create"):
            return await self.repository.add(values)

    async def replace(self, entity_id: uuid.UUID, values: dict[str, Any]) -> Item:
        with track(f"{OPERATION}_replace"):
            return await self._update(entity_id, values)

    async def update(self, entity_id: uuid.UUID, values: dict[str, Any]) -> Item:
        with track(f"{OPERATION}_update"):
            return await self._update(entity_id, values)

    async def delete(self, entity_id: uuid.UUID) -> None:
        with track(f"{OPERATION}_delete"):
            if await self.repository.delete(entity_id) is None:
                raise not_found(entity_id)

    async def _update(self, entity_id: uuid.UUID, values: dict[str, Any]) -> Item:
        entity = await self.repository.update(entity_id, values)
        if entity is None:
            raise not_found(entity_id)
        return entity

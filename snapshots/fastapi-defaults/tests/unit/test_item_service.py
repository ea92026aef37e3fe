"""The service's business rules, against an in-memory repository: no database."""

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from prometheus_client import REGISTRY

from app.core.errors import ConflictError, NotFoundError
from app.core.pagination import ListQuery, Sort
from app.db.models import Item
from app.services.item_service import (
    OPERATION,
    SORT_COLUMNS,
    UNIQUE_FIELDS,
    ItemService,
    taken,
)


class InMemoryRepository:
    """Behaves like the SQL repository for the service: unique fields, versions bumped on every
    update. (Filters are the SQL repository's: its integration tests prove them.)"""

    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Item] = {}

    async def list(self, query: ListQuery) -> tuple[list[Item], int]:
        attribute = SORT_COLUMNS[query.sort.field].key
        rows = sorted(
            self.rows.values(),
            key=lambda row: getattr(row, attribute),
            reverse=query.sort.descending,
        )
        return rows[query.offset : query.offset + query.limit], len(rows)

    async def get(self, entity_id: uuid.UUID) -> Item | None:
        return self.rows.get(entity_id)

    async def add(self, values: dict[str, Any]) -> Item:
        self._check_unique(values, None)
        now = datetime.now(UTC)
        entity = Item(
            id=uuid.uuid4(),
            created_at=now,
            updated_at=now,
            version=1,
            **values,
        )
        self.rows[entity.id] = entity
        return entity

    async def update(
        self,
        entity_id: uuid.UUID,
        values: dict[str, Any],
    ) -> Item | None:
        entity = self.rows.get(entity_id)
        if entity is None:
            return None
        self._check_unique(values, entity_id)
        for key, value in values.items():
            setattr(entity, key, value)
        entity.version += 1
        entity.updated_at = datetime.now(UTC)
        return entity

    async def delete(self, entity_id: uuid.UUID) -> uuid.UUID | None:
        return entity_id if self.rows.pop(entity_id, None) else None

    def _check_unique(self, values: dict[str, Any], own_id: uuid.UUID | None) -> None:
        for field, attribute in UNIQUE_FIELDS.values():
            value = values.get(attribute)
            others = (row for row in self.rows.values() if row.id != own_id)
            if value is not None and any(getattr(row, attribute) == value for row in others):
                raise taken(field, value)


@pytest.fixture
def service() -> ItemService:
    return ItemService(InMemoryRepository())


def stored(entity: Item, *attributes: str) -> tuple[Any, ...]:
    """The values of `attributes`, whatever their types (the repository keeps what it is given)."""
    return tuple(entity.__dict__[attribute] for attribute in attributes)


def count(operation: str, status: str) -> float:
    value = REGISTRY.get_sample_value(
        "business_operations_total", {"operation": f"{OPERATION}_{operation}", "status": status}
    )
    return value or 0.0


async def test_create_then_get_returns_the_same_entity(
    service: ItemService,
) -> None:
    created = await service.create({"name": "first"})
    assert await service.get(created.id) is created
    assert created.version == 1


async def test_each_operation_is_counted(service: ItemService) -> None:
    before = {op: count(op, "success") for op in ("create", "replace", "update", "delete")}
    created = await service.create({"name": "counted"})
    await service.replace(created.id, {"name": "counted"})
    await service.update(created.id, {})
    await service.delete(created.id)
    assert {op: count(op, "success") for op in before} == {op: n + 1 for op, n in before.items()}


async def test_a_taken_value_is_a_conflict_counted_as_an_error(
    service: ItemService,
) -> None:
    await service.create({"name": "taken"})
    before = count("create", "error")
    with pytest.raises(
        ConflictError,
        match="a item named 'taken' already exists",
    ):
        await service.create({"name": "taken"})
    assert count("create", "error") == before + 1


async def test_replacing_onto_a_taken_value_is_a_conflict(
    service: ItemService,
) -> None:
    await service.create({"name": "one"})
    two = await service.create({"name": "two"})
    with pytest.raises(ConflictError, match="one"):
        await service.replace(two.id, {"name": "one"})


async def test_unknown_ids_are_not_found(service: ItemService) -> None:
    missing = uuid.uuid4()
    with pytest.raises(NotFoundError, match=f"item '{missing}' not found"):
        await service.get(missing)
    before = count("delete", "error")
    with pytest.raises(NotFoundError):
        await service.delete(missing)
    with pytest.raises(NotFoundError):
        await service.update(missing, {})
    assert count("delete", "error") == before + 1


async def test_patch_changes_only_the_given_fields_and_bumps_the_version(
    service: ItemService,
) -> None:
    created = await service.create({"name": "before", "description": "kept"})
    updated = await service.update(created.id, {"name": "after"})
    assert stored(updated, "name", "description") == ("after", "kept")
    assert updated.version == 2
    assert (await service.update(created.id, {})).version == 3


async def test_list_pages_through_sorted_entities(service: ItemService) -> None:
    for _ in range(3):
        await service.create({})
    oldest_first = Sort("createdAt", descending=False)
    first, total = await service.list(ListQuery(page=1, limit=2, sort=oldest_first))
    second, _ = await service.list(ListQuery(page=2, limit=2, sort=oldest_first))
    assert total == 3
    assert len({entity.id for entity in first + second}) == 3

"""The read cache when Redis is out of reach (refused, or silent), its keys and its settings.

Hits, misses and invalidation, against a real Redis: in tests/integration.
"""

import logging
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator

import pytest
from prometheus_client import REGISTRY

from app import __main__ as entry_point
from app.core.cache import COMMAND_TIMEOUT, Cache, create_redis
from app.core.config import Settings
from app.core.pagination import ListQuery, Sort
from app.services.media_asset_service import (
    MediaAssetCachedRepository,
    item_key,
    list_query_text,
)
from tests.conftest import UNREACHABLE_DATABASE, make_settings
from tests.unit.test_media_asset_service import InMemoryRepository

PREFIX = "asset-library:media-assets:"


def operations(operation: str, result: str) -> float:
    value = REGISTRY.get_sample_value(
        "cache_operations_total", {"operation": operation, "result": result}
    )
    return value or 0.0


def unreachable_cache() -> Cache:
    return Cache(create_redis(make_settings(UNREACHABLE_DATABASE)), PREFIX, 60)


@pytest.fixture
def silent_redis() -> Iterator[str]:
    """A Redis that accepts connections and never answers: the URL of a listening socket no
    one reads."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"


def test_the_list_query_is_the_validated_parameters_in_the_contract_order() -> None:
    assert list_query_text(ListQuery()) == "page=1&limit=10&sort=createdAt:desc"
    query = ListQuery(
        page=3, limit=25, sort=Sort("name", descending=False), filters={"name": "sun & moon"}
    )
    # Each filter's text percent-encoded: no text can pass for another parameter.
    assert list_query_text(query) == "page=3&limit=25&sort=name:asc&filter[name]=sun%20%26%20moon"


def test_an_item_key_is_its_id_in_lower_case() -> None:
    entity_id = uuid.UUID("0F8FAD5B-D9CB-469F-A165-70867728950E")
    assert item_key(entity_id) == "item:0f8fad5b-d9cb-469f-a165-70867728950e"


async def test_a_refused_redis_is_a_miss_counted_as_an_error_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cache = unreachable_cache()
    errors = operations("get", "error")
    with caplog.at_level(logging.WARNING, logger="app.core.cache"):
        assert await cache.get("item:x") is None
        assert await cache.get_list("page=1") == (None, None)
    assert operations("get", "error") == errors + 2
    warnings = [record for record in caplog.records if record.getMessage() == "cache unavailable"]
    assert [record.__dict__["operation"] for record in warnings] == ["get", "get"]
    await cache.redis.aclose()


async def test_a_refused_redis_fails_no_set_and_no_invalidation() -> None:
    cache = unreachable_cache()
    sets, invalidations = operations("set", "error"), operations("invalidate", "error")
    await cache.set("item:x", "{}")
    await cache.invalidate("item:x")
    assert operations("set", "error") == sets + 1
    assert operations("invalidate", "error") == invalidations + 1
    await cache.redis.aclose()


@pytest.mark.parametrize("operation", ["get", "set", "invalidate"])
async def test_every_command_gives_up_after_500_ms(silent_redis: str, operation: str) -> None:
    settings = make_settings(UNREACHABLE_DATABASE, redis_url=silent_redis)
    cache = Cache(create_redis(settings), PREFIX, 60)
    commands: dict[str, Callable[[], Awaitable[object]]] = {
        "get": lambda: cache.get("item:x"),
        "set": lambda: cache.set("item:x", "{}"),
        "invalidate": lambda: cache.invalidate("item:x"),
    }
    errors = operations(operation, "error")
    started = time.monotonic()
    await commands[operation]()
    assert time.monotonic() - started < COMMAND_TIMEOUT + 0.25
    assert operations(operation, "error") == errors + 1
    await cache.redis.aclose()


async def test_without_redis_the_repository_answers_reads_and_writes() -> None:
    repository = MediaAssetCachedRepository(InMemoryRepository(), unreachable_cache())
    entity = await repository.add({"name": "sun", "description": None})
    assert await repository.get(entity.id) is entity
    assert await repository.list(ListQuery()) == ([entity], 1)
    assert await repository.update(entity.id, {"name": "moon"}) is entity
    assert await repository.delete(entity.id) == entity.id
    assert await repository.get(entity.id) is None
    await repository.cache.redis.aclose()


def test_cache_ttl_is_5_minutes_by_default_and_a_duration() -> None:
    assert make_settings(UNREACHABLE_DATABASE).cache_ttl == 300
    assert make_settings(UNREACHABLE_DATABASE, cache_ttl="1500ms").cache_ttl == 1.5


@pytest.mark.parametrize("url", ["redis://cache:6379/0", "rediss://user:secret@cache:6380/2"])
def test_redis_and_rediss_urls_are_taken(url: str) -> None:
    assert make_settings(UNREACHABLE_DATABASE, redis_url=url).redis_url == url


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "http://127.0.0.1:6379",
            "invalid configuration: REDIS_URL must be a redis:// or rediss:// URL\n",
        ),
        (
            "redis://[::1",
            "invalid configuration: REDIS_URL must be a redis:// or rediss:// URL\n",
        ),
        (None, "invalid configuration: REDIS_URL is required\n"),
    ],
)
def test_a_wrong_or_missing_redis_url_stops_the_start_with_exit_status_2(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    url: str | None,
    message: str,
) -> None:
    """Read from the environment, as the service reads it when it starts."""
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE_DATABASE)
    monkeypatch.setenv("JWT_SECRET", "x" * 32)
    if url is None:
        monkeypatch.delenv("REDIS_URL", raising=False)
    else:
        monkeypatch.setenv("REDIS_URL", url)
    monkeypatch.setattr(entry_point, "get_settings", lambda: Settings(_env_file=None))
    with pytest.raises(SystemExit) as exit_status:
        entry_point.main()
    assert exit_status.value.code == 2
    assert capsys.readouterr().err == message

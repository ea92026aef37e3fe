"""env-example wants REDIS_URL from the services that use Redis, and only from them."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from visiobook_scaffold.check.repo import Repo
from visiobook_scaffold.check.rules.configuration import COMMON_VARIABLES, env_example

ENV_EXAMPLE = "".join(f"{name}=x\n" for name in COMMON_VARIABLES)

REDIS_CLIENT = {
    "fastapi": ("requirements.txt", "fastapi==0.128.0\nredis[hiredis]==7.1.0\n"),
    "node": ("package.json", '{"dependencies": {"express": "^5.2.1", "ioredis": "^5.8.2"}}'),
    "go": (
        "go.mod",
        "module example.com/orders\n\ngo 1.26\n\nrequire github.com/redis/go-redis/v9 v9.17.2\n",
    ),
}
NO_REDIS_CLIENT = {
    "fastapi": ("requirements.txt", "fastapi==0.128.0\nredistimeseries-tools==1.0.0\n"),
    "node": ("package.json", '{"dependencies": {"express": "^5.2.1"}}'),
    "go": (
        "go.mod",
        "module example.com/orders\n\ngo 1.26\n\nrequire github.com/gin-gonic/gin v1.11.0\n",
    ),
}


def findings(root: Path, stack: str, manifest: tuple[str, str]) -> list[str]:
    (root / ".env.example").write_text(ENV_EXAMPLE)
    (root / manifest[0]).write_text(manifest[1])
    repo = Repo(root, stack, "service", datetime.date(2026, 11, 29))
    return [finding.message for finding in env_example(repo)]


@pytest.mark.parametrize("stack", sorted(REDIS_CLIENT))
def test_a_service_with_a_redis_client_must_list_redis_url(tmp_path: Path, stack: str) -> None:
    assert findings(tmp_path, stack, REDIS_CLIENT[stack]) == ["missing REDIS_URL"]


@pytest.mark.parametrize("stack", sorted(NO_REDIS_CLIENT))
def test_a_service_without_redis_need_not_mention_it(tmp_path: Path, stack: str) -> None:
    assert findings(tmp_path, stack, NO_REDIS_CLIENT[stack]) == []

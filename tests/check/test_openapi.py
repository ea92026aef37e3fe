"""Who an OpenAPI document lets call each operation that writes (`api-write-roles`)."""

from __future__ import annotations

from typing import Any

import pytest

from visiobook_scaffold.check.openapi import Document, who_may_call, write_operations

READ_ONLY: dict[str, Any] = {"get": {"responses": {}}}


def operations(security: Any = None, default: Any = None) -> list[Any]:
    operation: dict[str, Any] = {"responses": {}}
    if security is not None:
        operation["security"] = security
    content: dict[str, Any] = {
        "openapi": "3.1.0",
        "paths": {"/x": {**READ_ONLY, "post": operation}},
    }
    if default is not None:
        content["security"] = default
    return write_operations(Document("api/openapi.json", content))


def test_only_the_operations_that_write_are_judged() -> None:
    content = {
        "openapi": "3.1.0",
        "paths": {"/x": {**READ_ONLY, "put": {}, "patch": {}, "delete": {}, "parameters": []}},
    }
    listed = write_operations(Document("openapi.yaml", content))
    assert [(o.method, o.path) for o in listed] == [
        ("PUT", "/x"),
        ("PATCH", "/x"),
        ("DELETE", "/x"),
    ]


@pytest.mark.parametrize(
    ("security", "default", "problem"),
    [
        ([{"bearerAuth": ["editor"]}, {"bearerAuth": ["admin"]}], None, None),
        ([{"oauth": ["orders:write"]}], None, None),
        (None, [{"bearerAuth": ["admin"]}], None),  # the document's requirement applies
        ([], [{"bearerAuth": []}], None),  # public on purpose
        (None, None, "no security requirement: anyone may call it"),
        ([{"bearerAuth": []}], None, "any authenticated caller may call it"),
        ([{"bearerAuth": ["admin"]}, {"apiKey": []}], None, "any authenticated caller"),
        ([{"bearerAuth": ["admin"]}, {}], None, "without credentials"),
        (None, [{"bearerAuth": []}], "any authenticated caller"),
    ],
)
def test_a_write_must_name_a_role_in_every_way_in(
    security: Any, default: Any, problem: str | None
) -> None:
    (operation,) = operations(security, default)
    found = who_may_call(operation)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert problem in found

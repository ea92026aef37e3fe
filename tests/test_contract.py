"""The API contract (docs/contract.md): one OpenAPI 3.1 document, written once in
templates/shared/api, rendered the same into every stack, and valid for any resource name."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from tests.helpers import AVAILABLE_STACKS, BASE_ANSWERS, grown_resources, render


def contract(project: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((project / "api/openapi.json").read_text())
    return document


@pytest.mark.parametrize(
    "resource", ["items", "media-assets", "people", "data", "abcdefghij-klmnopqrstuvs"]
)
def test_contract_is_a_valid_openapi_3_1_document_for_any_resource(
    copie: Any, resource: str
) -> None:
    document = contract(render(copie, resource=resource))
    validate(document)  # raises on any violation of the OpenAPI 3.1 schema
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {
        f"/api/v1/{resource}",
        f"/api/v1/{resource}/{{id}}",
        "/live",
        "/health",
        "/ready",
    }
    operation_ids = [
        operation["operationId"]
        for item in document["paths"].values()
        for method, operation in item.items()
        if method != "parameters"
    ]
    assert len(operation_ids) == len(set(operation_ids)), operation_ids


def test_every_stack_carries_the_same_contract(copie: Any) -> None:
    rendered = {
        stack: (render(copie, stack=stack) / "api/openapi.json").read_bytes()
        for stack in AVAILABLE_STACKS
    }
    assert len(set(rendered.values())) == 1, "the stacks' contracts differ"


def test_contract_states_the_guidelines_defaults(copie: Any) -> None:
    document = contract(render(copie))
    listed = {
        parameter["name"]: parameter
        for parameter in document["paths"]["/api/v1/items"]["get"]["parameters"]
        if "name" in parameter
    }
    # Guidelines 3.3 (limit 10) and 3.1 (sort=createdAt:desc, filter[status]=active).
    assert document["components"]["parameters"]["Limit"]["schema"]["default"] == 10
    assert listed["sort"]["schema"]["default"] == "createdAt:desc"
    assert list(listed) == ["sort", "filter[name]"]


def test_contract_fields_are_camel_case(copie: Any) -> None:
    schemas = contract(render(copie, resource="media-assets"))["components"]["schemas"]
    assert list(schemas["MediaAsset"]["properties"]) == [
        "id",
        "name",
        "description",
        "createdAt",
        "updatedAt",
        "version",
    ]
    assert list(schemas["Pagination"]["properties"]) == ["page", "limit", "total", "totalPages"]
    # The error envelope keeps the key names of the guidelines' section 8.
    error = schemas["Error"]["properties"]["error"]
    assert error["required"] == ["code", "message", "correlation_id", "timestamp"]


def test_a_resource_s_fields_give_its_schemas_sort_orders_filters_and_includes(
    copie: Any,
) -> None:
    document = contract(render(copie, resources=grown_resources()))
    validate(document)
    schemas = document["components"]["schemas"]
    book = schemas["Book"]
    assert book["required"] == [
        "id", "title", "body", "pages", "price", "ratio", "inPrint", "published", "seenAt",
        "status", "authorId", "editorId", "createdAt", "updatedAt", "version",
    ]  # fmt: skip
    # With include=author, the person it refers to is embedded too.
    assert book["properties"]["author"] == {"$ref": "#/components/schemas/Person"}
    assert book["properties"]["seenAt"] == {
        "anyOf": [{"$ref": "#/components/schemas/Timestamp"}, {"type": "null"}]
    }
    assert book["properties"]["status"] == {
        "type": "string",
        "enum": ["draft", "in-review", "published"],
    }
    assert book["properties"]["price"]["pattern"] == "^-?(0|[1-9][0-9]{0,5})(\\.[0-9]{1,2})?$"
    assert book["properties"]["ratio"]["description"] == (
        "A decimal number as text, kept exact: 0 before the point and at most 2 digits after;"
        " read back with 2 after."
    )
    written = schemas["BookInput"]
    # A required field with a default may be left out of a POST.
    assert written["required"] == ["title", "authorId"]
    assert written["properties"]["status"]["default"] == "draft"
    assert written["properties"]["pages"]["type"] == ["integer", "null"]
    assert "required" not in schemas["BookPatch"]
    assert schemas["BookPatch"]["properties"]["title"]["type"] == "string"
    listed = {
        parameter["name"]: parameter
        for parameter in document["paths"]["/api/v1/books"]["get"]["parameters"]
        if "name" in parameter
    }
    assert list(listed) == [
        "sort", "filter[title]", "filter[pages]", "filter[price]", "filter[ratio]",
        "filter[inPrint]", "filter[published]", "filter[status]", "filter[authorId]",
        "filter[editorId]", "include",
    ]  # fmt: skip
    assert listed["sort"]["schema"]["enum"][-3:] == ["status:desc", "status:asc", "status"]
    assert "body" not in str(listed["sort"]["schema"]["enum"])
    assert listed["include"]["schema"]["pattern"] == "^(author|editor)(,(author|editor))*$"


def test_a_resource_named_like_a_contract_schema_is_refused(copie: Any) -> None:
    """The resource's schemas (`MediaAsset`, ...) share the document's namespaces with the
    contract's own (`Error`, `Name`, ...): a clash would write one JSON key twice."""
    components = contract(render(copie, resource="media-assets"))["components"]
    own = {
        name
        for kind in ("schemas", "responses")
        for name in components[kind]
        if not name.startswith("MediaAsset")
    }
    for name in sorted(own):
        kebab = re.sub(r"(?<!^)([A-Z])", r"-\1", name).lower()
        plural = kebab + ("es" if kebab.endswith(("s", "x", "ch", "sh")) else "s")
        result = copie.copy(extra_answers={**BASE_ANSWERS, "resource": plural})
        assert result.exit_code != 0, f"resource={plural} was accepted"
        assert "API contract" in str(result.exception), plural

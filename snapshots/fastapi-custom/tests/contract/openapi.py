"""Checks a response against the API contract, api/openapi.json (guidelines 4.3).

The response's status must be documented for its operation (method + path template), the
documented required headers must be there and valid, and the JSON body must validate against the
documented schema: JSON Schema 2020-12, `$ref`s resolved in the document, formats asserted.
"""

import json
from pathlib import Path
from typing import Any

from httpx import Response
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

DOCUMENT: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[2] / "api" / "openapi.json").read_text()
)
# The document is one resource of the registry: its "#/components/..." references resolve in it.
BASE_URI = "urn:visiobook:openapi"
REGISTRY: Registry[Any] = Registry().with_resource(
    BASE_URI, Resource.from_contents(DOCUMENT, default_specification=DRAFT202012)
)


def pointer(*parts: str) -> str:
    """A JSON pointer into the document: ("paths", "/api/v1/x") -> #/paths/~1api~1v1~1x."""
    return "#/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def lookup(location: str) -> Any:
    node: Any = DOCUMENT
    for part in location.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def follow(location: str) -> tuple[str, dict[str, Any]]:
    """The OpenAPI object at `location`, following its `$ref`s: (where it is, the object)."""
    node = lookup(location)
    while "$ref" in node:
        location = node["$ref"]
        node = lookup(location)
    return location, node


def validate(instance: Any, schema_location: str) -> None:
    """Validates against the schema at `schema_location` of the document, formats asserted."""
    Draft202012Validator(
        {"$ref": BASE_URI + schema_location},
        registry=REGISTRY,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    ).validate(instance)


def path_template(path: str) -> str | None:
    """The document's path that `path` is an instance of: /api/v1/x/1 -> /api/v1/x/{id}."""
    segments = path.split("/")
    templates: list[str] = list(DOCUMENT["paths"])
    for template in templates:
        parts = template.split("/")
        if len(parts) == len(segments) and all(
            part == segment or (part.startswith("{") and segment != "")
            for part, segment in zip(parts, segments, strict=True)
        ):
            return template
    return None


def assert_documented(response: Response) -> None:
    """The response is one the document describes for its request, headers and body included."""
    request = response.request
    template = path_template(request.url.path)
    assert template is not None, f"{request.url.path} is not in the document"
    # HEAD is GET without the body (RFC 9110): the document lists GET.
    method = "get" if request.method == "HEAD" else request.method.lower()
    operation = pointer("paths", template, method)
    status = str(response.status_code)
    assert status in lookup(operation)["responses"], (
        f"{status} is not documented for {request.method} {template}: {response.text[:300]}"
    )
    location, documented = follow(f"{operation}/responses/{status}")
    for name in documented.get("headers", {}):
        header_location, header = follow(f"{location}/headers/{name}")
        value = response.headers.get(name)
        if header.get("required"):
            assert value is not None, f"{name} is missing from a {status} response"
        if value is not None:
            validate(value, f"{header_location}/schema")
    content = documented.get("content", {})
    if request.method == "HEAD" or not content:
        assert response.content == b"" or request.method == "HEAD", "an undocumented body"
        return
    media_type = response.headers["content-type"].split(";")[0]
    assert media_type in content, f"{media_type} is not documented, only {list(content)}"
    if media_type == "application/json":
        validate(response.json(), f"{location}/content/{pointer(media_type)[2:]}/schema")


def assert_error(response: Response, status: int, code: str) -> None:
    """Answers no operation can list (an unknown path, a method the path does not serve) still
    carry the Error envelope and the correlation id."""
    assert response.status_code == status, response.text
    validate(response.json(), "#/components/schemas/Error")
    assert response.json()["error"]["code"] == code
    validate(response.headers["x-correlation-id"], "#/components/headers/CorrelationId/schema")

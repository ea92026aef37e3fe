"""A service's resources read back from its API contract: `visiobook add resource --api`.

A Vue app is pointed at a backend by the backend's contract (api/openapi.json, as every stack
writes it from templates/contract.jinja): each resource's path, its `<Model>Input` schema and
its list's parameters say everything the app's screens need of its fields. They are read back
into the fields `--field` would give, so the app records them and renders the same contract
from them (docs/fields.md).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from visiobook_scaffold.errors import ScaffoldError
from visiobook_scaffold.fields import Field, ResourceModel, check_fields, parse_mapping

_COLLECTION = re.compile(r"/api/v1/([a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*)")
# The patterns contract.jinja gives a decimal(precision, scale): at most `whole` digits before
# the point (none but 0 when the scale is the precision), `scale` after it.
_DECIMAL = re.compile(
    r"\^-\?(?:0|\(0\|\[1-9\]\[0-9\]\{0,(?P<whole>\d+)\}\))"
    r"(?:\(\\\.\[0-9\]\{1,(?P<scale>\d+)\}\)\?)?\$"
)
_UNIQUE = "Unique among its resource's rows."


def contract_path(given: Path) -> Path:
    """The contract `--api` names: a file, or a service's folder holding api/openapi.json."""
    return given / "api" / "openapi.json" if given.is_dir() else given


def read_contract(given: Path, existing: list[str]) -> list[ResourceModel]:
    """The resources the contract at `given` describes, in its order, each with its fields; a
    reference names a resource of the contract or one of `existing`."""
    path = contract_path(given)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ScaffoldError(f"cannot read the contract {path}: {error}") from None
    except json.JSONDecodeError as error:
        raise ScaffoldError(f"{path} is not JSON (line {error.lineno})") from None
    paths = document.get("paths") if isinstance(document, dict) else None
    schemas = _dig(document, "components", "schemas")
    if not isinstance(paths, dict) or not isinstance(schemas, dict):
        raise ScaffoldError(f"{path} is not an OpenAPI document: it has no paths or schemas")
    collections = {
        match[1]: operations
        for route, operations in paths.items()
        if (match := _COLLECTION.fullmatch(route)) and isinstance(operations, dict)
    }
    if not collections:
        raise ScaffoldError(f"{path} describes no resource under /api/v1/")
    # A referred item is embedded as its resource's schema: which resource each schema is.
    created = ("post", "responses", "201", "content", "application/json", "schema")
    resource_of = {
        _ref_name(_dig(operations, *created)): name for name, operations in collections.items()
    }
    known = list(dict.fromkeys([*existing, *collections]))
    models: list[ResourceModel] = []
    for name, operations in collections.items():
        try:
            fields = _fields(operations, schemas, resource_of, known)
        except ScaffoldError as error:
            raise ScaffoldError(f"{path}: {name}: {error}") from None
        models.append(ResourceModel(name, check_fields(fields, name)))
    return models


def _fields(
    operations: dict[str, Any],
    schemas: dict[str, Any],
    resource_of: dict[str, str],
    known: list[str],
) -> list[Field]:
    body = _dig(operations, "post", "requestBody", "content", "application/json", "schema")
    input_schema = schemas.get(_ref_name(body))
    item_schema = schemas.get(_ref_name(body).removesuffix("Input"))
    if not isinstance(input_schema, dict) or not isinstance(item_schema, dict):
        raise ScaffoldError("its POST body is not a <Model>Input schema")
    parameters = _dig(operations, "get", "parameters")
    filtered = {
        str(parameter.get("name"))
        for parameter in (parameters if isinstance(parameters, list) else [])
        if isinstance(parameter, dict)
    }
    members = input_schema.get("properties", {})
    fields = []
    for member, schema in members.items():
        if not isinstance(schema, dict):
            raise ScaffoldError(f"member {member!r} has no schema")
        name, spec = _spec(member, schema, filtered, item_schema, resource_of)
        # A required field with a default is not in `required` (POST may leave it out), but
        # neither is it ever null.
        spec["required"] = "null" not in _types(schema)
        spec["unique"] = str(schema.get("description", "")).startswith(_UNIQUE)
        if "default" in schema and spec["type"] != "reference":
            spec["default"] = schema["default"]
        fields.append(parse_mapping(name, spec, known))
    return fields


def _spec(
    member: str,
    schema: dict[str, Any],
    filtered: set[str],
    item_schema: dict[str, Any],
    resource_of: dict[str, str],
) -> tuple[str, dict[str, Any]]:
    """A member's field: its name (a reference's without `Id`) and what --from would say."""
    kinds = _types(schema) - {"null"}
    kind = next(iter(kinds), None) if len(kinds) == 1 else None
    if kind in ("boolean", "integer"):
        return member, {"type": kind}
    if kind != "string":
        raise ScaffoldError(f"member {member!r} is not a field visiobook writes")
    if "enum" in schema:
        return member, {"type": "enum", "values": [str(value) for value in schema["enum"]]}
    if schema.get("format") == "uuid" and member.endswith("Id"):
        name = member.removesuffix("Id")
        embedded = _dig(item_schema, "properties", name)
        targets = [
            resource_of.get(_ref_name(option))
            for option in [embedded, *(_dig(embedded, "anyOf") or [])]
            if isinstance(option, dict)
        ]
        target = next((found for found in targets if found is not None), None)
        if target is None:
            raise ScaffoldError(f"member {member!r}: no resource's item is embedded as {name!r}")
        return name, {"type": "reference", "target": target}
    if schema.get("format") in ("date", "date-time"):
        return member, {"type": "date" if schema["format"] == "date" else "datetime"}
    if "maxLength" in schema:
        # A one-line text has its filter; a longer text has none (contract.jinja).
        kind = "string" if f"filter[{member}]" in filtered else "text"
        return member, {"type": kind, "max_length": schema["maxLength"]}
    decimal = _DECIMAL.fullmatch(str(schema.get("pattern", "")))
    if decimal is not None:
        scale = int(decimal["scale"] or 0)
        whole = int(decimal["whole"]) + 1 if decimal["whole"] is not None else 0
        return member, {"type": "decimal", "precision": whole + scale, "scale": scale}
    raise ScaffoldError(f"member {member!r} is a string visiobook does not write")


def _types(schema: dict[str, Any]) -> set[str]:
    """A schema's `type`, as a set: {"string", "null"} for a field that may be null."""
    types = schema.get("type")
    return {types} if isinstance(types, str) else {str(kind) for kind in types or []}


def _ref_name(schema: object) -> str:
    """`#/components/schemas/Book` -> Book; "" for anything else."""
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else ""


def _dig(node: object, *keys: str) -> Any:
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node

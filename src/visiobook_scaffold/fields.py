"""The fields of a resource, as `visiobook add resource --field` and `--from` describe them.

A field is written `name:type[:modifier...]`, e.g. `title:string(120):required:unique`,
`status:enum(draft,published):default=draft`, `author:reference(people)`. Each is checked here,
once, against what every backend can hold (PostgreSQL's identifiers and reserved words, Python's,
TypeScript's and Go's names), then recorded in the resource's answers in a normal form: every key
present, so the templates never guess a default. docs/fields.md describes the types.
"""

from __future__ import annotations

import datetime
import keyword
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from visiobook_scaffold.errors import ScaffoldError

TYPES = ("string", "text", "integer", "decimal", "boolean", "date", "datetime", "enum", "reference")
MODIFIERS = ("required", "unique", "indexed", "default")

STRING_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 10_000
# PostgreSQL's `integer`: the API says so (minimum, maximum) so that no backend overflows.
INTEGER_RANGE = (-(2**31), 2**31 - 1)
DECIMAL_PRECISION, DECIMAL_SCALE = 12, 2
# Names stay short enough for the constraints made from them: uq_<table>_<column> and
# fk_<table>_<column>_id fit PostgreSQL's 63 bytes with the longest resource (24 characters).
NAME_MAX_LENGTH = 30

# What every resource already has (guidelines 2.1), and what the list route reads.
BASE_FIELDS = frozenset({"id", "createdAt", "updatedAt", "version"})

# PostgreSQL's reserved key words (its manual, appendix C): Go's and Node's SQL name columns
# as they are.
SQL_RESERVED = frozenset(
    str.split(
        "all analyse analyze and any array as asc asymmetric both case cast check collate column"
        " constraint create current_catalog current_date current_role current_time"
        " current_timestamp current_user default deferrable desc distinct do else end except false"
        " fetch for foreign from grant group having in initially intersect into lateral leading"
        " limit localtime localtimestamp not null offset on only or order placing primary"
        " references returning select session_user some symmetric system_user table then to"
        " trailing true union unique user using variadic when where window with"
    )
)
# Attributes the models' base classes already have: Pydantic's BaseModel and SQLAlchemy's
# declarative Base refuse a field that shadows one; JavaScript objects inherit the others.
TAKEN_ATTRIBUTES = frozenset(
    str.split(
        "copy dict json schema validate construct fields metadata registry query"
        " constructor prototype to_string value_of has_own_property"
    )
)

_NAME = re.compile(r"[a-z][a-zA-Z0-9]*")
_ENUM_VALUE = re.compile(r"[a-z][a-z0-9]*([_-][a-z0-9]+)*")
_TYPE = re.compile(r"(?P<type>[a-z]+)(?:\((?P<arguments>[^()]*)\))?")


@dataclass(frozen=True)
class Field:
    name: str
    """As the API names it: lowerCamelCase."""
    type: str
    required: bool = False
    unique: bool = False
    indexed: bool = False
    default: str | int | bool | None = None
    """The value a create that leaves the field out gets, as JSON holds it."""
    max_length: int | None = None
    """string and text: the most characters (Unicode code points)."""
    precision: int | None = None
    """decimal: the most digits, and of them after the point (scale)."""
    scale: int | None = None
    values: tuple[str, ...] = ()
    """enum: the values, in order."""
    target: str | None = None
    """reference: the resource referred to."""

    def answer(self) -> dict[str, Any]:
        """The field as the resource's answers record it, every key present."""
        return {
            "name": self.name,
            "type": self.type,
            "required": self.required,
            "unique": self.unique,
            "indexed": self.indexed,
            "default": self.default,
            "max_length": self.max_length,
            "precision": self.precision,
            "scale": self.scale,
            "values": list(self.values),
            "target": self.target,
        }


def snake(name: str) -> str:
    """unitPrice -> unit_price: the column, and the Python attribute."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def parse_field(spec: str, resources: list[str]) -> Field:
    """One `--field` value, checked; `resources` are those a reference may name."""
    name, _, rest = spec.partition(":")
    name = name.strip()
    if not rest:
        raise ScaffoldError(f"field {spec!r} has no type: write it name:type, e.g. {name}:string")
    _check_name(name)
    match = _TYPE.match(rest)
    if match is None:
        raise ScaffoldError(f"field {name!r}: {rest!r} is not a type ({', '.join(TYPES)})")
    modifiers = rest[match.end() :]
    if modifiers and not modifiers.startswith(":"):
        raise ScaffoldError(f"field {name!r}: {rest!r} is not a type ({', '.join(TYPES)})")
    field = _typed(name, match["type"], match["arguments"], resources)
    return _modified(field, _split_modifiers(modifiers[1:]) if modifiers else [])


def parse_mapping(name: str, spec: object, resources: list[str]) -> Field:
    """One field of a `--from` file: its `name:type...` text after the name, or a mapping of
    type, max_length/precision/scale/values/target and the modifiers."""
    if isinstance(spec, str):
        return parse_field(f"{name}:{spec}", resources)
    if not isinstance(spec, dict):
        raise ScaffoldError(f"field {name!r}: give a type (e.g. string) or a mapping with a type")
    unknown = sorted(
        set(spec) - {"type", "max_length", "precision", "scale", "values", "target", *MODIFIERS}
    )
    if unknown:
        raise ScaffoldError(f"field {name!r}: unknown key {unknown[0]!r}")
    kind = spec.get("type")
    if not isinstance(kind, str):
        raise ScaffoldError(f"field {name!r} has no type ({', '.join(TYPES)})")
    arguments = [spec[key] for key in ("max_length", "precision", "scale", "target") if key in spec]
    if "values" in spec:
        values = spec["values"]
        if not isinstance(values, list):
            raise ScaffoldError(f"field {name!r}: values must be a list")
        arguments = values
    _check_name(name)
    field = _typed(name, kind, ",".join(str(value) for value in arguments) or None, resources)
    modifiers = [key for key in ("required", "unique", "indexed") if spec.get(key) is True]
    if "default" in spec:
        modifiers.append(f"default={_text(spec['default'])}")
    return _modified(field, modifiers)


def check_fields(fields: list[Field], resource: str) -> list[Field]:
    """A resource's fields, as a whole: at least one, no name twice, none that clash with the
    names derived from another (a reference `author` is `authorId` in the API)."""
    if not fields:
        raise ScaffoldError(f"{resource} needs at least one field")
    seen: dict[str, str] = {}
    for field in fields:
        names = [field.name] + ([f"{field.name}Id"] if field.type == "reference" else [])
        # A reference `owner` is also ownerId in the API and owner_id in its table.
        for taken in sorted({form for name in names for form in (name, snake(name))}):
            if taken in seen:
                raise ScaffoldError(
                    f"{resource}: fields {seen[taken]!r} and {field.name!r} share the name"
                    f" {taken!r}"
                )
        seen |= {form: field.name for name in names for form in (name, snake(name))}
    return fields


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        suggestion = re.sub(r"[-_ ]+([a-zA-Z0-9])", lambda m: m[1].upper(), name.strip("-_ "))
        hint = f" ({suggestion[:1].lower()}{suggestion[1:]})" if suggestion else ""
        raise ScaffoldError(f"field {name!r} must be lowerCamelCase, as the API names fields{hint}")
    if len(name) > NAME_MAX_LENGTH:
        raise ScaffoldError(f"field {name!r} must be at most {NAME_MAX_LENGTH} characters")
    column = snake(name)
    if name in BASE_FIELDS:
        raise ScaffoldError(f"field {name!r}: every resource has it already (guidelines 2.1)")
    if keyword.iskeyword(column) or column in {"none", "true", "false"}:
        raise ScaffoldError(f"field {name!r} is a Python keyword: choose another name")
    if column in SQL_RESERVED:
        raise ScaffoldError(f"field {name!r} is a reserved word of PostgreSQL: choose another name")
    if column in TAKEN_ATTRIBUTES or column.startswith("model_"):
        raise ScaffoldError(f"field {name!r} is a name the models already use: choose another name")


def _typed(name: str, kind: str, arguments: str | None, resources: list[str]) -> Field:
    given = [part.strip() for part in arguments.split(",")] if arguments else []
    if kind not in TYPES:
        raise ScaffoldError(f"field {name!r}: unknown type {kind!r} ({', '.join(TYPES)})")
    if kind in ("string", "text"):
        longest = STRING_MAX_LENGTH if kind == "string" else TEXT_MAX_LENGTH
        if given:
            longest = _count(name, given, 1, 1_000_000, f"{kind}(MAX_LENGTH)")[0]
        return Field(name, kind, max_length=longest)
    if kind == "decimal":
        precision, scale = DECIMAL_PRECISION, DECIMAL_SCALE
        if given:
            precision, scale = _count(name, given, 2, 38, "decimal(PRECISION,SCALE)")
            if scale > precision:
                raise ScaffoldError(f"field {name!r}: a scale of {scale} exceeds the precision")
        return Field(name, kind, precision=precision, scale=scale)
    if kind == "enum":
        if not given:
            raise ScaffoldError(f"field {name!r}: write its values, e.g. enum(draft,published)")
        for value in given:
            if not _ENUM_VALUE.fullmatch(value) or len(value) > 40:
                raise ScaffoldError(
                    f"field {name!r}: enum value {value!r} must be lowercase words of letters"
                    " and digits joined by '-' or '_' (at most 40 characters)"
                )
        if len(set(given)) != len(given):
            raise ScaffoldError(f"field {name!r}: an enum value is given twice")
        return Field(name, kind, values=tuple(given))
    if kind == "reference":
        if len(given) != 1:
            raise ScaffoldError(f"field {name!r}: name the resource, e.g. reference(people)")
        if given[0] not in resources:
            raise ScaffoldError(
                f"field {name!r}: {given[0]!r} is not a resource of the service"
                f" ({', '.join(resources)})"
            )
        return Field(name, kind, target=given[0], indexed=True)
    if given:
        raise ScaffoldError(f"field {name!r}: {kind} takes no arguments")
    return Field(name, kind)


def _count(name: str, given: list[str], parts: int, largest: int, form: str) -> list[int]:
    if len(given) > parts or not all(part.isdigit() for part in given):
        raise ScaffoldError(f"field {name!r}: write it {form}")
    numbers = [int(part) for part in given]
    if not 1 <= numbers[0] <= largest:
        raise ScaffoldError(f"field {name!r}: {numbers[0]} is not within 1 and {largest}")
    return numbers if len(numbers) == parts else [*numbers, 0]


def _split_modifiers(text: str) -> list[str]:
    """`required:default=a:b` -> [required, default=a:b]: a default takes the rest, colons
    and all (a time has some)."""
    modifiers: list[str] = []
    while text:
        if text.startswith("default="):
            modifiers.append(text)
            break
        head, _, text = text.partition(":")
        modifiers.append(head)
    return modifiers


def _modified(field: Field, modifiers: list[str]) -> Field:
    flags: dict[str, Any] = {}
    for modifier in modifiers:
        key, has_value, value = modifier.partition("=")
        if key not in MODIFIERS or bool(has_value) != (key == "default"):
            raise ScaffoldError(
                f"field {field.name!r}: unknown modifier {modifier!r}"
                " (required, unique, indexed, default=VALUE)"
            )
        if key in flags:
            raise ScaffoldError(f"field {field.name!r}: {key} is given twice")
        flags[key] = _default(field, value) if key == "default" else True
    if "unique" in flags and "default" in flags:
        raise ScaffoldError(
            f"field {field.name!r}: a unique field cannot have a default (two rows would share it)"
        )
    # A unique column has its index already; a reference always has one.
    indexed = (field.indexed or "indexed" in flags) and "unique" not in flags
    return replace(field, **{**flags, "indexed": indexed})


def _default(field: Field, text: str) -> str | int | bool:
    """A default as JSON holds it, checked as the API would check the value."""
    refused = ScaffoldError(f"field {field.name!r}: {text!r} is not a {field.type}")
    if field.type in ("string", "text"):
        if (field.max_length is not None and len(text) > field.max_length) or "\x00" in text:
            raise refused
        return text
    if field.type == "integer":
        if not re.fullmatch(r"-?\d+", text) or not (
            INTEGER_RANGE[0] <= int(text) <= INTEGER_RANGE[1]
        ):
            raise refused
        return int(text)
    if field.type == "decimal":
        return _decimal(field, text, refused)
    if field.type == "boolean":
        if text not in ("true", "false"):
            raise refused
        return text == "true"
    if field.type == "date":
        try:
            datetime.date.fromisoformat(text)
        except ValueError:
            raise refused from None
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise refused
        return text
    if field.type == "enum":
        if text not in field.values:
            values = ", ".join(field.values)
            raise ScaffoldError(
                f"field {field.name!r}: {text!r} is not one of its values ({values})"
            )
        return text
    raise ScaffoldError(f"field {field.name!r}: a {field.type} field takes no default")


def _decimal(field: Field, text: str, refused: ScaffoldError) -> str:
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        raise refused
    precision, scale = field.precision or DECIMAL_PRECISION, field.scale or 0
    whole, _, fraction = text.lstrip("-").partition(".")
    if len(fraction) > scale or len(whole.lstrip("0")) > precision - scale:
        raise ScaffoldError(
            f"field {field.name!r}: {text!r} does not fit decimal({precision},{scale})"
        )
    return text


def _text(value: object) -> str:
    """A `--from` file's default as `default=` would spell it (YAML gives bools and numbers)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class ResourceModel:
    """One resource of a `--from` file: its name and fields."""

    name: str
    fields: list[Field]


def read_model_file(path: Path, existing: list[str]) -> list[ResourceModel]:
    """The resources a `--from` file describes, in its order. A reference names a resource of
    the service (`existing`) or one the file describes before it: each is added in turn, and
    its table can only refer to tables that are there already.

        resources:
          people:
            fields:
              name: string(120):required
          books:
            fields:
              title: {type: string, max_length: 200, required: true}
              author: reference(people)
    """
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ScaffoldError(f"cannot read {path}: {error}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ScaffoldError(f"{path} is not YAML or JSON{where}") from None
    described = document.get("resources") if isinstance(document, dict) else None
    if not isinstance(described, dict) or not described:
        raise ScaffoldError(f"{path} must map `resources` to the resources it describes")
    models: list[ResourceModel] = []
    known = list(existing)
    for resource, body in described.items():
        fields = body.get("fields") if isinstance(body, dict) else None
        if not isinstance(fields, dict):
            raise ScaffoldError(f"{path}: resource {resource!r} must map `fields` to its fields")
        # Any resource of the file parses as a target; one described later is refused below.
        targets = known + [str(name) for name in described if name not in known]
        try:
            parsed = [parse_mapping(str(name), spec, targets) for name, spec in fields.items()]
        except ScaffoldError as error:
            raise ScaffoldError(f"{path}: {resource}: {error}") from None
        for field in parsed:
            if field.target == resource:
                raise ScaffoldError(
                    f"{path}: {resource}: field {field.name!r}: a resource cannot refer to itself"
                )
            if field.target is not None and field.target not in known:
                raise ScaffoldError(
                    f"{path}: {resource}: field {field.name!r} refers to {field.target},"
                    f" which the file describes after it: describe {field.target} first"
                )
        models.append(ResourceModel(str(resource), check_fields(parsed, str(resource))))
        known.append(str(resource))
    return models

"""What every resource's API models share: the request body's rules, and the values of the
contract's field types as clients write them (api/openapi.json says the same)."""

import re
import uuid
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from app.core.errors import InvalidRequestError, Problem
from app.core.timestamps import format_timestamp

# Years 1000 to 9999, and at most milliseconds: what every Visiobook backend stores the same.
DATE = re.compile(r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}")
DATE_TIME = re.compile(
    r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,3})?(Z|[+-][0-9]{2}:[0-9]{2})"
)
# A whole number as written in a query: digits 0-9 only, no sign but "-", no leading zero.
INTEGER = re.compile(r"-?(0|[1-9][0-9]{0,9})")
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL. (Unpaired surrogates, "\ud800" in JSON, which have no
    # UTF-8 form either, are refused by pydantic's own strict string check.)
    if "\x00" in value:
        raise PydanticCustomError("nul", "must not contain NUL characters")
    return value


def not_blank(value: str) -> str:
    if not value.strip(" \t\r\n"):
        raise PydanticCustomError("blank", "must not be blank")
    return value


def whole(value: object) -> object:
    # JSON Schema counts 12.0 as the integer 12, and so does the API.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def parse_date(value: object) -> date:
    if isinstance(value, str) and DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("date", "must be a date: YYYY-MM-DD")


def parse_date_time(value: object) -> datetime:
    if isinstance(value, str) and DATE_TIME.fullmatch(value):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError(
        "date_time", "must be an RFC 3339 date-time with its offset, to the millisecond"
    )


def parse_id(value: object) -> uuid.UUID:
    if isinstance(value, str) and UUID_TEXT.fullmatch(value):
        return uuid.UUID(value)
    raise PydanticCustomError("uuid", "must be a UUID")


def decimal_digits(precision: int, scale: int) -> str:
    """The digits a decimal(precision, scale) holds, as api/openapi.json says them."""
    whole = precision - scale
    if scale == 0:
        return f"at most {whole} digits and no point"
    if whole == 0:
        return f"0 before the point and at most {scale} digits after"
    return f"at most {whole} digits before the point and {scale} after"


def exact_text(precision: int, scale: int) -> Callable[[object], Decimal]:
    """A reader of decimal(precision, scale) written as text: no leading zero, no more digits
    than the column holds (so nothing is rounded)."""
    whole = precision - scale
    before = "0" if whole == 0 else f"(0|[1-9][0-9]{{0,{whole - 1}}})"
    after = f"(\\.[0-9]{{1,{scale}}})?" if scale else ""
    pattern = re.compile(f"-?{before}{after}")
    message = f"must be a decimal number as text: {decimal_digits(precision, scale)}"

    def parse(value: object) -> Decimal:
        if isinstance(value, str) and pattern.fullmatch(value):
            return Decimal(value)
        raise PydanticCustomError("decimal", message)

    return parse


def exact(precision: int, scale: int) -> BeforeValidator:
    return BeforeValidator(exact_text(precision, scale))


# How the list's filter[<field>] parameters read the query's text, for the types a body writes
# as JSON numbers, booleans or free text (dates, decimals and ids read as in bodies).
def integer_text(text: object) -> int:
    if isinstance(text, str) and INTEGER.fullmatch(text):
        number = int(text)
        if -(2**31) <= number < 2**31:
            return number
    raise PydanticCustomError("integer", "must be a whole number from -2147483648 to 2147483647")


def boolean_text(text: object) -> bool:
    if text in ("true", "false"):
        return text == "true"
    raise PydanticCustomError("boolean", "must be true or false")


def one_of(*choices: str) -> Callable[[object], str]:
    def parse(text: object) -> str:
        if isinstance(text, str) and text in choices:
            return text
        raise PydanticCustomError("enum", f"must be one of: {', '.join(choices)}")

    return parse


def contained_text(max_length: int) -> Callable[[object], str]:
    """A filter's text for a string field: the rows whose value contains it."""

    def parse(text: object) -> str:
        if not isinstance(text, str) or not 1 <= len(text) <= max_length:
            raise PydanticCustomError("length", f"must be 1 to {max_length} characters")
        return no_nul(text)

    return parse


def optional(read: Callable[[str], Any], text: str | None) -> Any:
    """`read(text)`, or None for null."""
    return None if text is None else read(text)


# Text the database can hold, and text that says something.
NoNul = AfterValidator(no_nul)
Whole = BeforeValidator(whole)
NotBlank = AfterValidator(not_blank)
Date = Annotated[date, BeforeValidator(parse_date)]
DateTime = Annotated[datetime, BeforeValidator(parse_date_time)]
Id = Annotated[uuid.UUID, BeforeValidator(parse_id)]
# What clients receive: times in UTC to the millisecond, decimals as exact text.
Timestamp = Annotated[datetime, PlainSerializer(format_timestamp)]
ExactText = Annotated[Decimal, PlainSerializer(str)]


def field_name(location: tuple[int | str, ...]) -> str:
    # An unknown field's name is the client's text: keep it printable in UTF-8.
    path = ".".join(str(part) for part in ("body", *location))
    return path.encode("utf-8", "replace").decode("utf-8")


class RequestBody(BaseModel):
    # Strict: a number is not a name. Forbid: a misspelt field is an error, not ignored.
    model_config = ConfigDict(strict=True, extra="forbid")

    @classmethod
    def from_body(cls, document: dict[str, Any]) -> Self:
        """The body as this model, or a 400 naming each bad field (body.<field>)."""
        try:
            return cls.model_validate(document)
        except ValidationError as error:
            problems = [
                Problem(field_name(problem["loc"]), problem["msg"]) for problem in error.errors()
            ]
            raise InvalidRequestError(problems) from None

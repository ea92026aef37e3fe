"""The values of the contract's field types, as clients write and read them."""

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Annotated

import pytest
from pydantic import BaseModel, ValidationError

from app.models import values


class Values(values.RequestBody):
    price: Annotated[Decimal, values.exact(8, 2)] | None = None
    ratio: Annotated[Decimal, values.exact(2, 2)] | None = None
    count: Annotated[Decimal, values.exact(4, 0)] | None = None
    born: values.Date | None = None
    seen: values.DateTime | None = None
    owner: values.Id | None = None


class Shown(BaseModel):
    price: values.ExactText
    seen: values.Timestamp


def refusal(**body: object) -> str:
    with pytest.raises(ValidationError) as raised:
        Values.model_validate(body)
    [problem] = raised.value.errors()
    return problem["msg"]


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [
        ("price", "123456.78", Decimal("123456.78")),
        ("price", "-0.5", Decimal("-0.5")),
        ("price", "7", Decimal(7)),
        ("ratio", "0.99", Decimal("0.99")),
        ("count", "9999", Decimal(9999)),
        ("born", "2026-02-28", date(2026, 2, 28)),
        ("seen", "2026-11-28T09:30:00Z", datetime(2026, 11, 28, 9, 30, tzinfo=UTC)),
        (
            "seen",
            "2026-11-28T10:30:00.125+01:00",
            datetime(2026, 11, 28, 10, 30, 0, 125_000, tzinfo=timezone(timedelta(hours=1))),
        ),
        (
            "owner",
            "0B6A3C8E-4A8F-4F53-9A59-3F0E2F3C1A11",
            uuid.UUID(int=0x0B6A3C8E4A8F4F539A593F0E2F3C1A11),
        ),
    ],
)
def test_values_are_read_from_their_text(field: str, text: str, value: object) -> None:
    assert getattr(Values.model_validate({field: text}), field) == value


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        (
            "price",
            12.5,
            "must be a decimal number as text: at most 6 digits before the point and 2 after",
        ),
        ("price", "1234567", "at most 6 digits before the point"),
        ("price", "1.234", "and 2 after"),
        ("price", "01.5", "must be a decimal number as text"),
        ("price", "1e3", "must be a decimal number as text"),
        ("ratio", "1.00", "0 before the point and at most 2 digits after"),
        ("count", "1.0", "at most 4 digits and no point"),
        ("born", "2026-02-30", "must be a date: YYYY-MM-DD"),
        ("born", "0999-01-01", "must be a date: YYYY-MM-DD"),
        ("born", 20260228, "must be a date: YYYY-MM-DD"),
        ("seen", "2026-11-28T09:30:00", "must be an RFC 3339 date-time with its offset"),
        ("seen", "2026-11-28T09:30:00.1234Z", "to the millisecond"),
        ("seen", "2026-11-28 09:30:00Z", "must be an RFC 3339 date-time"),
        ("seen", "2026-13-28T09:30:00Z", "must be an RFC 3339 date-time"),
        ("owner", "0b6a3c8e4a8f4f539a593f0e2f3c1a11", "must be a UUID"),
        ("owner", 42, "must be a UUID"),
    ],
)
def test_values_that_are_not_their_type_are_refused_with_one_reason(
    field: str, text: object, message: str
) -> None:
    assert message in refusal(**{field: text})


def test_decimals_are_shown_exact_and_times_in_utc_to_the_millisecond() -> None:
    seen = datetime(2026, 11, 28, 10, 30, 0, 125_000, tzinfo=timezone(timedelta(hours=1)))
    shown = Shown(price=Decimal("12.50"), seen=seen).model_dump(mode="json")
    assert shown == {"price": "12.50", "seen": "2026-11-28T09:30:00.125Z"}


def test_an_integer_may_be_written_with_a_zero_fraction_as_json_schema_allows() -> None:
    assert values.whole(12.0) == 12
    assert isinstance(values.whole(12.0), int)
    assert values.whole(12.5) == 12.5  # left for the strict int check to refuse
    assert values.whole(True) is True


def test_filters_read_the_query_s_text_as_their_field_s_type() -> None:
    assert values.integer_text("-2147483648") == -(2**31)
    assert values.boolean_text("false") is False
    assert values.one_of("draft", "done")("done") == "done"
    assert values.contained_text(3)("a_%") == "a_%"
    refusals = [
        (values.integer_text, "2147483648", "must be a whole number from -2147483648"),
        (values.integer_text, "01", "must be a whole number"),
        (values.integer_text, "+1", "must be a whole number"),
        (values.boolean_text, "True", "must be true or false"),
        (values.one_of("draft", "done"), "Draft", "must be one of: draft, done"),
        (values.contained_text(3), "", "must be 1 to 3 characters"),
        (values.contained_text(3), "abcd", "must be 1 to 3 characters"),
        (values.contained_text(3), "a\x00", "must not contain NUL characters"),
    ]
    for read, text, message in refusals:
        with pytest.raises(ValueError, match=message):
            read(text)

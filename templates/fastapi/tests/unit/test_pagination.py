import pytest
from starlette.datastructures import QueryParams

from app.core.errors import InvalidRequestError
from app.core.pagination import (
    DEFAULT_SORT,
    ListQuery,
    Pagination,
    Sort,
    parse_list_query,
    parse_sort,
    whole_number,
)
from app.db.filters import contains_pattern
from app.models import values

FIELDS = ("createdAt", "updatedAt", "name")
FILTERS = {"name": values.contained_text(200), "size": values.integer_text}
REFERENCES = ("owner", "editor")


def parse(query: str) -> ListQuery:
    return parse_list_query(QueryParams(query), FIELDS, FILTERS, REFERENCES)


def problems(query: str) -> list[tuple[str, str]]:
    with pytest.raises(InvalidRequestError) as raised:
        parse(query)
    assert raised.value.details is not None
    return [(problem.field, problem.message) for problem in raised.value.details]


def test_defaults_are_page_1_limit_10_newest_first() -> None:
    query = parse("")
    assert query == ListQuery(page=1, limit=10, sort=Sort("createdAt", True), filters={})
    assert query.sort == DEFAULT_SORT
    assert query.offset == 0


def test_parameters_are_read_and_unknown_ones_ignored() -> None:
    query = parse("page=3&limit=100&sort=name&filter[name]=50%25_x&other=1&other=2")
    assert query == ListQuery(
        page=3, limit=100, sort=Sort("name", False), filters={"name": "50%_x"}
    )
    assert query.offset == 200


@pytest.mark.parametrize(("text", "number"), [("1", 1), ("007", 7), ("100000", 100000)])
def test_whole_numbers_are_decimal_digits_in_range(text: str, number: int) -> None:
    assert whole_number(text, 100_000) == number


@pytest.mark.parametrize(
    "text", ["", "0", "100001", "9223372036854775807", "1" * 5000, "1.0", "+1", " 1", "0x1", "²"]
)
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="must be"):
        whole_number(text, 100_000)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name", Sort("name", False)),
        ("name:asc", Sort("name", False)),
        ("createdAt:desc", Sort("createdAt", True)),
        ("updatedAt", Sort("updatedAt", False)),
    ],
)
def test_sort_parameter_is_parsed(text: str, expected: Sort) -> None:
    assert parse_sort(text, FIELDS) == expected


@pytest.mark.parametrize(
    "text", ["password", "created_at", "name:up", "name:", "", ":desc", "name:desc:x", "Name"]
)
def test_unknown_sort_fields_and_directions_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="must be <field>"):
        parse_sort(text, FIELDS)


def test_every_bad_parameter_is_named() -> None:
    assert [field for field, _ in problems("page=0&limit=101&sort=id&filter[name]=")] == [
        "query.page",
        "query.limit",
        "query.sort",
        "query.filter[name]",
    ]


def test_a_parameter_given_twice_is_refused() -> None:
    assert problems("page=1&page=1") == [("query.page", "must be given at most once")]


def test_a_text_filter_refuses_nul_and_more_than_its_field_holds() -> None:
    assert problems("filter[name]=a%00b") == [
        ("query.filter[name]", "must not contain NUL characters")
    ]
    assert problems("filter[name]=" + "é" * 201) == [
        ("query.filter[name]", "must be 1 to 200 characters")
    ]
    assert parse("filter[name]=" + "é" * 200).filters == {"name": "é" * 200}


def test_each_filter_reads_its_text_as_its_field_s_type() -> None:
    assert parse("filter[size]=-12&filter[name]=x").filters == {"name": "x", "size": -12}
    assert problems("filter[size]=1.5") == [
        ("query.filter[size]", "must be a whole number from -2147483648 to 2147483647")
    ]
    # A filter the resource does not have is an unknown parameter: ignored.
    assert parse("filter[colour]=red").filters == {}


def test_include_names_references_each_once_in_the_order_given() -> None:
    assert parse("include=editor,owner,editor").include == ("editor", "owner")
    assert problems("include=owner,") == [
        ("query.include", "must be a comma-separated list of: owner, editor")
    ]
    # Without references, include is no parameter of the list.
    assert parse_list_query(QueryParams("include=owner"), FIELDS).include == ()


@pytest.mark.parametrize(("total", "pages"), [(0, 0), (1, 1), (10, 1), (11, 2), (100, 10)])
def test_page_counts_round_up(total: int, pages: int) -> None:
    pagination = Pagination.of(page=1, limit=10, total=total)
    assert pagination.total_pages == pages
    assert pagination.model_dump(by_alias=True)["totalPages"] == pages


@pytest.mark.parametrize(
    ("text", "pattern"),
    [("sun", "%sun%"), ("50%", "%50\\%%"), ("a_b", "%a\\_b%"), ("back\\slash", "%back\\\\slash%")],
)
def test_text_filters_match_every_character_literally(text: str, pattern: str) -> None:
    assert contains_pattern(text) == pattern

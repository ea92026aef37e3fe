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

FIELDS = ("createdAt", "updatedAt", "name")


def problems(query: str) -> list[tuple[str, str]]:
    with pytest.raises(InvalidRequestError) as raised:
        parse_list_query(QueryParams(query), FIELDS)
    assert raised.value.details is not None
    return [(problem.field, problem.message) for problem in raised.value.details]


def test_defaults_are_page_1_limit_10_newest_first() -> None:
    query = parse_list_query(QueryParams(""), FIELDS)
    assert query == ListQuery(page=1, limit=10, sort=Sort("createdAt", True), name=None)
    assert query.sort == DEFAULT_SORT
    assert query.offset == 0


def test_parameters_are_read_and_unknown_ones_ignored() -> None:
    query = parse_list_query(
        QueryParams("page=3&limit=100&sort=name&filter[name]=50%25_x&other=1&other=2"), FIELDS
    )
    assert query == ListQuery(page=3, limit=100, sort=Sort("name", False), name="50%_x")
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


def test_name_filter_refuses_nul_and_more_than_200_characters() -> None:
    assert problems("filter[name]=a%00b")[0][0] == "query.filter[name]"
    assert problems("filter[name]=" + "é" * 201)[0][0] == "query.filter[name]"
    assert parse_list_query(QueryParams("filter[name]=" + "é" * 200), FIELDS).name == "é" * 200


@pytest.mark.parametrize(("total", "pages"), [(0, 0), (1, 1), (10, 1), (11, 2), (100, 10)])
def test_page_counts_round_up(total: int, pages: int) -> None:
    pagination = Pagination.of(page=1, limit=10, total=total)
    assert pagination.total_pages == pages
    assert pagination.model_dump(by_alias=True)["totalPages"] == pages

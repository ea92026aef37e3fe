import pytest

from app.core.pagination import Pagination, Sort, parse_sort

FIELDS = ("name", "created_at")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name", Sort("name", False)),
        ("name:asc", Sort("name", False)),
        ("created_at:desc", Sort("created_at", True)),
    ],
)
def test_sort_parameter_is_parsed(text: str, expected: Sort) -> None:
    assert parse_sort(text, FIELDS) == expected


@pytest.mark.parametrize("text", ["password", "name:up", "", ":desc", "name:desc:x"])
def test_unknown_sort_fields_and_directions_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="sort must be"):
        parse_sort(text, FIELDS)


@pytest.mark.parametrize(("total", "pages"), [(0, 0), (1, 1), (20, 1), (21, 2), (100, 5)])
def test_page_counts_round_up(total: int, pages: int) -> None:
    pagination = Pagination.of(page=1, limit=20, total=total)
    assert pagination.total_pages == pages
    assert pagination.model_dump(by_alias=True)["totalPages"] == pages

"""The hot reads answer only the plain query strings PageQueryArgsSchema would read the
same way; anything else is Declined (the Flask app answers it)."""
import pytest

from api.hot_reads import Declined, page_args, query_args

PAGE = frozenset({"page", "page_size"})


@pytest.mark.parametrize("query, expected", [
    ("", (1, 20)), ("page=2", (2, 20)), ("page_size=5&page=3", (3, 5)),
    ("page_size=500", (1, 100)), ("page=007", (7, 20)), ("page=100000", (100_000, 20)),
])
def test_plain_pages_are_read_as_the_schema_reads_them(query, expected):
    assert page_args(query_args(query, PAGE)) == expected


@pytest.mark.parametrize("query", [
    "page=0", "page=100001", "page_size=0", "page=-1", "page=1.5", "page=", "page",
    "page=1&page=2", "sort=title", "page=%31", "page=1;x", "pa%67e=1", "page=" + "9" * 7,
    "q=" + "a" * 5000,
])
def test_anything_else_is_declined(query):
    with pytest.raises(Declined):
        page_args(query_args(query, PAGE | {"q"}))

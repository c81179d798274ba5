"""Fetches the pages of a TMDb list: page 1 first (it tells how many there are), then
the rest a few at a time, handed out in TMDb's order."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterator

TMDB_LAST_PAGE = 500
PAGE_SIZE = 20

FetchPage = Callable[[int], dict[str, Any]]


def fetch_pages(fetch: FetchPage, pages: int, workers: int) -> Iterator[dict[str, Any]]:
    first = fetch(1)
    yield first
    last = min(pages, first.get("total_pages") or 1, TMDB_LAST_PAGE)
    if last < 2:
        return
    with ThreadPoolExecutor(max(1, workers), thread_name_prefix="tmdb-page") as pool:
        yield from pool.map(fetch, range(2, last + 1))


def expected_items(first: dict[str, Any], pages: int) -> int:
    """How many movies `pages` pages of this list hold, judged from its first page."""
    total_pages = min(pages, first.get("total_pages") or 1, TMDB_LAST_PAGE)
    return min(total_pages * PAGE_SIZE, first.get("total_results") or 0)

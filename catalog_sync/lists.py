"""Curated lists (popular, top rated, now playing, upcoming) and trending: import every
movie listed, then store the list in TMDb's order. The order is replaced only when
every page arrived, so a list is never cut short by an outage."""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Iterator

from adapters.tmdb import TmdbClient
from catalog_sync import commands
from catalog_sync.context import sync_context
from catalog_sync.pages import FetchPage, expected_items, fetch_pages
from catalog_sync.pool import Job, JobPool, Tally
from catalog_sync.report import Progress, SyncReport, no_progress, sync_run
from domain.catalog.vocabulary import CURATED_LISTS, LIST_NAMES, TRENDING_WINDOWS, \
    trending_list
from domain.ports import MessageContext

if TYPE_CHECKING:
    from movienexus.bootstrap import Container



def sync_list(container: Container, name: str, pages: int | None = None,
              progress: Progress = no_progress) -> SyncReport:
    """Imports the first `pages` pages (default SYNC_LIST_PAGES) of a TMDb list."""
    if name not in LIST_NAMES:
        raise ValueError(f"no list {name!r}; lists: {', '.join(LIST_NAMES)}")
    pages = pages or container.settings.sync_list_pages
    context = sync_context(name)
    listed: list[int] = []
    with sync_run(container, name) as report:
        pool = JobPool(report, progress, container.settings.sync_concurrency, f"sync {name}")
        pool.run(_import_jobs(container, name, pages, pool, listed, context))
        commands.refresh_list(container, name, list(dict.fromkeys(listed)), context)
    return report


def sync_trending(container: Container, window: str, pages: int | None = None,
                  progress: Progress = no_progress) -> SyncReport:
    if window not in TRENDING_WINDOWS:
        raise ValueError(f"trending window must be 'day' or 'week', not {window!r}")
    return sync_list(container, trending_list(window), pages, progress)


def _import_jobs(container: Container, name: str, pages: int, pool: JobPool, listed: list[int],
                 context: MessageContext | None) -> Iterator[Job]:
    fetch = _page_fetcher(container.tmdb, name)
    for number, page in enumerate(fetch_pages(fetch, pages, container.settings.sync_concurrency)):
        if number == 0:
            pool.expect(expected_items(page, pages))
        items = page.get("results") or []
        pool.report.add(fetched=len(items))
        for item in items:
            listed.append(item["id"])
            yield functools.partial(_import_item, container, item, context)


def _import_item(container: Container, item: dict,
                 context: MessageContext | None) -> Tally:
    return {commands.import_movie(container, item, complete=False, context=context): 1}


def _page_fetcher(tmdb: TmdbClient, name: str) -> FetchPage:
    if name in CURATED_LISTS:
        return lambda page: tmdb.curated_list(name, page=page)
    window = name.removeprefix(trending_list(""))
    return lambda page: tmdb.trending(window, page=page)

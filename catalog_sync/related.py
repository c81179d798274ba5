"""Recommendations and similar movies for the movies people use: the movies people
favorited (most favorited first), then the movies in the curated lists (list order),
at most SYNC_RELATED_LIMIT in all. Each related movie is imported as a list item, then
the relation is stored in TMDb's order."""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Iterator

from adapters.tmdb import TmdbNotFound
from catalog_sync import commands
from catalog_sync.context import sync_context
from catalog_sync.pool import Job, JobPool, Tally
from catalog_sync.queries import curated_movie_ids, favorited_movie_ids
from catalog_sync.report import Progress, SyncReport, no_progress, sync_run
from domain.catalog.vocabulary import RELATION_KINDS
from domain.ports import MessageContext

if TYPE_CHECKING:
    from movienexus.bootstrap import Container



def sync_related(container: Container, progress: Progress = no_progress,
                 limit: int | None = None) -> SyncReport:
    limit = limit or container.settings.sync_related_limit
    context = sync_context("related")
    with sync_run(container, "related") as report:
        movie_ids = related_movie_ids(container, limit)
        pool = JobPool(report, progress, container.settings.sync_concurrency, "sync related")
        pool.expect(len(movie_ids) * len(RELATION_KINDS))
        pool.run(_relation_jobs(container, movie_ids, context))
    return report


def related_movie_ids(container: Container, limit: int) -> list[int]:
    favorited = favorited_movie_ids(container.engine, limit)
    listed = curated_movie_ids(container.engine, limit)
    return list(dict.fromkeys([*favorited, *listed]))[:limit]


def refresh_relations_of(container: Container, tmdb_id: int,
                         context: MessageContext | None = None) -> Tally:
    """Both relations of one movie (one just favorited for the first time), with the
    short-timeout client: a TMDb outage costs seconds, not a worker for minutes."""
    tally: Tally = {}
    for kind in RELATION_KINDS:
        for name, count in refresh_relation(container, tmdb_id, kind, context,
                                            container.tmdb_interactive).items():
            tally[name] = tally.get(name, 0) + count
    return tally


def refresh_relation(container: Container, tmdb_id: int, kind: str,
                     context: MessageContext | None = None, tmdb=None) -> Tally:
    """Imports page 1 of a movie's `kind` list and stores the relation."""
    try:
        items = getattr(tmdb or container.tmdb, kind)(tmdb_id).get("results") or []
    except TmdbNotFound:  # gone from TMDb: the changes sync delists it
        return {"errors": 1}
    tally: Tally = {"fetched": len(items)}
    for item in items:
        outcome = commands.import_movie(container, item, complete=False, context=context)
        tally[outcome] = tally.get(outcome, 0) + 1
    related = [item["id"] for item in items]
    if commands.refresh_relations(container, tmdb_id, kind, related, context) == "errors":
        tally["errors"] = tally.get("errors", 0) + 1
    return tally


def _relation_jobs(container: Container, movie_ids: list[int],
                   context: MessageContext | None) -> Iterator[Job]:
    for tmdb_id in movie_ids:
        for kind in RELATION_KINDS:
            yield functools.partial(refresh_relation, container, tmdb_id, kind, context)

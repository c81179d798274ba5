"""Finding each imported row's movie: by TMDb id (imported from TMDb when the catalog
lacks it), by IMDb id (the catalog's copy of TMDb's fields, else TMDb's /find), else by
title and year: first the catalog's titles word for word (one query per batch: a row
whose title and year are a catalog movie's, with no rival as close, is matched there),
then the catalog's search, one row at a time (`matching`)."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from adapters.db.imports import StoredRow
from adapters.tmdb import TmdbNotFound
from catalog_sync.commands import import_movie
from domain.ports import MessageContext
from library_transfer import matching
from library_transfer.matching import MATCHED, UNMATCHED, Candidate
from library_transfer.rows import Row
from read_models.queries import catalog_queries
from read_models.queries import movie_lookup

if TYPE_CHECKING:
    from movienexus.bootstrap import Container

SEARCH_PAGE = 10
SEARCHES_AT_ONCE = 4    # the rest of a batch's rows are searched this many at a time


class RowMatcher:
    def __init__(self, container: Container, context: MessageContext):
        self.container, self.context = container, context

    def match(self, stored: list[StoredRow]) -> list[StoredRow]:
        rows = {s.row_no: Row.from_json(s.entry) for s in stored}
        by_id = self._by_tmdb_id({n: r.tmdb_id for n, r in rows.items() if r.tmdb_id})
        left = {n: r for n, r in rows.items() if n not in by_id}
        by_imdb = self._by_imdb_id({n: r.imdb_id for n, r in left.items() if r.imdb_id})
        found = {**by_id, **by_imdb}
        found.update(self._by_exact_title({n: r for n, r in rows.items()
                                           if n not in found and r.title}))
        left = [s for s in stored if s.row_no not in found]
        with ThreadPoolExecutor(SEARCHES_AT_ONCE) as pool:
            found.update(zip((s.row_no for s in left), pool.map(
                lambda s: self._by_title(s, rows[s.row_no]), left)))
        return [found[s.row_no] for s in stored]

    def _by_exact_title(self, rows: dict[int, Row]) -> dict[int, StoredRow]:
        """Rows a catalog movie of the same title (any case) and year matches for sure
        (confidence 1.0, clear of the other movies of that title); the rest are left to
        the search, which also weighs titles that are only alike."""
        titled = movie_lookup.by_titles(self.container.engine, sorted(
            {matching.search_text(r.title).lower() for r in rows.values()}))
        matched = {}
        for row_no, row in rows.items():
            found = [Candidate(*movie) for movie in
                     titled.get(matching.search_text(row.title).lower(), ())]
            match = matching.decide(row.title, row.year, found)
            if match.outcome == MATCHED and match.confidence == 1.0:
                matched[row_no] = StoredRow(row_no, {}, MATCHED, match.tmdb_id, 1.0,
                                            "title and year",
                                            [c.to_json() for c in match.candidates])
        return matched

    def _by_tmdb_id(self, ids: dict[int, int]) -> dict[int, StoredRow]:
        known = movie_lookup.known_ids(self.container.engine, sorted(set(ids.values())))
        matched = {}
        for row_no, tmdb_id in ids.items():
            if tmdb_id in known or self._imported(tmdb_id):
                known.add(tmdb_id)
                matched[row_no] = _matched(row_no, tmdb_id, "tmdb id")
            else:
                matched[row_no] = StoredRow(row_no, {}, UNMATCHED, how="TMDb does not know it")
        return matched

    def _by_imdb_id(self, ids: dict[int, str]) -> dict[int, StoredRow]:
        local = movie_lookup.ids_by_imdb(self.container.engine, sorted(set(ids.values())))
        matched = {}
        for row_no, imdb_id in ids.items():
            tmdb_id = local.get(imdb_id) or self._found(imdb_id)
            if tmdb_id is not None:
                local[imdb_id] = tmdb_id
                matched[row_no] = _matched(row_no, tmdb_id, "imdb id")
        return matched

    def _by_title(self, stored: StoredRow, row: Row) -> StoredRow:
        if not row.title:
            return StoredRow(stored.row_no, {}, UNMATCHED, how="no title")
        page = catalog_queries.search(self.container.engine, matching.search_text(row.title),
                                      1, SEARCH_PAGE)
        found = [_candidate(card) for card in page.cards]
        match = matching.decide(row.title, row.year, found)
        return StoredRow(stored.row_no, {}, match.outcome, match.tmdb_id, match.confidence,
                         "title and year", [c.to_json() for c in match.candidates])

    def _found(self, imdb_id: str) -> int | None:
        """TMDb's /find; the movie is imported when the catalog lacks it."""
        results = self.container.tmdb.find(imdb_id).get("movie_results") or []
        if not results:
            return None
        tmdb_id = int(results[0]["id"])
        known = movie_lookup.known_ids(self.container.engine, [tmdb_id])
        return tmdb_id if known or self._imported(tmdb_id) else None

    def _imported(self, tmdb_id: int) -> bool:
        try:
            detail = self.container.tmdb.movie(tmdb_id)
        except TmdbNotFound:
            return False
        return import_movie(self.container, detail, complete=True,
                            context=self.context) != "errors"


def _matched(row_no: int, tmdb_id: int, how: str) -> StoredRow:
    return StoredRow(row_no, {}, MATCHED, tmdb_id, 1.0, how, [])


def _candidate(card: bytes) -> Candidate:
    body = json.loads(card)
    return Candidate(body["tmdb_id"], body["title"], body.get("year"))

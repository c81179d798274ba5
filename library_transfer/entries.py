"""The rows matched to one movie, merged into the entry the library receives: the
rating and notes of the latest row that has them, the earliest date it was added,
watched when any row says so."""
from __future__ import annotations

from datetime import datetime
from itertools import groupby

from domain.library.commands import ImportEntry
from domain.library.model import ImportedFavorite, ImportedWatchlistItem
from library_transfer.rows import FAVORITE, WATCHED, Row


def entries_of(matched: list[tuple[int, Row]]) -> list[ImportEntry]:
    """`matched`: (tmdb id, row) pairs; one entry per movie, in id order."""
    ordered = sorted(matched, key=lambda pair: pair[0])
    return [_entry(tmdb_id, [row for _, row in group])
            for tmdb_id, group in groupby(ordered, key=lambda pair: pair[0])]


def _entry(tmdb_id: int, rows: list[Row]) -> ImportEntry:
    favorites = sorted((r for r in rows if r.kind == FAVORITE), key=_changed)
    listed = [r for r in rows if r.kind != FAVORITE]
    return ImportEntry(tmdb_id, _favorite(favorites) if favorites else None,
                       _watchlist_item(listed) if listed else None)


def _favorite(rows: list[Row]) -> ImportedFavorite:
    rated = [r for r in rows if r.rating is not None]
    noted = [r for r in rows if r.notes]
    changed = [r.changed_at for r in rated + noted if r.changed_at]
    return ImportedFavorite(rating=rated[-1].rating if rated else None,
                            notes=noted[-1].notes if noted else None,
                            added_at=_earliest(r.added_at for r in rows),
                            changed_at=_time(max(changed)) if changed else None)


def _watchlist_item(rows: list[Row]) -> ImportedWatchlistItem:
    watched = [r.changed_at for r in rows if r.kind == WATCHED]
    return ImportedWatchlistItem(watched=bool(watched),
                                 added_at=_earliest(r.added_at for r in rows),
                                 watched_at=_time(max(w for w in watched if w))
                                 if any(watched) else None)


def _changed(row: Row) -> str:
    return row.changed_at or ""


def _earliest(dates) -> datetime | None:
    known = [d for d in dates if d]
    return _time(min(known)) if known else None


def _time(iso: str) -> datetime:
    return datetime.fromisoformat(iso)

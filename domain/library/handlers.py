"""Library command handlers: load through the unit of work, call the aggregate, commit."""
from __future__ import annotations

from dataclasses import dataclass

from domain.errors import NotFound
from domain.library import commands
from domain.library.model import Favorite, Library, MovieFacts, WatchlistItem
from domain.ports import Clock, UnitOfWork


@dataclass(frozen=True)
class Saved:
    """The entry as written, and whether it is new (201) or was there (200)."""

    entry: Favorite | WatchlistItem
    created: bool


def save_favorite(cmd: commands.SaveFavorite, uow: UnitOfWork, clock: Clock) -> Saved:
    with uow:
        movie = _movie_facts(uow, cmd.tmdb_id)
        library = _library(uow, cmd.user_id, cmd.tmdb_id)
        created = library.save_favorite(movie, cmd.changes, clock.now())
        uow.commit()
    return Saved(library.favorites[cmd.tmdb_id], created)


def remove_favorite(cmd: commands.RemoveFavorite, uow: UnitOfWork, clock: Clock) -> None:
    with uow:
        library = _library(uow, cmd.user_id, cmd.tmdb_id)
        library.remove_favorite(cmd.tmdb_id, clock.now())
        uow.commit()


def save_watchlist_item(cmd: commands.SaveWatchlistItem, uow: UnitOfWork,
                        clock: Clock) -> Saved:
    with uow:
        movie = _movie_facts(uow, cmd.tmdb_id)
        library = _library(uow, cmd.user_id, cmd.tmdb_id)
        created = library.save_watchlist_item(movie, cmd.watched, clock.now())
        uow.commit()
    return Saved(library.watchlist[cmd.tmdb_id], created)


def remove_watchlist_item(cmd: commands.RemoveWatchlistItem, uow: UnitOfWork,
                          clock: Clock) -> None:
    with uow:
        library = _library(uow, cmd.user_id, cmd.tmdb_id)
        library.remove_watchlist_item(cmd.tmdb_id, clock.now())
        uow.commit()


@dataclass(frozen=True)
class Imported:
    """Which movies an import batch changed, and which it could not write (not in
    the catalog, or delisted)."""

    changed: tuple[int, ...]
    missing: tuple[int, ...]


def import_entries(cmd: commands.ImportEntries, uow: UnitOfWork, clock: Clock) -> Imported:
    with uow:
        ids = sorted({entry.tmdb_id for entry in cmd.entries})
        library = uow.libraries.get_many(cmd.user_id, ids) or Library(id=cmd.user_id)
        uow.libraries.add(library)
        changed, missing = [], []
        for entry in cmd.entries:
            movie = _movie_facts_or_none(uow, entry.tmdb_id)
            if movie is None:
                missing.append(entry.tmdb_id)
            elif _import_entry(library, movie, entry, clock.now(), cmd.overwrite):
                changed.append(entry.tmdb_id)
        uow.commit()
    return Imported(tuple(changed), tuple(missing))


def _import_entry(library: Library, movie: MovieFacts, entry: commands.ImportEntry,
                  now, overwrite: bool) -> bool:
    changed = False
    if entry.favorite is not None:
        changed |= library.import_favorite(movie, entry.favorite, now, overwrite)
    if entry.watchlist is not None:
        changed |= library.import_watchlist_item(movie, entry.watchlist, now)
    return changed


def _movie_facts_or_none(uow: UnitOfWork, tmdb_id: int) -> MovieFacts | None:
    try:
        return _movie_facts(uow, tmdb_id)
    except NotFound:
        return None


def _movie_facts(uow: UnitOfWork, tmdb_id: int) -> MovieFacts:
    movie = uow.movies.get(tmdb_id)
    if movie is None or movie.delisted:
        raise NotFound(f"No movie {tmdb_id} in the catalog.")
    year = movie.release_date[:4]
    return MovieFacts(tmdb_id, list(movie.genre_ids), int(year) if year.isdigit() else None)


def _library(uow: UnitOfWork, user_id: str, tmdb_id: int) -> Library:
    library = uow.libraries.get(user_id, tmdb_id)
    if library is None:
        library = Library(id=user_id)
        uow.libraries.add(library)
    return library


HANDLERS = {
    commands.SaveFavorite: save_favorite,
    commands.RemoveFavorite: remove_favorite,
    commands.SaveWatchlistItem: save_watchlist_item,
    commands.RemoveWatchlistItem: remove_watchlist_item,
    commands.ImportEntries: import_entries,
}

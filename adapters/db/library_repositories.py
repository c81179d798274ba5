"""The library repository: the root row is locked when loaded (a person's writes are
serialised) and version-guarded like every aggregate's; the entries a command changed
are written (or deleted) in the same transaction."""
from __future__ import annotations

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects.postgresql import insert

from adapters.db import library_tables as tables
from adapters.db.repositories import RowMapper
from domain.aggregate import Aggregate
from domain.library.model import FAVORITE, Favorite, Library, WatchlistItem
from domain.ports import LibraryRepository


class SqlLibraryRepository(RowMapper, LibraryRepository):
    table = tables.libraries
    columns = ()

    def get(self, user_id: str, tmdb_id: int) -> Library | None:
        """Locks the library's row until the transaction ends: a person's writes queue
        here one after another instead of racing for the next version (writes to
        different movies never conflict in meaning, so none of them must fail)."""
        root = self.connection.execute(select(self.table).where(
            self.table.c.id == user_id).with_for_update()).mappings().first()
        if root is None:
            return None
        library = Library(id=user_id, version=root["version"])
        for row in self._entries(tables.library_favorites, user_id, tmdb_id):
            library.favorites[tmdb_id] = Favorite(**row)
        for row in self._entries(tables.library_watchlist, user_id, tmdb_id):
            library.watchlist[tmdb_id] = WatchlistItem(**row)
        return self._track(library, self)

    def get_many(self, user_id: str, tmdb_ids: list[int]) -> Library | None:
        root = self.connection.execute(select(self.table).where(
            self.table.c.id == user_id).with_for_update()).mappings().first()
        if root is None:
            return None
        library = Library(id=user_id, version=root["version"])
        for table, entries, build in ((tables.library_favorites, library.favorites, Favorite),
                                      (tables.library_watchlist, library.watchlist,
                                       WatchlistItem)):
            rows = self.connection.execute(select(table).where(
                table.c.library_id == user_id, table.c.tmdb_id.in_(tmdb_ids))).mappings()
            for row in rows:
                entries[row["tmdb_id"]] = build(**{k: v for k, v in row.items()
                                                   if k != "library_id"})
        return self._track(library, self)

    def add(self, library: Library) -> None:
        self._track(library, self)

    def save(self, library: Aggregate, new_version: int) -> None:
        super().save(library, new_version)
        for kind, tmdb_id in sorted(library.dirty):
            if kind == FAVORITE:
                self._write(tables.library_favorites, library, tmdb_id,
                            library.favorites.get(tmdb_id))
            else:
                self._write(tables.library_watchlist, library, tmdb_id,
                            library.watchlist.get(tmdb_id))
        library.dirty.clear()

    def _entries(self, table: Table, user_id: str, tmdb_id: int) -> list[dict]:
        rows = self.connection.execute(select(table).where(
            table.c.library_id == user_id, table.c.tmdb_id == tmdb_id)).mappings()
        return [{k: v for k, v in row.items() if k != "library_id"} for row in rows]

    def _write(self, table: Table, library: Library, tmdb_id: int,
               entry: Favorite | WatchlistItem | None) -> None:
        key = (table.c.library_id == library.id, table.c.tmdb_id == tmdb_id)
        if entry is None:
            self.connection.execute(delete(table).where(*key))
            return
        values = {name: getattr(entry, name) for name in table.c.keys() if name != "library_id"}
        self.connection.execute(insert(table).values(library_id=library.id, **values)
                                .on_conflict_do_update(index_elements=["library_id", "tmdb_id"],
                                                       set_=values))

"""Filtered and sorted pages of a large library, kept up to date one change at a time.

The ids a filter and sort select, in order, are kept in Redis with the library version
and the catalog generation they hold (`{key}`), and beside them each id's sort value and
time added (`{key}:keys`, read only to update the list). A page is the kept ids' slice,
its entries and its cards. When the library moved on, only the entries its events since
the kept version name are read again from the read tables (one statement: the tables'
version, those movies from the log, their rows) and moved to their place in the list:
the first read after a person's change costs what the change touched, not what the
library holds. The whole list is computed again (one query
of the person's rows, sorted here) the first time, when the catalog generation moved (a
movie's title, popularity or listing may have changed) or after more than MAX_CHANGES.

Sorting happens here, never in SQL, so a list computed whole and one updated in place
order alike: nulls last either way, ties newest added first, then by tmdb id."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgpack
from sqlalchemy import (
    Connection,
    Integer,
    cast,
    column,
    func,
    null,
    select,
    table,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB

from read_models.queries.catalog_queries import Page
from read_models.stores import library_documents as docs
from read_models.stores import movie_documents as movie_docs
from read_models.stores.catalog_tables import read_movies
from read_models.stores.library_tables import read_library_stats

if TYPE_CHECKING:
    from read_models.queries.library_queries import EntryFilters, Stores

KEEP_SECONDS = 600
MAX_CHANGES = 500

# The event log, as far as a library's changes go (read_models/queries/person_events.py
# reads it too).
_events = table("events", column("aggregate_type"), column("aggregate_id"),
                column("aggregate_version"), column("payload", JSONB))


@dataclass(frozen=True)
class Kept:
    """A filter and sort's list as Redis keeps it: ids in order, at a version."""

    version: int
    generation: int
    ids: list[int]

    def serves(self, version: int, generation: int) -> bool:
        return self.generation == generation and self.version >= version


def sorted_page(stores: Stores, user_id: str, kind: str, filters: EntryFilters,
                first: int, size: int) -> Page | None:
    """None when Redis does not hold this library (the caller reads the tables)."""
    key = _key(user_id, kind, filters)
    # The sort values come along (a local transfer) so that a read after a change needs
    # no second round trip before it updates the order.
    version, generation, raw, raw_keys = stores.library.redis.mget(
        docs.library_key(user_id, "v"), movie_docs.CATALOG_GENERATION_KEY, key, f"{key}:keys")
    if version is None:
        return None
    kept, generation = _kept(raw), int(generation or 0)
    if kept is not None and kept.serves(int(version), generation):
        return _page(stores, user_id, kind, kept.ids, first, size)
    ordered = _kept_order(raw_keys, kept, generation)
    return _refreshed(stores, user_id, kind, filters, key, ordered, kept, generation, first,
                      size)


def _key(user_id: str, kind: str, filters: EntryFilters) -> str:
    described = json.dumps([filters.q and filters.q.casefold(), sorted(filters.genres),
                            filters.min_rating, filters.watched, filters.sort])
    return docs.library_key(user_id, f"{kind}-order:" + hashlib.blake2b(
        described.encode(), digest_size=10).hexdigest())


def _kept(raw: bytes | None) -> Kept | None:
    found = msgpack.unpackb(raw) if raw else None
    return Kept(found["version"], found["generation"], found["ids"]) if found else None


# --- computing and updating a list --------------------------------------------------------

@dataclass
class Ordered:
    """A list in order, with each entry's sort value and time added (what places an
    entry that comes back)."""

    ids: list[int]
    values: list[Any]
    added: list[float]

    @classmethod
    def of(cls, rows: list[tuple[int, Any, float]], order: Order) -> Ordered:
        rows = sorted(rows, key=order.key)
        return cls([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])

    def drop(self, tmdb_ids: set[int]) -> None:
        for tmdb_id in tmdb_ids:
            if tmdb_id in self.ids:
                at = self.ids.index(tmdb_id)
                del self.ids[at], self.values[at], self.added[at]

    def put(self, row: tuple[int, Any, float], order: Order) -> None:
        """`row` in its place: a binary search over the keys of the rows it meets."""
        wanted, low, high = order.key(row), 0, len(self.ids)
        while low < high:
            middle = (low + high) // 2
            if order.key((self.ids[middle], self.values[middle], self.added[middle])) < wanted:
                low = middle + 1
            else:
                high = middle
        self.ids.insert(low, row[0])
        self.values.insert(low, row[1])
        self.added.insert(low, row[2])


def _refreshed(stores: Stores, user_id: str, kind: str, filters: EntryFilters, key: str,
               ordered: Ordered | None, kept: Kept | None, generation: int, first: int,
               size: int) -> Page:
    """The page of the list at the read tables' version: the kept list updated in place
    when that is cheap, else computed whole; kept for the next reads in the same round
    trip that reads the page."""
    order = Order(filters.sort)
    since = kept.version if ordered else None
    # One statement at a time, each its own snapshot: no BEGIN and no ROLLBACK to wait for.
    with stores.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        version, changed, rows = _read(conn, user_id, kind, filters, order, since)
        if changed is None and since is not None:   # too many changes: all of it
            version, changed, rows = _read(conn, user_id, kind, filters, order, None)
    if changed is None:
        ordered = Ordered.of(rows, order)
    else:
        ordered.drop(changed)
        for row in rows:
            ordered.put(row, order)
    stamp = {"version": version, "generation": generation}
    keep = {key: {**stamp, "ids": ordered.ids},
            f"{key}:keys": {**stamp, "values": ordered.values, "added": ordered.added}}
    return _page(stores, user_id, kind, ordered.ids, first, size, keep)


def _kept_order(raw: bytes | None, kept: Kept | None, generation: int) -> Ordered | None:
    """`kept` with the sort values kept beside it (`raw`, of the same version), or None
    when the list must be computed whole."""
    if kept is None or kept.generation != generation:
        return None
    found = msgpack.unpackb(raw) if raw else None
    if not found or found["version"] != kept.version or len(found["values"]) != len(kept.ids):
        return None
    return Ordered(kept.ids, found["values"], found["added"])


def _read(conn: Connection, user_id: str, kind: str, filters: EntryFilters, order: Order,
          since: int | None) -> tuple[int, set[int] | None, list[tuple[int, Any, float]]]:
    """One statement: the read tables' library version, the movies the library's events
    after `since` touched (written, projected or not: reading a row again is harmless;
    None when there is no `since` or too many to be cheap) and the (tmdb id, sort value,
    time added) of the entries the filter keeps, of those movies only when there is a
    `since`. One snapshot, so every change up to the version is in the rows."""
    from read_models.queries.library_queries import TABLES, filtered_entries
    table = TABLES[kind]
    rows = filtered_entries(select(table.c.tmdb_id, order.column(table).label("value"),
                                   table.c.added_at), table, user_id, filters).order_by(None)
    changed = _changed_ids(user_id, since or 0).cte("changed")
    if since:
        rows = rows.where(table.c.tmdb_id.in_(select(changed.c.tmdb_id)))
    rows = rows.subquery("rows")
    header = select(
        select(read_library_stats.c.version).where(
            read_library_stats.c.user_id == user_id).scalar_subquery().label("version"),
        select(func.array_agg(changed.c.tmdb_id)).scalar_subquery().label("changed")
        if since else null().label("changed")).subquery("header")
    found = conn.execute(select(header.c.version, header.c.changed, rows.c.tmdb_id,
                                rows.c.value, rows.c.added_at)
                         .select_from(header.outerjoin(rows, true()))).all()
    version, touched = found[0].version or 0, set(found[0].changed or ())
    kept = [(r.tmdb_id, order.value(r.value), r.added_at.timestamp())
            for r in found if r.tmdb_id is not None]
    return version, (touched if since and len(touched) <= MAX_CHANGES else None), kept


def _changed_ids(user_id: str, since: int):
    return (select(cast(_events.c.payload["tmdb_id"].astext, Integer).label("tmdb_id"))
            .where(_events.c.aggregate_type == "library", _events.c.aggregate_id == user_id,
                   _events.c.aggregate_version > since)
            .distinct().limit(MAX_CHANGES + 1))


class Order:
    """One sort: which column it reads, the value kept for it, and the key that orders
    rows (nulls last either way, ties newest added first, then by tmdb id)."""

    def __init__(self, sort: str):
        self.name, self.descending = sort.lstrip("-"), sort.startswith("-")

    def column(self, table) -> Any:
        if self.name in ("title", "release_date", "popularity"):
            return read_movies.c[self.name]
        return table.c[self.name]

    def value(self, raw: Any) -> Any:
        """A JSON-ready value that orders as the column does."""
        if raw is None:
            return None
        if self.name == "title":
            return raw.casefold()
        if hasattr(raw, "isoformat"):
            return raw.timestamp() if hasattr(raw, "timestamp") else raw.isoformat()
        return raw

    def key(self, row: tuple) -> tuple:
        tmdb_id, value, added = row
        if value is None:
            return (1, 0, -added, tmdb_id)
        if not self.descending:
            return (0, value, -added, tmdb_id)
        return (0, -value if isinstance(value, (int, float)) else Descending(value),
                -added, tmdb_id)


class Descending:
    """Orders strings backwards (a descending sort by title or date)."""

    __slots__ = ("value",)

    def __init__(self, value: str):
        self.value = value

    def __lt__(self, other: Descending) -> bool:
        return other.value < self.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Descending) and other.value == self.value


# --- a page ---------------------------------------------------------------------------------

def _page(stores: Stores, user_id: str, kind: str, ids: list[int], first: int, size: int,
          keep: dict[str, dict] | None = None) -> Page:
    """The page's entries and cards (and the list kept, when given), one round trip."""
    wanted = ids[first:first + size]
    pipe = stores.library.redis.pipeline(transaction=False)
    for key, document in (keep or {}).items():
        pipe.set(key, msgpack.packb(document), ex=KEEP_SECONDS)
    if wanted:
        pipe.hmget(docs.library_key(user_id, kind), wanted)
        pipe.mget([movie_docs.card_key(i) for i in wanted])
    found = pipe.execute() if len(pipe) else []
    if not wanted:
        return Page([], len(ids))
    entries, cards = found[-2:]
    return Page([docs.item(card, entry) for entry, card in zip(entries, cards)
                 if entry and card], len(ids))

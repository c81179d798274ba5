"""A person's stats as counters, moved by each library event (pure; no I/O).

The counters are what read_library_stats keeps; `document` renders GET /me/stats from
them (all but `recent_count`, which slides with the clock and is counted at read time
over the favorites' time index).
"""
from __future__ import annotations

from typing import Any

from read_models.stores.movie_documents import average_rating, genre_name

TOP_GENRES = 5
RATINGS = tuple(range(1, 11))


def empty() -> dict[str, Any]:
    return {"favorites": 0, "rated": 0, "rating_sum": 0,
            "histogram": {str(r): 0 for r in RATINGS}, "genres": {}, "decades": {},
            "watchlist": 0, "watched": 0}


def copy(counters: dict[str, Any]) -> dict[str, Any]:
    """Counters to move without moving these (one level down is all they nest)."""
    return {**counters, "histogram": dict(counters["histogram"]),
            "genres": dict(counters["genres"]), "decades": dict(counters["decades"])}


def decade_of(year: int | None) -> int | None:
    return None if year is None else year // 10 * 10


def _bump(counts: dict[str, int], key: Any, delta: int) -> None:
    value = counts.get(str(key), 0) + delta
    if value:
        counts[str(key)] = value
    else:
        counts.pop(str(key), None)


def rate(counters: dict[str, Any], rating: int | None, delta: int) -> None:
    """Counts (delta +1) or uncounts (-1) one rating."""
    if rating is None:
        return
    counters["rated"] += delta
    counters["rating_sum"] += delta * rating
    counters["histogram"][str(rating)] += delta


def favorite(counters: dict[str, Any], rating: int | None, genre_ids: list[int],
             year: int | None, delta: int) -> None:
    """A favorite added (delta +1) or removed (-1)."""
    counters["favorites"] += delta
    rate(counters, rating, delta)
    for genre_id in set(genre_ids):
        _bump(counters["genres"], genre_id, delta)
    if (decade := decade_of(year)) is not None:
        _bump(counters["decades"], decade, delta)


def watchlist_item(counters: dict[str, Any], watched: bool, delta: int) -> None:
    counters["watchlist"] += delta
    counters["watched"] += delta if watched else 0


def watched(counters: dict[str, Any], delta: int) -> None:
    counters["watched"] += delta


def top_genre_ids(counters: dict[str, Any]) -> list[int]:
    ranked = sorted(counters["genres"].items(), key=lambda kv: (-kv[1], int(kv[0])))
    return [int(gid) for gid, _ in ranked[:TOP_GENRES]]


def document(counters: dict[str, Any], genre_names: dict[int, str]) -> dict[str, Any]:
    """GET /me/stats without recent_count (added when read)."""
    genres = counters["genres"]
    return {
        "total_favorites": counters["favorites"],
        "watchlist_count": counters["watchlist"],
        "watched_count": counters["watched"],
        "rated_count": counters["rated"],
        "average_rating": average_rating(counters["rating_sum"], counters["rated"]),
        "top_genres": [{"id": gid, "name": genre_name(gid, genre_names),
                        "count": genres[str(gid)]} for gid in top_genre_ids(counters)],
        "by_decade": [{"decade": int(d), "count": n}
                      for d, n in sorted(counters["decades"].items(), key=lambda kv: int(kv[0]))],
        "rating_histogram": {str(r): counters["histogram"][str(r)] for r in RATINGS},
    }

"""The JSON bodies of a person's library (pure functions) and their Redis keys.

An entry (a favorite's rating, notes and times; a watchlist item's times) is stored
without its movie: a list is assembled at read time from the entries and the movies'
ready-to-send cards, so a MovieUpdated never rewrites anyone's list.

Every key of one library carries the user id as a Redis Cluster hash tag (`{...}`), so
one script can touch them all.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

RECENT_DAYS = 30


def library_key(user_id: str, part: str) -> str:
    """part: v (the library version Redis holds), fav / wl (entries by tmdb id),
    fav-t / wl-t (tmdb ids by time added), stats, recs / recs-e / recs:v."""
    return f"lib:{{{user_id}}}:{part}"


def library_keys(user_id: str) -> list[str]:
    """The keys the write scripts take, in their order."""
    return [library_key(user_id, part) for part in ("v", "fav", "fav-t", "wl", "wl-t", "stats")]


def dump(document: Any) -> str:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def moment(value: datetime | str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    return parsed.astimezone(timezone.utc)


def iso(value: datetime | str | None) -> str | None:
    """One spelling of a time in every document: ISO 8601 in UTC."""
    parsed = moment(value)
    return parsed.isoformat() if parsed else None


def millis(value: datetime | str) -> int:
    return int(moment(value).timestamp() * 1000)


def favorite_entry(rating: int | None, notes: str | None, added_at, updated_at) -> str:
    return dump({"rating": rating, "notes": notes, "added_at": iso(added_at),
                 "updated_at": iso(updated_at)})


def watchlist_entry(added_at, watched: bool, watched_at) -> str:
    return dump({"added_at": iso(added_at), "watched": watched, "watched_at": iso(watched_at)})


def item(card: bytes, entry: bytes) -> bytes:
    """{"movie": card, ...entry}, joined without parsing either."""
    return b'{"movie":' + card + b"," + entry[1:]


def with_field(document: bytes, name: str, value: Any) -> bytes:
    """The document with one more top-level field (its last), without parsing it."""
    return document[:-1] + b',"' + name.encode() + b'":' + dump(value).encode() + b"}"


def me_block(favorite: dict | None, watchlist: dict | None) -> dict[str, Any]:
    """The `me` block of a movie's detail, from the caller's two entries of it."""
    return {"favorite": favorite is not None,
            "rating": favorite["rating"] if favorite else None,
            "notes": favorite["notes"] if favorite else None,
            "in_watchlist": watchlist is not None,
            "watched": bool(watchlist and watchlist["watched"])}

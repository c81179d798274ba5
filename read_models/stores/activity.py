"""When a person last changed each kind of thing (favorites, ratings, watchlist,
profile, sessions), as Trakt's `last_activities`: a frontend refetches only what moved.

One Redis hash per person, `activity:<user>`, each field the epoch milliseconds of the
latest applied event of that kind, only ever raised (so an event applied twice, or out
of order, leaves it the same). The runner raises it as it applies events. The hash is
a cache of the log: one that lacks its `complete` mark (new, evicted, or Redis was
flushed) is computed from the event log on the next read and marked."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from redis import Redis
from sqlalchemy import Engine, text

from adapters.db.imports import ImportStore
from adapters.messaging.envelope import Envelope
from domain.accounts import events as accounts
from domain.library import events as library
from read_models.stores.redis_docs import ScriptCall

KINDS = ("favorites", "ratings", "watchlist", "profile", "sessions")
COMPLETE = "complete"
LIBRARY, USER, SESSION = (library.LibraryEvent.aggregate_type, accounts.UserEvent.aggregate_type,
                          accounts.SessionEvent.aggregate_type)


def _types(*events: type) -> frozenset[str]:
    return frozenset(event.event_type() for event in events)


FAVORITE_EVENTS = _types(library.FavoriteAdded, library.FavoriteUpdated,
                         library.FavoriteRemoved)
WATCHLIST_EVENTS = _types(library.WatchlistItemAdded, library.WatchlistItemWatched,
                          library.WatchlistItemUnwatched, library.WatchlistItemRemoved)
SESSION_EVENTS = _types(accounts.SessionStarted, accounts.SessionRefreshed,
                        accounts.SessionRevoked)
PROFILE_EVENTS = _types(accounts.UserRegistered, accounts.ProfileUpdated,
                        accounts.EmailVerified, accounts.PasswordChanged)

# KEYS: the hash, and the channel to announce on (none when computing from the log);
# ARGV: the event's position, then (field, millis) pairs.
_RAISE = """
for i = 2, #ARGV, 2 do
  local now = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
  if tonumber(ARGV[i + 1]) > now then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
if KEYS[2] then redis.call('PUBLISH', KEYS[2], ARGV[1]) end
"""

_FROM_LOG = text("""
    SELECT event_type,
           coalesce(payload->>'rating' IS NOT NULL OR payload->'changes' ? 'rating', false)
             AS rated,
           max(occurred_at) AS at
    FROM events
    WHERE (aggregate_id = :user AND aggregate_type IN (:library, :user_type))
       OR (aggregate_type = :session AND payload->>'user_id' = :user)
    GROUP BY 1, 2
""")


def activity_key(user_id: str) -> str:
    return f"activity:{user_id}"


def changes_channel(user_id: str) -> str:
    """Where the position of each applied event of the person is announced (the
    event stream, api/stream, listens)."""
    return f"changes:{user_id}"


def announce(redis: Redis, user_id: str, event: str, data: dict) -> None:
    """A notice that is not in the event log (an import's progress): the person's open
    streams send it as `event` at once, without an id (a stream resumed later does not
    replay it; what it reports can be read again, e.g. GET /me/imports/{id})."""
    redis.publish(changes_channel(user_id), json.dumps({"event": event, "data": data}))


class ImportProgress:
    """Announces an import's progress on its person's streams each time the store
    records a step (ImportStore's `on_recorded`): `import` with its id, status, the
    rows processed (as GET /me/imports/{id} counts them) and the total."""

    def __init__(self, redis: Redis, engine: Engine):
        self.redis, self.store = redis, ImportStore(engine)

    def __call__(self, import_id: str) -> None:
        job = self.store.job(import_id)
        if job is None:
            return
        processed = self.store.processed(import_id)
        announce(self.redis, job["user_id"], "import", {
            "id": import_id, "status": job["status"], "processed": min(processed, job["total"]),
            "total": job["total"], "recorded_at": datetime.now(timezone.utc).isoformat()})


def kinds_of(event_type: str, rated: bool) -> list[str]:
    if event_type in FAVORITE_EVENTS:
        return ["favorites", "ratings"] if rated else ["favorites"]
    if event_type in WATCHLIST_EVENTS:
        return ["watchlist"]
    if event_type in SESSION_EVENTS:
        return ["sessions"]
    return ["profile"] if event_type in PROFILE_EVENTS else []


def _rated(payload: dict) -> bool:
    return payload.get("rating") is not None or "rating" in (payload.get("changes") or {})


def _user_of(envelope: Envelope) -> str | None:
    if envelope.aggregate_type in (LIBRARY, USER):
        return envelope.aggregate_id
    return envelope.payload.get("user_id") if envelope.aggregate_type == SESSION else None


def _millis(when: datetime | str) -> int:
    moment = datetime.fromisoformat(when) if isinstance(when, str) else when
    return int(moment.timestamp() * 1000)


class LastActivities:
    def __init__(self, redis: Redis, engine: Engine):
        self.redis, self.engine = redis, engine
        self._raise = redis.register_script(_RAISE)

    def touches(self, envelopes: list[Envelope]) -> list[ScriptCall]:
        """For each applied event, the call (for redis_docs.run_scripts) that raises the
        person's fields it moves, and announces it."""
        calls: list[ScriptCall] = []
        for envelope in envelopes:
            user_id = _user_of(envelope)
            if not user_id:
                continue
            at = _millis(envelope.occurred_at)
            calls.append((self._raise, [activity_key(user_id), changes_channel(user_id)],
                          [envelope.position, *(value for kind in kinds_of(
                              envelope.event_type, _rated(envelope.payload))
                                                for value in (kind, at))]))
        return calls

    def document(self, user_id: str) -> dict[str, str | None]:
        """One Redis read when the hash is complete; else computed from the log."""
        fields = {k.decode(): int(v) for k, v in
                  self.redis.hgetall(activity_key(user_id)).items()}
        if COMPLETE not in fields:
            fields = self._from_log(user_id)
        return {kind: _iso(fields.get(kind)) for kind in KINDS}

    def _from_log(self, user_id: str) -> dict[str, int]:
        latest: dict[str, int] = {}
        with self.engine.connect() as conn:
            rows = conn.execute(_FROM_LOG, {"user": user_id, "library": LIBRARY,
                                            "user_type": USER, "session": SESSION})
            for row in rows:
                for kind in kinds_of(row.event_type, row.rated):
                    latest[kind] = max(latest.get(kind, 0), _millis(row.at))
        latest[COMPLETE] = 1
        self._raise(keys=[activity_key(user_id)],
                    args=[0, *(value for item in latest.items() for value in item)])
        return latest


def _iso(millis: int | None) -> str | None:
    return datetime.fromtimestamp(millis / 1000, timezone.utc).isoformat() if millis else None

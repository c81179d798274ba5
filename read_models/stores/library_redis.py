"""A person's library in Redis, version-gated as a whole, changed a batch at a time.

`lib:{u}:v` is the library version Redis holds. A batch of applied events, versions
a..b, is written as one range change (the entries the batch touched, as they are at b,
the stats document and the version, in one script) onto a version from a-1 up to b-1;
one at b or later already has it. A change that finds an older version than a-1 (a
write lost to a crash, a flushed Redis) is refused with GAP, and the caller rewrites the
whole library from the read tables, again only if newer. So Redis never goes back in
time, never skips a change, and does work in proportion to the batch in the normal
case.

The keys hold no TTL: run Redis with `noeviction` (or a `volatile-*` policy), so a
library is never evicted piecemeal.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from redis import Redis

from read_models.stores.library_documents import library_key, library_keys

APPLIED, DUPLICATE, GAP = 1, 0, -1

# KEYS: v, fav, fav-t, wl, wl-t, stats, then k flags to set (NX). ARGV: from (a-1), to
# (b), stats, k, the k flags' lifetimes (ms), then for the favorites and then the
# watchlist: n, n (id, entry, score) to set, m, m ids to remove. Answers {outcome, and
# 1 for each flag this call set}.
_APPLY_RANGE = """
local answer = {0}
local flags = tonumber(ARGV[4])
for i = 1, flags do
  answer[#answer + 1] = redis.call('SET', KEYS[6 + i], '1', 'NX', 'PX', ARGV[4 + i]) and 1 or 0
end
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local from, to = tonumber(ARGV[1]), tonumber(ARGV[2])
if to <= current then return answer end
if current < from then answer[1] = -1; return answer end
local at = 5 + flags
for _, pair in ipairs({{2, 3}, {4, 5}}) do
  local n = tonumber(ARGV[at])
  for i = at + 1, at + 3 * n, 3 do
    redis.call('HSET', KEYS[pair[1]], ARGV[i], ARGV[i + 1])
    redis.call('ZADD', KEYS[pair[2]], ARGV[i + 2], ARGV[i])
  end
  at = at + 3 * n + 1
  n = tonumber(ARGV[at])
  for i = at + 1, at + n do
    redis.call('HDEL', KEYS[pair[1]], ARGV[i])
    redis.call('ZREM', KEYS[pair[2]], ARGV[i])
  end
  at = at + n + 1
end
redis.call('SET', KEYS[6], ARGV[3])
redis.call('SET', KEYS[1], to)
answer[1] = 1
return answer
"""

# KEYS as above. ARGV: version, stats, n favorites, then n (id, entry, score), then
# the watchlist the same way. Version 0 marks a known-empty library.
_REPLACE = """
local current = redis.call('GET', KEYS[1])
local incoming = tonumber(ARGV[1])
if current and incoming <= tonumber(current) then return 0 end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])
local at = 3
for _, pair in ipairs({{2, 3}, {4, 5}}) do
  local n = tonumber(ARGV[at])
  for i = at + 1, at + 3 * n, 3 do
    redis.call('HSET', KEYS[pair[1]], ARGV[i], ARGV[i + 1])
    redis.call('ZADD', KEYS[pair[2]], ARGV[i + 2], ARGV[i])
  end
  at = at + 3 * n + 1
end
if ARGV[2] ~= '' then redis.call('SET', KEYS[6], ARGV[2]) end
redis.call('SET', KEYS[1], incoming)
return 1
"""

# Lua functions, shared with the caller's one-script reads (read_models/caller_reads.py).
# A range of a library's entries by time added, with their cards (false: not in Redis).
ENTRIES_FUNCTION = """
local function library_entries(kv, kentries, ktime, first, last, prefix, newest)
  if redis.call('EXISTS', kv) == 0 then return false end
  local ids
  if newest == '1' then ids = redis.call('ZREVRANGE', ktime, first, last)
  else ids = redis.call('ZRANGE', ktime, first, last) end
  local entries, cards = {}, {}
  if #ids > 0 then
    entries = redis.call('HMGET', kentries, unpack(ids))
    local keys = {}
    for i, id in ipairs(ids) do keys[i] = prefix .. id end
    cards = redis.call('MGET', unpack(keys))
  end
  return {redis.call('ZCARD', ktime), ids, entries, cards}
end
"""
# The stats document and the favorites added since a time (false: not in Redis).
STATS_FUNCTION = """
local function library_stats(kv, kstats, ktime, since)
  if redis.call('EXISTS', kv) == 0 then return false end
  return {redis.call('GET', kstats) or '', redis.call('ZCOUNT', ktime, since, '+inf')}
end
"""
# KEYS: v, entries, by-time. ARGV: first, last (-1: all), card prefix, newest first (1/0).
_ENTRIES = ENTRIES_FUNCTION + """
return library_entries(KEYS[1], KEYS[2], KEYS[3], tonumber(ARGV[1]), tonumber(ARGV[2]),
                       ARGV[3], ARGV[4])
"""
# KEYS: v, stats, fav-t. ARGV: since (ms).
_STATS = STATS_FUNCTION + """
return library_stats(KEYS[1], KEYS[2], KEYS[3], ARGV[1])
"""

# KEYS: v, fav, wl. ARGV: tmdb id.
_ENTRIES_OF_MOVIE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
return {redis.call('HGET', KEYS[2], ARGV[1]) or '', redis.call('HGET', KEYS[3], ARGV[1]) or ''}
"""

# Recommendations: KEYS recs (ids, best first), recs-e (id -> {score, reasons}), recs:v,
# fav, wl. ARGV: first, size, card prefix. What the library holds now is skipped, so a
# movie favorited a moment ago is never recommended, whenever the list was computed.
_PUT_RECOMMENDATIONS = """
local current = tonumber(redis.call('GET', KEYS[3]) or '0')
local incoming = tonumber(ARGV[1])
if incoming <= current then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
for i = 2, #ARGV, 2 do
  redis.call('RPUSH', KEYS[1], ARGV[i])
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
end
redis.call('SET', KEYS[3], incoming)
return 1
"""
_RECOMMENDATIONS = """
if redis.call('EXISTS', KEYS[3]) == 0 then return false end
local first, size = tonumber(ARGV[1]), tonumber(ARGV[2])
local ids, kept = redis.call('LRANGE', KEYS[1], 0, -1), {}
for _, id in ipairs(ids) do
  if redis.call('HEXISTS', KEYS[4], id) == 0 and redis.call('HEXISTS', KEYS[5], id) == 0 then
    kept[#kept + 1] = id
  end
end
local page = {}
for i = first + 1, math.min(first + size, #kept) do page[#page + 1] = kept[i] end
local entries, cards = {}, {}
if #page > 0 then
  entries = redis.call('HMGET', KEYS[2], unpack(page))
  local keys = {}
  for i, id in ipairs(page) do keys[i] = ARGV[3] .. id end
  cards = redis.call('MGET', unpack(keys))
end
return {#kept, page, entries, cards}
"""


@dataclass
class RangeChange:
    """What a batch of applied events (versions after `since` up to `version`) did to one
    library, as Redis takes it: the entries it touched as they are now."""

    user_id: str
    since: int                 # the version before the batch
    version: int
    stats: str
    favorites: list[tuple[int, str, int]] = field(default_factory=list)  # (id, entry, score)
    unfavorites: list[int] = field(default_factory=list)
    watchlist: list[tuple[int, str, int]] = field(default_factory=list)
    unwatchlist: list[int] = field(default_factory=list)

    def args(self, lifetimes: list[int]) -> list:
        args: list = [self.since, self.version, self.stats, len(lifetimes), *lifetimes]
        for entries, removed in ((self.favorites, self.unfavorites),
                                 (self.watchlist, self.unwatchlist)):
            args.append(len(entries))
            for tmdb_id, entry, score in entries:
                args += [tmdb_id, entry, score]
            args += [len(removed), *removed]
        return args


@dataclass
class LibrarySnapshot:
    """The whole library at one version, as the read tables hold it."""

    user_id: str
    version: int
    stats: str
    favorites: list[tuple[int, str, int]] = field(default_factory=list)  # (id, entry, score)
    watchlist: list[tuple[int, str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class EntryPage:
    total: int
    entries: list[tuple[int, bytes | None, bytes | None]]  # (tmdb id, entry, card)


def entries_keys(user_id: str, kind: str) -> list[str]:
    return [library_key(user_id, "v"), library_key(user_id, kind),
            library_key(user_id, f"{kind}-t")]


def entries_args(first: int, last: int, newest_first: bool, card_prefix: str) -> list:
    return [first, last, card_prefix, 1 if newest_first else 0]


def entry_page(answer) -> EntryPage | None:
    """What `library_entries` answered; None when Redis does not hold this library."""
    if not answer:
        return None
    total, ids, entries, cards = answer
    return EntryPage(int(total), [(int(i), e or None, c) for i, e, c in
                                  zip(ids, entries, cards or [None] * len(ids))])


def stats_keys(user_id: str) -> list[str]:
    return [library_key(user_id, "v"), library_key(user_id, "stats"),
            library_key(user_id, "fav-t")]


def stats_answer(answer) -> tuple[bytes, int] | None:
    """What `library_stats` answered: (stats document, recent count), or None."""
    return (answer[0], int(answer[1])) if answer else None


class LibraryDocuments:
    def __init__(self, redis: Redis):
        self.redis = redis
        self._apply_range = redis.register_script(_APPLY_RANGE)
        self._replace = redis.register_script(_REPLACE)
        self._entries = redis.register_script(_ENTRIES)
        self._stats = redis.register_script(_STATS)
        self._of_movie = redis.register_script(_ENTRIES_OF_MOVIE)
        self._put_recs = redis.register_script(_PUT_RECOMMENDATIONS)
        self._recs = redis.register_script(_RECOMMENDATIONS)

    def apply(self, changes: list[tuple[RangeChange, list[tuple[str, int]]]]
              ) -> list[tuple[int, list[bool]]]:
        """Each change with its (key, lifetime ms) flags, in one round trip: for each,
        APPLIED, DUPLICATE (Redis already has it) or GAP (rewrite it whole), and
        whether this call set each flag (see debounce)."""
        pipe = self.redis.pipeline(transaction=False)
        for change, flags in changes:
            self._apply_range(keys=[*library_keys(change.user_id), *(k for k, _ in flags)],
                              args=change.args([t for _, t in flags]), client=pipe)
        return [(int(answer[0]), [bool(flag) for flag in answer[1:]])
                for answer in pipe.execute()]

    def replace(self, snapshot: LibrarySnapshot) -> bool:
        args: list = [snapshot.version, snapshot.stats]
        for entries in (snapshot.favorites, snapshot.watchlist):
            args.append(len(entries))
            for tmdb_id, entry, score in entries:
                args += [tmdb_id, entry, score]
        return bool(self._replace(keys=library_keys(snapshot.user_id), args=args))

    def version(self, user_id: str) -> int | None:
        raw = self.redis.get(library_key(user_id, "v"))
        return None if raw is None else int(raw)

    def entries(self, user_id: str, kind: str, first: int, last: int, newest_first: bool,
                card_prefix: str) -> EntryPage | None:
        """A range of the favorites (kind fav) or watchlist (wl) by time added, with
        their cards; None when Redis does not hold this library."""
        answer = self._entries(keys=entries_keys(user_id, kind),
                               args=entries_args(first, last, newest_first, card_prefix))
        return entry_page(answer)

    def stats(self, user_id: str, since_ms: int) -> tuple[bytes, int] | None:
        return stats_answer(self._stats(keys=stats_keys(user_id), args=[since_ms]))

    def of_movie(self, user_id: str, tmdb_id: int) -> tuple[bytes, bytes] | None:
        """(favorite entry or b"", watchlist entry or b""), or None when Redis does not
        hold this library."""
        answer = self._of_movie(keys=[library_key(user_id, p) for p in ("v", "fav", "wl")],
                                args=[tmdb_id])
        return (answer[0], answer[1]) if answer else None

    def put_recommendations(self, user_id: str, items: list[tuple[int, str]],
                            seq: int) -> bool:
        args: list = [seq]
        for tmdb_id, entry in items:
            args += [tmdb_id, entry]
        return bool(self._put_recs(keys=self._recommendation_keys(user_id), args=args))

    def recommendations(self, user_id: str, first: int, size: int,
                        card_prefix: str) -> EntryPage | None:
        answer = self._recs(keys=self._recommendation_keys(user_id),
                            args=[first, size, card_prefix])
        if not answer:
            return None
        total, ids, entries, cards = answer
        return EntryPage(int(total), [(int(i), e or None, c) for i, e, c in
                                      zip(ids, entries, cards or [None] * len(ids))])

    @staticmethod
    def _recommendation_keys(user_id: str) -> list[str]:
        return [library_key(user_id, p) for p in ("recs", "recs-e", "recs:v", "fav", "wl")]

"""Personal recommendations, computed from the read models and stored ready to read.

Three signals, each from the person's favorites weighted by their own rating:
- co-favorites: movies favorited by the people who share most of the person's
  favorites (each neighbour weighted by the cosine of the two favorite sets, credited to
  the shared favorite the person likes best);
- TMDb's recommendations and similar movies of what they favorited, higher ranks and
  higher ratings counting more;
- genre and decade affinity: how much of their favorites share a movie's genres and
  decade, over the popular movies of their genres, with a little popularity.
Each is scaled to [0, 1]; the score is their weighted sum. What the person favorited or
has on their watchlist is never a candidate (and is skipped again at read time, so a
movie favorited a moment ago never shows). Each item keeps its two strongest reasons.

A library event asks for a recomputation (throttled per person: the first change at
once, later ones at most every RECOMMENDATIONS_DELAY_SECONDS, the last one always
included); the read is then one Redis script.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable

from redis import Redis
from sqlalchemy import Engine, text

from domain.catalog.vocabulary import RECOMMENDATIONS, SIMILAR
from read_models.stores import library_documents as docs
from read_models.stores.debounce import ThrottledAsk
from read_models.stores.library_redis import LibraryDocuments
from read_models.stores.movie_documents import genre_name

LIMIT = 50
FANS_PER_MOVIE = 200        # people sampled per favorite, to find neighbours
NEIGHBOURS = 50             # people with the most favorites in common
AFFINITY_POOL = 400         # popular movies of the person's genres considered
WEIGHTS = {"co": 1.0, "tmdb": 0.9, "taste": 0.6}
RELATION_WEIGHTS = {RECOMMENDATIONS: 1.0, SIMILAR: 0.6}
UNRATED_WEIGHT = 0.7

_MINE = text("""
    SELECT f.tmdb_id, f.rating, f.genre_ids, f.year, m.fields ->> 'title' AS title,
           coalesce(m.recommendations, '{}') AS recommendations,
           coalesce(m.similar, '{}') AS similar
    FROM read_favorites f LEFT JOIN read_movies m ON m.tmdb_id = f.tmdb_id
    WHERE f.user_id = :user_id
""")
_WATCHLIST = text("SELECT tmdb_id FROM read_watchlist WHERE user_id = :user_id")
_VERSION = text("SELECT version FROM read_library_stats WHERE user_id = :user_id")
# The people who share most of the person's favorites (each favorite's most recent fans
# sampled, so a movie loved by millions costs the same as one loved by few), with what
# they share and everything they favorited: bounded work whatever the population.
_NEIGHBOURS = text("""
    WITH mine AS (SELECT unnest(CAST(:ids AS integer[])) AS tmdb_id),
    fans AS (
        SELECT mine.tmdb_id, fan.user_id FROM mine CROSS JOIN LATERAL (
            SELECT f.user_id FROM read_favorites f
            WHERE f.tmdb_id = mine.tmdb_id AND f.user_id <> :user_id
            ORDER BY f.added_at DESC LIMIT :fans) fan),
    neighbours AS (
        SELECT user_id, array_agg(tmdb_id) AS shared FROM fans
        GROUP BY user_id ORDER BY count(*) DESC, user_id LIMIT :neighbours)
    SELECT n.user_id, n.shared, array_agg(o.tmdb_id) AS favorites
    FROM neighbours n JOIN read_favorites o ON o.user_id = n.user_id
    GROUP BY n.user_id, n.shared
""")
_POOL = text("""
    SELECT tmdb_id FROM read_movies
    WHERE NOT delisted AND genre_ids && CAST(:genres AS integer[])
    ORDER BY popularity DESC LIMIT :limit
""")
_FEATURES = text("""
    SELECT tmdb_id, genre_ids, year, popularity FROM read_movies
    WHERE tmdb_id = ANY(:ids) AND NOT delisted
""")
_GENRE_NAMES = text("SELECT id, name FROM read_genres WHERE id = ANY(:ids)")
_STORE = text("""
    INSERT INTO recommendation_lists AS r (user_id, items, library_version, seq, computed_at)
    VALUES (:user_id, CAST(:items AS jsonb), :version, 1, now())
    ON CONFLICT (user_id) DO UPDATE SET items = EXCLUDED.items,
        library_version = EXCLUDED.library_version, seq = r.seq + 1, computed_at = now()
    RETURNING seq
""")


@dataclass(frozen=True)
class Source:
    """One of the person's favorites, as a reason to recommend something."""

    tmdb_id: int
    title: str
    rating: int | None
    genre_ids: list[int]
    year: int | None
    related: dict[str, list[int]]

    @property
    def weight(self) -> float:
        return UNRATED_WEIGHT if self.rating is None else 0.5 + (self.rating - 5) / 10

    def because(self) -> str:
        if self.rating is not None:
            return f"Because you rated {self.title} {self.rating}/10"
        return f"Because you favorited {self.title}"


@dataclass
class Candidate:
    tmdb_id: int
    signals: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    best: dict[str, tuple[float, str]] = field(default_factory=dict)  # signal -> reason

    def add(self, signal: str, amount: float, reason: str) -> None:
        self.signals[signal] += amount
        if amount > self.best.get(signal, (0.0, ""))[0]:
            self.best[signal] = (amount, reason)


@dataclass(frozen=True)
class Recommendation:
    tmdb_id: int
    score: float
    reasons: list[str]


@dataclass
class Taste:
    """Weighted shares of the person's favorites per genre and per decade."""

    genres: dict[int, float]
    decades: dict[int, float]

    @classmethod
    def of(cls, sources: list[Source]) -> "Taste":
        genres: dict[int, float] = defaultdict(float)
        decades: dict[int, float] = defaultdict(float)
        total = sum(s.weight for s in sources) or 1.0
        for s in sources:
            for genre_id in set(s.genre_ids):
                genres[genre_id] += s.weight / total
            if s.year is not None:
                decades[s.year // 10 * 10] += s.weight / total
        return cls(dict(genres), dict(decades))

    def fit(self, genre_ids: list[int], year: int | None) -> tuple[float, int | None]:
        """How well a movie fits (0..1), and its best-liked genre."""
        if not genre_ids:
            return 0.0, None
        liked = max(genre_ids, key=lambda g: self.genres.get(g, 0.0))
        genre = sum(self.genres.get(g, 0.0) for g in genre_ids) / math.sqrt(len(genre_ids))
        decade = self.decades.get(year // 10 * 10, 0.0) if year is not None else 0.0
        return genre * (0.3 + decade), liked if self.genres.get(liked) else None


@dataclass(frozen=True)
class Neighbour:
    """Someone else who favorited `shared` of the person's favorites, and `favorites`."""

    shared: list[int]
    favorites: list[int]


def score(sources: list[Source], neighbours: list[Neighbour],
          features: dict[int, tuple[list[int], int | None, float]],
          excluded: set[int], genre_names: dict[int, str],
          limit: int = LIMIT) -> list[Recommendation]:
    """The ranking itself (pure): features are (genre ids, year, popularity) of the
    candidates; a candidate without features (not in the catalog) is left out."""
    by_id = {s.tmdb_id: s for s in sources}
    candidates: dict[int, Candidate] = {}

    def candidate(tmdb_id: int) -> Candidate | None:
        if tmdb_id in excluded or tmdb_id not in features:
            return None
        return candidates.setdefault(tmdb_id, Candidate(tmdb_id))

    for neighbour in neighbours:
        shared = [by_id[i] for i in neighbour.shared if i in by_id]
        if not shared:
            continue
        similarity = len(shared) / math.sqrt(len(sources) * max(len(neighbour.favorites), 1))
        best = max(shared, key=lambda s: (s.weight, -s.tmdb_id))
        for other in neighbour.favorites:
            if (c := candidate(other)) is not None:
                c.add("co", similarity * best.weight,
                      f"People who favorited {best.title} also favorited it")
    for source in sources:
        for kind, ids in source.related.items():
            for rank, other in enumerate(ids):
                if (c := candidate(other)) is not None:
                    amount = source.weight * RELATION_WEIGHTS[kind] * (1 - rank / (len(ids) + 1))
                    c.add("tmdb", amount, source.because())
    taste = Taste.of(sources)
    top_popularity = math.log1p(max((f[2] for f in features.values()), default=0.0)) or 1.0
    for tmdb_id, (genre_ids, year, popularity) in features.items():
        fit, liked = taste.fit(genre_ids, year)
        if fit > 0 and (c := candidate(tmdb_id)) is not None:
            amount = fit * (0.6 + 0.4 * math.log1p(popularity) / top_popularity)
            c.add("taste", amount, _taste_reason(liked, year, taste, genre_names))
    return _rank(candidates, limit)


def _taste_reason(genre_id: int | None, year: int | None, taste: Taste,
                  genre_names: dict[int, str]) -> str:
    name = genre_name(genre_id, genre_names) if genre_id is not None else ""
    decade = year // 10 * 10 if year is not None else None
    liked_decade = decade is not None and taste.decades.get(decade, 0.0) >= 0.2
    if name and liked_decade:
        return f"You like {name} movies from the {decade}s"
    if name:
        return f"You like {name} movies"
    return f"You like movies from the {decade}s" if liked_decade else "Close to your taste"


def _rank(candidates: dict[int, Candidate], limit: int) -> list[Recommendation]:
    tops = {signal: max((c.signals.get(signal, 0.0) for c in candidates.values()), default=0.0)
            for signal in WEIGHTS}
    ranked = []
    for c in candidates.values():
        parts = {signal: WEIGHTS[signal] * c.signals[signal] / tops[signal]
                 for signal in c.signals if tops[signal] > 0}
        total = sum(parts.values())
        reasons = [c.best[signal][1] for signal in sorted(parts, key=parts.get, reverse=True)]
        ranked.append(Recommendation(c.tmdb_id, round(total, 4),
                                     list(dict.fromkeys(reasons))[:2]))
    ranked.sort(key=lambda r: (-r.score, r.tmdb_id))
    return ranked[:limit]


class Recommender:
    """Gathers what `score` needs from the read tables, stores the result in
    recommendation_lists and Redis."""

    def __init__(self, engine: Engine, documents: LibraryDocuments, limit: int = LIMIT):
        self.engine, self.documents, self.limit = engine, documents, limit

    def recompute(self, user_id: str) -> list[Recommendation]:
        with self.engine.connect() as conn:
            version = conn.execute(_VERSION, {"user_id": user_id}).scalar() or 0
            sources = [Source(r.tmdb_id, r.title or f"movie {r.tmdb_id}", r.rating,
                              list(r.genre_ids), r.year,
                              {"recommendations": list(r.recommendations),
                               "similar": list(r.similar)})
                       for r in conn.execute(_MINE, {"user_id": user_id})]
            excluded = {s.tmdb_id for s in sources} | set(
                conn.execute(_WATCHLIST, {"user_id": user_id}).scalars())
            recommendations = self._ranked(conn, user_id, sources, excluded)
        self._store(user_id, version, recommendations)
        return recommendations

    def _ranked(self, conn, user_id: str, sources: list[Source],
                excluded: set[int]) -> list[Recommendation]:
        if not sources:
            return []
        ids = [s.tmdb_id for s in sources]
        neighbours = [Neighbour(list(r.shared), list(r.favorites))
                      for r in conn.execute(_NEIGHBOURS, {
                          "ids": ids, "user_id": user_id, "fans": FANS_PER_MOVIE,
                          "neighbours": NEIGHBOURS})]
        taste = Taste.of(sources)
        liked = sorted(taste.genres, key=taste.genres.get, reverse=True)[:3]
        pool = list(conn.execute(_POOL, {"genres": liked, "limit": AFFINITY_POOL}).scalars())
        related = {i for s in sources for kind in s.related.values() for i in kind}
        co = {i for n in neighbours for i in n.favorites}
        wanted = sorted((co | related | set(pool)) - excluded)
        features = {r.tmdb_id: (list(r.genre_ids), r.year, r.popularity)
                    for r in conn.execute(_FEATURES, {"ids": wanted})}
        names = {r.id: r.name for r in conn.execute(_GENRE_NAMES, {"ids": liked})}
        return score(sources, neighbours, features, excluded, names, self.limit)

    def _store(self, user_id: str, version: int, items: list[Recommendation]) -> None:
        stored = [{"tmdb_id": r.tmdb_id, "score": r.score, "reasons": r.reasons}
                  for r in items]
        with self.engine.begin() as conn:
            seq = conn.execute(_STORE, {"user_id": user_id, "items": docs.dump(stored),
                                        "version": version}).scalar_one()
        self.documents.put_recommendations(
            user_id, [(r.tmdb_id, recommendation_entry(r.score, r.reasons)) for r in items], seq)


def recommendation_entry(score_: float, reasons: list[str]) -> str:
    return docs.dump({"score": score_, "reasons": reasons})


def recommendation_requests(redis: Redis, send: Callable[[str, float], None],
                            delay: float) -> ThrottledAsk:
    """A person's first change recomputes at once; later ones at most every `delay`
    seconds (the last change always included)."""
    return ThrottledAsk(redis, due_key, send, delay)


def due_key(user_id: str) -> str:
    return docs.library_key(user_id, "recs:due")

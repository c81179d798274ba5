"""Helpers for the library tests: people with a logged-in test client, their calls,
the bundled server's movies, and the recount of every library read model from the
write side (libraries, library_favorites, library_watchlist, movies)."""
from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, text

from adapters.db.catalog_tables import movies
from adapters.db.library_tables import libraries, library_favorites, library_watchlist
from movienexus.bootstrap import Container
from read_models.stores import library_stats as stats
from read_models.stores import movie_documents as movie_docs
from read_models.stores.library_documents import library_key
from read_models.stores.library_tables import read_library_stats
from read_models.stores.catalog_tables import read_movies
from read_models.stores.markers import applied_key
from tests.support.api_client import API, bearer, login_response, new_client, register
from tmdb_server.generator import DEFAULT_COUNT, DEFAULT_SEED, generate_movies

CONSISTENCY = "X-Consistency-Token"
_SERVED = None


def served_movies():
    """The bundled server's default catalog (what `tmdb_server` serves)."""
    global _SERVED
    if _SERVED is None:
        _SERVED = generate_movies(DEFAULT_SEED, DEFAULT_COUNT)
    return _SERVED


def some_movies(n: int, seed: int | None = None) -> list:
    return random.Random(seed).sample(served_movies(), n)


@dataclass
class Person:
    client: object
    user_id: str
    access: str

    @property
    def headers(self) -> dict:
        return bearer(self.access)

    def get(self, path: str, token: str | None = None, **kwargs):
        headers = {**self.headers, **({CONSISTENCY: token} if token else {})}
        return self.client.get(API + path, headers=headers, **kwargs)

    def put(self, path: str, body=None, **kwargs):
        return self.client.put(API + path, headers=self.headers,
                               json={} if body is None else body, **kwargs)

    def delete(self, path: str):
        return self.client.delete(API + path, headers=self.headers)

    def ok(self, response, status: int = 200):
        assert response.status_code == status, response.get_data(as_text=True)[:500]
        return response.get_json()


def person(app) -> Person:
    client = new_client(app)
    user = register(client)
    body = login_response(client, user["email"]).get_json()
    return Person(client, user["id"], body["access_token"])


# --- the recount --------------------------------------------------------------------------

def library_version(container: Container, user_id: str) -> int:
    with container.engine.connect() as conn:
        return conn.execute(select(libraries.c.version).where(
            libraries.c.id == user_id)).scalar() or 0


def fully_applied(container: Container, user_id: str) -> bool:
    applied = int(container.redis.get(applied_key("library", user_id)) or 0)
    return applied >= library_version(container, user_id)


def _movie_facts(conn, ids) -> dict[int, tuple[list[int], int | None]]:
    rows = conn.execute(select(movies.c.tmdb_id, movies.c.fields).where(
        movies.c.tmdb_id.in_(list(ids)))) if ids else []
    return {r.tmdb_id: (r.fields["genre_ids"], movie_docs.year_of(r.fields["release_date"]))
            for r in rows}


def expected_counters(container: Container, user_id: str) -> dict:
    """The stats counters recounted from the write side."""
    with container.engine.connect() as conn:
        favorites = conn.execute(select(library_favorites).where(
            library_favorites.c.library_id == user_id)).all()
        watchlist = conn.execute(select(library_watchlist).where(
            library_watchlist.c.library_id == user_id)).all()
        facts = _movie_facts(conn, {f.tmdb_id for f in favorites})
    counters = stats.empty()
    for f in favorites:
        genre_ids, year = facts[f.tmdb_id]
        stats.favorite(counters, f.rating, genre_ids, year, +1)
    for w in watchlist:
        stats.watchlist_item(counters, w.watched, +1)
    return counters


def expected_stats(container: Container, user_id: str, now: datetime | None = None) -> dict:
    """GET /me/stats recounted from the write side (genre names as the read side names)."""
    counters = expected_counters(container, user_id)
    with container.engine.connect() as conn:
        names = dict(conn.execute(text("SELECT id, name FROM read_genres")).all())
        since = (now or datetime.now(timezone.utc)) - timedelta(days=30)
        recent = conn.execute(select(library_favorites.c.tmdb_id).where(
            library_favorites.c.library_id == user_id,
            library_favorites.c.added_at >= since)).all()
    return {**stats.document(counters, names), "recent_count": len(recent)}


def expected_movie_counts(container: Container) -> dict[int, tuple[int, float | None]]:
    """(favorite_count, average_user_rating) of every favorited movie, from the write side."""
    with container.engine.connect() as conn:
        rows = conn.execute(select(library_favorites.c.tmdb_id,
                                   library_favorites.c.rating)).all()
    count, rating_sum, rated = Counter(), defaultdict(int), Counter()
    for row in rows:
        count[row.tmdb_id] += 1
        if row.rating is not None:
            rating_sum[row.tmdb_id] += row.rating
            rated[row.tmdb_id] += 1
    return {tmdb_id: (n, movie_docs.average_rating(rating_sum[tmdb_id], rated[tmdb_id]))
            for tmdb_id, n in count.items()}


def assert_library_matches(container: Container, user_id: str) -> None:
    """The stats row, the Redis stats document and the Redis entries equal the recount."""
    expected = expected_counters(container, user_id)
    with container.engine.connect() as conn:
        row = conn.execute(select(read_library_stats).where(
            read_library_stats.c.user_id == user_id)).first()
        favorites = {r.tmdb_id: r.rating for r in conn.execute(select(library_favorites).where(
            library_favorites.c.library_id == user_id))}
        watchlist = {r.tmdb_id: r.watched for r in conn.execute(select(
            library_watchlist).where(library_watchlist.c.library_id == user_id))}
    version = library_version(container, user_id)
    if version == 0:
        return
    assert row is not None and row.counters == expected, f"stats row of {user_id}"
    assert row.version == version
    redis = container.redis
    assert int(redis.get(library_key(user_id, "v"))) == version
    cached = json.loads(redis.get(library_key(user_id, "stats")))
    assert cached["total_favorites"] == expected["favorites"]
    assert cached["rating_histogram"] == expected["histogram"]
    in_redis = {int(k): json.loads(v)["rating"]
                for k, v in redis.hgetall(library_key(user_id, "fav")).items()}
    assert in_redis == favorites, f"redis favorites of {user_id}"
    assert {int(k) for k in redis.zrange(library_key(user_id, "fav-t"), 0, -1)} == set(favorites)
    in_watchlist = {int(k): json.loads(v)["watched"]
                    for k, v in redis.hgetall(library_key(user_id, "wl")).items()}
    assert in_watchlist == watchlist, f"redis watchlist of {user_id}"


def assert_movie_counts_match(container: Container, tmdb_ids=None) -> None:
    """read_movies' counters, and the card and detail in Redis, equal the recount."""
    expected = expected_movie_counts(container)
    with container.engine.connect() as conn:
        query = select(read_movies.c.tmdb_id, read_movies.c.favorite_count,
                       read_movies.c.rating_sum, read_movies.c.rating_count)
        if tmdb_ids is not None:
            query = query.where(read_movies.c.tmdb_id.in_(list(tmdb_ids)))
        rows = conn.execute(query).all()
    for row in rows:
        count, average = expected.get(row.tmdb_id, (0, None))
        assert row.favorite_count == count, f"favorite_count of {row.tmdb_id}"
        assert movie_docs.average_rating(row.rating_sum, row.rating_count) == average
        card = json.loads(container.redis.get(movie_docs.card_key(row.tmdb_id)))
        detail = json.loads(container.redis.get(movie_docs.detail_key(row.tmdb_id)))
        assert card["favorite_count"] == count == detail["favorite_count"], row.tmdb_id
        assert detail["average_user_rating"] == average, row.tmdb_id


def pending_deltas(container: Container) -> int:
    with container.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM read_movie_counter_deltas")).scalar()


# --- bursts of random writes ------------------------------------------------------------------

def import_movies(container: Container, count: int, seed: int = 1) -> list[int]:
    """`count` of the bundled server's movies, imported as list items; their ids."""
    from domain.catalog.commands import ImportMovie
    from tmdb_server import shapes
    chosen = some_movies(count, seed)
    for movie in chosen:
        container.handle(ImportMovie(shapes.list_item(movie)))
    return [m.id for m in chosen]


def new_users(container: Container, count: int) -> list[str]:
    import uuid
    return [str(uuid.uuid4()) for _ in range(count)]


def random_writes(container: Container, users: list[str], movie_ids: list[int], writes: int,
                  seed: int = 0, stop=None) -> int:
    """Random adds, updates and removals of favorites and watchlist items by `users`
    (library ids need no account); returns how many commands ran."""
    from domain.errors import ConcurrencyConflict, NotFound
    from domain.library import commands
    rng = random.Random(seed)
    done = 0
    for _ in range(writes):
        if stop is not None and stop.is_set():
            break
        user, movie = rng.choice(users), rng.choice(movie_ids)
        roll = rng.random()
        if roll < 0.45:
            changes = rng.choice([{"rating": rng.randint(1, 10)}, {"notes": f"n{rng.random()}"},
                                  {}, {"rating": None}, {"rating": rng.randint(1, 10),
                                                         "notes": "both"}])
            command = commands.SaveFavorite(user, movie, changes)
        elif roll < 0.65:
            command = commands.RemoveFavorite(user, movie)
        elif roll < 0.85:
            command = commands.SaveWatchlistItem(user, movie, rng.choice([None, True, False]))
        else:
            command = commands.RemoveWatchlistItem(user, movie)
        try:
            container.handle(command)
        except (NotFound, ConcurrencyConflict):
            pass
        done += 1
    return done


def burst(container: Container, users: list[str], movie_ids: list[int], writes: int,
          threads: int = 5, stop=None) -> int:
    """`writes` random writes from `threads` writers, each with its own users."""
    import threading
    counts: list[int] = []
    shares = [users[i::threads] for i in range(threads)]
    workers = [threading.Thread(target=lambda s, n: counts.append(random_writes(
        container, s, movie_ids, writes // threads, seed=n, stop=stop)), args=(share, n))
        for n, share in enumerate(shares)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts)

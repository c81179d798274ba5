"""Every projection is safe to apply twice, by construction, not only by its checkpoint:
each event applied twice (its fold prepared, evolved and saved, or, for a per-event
projection, its handler run; the gate bypassed, in one transaction) leaves the tables
exactly as one run does; and a library's add → remove → add of one movie, applied
in one transaction after a gap, leaves the same rows as the same writes applied one by
one. Real PostgreSQL; a database no background process touches."""
from __future__ import annotations

import uuid
from collections import Counter

import pytest
from sqlalchemy import text

from adapters.messaging.envelope import Envelope
from domain.accounts import commands as account_commands
from domain.catalog import commands as catalog_commands
from domain.library import commands as library_commands
from read_models.operations.bulk import apply_alone
from read_models.projections.framework import Outcome, Projection
from tests.support.accounts import PASSWORD, envelopes_of, register, rename
from tests.support.library import import_movies, new_users

# What each projection writes, as rows to compare (every column).
TABLES = {
    "users_table": ["read_users"],
    "sessions_table": ["read_sessions"],
    "movies_table": ["read_movies", "read_genres", "read_movie_counter_deltas"],
    "genres_table": ["read_genres", "read_movies"],
    "lists_table": ["read_lists"],
    "library_table": ["read_favorites", "read_watchlist", "read_library_stats",
                      "read_movie_counter_deltas"],
}


def snapshot(conn, tables: list[str]) -> dict[str, list]:
    return {name: sorted(map(tuple, conn.execute(text(f"SELECT * FROM {name}")).all()),
                         key=repr) for name in tables}


def projection(container, name: str) -> Projection:
    return next(p for p in container.projection_runner.projections if p.name == name)


def apply_each_twice(container, envelopes: list[Envelope]) -> int:
    """Each event through its projections twice, in one transaction per event;
    asserts the second run changed nothing. Returns how many (event, projection) ran."""
    checked = 0
    for envelope in envelopes:
        for p in container.projection_runner.projections:
            if not p.follows_event(envelope):
                continue
            with container.engine.begin() as conn:
                apply_alone(p, conn, envelope, fresh=False)
                once = snapshot(conn, TABLES[p.name])
                apply_alone(p, conn, envelope, fresh=False)
                assert snapshot(conn, TABLES[p.name]) == once, \
                    f"{p.name}: {envelope.event_type} v{envelope.aggregate_version} twice"
            checked += 1
    return checked


@pytest.fixture(scope="module")
def lab(isolated):
    movie_ids = import_movies(isolated, 8, seed=77)
    for movie_id in movie_ids:
        apply_each_twice(isolated, envelopes_of(isolated, str(movie_id)))
    return isolated, movie_ids


def test_account_events_applied_twice_change_nothing(lab):
    container, _ = lab
    email = f"twice-{uuid.uuid4().hex[:8]}@example.com"
    user_id = register(container, email)
    rename(container, user_id, 1)
    container.handle(account_commands.Login(email=email, password=PASSWORD, ip="127.0.0.1",
                                            user_agent="test"))
    with container.engine.connect() as conn:
        session_ids = conn.execute(text(
            "SELECT aggregate_id FROM events WHERE event_type = 'SessionStarted' "
            "AND payload ->> 'user_id' = :u"), {"u": user_id}).scalars().all()
    events = envelopes_of(container, user_id) + [e for s in session_ids
                                                 for e in envelopes_of(container, s)]
    assert {e.event_type for e in events} >= {"UserRegistered", "ProfileUpdated",
                                              "SessionStarted"}
    assert apply_each_twice(container, events) == len(events)


def test_catalog_events_applied_twice_change_nothing(lab):
    container, movie_ids = lab
    tmdb_id = 1_900_000_000 + uuid.uuid4().int % 100_000_000
    item = {"id": tmdb_id, "title": "Twice", "original_title": "Twice", "overview": "o",
            "popularity": 1.0, "vote_average": 5.0, "vote_count": 3,
            "release_date": "1999-01-01", "genre_ids": [18, 35], "original_language": "en",
            "poster_path": None, "backdrop_path": None, "adult": False, "video": False}
    container.handle(catalog_commands.ImportMovie(item))
    container.handle(catalog_commands.ImportMovie({**item, "genre_ids": [18, 27],
                                                   "title": "Twice again"}))
    container.handle(catalog_commands.RefreshRelations(tmdb_id, "similar", movie_ids[:2]))
    container.handle(catalog_commands.DelistMovie(tmdb_id))
    container.handle(catalog_commands.SyncGenres([{"id": 18, "name": "Drama"},
                                                  {"id": 35, "name": "Comedy"}]))
    container.handle(catalog_commands.RefreshList("popular", movie_ids[:3]))
    events = (envelopes_of(container, str(tmdb_id)) + envelopes_of(container, "popular")
              + [e for e in _of_type(container, "genre_catalog")])
    assert {e.event_type for e in events} >= {"MovieImported", "MovieUpdated",
                                              "MovieDelisted", "MovieRelationsRefreshed",
                                              "ListRefreshed", "GenresSynced"}
    assert apply_each_twice(container, events) == len(events)


def _of_type(container, aggregate_type: str) -> list[Envelope]:
    with container.engine.connect() as conn:
        ids = conn.execute(text("SELECT DISTINCT aggregate_id FROM events "
                                "WHERE aggregate_type = :t"), {"t": aggregate_type}).scalars()
        return [e for i in list(ids) for e in envelopes_of(container, i)]


def library_writes(container, user: str, movie_ids: list[int]) -> None:
    """Add, re-rate, remove and re-add, plus the watchlist's add, watched, remove."""
    a, b = movie_ids[:2]
    for command in (
            library_commands.SaveFavorite(user, a, {"rating": 7, "notes": "first"}),
            library_commands.SaveFavorite(user, a, {"rating": 9}),
            library_commands.RemoveFavorite(user, a),
            library_commands.SaveFavorite(user, a, {"rating": 3}),
            library_commands.SaveFavorite(user, b, {}),
            library_commands.SaveFavorite(user, b, {"rating": None, "notes": "n"}),
            library_commands.SaveWatchlistItem(user, a, None),
            library_commands.SaveWatchlistItem(user, a, True),
            library_commands.SaveWatchlistItem(user, a, False),
            library_commands.RemoveWatchlistItem(user, a),
            library_commands.SaveWatchlistItem(user, b, True)):
        container.handle(command)


def test_library_events_applied_twice_change_nothing(lab):
    container, movie_ids = lab
    [user] = new_users(container, 1)
    library_writes(container, user, movie_ids)
    events = envelopes_of(container, user)
    assert len(events) == 11
    assert apply_each_twice(container, events) == len(events)


_ROWS = {
    "read_favorites": "SELECT tmdb_id, rating, notes, genre_ids, year FROM read_favorites "
                      "WHERE user_id = :u ORDER BY tmdb_id",
    "read_watchlist": "SELECT tmdb_id, watched, watched_at IS NOT NULL, genre_ids, year "
                      "FROM read_watchlist WHERE user_id = :u ORDER BY tmdb_id",
    "read_library_stats": "SELECT counters, version FROM read_library_stats WHERE user_id = :u",
}


def rows_of(container, user: str) -> dict[str, list]:
    with container.engine.connect() as conn:
        return {name: [tuple(r) for r in conn.execute(text(sql), {"u": user})]
                for name, sql in _ROWS.items()}


def deltas(container, tmdb_ids: list[int]) -> Counter:
    with container.engine.connect() as conn:
        return Counter(tuple(r) for r in conn.execute(text(
            "SELECT tmdb_id, favorites, rating_sum, ratings FROM read_movie_counter_deltas "
            "WHERE tmdb_id = ANY(:ids)"), {"ids": tmdb_ids}))


def test_add_remove_add_in_one_transaction_equals_one_by_one(lab):
    container, movie_ids = lab
    chained, one_by_one = new_users(container, 2)
    runner = container.projection_runner
    library_writes(container, chained, movie_ids)
    events = envelopes_of(container, chained)
    before = deltas(container, movie_ids[:2])
    assert runner.apply(events[-1]) is Outcome.REPAIRED     # v1..v11 in one transaction
    chained_deltas = deltas(container, movie_ids[:2])
    library_writes(container, one_by_one, movie_ids)
    for envelope in envelopes_of(container, one_by_one):
        assert runner.apply(envelope) is Outcome.APPLIED
    assert rows_of(container, chained) == rows_of(container, one_by_one)
    assert rows_of(container, chained)["read_favorites"][0][:2] == (movie_ids[0], 3)
    assert deltas(container, movie_ids[:2]) - chained_deltas == chained_deltas - before
    # and the same events delivered again change nothing (the gate, then the SQL)
    again = rows_of(container, chained)
    for envelope in events:
        assert runner.apply(envelope) is Outcome.DUPLICATE
    assert rows_of(container, chained) == again


def test_catch_ups_racing_for_one_library_apply_each_event_once(lab):
    """A read's in-request catch-up and workers racing for the same library: the
    checkpoint row lock serialises them, every event is applied once."""
    import threading
    container, movie_ids = lab
    raced, reference = new_users(container, 2)
    runner = container.projection_runner
    library_writes(container, raced, movie_ids)
    library_writes(container, reference, movie_ids)
    for envelope in envelopes_of(container, reference):
        runner.apply(envelope)
    events = envelopes_of(container, raced)
    start, errors, outcomes = threading.Barrier(6), [], []

    def race(envelopes) -> None:
        start.wait()
        try:
            outcomes.extend(runner.apply(e) for e in envelopes)
        except Exception as exc:  # noqa: BLE001 (collected: the test fails on any)
            errors.append(exc)
    threads = [threading.Thread(target=race, args=(plan,)) for plan in (
        [events[-1]], [events[-1]], [events[5], events[-1]], events, events[::-1],
        [events[3]])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert outcomes.count(Outcome.APPLIED) + outcomes.count(Outcome.REPAIRED) >= 1
    assert rows_of(container, raced) == rows_of(container, reference)

"""The library fold on real PostgreSQL and Redis: states kept across pages (as the
rebuild keeps them) load the entries later events touch and end with the rows the
events applied one by one leave; saving again changes nothing; and Redis takes a
batch's range change onto any version from just before it, refuses one it lacks the
start of (GAP), and ignores one it has. A database no background process touches."""
from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import text

from domain.library import commands
from read_models.projections.library_fold import LibraryFold
from read_models.stores.library_documents import library_key
from read_models.stores.library_redis import APPLIED, DUPLICATE, GAP, RangeChange
from tests.support.accounts import envelopes_of
from tests.support.library import import_movies, new_users, pending_deltas

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


def movie_counts(container, tmdb_ids: list[int]) -> Counter:
    """Each movie's counters once every delta is folded; counts_seq counts the deltas,
    one per event that moved the movie's counters."""
    container.movie_counters.fold_all()
    assert pending_deltas(container) == 0
    counts = Counter()
    with container.engine.connect() as conn:
        for row in conn.execute(text(
                "SELECT tmdb_id, favorite_count, rating_sum, rating_count, counts_seq "
                "FROM read_movies WHERE tmdb_id = ANY(:ids)"), {"ids": tmdb_ids}):
            for name, value in zip(("favorites", "rating_sum", "ratings", "seq"), row[1:]):
                counts[(row.tmdb_id, name)] = value
    return counts


def writes(container, user: str, movie_ids: list[int]) -> None:
    a, b, c = movie_ids[:3]
    for command in (
            commands.SaveFavorite(user, a, {"rating": 7, "notes": "first"}),
            commands.SaveWatchlistItem(user, c, None),
            commands.SaveFavorite(user, a, {"rating": 9}),
            commands.RemoveFavorite(user, a),
            commands.SaveFavorite(user, b, {"rating": 2}),   # an entry a kept state lacks
            commands.SaveFavorite(user, a, {"rating": 3}),
            commands.SaveWatchlistItem(user, c, True),
            commands.SaveWatchlistItem(user, a, None),
            commands.RemoveWatchlistItem(user, c),
            commands.SaveFavorite(user, b, {"notes": "n"})):
        container.handle(command)


@pytest.fixture(scope="module")
def lab(isolated):
    """Movies in read_movies, so their counters fold (a delta waits for its movie)."""
    movie_ids = import_movies(isolated, 3, seed=78)
    for movie_id in movie_ids:
        for envelope in envelopes_of(isolated, str(movie_id)):
            isolated.projection_runner.apply(envelope)
    return isolated, movie_ids


def test_states_kept_across_pages_end_as_the_events_applied_one_by_one(lab):
    container, movie_ids = lab
    paged, one_by_one = new_users(container, 2)
    writes(container, paged, movie_ids)
    writes(container, one_by_one, movie_ids)
    before = movie_counts(container, movie_ids)
    for envelope in envelopes_of(container, one_by_one):
        container.projection_runner.apply(envelope)
    reference = movie_counts(container, movie_ids)
    events = envelopes_of(container, paged)
    with container.engine.connect() as conn:
        fold, states = LibraryFold(conn), {}
        for page in (events[:2], events[2:4], events[4:7], events[7:]):
            fold.prepare(states, page)
            for event in page:
                states[event.aggregate_id] = fold.evolve(states.get(event.aggregate_id), event)
            fold.save(conn, states)
            fold.save(conn, states)             # saved again: nothing moves twice
        conn.commit()
    assert rows_of(container, paged) == rows_of(container, one_by_one)
    after = movie_counts(container, movie_ids)
    assert len(reference) == 4 * len(movie_ids)
    for key in reference:
        assert after[key] - reference[key] == reference[key] - before[key], key


def test_a_state_loaded_after_a_save_knows_only_what_it_loads(lab):
    container, movie_ids = lab
    [user] = new_users(container, 1)
    writes(container, user, movie_ids)
    events = envelopes_of(container, user)
    for envelope in events[:5]:
        container.projection_runner.apply(envelope)
    with container.engine.connect() as conn:
        states = {}
        LibraryFold(conn).prepare(states, events[5:6])
    state = states[user]
    assert state.version == 5 and not state.complete
    assert state.favorites == {movie_ids[0]: None} and state.watchlist == {}
    assert state.written.favorites == state.favorites


def test_redis_takes_a_range_change_onto_any_version_from_just_before_it(lab):
    container, _ = lab
    [user] = new_users(container, 1)
    documents, redis = container.library_documents, container.redis

    def change(since: int, version: int) -> RangeChange:
        return RangeChange(user, since, version, f'{{"n":{version}}}',
                           favorites=[(version, '{"rating":1}', version)],
                           unfavorites=[version - 1])
    assert documents.apply([(change(0, 2), [])]) == [(APPLIED, [])]
    assert documents.apply([(change(1, 3), []), (change(3, 4), [])]) == \
        [(APPLIED, []), (APPLIED, [])]
    assert redis.hkeys(library_key(user, "fav")) == [b"4"]
    assert documents.apply([(change(2, 4), [])]) == [(DUPLICATE, [])]
    assert documents.apply([(change(5, 7), [("flag:" + user, 60_000)])]) == [(GAP, [True])]
    assert int(redis.get(library_key(user, "v"))) == 4
    assert redis.get(library_key(user, "stats")) == b'{"n":4}'

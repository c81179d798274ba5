"""The library fold's pure part: what each library event does to a library's state
(entries, counters, version, movie counter deltas), as the handlers did it."""
import pytest

from adapters.messaging.envelope import Envelope
from domain.library import events
from read_models.projections.library_fold import _Rows, written
from read_models.projections.library_state import (
    Favorite,
    LibraryState,
    WatchlistItem,
    Written,
    evolve,
    new_library,
)
from read_models.stores import library_stats as stats

USER = "0b5c1f5e-0000-4000-8000-0000000000aa"
AT = "2026-03-01T10:00:00+00:00"
LATER = "2026-03-02T10:00:00+00:00"


def event(domain_event, version: int) -> Envelope:
    return Envelope(event_id=f"e{version}", event_type=domain_event.event_type(),
                    event_version=1, aggregate_type="library", aggregate_id=USER,
                    aggregate_version=version, position=version, occurred_at=AT,
                    payload=domain_event.payload())


def added(tmdb_id=7, rating=8, genre_ids=(18, 35), year=1994, at=AT):
    return events.FavoriteAdded(tmdb_id=tmdb_id, rating=rating, notes="n", added_at=at,
                                genre_ids=list(genre_ids), year=year)


def on_watchlist(tmdb_id=7, watched=False):
    return events.WatchlistItemAdded(tmdb_id=tmdb_id, added_at=AT, watched=watched,
                                     watched_at=AT if watched else None, genre_ids=[18],
                                     year=2001)


def fold(*domain_events, state=None) -> LibraryState:
    for version, domain_event in enumerate(domain_events, start=(state.version if state else 0) + 1):
        state = evolve(state, event(domain_event, version))
    return state


def test_an_add_counts_the_favorite_and_records_its_movie_delta():
    state = fold(added())
    assert state.favorites[7] == Favorite(8, "n", AT, AT, [18, 35], 1994)
    c = state.counters
    assert (c["favorites"], c["rated"], c["rating_sum"], c["histogram"]["8"]) == (1, 1, 8, 1)
    assert c["genres"] == {"18": 1, "35": 1} and c["decades"] == {"1990": 1}
    assert state.deltas == ((7, 1, 8, 1),) and state.version == 1


def test_add_remove_add_ends_as_the_last_add_with_one_delta_per_event():
    state = fold(added(rating=8), events.FavoriteRemoved(tmdb_id=7, removed_at=AT),
                 added(rating=3, at=LATER))
    assert state.favorites[7].rating == 3 and state.favorites[7].added_at == LATER
    assert state.counters == fold(added(rating=3, at=LATER)).counters
    assert state.deltas == ((7, 1, 8, 1), (7, -1, -8, -1), (7, 1, 3, 1))
    assert state.version == 3


def test_an_add_that_meets_its_own_entry_writes_it_again_and_moves_nothing():
    once = fold(added())
    twice = fold(added(), state=once)
    assert twice.favorites == once.favorites and twice.counters == once.counters
    assert twice.deltas == once.deltas and twice.version == 2


def test_an_update_re_rates_and_moves_the_counters_by_the_difference():
    state = fold(added(rating=8), events.FavoriteUpdated(
        tmdb_id=7, changes={"rating": None}, previous={"rating": 8}, updated_at=LATER))
    favorite = state.favorites[7]
    assert (favorite.rating, favorite.notes, favorite.updated_at) == (None, "n", LATER)
    c = state.counters
    assert (c["favorites"], c["rated"], c["rating_sum"], c["histogram"]["8"]) == (1, 0, 0, 0)
    assert state.deltas[-1] == (7, 0, -8, -1)


def test_an_update_or_removal_of_a_missing_entry_changes_only_the_version():
    empty = stats.empty()
    for change in (events.FavoriteUpdated(tmdb_id=9, changes={"rating": 5}, previous={},
                                          updated_at=AT),
                   events.FavoriteRemoved(tmdb_id=9, removed_at=AT),
                   events.WatchlistItemWatched(tmdb_id=9, watched_at=AT),
                   events.WatchlistItemUnwatched(tmdb_id=9, unwatched_at=AT),
                   events.WatchlistItemRemoved(tmdb_id=9, removed_at=AT)):
        state = fold(change)
        assert state.counters == empty and state.deltas == () and state.version == 1
        assert state.favorites.get(9) is None and state.watchlist.get(9) is None


def test_watched_and_unwatched_move_the_watched_count():
    state = fold(on_watchlist(), events.WatchlistItemWatched(tmdb_id=7, watched_at=LATER))
    assert state.watchlist[7] == WatchlistItem(AT, True, LATER, [18], 2001)
    assert (state.counters["watchlist"], state.counters["watched"]) == (1, 1)
    state = fold(events.WatchlistItemUnwatched(tmdb_id=7, unwatched_at=LATER), state=state)
    assert state.watchlist[7].watched is False and state.watchlist[7].watched_at is None
    assert (state.counters["watchlist"], state.counters["watched"]) == (1, 0)
    state = fold(events.WatchlistItemRemoved(tmdb_id=7, removed_at=LATER), state=state)
    assert state.watchlist[7] is None
    assert (state.counters["watchlist"], state.counters["watched"]) == (0, 0)
    assert state.deltas == (), "the watchlist moves no movie counter"


def test_evolve_is_pure():
    before = fold(added(tmdb_id=1), on_watchlist(tmdb_id=2))
    counters, favorites = stats.copy(before.counters), dict(before.favorites)
    after = fold(events.FavoriteRemoved(tmdb_id=1, removed_at=AT), state=before)
    assert before.counters == counters and before.favorites == favorites
    assert after is not before and after.counters["favorites"] == 0


def test_an_entry_a_loaded_state_does_not_know_must_be_prepared():
    loaded = LibraryState(USER, 4, stats.empty(), {}, {}, Written())
    with pytest.raises(LookupError):
        fold(added(), state=loaded)
    known = LibraryState(USER, 4, stats.empty(), {7: None}, {}, Written())
    assert fold(added(), state=known).version == 5


def test_saving_writes_changed_entries_and_each_delta_once():
    state = fold(added(tmdb_id=1), added(tmdb_id=2),
                 events.FavoriteRemoved(tmdb_id=2, removed_at=AT), on_watchlist(tmdb_id=3))
    rows = _Rows()
    rows.add(state)
    assert [r["tmdb_id"] for r in rows.favorites] == [1] and rows.unfavorites == []
    assert [r["tmdb_id"] for r in rows.items] == [3]
    assert len(rows.deltas) == 3
    written(state)                                        # what save does after writing
    again = _Rows()
    again.add(state)
    assert (again.favorites, again.unfavorites, again.items, again.deltas) == ([], [], [], [])
    assert again.counters == rows.counters


def test_an_unknown_library_event_only_moves_the_version():
    assert new_library(USER).version == 0
    envelope = Envelope("x", "LibraryExported", 1, "library", USER, 1, 1, AT, {})
    state = evolve(None, envelope)
    assert state.version == 1 and state.counters == stats.empty()

"""The Library aggregate's rules on both sides of each limit, what each change records,
and what the handlers ask the unit of work for (the in-memory one)."""
from datetime import datetime, timedelta, timezone

import pytest

from domain.catalog.commands import ImportMovie
from domain.errors import InvalidInput, NotFound
from domain.library import commands, events
from domain.library.model import FAVORITE, WATCHLIST, Library, MovieFacts, \
    check_favorite_changes
from movienexus.bootstrap import bootstrap
from tests.unit.fakes import FakeClock, FakeUnitOfWork

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
LATER = NOW + timedelta(hours=1)
HEAT = MovieFacts(949, [80, 18], 1995)


def refused(changes: dict) -> InvalidInput:
    with pytest.raises(InvalidInput) as error:
        check_favorite_changes(changes)
    return error.value


# --- ratings and notes --------------------------------------------------------------------

@pytest.mark.parametrize("rating", [1, 10, None])
def test_ratings_from_1_to_10_or_none_pass(rating):
    assert check_favorite_changes({"rating": rating}) == {"rating": rating}


@pytest.mark.parametrize("rating", [0, 11, -1, 7.5, "7", True, False])
def test_other_ratings_are_refused(rating):
    error = refused({"rating": rating})
    assert (error.field, error.message) == ("rating", "A rating is a whole number from 1 to 10.")


def test_notes_of_1000_characters_pass_and_1001_are_refused():
    assert check_favorite_changes({"notes": "n" * 1000}) == {"notes": "n" * 1000}
    error = refused({"notes": "n" * 1001})
    assert (error.field, error.message) == ("notes", "Notes are at most 1000 characters.")


def test_notes_are_text_and_blank_notes_are_none():
    error = refused({"notes": 5})
    assert (error.field, error.message) == ("notes", "Notes are text.")
    assert check_favorite_changes({"notes": "  \n"}) == {"notes": None}
    assert check_favorite_changes({"notes": None}) == {"notes": None}
    assert check_favorite_changes({}) == {}


def test_an_unknown_field_is_named():
    error = refused({"stars": 5, "mood": "x", "rating": 3})
    assert (error.field, error.message) == ("mood", "Unknown favorite field 'mood'.")


# --- favorites ----------------------------------------------------------------------------

def test_a_new_favorite_is_created_and_recorded():
    library = Library(id="u")
    assert library.save_favorite(HEAT, {"rating": 1, "notes": "tense"}, NOW) is True
    favorite = library.favorites[949]
    assert (favorite.tmdb_id, favorite.rating, favorite.notes, favorite.added_at,
            favorite.updated_at) == (949, 1, "tense", NOW, NOW)
    assert library.dirty == {(FAVORITE, 949)}
    assert library.pending_events == [events.FavoriteAdded(
        tmdb_id=949, rating=1, notes="tense", added_at=NOW.isoformat(), genre_ids=[80, 18],
        year=1995)]


def test_saving_a_favorite_again_is_an_update_not_a_creation():
    library = Library(id="u")
    library.save_favorite(HEAT, {"rating": 7}, NOW)
    library.take_events()
    library.dirty.clear()
    assert library.save_favorite(HEAT, {"rating": 10, "notes": None}, LATER) is False
    assert library.favorites[949].rating == 10 and library.favorites[949].updated_at == LATER
    assert library.dirty == {(FAVORITE, 949)}
    assert library.pending_events == [events.FavoriteUpdated(
        tmdb_id=949, changes={"rating": 10}, previous={"rating": 7},
        updated_at=LATER.isoformat())]
    assert library.save_favorite(HEAT, {"rating": 10}, LATER) is False
    assert len(library.pending_events) == 1


def test_removing_a_favorite():
    library = Library(id="u")
    library.save_favorite(HEAT, {}, NOW)
    library.take_events()
    library.dirty.clear()
    library.remove_favorite(949, LATER)
    assert library.favorites == {} and library.dirty == {(FAVORITE, 949)}
    assert library.pending_events == [events.FavoriteRemoved(949, LATER.isoformat())]
    with pytest.raises(NotFound) as error:
        library.remove_favorite(949, LATER)
    assert error.value.message == "Movie 949 is not one of your favorites."


# --- watchlist ----------------------------------------------------------------------------

@pytest.mark.parametrize("watched", [None, False, True])
def test_a_new_watchlist_item(watched):
    library = Library(id="u")
    assert library.save_watchlist_item(HEAT, watched, NOW) is True
    item = library.watchlist[949]
    watched_at = NOW if watched else None
    assert (item.tmdb_id, item.added_at, item.watched, item.watched_at) == (
        949, NOW, bool(watched), watched_at)
    assert library.dirty == {(WATCHLIST, 949)}
    assert library.pending_events == [events.WatchlistItemAdded(
        tmdb_id=949, added_at=NOW.isoformat(), watched=bool(watched),
        watched_at=watched_at.isoformat() if watched_at else None, genre_ids=[80, 18],
        year=1995)]


def test_resaving_a_watchlist_item_is_never_a_creation():
    library = Library(id="u")
    library.save_watchlist_item(HEAT, None, NOW)
    library.take_events()
    library.dirty.clear()
    for watched in (None, False):                        # unchanged: nothing recorded
        assert library.save_watchlist_item(HEAT, watched, LATER) is False
    assert library.pending_events == [] and library.dirty == set()
    assert library.save_watchlist_item(HEAT, True, LATER) is False
    assert (library.watchlist[949].watched, library.watchlist[949].watched_at) == (
        True, LATER)
    assert library.save_watchlist_item(HEAT, False, LATER) is False
    assert (library.watchlist[949].watched, library.watchlist[949].watched_at) == (
        False, None)
    assert library.dirty == {(WATCHLIST, 949)}
    assert library.pending_events == [
        events.WatchlistItemWatched(tmdb_id=949, watched_at=LATER.isoformat()),
        events.WatchlistItemUnwatched(tmdb_id=949, unwatched_at=LATER.isoformat())]


def test_removing_a_watchlist_item():
    library = Library(id="u")
    library.save_watchlist_item(HEAT, None, NOW)
    library.take_events()
    library.dirty.clear()
    library.remove_watchlist_item(949, LATER)
    assert library.watchlist == {} and library.dirty == {(WATCHLIST, 949)}
    assert library.pending_events == [events.WatchlistItemRemoved(949, LATER.isoformat())]
    with pytest.raises(NotFound) as error:
        library.remove_watchlist_item(949, LATER)
    assert error.value.message == "Movie 949 is not on your watchlist."


# --- the handlers' requests of the unit of work ---------------------------------------------

def test_each_handler_loads_the_library_with_the_movie_it_names():
    uow = FakeUnitOfWork()
    container = bootstrap(unit_of_work=uow, clock=FakeClock())
    container.handle(ImportMovie({"id": 949, "title": "Heat", "release_date": ""}))
    for command in (commands.SaveFavorite("u", 949), commands.SaveWatchlistItem("u", 949),
                    commands.RemoveFavorite("u", 949), commands.RemoveWatchlistItem("u", 949)):
        container.handle(command)
    assert uow.libraries_asked == [("u", 949)] * 4
    added = uow.store.events_of("library", "u")[0]
    assert added.year is None                              # no release date, no year


def test_a_movie_the_catalog_lacks_is_not_found():
    container = bootstrap(unit_of_work=FakeUnitOfWork(), clock=FakeClock())
    with pytest.raises(NotFound) as error:
        container.handle(commands.SaveFavorite("u", 12))
    assert error.value.message == "No movie 12 in the catalog."

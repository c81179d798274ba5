"""The library's command handlers through bootstrap, against the in-memory unit of work:
what each command records, what it refuses, and how two writers to one library collide."""
import pytest

from domain.catalog.commands import DelistMovie, ImportMovie
from domain.errors import ConcurrencyConflict, InvalidInput, NotFound
from domain.library import commands, events
from domain.library.model import MovieFacts
from movienexus.bootstrap import bootstrap

USER = "7d0f3a52-5b8e-4c52-9b0e-1f6f0c1d2e3f"
HEAT = {"id": 949, "title": "Heat", "original_title": "Heat", "release_date": "1995-12-15",
        "genre_ids": [28, 80, 18], "popularity": 40.0, "vote_average": 7.9, "vote_count": 6000}
ALIEN = {**HEAT, "id": 348, "title": "Alien", "release_date": "1979-05-25",
         "genre_ids": [27, 878]}


@pytest.fixture
def container(uow, clock):
    container = bootstrap(unit_of_work=uow, clock=clock)
    for movie in (HEAT, ALIEN):
        container.handle(ImportMovie(data=movie))
    return container


def library_events(uow) -> list:
    return uow.store.events_of("library", USER)


def test_a_first_favorite_records_the_movies_genres_and_year(container, uow, clock):
    handled = container.handle(commands.SaveFavorite(USER, 949, {"rating": 9}))
    assert handled.value.created and handled.value.entry.rating == 9
    assert handled.commit.last_aggregate_type == "library"
    assert handled.commit.last_aggregate_id == USER and handled.commit.last_aggregate_version == 1
    [added] = library_events(uow)
    assert added == events.FavoriteAdded(tmdb_id=949, rating=9, notes=None,
                                         added_at=clock.now().isoformat(),
                                         genre_ids=[28, 80, 18], year=1995)


def test_an_update_records_what_changed_and_what_it_was(container, uow, clock):
    container.handle(commands.SaveFavorite(USER, 949, {"rating": 7, "notes": "tense"}))
    clock.advance(60)
    handled = container.handle(commands.SaveFavorite(USER, 949, {"rating": 9}))
    assert not handled.value.created
    assert handled.value.entry.notes == "tense", "a field left out keeps its value"
    updated = library_events(uow)[-1]
    assert updated == events.FavoriteUpdated(tmdb_id=949, changes={"rating": 9},
                                             previous={"rating": 7},
                                             updated_at=clock.now().isoformat())
    assert handled.value.entry.updated_at == clock.now() != handled.value.entry.added_at


def test_the_same_values_again_record_nothing(container, uow):
    container.handle(commands.SaveFavorite(USER, 949, {"rating": 8}))
    again = container.handle(commands.SaveFavorite(USER, 949, {"rating": 8}))
    assert not again.value.created and again.commit.event_count == 0
    assert len(library_events(uow)) == 1


def test_none_clears_a_rating_and_blank_notes_are_none(container):
    container.handle(commands.SaveFavorite(USER, 949, {"rating": 8, "notes": "x"}))
    cleared = container.handle(commands.SaveFavorite(USER, 949, {"rating": None, "notes": "  "}))
    assert cleared.value.entry.rating is None and cleared.value.entry.notes is None


@pytest.mark.parametrize("changes", [{"rating": 0}, {"rating": 11}, {"rating": "x"},
                                     {"rating": 7.5}, {"rating": True},
                                     {"notes": "n" * 1001}, {"notes": 5}, {"stars": 3}])
def test_bad_values_are_refused_and_nothing_is_written(container, uow, changes):
    with pytest.raises(InvalidInput):
        container.handle(commands.SaveFavorite(USER, 949, changes))
    assert library_events(uow) == []


def test_notes_of_exactly_1000_characters_are_fine(container):
    saved = container.handle(commands.SaveFavorite(USER, 949, {"notes": "n" * 1000}))
    assert len(saved.value.entry.notes) == 1000


def test_an_unknown_or_delisted_movie_is_not_found(container, uow):
    with pytest.raises(NotFound):
        container.handle(commands.SaveFavorite(USER, 4242, {}))
    container.handle(DelistMovie(348))
    with pytest.raises(NotFound):
        container.handle(commands.SaveWatchlistItem(USER, 348))
    assert library_events(uow) == []


def test_remove_then_add_again_starts_a_new_favorite(container, uow, clock):
    container.handle(commands.SaveFavorite(USER, 949, {"rating": 6}))
    container.handle(commands.RemoveFavorite(USER, 949))
    with pytest.raises(NotFound):
        container.handle(commands.RemoveFavorite(USER, 949))
    clock.advance(3600)
    again = container.handle(commands.SaveFavorite(USER, 949, {}))
    assert again.value.created and again.value.entry.rating is None
    assert again.value.entry.added_at == clock.now()
    assert [type(e).__name__ for e in library_events(uow)] == [
        "FavoriteAdded", "FavoriteRemoved", "FavoriteAdded"]


def test_the_watchlist_flow(container, uow, clock):
    added = container.handle(commands.SaveWatchlistItem(USER, 348))
    assert added.value.created and not added.value.entry.watched
    clock.advance(10)
    watched = container.handle(commands.SaveWatchlistItem(USER, 348, watched=True))
    assert not watched.value.created and watched.value.entry.watched_at == clock.now()
    assert container.handle(commands.SaveWatchlistItem(USER, 348, watched=True)
                            ).commit.event_count == 0
    assert container.handle(commands.SaveWatchlistItem(USER, 348)).commit.event_count == 0
    container.handle(commands.SaveWatchlistItem(USER, 348, watched=False))
    container.handle(commands.RemoveWatchlistItem(USER, 348))
    with pytest.raises(NotFound):
        container.handle(commands.RemoveWatchlistItem(USER, 348))
    assert [type(e).__name__ for e in library_events(uow)] == [
        "WatchlistItemAdded", "WatchlistItemWatched", "WatchlistItemUnwatched",
        "WatchlistItemRemoved"]


def test_added_as_watched_is_one_event(container, uow, clock):
    container.handle(commands.SaveWatchlistItem(USER, 949, watched=True))
    [added] = library_events(uow)
    assert added.watched and added.watched_at == clock.now().isoformat()
    assert added.genre_ids == [28, 80, 18] and added.year == 1995


def test_favorites_and_watchlist_share_one_version_sequence(container):
    first = container.handle(commands.SaveFavorite(USER, 949, {}))
    second = container.handle(commands.SaveWatchlistItem(USER, 348))
    third = container.handle(commands.SaveFavorite(USER, 348, {"rating": 10}))
    assert [h.commit.last_aggregate_version for h in (first, second, third)] == [1, 2, 3]


def test_two_writers_that_loaded_the_same_version_cannot_both_commit(container, uow, clock):
    container.handle(commands.SaveFavorite(USER, 949, {"rating": 5}))
    movie = MovieFacts(949, [28], 1995)
    with uow:
        mine = uow.libraries.get(USER, 949)
    with uow:
        theirs = uow.libraries.get(USER, 949)
        theirs.save_favorite(movie, {"rating": 9}, clock.now())
        uow.commit()
    with uow:
        uow.track(mine)
        mine.save_favorite(movie, {"rating": 2}, clock.now())
        with pytest.raises(ConcurrencyConflict):
            uow.commit()
    with uow:
        assert uow.libraries.get(USER, 949).favorites[949].rating == 9


# --- imports: many entries in one command -------------------------------------------------

def _imported(tmdb_id, rating=None, notes=None, changed_at=None, watched=None):
    from domain.library.model import ImportedFavorite, ImportedWatchlistItem
    return commands.ImportEntry(
        tmdb_id, ImportedFavorite(rating=rating, notes=notes, changed_at=changed_at),
        ImportedWatchlistItem(watched=watched) if watched is not None else None)


def test_an_import_merges_and_keeps_a_rating_set_here_later(container, uow, clock):
    from datetime import timedelta
    container.handle(commands.SaveFavorite(USER, 949, {"rating": 3}))
    earlier = clock.now() - timedelta(days=1)
    handled = container.handle(commands.ImportEntries(USER, (
        _imported(949, rating=9, notes="diner", changed_at=earlier),
        _imported(348, rating=7, watched=True), _imported(424242, rating=5))))
    assert handled.value.changed == (949, 348) and handled.value.missing == (424242,)
    favorites = uow.store.load("library", USER).favorites
    assert (favorites[949].rating, favorites[949].notes) == (3, "diner")  # blank filled
    assert favorites[348].rating == 7
    again = container.handle(commands.ImportEntries(USER, (
        _imported(949, rating=9, notes="diner", changed_at=earlier),
        _imported(348, rating=7, watched=True))))
    assert again.commit.event_count == 0 and again.value.changed == ()
    container.handle(commands.ImportEntries(USER, (_imported(949, rating=9),), overwrite=True))
    assert uow.store.load("library", USER).favorites[949].rating == 9

"""The catalog's command handlers through bootstrap, against the in-memory unit of work,
and TMDb's JSON turned into movie fields at every edge."""
import pytest

from domain.catalog import commands, events
from domain.catalog.fields import DEFAULTS, content_hash, movie_fields, tmdb_id_of
from domain.errors import InvalidInput, NotFound
from movienexus.bootstrap import bootstrap

HEAT = {"id": 949, "title": "Heat", "genre_ids": [80, 18], "popularity": 40.0}


@pytest.fixture
def container(uow, clock):
    return bootstrap(unit_of_work=uow, clock=clock)


def movie_events(uow, tmdb_id: int = 949) -> list:
    return uow.store.events_of("movie", str(tmdb_id))


def stored_movie(uow, tmdb_id: int = 949):
    return uow.store.load("movie", str(tmdb_id))


# --- import -------------------------------------------------------------------------------

def test_importing_a_new_movie_stores_it_with_its_hash(container, uow):
    movie = container.handle(commands.ImportMovie(HEAT)).value
    kept = stored_movie(uow)
    assert (kept.tmdb_id, kept.title, kept.genre_ids, kept.popularity) == (
        949, "Heat", [80, 18], 40.0)
    assert kept.content_hash == content_hash(kept.tmdb_fields) == movie.content_hash
    assert not kept.detail_complete
    [event] = movie_events(uow)
    assert event == events.MovieImported(**{**DEFAULTS, **movie_fields(HEAT)},
                                         detail_complete=False)


def test_a_complete_detail_is_marked_so(container, uow):
    container.handle(commands.ImportMovie({**HEAT, "runtime": 170}, complete=True))
    assert stored_movie(uow).detail_complete and stored_movie(uow).runtime == 170
    assert movie_events(uow)[0].detail_complete is True


def test_importing_again_records_only_what_changed(container, uow):
    container.handle(commands.ImportMovie(HEAT))
    container.handle(commands.ImportMovie({**HEAT, "title": "Heat (1995)"}, complete=True))
    kept = stored_movie(uow)
    assert kept.title == "Heat (1995)" and kept.detail_complete
    assert kept.content_hash == content_hash(kept.tmdb_fields)
    assert movie_events(uow)[-1] == events.MovieUpdated(
        changes={"title": "Heat (1995)", "detail_complete": True})


def test_importing_the_same_data_again_records_nothing(container, uow):
    container.handle(commands.ImportMovie(HEAT))
    container.handle(commands.ImportMovie({**HEAT, "tmdb_id": 949}))
    assert len(movie_events(uow)) == 1


def test_a_delisted_movie_seen_again_comes_back(container, uow):
    container.handle(commands.ImportMovie(HEAT))
    container.handle(commands.DelistMovie(949, "gone"))
    assert movie_events(uow)[-1] == events.MovieDelisted(reason="gone")
    container.handle(commands.DelistMovie(949))
    assert len(movie_events(uow)) == 2                     # delisting twice: one event
    container.handle(commands.ImportMovie(HEAT))
    assert movie_events(uow)[-1] == events.MovieUpdated(changes={"delisted": False})
    assert not stored_movie(uow).delisted


def test_commands_on_a_movie_the_catalog_lacks_are_not_found(container, uow):
    for command in (commands.DelistMovie(1), commands.RefreshRelations(1, "similar", [2])):
        with pytest.raises(NotFound) as error:
            container.handle(command)
        assert error.value.message == "No movie 1 in the catalog."
    assert uow.store.events == []


# --- relations, genres, lists -------------------------------------------------------------

def test_relations_are_distinct_ints_without_the_movie_itself(container, uow):
    container.handle(commands.ImportMovie(HEAT))
    container.handle(commands.RefreshRelations(949, "similar", [5, "5", 949, 7]))
    assert stored_movie(uow).similar == [5, 7] and stored_movie(uow).recommendations == []
    assert movie_events(uow)[-1] == events.MovieRelationsRefreshed("similar", [5, 7])
    container.handle(commands.RefreshRelations(949, "similar", [5, 7]))
    assert len(movie_events(uow)) == 2


def test_an_unknown_relation_kind_is_refused(container, uow):
    container.handle(commands.ImportMovie(HEAT))
    with pytest.raises(InvalidInput) as error:
        container.handle(commands.RefreshRelations(949, "sequels", [5]))
    assert error.value.field == "kind"
    assert error.value.message == "kind must be one of ('recommendations', 'similar')."


def test_genres_are_stored_once_and_again_only_when_they_change(container, uow):
    genres = [{"id": "18", "name": "Drama"}, {"id": 80, "name": "Crime"}]
    catalog = container.handle(commands.SyncGenres(genres)).value
    assert catalog.id == "movie"
    assert uow.store.load("genre_catalog", "movie").genres == {18: "Drama", 80: "Crime"}
    container.handle(commands.SyncGenres(genres))
    container.handle(commands.SyncGenres(genres[:1]))
    assert [e.genres for e in uow.store.events_of("genre_catalog", "movie")] == [
        [{"id": 18, "name": "Drama"}, {"id": 80, "name": "Crime"}],
        [{"id": 18, "name": "Drama"}]]


def test_a_list_keeps_tmdbs_order_and_records_only_changes(container, uow, clock):
    curated = container.handle(commands.RefreshList("popular", [3, 1, 3, 2])).value
    assert curated.id == "popular"
    kept = uow.store.load("curated_list", "popular")
    assert (kept.tmdb_ids, kept.refreshed_at) == ([3, 1, 2], clock.now())
    container.handle(commands.RefreshList("popular", [3, 1, 2]))
    clock.advance(60)
    container.handle(commands.RefreshList("popular", [1]))
    assert uow.store.events_of("curated_list", "popular")[-1] == events.ListRefreshed(
        [1], clock.now().isoformat())
    assert len(uow.store.events_of("curated_list", "popular")) == 2


def test_an_unknown_list_is_refused(container, uow):
    with pytest.raises(InvalidInput) as error:
        container.handle(commands.RefreshList("best_ever", [1]))
    assert error.value.field == "name" and error.value.message.startswith(
        "name must be one of ('popular', 'top_rated'")
    assert uow.store.events == []


# --- TMDb's JSON --------------------------------------------------------------------------

@pytest.mark.parametrize("data, expected", [({"id": 1}, 1), ({"tmdb_id": "7"}, 7),
                                            ({"id": 2**31 - 1}, 2**31 - 1),
                                            ({"id": 5, "tmdb_id": 6}, 5)])
def test_tmdb_ids_within_range(data, expected):
    assert tmdb_id_of(data) == expected


@pytest.mark.parametrize("data, message", [
    ({"id": 0}, "TMDb id 0 is out of range."), ({"id": -1}, "TMDb id -1 is out of range."),
    ({"id": 2**31}, f"TMDb id {2**31} is out of range."),
    ({"id": "x"}, "A TMDb movie needs a numeric id, not 'x'."),
    ({}, "A TMDb movie needs a numeric id, not None.")])
def test_tmdb_ids_out_of_range_or_not_numbers_are_refused(data, message):
    with pytest.raises(InvalidInput) as error:
        tmdb_id_of(data)
    assert (error.value.field, error.value.message) == ("id", message)


def test_fields_are_coerced_and_only_those_present_are_returned():
    fields = movie_fields({"id": 3, "title": None, "imdb_id": "", "poster_path": 12,
                           "popularity": None, "vote_average": "7.5", "budget": None,
                           "runtime": "99", "adult": 1, "genres": [{"id": "18"}]})
    assert fields == {"tmdb_id": 3, "title": "", "imdb_id": None, "poster_path": "12",
                      "popularity": 0.0, "vote_average": 7.5, "budget": 0, "runtime": 99,
                      "adult": True, "genre_ids": [18]}
    assert movie_fields({"id": 3, "runtime": None}) == {"tmdb_id": 3, "runtime": None}
    assert movie_fields({"id": 3, "genre_ids": ["4"]})["genre_ids"] == [4]


def test_the_content_hash_is_stable():
    """Stored with every movie: a change of its recipe would make every stored movie
    look changed."""
    fields = movie_fields({"id": 949, "title": "Amélie", "genre_ids": [18, 35],
                           "popularity": 1.5})
    assert content_hash(fields) == \
        "b50f285f74623e1dd459c576e2d9b7d73164c1c29fffa595ea0b791c55e8d8da"

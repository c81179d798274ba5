"""The catalog aggregates, without I/O: what TMDb's JSON becomes, and which events
an import, a sync, a delisting, relations, genres and lists record."""
import pytest

from domain.catalog import events
from domain.catalog.fields import DEFAULTS, MOVIE_FIELDS, content_hash, movie_fields
from domain.catalog.model import CuratedList, GenreCatalog, Movie
from domain.errors import InvalidInput
from datetime import datetime, timezone

LIST_ITEM = {
    "adult": False, "backdrop_path": "/b.jpg", "genre_ids": [18, 80], "id": 238,
    "original_language": "en", "original_title": "The Godfather", "overview": "Mob saga.",
    "popularity": 91.5, "poster_path": "/p.jpg", "release_date": "1972-03-14",
    "title": "The Godfather", "video": False, "vote_average": 8.7, "vote_count": 20000,
}
DETAIL = {**{k: v for k, v in LIST_ITEM.items() if k != "genre_ids"},
          "genres": [{"id": 18, "name": "Drama"}, {"id": 80, "name": "Crime"}],
          "budget": 6000000, "revenue": 245066411, "runtime": 175, "status": "Released",
          "tagline": "An offer you can't refuse.", "imdb_id": "tt0068646",
          "homepage": "", "belongs_to_collection": None}
NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)


def imported(data=LIST_ITEM, complete=False) -> Movie:
    movie = Movie.import_new(movie_fields(data), complete)
    movie.take_events()
    return movie


def test_a_list_item_gives_the_list_fields_only():
    fields = movie_fields(LIST_ITEM)
    assert fields["tmdb_id"] == 238 and fields["genre_ids"] == [18, 80]
    assert "runtime" not in fields and "tagline" not in fields and "video" not in fields


def test_a_detail_gives_genre_ids_from_genres_and_every_field():
    fields = movie_fields(DETAIL)
    assert fields["genre_ids"] == [18, 80]
    assert set(fields) == set(MOVIE_FIELDS)


@pytest.mark.parametrize("bad", [None, "abc", 0, -5, 2**31])
def test_an_id_that_is_not_a_tmdb_id_is_refused(bad):
    with pytest.raises(InvalidInput):
        movie_fields({**LIST_ITEM, "id": bad})


def test_nulls_become_the_field_defaults():
    fields = movie_fields({**DETAIL, "runtime": None, "homepage": None, "budget": None,
                           "release_date": None, "imdb_id": ""})
    assert fields["runtime"] is None and fields["homepage"] == "" and fields["budget"] == 0
    assert fields["release_date"] == "" and fields["imdb_id"] is None


def test_import_records_movie_imported_with_all_fields():
    movie = Movie.import_new(movie_fields(LIST_ITEM), complete=False)
    [event] = movie.take_events()
    assert isinstance(event, events.MovieImported)
    assert event.payload() == {**DEFAULTS, **movie_fields(LIST_ITEM), "detail_complete": False}
    assert movie.id == "238" and movie.content_hash == content_hash(movie.tmdb_fields)


def test_the_same_data_again_records_nothing():
    movie = imported()
    movie.sync(movie_fields(LIST_ITEM), complete=False)
    assert movie.take_events() == [] and not movie.changed


def test_one_changed_field_records_only_that_field():
    movie = imported()
    before = movie.content_hash
    movie.sync(movie_fields({**LIST_ITEM, "vote_count": 20001}), complete=False)
    [event] = movie.take_events()
    assert event == events.MovieUpdated(changes={"vote_count": 20001})
    assert movie.vote_count == 20001 and movie.content_hash != before


def test_a_list_item_never_blanks_what_only_a_detail_knows():
    movie = imported(DETAIL, complete=True)
    movie.sync(movie_fields(LIST_ITEM), complete=False)
    assert movie.take_events() == []
    assert movie.runtime == 175 and movie.tagline == "An offer you can't refuse."


def test_a_detail_after_a_list_item_records_the_new_fields_and_completeness():
    movie = imported()
    movie.sync(movie_fields(DETAIL), complete=True)
    [event] = movie.take_events()
    assert event.changes["runtime"] == 175 and event.changes["detail_complete"] is True
    assert "title" not in event.changes


def test_delisting_once_and_coming_back():
    movie = imported()
    movie.delist("gone from TMDb")
    movie.delist("gone from TMDb")
    assert [type(e) for e in movie.take_events()] == [events.MovieDelisted]
    movie.sync(movie_fields(LIST_ITEM), complete=False)
    [event] = movie.take_events()
    assert event.changes == {"delisted": False} and not movie.delisted


def test_relations_keep_order_drop_duplicates_and_self():
    movie = imported()
    movie.refresh_relations("similar", [5, 238, 7, 5])
    movie.refresh_relations("similar", [5, 7])
    [event] = movie.take_events()
    assert event == events.MovieRelationsRefreshed(kind="similar", tmdb_ids=[5, 7])
    with pytest.raises(InvalidInput):
        movie.refresh_relations("sequels", [1])


def test_genres_sync_records_only_a_change():
    catalog = GenreCatalog(id="movie")
    catalog.sync([{"id": 18, "name": "Drama"}])
    catalog.sync([{"id": 18, "name": "Drama"}])
    assert len(catalog.take_events()) == 1
    catalog.sync([{"id": 18, "name": "Drama"}, {"id": 80, "name": "Crime"}])
    [event] = catalog.take_events()
    assert event.genres == [{"id": 18, "name": "Drama"}, {"id": 80, "name": "Crime"}]


def test_a_list_refresh_records_only_a_new_order():
    curated = CuratedList.named("popular")
    curated.refresh([3, 1, 2], NOW)
    curated.refresh([3, 1, 2], NOW)
    assert [e.tmdb_ids for e in curated.take_events()] == [[3, 1, 2]]
    with pytest.raises(InvalidInput):
        CuratedList.named("best_ever")


def test_a_card_built_before_the_genre_sync_still_names_tmdbs_genres():
    from read_models.stores.movie_documents import card
    fields = {"tmdb_id": 1, "title": "T", "original_title": "T", "release_date": "2001-02-03",
              "poster_path": None, "backdrop_path": None, "genre_ids": [18, 99999],
              "popularity": 1.0, "vote_average": 7.0, "vote_count": 3}
    assert card(fields, {}, 0)["genres"] == [{"id": 18, "name": "Drama"},
                                             {"id": 99999, "name": ""}]
    assert card(fields, {18: "Drame"}, 0)["genres"][0]["name"] == "Drame"

"""Catalog commands through the real unit of work, and their projections: no event for
unchanged data, exactly the changed field otherwise, and read models (Postgres rows and
Redis documents) that end right whatever the delivery order or duplication."""
import json
import random
import uuid

from sqlalchemy import select

from adapters.messaging.event_log import envelopes_of_aggregate
from domain.catalog import commands
from domain.catalog.fields import movie_fields
from read_models.stores import movie_documents as docs
from read_models.stores.catalog_tables import read_genres, read_lists, read_movies
from read_models.projections.framework import Outcome
from tests.integration.test_projections import deliver_until_applied
from tmdb_server import shapes


def new_tmdb_id() -> int:
    return 1_500_000_000 + uuid.uuid4().int % 600_000_000


def list_item(tmdb_id: int, **changes) -> dict:
    return {"id": tmdb_id, "title": f"Film {tmdb_id}", "original_title": f"Film {tmdb_id}",
            "overview": "A projection test.", "popularity": 1.5, "vote_average": 6.1,
            "vote_count": 10, "release_date": "2001-02-03", "genre_ids": [18, 35],
            "original_language": "en", "poster_path": "/p.jpg", "backdrop_path": None,
            "adult": False, "video": False, **changes}


def movie_events(container, tmdb_id):
    return envelopes_of_aggregate(container.engine, "movie", str(tmdb_id))


def expected_documents(container, tmdb_id) -> tuple[dict, dict]:
    """Card and detail derived from the write side (and the synced genre names)."""
    with container.unit_of_work() as uow:
        movie = uow.movies.get(tmdb_id)
    with container.engine.connect() as conn:
        names = dict(conn.execute(select(read_genres.c.id, read_genres.c.name)).all())
    fields = movie.tmdb_fields
    return docs.card(fields, names, 0), docs.detail(fields, names, 0)


def stored_documents(container, tmdb_id):
    with container.engine.connect() as conn:
        row = conn.execute(select(read_movies).where(
            read_movies.c.tmdb_id == tmdb_id)).mappings().one()
    card = container.redis.get(docs.card_key(tmdb_id))
    detail = container.redis.get(docs.detail_key(tmdb_id))
    return row, json.loads(card), json.loads(detail)


def assert_read_models_match(container, tmdb_id):
    card, detail = expected_documents(container, tmdb_id)
    row, cached_card, cached_detail = stored_documents(container, tmdb_id)
    assert row["card"] == card == cached_card
    assert row["detail"] == detail == cached_detail
    assert row["title"] == card["title"] and row["popularity"] == card["popularity"]


def imported_with_history(container, updates: int = 4) -> int:
    tmdb_id = new_tmdb_id()
    container.handle(commands.ImportMovie(list_item(tmdb_id)))
    for n in range(updates):
        container.handle(commands.ImportMovie(list_item(
            tmdb_id, vote_count=100 + n, title=f"Film {tmdb_id} take {n}")))
    return tmdb_id


def test_unchanged_data_emits_no_event_and_one_change_exactly_one(isolated):
    tmdb_id = new_tmdb_id()
    first = isolated.handle(commands.ImportMovie(list_item(tmdb_id)))
    again = isolated.handle(commands.ImportMovie(list_item(tmdb_id)))
    assert first.commit.event_count == 1 and again.commit.event_count == 0
    changed = isolated.handle(commands.ImportMovie(list_item(tmdb_id, vote_average=7.25)))
    envelopes = movie_events(isolated, tmdb_id)
    assert [e.event_type for e in envelopes] == ["MovieImported", "MovieUpdated"]
    assert envelopes[-1].payload == {"changes": {"vote_average": 7.25}}
    assert changed.value.version == 2
    deliver_until_applied(isolated.projection_runner, envelopes)
    row, card, detail = stored_documents(isolated, tmdb_id)
    assert row["vote_average"] == card["vote_average"] == detail["vote_average"] == 7.25
    assert_read_models_match(isolated, tmdb_id)


def test_every_event_delivered_twice_leaves_the_read_models_as_once(isolated):
    tmdb_id = imported_with_history(isolated)
    envelopes = movie_events(isolated, tmdb_id)
    outcomes = [isolated.projection_runner.apply(e) for e in envelopes]
    repeats = [isolated.projection_runner.apply(e) for e in envelopes]
    assert set(outcomes) == {Outcome.APPLIED} and set(repeats) == {Outcome.DUPLICATE}
    assert_read_models_match(isolated, tmdb_id)


def test_reverse_and_shuffled_deliveries_converge(isolated):
    tmdb_id = imported_with_history(isolated, updates=5)
    isolated.handle(commands.RefreshRelations(tmdb_id, "similar", [11, 12, 13]))
    envelopes = movie_events(isolated, tmdb_id)
    assert isolated.projection_runner.apply(envelopes[-1]) is Outcome.REPAIRED
    shuffled = list(reversed(envelopes)) * 2
    random.Random(3).shuffle(shuffled)
    deliver_until_applied(isolated.projection_runner, shuffled)
    assert_read_models_match(isolated, tmdb_id)
    assert json.loads(isolated.redis.get(docs.relations_key("similar", tmdb_id))) == [11, 12, 13]


def test_a_lost_redis_document_is_refilled_by_a_redelivery(isolated):
    tmdb_id = imported_with_history(isolated, updates=1)
    envelopes = movie_events(isolated, tmdb_id)
    deliver_until_applied(isolated.projection_runner, envelopes)
    isolated.redis.delete(docs.card_key(tmdb_id), docs.card_key(tmdb_id) + ":v")
    isolated.projection_runner.apply(envelopes[-1])
    assert_read_models_match(isolated, tmdb_id)


def test_delisting_tombstones_the_documents_and_a_return_restores_them(isolated):
    tmdb_id = imported_with_history(isolated, updates=0)
    isolated.handle(commands.DelistMovie(tmdb_id, "removed"))
    deliver_until_applied(isolated.projection_runner, movie_events(isolated, tmdb_id))
    assert isolated.redis.get(docs.detail_key(tmdb_id)) == docs.TOMBSTONE
    isolated.handle(commands.ImportMovie(list_item(tmdb_id)))
    deliver_until_applied(isolated.projection_runner, movie_events(isolated, tmdb_id))
    assert_read_models_match(isolated, tmdb_id)


def test_a_detail_import_fills_the_detail_document(isolated):
    tmdb_id = imported_with_history(isolated, updates=0)
    detail = {**list_item(tmdb_id), "genres": [{"id": 18, "name": "Drama"}],
              "runtime": 101, "tagline": "Tag.", "status": "Released", "budget": 5,
              "revenue": 7, "imdb_id": "tt0000001", "homepage": "https://x.example"}
    del detail["genre_ids"]
    outcome = isolated.handle(commands.ImportMovie(detail, complete=True))
    assert outcome.value.detail_complete
    deliver_until_applied(isolated.projection_runner, movie_events(isolated, tmdb_id))
    _, card, stored = stored_documents(isolated, tmdb_id)
    assert stored["runtime"] == 101 and stored["tagline"] == "Tag."
    assert [g["id"] for g in card["genres"]] == [18]
    assert_read_models_match(isolated, tmdb_id)


def test_lists_and_genres_reach_their_read_tables(isolated):
    isolated.handle(commands.SyncGenres(shapes.genre_list()["genres"]))
    ids = [new_tmdb_id(), new_tmdb_id()]
    isolated.handle(commands.RefreshList("upcoming", ids))
    for aggregate_type, aggregate_id in (("genre_catalog", "movie"),
                                         ("curated_list", "upcoming")):
        envelopes = envelopes_of_aggregate(isolated.engine, aggregate_type, aggregate_id)
        deliver_until_applied(isolated.projection_runner, envelopes)
    with isolated.engine.connect() as conn:
        stored_ids = conn.execute(select(read_lists.c.tmdb_ids).where(
            read_lists.c.name == "upcoming")).scalar()
        names = dict(conn.execute(select(read_genres.c.id, read_genres.c.name)).all())
    assert stored_ids == ids and isolated.documents.whole_list("list-ids:upcoming") == ids
    assert names[18] == "Drama" and names[35] == "Comedy"


def test_the_write_side_round_trips_every_field(isolated):
    tmdb_id = new_tmdb_id()
    data = list_item(tmdb_id, popularity=12.345678, genre_ids=[10751, 16])
    isolated.handle(commands.ImportMovie(data))
    with isolated.unit_of_work() as uow:
        movie = uow.movies.get(tmdb_id)
    assert {k: movie.tmdb_fields[k] for k in movie_fields(data)} == movie_fields(data)

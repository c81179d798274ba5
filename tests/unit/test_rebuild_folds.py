"""The folds' pure parts (evolve: what each event means, for the live workers and the
rebuild alike; it fails where an event cannot apply), and the log pass splits
projections only where they share no table."""
import pytest

from read_models.projections.accounts import (SessionsFold, SessionsTable, UsersFold,
                                              UsersTable, merged_document)
from read_models.projections.catalog import (Counts, GenresFold, GenresTable, ListsTable, MoviesFold,
                                             MoviesTable)
from adapters.messaging.envelope import Envelope
from read_models.operations.log_pass import groups, spread

USER = "0b5c1f5e-0000-4000-8000-000000000001"


def event(event_type: str, version: int, payload: dict, aggregate_type: str = "user",
          aggregate_id: str = USER) -> Envelope:
    return Envelope(event_id=f"{aggregate_id}-{version}", event_type=event_type,
                    event_version=1, aggregate_type=aggregate_type,
                    aggregate_id=aggregate_id, aggregate_version=version, position=version,
                    occurred_at="", payload=payload)


REGISTERED = event("UserRegistered", 1, {
    "email": "ada@example.com", "first_name": "Ada", "last_name": "", "role": "user",
    "created_at": "2026-01-01T00:00:00+00:00", "profile": {"bio": "hi", "country": "FR"}})


def fold_users(*events: Envelope):
    fold, state = UsersFold(conn=None), None
    for envelope in events:
        state = fold.evolve(state, envelope)
    return state


def test_the_users_fold_merges_fields_and_profile_keys_like_the_sql_merge():
    state = fold_users(
        REGISTERED,
        event("VerificationEmailRequested", 2, {"email": "ada@example.com"}),
        event("EmailVerified", 3, {"email": "ada@example.com", "verified_at": "x"}),
        event("ProfileUpdated", 4, {"changes": {"first_name": "Ava",
                                                "profile": {"bio": "new"}},
                                    "updated_at": "x"}))
    assert state.version == 4 and state.email == "ada@example.com"
    assert state.doc["first_name"] == "Ava" and state.doc["email_verified"] is True
    assert state.doc["profile"] == {"bio": "new", "country": "FR"}
    assert REGISTERED.payload["profile"] == {"bio": "hi", "country": "FR"}, "input untouched"


def test_the_users_fold_fails_on_a_user_never_registered():
    with pytest.raises(LookupError):          # no row to change
        fold_users(event("ProfileUpdated", 1, {"changes": {}, "updated_at": "x"}))
    with pytest.raises(KeyError):             # a payload without its email
        fold_users(event("UserRegistered", 1, {"first_name": "Poison"}))


def test_a_second_registration_meets_its_own_row_and_changes_nothing():
    once = fold_users(REGISTERED)
    again = fold_users(REGISTERED, event("UserRegistered", 2, {
        **REGISTERED.payload, "first_name": "Other"}))
    assert again.doc == once.doc and again.email == once.email


def test_merged_document_replaces_fields_and_merges_the_profile():
    doc = {"first_name": "A", "profile": {"bio": "b", "tz": "UTC"}}
    assert merged_document(doc, {"first_name": "B"}, {"tz": "CET"}) == {
        "first_name": "B", "profile": {"bio": "b", "tz": "CET"}}


def test_a_change_to_a_session_without_a_row_changes_nothing():
    fold = SessionsFold(conn=None)
    refreshed = event("SessionRefreshed", 2, {"user_id": USER, "ip": "1", "user_agent": "u",
                                              "refreshed_at": "t"}, "session", "s1")
    assert fold.evolve(None, refreshed) is None
    started = fold.evolve(None, event("SessionStarted", 1, {
        "user_id": USER, "ip": "1", "user_agent": "u", "started_at": "t0"}, "session", "s1"))
    revoked = fold.evolve(started, event("SessionRevoked", 3, {
        "user_id": USER, "reason": "logout", "revoked_at": "t1"}, "session", "s1"))
    assert (revoked["revoked_at"], revoked["revoke_reason"], revoked["created_at"]) == (
        "t1", "logout", "t0")


def movie_payload(tmdb_id: int, genre_ids: list[int]) -> dict:
    return {"tmdb_id": tmdb_id, "title": "T", "original_title": "T", "overview": "",
            "tagline": "", "release_date": "2001-02-03", "runtime": None, "status": "",
            "original_language": "en", "budget": 0, "revenue": 0, "imdb_id": None,
            "homepage": "", "poster_path": None, "backdrop_path": None, "popularity": 1.0,
            "vote_average": 5.0, "vote_count": 1, "adult": False, "genre_ids": genre_ids,
            "detail_complete": False}


def test_cards_use_the_genre_names_of_the_moment_and_counts_move_with_the_genres():
    shared = {"genre_names": {}}
    movies, genres = MoviesFold(None, shared), GenresFold(None, shared)
    imported = movies.evolve(None, event("MovieImported", 1, movie_payload(7, [18, 35]),
                                         "movie", "7"))
    genres.evolve(None, event("GenresSynced", 1, {"genres": [{"id": 18, "name": "Drama!"}]},
                              "genre_catalog", "movie"))
    updated = movies.evolve(imported, event("MovieUpdated", 2, {"changes": {
        "genre_ids": [18], "vote_count": 2}}, "movie", "7"))
    delisted = movies.evolve(updated, event("MovieDelisted", 3, {"reason": "r"}, "movie", "7"))

    assert [g["name"] for g in imported.row["card"]["genres"]] == ["Drama", "Comedy"]
    assert [g["name"] for g in updated.row["card"]["genres"]] == ["Drama!"]
    assert updated.row["detail"]["vote_count"] == 2 and updated.row["version"] == 2
    assert delisted.row["delisted"] and delisted.row["card"] == updated.row["card"]
    assert delisted.genre_deltas == ((18, 1), (35, 1), (35, -1), (18, -1))


class Unsaid:
    name, follows = "unsaid", frozenset({"favorite"})


def test_projections_split_only_where_they_share_no_table():
    users, sessions = UsersTable(None), SessionsTable(None)
    movies, genres, lists = MoviesTable(None), GenresTable(None), ListsTable(None)
    found = groups([users, sessions, movies, genres, lists])
    assert sorted([p.name for p in g] for g in found) == [
        ["lists_table"], ["movies_table", "genres_table"], ["sessions_table"],
        ["users_table"]]
    assert len(groups([users, movies, Unsaid()])) == 1, "one that does not say: together"
    bins = spread(found, {"user": 50, "session": 60, "movie": 100, "curated_list": 1}, 2)
    assert sorted(sorted(p.name for p in b) for b in bins) == [
        ["genres_table", "lists_table", "movies_table"], ["sessions_table", "users_table"]]


def test_a_movie_takes_in_the_favorites_that_came_before_it():
    shared = {"genre_names": {}}
    movies = MoviesFold(None, shared)
    movies.early[7] = (Counts(2, 15, 2, 3), (11, 12, 13))
    imported = movies.evolve(None, event("MovieImported", 1, movie_payload(7, [18]),
                                         "movie", "7"))
    assert (imported.row["favorite_count"], imported.row["rating_sum"],
            imported.row["counts_seq"], imported.taken) == (2, 15, 3, (11, 12, 13))
    assert imported.row["detail"]["average_user_rating"] == 7.5
    assert 7 not in movies.early, "taken once"

"""Each projection is defined once: the live runner (batches in one transaction, in any
split, with duplicates, redeliveries and events out of order) and the rebuild (the whole
log folded in bulk) leave identical tables and Redis documents, as `read-models verify`
compares them. Random histories of users, sessions, libraries (add → remove → add of one
movie included) and movies, made by the domain's own commands. A database of its own,
no workers."""
from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import text

from adapters.messaging.envelope import Envelope
from adapters.outages import is_outage
from domain.accounts import commands as accounts
from domain.catalog import commands as catalog
from domain.errors import DomainError
from domain.library import commands as library
from movienexus.bootstrap import Container
from tests.support.databases import derived, recreate_database
from tests.support.library import import_movies
from workers.batches import apply_batch

ONE_DEFINITION_REDIS_OFFSET = 8
PASSWORD, NEW_PASSWORD = "Popcorn-2026!", "Staple-battery-9!"
_movie_ids = itertools.count(1_980_000_000)


class QuickHasher:
    """Argon2 is slow on purpose; these histories need many logins."""

    def hash(self, password: str) -> str:
        return f"quick:{password}"

    def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == f"quick:{password}"

    def needs_rehash(self, password_hash: str) -> bool:
        return False


@pytest.fixture(scope="module")
def lab(settings):
    chosen = derived(settings, "one_definition", ONE_DEFINITION_REDIS_OFFSET)
    recreate_database(chosen.database_url)
    container = Container(chosen, hasher=QuickHasher(), inline_folds=True,
                          request_recommendations=lambda _user: None)
    container.redis.flushdb()
    shelf = import_movies(container, 4, seed=14)
    deliver(container, unprojected(container), random.Random(0))
    yield container, shelf
    container.engine.dispose()


class History:
    """Runs drawn operations through the domain; remembers who and what exists."""

    def __init__(self, container: Container, shelf: list[int]):
        self.container, self.shelf = container, shelf
        self.users: list[tuple[str, str]] = []          # (user id, email)
        self.passwords: dict[str, str] = {}
        self.sessions: list[tuple[str, str, str]] = []  # (user id, session id, jti)
        self.movies: list[int] = []

    def run(self, op: tuple) -> None:
        try:
            getattr(self, op[0])(*op[1:])
        except (DomainError, IndexError, ZeroDivisionError):
            pass             # an operation the domain refuses (or nobody to do it yet)

    def handle(self, command):
        return self.container.handle(command).value

    def user(self, n: int) -> str:
        return self.users[n % len(self.users)][0]

    def movie(self, n: int) -> int:
        return self.shelf[n % len(self.shelf)]

    def register(self) -> None:
        email = f"one-{next(_movie_ids)}@example.com"
        user = self.handle(accounts.RegisterUser(email=email, password=PASSWORD))
        self.users.append((user.id, email))
        self.passwords[user.id] = PASSWORD

    def rename(self, n: int, name: int) -> None:
        self.handle(accounts.UpdateProfile(self.user(n), {
            "first_name": f"N{name}", "profile": {"bio": f"b{name % 3}"}}))

    def login(self, n: int) -> None:
        user_id, email = self.users[n % len(self.users)]
        done = self.handle(accounts.Login(email, self.passwords[user_id], "10.0.0.1", "t"))
        self.sessions.append((user_id, done.session_id, done.refresh_jti))

    def refresh(self, n: int) -> None:
        k = n % len(self.sessions)
        user_id, session_id, jti = self.sessions[k]
        done = self.handle(accounts.RefreshSession(user_id, session_id, jti, "10.0.0.2", "u"))
        self.sessions[k] = (user_id, session_id, done.refresh_jti)

    def logout(self, n: int) -> None:
        user_id, session_id, _jti = self.sessions[n % len(self.sessions)]
        self.handle(accounts.Logout(user_id, session_id))

    def change_password(self, n: int) -> None:
        user_id, session_id, _jti = self.sessions[n % len(self.sessions)]
        new = NEW_PASSWORD if self.passwords[user_id] == PASSWORD else PASSWORD
        self.handle(accounts.ChangePassword(user_id, session_id, self.passwords[user_id], new))
        self.passwords[user_id] = new

    def favorite(self, n: int, m: int, rating: int | None) -> None:
        self.handle(library.SaveFavorite(self.user(n), self.movie(m), {"rating": rating}))

    def unfavorite(self, n: int, m: int) -> None:
        self.handle(library.RemoveFavorite(self.user(n), self.movie(m)))

    def add_remove_add(self, n: int, m: int, rating: int | None) -> None:
        self.favorite(n, m, rating)
        self.unfavorite(n, m)
        self.favorite(n, m, None if rating is None else 11 - rating)

    def watch(self, n: int, m: int, watched: bool | None) -> None:
        self.handle(library.SaveWatchlistItem(self.user(n), self.movie(m), watched))

    def unwatch(self, n: int, m: int) -> None:
        self.handle(library.RemoveWatchlistItem(self.user(n), self.movie(m)))

    def import_movie(self, genres: list[int]) -> None:
        tmdb_id = next(_movie_ids)
        self.handle(catalog.ImportMovie(movie_item(tmdb_id, genres)))
        self.movies.append(tmdb_id)

    def update_movie(self, n: int, genres: list[int]) -> None:
        tmdb_id = self.movies[n % len(self.movies)]
        self.handle(catalog.ImportMovie({**movie_item(tmdb_id, genres), "title": f"T{n}"}))

    def relate(self, n: int, kind: str) -> None:
        tmdb_id = self.movies[n % len(self.movies)]
        self.handle(catalog.RefreshRelations(tmdb_id, kind, self.shelf[: 1 + n % 3]))

    def delist(self, n: int) -> None:
        self.handle(catalog.DelistMovie(self.movies[n % len(self.movies)]))


def movie_item(tmdb_id: int, genres: list[int]) -> dict:
    return {"id": tmdb_id, "title": "One", "original_title": "One", "overview": "o",
            "popularity": 1.0, "vote_average": 5.0, "vote_count": 3,
            "release_date": "1999-01-01", "genre_ids": genres, "original_language": "en",
            "poster_path": None, "backdrop_path": None, "adult": False, "video": False}


few = st.integers(0, 5)
rating = st.one_of(st.none(), st.integers(1, 10))
genres = st.lists(st.sampled_from([18, 28, 35, 80]), max_size=2, unique=True)
operations = st.lists(st.one_of(
    st.tuples(st.just("register")),
    st.tuples(st.just("rename"), few, few),
    st.tuples(st.just("login"), few),
    st.tuples(st.just("refresh"), few),
    st.tuples(st.just("logout"), few),
    st.tuples(st.just("change_password"), few),
    st.tuples(st.just("favorite"), few, few, rating),
    st.tuples(st.just("unfavorite"), few, few),
    st.tuples(st.just("add_remove_add"), few, few, rating),
    st.tuples(st.just("watch"), few, few, st.sampled_from([None, True, False])),
    st.tuples(st.just("unwatch"), few, few),
    st.tuples(st.just("import_movie"), genres),
    st.tuples(st.just("update_movie"), few, genres),
    st.tuples(st.just("relate"), few, st.sampled_from(["similar", "recommendations"])),
    st.tuples(st.just("delist"), few),
), min_size=3, max_size=14)


_delivered = {"up_to": 0}       # the position this test's deliveries reached


def unprojected(container: Container) -> list[Envelope]:
    """The events written since the last call (one writer here: positions only grow)."""
    with container.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM events WHERE position > :p ORDER BY position"),
                            {"p": _delivered["up_to"]}).mappings().all()
    if rows:
        _delivered["up_to"] = rows[-1]["position"]
    return [Envelope.from_row(row) for row in rows]


def deliver(container: Container, events: list[Envelope], rng: random.Random) -> None:
    """Every event at least once, some twice, in a random order, in random batches."""
    if not events:
        return
    deliveries = events + rng.sample(events, k=min(len(events), rng.randint(0, 4)))
    if rng.random() < 0.5:
        rng.shuffle(deliveries)
    else:                     # mostly in order, a few swapped
        for _ in range(len(deliveries) // 3):
            i, j = rng.randrange(len(deliveries)), rng.randrange(len(deliveries))
            deliveries[i], deliveries[j] = deliveries[j], deliveries[i]
    while deliveries:
        size = rng.randint(1, 8)
        batch, deliveries = deliveries[:size], deliveries[size:]
        result = apply_batch(container.projection_runner, batch, is_outage)
        assert not result.failed and not result.waiting, result.failed


@given(history=operations, seed=st.integers(0, 2**32 - 1))
@hypothesis_settings(max_examples=8, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.function_scoped_fixture,
                                            HealthCheck.too_slow])
def test_live_batches_and_the_rebuild_give_the_same_read_models(lab, history, seed):
    container, shelf = lab
    made = History(container, shelf)
    made.register()
    for op in history:
        made.run(op)
    rng = random.Random(seed)     # the deliveries: a seed, so the log may differ in length
    deliver(container, unprojected(container), rng)
    redelivered = rng.sample(list(_all_events(container)), k=3)
    assert not apply_batch(container.projection_runner, redelivered, is_outage).waiting
    container.movie_counters.fold_all()
    report = container.read_model_verify(workers=1).run()
    assert report.ok, report.differences[:5]


def _all_events(container: Container) -> list[Envelope]:
    with container.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM events ORDER BY position")).mappings().all()
    return [Envelope.from_row(row) for row in rows]

"""Asking the hot reads and the Flask app for the same GET (api/hot_reads.py), and the
module fixtures of the tests that do: a catalog, its app, a reader with a library."""
from __future__ import annotations

import pytest

from api import create_app
from api.hot_reads import FLASK_ONLY
from tests.support.catalog import catalog_world
from tests.support.library import person

API = "/api/v1"
REQUEST_ID = {"X-Request-ID": "parity-request-0001"}


def get(app, path: str, headers: dict | None = None, **kwargs):
    """The answer, marked `hot` when the hot reads answered it."""
    before = app.wsgi_app.answered
    answer = app.test_client().get(API + path, headers=headers or {}, **kwargs)
    answer.hot = app.wsgi_app.answered > before
    return answer


def both(app, path: str, headers: dict | None = None):
    """(hot answer, Flask answer) of the same GET."""
    headers = {**REQUEST_ID, **(headers or {})}
    return (get(app, path, headers),
            get(app, path, headers, environ_overrides={FLASK_ONLY: True}))


def assert_same(hot, flask, hot_answers: bool = True) -> None:
    assert hot.hot == hot_answers
    assert not flask.hot
    assert hot.status_code == flask.status_code
    assert sorted(hot.headers.items()) == sorted(flask.headers.items())
    assert hot.get_data() == flask.get_data()


def complete_movies(app, container, n: int) -> list[int]:
    """n movies of the catalog, each opened once (so TMDb's full detail is stored)."""
    with container.engine.connect() as conn:
        ids = conn.exec_driver_sql("SELECT tmdb_id FROM read_movies WHERE NOT delisted "
                                   "ORDER BY popularity DESC LIMIT %s", (n,)).scalars().all()
    for tmdb_id in ids:
        assert app.test_client().get(f"{API}/movies/{tmdb_id}").status_code == 200
    return list(ids)


@pytest.fixture(scope="module")
def world(settings, tmdb_server):
    return catalog_world(settings, tmdb_server.base_url)


@pytest.fixture(scope="module")
def app(world):
    return create_app(container=world.container)


@pytest.fixture(scope="module")
def reader(app, world):
    """A person with two favorites and one watchlist item."""
    me = person(app)
    ids = complete_movies(app, world.container, 4)[1:]
    me.ok(me.put(f"/me/favorites/{ids[0]}", {"rating": 8, "notes": "parity"}), 201)
    me.ok(me.put(f"/me/favorites/{ids[1]}", {"rating": 3}), 201)
    me.ok(me.put(f"/me/watchlist/{ids[2]}"), 201)
    return me


@pytest.fixture(scope="module")
def movie_id(app, world) -> int:
    return complete_movies(app, world.container, 1)[0]

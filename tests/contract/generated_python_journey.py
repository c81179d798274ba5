"""A frontend's journey written against the client openapi-python-client generates from
the served document with its default configuration (tests/contract/test_generators.py
generates it as `movie_nexus_client`, checks this file with `mypy --strict` and runs it:
`python generated_python_journey.py BASE_URL`). Not collected by pytest."""
from __future__ import annotations

import sys
import uuid

from movie_nexus_client import AuthenticatedClient, Client
from movie_nexus_client.api.auth import (list_sessions, login, logout, refresh_tokens,
                                         register_user)
from movie_nexus_client.api.library import (get_stats, list_favorites, list_recommendations,
                                            put_favorite)
from movie_nexus_client.api.me import get_me
from movie_nexus_client.api.movies import get_movie, list_popular_movies
from movie_nexus_client.models import (FavoriteBody, Login, LoginResult, Me, MovieDetail,
                                       MoviePage, Refresh, Register, SessionPage, Stats,
                                       TokenPair, User)

PASSWORD = "Popcorn-2026!"


def journey(base_url: str) -> None:
    public = Client(base_url=base_url, raise_on_unexpected_status=True)
    email = f"py-client-{uuid.uuid4().hex[:12]}@example.com"
    user = register_user.sync(client=public, body=Register(email=email, password=PASSWORD))
    assert isinstance(user, User) and user.email == email and not user.email_verified

    session = login.sync(client=public, body=Login(email=email, password=PASSWORD))
    assert isinstance(session, LoginResult) and session.user.role.value == "user"
    me_client = AuthenticatedClient(base_url=base_url, token=session.access_token,
                                    raise_on_unexpected_status=True)
    me = get_me.sync(client=me_client)
    assert isinstance(me, Me) and me.profile.privacy.value == "private"
    print("me.created_at", me.created_at.isoformat())

    popular = list_popular_movies.sync(client=public, page_size=3)
    assert isinstance(popular, MoviePage) and popular.items
    tmdb_id = popular.items[0].tmdb_id
    detail = get_movie.sync(tmdb_id, client=me_client)
    assert isinstance(detail, MovieDetail) and detail.tmdb_id == tmdb_id

    put_favorite.sync(tmdb_id, client=me_client, body=FavoriteBody(rating=9, notes="yes"))
    favorites = list_favorites.sync(client=me_client)
    assert not isinstance(favorites, type(None)) and hasattr(favorites, "items")
    stats = get_stats.sync(client=me_client)
    assert isinstance(stats, Stats) and stats.total_favorites == 1
    list_recommendations.sync(client=me_client)

    pair = refresh_tokens.sync(client=public, body=Refresh(refresh_token=session.refresh_token))
    assert isinstance(pair, TokenPair) and pair.refresh_token != session.refresh_token
    refreshed = AuthenticatedClient(base_url=base_url, token=pair.access_token,
                                    raise_on_unexpected_status=True)
    sessions = list_sessions.sync(client=refreshed)
    assert isinstance(sessions, SessionPage) and sessions.items[0].current
    logout.sync_detailed(client=refreshed)
    print("python journey: ok")


if __name__ == "__main__":
    journey(sys.argv[1])

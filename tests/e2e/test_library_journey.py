"""A person's favorites and watchlist over HTTP as the frontend uses them: gunicorn from
the Procfile, the relay and a worker projecting, the bundled TMDb server behind the
on-demand imports. Each flow runs with consistency tokens and without them."""
import pytest
import requests

from tests.support.library import some_movies
from tests.support.util import eventually, unique_email

PASSWORD = "Popcorn-2026!"
TOKEN = "X-Consistency-Token"


class Frontend:
    """One logged-in person; `tokens` says whether reads send the last write's token."""

    def __init__(self, api_url: str, tokens: bool):
        self.api, self.tokens, self.last = f"{api_url}/api/v1", tokens, None
        self.http = requests.Session()
        email = unique_email("library")
        assert self.http.post(f"{self.api}/auth/register", timeout=10, json={
            "email": email, "password": PASSWORD}).status_code == 201
        login = self.http.post(f"{self.api}/auth/login", timeout=10,
                               json={"email": email, "password": PASSWORD}).json()
        self.http.headers["Authorization"] = f"Bearer {login['access_token']}"

    def write(self, method: str, path: str, expected: int, body=None) -> dict | None:
        response = self.http.request(method, self.api + path, json=body, timeout=30)
        assert response.status_code == expected, response.text
        self.last = response.headers.get(TOKEN, self.last)
        return response.json() if response.content else None

    def read(self, path: str, until) -> dict:
        """One read that must already show the write: with the token, or without it
        (the server waits for the person's own last writes)."""
        def once():
            headers = {TOKEN: self.last} if self.tokens and self.last else {}
            response = self.http.get(self.api + path, headers=headers, timeout=10)
            assert response.status_code == 200, response.text
            if self.tokens:
                assert response.headers["X-Consistency"] == "fresh"
            return response.json()
        body = once()
        assert until(body), body
        return body


@pytest.mark.parametrize("tokens", [True, False], ids=["tokens", "no-tokens"])
def test_add_list_rate_stats_remove_favorites(api_url, tokens):
    me = Frontend(api_url, tokens)
    heat, alien = some_movies(2, seed=31 + tokens)
    added = me.write("PUT", f"/me/favorites/{heat.id}", 201, {"rating": 7, "notes": "tense"})
    assert added["movie"]["title"] == heat.title and added["rating"] == 7
    listed = me.read("/me/favorites", lambda b: b["total"] == 1)
    assert listed["items"][0]["movie"]["tmdb_id"] == heat.id
    assert listed["items"][0]["notes"] == "tense"

    me.write("PUT", f"/me/favorites/{heat.id}", 200, {"rating": 9})
    stats = me.read("/me/stats", lambda s: s["average_rating"] == 9.0)
    assert stats["total_favorites"] == 1 and stats["rating_histogram"]["9"] == 1
    me.write("PUT", f"/me/favorites/{alien.id}", 201, {"rating": 4})
    stats = me.read("/me/stats", lambda s: s["total_favorites"] == 2)
    assert stats["average_rating"] == 6.5 and stats["recent_count"] == 2
    assert stats["top_genres"] and stats["by_decade"]
    best = me.read("/me/favorites?sort=-rating", lambda b: b["total"] == 2)
    assert [i["rating"] for i in best["items"]] == [9, 4]
    detail = me.read(f"/movies/{heat.id}", lambda d: d["me"]["favorite"])
    assert detail["me"]["rating"] == 9
    # everyone's counts are folded into the card a moment later (within a second)
    eventually(lambda: me.read(f"/movies/{heat.id}", lambda d: True)["favorite_count"] >= 1,
               timeout=10)

    me.write("DELETE", f"/me/favorites/{heat.id}", 204)
    left = me.read("/me/favorites", lambda b: b["total"] == 1)
    assert left["items"][0]["movie"]["tmdb_id"] == alien.id
    me.read("/me/stats", lambda s: s["total_favorites"] == 1 and s["average_rating"] == 4.0)
    me.write("DELETE", f"/me/favorites/{heat.id}", 404)
    recommended = me.read("/me/recommendations", lambda b: True)
    assert alien.id not in [i["movie"]["tmdb_id"] for i in recommended["items"]]


@pytest.mark.parametrize("tokens", [True, False], ids=["tokens", "no-tokens"])
def test_add_watch_unwatch_remove_on_the_watchlist(api_url, tokens):
    me = Frontend(api_url, tokens)
    first, second = some_movies(2, seed=41 + tokens)
    item = me.write("PUT", f"/me/watchlist/{first.id}", 201)
    assert item["watched"] is False and item["movie"]["tmdb_id"] == first.id
    me.write("PUT", f"/me/watchlist/{second.id}", 201, {"watched": True})
    me.read("/me/watchlist", lambda b: b["total"] == 2)
    watched = me.write("PUT", f"/me/watchlist/{first.id}", 200, {"watched": True})
    assert watched["watched_at"]
    stats = me.read("/me/stats", lambda s: s["watched_count"] == 2)
    assert stats["watchlist_count"] == 2
    me.write("PUT", f"/me/watchlist/{second.id}", 200, {"watched": False})
    still = me.read("/me/watchlist?watched=false", lambda b: b["total"] == 1)
    assert still["items"][0]["movie"]["tmdb_id"] == second.id
    me.write("DELETE", f"/me/watchlist/{first.id}", 204)
    me.read("/me/watchlist", lambda b: [i["movie"]["tmdb_id"] for i in b["items"]]
            == [second.id])
    me.read("/me/stats", lambda s: (s["watchlist_count"], s["watched_count"]) == (1, 0))
    me.write("PUT", f"/me/watchlist/{second.id}", 422, {"watched": "soon"})
    me.write("PUT", "/me/watchlist/2000000000", 404, {})

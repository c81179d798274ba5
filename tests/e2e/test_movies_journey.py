"""Browsing the catalog over HTTP as the frontend does: gunicorn from the Procfile,
the bundled TMDb-compatible server behind it."""
import requests

from tests.support.fixtures_tmdb import tmdb_server  # noqa: F401


def test_open_search_revalidate_and_bad_inputs(api_url, tmdb_server):  # noqa: F811
    api = f"{api_url}/api/v1"
    wanted = tmdb_server.get("/3/movie/top_rated", page=3).json()["results"][7]

    opened = requests.get(f"{api}/movies/{wanted['id']}", timeout=20)
    assert opened.status_code == 200, opened.text
    detail = opened.json()
    assert detail["tmdb_id"] == wanted["id"] and detail["title"] == wanted["title"]
    assert {"overview", "runtime", "genres", "poster_url", "vote_average"} <= set(detail)

    again = requests.get(f"{api}/movies/{wanted['id']}", timeout=10,
                         headers={"If-None-Match": opened.headers["ETag"]})
    assert again.status_code == 304

    found = requests.get(f"{api}/movies/search", params={"q": wanted["title"]},
                         headers={"Accept-Encoding": "gzip"}, timeout=20)
    assert found.status_code == 200
    items = found.json()["items"]
    exact = [item["tmdb_id"] for item in items if item["title"] == wanted["title"]]
    assert items[0]["title"] == wanted["title"], "an exact title match ranks first"
    assert wanted["id"] in exact

    assert requests.get(f"{api}/movies/2000000000", timeout=20).status_code == 404
    for path, status in (("/movies/abc", 404), ("/movies/popular?page=0", 422),
                         ("/movies/search?q=" + "x" * 300, 422), ("/genres/424242/movies", 404)):
        answer = requests.get(api + path, timeout=10)
        assert answer.status_code == status, (path, answer.text)
        assert answer.json()["code"] == status
    clamped = requests.get(f"{api}/movies?page_size=10000", timeout=10).json()
    assert clamped["page_size"] == 100
    assert requests.get(f"{api}/genres", timeout=10).status_code == 200

"""POST /me/imports end to end: the real app, the relay and both lanes' workers from the
Procfile (the import runs on the catalog lane), the bundled TMDb server behind /find,
on a database, Redis db and AMQP namespace of this module's own. Files are made from
the bundled catalog with deliberate noise; the match report is checked against the
known truth (precision and recall thresholds), bad files leave nothing written, a
worker SIGKILLed mid-import resumes with no doubled or lost rows (and `read-models
verify` passes after it), and an import that keeps failing is tried a few times, then
parked as failed with its reason, never re-sent."""
from __future__ import annotations

import io
import os
import random
import subprocess
import sys
import time
import uuid
import zipfile
from collections import defaultdict
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select, text

from adapters.db.import_tables import imports
from adapters.db.imports import ImportStore
from api import create_app
from domain.catalog.commands import ImportMovie
from movienexus.bootstrap import Container
from tests.conftest import Pipeline, pipeline_env
from tests.support.broker_cleanup import delete_namespace
from tests.support.databases import derived, recreate_database
from tests.support.env import ROOT
from tests.support.fixtures_tmdb import tmdb_server  # noqa: F401
from tests.support.import_files import (IMDB_COLUMNS, ImdbRatings, LetterboxdExport, csv_text,
                                        precision_recall, trakt_watchlist, year_of)
from tests.support.library import Person, assert_library_matches, fully_applied, person, \
    served_movies
from tests.support.util import eventually
from tmdb_server import shapes

IMPORTS_REDIS_OFFSET = 2
CATALOG_SIZE = 400
BATCH_SIZE = 25
MAX_ATTEMPTS = 3


@dataclass
class World:
    container: Container
    app: object
    pipeline: Pipeline
    stored: list          # the served movies in the catalog
    not_stored: list      # served movies the catalog lacks (TMDb knows them)
    remakes: list         # groups of stored movies sharing a title


@pytest.fixture(scope="module")
def world(settings, tmdb_server, smtp, tmp_path_factory):  # noqa: F811
    chosen = derived(settings, "imports", IMPORTS_REDIS_OFFSET,
                     tmdb_base_url_raw=tmdb_server.base_url, rate_limits_enabled=False)
    recreate_database(chosen.database_url)
    container = Container(chosen)
    container.redis.flushdb()
    container.cache.flushdb()
    env = {**pipeline_env(chosen, smtp.port), "TMDB_BASE_URL": tmdb_server.base_url,
           "IMPORT_BATCH_SIZE": str(BATCH_SIZE), "IMPORT_MAX_ATTEMPTS": str(MAX_ATTEMPTS),
           "IMPORT_RETRY_BACKOFF": "0.3"}
    pipeline = Pipeline(env, tmp_path_factory.mktemp("import-logs"))
    try:
        stored, not_stored, remakes = _catalog(container)
        yield World(container, create_app(container=container), pipeline, stored,
                    not_stored, remakes)
    finally:
        pipeline.stop()
        delete_namespace(chosen.broker_url, chosen.amqp_namespace)


def _catalog(container: Container):
    served = served_movies()
    by_title = defaultdict(list)
    for movie in served:
        by_title[movie.title.lower()].append(movie)
    remakes = [group for group in by_title.values() if len(group) > 1][:15]
    rng = random.Random(16)
    chosen = {m.id: m for m in rng.sample(served, CATALOG_SIZE)}
    chosen.update({m.id: m for group in remakes for m in group})
    for movie in chosen.values():
        container.handle(ImportMovie(shapes.list_item(movie)))
    eventually(lambda: _count(container, "read_movies") >= len(chosen), timeout=120)
    not_stored = [m for m in served if m.id not in chosen and m.imdb_id][:40]
    return list(chosen.values()), not_stored, remakes


def _count(container: Container, table: str) -> int:
    with container.engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()


def upload(me: Person, name: str, data: bytes, query: str = ""):
    return me.client.post(f"/api/v1/me/imports{query}", headers=me.headers,
                          data={"file": (io.BytesIO(data), name)},
                          content_type="multipart/form-data")


def finished(world: World, me: Person, import_id: str, timeout: float = 180) -> dict:
    def done():
        body = me.ok(me.get(f"/me/imports/{import_id}"))
        return body if body["status"] == "done" else None
    body = eventually(done, timeout=timeout, interval=0.3)
    eventually(lambda: fully_applied(world.container, me.user_id), timeout=60)
    return body


def favorites_of(world: World, user_id: str) -> dict[int, int | None]:
    with world.container.engine.connect() as conn:
        return dict(conn.execute(text(
            "SELECT tmdb_id, rating FROM library_favorites WHERE library_id = :u"),
            {"u": user_id}).all())


def stored_rows(world: World, import_id: str):
    return ImportStore(world.container.engine).rows(import_id)


# --- matching, against the known truth --------------------------------------------------

def test_a_noisy_letterboxd_export_matches_above_the_thresholds(world):
    export = LetterboxdExport(seed=7)
    pool = random.Random(8).sample(world.stored, 240)
    for movie in pool[:120]:
        export.add("ratings.csv", movie)
    for movie in pool[120:170]:
        export.add("watchlist.csv", movie)
    for movie in pool[170:220]:
        export.add("watched.csv", movie)
    for movie in pool[220:230]:
        export.add("likes/films.csv", movie)
    for movie in pool[:10]:
        export.add("diary.csv", movie)
    for group in world.remakes:                       # same title, the year tells
        export.add("watched.csv", random.Random(group[0].id).choice(group), exact=True)
    for _ in range(20):
        export.add_invented(random.Random().choice(["ratings.csv", "watchlist.csv"]))
    me = person(world.app)

    accepted = upload(me, "letterboxd.zip", export.zip())
    body = me.ok(accepted, 202)
    assert body["format"] == "letterboxd" and body["total"] == len(export.truth.movie_of)
    report = finished(world, me, body["id"])

    precision, recall = precision_recall(export.truth, stored_rows(world, body["id"]))
    print(f"letterboxd: precision {precision:.3f} recall {recall:.3f}")
    assert precision >= 0.97 and recall >= 0.85, (precision, recall)
    assert report["progress"] == {"done": report["progress"]["total"],
                                  "total": len(export.truth.movie_of)}
    assert report["report"]["unmatched"] or report["report"]["ambiguous"]
    for ambiguous in report["report"]["ambiguous"]:
        assert ambiguous["candidates"], ambiguous
    favorites = favorites_of(world, me.user_id)
    right = {r.tmdb_id for r in stored_rows(world, body["id"]) if r.outcome == "matched"
             and export.truth.movie_of[r.entry["source"]] == r.tmdb_id
             and r.entry["source"].startswith("ratings.csv")}
    assert right and all(favorites[i] == export.truth.rating_of[i] for i in right)


def test_a_noisy_imdb_csv_matches_by_id_through_find_and_by_title(world):
    ratings = ImdbRatings(seed=9)
    with_ids = [m for m in world.stored if m.imdb_id]
    for movie in random.Random(10).sample(with_ids, 80):
        ratings.add(movie)                               # tt ids: TMDb's /find
    for movie in world.not_stored[:20]:
        ratings.add(movie)                               # /find, then imported
    for movie in random.Random(11).sample(world.stored, 40):
        ratings.add(movie, imdb_id=f"tt8{movie.id:07d}", noise=True)  # unknown id: title
    for _ in range(10):
        ratings.add_invented()
    ratings.add(world.stored[0], title_type="tvSeries")  # not a movie: skipped
    me = person(world.app)

    body = me.ok(upload(me, "ratings.csv", ratings.csv()), 202)
    assert body["format"] == "imdb"
    report = finished(world, me, body["id"])

    precision, recall = precision_recall(ratings.truth, stored_rows(world, body["id"]))
    print(f"imdb: precision {precision:.3f} recall {recall:.3f}")
    assert precision >= 0.97 and recall >= 0.9, (precision, recall)
    assert report["report"]["skipped"] == 1
    favorites = favorites_of(world, me.user_id)
    assert all(favorites.get(m.id) == ratings.truth.rating_of[m.id]
               for m in world.not_stored[:20])


# --- idempotence, merging and the later rating ------------------------------------------------

def _imdb_of(movies, ratings: dict[int, int], date: str = "2020-01-01") -> bytes:
    rows = [[m.imdb_id, str(ratings[m.id]), date, m.title, "", "movie", "", "",
             str(year_of(m) or ""), "", "", "", ""] for m in movies]
    return csv_text([IMDB_COLUMNS, *rows]).encode()


def test_the_same_file_twice_changes_nothing_and_a_later_rating_here_is_kept(world):
    movies = [m for m in world.stored if m.imdb_id][:6]
    me = person(world.app)
    kept = movies[0]
    me.ok(me.put(f"/me/favorites/{movies[5].id}", {"rating": 2}), 201)  # set here, later
    data = _imdb_of(movies[:5] + [movies[5]], {m.id: 9 for m in movies})
    finished(world, me, me.ok(upload(me, "ratings.csv", data), 202)["id"])
    events_after_first = _library_events(world, me.user_id)
    assert favorites_of(world, me.user_id) == {**{m.id: 9 for m in movies[:5]},
                                               movies[5].id: 2}

    finished(world, me, me.ok(upload(me, "ratings.csv", data), 202)["id"])
    assert _library_events(world, me.user_id) == events_after_first

    me.ok(me.put(f"/me/favorites/{kept.id}", {"rating": 4}))
    finished(world, me, me.ok(upload(me, "ratings.csv", data), 202)["id"])
    assert favorites_of(world, me.user_id)[kept.id] == 4
    finished(world, me, me.ok(upload(me, "ratings.csv", data, "?overwrite=true"), 202)["id"])
    assert favorites_of(world, me.user_id)[kept.id] == 9


def _library_events(world: World, user_id: str) -> int:
    with world.container.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM events WHERE aggregate_type = "
                                 "'library' AND aggregate_id = :u"), {"u": user_id}).scalar()


def test_an_import_is_the_callers_own(world):
    me, other = person(world.app), person(world.app)
    body = me.ok(upload(me, "w.json", trakt_watchlist([world.stored[0].id])), 202)
    assert other.get(f"/me/imports/{body['id']}").status_code == 404
    assert me.get("/me/imports/not-a-uuid").status_code == 404
    finished(world, me, body["id"])


# --- bad files: a clear 4xx, nothing written ------------------------------------------------

def _zip(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


BAD_FILES = {
    "zip bomb": ("bomb.zip", lambda: _zip({"ratings.csv": b"Date,Name,Year,Letterboxd URI,"
                                           b"Rating\n" + b"0" * (60 << 20)})),
    "path traversal": ("evil.zip", lambda: _zip({"../../etc/ratings.csv": b"x"})),
    "wrong columns": ("ratings.csv", lambda: b"Film,Stars\nHeat,5\n"),
    "not UTF-8": ("ratings.csv", lambda: "Const,Your Rating,Date Rated,Title,Year\n"
                  "tt0113277,9,2020-01-01,Caf\xe9,1995\n".encode("latin-1")),
    "10 MB of one line": ("ratings.csv", lambda: b"Const," + b"x" * (10 << 20)),
    "a bad rating": ("ratings.csv", lambda: b"Const,Your Rating,Date Rated,Title,Year\n"
                     b"tt0113277,11,2020-01-01,Heat,1995\n"),
    "not JSON": ("t.json", lambda: b"{\"ratings\": [1, 2"),
    "no Letterboxd files": ("x.zip", lambda: _zip({"notes.txt": b"hello"})),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_bad_file_is_a_clear_4xx_and_writes_nothing(world, name):
    filename, make = BAD_FILES[name]
    me = person(world.app)
    response = upload(me, filename, make())
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert body["code"] == response.status_code and body["message"]
    with world.container.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(imports).where(
            imports.c.user_id == me.user_id)).scalar() == 0
    assert favorites_of(world, me.user_id) == {}


def test_an_upload_that_is_not_multipart_is_refused(world):
    me = person(world.app)
    response = me.client.post("/api/v1/me/imports", headers=me.headers, json={"file": "x"})
    assert response.status_code in (415, 422)


# --- a worker killed mid-import ---------------------------------------------------------------

def test_a_worker_sigkilled_mid_import_resumes_with_no_doubled_or_lost_rows(world):
    ids = [m.id for m in world.stored]
    me = person(world.app)
    body = me.ok(upload(me, "w.json", trakt_watchlist(ids)), 202)
    store = ImportStore(world.container.engine)

    def writing():
        tally = store.progress(body["id"])
        return 0 < tally.get("written", 0) < len(ids)
    eventually(writing, timeout=120, interval=0.01)
    world.pipeline.workers["catalog-worker"].kill()
    written_at_kill = store.progress(body["id"]).get("written", 0)
    assert written_at_kill < len(ids), "the import ended before the kill: make it longer"
    world.pipeline.start_worker("catalog-worker")

    finished(world, me, body["id"], timeout=240)
    with world.container.engine.connect() as conn:
        listed = conn.execute(text("SELECT count(*) FROM library_watchlist WHERE "
                                   "library_id = :u"), {"u": me.user_id}).scalar()
        added = conn.execute(text(
            "SELECT count(*), count(DISTINCT payload->>'tmdb_id') FROM events WHERE "
            "aggregate_id = :u AND event_type = 'WatchlistItemAdded'"),
            {"u": me.user_id}).one()
    assert listed == len(ids) and tuple(added) == (len(ids), len(ids))
    assert store.progress(body["id"])["written"] == len(ids)
    assert_library_matches(world.container, me.user_id)
    verified = read_models_verify(world)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def read_models_verify(world: World) -> subprocess.CompletedProcess:
    """`movienexus read-models verify` on this module's database and Redis db."""
    settings = world.container.settings
    env = {**os.environ, "DATABASE_URL": settings.database_url,
           "REDIS_URL": settings.redis_url, "COLUMNS": "200",
           "PATH": f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}"}
    return subprocess.run(["movienexus", "read-models", "verify"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


# --- an import that keeps failing -------------------------------------------------------------

def test_an_import_that_keeps_failing_is_parked_as_failed_with_its_reason(world):
    me = person(world.app)
    store = ImportStore(world.container.engine)
    import_id = str(uuid.uuid4())
    store.create(import_id, me.user_id, "imdb", False, [{"not": "a row the matcher reads"}])
    world.container.tasks.request_import(import_id)

    def failed():
        body = me.ok(me.get(f"/me/imports/{import_id}"))
        return body if body["status"] == "failed" else None
    body = eventually(failed, timeout=120, interval=0.3)
    assert body["attempts"] == MAX_ATTEMPTS and body["finished_at"] and body["report"] is None
    assert f"after {MAX_ATTEMPTS} failed attempts" in body["failure"], body["failure"]
    assert "TypeError" in body["failure"]

    # Parked: beat's resume leaves it alone, and nothing runs it again.
    assert import_id not in store.unfinished(due=True)
    world.container.tasks.request_import(import_id)       # a stray message: a no-op
    time.sleep(3)
    assert me.ok(me.get(f"/me/imports/{import_id}"))["attempts"] == MAX_ATTEMPTS
    # The person is not stuck behind it: a new upload is taken.
    fresh = me.ok(upload(me, "w.json", trakt_watchlist([world.stored[3].id])), 202)
    assert finished(world, me, fresh["id"])["failure"] is None


# --- export, and the round trip -----------------------------------------------------------------

def _library(world: World, user_id: str) -> tuple[dict, dict]:
    with world.container.engine.connect() as conn:
        favorites = {r.tmdb_id: (r.rating, r.notes, r.added_at) for r in conn.execute(text(
            "SELECT * FROM library_favorites WHERE library_id = :u"), {"u": user_id})}
        watchlist = {r.tmdb_id: (r.watched, r.added_at, r.watched_at) for r in conn.execute(
            text("SELECT * FROM library_watchlist WHERE library_id = :u"), {"u": user_id})}
    return favorites, watchlist


def test_export_then_import_into_a_fresh_account_reproduces_the_library(world):
    movies = random.Random(21).sample(world.stored, 12)
    me = person(world.app)
    for n, movie in enumerate(movies[:7]):
        body = {"rating": n + 3} if n % 3 else {"notes": f"note {n}, with \"quotes\""}
        me.ok(me.put(f"/me/favorites/{movie.id}", {**body, "notes": f"notes {n}"}
                     if n == 4 else body), 201)
    for n, movie in enumerate(movies[5:]):
        me.ok(me.put(f"/me/watchlist/{movie.id}", {"watched": n % 2 == 0}), 201)

    exported = me.get("/me/export")
    assert exported.status_code == 200 and exported.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(exported.data))
    assert {"ratings.csv", "watchlist.csv", "watched.csv", "likes/films.csv",
            "movienexus.json"} <= set(archive.namelist())
    assert archive.read("ratings.csv").decode().startswith(
        "Date,Name,Year,Letterboxd URI,Rating\n")

    fresh = person(world.app)
    body = fresh.ok(upload(fresh, "movienexus-library.zip", exported.data), 202)
    assert body["format"] == "movienexus"
    report = finished(world, fresh, body["id"])
    assert report["report"]["unmatched"] == [] and report["report"]["ambiguous"] == []
    assert _library(world, fresh.user_id) == _library(world, me.user_id)


# --- last activities ------------------------------------------------------------------------------

def test_last_activities_name_the_latest_change_of_each_kind_and_survive_redis(world):
    from read_models.stores.activity import activity_key
    me = person(world.app)
    first = eventually(lambda: me.ok(me.get("/me/last-activities"))["sessions"] and
                       me.ok(me.get("/me/last-activities")))
    assert first["profile"] and first["favorites"] is None and first["watchlist"] is None
    me.ok(me.put(f"/me/watchlist/{world.stored[1].id}"), 201)
    me.ok(me.put(f"/me/favorites/{world.stored[2].id}", {"notes": "later"}), 201)

    def moved():
        body = me.ok(me.get("/me/last-activities"))
        return body if body["favorites"] and body["watchlist"] else None
    after = eventually(moved)
    assert after["ratings"] is None and after["favorites"] >= after["watchlist"]
    me.ok(me.put(f"/me/favorites/{world.stored[2].id}", {"rating": 6}))
    rated = eventually(lambda: me.ok(me.get("/me/last-activities"))["ratings"] and
                       me.ok(me.get("/me/last-activities")))
    assert rated["ratings"] == rated["favorites"] > after["favorites"]

    world.container.redis.delete(activity_key(me.user_id))   # a cold Redis: from the log
    assert me.ok(me.get("/me/last-activities")) == rated


# --- a heavy library's sorted pages -------------------------------------------------------------

def order_of(me: Person, total: int, page: int = 1) -> list[tuple[int, int]]:
    body = me.ok(me.get(f"/me/favorites?sort=-rating&page={page}&page_size=25"))
    assert body["total"] == total
    return [(item["rating"], item["movie"]["tmdb_id"]) for item in body["items"]]


def test_sorted_pages_of_an_imported_library_follow_every_change(world):
    movies = [m for m in world.stored if m.imdb_id][:60]
    me = person(world.app)
    ratings = {m.id: 1 + n % 9 for n, m in enumerate(movies)}
    finished(world, me, me.ok(upload(me, "ratings.csv", _imdb_of(movies, ratings)), 202)["id"])

    def order(page: int) -> list[tuple[int, int]]:
        return order_of(me, len(movies), page)
    listed = order(1) + order(2) + order(3)
    assert [r for r, _ in listed] == sorted(ratings.values(), reverse=True)
    assert order(1) == listed[:25]                      # the same again (kept ids)

    lowest = listed[-1][1]
    me.ok(me.put(f"/me/favorites/{lowest}", {"rating": 10}))
    assert order(1)[0] == (10, lowest)                  # the write moved it
    assert me.delete(f"/me/favorites/{lowest}").status_code == 204
    assert lowest not in [i for _, i in order_of(me, len(movies) - 1)]
    body = me.ok(me.get("/me/favorites?sort=-rating&q=" + movies[0].title[:4]))
    assert all(movies[0].title[:4].lower() in i["movie"]["title"].lower()
               for i in body["items"])

"""TMDb syncs against the bundled server: idempotent, change-driven, outage-proof, locked."""
from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from catalog_sync import SyncFailed, checkpoint, run_sync
from catalog_sync.lists import sync_list
from catalog_sync.queries import incomplete_movie_ids
from catalog_sync.reachability import require_tmdb
from read_models.queries import catalog_queries
from tests.support.catalog_sync import (  # noqa: F401  (fixtures)
    catalog, container_for, events_since, last_position, project_pending, run_cli,
    served_detail, served_list, sync_server, sync_settings)
from tests.support.stack import Process, wait_for_worker
from tests.support.util import eventually
from workers.celery_app import beat_schedule, make_celery
from adapters.messaging.topology import SYNC_TASK
from adapters.messaging.topology import queue_name

SKIPPED = "skipped: already running"


def synced_list(container, name: str = "popular", pages: int = 2) -> list[int]:
    """Syncs a list, applies its events; returns its ids in TMDb's order."""
    report = run_sync(container, name, pages)
    assert report.status == "ok" and report.errors == 0
    project_pending(container)
    return served_list(container, name)


def test_a_first_sync_imports_every_listed_movie_in_tmdbs_order(catalog, sync_server):
    tmdb_order = [m["id"] for p in (1, 2) for m in sync_server.get(
        "/3/movie/top_rated", page=p).json()["results"]]
    report = run_sync(catalog, "top_rated", pages=2)
    assert report.fetched == 40 and report.imported + report.updated + report.unchanged == 40
    assert report.tmdb_requests == 2
    project_pending(catalog)
    assert served_list(catalog, "top_rated") == tmdb_order
    assert served_detail(catalog, tmdb_order[0])["tmdb_id"] == tmdb_order[0]


def test_a_second_sync_of_unchanged_data_emits_no_event(catalog):
    for kind in ("genres", "popular", "trending"):
        run_sync(catalog, kind, pages=2)
    start = last_position(catalog)
    reports = [run_sync(catalog, kind, pages=2) for kind in ("genres", "popular", "trending")]
    assert events_since(catalog, start) == []
    for report in reports:
        assert report.imported == report.updated == report.errors == 0
        assert report.unchanged > 0


def test_a_change_at_tmdb_becomes_one_movie_updated_and_reaches_the_read_models(catalog,
                                                                                 sync_server):
    movie_id = synced_list(catalog)[3]
    run_sync(catalog, "changes")  # catch up with whatever changed before
    before = served_detail(catalog, movie_id)["vote_average"]
    new_average = round(before + 1.25 if before < 8 else before - 1.25, 3)
    sync_server.mutate(movie_id, vote_average=new_average)
    start = last_position(catalog)
    report = run_sync(catalog, "changes")
    written = events_since(catalog, start)
    assert [(e.event_type, e.aggregate_id) for e in written] == [("MovieUpdated", str(movie_id))]
    assert written[0].payload["changes"]["vote_average"] == new_average
    assert report.updated == 1 and report.errors == 0
    project_pending(catalog)
    assert served_detail(catalog, movie_id)["vote_average"] == new_average


def test_the_changes_sync_leaves_movies_not_stored_alone(catalog, sync_server):
    listed = set(synced_list(catalog))
    outsider = next(m["id"] for m in sync_server.get("/3/discover/movie", page=40).json()[
        "results"] if m["id"] not in listed)
    sync_server.mutate(outsider, vote_average=2.5)
    start = last_position(catalog)
    run_sync(catalog, "changes")
    assert str(outsider) not in {e.aggregate_id for e in events_since(catalog, start)}


def test_a_movie_gone_from_tmdb_is_delisted(catalog, sync_server):
    movie_id = synced_list(catalog, "upcoming", pages=1)[-1]
    sync_server.delete(movie_id)
    start = last_position(catalog)
    report = run_sync(catalog, "changes")
    written = [(e.event_type, e.aggregate_id) for e in events_since(catalog, start)]
    assert ("MovieDelisted", str(movie_id)) in written
    assert report.delisted == 1
    project_pending(catalog)
    assert served_detail(catalog, movie_id) is None


def test_an_outage_stops_the_sync_cleanly_and_the_next_sync_catches_up(catalog, sync_server):
    served = synced_list(catalog, "now_playing", pages=2)
    detail = served_detail(catalog, served[0])
    since = catalog.redis.get(checkpoint.CHECKPOINT_KEY)
    sync_server.set_faults(rate_5xx=1.0)
    for kind in ("now_playing", "changes", "all"):
        with pytest.raises(SyncFailed) as failed:
            run_sync(catalog, kind, pages=2)
        assert failed.value.transient and failed.value.report.status.startswith("failed")
    assert catalog.redis.get(checkpoint.CHECKPOINT_KEY) == since  # changes will redo the days
    assert served_list(catalog, "now_playing") == served
    assert served_detail(catalog, served[0]) == detail

    sync_server.reset()
    sync_server.mutate(served[0], vote_average=round(detail["vote_average"] / 2, 3))
    assert run_sync(catalog, "now_playing", pages=2).updated == 1  # the lock was released
    project_pending(catalog)
    assert served_detail(catalog, served[0])["vote_average"] == round(
        detail["vote_average"] / 2, 3)


def test_an_outage_mid_list_leaves_the_stored_list_whole(catalog, sync_server):
    served = synced_list(catalog, "popular", pages=3)
    sync_server.set_faults(latency_ms=20)
    outage = threading.Event()

    def tmdb_fails_once_page_one_is_in(done, total, description):
        if not outage.is_set():
            outage.set()
            sync_server.set_faults(rate_5xx=1.0)

    start = last_position(catalog)
    with pytest.raises(SyncFailed) as failed:
        sync_list(catalog, "popular", pages=25, progress=tmdb_fails_once_page_one_is_in)
    assert 20 <= failed.value.report.fetched < 25 * 20
    assert "ListRefreshed" not in {e.event_type for e in events_since(catalog, start)}
    project_pending(catalog)
    assert served_list(catalog, "popular") == served


def test_two_syncs_of_one_kind_at_once_run_once(catalog, sync_settings, sync_server):
    sync_server.set_faults(latency_ms=30)  # keeps the first one busy for a while
    other = container_for(sync_settings, sync_server)
    start_together = threading.Barrier(2)
    reports = {}

    def sync(name, container):
        start_together.wait()
        reports[name] = run_sync(container, "top_rated", pages=3)

    threads = [threading.Thread(target=sync, args=(n, c))
               for n, c in (("a", catalog), ("b", other))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(r.status for r in reports.values()) == ["ok", SKIPPED]
    assert run_sync(catalog, "top_rated", pages=1).status == "ok"  # free again


def test_related_movies_of_the_curated_lists_are_stored(sync_settings, sync_server):
    catalog = container_for(replace(sync_settings, sync_related_limit=10), sync_server)
    first = synced_list(catalog, "popular", pages=1)[0]
    report = run_sync(catalog, "related")
    assert report.errors == 0 and report.tmdb_requests == 20
    project_pending(catalog)
    expected = [m["id"] for m in sync_server.get(
        f"/3/movie/{first}/recommendations").json()["results"]]
    assert catalog_queries.relation_ids(catalog.documents, catalog.engine,
                                        "recommendations", first) == expected


def test_the_details_sync_completes_listed_movies_known_from_a_list_only(catalog,
                                                                       sync_server):
    listed = synced_list(catalog, "upcoming", pages=1)
    incomplete = incomplete_movie_ids(catalog.engine, listed)
    assert incomplete, "a list sync stores list items"
    report = run_sync(catalog, "details")
    assert report.errors == 0 and report.tmdb_requests >= len(incomplete)
    project_pending(catalog)
    assert incomplete_movie_ids(catalog.engine, listed) == []
    shown = served_detail(catalog, incomplete[0])
    expected = sync_server.get(f"/3/movie/{incomplete[0]}").json()
    for name in ("runtime", "budget", "tagline", "status", "imdb_id"):
        assert shown[name] == expected[name], name
    assert run_sync(catalog, "details").tmdb_requests == 0


def test_the_related_sync_serves_favorited_movies_first(sync_settings, sync_server):
    import uuid

    from domain.catalog.commands import ImportMovie
    from domain.library.commands import SaveFavorite
    catalog = container_for(replace(sync_settings, sync_related_limit=1), sync_server)
    synced_list(catalog, "popular", pages=1)
    favorite = sync_server.get("/3/movie/top_rated", page=7).json()["results"][3]
    start = last_position(catalog)
    catalog.handle(ImportMovie(favorite))
    catalog.handle(SaveFavorite(str(uuid.uuid4()), favorite["id"], {"rating": 9}))
    report = run_sync(catalog, "related")
    assert report.errors == 0
    refreshed = {e.aggregate_id for e in events_since(catalog, start)
                 if e.event_type == "MovieRelationsRefreshed"}
    assert refreshed == {str(favorite["id"])}


# --- the Celery task, on a real worker --------------------------------------------------

@pytest.fixture(scope="module")
def sync_worker(sync_settings, sync_server, tmp_path_factory):
    env = {"DATABASE_URL": sync_settings.database_url, "REDIS_URL": sync_settings.redis_url,
           "AMQP_NAMESPACE": sync_settings.amqp_namespace,
           "TMDB_BASE_URL": sync_server.base_url, "CATALOG_WORKER_CONCURRENCY": "2",
           "SYNC_MAX_RETRIES": "1", "SYNC_RETRY_BACKOFF": "0.2", "LOG_LEVEL": "INFO"}
    worker = Process("catalog-worker", env, tmp_path_factory.mktemp("sync-worker")).start()
    try:
        wait_for_worker(worker)
        yield worker, make_celery(sync_settings)
    finally:
        worker.stop()


def test_the_task_syncs_and_gives_up_cleanly_on_an_outage(sync_worker, sync_server):
    worker, app = sync_worker
    sync_server.reset()
    app.send_task(SYNC_TASK, args=("genres",))
    eventually(lambda: "sync genres: ok" in worker.log(), timeout=30)

    sync_server.set_faults(rate_5xx=1.0)
    try:
        app.send_task(SYNC_TASK, args=("upcoming",))
        eventually(lambda: "sync upcoming gave up after 2 tries" in worker.log(), timeout=60)
    finally:
        sync_server.reset()
    assert "retry 1 of 1" in worker.log()
    worker.assert_running()


def test_beat_sends_every_sync_kind_to_the_default_queue(sync_settings):
    entries = beat_schedule(sync_settings)
    syncs = {e["args"][0]: e for e in entries.values() if e["task"] == SYNC_TASK}
    assert set(syncs) == {"genres", "popular", "top_rated", "now_playing", "upcoming",
                          "trending", "changes", "related", "details"}
    assert {e["options"]["queue"] for e in syncs.values()} == {
        queue_name(sync_settings.amqp_namespace, "default")}
    assert syncs["genres"]["schedule"] == sync_settings.sync_genres_every


# --- the CLI --------------------------------------------------------------------------

def test_the_cli_syncs_in_process(sync_settings, sync_server):
    done = run_cli(sync_settings, "sync", "top_rated", "--pages", "1",
                   TMDB_BASE_URL=sync_server.base_url)
    assert done.returncode == 0, done.stderr
    assert "top_rated: ok" in done.stdout and "fetched" in done.stdout


def test_the_cli_says_how_to_start_the_bundled_server_when_tmdb_does_not_answer(
        sync_settings):
    done = run_cli(sync_settings, "sync", "popular", TMDB_BASE_URL="http://127.0.0.1:9")
    assert done.returncode == 1
    said = " ".join(done.stdout.split())
    assert "http://127.0.0.1:9" in said and "python -m tmdb_server" in said
    assert "TMDB_BASE_URL" in said


def test_a_tmdb_that_does_not_answer_fails_fast_and_is_worth_a_retry(sync_server):
    require_tmdb(sync_server.base_url, "popular")  # answers: no error
    with pytest.raises(SyncFailed) as failed:
        require_tmdb("http://127.0.0.1:9", "popular")
    assert failed.value.transient and "http://127.0.0.1:9" in str(failed.value)

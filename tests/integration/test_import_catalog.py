"""import_catalog: a TMDB-5000-style CSV through ImportMovie, idempotent on re-import."""
from __future__ import annotations

import re
import zipfile

from catalog_sync import import_catalog
from tests.support.csv_catalog import csv_row, fresh_ids, write_csv
from tests.support.catalog_sync import (  # noqa: F401  (fixtures)
    catalog, events_since, last_position, project_pending, run_cli, served_detail,
    sync_server, sync_settings)

def test_a_csv_is_imported_movie_by_movie_and_a_reimport_emits_no_event(catalog, tmp_path):
    ids = fresh_ids(6)
    path = tmp_path / "movies.csv"
    write_csv(path, [csv_row(tmdb_id, n) for n, tmdb_id in enumerate(ids)])
    start = last_position(catalog)
    seen = []
    report = import_catalog(catalog, path, progress=lambda done, total, _: seen.append(
        (done, total)))
    assert (report.fetched, report.imported, report.errors) == (6, 6, 0)
    assert seen[-1] == (6, 6)
    imported = events_since(catalog, start)
    assert sorted(int(e.aggregate_id) for e in imported) == ids
    assert {e.event_type for e in imported} == {"MovieImported"}
    assert all(e.payload["detail_complete"] for e in imported)

    again = last_position(catalog)
    report = import_catalog(catalog, path)
    assert (report.unchanged, report.imported, report.updated) == (6, 0, 0)
    assert events_since(catalog, again) == []


def test_the_read_models_show_what_the_csv_said(catalog, tmp_path):
    ids = fresh_ids(2)
    path = tmp_path / "two.csv"
    write_csv(path, [csv_row(tmdb_id, n) for n, tmdb_id in enumerate(ids, start=3)])
    import_catalog(catalog, path)
    project_pending(catalog)
    detail = served_detail(catalog, ids[0])
    assert detail["title"] == "Film 3" and detail["runtime"] == 93
    assert [g["id"] for g in detail["genres"]] == [18, 53]


def test_a_zipped_csv_with_a_limit_and_a_bad_row(catalog, tmp_path):
    ids = fresh_ids(5)
    rows = [csv_row(tmdb_id, n) for n, tmdb_id in enumerate(ids)]
    rows[1]["id"] = "not-a-number"
    plain = tmp_path / "catalog.csv"
    write_csv(plain, rows)
    zipped = tmp_path / "catalog.csv.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.write(plain, "tmdb_5000_movies.csv")
    report = import_catalog(catalog, zipped, limit=4)
    assert (report.fetched, report.imported, report.errors) == (4, 3, 1)


def test_the_cli_imports_a_csv_with_a_limit(sync_settings, tmp_path):
    ids = fresh_ids(3)
    path = tmp_path / "cli.csv"
    write_csv(path, [csv_row(tmdb_id, n) for n, tmdb_id in enumerate(ids)])
    done = run_cli(sync_settings, "import-catalog", str(path), "--limit", "2")
    assert done.returncode == 0, done.stderr
    assert "import-catalog: ok" in done.stdout
    assert re.search(r"imported\s+│\s+2\s", done.stdout), done.stdout

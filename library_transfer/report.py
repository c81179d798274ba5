"""What GET /me/imports/{id} answers: where the import stands, then its match report
(the rows to ask the person about: ambiguous ones with their candidates, unmatched
ones with the weak candidates there were)."""
from __future__ import annotations

from adapters.db.imports import DONE, FAILED, ImportStore, StoredRow
from library_transfer.matching import AMBIGUOUS, MATCHED, UNMATCHED

ROW_FIELDS = ("source", "kind", "title", "year", "tmdb_id", "imdb_id", "rating")


def import_document(store: ImportStore, job: dict) -> dict:
    tally = store.progress(job["id"])
    done = tally.get("written", 0) + tally.get(AMBIGUOUS, 0) + tally.get(UNMATCHED, 0)
    document = {name: job[name] for name in ("id", "status", "format", "overwrite",
                                              "created_at", "finished_at", "attempts")}
    document["failure"] = job["failure"] if job["status"] == FAILED else None
    document["progress"] = {"done": min(done, job["total"]), "total": job["total"]}
    document["report"] = _report(store, job, tally) if job["status"] == DONE else None
    return document


def _report(store: ImportStore, job: dict, tally: dict[str, int]) -> dict:
    return {"matched": tally.get(MATCHED, 0), "written": tally.get("written", 0),
            "skipped": job["skipped"],
            "ambiguous": [{"row": _row(r), "candidates": r.candidates or []}
                          for r in store.rows(job["id"], outcome=AMBIGUOUS)],
            "unmatched": [{**_row(r), "reason": r.how, "candidates": r.candidates or []}
                          for r in store.rows(job["id"], outcome=UNMATCHED)]}


def _row(row: StoredRow) -> dict:
    return {"row": row.row_no, **{name: row.entry.get(name) for name in ROW_FIELDS}}

"""TMDb's movie genres, stored through SyncGenres (no event when they are the same)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from catalog_sync import commands
from catalog_sync.context import sync_context
from catalog_sync.report import Progress, SyncReport, no_progress, sync_run

if TYPE_CHECKING:
    from movienexus.bootstrap import Container


def sync_genres(container: Container, progress: Progress = no_progress) -> SyncReport:
    """Counts are of genres: fetched, then updated or unchanged as one list."""
    with sync_run(container, "genres") as report:
        progress(0, 1, "sync genres")
        genres = container.tmdb.genres().get("genres") or []
        report.add(fetched=len(genres))
        changed = commands.sync_genres(container, genres, sync_context("genres"))
        report.add(**{"updated" if changed else "unchanged": 1})
        progress(1, 1, "sync genres")
    return report

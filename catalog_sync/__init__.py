"""Keeps the catalog in step with TMDb: genres, curated lists, trending, changes,
recommendations/similar, and bulk imports of a TMDB-5000-style CSV.

Every change goes through the catalog's commands (`ImportMovie`, `DelistMovie`,
`RefreshRelations`, `SyncGenres`, `RefreshList`), so it becomes an event and reaches
the read models like any other write; unchanged data emits nothing. Framework-free:
it needs the container (commands, Redis, settings) and its TMDb client only.
"""
from catalog_sync.bulk_import import import_catalog
from catalog_sync.report import SyncFailed, SyncReport
from catalog_sync.runner import KINDS, AlreadyRunning, run_sync

__all__ = ["KINDS", "AlreadyRunning", "SyncFailed", "SyncReport", "import_catalog", "run_sync"]

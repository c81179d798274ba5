"""Whether TMDb answers at all. Probed before a sync, so an absent server (the bundled
one not started, no network) costs a few milliseconds instead of a round of the client's
retries, and the sync is tried again later without holding a worker meanwhile."""
from __future__ import annotations

import requests

from adapters.tmdb import TmdbUnavailable
from catalog_sync.report import SyncFailed, SyncReport

PROBE_TIMEOUT_SECONDS = 3.0


def unreachable_reason(base_url: str) -> str | None:
    """None when anything answers HTTP at `base_url`; else what went wrong."""
    try:
        requests.get(base_url, timeout=PROBE_TIMEOUT_SECONDS, allow_redirects=False)
    except requests.RequestException as exc:
        return type(exc).__name__
    return None


def require_tmdb(base_url: str, kind: str) -> None:
    """Raises SyncFailed (transient: worth a retry) when TMDb does not answer."""
    reason = unreachable_reason(base_url)
    if reason is not None:
        cause = TmdbUnavailable(f"TMDb does not answer at {base_url} ({reason})")
        raise SyncFailed(SyncReport(kind).finish(), cause)

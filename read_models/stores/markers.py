"""The `applied:` markers: the version of each aggregate every projection has applied
(what read-your-writes waits for), and the log position last applied."""
from __future__ import annotations


def applied_key(aggregate_type: str, aggregate_id: str) -> str:
    return f"applied:{aggregate_type}:{aggregate_id}"


LAST_POSITION_KEY = "applied:last-position"

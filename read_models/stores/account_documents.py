"""The /me document's Redis key and its one serialisation."""
from __future__ import annotations

import json


def me_key(user_id: str) -> str:
    return f"me:{user_id}"


def dump(document: dict) -> str:
    return json.dumps(document, separators=(",", ":"), sort_keys=True)

"""The message context of a sync run: its events share one correlation id."""
from __future__ import annotations

import uuid

from domain.ports import MessageContext


def sync_context(kind: str) -> MessageContext:
    return MessageContext(correlation_id=f"sync-{kind}-{uuid.uuid4().hex[:12]}")

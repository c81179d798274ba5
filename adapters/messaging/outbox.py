"""The outbox: `events` rows with `published_at IS NULL`; writers NOTIFY this channel
after inserting events, and the relay LISTENs on it."""

OUTBOX_CHANNEL = "movienexus_outbox"

"""Messaging: the event envelope, the outbox channel, the event-log reader, the
dead-letter and sent-notification stores, the publisher and the queue topology.

Everything that knows how events travel lives here, below read_models/ and workers/,
so those layers import it and it imports neither of them."""

"""After the suite: delete every queue and exchange of the suite's AMQP namespaces
(`<ns>.…`, `<ns>_iso.…`, …), so a hundred runs leave nothing behind in the broker."""
from __future__ import annotations

import re
import subprocess

from amqp.exceptions import ChannelError
from kombu import Connection


def _names(kind: str) -> list[str]:
    listed = subprocess.run(["rabbitmqctl", "-q", f"list_{kind}", "name"],
                            capture_output=True, text=True, timeout=120)
    return [line.strip() for line in listed.stdout.splitlines()[1:] if line.strip()]


def delete_namespace(broker_url: str, namespace: str) -> int:
    ours = re.compile(rf"^{re.escape(namespace)}(_[a-z_]+)?[.-]")
    deleted = 0
    with Connection(broker_url, connect_timeout=5) as conn:
        for kind, delete in (("queues", "queue_delete"), ("exchanges", "exchange_delete")):
            for name in filter(ours.match, _names(kind)):
                channel = conn.channel()
                try:
                    getattr(channel, delete)(name)
                    deleted += 1
                except ChannelError:      # gone already (an auto-delete queue)
                    pass
    return deleted

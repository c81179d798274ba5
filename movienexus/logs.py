"""JSON logs on stderr, one line per record, with the request id when there is one."""
from __future__ import annotations

import logging
import sys

from pythonjsonlogger import jsonlogger

from movienexus.config import load


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            from flask import g, has_request_context
            record.request_id = g.get("request_id") if has_request_context() else None
        except ImportError:
            record.request_id = None
        return True


def configure_logging(level: str | None = None) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(jsonlogger.JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        rename_fields={"levelname": "level", "asctime": "time"}))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel((level or load().log_level).upper())

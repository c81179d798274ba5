"""Prometheus metrics: request latency per endpoint, plus figures read at scrape time
(outbox backlog, projection lag, dead letters). Works across gunicorn workers when
PROMETHEUS_MULTIPROC_DIR is set."""
from __future__ import annotations

import os
import time

from flask import Flask, g, request
from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram,
                               generate_latest, multiprocess)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import text

from read_models.queries.consistency import OWN_READ_FAILURES
from read_models.queries.consistency import WAITS as CONSISTENCY_WAITS

REQUEST_LATENCY = Histogram(
    "http_request_duration_seconds", "API request latency", ["method", "endpoint", "status"],
    buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5))

HOT_READ_FALLTHROUGHS = Counter(
    "hot_read_fallthroughs", "Hot reads that raised and were answered by the Flask app",
    ["reason"])

PIPELINE_SQL = text("""
    SELECT
      (SELECT count(*) FROM events WHERE published_at IS NULL) AS backlog,
      (SELECT coalesce(extract(epoch FROM now() - min(occurred_at)), 0)
         FROM events WHERE published_at IS NULL) AS oldest_age,
      (SELECT coalesce(max(position), 0) FROM events) AS head,
      (SELECT count(*) FROM dead_letters WHERE replayed_at IS NULL) AS dead_letters
""")
LAG_SECONDS_SQL = text("""
    SELECT coalesce(extract(epoch FROM now() - min(occurred_at)), 0)
    FROM events WHERE position > :applied
""")


class PipelineCollector:
    def __init__(self, container):
        self.container = container

    def collect(self):
        with self.container.engine.connect() as conn:
            row = conn.execute(PIPELINE_SQL).one()
            applied = int(self.container.redis.get("applied:last-position") or 0)
            lag_seconds = conn.execute(LAG_SECONDS_SQL, {"applied": applied}).scalar() or 0
        yield _gauge("outbox_backlog_events", "Events not yet published", row.backlog)
        yield _gauge("outbox_oldest_unpublished_seconds", "Age of the oldest unpublished event",
                     row.oldest_age)
        yield _gauge("projection_lag_events", "Events written but not yet projected",
                     max(0, row.head - applied))
        yield _gauge("projection_lag_seconds", "Age of the oldest event not yet projected",
                     lag_seconds)
        yield _gauge("dead_letters_pending", "Dead-lettered events not replayed",
                     row.dead_letters)


def _gauge(name: str, doc: str, value) -> GaugeMetricFamily:
    gauge = GaugeMetricFamily(name, doc)
    gauge.add_metric([], float(value))
    return gauge


def render_metrics(container) -> tuple[bytes, str]:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_LATENCY)
        registry.register(HOT_READ_FALLTHROUGHS)
        registry.register(CONSISTENCY_WAITS)
        registry.register(OWN_READ_FAILURES)
    registry.register(PipelineCollector(container))
    return generate_latest(registry), CONTENT_TYPE_LATEST


def install(app: Flask) -> None:
    @app.before_request
    def start_timer() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def observe(response):
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        REQUEST_LATENCY.labels(request.method, endpoint, response.status_code).observe(
            time.perf_counter() - getattr(g, "started", time.perf_counter()))
        return response

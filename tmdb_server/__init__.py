"""A TMDb v3-compatible HTTP server for development and tests.

No machine in this project reaches TMDb, so this package answers like it:
an in-memory catalog (generated from a seed, or loaded from a TMDB-5000 CSV),
TMDb's paths, parameters, JSON shapes and error bodies, switchable faults
(latency, 429s, 5xx, timeouts, a rate limit) and a small control API for tests.

Modules without "app", "views", "control" or "server" in their name import only
the standard library, so the catalog can be used without Flask.
"""

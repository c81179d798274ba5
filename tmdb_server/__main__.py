"""python -m tmdb_server: serve a TMDb-compatible API over HTTP.

    python -m tmdb_server [--host 127.0.0.1] [--port 8001] [--seed 42] [--movies 10000]
                          [--catalog PATH.csv(.zip)] [--api-key KEY ...]
                          [--latency-ms N] [--rate-429 P] [--rate-5xx P] [--timeout-rate P]
                          [--timeout-seconds S] [--retry-after S]
                          [--rate-limit-per-second N] [--drift-interval S] [--verbose]

The port defaults to $TMDB_SERVER_PORT, else 8001; --port 0 picks a free port
(the start-up line tells which).
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from .app import create_app
from .catalog import Catalog
from .csv_loader import CatalogFileError
from .faults import FaultSettings
from .generator import DEFAULT_COUNT, DEFAULT_SEED
from .server import build_server, catalog_drift, serve_until_signalled
from .state import DEFAULT_API_KEY

DEFAULT_PORT = 8001


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tmdb_server", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=_non_negative,
                        default=int(os.environ.get("TMDB_SERVER_PORT") or DEFAULT_PORT))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--movies", type=_non_negative, default=DEFAULT_COUNT,
                        help="how many movies to generate (ignored with --catalog)")
    parser.add_argument("--catalog", help="a TMDB-5000-style .csv or .csv.zip to serve instead")
    parser.add_argument("--api-key", dest="api_keys", action="extend", nargs="+", default=[],
                        metavar="KEY", help=f"accepted key or Bearer token (default "
                                            f"{DEFAULT_API_KEY}); repeatable")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--rate-429", type=float, default=0.0)
    parser.add_argument("--rate-5xx", type=float, default=0.0)
    parser.add_argument("--timeout-rate", type=float, default=0.0)
    parser.add_argument("--timeout-seconds", type=float, default=FaultSettings.timeout_seconds)
    parser.add_argument("--retry-after", type=int, default=FaultSettings.retry_after)
    parser.add_argument("--rate-limit-per-second", type=float, default=0.0)
    parser.add_argument("--drift-interval", type=float, default=0.0,
                        help="advance the drift every this many seconds (0: only on /tick)")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    return parser.parse_args(argv)


def fault_settings(args: argparse.Namespace) -> FaultSettings:
    return FaultSettings(
        latency_ms=args.latency_ms, rate_429=args.rate_429, rate_5xx=args.rate_5xx,
        timeout_rate=args.timeout_rate, timeout_seconds=args.timeout_seconds,
        retry_after=args.retry_after, rate_limit_per_second=args.rate_limit_per_second,
    ).validated()


def load_catalog(args: argparse.Namespace) -> Catalog:
    if args.catalog:
        return Catalog.from_csv(args.catalog, seed=args.seed)
    return Catalog.generated(args.seed, args.movies)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        faults = fault_settings(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        catalog = load_catalog(args)
        app = create_app(catalog, api_keys=args.api_keys or [DEFAULT_API_KEY], faults=faults)
        server = build_server(app, args.host, args.port, verbose=args.verbose)
    except (OSError, CatalogFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"TMDb-compatible server on http://{args.host}:{server.server_port} "
          f"({len(catalog)} movies, seed {args.seed})", flush=True)
    serve_until_signalled(server, drift=catalog_drift(catalog), drift_interval=args.drift_interval)
    return 0


if __name__ == "__main__":
    sys.exit(main())

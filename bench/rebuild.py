"""`movienexus read-models rebuild` over a generated log, beside a COPY of the same rows.

The log is what a busy catalog and its people write: users registering, verifying,
editing their profile and changing passwords; their sessions starting, refreshing and
ending; a catalog import (MovieImported), later syncs (MovieUpdated with the changed
fields, relations, a few delistings), two genre syncs and the curated lists; and, the
bulk of a real log, each person's library: favorites added, rated, re-rated and
removed, watchlist items added, watched, unwatched and removed, over popular movies
more than others. All interleaved in time, each aggregate's events in version order. The payloads come
from the domain's own event classes. The rows go straight into `events` with COPY.

The baseline is COPY of the same rows through a client into a scratch table: about
the least any process that reads the log and writes tables can do."""
from __future__ import annotations

import json
import os
import random
import time
import uuid
from datetime import datetime, timedelta, timezone

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.catalog_env import fresh_container, fresh_settings
from bench.environment import bench_settings
from domain.accounts import events as people
from domain.catalog import events as catalog
from domain.catalog.fields import DEFAULTS
from domain.library import events as library
from read_models.stores.movie_documents import TMDB_MOVIE_GENRES
from read_models.operations.rebuild import WORKERS

SCALE = float(os.environ.get("BENCH_REBUILD_SCALE", "1"))   # a smaller log on a busy machine
USERS = int(8_000 * SCALE)
MOVIES = int(25_000 * SCALE)
LIBRARY_EVENTS = 50           # a library's events: 0 to this many, 25 on average
LISTS = ("popular", "top_rated", "now_playing", "upcoming", "trending_day", "trending_week")
START = datetime(2026, 1, 1, tzinfo=timezone.utc)
WORDS = ("river", "night", "city", "ghost", "summer", "last", "stone", "dream", "road",
         "winter", "fire", "garden", "silent", "red", "ocean", "empire", "little", "wild")


class Log:
    """Events of many aggregates, each stamped with a moment; sorted, they interleave."""

    def __init__(self, rng: random.Random):
        self.rng, self.rows = rng, []

    def aggregate(self, kind: str, aggregate_id: str, moments: list[float],
                  events: list) -> None:
        for version, (moment, event) in enumerate(zip(sorted(moments), events), start=1):
            self.rows.append((moment, kind, aggregate_id, version, event))

    def moments(self, count: int, start: float = 0.0, end: float = 1.0) -> list[float]:
        return [self.rng.uniform(start, end) for _ in range(count)]

    def sorted_rows(self) -> list[tuple]:
        return sorted(self.rows, key=lambda row: row[0])


def iso(moment: float) -> str:
    return (START + timedelta(days=30 * moment)).isoformat()


def person(log: Log, rng: random.Random, n: int) -> tuple[str, float]:
    """Returns the user id and when they registered."""
    user_id, email = str(uuid.uuid4()), f"bench-{n}-{uuid.uuid4().hex[:8]}@example.com"
    times = sorted(log.moments(3 + rng.randint(0, 10)))
    history = [people.UserRegistered(email=email, first_name=rng.choice(WORDS).title(),
                                     last_name="", role="user", created_at=iso(times[0]),
                                     profile={}),
               people.VerificationEmailRequested(email=email)]
    if rng.random() < 0.8:
        history.append(people.EmailVerified(email=email, verified_at=iso(times[2])))
    while len(history) < len(times):
        if rng.random() < 0.05:
            history.append(people.PasswordChanged(changed_at=iso(times[len(history)])))
            continue
        change = rng.choice([{"first_name": rng.choice(WORDS).title()},
                             {"profile": {"bio": " ".join(rng.sample(WORDS, 5))}},
                             {"profile": {"timezone": "Europe/Paris", "country": "FR"}},
                             {"last_name": rng.choice(WORDS).title()}])
        history.append(people.ProfileUpdated(changes=change,
                                             updated_at=iso(times[len(history)])))
    log.aggregate("user", user_id, times, history)
    for _ in range(rng.randint(1, 3)):
        started = rng.uniform(times[0], 1.0)
        steps = sorted(log.moments(1 + rng.randint(0, 6), started, min(1.0, started + 0.1)))
        ip, agent = f"10.0.{rng.randint(0, 255)}.{rng.randint(1, 254)}", "Mozilla/5.0 bench"
        session = [people.SessionStarted(user_id=user_id, ip=ip, user_agent=agent,
                                         started_at=iso(steps[0]))]
        for moment in steps[1:]:
            session.append(people.SessionRefreshed(user_id=user_id, ip=ip, user_agent=agent,
                                                   refreshed_at=iso(moment)))
        if rng.random() < 0.3:
            steps.append(min(1.0, steps[-1] + 0.001))
            session.append(people.SessionRevoked(user_id=user_id, reason="logout",
                                                 revoked_at=iso(steps[-1])))
        log.aggregate("session", str(uuid.uuid4()), steps, session)
    return user_id, times[0]


def movie(log: Log, rng: random.Random, tmdb_id: int) -> tuple[list[int], int]:
    """Returns the movie's genre ids and year (what a library event carries)."""
    imported_at = rng.uniform(0.05, 0.35)                 # the catalog import
    title = " ".join(rng.sample(WORDS, rng.randint(1, 4))).title()
    fields = {**DEFAULTS, "tmdb_id": tmdb_id, "title": title, "original_title": title,
              "overview": " ".join(rng.choices(WORDS, k=30)).capitalize() + ".",
              "release_date": f"{rng.randint(1950, 2026)}-{rng.randint(1, 12):02d}-"
                              f"{rng.randint(1, 28):02d}",
              "original_language": rng.choice(["en", "fr", "ja", "es"]),
              "popularity": round(rng.uniform(0, 500), 3),
              "vote_average": round(rng.uniform(0, 10), 1), "vote_count": rng.randint(0, 9999),
              "poster_path": f"/{uuid.uuid4().hex[:16]}.jpg",
              "genre_ids": rng.sample(sorted(TMDB_MOVIE_GENRES), rng.randint(1, 3))}
    history, times = [catalog.MovieImported(**fields, detail_complete=False)], [imported_at]
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        history.append(catalog.MovieUpdated(changes={
            "popularity": round(rng.uniform(0, 500), 3), "vote_count": rng.randint(0, 9999)}))
        times.append(rng.uniform(imported_at, 1.0))
    if rng.random() < 0.15:
        history.append(catalog.MovieRelationsRefreshed(
            kind=rng.choice(["recommendations", "similar"]),
            tmdb_ids=[rng.randint(1, MOVIES) for _ in range(20)]))
        times.append(rng.uniform(imported_at, 1.0))
    if rng.random() < 0.02:
        history.append(catalog.MovieDelisted(reason="removed from TMDb"))
        times.append(1.0)
    log.aggregate("movie", str(tmdb_id), times, history)
    return fields["genre_ids"], int(fields["release_date"][:4])


class Library:
    """One person's library as the domain keeps it, writing the events it would."""

    def __init__(self, rng: random.Random, facts: list[tuple[list[int], int]]):
        self.rng, self.facts, self.favorites, self.watchlist = rng, facts, {}, {}

    def popular_movie(self) -> int:
        return min(MOVIES, int(self.rng.paretovariate(0.7)))   # a few movies, often

    def event(self, at: str):
        rng, tmdb_id = self.rng, self.popular_movie()
        genre_ids, year = self.facts[tmdb_id - 1]
        if rng.random() < 0.6:
            return self.favorite_event(tmdb_id, genre_ids, year, at)
        return self.watchlist_event(tmdb_id, genre_ids, year, at)

    def favorite_event(self, tmdb_id: int, genre_ids: list[int], year: int, at: str):
        rng, rating = self.rng, self.rng.choice([None, None, *range(1, 11)])
        if tmdb_id not in self.favorites:
            self.favorites[tmdb_id] = rating
            return library.FavoriteAdded(tmdb_id=tmdb_id, rating=rating, notes=None,
                                         added_at=at, genre_ids=genre_ids, year=year)
        if rng.random() < 0.3:
            del self.favorites[tmdb_id]
            return library.FavoriteRemoved(tmdb_id=tmdb_id, removed_at=at)
        previous, self.favorites[tmdb_id] = self.favorites[tmdb_id], rating
        return library.FavoriteUpdated(tmdb_id=tmdb_id, changes={"rating": rating},
                                       previous={"rating": previous}, updated_at=at)

    def watchlist_event(self, tmdb_id: int, genre_ids: list[int], year: int, at: str):
        if tmdb_id not in self.watchlist:
            self.watchlist[tmdb_id] = False
            return library.WatchlistItemAdded(tmdb_id=tmdb_id, added_at=at, watched=False,
                                              watched_at=None, genre_ids=genre_ids, year=year)
        if self.rng.random() < 0.3:
            del self.watchlist[tmdb_id]
            return library.WatchlistItemRemoved(tmdb_id=tmdb_id, removed_at=at)
        self.watchlist[tmdb_id] = not self.watchlist[tmdb_id]
        if self.watchlist[tmdb_id]:
            return library.WatchlistItemWatched(tmdb_id=tmdb_id, watched_at=at)
        return library.WatchlistItemUnwatched(tmdb_id=tmdb_id, unwatched_at=at)


def library_of(log: Log, rng: random.Random, user_id: str, registered: float,
               facts: list[tuple[list[int], int]]) -> None:
    times = sorted(log.moments(rng.randint(0, LIBRARY_EVENTS), registered))
    if times:
        shelf = Library(rng, facts)
        log.aggregate("library", user_id, times, [shelf.event(iso(t)) for t in times])


def generate(seed: int = 2026) -> list[tuple]:
    rng = random.Random(seed)
    log = Log(rng)
    users = [person(log, rng, n) for n in range(USERS)]
    facts = [movie(log, rng, tmdb_id) for tmdb_id in range(1, MOVIES + 1)]
    for user_id, registered in users:
        library_of(log, rng, user_id, registered, facts)
    genres = [{"id": gid, "name": name} for gid, name in TMDB_MOVIE_GENRES.items()]
    log.aggregate("genre_catalog", "tmdb", [0.01, 0.5],
                  [catalog.GenresSynced(genres=genres[:-1]), catalog.GenresSynced(genres=genres)])
    for name in LISTS:
        times = [0.36 + i * 0.05 for i in range(12)]
        log.aggregate("curated_list", name, times, [catalog.ListRefreshed(
            tmdb_ids=rng.sample(range(1, MOVIES + 1), 100), refreshed_at=iso(t))
            for t in times])
    return log.sorted_rows()


def raw_url(container) -> str:
    return make_url(container.settings.database_url).set(drivername="postgresql") \
        .render_as_string(hide_password=False)


_COLUMNS = ("event_id", "event_type", "event_version", "aggregate_type", "aggregate_id",
            "aggregate_version", "occurred_at", "payload", "correlation_id", "published_at")


def write_log(container, rows: list[tuple]) -> int:
    published = datetime.now(timezone.utc)
    with psycopg.connect(raw_url(container)) as conn:
        with conn.cursor().copy(f"COPY events ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
            for moment, kind, aggregate_id, version, event in rows:
                copy.write_row((str(uuid.uuid4()), event.event_type(), event.schema_version,
                                kind, aggregate_id, version, iso(moment),
                                json.dumps(event.payload()), uuid.uuid4().hex, published))
    with psycopg.connect(raw_url(container), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE events")          # a log at rest, as autovacuum leaves it
    return len(rows)


def copy_baseline(container) -> float:
    """Seconds to COPY every event row out and into a scratch table, through a client."""
    url = raw_url(container)
    with psycopg.connect(url) as source, psycopg.connect(url) as target:
        target.execute("DROP TABLE IF EXISTS bench_events_copy")
        target.execute("CREATE TABLE bench_events_copy (LIKE events)")
        target.commit()
        started = time.perf_counter()
        with source.cursor().copy("COPY (SELECT * FROM events ORDER BY position) TO STDOUT") \
                as out, target.cursor().copy("COPY bench_events_copy FROM STDIN") as into:
            for data in out:
                into.write(data)
        target.commit()
        seconds = time.perf_counter() - started
        target.execute("DROP TABLE bench_events_copy")
        target.commit()
    return seconds


def counts(container) -> dict[str, int]:
    with container.engine.connect() as conn:
        return {name: conn.execute(text(f"SELECT count(*) FROM {name}")).scalar()
                for name in ("read_users", "read_sessions", "read_movies", "read_lists",
                             "read_favorites", "read_watchlist", "projection_checkpoints")}


def main(_log_dir=None) -> dict:
    own = bench_settings().database_url.rsplit("/", 1)[1]       # BENCH_DATABASE_URL's
    container = fresh_container(fresh_settings(f"{own}_rebuild", ""))
    started = time.perf_counter()
    events = write_log(container, generate())
    generated = time.perf_counter() - started
    copy_seconds = copy_baseline(container)
    one = container.read_model_rebuild()          # as a Celery task runs it (no forking)
    one.workers = 1
    in_one_process = one.run().tables_seconds
    container.redis.flushdb()                     # the measured run fills Redis from cold
    report = container.read_model_rebuild().run()
    assert report.events == events, (report.events, events)
    return {"events": events, "generated": generated, "copy": copy_seconds,
            "one_process": in_one_process,
            "tables": report.tables_seconds, "warm": report.warm_seconds,
            "warmed": report.warmed, "counts": counts(container), "phases": report.phases}


def report(figures: dict, console) -> None:
    from rich.table import Table
    events = figures["events"]
    tables, whole = figures["tables"], figures["tables"] + figures["warm"]
    table = Table(title=f"Rebuild: {events:,} events ({figures['counts']['read_users']:,} "
                        f"users, {figures['counts']['read_sessions']:,} sessions, "
                        f"{figures['counts']['read_movies']:,} movies, "
                        f"{figures['counts']['read_favorites']:,} favorites, "
                        f"{figures['counts']['read_watchlist']:,} watchlist items)")
    table.add_column("measure")
    table.add_column("seconds", justify="right")
    table.add_column("events/s", justify="right")
    table.add_column("ratio to COPY", justify="right")

    def timed(measure: str, seconds: float) -> None:
        table.add_row(measure, f"{seconds:.2f}", f"{events / seconds:,.0f}",
                      f"{figures['copy'] / seconds:.2f}")
    timed("COPY of the same rows into a scratch table (baseline)", figures["copy"])
    timed(f"rebuild: read tables, swapped in ({WORKERS} processes; aim ≥ 20,000/s, "
          "ratio ≥ 0.15)", tables)
    timed(f"  + Redis filled from them ({figures['warmed'].rows:,} rows)", whole)
    timed("  the same in one process (what a Celery task runs)", figures["one_process"])
    for name, seconds in figures["phases"].items():
        table.add_row(f"  phase: {name}", f"{seconds:.2f}", "", "")
    console.print(table)

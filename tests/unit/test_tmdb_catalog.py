"""The bundled TMDb server's catalog, without HTTP: generation, CSV loading,
related lists, edits, drift, changes, and the list/search/discover queries."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import re
import statistics
import subprocess
import sys
import time
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # tmdb_server may not be in the editable install yet
    sys.path.insert(0, str(REPO_ROOT))

from tmdb_server import lists, shapes  # noqa: E402
from tmdb_server.catalog import Catalog, UnknownMovie  # noqa: E402
from tmdb_server.changes import DAY_SECONDS, requested_window  # noqa: E402
from tmdb_server.csv_loader import load_csv  # noqa: E402
from tmdb_server.discover import discover, parse_query  # noqa: E402
from tmdb_server.edits import InvalidEdit  # noqa: E402
from tmdb_server.errors import TmdbError  # noqa: E402
from tmdb_server.generator import REFERENCE_DATE, generate_movies  # noqa: E402
from tmdb_server.model import Movie  # noqa: E402
from tmdb_server.reference import GENRES  # noqa: E402
from tmdb_server.related import RelatedIndex  # noqa: E402
from tmdb_server.search import SearchQuery, search  # noqa: E402

REAL_CATALOG = REPO_ROOT.parent / "shared" / "data" / "tmdb_5000_movies.csv.zip"
FUTURE_STATUSES = {"Post Production", "In Production", "Planned", "Canceled"}


def digest(movies: list[Movie]) -> str:
    encoded = json.dumps([dataclasses.asdict(m) for m in movies], sort_keys=True)
    return hashlib.sha256(encoded.encode()).hexdigest()


@pytest.fixture(scope="module")
def generated() -> tuple[list[Movie], float]:
    """The default catalog (seed 42, 10,000 movies) and how long it took."""
    started = time.perf_counter()
    movies = generate_movies()
    return movies, time.perf_counter() - started


@pytest.fixture(scope="module")
def movies(generated: tuple[list[Movie], float]) -> list[Movie]:
    return generated[0]


class FakeClock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def movie(movie_id: int, title: str, **fields: object) -> Movie:
    """A hand-made movie for query tests."""
    defaults: dict[str, object] = dict(
        original_title=title, original_language="en", overview="", tagline="",
        genre_ids=(18,), release_date="2010-05-05", runtime=100, status="Released",
        popularity=10.0, vote_count=100, vote_average=6.0, budget=0, revenue=0,
        imdb_id=None, homepage="", poster_path=None, backdrop_path=None,
    )
    return Movie(id=movie_id, title=title, **{**defaults, **fields})  # type: ignore[arg-type]


# --- generation: determinism and speed ---

def test_same_seed_gives_an_identical_catalog_and_another_seed_a_different_one() -> None:
    assert digest(generate_movies(7, 1500)) == digest(generate_movies(7, 1500))
    assert digest(generate_movies(8, 1500)) != digest(generate_movies(7, 1500))


def test_the_catalog_is_identical_in_another_process_with_other_hash_seeds() -> None:
    code = ("import dataclasses, hashlib, json; from tmdb_server.generator import generate_movies; "
            "m = generate_movies(7, 1500); print(hashlib.sha256(json.dumps("
            "[dataclasses.asdict(x) for x in m], sort_keys=True).encode()).hexdigest())")
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == digest(generate_movies(7, 1500))


def test_ten_thousand_movies_are_generated(generated: tuple[list[Movie], float]) -> None:
    movies, _seconds = generated
    assert len(movies) == 10_000


# --- generation: realistic values ---

def test_ids_are_unique_positive_scattered_and_ordered(movies: list[Movie]) -> None:
    ids = [m.id for m in movies]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
    assert min(ids) > 0
    assert max(ids) > 20 * len(ids)  # TMDb-like, not 1..N


def test_titles_are_mostly_unique_with_sequels_and_the(movies: list[Movie]) -> None:
    titles = [m.title for m in movies]
    assert len(set(titles)) / len(titles) >= 0.97
    assert sum(t.endswith(" II") for t in titles) >= 50
    assert 0.2 <= sum(t.startswith("The ") for t in titles) / len(titles) <= 0.6


def test_sequels_share_a_collection_and_come_out_later(movies: list[Movie]) -> None:
    series: dict[int, list[Movie]] = {}
    for m in movies:
        if m.collection is not None:
            series.setdefault(m.collection.id, []).append(m)
    assert len(series) >= 100
    for members in series.values():
        assert len(members) >= 2
        first, *later = sorted(members, key=lambda m: m.release_date)
        assert all(m.title.startswith(first.title) for m in later)
        assert all(m.genre_ids == first.genre_ids for m in later)


def test_languages_are_mostly_english_with_native_foreign_titles(movies: list[Movie]) -> None:
    shares = Counter(m.original_language for m in movies)
    assert 0.75 <= shares["en"] / len(movies) <= 0.9
    for language in ("fr", "es", "ja", "ko", "de", "it"):
        assert shares[language] / len(movies) >= 0.01
    foreign = [m for m in movies if m.original_language != "en"]
    assert sum(m.original_title != m.title for m in foreign) / len(foreign) >= 0.9
    asian = [m for m in foreign if m.original_language in ("ja", "ko")]
    assert all(not m.original_title.isascii() for m in asian)


def test_genres_follow_tmdb_frequencies(movies: list[Movie]) -> None:
    assert all(1 <= len(m.genre_ids) <= 3 for m in movies)
    assert all(len(set(m.genre_ids)) == len(m.genre_ids) for m in movies)
    counts = Counter(g for m in movies for g in m.genre_ids)
    assert set(counts) == set(GENRES)
    ranked = [genre for genre, _ in counts.most_common()]
    assert set(ranked[:2]) == {18, 35}  # Drama, Comedy
    assert {37, 10770} <= set(ranked[-3:])  # Western, TV Movie
    assert counts[37] / len(movies) < 0.03


def test_release_dates_span_1930_to_2027_skewed_recent(movies: list[Movie]) -> None:
    dated = [m for m in movies if m.release_date]
    assert len(dated) / len(movies) > 0.98
    assert min(m.release_date for m in dated) >= "1930-01-01"
    assert max(m.release_date for m in dated) <= "2027-12-31"
    years = [m.year for m in dated]
    assert statistics.median(years) >= 2000
    assert sum(y < 1960 for y in years) / len(years) < 0.15
    assert sum(y >= 2027 for y in years) > 0


def test_status_follows_the_release_date(movies: list[Movie]) -> None:
    today = REFERENCE_DATE.isoformat()
    for m in movies:
        if not m.release_date:
            assert m.status == "Rumored"
        elif m.release_date <= today:
            assert m.status == "Released"
        else:
            assert m.status in FUTURE_STATUSES
    statuses = Counter(m.status for m in movies)
    assert statuses["Released"] / len(movies) > 0.9
    assert statuses["Post Production"] and statuses["In Production"] and statuses["Planned"]


def test_popularity_is_heavy_tailed(movies: list[Movie]) -> None:
    popularity = [m.popularity for m in movies]
    median = statistics.median(popularity)
    assert min(popularity) > 0
    assert max(popularity) / median > 50
    assert statistics.mean(popularity) > 1.5 * median


def _rank_correlation(xs: list[float], ys: list[float]) -> float:
    def ranks(values: list[float]) -> list[int]:
        order = sorted(range(len(values)), key=values.__getitem__)
        result = [0] * len(values)
        for rank, index in enumerate(order):
            result[index] = rank
        return result
    rx, ry = ranks(xs), ranks(ys)
    mean = (len(xs) - 1) / 2
    cov = sum((a - mean) * (b - mean) for a, b in zip(rx, ry))
    var = sum((a - mean) ** 2 for a in rx)
    return cov / var


def test_votes_are_heavy_tailed_correlated_and_average_around_6_3(movies: list[Movie]) -> None:
    assert all(m.vote_average == 0 for m in movies if m.vote_count == 0)
    assert all(m.vote_count == 0 for m in movies if m.status != "Released")
    voted = [m for m in movies if m.vote_count > 0]
    assert 5.9 <= statistics.mean(m.vote_average for m in voted) <= 6.7
    assert all(0 < m.vote_average <= 10 for m in voted)
    counts = [m.vote_count for m in voted]
    assert max(counts) > 50 * statistics.median(counts)
    released = [m for m in movies if m.status == "Released"]
    correlation = _rank_correlation([m.popularity for m in released],
                                    [m.vote_count for m in released])
    assert correlation > 0.3
    old = [m.vote_count for m in released if m.year and 1990 <= m.year <= 2010]
    new = [m.vote_count for m in released if m.release_date >= "2026-06-01"]
    assert statistics.median(old) > statistics.median(new)  # votes accumulate with age


def test_identifiers_paths_and_money_look_like_tmdb(movies: list[Movie]) -> None:
    imdb = [m.imdb_id for m in movies if m.imdb_id is not None]
    assert all(re.fullmatch(r"tt\d{7}", i) for i in imdb)
    assert len(set(imdb)) == len(imdb)
    posters = [m.poster_path for m in movies]
    assert all(re.fullmatch(r"/[A-Za-z0-9]{27}\.jpg", p) for p in posters if p)
    missing = sum(p is None for p in posters) / len(posters)
    assert 0.01 <= missing <= 0.15
    assert any(m.backdrop_path is None for m in movies)
    assert all(m.budget >= 0 and m.revenue >= 0 for m in movies)
    assert 0.3 <= sum(m.budget > 0 for m in movies) / len(movies) <= 0.9
    assert all(m.runtime == 0 or 60 <= m.runtime <= 220 for m in movies)
    assert sum(bool(m.homepage) for m in movies) > 0
    assert sum(bool(m.tagline) for m in movies) / len(movies) > 0.5


def test_every_movie_has_production_details(movies: list[Movie]) -> None:
    assert all(m.production_countries and m.spoken_languages for m in movies)
    assert all(m.origin_country == (m.production_countries[0].iso_3166_1,) for m in movies)
    assert sum(bool(m.production_companies) for m in movies) / len(movies) > 0.85
    assert all(m.overview.endswith(".") for m in movies)


# --- related lists ---

def test_similar_and_recommendations_share_genres_and_exclude_the_movie(
        movies: list[Movie]) -> None:
    index = RelatedIndex(movies)
    by_id = {m.id: m for m in movies}
    for m in movies[::500]:
        for related in (index.similar(m.id), index.recommendations(m.id)):
            assert len(related) == 20
            assert m.id not in related
            assert len(set(related)) == 20
            assert all(set(by_id[i].genre_ids) & set(m.genre_ids) for i in related)
    again = RelatedIndex(movies)
    assert [again.similar(m.id) for m in movies[:30]] == [index.similar(m.id) for m in movies[:30]]


def test_similar_prefers_the_same_genres_and_era(movies: list[Movie]) -> None:
    index = RelatedIndex(movies)
    by_id = {m.id: m for m in movies}
    gaps = []
    for m in movies[::250]:
        if m.year:
            gaps += [abs((by_id[i].year or m.year) - m.year) for i in index.similar(m.id)]
    assert statistics.median(gaps) <= 3


# --- CSV catalogs ---

CSV_HEADER = ("budget,genres,homepage,id,keywords,original_language,original_title,overview,"
              "popularity,production_companies,production_countries,release_date,revenue,"
              "runtime,spoken_languages,status,tagline,title,vote_average,vote_count")


def _csv_row(movie_id: int, title: str, genres: list[tuple[int, str]],
             keywords: list[tuple[int, str]], release: str, runtime: str) -> str:
    def js(pairs: list[tuple[int, str]]) -> str:
        return json.dumps([{"id": i, "name": n} for i, n in pairs]).replace('"', '""')
    companies = '[{""name"": ""Test Films"", ""id"": 7}]'
    countries = '[{""iso_3166_1"": ""FR"", ""name"": ""France""}]'
    languages = '[{""iso_639_1"": ""fr"", ""name"": ""Fran\\u00e7ais""}]'
    return (f'1000000,"{js(genres)}",http://example.org/{movie_id},{movie_id},"{js(keywords)}",'
            f'fr,"{title} (VO)","About {title}, in short.",12.5,"{companies}","{countries}",'
            f'{release},2500000,{runtime},"{languages}",Released,A tagline,{title},7.1,321')


@pytest.fixture
def tiny_csv(tmp_path: Path) -> Path:
    rows = [
        _csv_row(603, "Alpha", [(28, "Action"), (10769, "Foreign")],
                 [(501, "heist"), (502, "paris")], "1999-03-30", "136"),
        _csv_row(604, "Beta", [(28, "Action")], [(501, "heist")], "2003-05-15", ""),
        _csv_row(605, "Gamma", [(18, "Drama")], [(777, "farm")], "", "90"),
    ]
    path = tmp_path / "movies.csv"
    path.write_text("\n".join([CSV_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_csv_loader_reads_every_column(tiny_csv: Path) -> None:
    loaded = {m.id: m for m in load_csv(tiny_csv)}
    assert sorted(loaded) == [603, 604, 605]
    alpha = loaded[603]
    assert (alpha.title, alpha.original_title, alpha.original_language) == (
        "Alpha", "Alpha (VO)", "fr")
    assert alpha.genre_ids == (28,)  # the retired "Foreign" genre is dropped
    assert [k.name for k in alpha.keywords] == ["heist", "paris"]
    assert (alpha.budget, alpha.revenue, alpha.runtime) == (1_000_000, 2_500_000, 136)
    assert (alpha.popularity, alpha.vote_average, alpha.vote_count) == (12.5, 7.1, 321)
    assert alpha.production_companies[0].name == "Test Films"
    assert alpha.production_countries[0].iso_3166_1 == "FR"
    assert alpha.origin_country == ("FR",)
    assert alpha.spoken_languages[0].english_name == "French"
    assert alpha.spoken_languages[0].name == "Français"
    assert alpha.imdb_id is None
    assert re.fullmatch(r"/[A-Za-z0-9]{27}\.jpg", alpha.poster_path or "")
    assert loaded[604].runtime == 0
    assert loaded[605].release_date == ""
    assert load_csv(tiny_csv) == list(loaded.values())  # posters are stable across loads


def test_csv_loader_reads_zipped_csv(tiny_csv: Path, tmp_path: Path) -> None:
    zipped = tmp_path / "movies.csv.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.write(tiny_csv, "movies.csv")
    assert load_csv(zipped) == load_csv(tiny_csv)


def test_csv_related_lists_use_shared_keywords_and_genres(tiny_csv: Path) -> None:
    catalog = Catalog.from_csv(tiny_csv)
    assert [m.id for m in catalog.similar(603)][0] == 604
    assert catalog.today == date(2003, 5, 15)  # the latest release in the file


def test_the_real_tmdb_5000_catalog_loads_when_it_is_beside_the_repo() -> None:
    if REAL_CATALOG.is_file():  # optional data: without it there is nothing to check
        loaded = load_csv(REAL_CATALOG)
        assert len(loaded) == 4803
        assert any(m.title == "Avatar" and m.id == 19995 for m in loaded)


# --- catalog: edits, deletions, drift, changes ---

@pytest.fixture
def small_catalog() -> Catalog:
    return Catalog.generated(seed=3, count=400, clock=FakeClock())


def test_update_changes_the_movie_views_and_changes_feed(small_catalog: Catalog) -> None:
    target = small_catalog.movies()[10]
    assert lists.popular(small_catalog)[0].id != target.id
    small_catalog.update(target.id, {"title": "Brand New Title", "popularity": 99_999.0})
    assert small_catalog.require(target.id).title == "Brand New Title"
    assert lists.popular(small_catalog)[0].id == target.id
    now = small_catalog.now()
    assert small_catalog.changed_between(now - 60, now) == [(target.id, False)]


def test_update_rejects_unknown_fields_wrong_types_and_unknown_movies(
        small_catalog: Catalog) -> None:
    movie_id = small_catalog.movies()[0].id
    with pytest.raises(InvalidEdit):
        small_catalog.update(movie_id, {"id": 5})
    with pytest.raises(InvalidEdit):
        small_catalog.update(movie_id, {"vote_count": "many"})
    with pytest.raises(InvalidEdit):
        small_catalog.update(movie_id, {"genre_ids": [4242]})
    with pytest.raises(UnknownMovie):
        small_catalog.update(1, {"title": "x"})
    assert small_catalog.update(movie_id, {"genres": [{"id": 37, "name": "Western"}]}
                                ).genre_ids == (37,)


def test_delete_removes_the_movie_and_records_it(small_catalog: Catalog) -> None:
    movie_id = small_catalog.movies()[5].id
    small_catalog.delete(movie_id)
    assert small_catalog.get(movie_id) is None
    assert len(small_catalog) == 399
    assert movie_id not in {m.id for m in lists.popular(small_catalog)}
    now = small_catalog.now()
    assert [i for i, _ in small_catalog.changed_between(now - 1, now)] == [movie_id]
    with pytest.raises(UnknownMovie):
        small_catalog.delete(movie_id)


def test_drift_is_deterministic_and_feeds_the_changes() -> None:
    one = Catalog.generated(seed=3, count=400, clock=FakeClock())
    two = Catalog.generated(seed=3, count=400, clock=FakeClock())
    before = {m.id: m for m in one.movies()}
    changed = one.tick(3)
    assert changed == two.tick(3)
    assert len(changed) >= 3
    assert one.movies() == two.movies()
    assert any(one.require(i).popularity != before[i].popularity for i in changed)
    now = one.now()
    assert {i for i, _ in one.changed_between(now - 1, now)} == set(changed)
    assert one.ticks == 3


def test_changes_window_defaults_to_24_hours_and_refuses_over_14_days() -> None:
    now = 1_800_000_000.0
    assert requested_window({}, now) == (now - DAY_SECONDS, now)
    start, end = requested_window({"start_date": "2026-11-01", "end_date": "2026-11-15"}, now)
    assert end - start == 15 * DAY_SECONDS  # whole days, the end date included
    with pytest.raises(TmdbError) as too_long:
        requested_window({"start_date": "2026-11-01", "end_date": "2026-11-16"}, now)
    assert (too_long.value.http_status, too_long.value.code) == (400, 20)
    with pytest.raises(TmdbError) as backwards:
        requested_window({"start_date": "2026-11-10", "end_date": "2026-11-01"}, now)
    assert backwards.value.code == 20
    with pytest.raises(TmdbError) as malformed:
        requested_window({"start_date": "yesterday"}, now)
    assert malformed.value.http_status == 422


# --- queries ---

@pytest.fixture
def handmade() -> Catalog:
    return Catalog([
        movie(1, "The Red Road", popularity=5.0, genre_ids=(28, 12), release_date="2001-01-01",
              vote_count=900, vote_average=7.9, runtime=130),
        movie(2, "Red Road", popularity=1.0, genre_ids=(28,), release_date="2011-06-01",
              vote_count=50, vote_average=8.8),
        movie(3, "Roads of Red", popularity=50.0, genre_ids=(12,), release_date="2020-02-02",
              vote_count=400, vote_average=6.1, original_language="fr"),
        movie(4, "Amélie's Road Trip", popularity=20.0, genre_ids=(35,),
              release_date="2026-11-20", vote_count=310, vote_average=7.0),
        movie(5, "Redemption", popularity=80.0, genre_ids=(18, 28), release_date="2027-01-05",
              status="Post Production", vote_count=0, vote_average=0.0),
        movie(6, "The Quiet Road", popularity=3.0, genre_ids=(37,), release_date="",
              status="Rumored", vote_count=0, vote_average=0.0),
    ], today=REFERENCE_DATE)


def test_search_ranks_exact_then_prefix_then_words_then_popularity(handmade: Catalog) -> None:
    found = [m.id for m in search(handmade, SearchQuery("red road"))]
    assert found == [2, 1, 3]  # exact, whole words (by relevance), all words in any order
    # "RED": a title starting with it, then whole words by popularity, then inside a word
    assert [m.id for m in search(handmade, SearchQuery("RED"))] == [2, 3, 1, 5]
    assert [m.id for m in search(handmade, SearchQuery("amelie"))] == [4]  # accents ignored
    assert [m.id for m in search(handmade, SearchQuery("red", year=2001))] == [1]
    assert search(handmade, SearchQuery("nothing like this")) == []


def test_discover_combines_genres_filters_and_sorts(handmade: Catalog) -> None:
    def ids(**args: str) -> list[int]:
        return [m.id for m in discover(handmade, parse_query(args))]
    assert ids(with_genres="28,12") == [1]  # AND
    assert ids(with_genres="28|12") == [5, 3, 1, 2]  # OR, by popularity
    assert ids(with_genres="28", without_genres="18") == [1, 2]
    assert ids(**{"vote_count.gte": "300", "sort_by": "vote_average.desc"}) == [1, 4, 3]
    assert ids(**{"primary_release_date.gte": "2011-01-01",
                  "primary_release_date.lte": "2020-12-31"}) == [3, 2]
    assert ids(primary_release_year="2001") == [1]
    assert ids(**{"with_runtime.gte": "120"}) == [1]
    assert ids(with_original_language="fr") == [3]
    assert ids(sort_by="title.asc")[:2] == [4, 2]
    with pytest.raises(TmdbError):
        parse_query({"sort_by": "nonsense.desc"})
    with pytest.raises(TmdbError):
        parse_query({"vote_average.gte": "high"})


def test_dated_lists_and_top_rated(handmade: Catalog) -> None:
    playing = lists.now_playing(handmade)
    assert [m.id for m in playing.movies] == [4]
    assert playing.maximum == REFERENCE_DATE
    assert [m.id for m in lists.upcoming(handmade).movies] == [5]
    assert [m.id for m in lists.top_rated(handmade)] == [1, 4, 3]  # at least 300 votes
    trending = [m.id for m in lists.trending(handmade, "day")]
    assert 5 not in trending and 6 not in trending  # not out yet, or undated
    assert trending[0] == 4  # a fresh release outranks older, more popular films


def test_paged_envelope_counts_and_runs_past_the_end() -> None:
    items = list(range(45))
    first = shapes.paged(items, 1, lambda i: {"id": i})
    assert (len(first["results"]), first["total_pages"], first["total_results"]) == (20, 3, 45)
    assert [r["id"] for r in shapes.paged(items, 3, lambda i: {"id": i})["results"]] == list(
        range(40, 45))
    beyond = shapes.paged(items, 4, lambda i: {"id": i})
    assert beyond["results"] == [] and beyond["total_pages"] == math.ceil(45 / 20)

"""Search over a catalog of 6,000 stored movies (the bundled server's generated catalog,
imported through the commands): exact titles, prefixes, typos and overview words find
the right movie first. (How fast is a figure of `python -m bench catalog`, not a test.)"""
import json
import re
from collections import Counter

import pytest

from read_models.queries import catalog_queries as queries
from tests.support.catalog import catalog_world
from tests.support.fixtures_tmdb import tmdb_server  # noqa: F401
from tmdb_server.model import Movie

@pytest.fixture(scope="module")
def world(settings, tmdb_server):  # noqa: F811
    return catalog_world(settings, tmdb_server.base_url)


def first_hits(world, q: str, size: int = 5) -> list[int]:
    page = queries.search(world.container.engine, q, 1, size)
    return [json.loads(card)["tmdb_id"] for card in page.cards]


def unique_titled(world) -> list[Movie]:
    counts = Counter(m.title.lower() for m in world.stored)
    return [m for m in world.stored if counts[m.title.lower()] == 1 and m.title.isascii()]


def test_the_catalog_is_big_enough(world):
    assert len(world.stored) >= 5000


def test_an_exact_title_comes_first(world):
    movie = unique_titled(world)[10]
    hits = first_hits(world, movie.title)
    assert hits[0] == movie.id


def test_an_exact_title_ignores_case_and_spacing(world):
    movie = unique_titled(world)[20]
    hits = first_hits(world, "  " + movie.title.upper().replace(" ", "  ") + " ")
    assert hits[0] == movie.id


def test_a_prefix_finds_the_title_it_starts(world):
    titles = [m.title.lower() for m in world.stored]
    for movie in unique_titled(world):
        words = movie.title.split()
        if len(words) < 3 or len(words[2]) < 4:
            continue
        prefix = " ".join(words[:2]) + " " + words[2][:3]
        if sum(t.startswith(prefix.lower()) for t in titles) == 1:
            break
    hits = first_hits(world, prefix)
    assert hits[0] == movie.id


def with_a_typo(title: str) -> str | None:
    """The title with one letter dropped from its longest word (7+ letters)."""
    longest = max(title.split(), key=len)
    if len(longest) < 7 or not longest.isalpha():
        return None
    return title.replace(longest, longest[:3] + longest[4:], 1)


def test_a_typo_still_finds_the_movie(world):
    checked = 0
    for movie in unique_titled(world)[:400]:
        typo = with_a_typo(movie.title)
        if typo is None:
            continue
        hits = first_hits(world, typo)
        assert hits and hits[0] == movie.id, (typo, movie.title)
        checked += 1
        if checked == 5:
            break
    assert checked == 5


def distinctive_words(overview: str) -> list[str]:
    """The longest word of each clause of the first sentence."""
    sentence = overview.split(".")[0]
    clauses = [c for c in re.split(r",| (?=discovers|receives|inherits)", sentence) if c]
    words = [max(re.findall(r"[A-Za-z]{4,}", clause) or [""], key=len) for clause in clauses]
    return [w for w in words if w]


def test_overview_words_find_the_movie(world):
    texts = {m.id: (m.overview + " " + m.title + " " + m.original_title).lower()
             for m in world.stored}
    for movie in world.stored[::7]:
        words = distinctive_words(movie.overview)
        if len(words) < 3 or any(w.lower() in movie.title.lower() for w in words):
            continue
        holders = [i for i, text in texts.items() if all(w.lower() in text for w in words)]
        if holders == [movie.id]:
            break
    query = " ".join(words)
    hits = first_hits(world, query)
    assert hits[0] == movie.id, (query, movie.overview)


def test_nonsense_finds_nothing_quickly(world):
    hits = first_hits(world, "zzqxv wqqpt")
    assert hits == []

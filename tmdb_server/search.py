"""/3/search/movie: case- and accent-insensitive matching on titles, ranked.

Relevance, best first: the whole title equals the query; the title starts with
it; it appears as whole words; it appears inside a word; every query word
starts some word of the title, in any order. Ties go to the more popular movie.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .catalog import Catalog
from .model import Movie

_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class SearchQuery:
    text: str
    year: int | None = None  # TMDb's ``year`` and ``primary_release_year`` both land here
    include_adult: bool = False


def normalise(text: str) -> str:
    """Lower case, accents removed, punctuation turned into single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_WORD.sub(" ", bare.casefold()).strip()


def relevance(query: str, title: str) -> int:
    """0 when ``title`` does not match; higher is better. Both already normalised."""
    if not query or not title:
        return 0
    if title == query:
        return 5
    if title.startswith(query + " "):
        return 4
    padded = f" {title} "
    if f" {query} " in padded:
        return 3
    if query in title:
        return 2
    words = title.split()
    return 1 if all(any(w.startswith(q) for w in words) for q in query.split()) else 0


def search(catalog: Catalog, query: SearchQuery) -> list[Movie]:
    """Matching movies, most relevant first, then most popular."""
    wanted = normalise(query.text)
    rows = _title_index(catalog)
    for word in wanted.split():  # cheap first pass: every tier needs every word
        rows = [row for row in rows if word in row[2]]
    year = str(query.year) if query.year is not None else None
    scored = []
    for movie, titles, _ in rows:
        if year is not None and not movie.release_date.startswith(year):
            continue
        if movie.adult and not query.include_adult:
            continue
        score = max(relevance(wanted, title) for title in titles)
        if score:
            scored.append((-score, -movie.popularity, movie.id, movie))
    scored.sort(key=lambda row: row[:3])
    return [row[3] for row in scored]


IndexRow = tuple[Movie, tuple[str, ...], str]


def _title_index(catalog: Catalog) -> list[IndexRow]:
    """(movie, its distinct normalised titles, those titles joined) per movie."""
    def row(movie: Movie) -> IndexRow:
        titles = tuple(dict.fromkeys((normalise(movie.title), normalise(movie.original_title))))
        return movie, titles, " | ".join(titles)
    return catalog.cached("search-index", lambda movies: [row(m) for m in movies])

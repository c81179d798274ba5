"""Matching a row without ids to the catalog by title and year: the catalog's search
brings candidates, each scored by how alike the titles are once normalised (case,
accents, punctuation, `&`, a leading or trailing "The"/"A"/"An") times how close the
years are. A clear winner is a match; close rivals (remakes) or a weak best are
ambiguous, with the candidates for the person to choose; nothing close is unmatched."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

MATCHED, AMBIGUOUS, UNMATCHED = "matched", "ambiguous", "unmatched"
MATCH_AT = 0.85       # a candidate this confident, and clearly ahead of the next, matches
CANDIDATE_AT = 0.5    # below this a candidate is not worth showing
CLEAR_MARGIN = 0.1    # how far ahead of the runner-up a match must be
MAX_CANDIDATES = 5
ARTICLES = ("the", "a", "an")
_INVERTED = re.compile(r"^(?P<rest>.+),\s*(?P<article>the|a|an)$", re.IGNORECASE)
_YEAR_FACTORS = {0: 1.0, 1: 0.9, 2: 0.7}
_UNKNOWN_YEAR = 0.9
_FAR_YEAR = 0.4


@dataclass(frozen=True)
class Candidate:
    tmdb_id: int
    title: str
    year: int | None
    confidence: float = 0.0

    def to_json(self) -> dict:
        return {"tmdb_id": self.tmdb_id, "title": self.title, "year": self.year,
                "confidence": self.confidence}


@dataclass(frozen=True)
class Match:
    outcome: str
    tmdb_id: int | None = None
    confidence: float | None = None
    candidates: tuple[Candidate, ...] = ()


def search_text(title: str) -> str:
    """The title as a search should be asked: "Matrix, The" as "The Matrix"."""
    inverted = _INVERTED.match(title.strip())
    return f"{inverted['article']} {inverted['rest']}" if inverted else title.strip()


def normalised(title: str) -> str:
    text = unicodedata.normalize("NFKD", search_text(title)).encode("ascii", "ignore")
    words = re.sub(r"[^a-z0-9]+", " ", re.sub(r"['’`]", "", text.decode().lower())
                   .replace("&", " and ")).split()
    return " ".join(words[1:] if len(words) > 1 and words[0] in ARTICLES else words)


def confidence(title: str, year: int | None, candidate: Candidate) -> float:
    alike = SequenceMatcher(None, normalised(title), normalised(candidate.title)).ratio()
    if year is None or candidate.year is None:
        return round(alike * _UNKNOWN_YEAR, 3)
    return round(alike * _YEAR_FACTORS.get(abs(year - candidate.year), _FAR_YEAR), 3)


def decide(title: str, year: int | None, found: list[Candidate]) -> Match:
    scored = sorted((Candidate(c.tmdb_id, c.title, c.year, confidence(title, year, c))
                     for c in found), key=lambda c: (-c.confidence, c.tmdb_id))
    shown = tuple(c for c in scored if c.confidence >= CANDIDATE_AT)[:MAX_CANDIDATES]
    if not shown:
        return Match(UNMATCHED, candidates=tuple(scored[:3]))
    best, rival = shown[0], shown[1].confidence if len(shown) > 1 else 0.0
    if best.confidence >= MATCH_AT and best.confidence - rival >= CLEAR_MARGIN:
        return Match(MATCHED, best.tmdb_id, best.confidence, shown)
    return Match(AMBIGUOUS, confidence=best.confidence, candidates=shown)

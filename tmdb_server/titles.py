"""Movie titles: English patterns, foreign originals with English titles, sequels."""
from __future__ import annotations

import itertools
from random import Random
from typing import Callable

from . import translations as tr
from . import words as w

_ROMAN = ("", "", "II", "III", "IV", "V", "VI", "VII", "VIII")
_MAX_ATTEMPTS = 8

Pattern = Callable[[Random], str]


def _the_adj_noun(rng: Random) -> str:
    return f"The {rng.choice(w.ADJECTIVES)} {rng.choice(w.NOUNS)}"


def _adj_noun(rng: Random) -> str:
    return f"{rng.choice(w.ADJECTIVES)} {rng.choice(w.NOUNS)}"


def _noun_of_the_noun(rng: Random) -> str:
    return f"{rng.choice(w.NOUNS)} of the {rng.choice(w.NOUNS)}"


def _the_noun(rng: Random) -> str:
    return f"The {rng.choice(w.NOUNS)}"


def _possessive(rng: Random) -> str:
    return f"{rng.choice(w.FIRST_NAMES)}'s {rng.choice(w.NOUNS)}"


def _noun_in_place(rng: Random) -> str:
    return f"{rng.choice(w.NOUNS)} in {rng.choice(w.PLACES)}"


def _noun_and_noun(rng: Random) -> str:
    return f"{rng.choice(w.NOUNS)} and {rng.choice(w.NOUNS)}"


def _the_noun_agent(rng: Random) -> str:
    return f"The {rng.choice(w.NOUNS)} {rng.choice(w.AGENT_NOUNS)}"


def _verb_name(rng: Random) -> str:
    return f"{rng.choice(w.VERB_PHRASES)} {rng.choice(w.FIRST_NAMES)}"


def _compound(rng: Random) -> str:
    return f"{rng.choice(w.NOUNS)} {rng.choice(w.NOUNS)}"


def _number_plural(rng: Random) -> str:
    return f"{rng.choice(w.NUMBERS)} {rng.choice(w.PLURALS)} in {rng.choice(w.PLACES)}"


def _a_noun_for_name(rng: Random) -> str:
    return f"A {rng.choice(w.NOUNS)} for {rng.choice(w.FIRST_NAMES)}"


def _full_name(rng: Random) -> str:
    return f"{rng.choice(w.FIRST_NAMES)} {rng.choice(w.LAST_NAMES)}"


_PATTERNS: tuple[tuple[Pattern, float], ...] = (
    (_the_adj_noun, 0.22), (_adj_noun, 0.12), (_noun_of_the_noun, 0.10), (_the_noun, 0.02),
    (_possessive, 0.07), (_noun_in_place, 0.08), (_noun_and_noun, 0.05),
    (_the_noun_agent, 0.10), (_verb_name, 0.06), (_compound, 0.07), (_number_plural, 0.05),
    (_a_noun_for_name, 0.04), (_full_name, 0.02),
)
_PATTERN_FUNCS = tuple(p for p, _ in _PATTERNS)
_PATTERN_CUM = tuple(itertools.accumulate(weight for _, weight in _PATTERNS))


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_article(english: str) -> str:
    return "the" + english[3:] if english.startswith("The ") else english


def _korean_and(first: str) -> str:
    last = ord(first[-1])
    has_final_consonant = 0xAC00 <= last <= 0xD7A3 and (last - 0xAC00) % 28 != 0
    return "과" if has_final_consonant else "와"


def _foreign_pair(language: str, a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, str]:
    col = tr.LANGUAGE_COLUMN[language]
    english = f"{a[0]} and {_lower_article(b[0])}"
    if language == "ja":
        return english, f"{a[col]}と{b[col]}"
    if language == "ko":
        return english, f"{a[col]}{_korean_and(a[col])} {b[col]}"
    return english, _capitalised(f"{a[col]} {tr.CONJUNCTIONS[language]} {b[col]}")


def _foreign_city(language: str, a: tuple[str, ...], city: tuple[str, str]) -> tuple[str, str]:
    col = tr.LANGUAGE_COLUMN[language]
    english = f"{a[0]} in {city[0]}"
    if language == "ja":
        return english, f"{city[1]}の{a[col]}"
    if language == "ko":
        return english, f"{city[1]}의 {a[col]}"
    return english, _capitalised(f"{a[col]} {tr.CITY_PREPOSITIONS[language]} {city[1]}")


def sequel_suffix(rng: Random, number: int) -> str:
    """What follows the original's title: " II", " 2" or ": Reckoning"."""
    draw = rng.random()
    if draw < 0.6 and number < len(_ROMAN):
        return f" {_ROMAN[number]}"
    if draw < 0.8:
        return f" {number}"
    return f": {rng.choice(w.SUBTITLES)}"


class TitleMaker:
    """Draws titles from one RNG and remembers them, so repeats stay rare."""

    def __init__(self, rng: Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def english(self) -> str:
        """A new English title (an original in English: title == original_title)."""
        return self._unique(self._draw_english)[0]

    def foreign(self, language: str) -> tuple[str, str]:
        """A new (English title, original title) for a film in ``language``."""
        return self._unique(lambda: self._draw_foreign(language))

    def sequel(self, title: str, original_title: str, number: int) -> tuple[str, str]:
        """The titles of part ``number`` of the series that ``title`` opened."""
        suffix = sequel_suffix(self._rng, number)
        self._used.add(title + suffix)
        return title + suffix, original_title + suffix

    def _unique(self, draw: Callable[[], tuple[str, str]]) -> tuple[str, str]:
        titles = draw()
        for _ in range(_MAX_ATTEMPTS):
            if titles[0] not in self._used:
                break
            titles = draw()
        self._used.add(titles[0])
        return titles

    def _draw_english(self) -> tuple[str, str]:
        pattern = self._rng.choices(_PATTERN_FUNCS, cum_weights=_PATTERN_CUM)[0]
        title = pattern(self._rng)
        return title, title

    def _draw_foreign(self, language: str) -> tuple[str, str]:
        rng = self._rng
        first = rng.choice(tr.CONCEPTS)
        if rng.random() < 0.5:
            return _foreign_pair(language, first, rng.choice(tr.CONCEPTS))
        return _foreign_city(language, first, rng.choice(tr.CITIES[language]))

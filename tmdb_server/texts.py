"""Overviews and taglines, built from templates and word lists."""
from __future__ import annotations

from random import Random

from . import words as w


def overview(rng: Random) -> str:
    """One or two sentences: a setting, a character, what happens to them, and a hook."""
    first = f"{rng.choice(w.SETTINGS)}, {rng.choice(w.CHARACTERS)} {rng.choice(w.INCIDENTS)}."
    if rng.random() < 0.15:
        return first
    return f"{first} {rng.choice(w.FOLLOW_UPS)}"


def tagline(rng: Random) -> str:
    """A tagline, or "" as TMDb answers when a movie has none (about a quarter)."""
    return rng.choice(w.TAGLINES) if rng.random() < 0.75 else ""

"""The catalog's words, defined once: every layer (TMDb client, syncs, read models, API,
workers) imports them from here."""
from __future__ import annotations

CURATED_LISTS = ("popular", "top_rated", "now_playing", "upcoming")
TRENDING_WINDOWS = ("day", "week")

RECOMMENDATIONS, SIMILAR = "recommendations", "similar"
RELATION_KINDS = (RECOMMENDATIONS, SIMILAR)
GENRE_CATALOG_ID = "movie"


def trending_list(window: str) -> str:
    """The list name of a trending window (`trending_day`)."""
    return f"trending_{window}"


LIST_NAMES = (*CURATED_LISTS, *map(trending_list, TRENDING_WINDOWS))


def list_path(name: str) -> str:
    """A list's URL segment (`top-rated`)."""
    return name.replace("_", "-")

"""/3/discover/movie: filters and sort orders over the whole catalog."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

from . import errors, params
from .catalog import Catalog
from .model import Movie

_SORT_KEYS: dict[str, Callable[[Movie], object]] = {
    "popularity": lambda m: m.popularity,
    "vote_average": lambda m: m.vote_average,
    "vote_count": lambda m: m.vote_count,
    "revenue": lambda m: m.revenue,
    "primary_release_date": lambda m: m.release_date,
    "release_date": lambda m: m.release_date,
    "title": lambda m: m.title.casefold(),
    "original_title": lambda m: m.original_title.casefold(),
}

Range = tuple[float | None, float | None]


@dataclass(frozen=True)
class DiscoverQuery:
    sort_field: str = "popularity"
    descending: bool = True
    # with_genres as groups: every group must match, any genre within a group does
    # ("28,12" = Action AND Adventure, "28|12" = Action OR Adventure).
    genre_groups: tuple[frozenset[int], ...] = ()
    without_genres: frozenset[int] = frozenset()
    release_year: int | None = None
    release_dates: tuple[str | None, str | None] = (None, None)
    vote_average: Range = (None, None)
    vote_count: Range = (None, None)
    runtime: Range = (None, None)
    original_language: str | None = None
    include_adult: bool = False


def parse_query(args: Mapping[str, str]) -> DiscoverQuery:
    """The query TMDb's parameters describe; 422 code 5 for malformed values."""
    field, descending = _sort(params.text(args, "sort_by") or "popularity.desc")
    first, last = params.day(args, "primary_release_date.gte"), params.day(
        args, "primary_release_date.lte")
    return DiscoverQuery(
        sort_field=field,
        descending=descending,
        genre_groups=_genre_groups(params.text(args, "with_genres")),
        without_genres=frozenset(_genre_ids(params.text(args, "without_genres") or "")),
        release_year=params.whole(args, "primary_release_year"),
        release_dates=(first.isoformat() if first else None, last.isoformat() if last else None),
        vote_average=_range(args, "vote_average"),
        vote_count=_range(args, "vote_count"),
        runtime=_range(args, "with_runtime"),
        original_language=params.text(args, "with_original_language"),
        include_adult=params.flag(args, "include_adult"),
    )


def discover(catalog: Catalog, query: DiscoverQuery) -> list[Movie]:
    """The movies matching ``query``, in its order (ties by id)."""
    matching = _ordered(catalog, query.sort_field, query.descending)
    for check in _checks(query):
        matching = list(filter(check, matching))
    return matching


def _ordered(catalog: Catalog, field: str, descending: bool) -> list[Movie]:
    """Every movie in one sort order, cached until the catalog changes."""
    key = _SORT_KEYS[field]
    return catalog.cached(f"discover:{field}:{descending}",
                          lambda by_id: sorted(by_id, key=key, reverse=descending))  # stable


def _sort(raw: str) -> tuple[str, bool]:
    field, _, direction = raw.partition(".")
    if field not in _SORT_KEYS or direction not in ("asc", "desc", ""):
        raise errors.invalid_parameters(f"sort_by: {raw!r} is not a valid sort")
    return field, direction != "asc"


def _genre_ids(raw: str) -> list[int]:
    try:
        return [int(part) for part in raw.replace("|", ",").split(",") if part.strip()]
    except ValueError:
        raise errors.invalid_parameters("genres must be given as ids") from None


def _genre_groups(raw: str | None) -> tuple[frozenset[int], ...]:
    if raw is None:
        return ()
    return tuple(frozenset(_genre_ids(group)) for group in raw.split(",") if group.strip())


def _range(args: Mapping[str, str], name: str) -> Range:
    return params.number(args, f"{name}.gte"), params.number(args, f"{name}.lte")


Check = Callable[[Movie], bool]


def _checks(query: DiscoverQuery) -> list[Check]:
    """One check per filter the query sets, so unset filters cost nothing."""
    checks: list[Check] = [] if query.include_adult else [lambda m: not m.adult]
    checks += [lambda m, group=group: not group.isdisjoint(m.genre_ids)
              for group in query.genre_groups]
    if query.without_genres:
        checks.append(lambda m: query.without_genres.isdisjoint(m.genre_ids))
    if query.release_year is not None:
        checks.append(lambda m: m.year == query.release_year)
    first, last = query.release_dates
    if first is not None:
        checks.append(lambda m: m.release_date != "" and m.release_date >= first)
    if last is not None:
        checks.append(lambda m: m.release_date != "" and m.release_date <= last)
    for attribute in ("vote_average", "vote_count", "runtime"):
        checks += _bounds(attribute, getattr(query, attribute))
    if query.original_language is not None:
        checks.append(lambda m: m.original_language == query.original_language)
    return checks


def _bounds(attribute: str, bounds: Range) -> list[Check]:
    low, high = bounds
    checks: list[Check] = []
    if low is not None:
        checks.append(lambda m: getattr(m, attribute) >= low)
    if high is not None:
        checks.append(lambda m: getattr(m, attribute) <= high)
    return checks

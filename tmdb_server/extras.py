"""Per-movie extras TMDb serves beside the detail: credits, videos, images,
external ids, keywords. Generated on demand from ``Random("seed:kind:id")``, so
they are stable for a movie without being stored.
"""
from __future__ import annotations

import zlib
from random import Random
from typing import Any, Callable

from . import media
from . import words as w
from .model import Movie

Json = dict[str, Any]
_FEMALE = frozenset(("Lucy", "Margaret", "Eleanor", "Rosie", "Clara", "Mabel", "Iris", "Nora",
                     "Ruby", "Maya", "Daisy", "Hazel", "Stella", "Violet", "June", "Grace",
                     "Ada", "Lola", "Sadie", "Ivy"))
_CREW_JOBS = (
    ("Directing", "Director"), ("Writing", "Screenplay"), ("Production", "Producer"),
    ("Sound", "Original Music Composer"), ("Camera", "Director of Photography"),
    ("Editing", "Editor"),
)
_ROLES = ("Detective", "Nurse", "Bartender", "Officer", "Doctor", "Waitress", "Priest",
          "Mechanic", "Reporter", "Neighbor", "Driver", "Teacher")
_VIDEO_TYPES = ("Trailer", "Teaser", "Clip", "Featurette")
_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


def _rng(seed: int, kind: str, movie: Movie) -> Random:
    return Random(f"{seed}:{kind}:{movie.id}")


def _hex_id(rng: Random) -> str:
    return f"{rng.getrandbits(96):024x}"


def _person(rng: Random, department: str) -> Json:
    first, last = rng.choice(w.FIRST_NAMES), rng.choice(w.LAST_NAMES)
    name = f"{first} {last}"
    person_id = 1000 + zlib.crc32(name.encode()) % 4_000_000  # same name, same person
    return {
        "adult": False,
        "gender": 1 if first in _FEMALE else 2,
        "id": person_id,
        "known_for_department": department,
        "name": name,
        "original_name": name,
        "popularity": round(0.6 + (person_id % 997) / 20, 3),
        "profile_path": media.maybe_image_path(rng, 0.2),
        "credit_id": _hex_id(rng),
    }


def _cast_member(rng: Random, order: int) -> Json:
    person = _person(rng, "Acting")
    character = (f"{rng.choice(w.FIRST_NAMES)} {rng.choice(w.LAST_NAMES)}"
                 if order < 4 else rng.choice(_ROLES))
    return {**person, "cast_id": order + 1, "character": character, "order": order}


def _crew_member(rng: Random, department: str, job: str) -> Json:
    return {**_person(rng, department), "department": department, "job": job}


def credits(movie: Movie, seed: int) -> Json:
    rng = _rng(seed, "credits", movie)
    cast = [_cast_member(rng, order) for order in range(rng.randint(6, 12))]
    crew = [_crew_member(rng, department, job) for department, job in _CREW_JOBS]
    return {"cast": cast, "crew": crew}


def videos(movie: Movie, seed: int) -> Json:
    rng = _rng(seed, "videos", movie)
    if not movie.release_date or movie.status in ("Planned", "Rumored", "Canceled"):
        return {"results": []}
    return {"results": [_video(rng, movie, n) for n in range(rng.randint(1, 3))]}


def _video(rng: Random, movie: Movie, number: int) -> Json:
    kind = _VIDEO_TYPES[0] if number == 0 else rng.choice(_VIDEO_TYPES)
    return {
        "iso_639_1": "en",
        "iso_3166_1": "US",
        "name": f"{'Official ' if number == 0 else ''}{kind}",
        "key": "".join(rng.choices(_KEY_ALPHABET, k=11)),
        "site": "YouTube",
        "size": rng.choice((720, 1080, 2160)),
        "type": kind,
        "official": True,
        "published_at": f"{movie.release_date}T16:00:{number:02d}.000Z",
        "id": _hex_id(rng),
    }


def images(movie: Movie, seed: int) -> Json:
    rng = _rng(seed, "images", movie)
    posters = [movie.poster_path] if movie.poster_path else []
    backdrops = [movie.backdrop_path] if movie.backdrop_path else []
    posters += [media.image_path(rng) for _ in range(rng.randint(0, 3))]
    backdrops += [media.image_path(rng) for _ in range(rng.randint(0, 3))]
    return {
        "backdrops": [_image(rng, path, 1.778, 1080, None) for path in backdrops],
        "logos": [_image(rng, media.image_path(rng, "png"), 2.5, 200, "en")],
        "posters": [_image(rng, path, 0.667, 1500, "en") for path in posters],
    }


def _image(rng: Random, path: str, ratio: float, height: int, language: str | None) -> Json:
    return {
        "aspect_ratio": ratio,
        "height": height,
        "iso_639_1": language,
        "file_path": path,
        "vote_average": round(rng.uniform(5.0, 6.0), 3),
        "vote_count": rng.randint(0, 20),
        "width": round(height * ratio),
    }


def external_ids(movie: Movie, seed: int) -> Json:
    rng = _rng(seed, "external_ids", movie)
    handle = media.slug(movie.title)
    return {
        "imdb_id": movie.imdb_id,
        "wikidata_id": f"Q{rng.randint(100_000, 99_999_999)}" if movie.imdb_id else None,
        "facebook_id": handle if rng.random() < 0.3 else None,
        "instagram_id": handle if rng.random() < 0.3 else None,
        "twitter_id": handle if rng.random() < 0.2 else None,
    }


def keywords(movie: Movie, seed: int) -> Json:
    return {"keywords": [{"id": k.id, "name": k.name} for k in movie.keywords]}


# What /3/movie/{id}/<name> and append_to_response=<name> serve, besides the
# recommendations and similar lists (which need the catalog).
EXTRAS: dict[str, Callable[[Movie, int], Json]] = {
    "credits": credits,
    "videos": videos,
    "images": images,
    "external_ids": external_ids,
    "keywords": keywords,
}

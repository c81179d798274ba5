"""TMDB-5000-style CSV catalogs of made-up movies, for import tests."""
from __future__ import annotations

import csv
import json
import random

COLUMNS = ("budget", "genres", "homepage", "id", "keywords", "original_language",
           "original_title", "overview", "popularity", "production_companies",
           "production_countries", "release_date", "revenue", "runtime", "spoken_languages",
           "status", "tagline", "title", "vote_average", "vote_count")


def csv_row(tmdb_id: int, n: int) -> dict[str, str]:
    return {
        "budget": str(1_000_000 * n), "id": str(tmdb_id), "keywords": "[]",
        "genres": json.dumps([{"id": 18, "name": "Drama"}, {"id": 53, "name": "Thriller"}]),
        "homepage": "", "original_language": "en", "original_title": f"Film {n}",
        "overview": f"The story of film {n}.", "popularity": f"{10 + n}.5",
        "production_companies": json.dumps([{"name": "Studio", "id": 7}]),
        "production_countries": json.dumps([{"iso_3166_1": "US",
                                             "name": "United States of America"}]),
        "release_date": f"200{n % 10}-0{1 + n % 9}-15", "revenue": "0",
        "runtime": "" if n == 0 else str(90 + n),
        "spoken_languages": json.dumps([{"iso_639_1": "en", "name": "English"}]),
        "status": "Released", "tagline": "", "title": f"Film {n}",
        "vote_average": "6.4", "vote_count": str(100 + n),
    }


def write_csv(path, rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def fresh_ids(count: int) -> list[int]:
    first = random.randrange(50_000_000, 900_000_000)
    return list(range(first, first + count))

"""Import files made from the bundled catalog with deliberate noise (title case,
punctuation, "The" moved, off-by-one years, remakes with the same title, titles not in
the catalog), each row with the movie it truly names (None: not in the catalog)."""
from __future__ import annotations

import csv
import io
import json
import random
import zipfile
from dataclasses import dataclass, field

LETTERBOXD_COLUMNS = ["Date", "Name", "Year", "Letterboxd URI"]
IMDB_COLUMNS = ["Const", "Your Rating", "Date Rated", "Title", "URL", "Title Type",
                "IMDb Rating", "Runtime (mins)", "Year", "Genres", "Num Votes",
                "Release Date", "Directors"]
INVENTED = ["Quorvex", "Blinth", "Zandrapol", "Mirkwater", "Oxtelline", "Pelquist",
            "Vantrope", "Yubbleton", "Skarnish", "Threlk"]


def year_of(movie) -> int | None:
    return int(movie.release_date[:4]) if movie.release_date else None


@dataclass
class Truth:
    """Expected movie by row source ("ratings.csv line 2"), and the ratings written."""

    movie_of: dict[str, int | None] = field(default_factory=dict)
    rating_of: dict[int, int] = field(default_factory=dict)


def noisy(rng: random.Random, title: str, year: int | None) -> tuple[str, int | None]:
    kind = rng.randrange(6)
    if kind == 1:
        title = rng.choice([title.upper(), title.lower()])
    elif kind == 2:
        title = title.replace("'", "").replace(":", "") + rng.choice(["!", "", "."])
    elif kind == 3 and title.startswith("The "):
        title = f"{title[4:]}, The"
    elif kind == 4 and year:
        year += rng.choice([-1, 1])
    elif kind == 5:
        title, year = title.lower(), (year + 1 if year else year)
    return title, year


def invented(rng: random.Random) -> tuple[str, int]:
    return " ".join(rng.sample(INVENTED, 3)), rng.randrange(1950, 2020)


def precision_recall(truth: Truth, rows) -> tuple[float, float]:
    """Over the import's stored rows: matched right / matched, matched right / matchable."""
    matched = [r for r in rows if r.outcome == "matched"]
    right = [r for r in matched if truth.movie_of[r.entry["source"]] == r.tmdb_id]
    matchable = [s for s, movie in truth.movie_of.items() if movie is not None]
    return len(right) / max(len(matched), 1), len(right) / max(len(matchable), 1)


class LetterboxdExport:
    """ratings.csv, watchlist.csv, watched.csv, likes/films.csv and diary.csv."""

    def __init__(self, seed: int):
        self.rng, self.truth = random.Random(seed), Truth()
        self.files: dict[str, list[list[str]]] = {}

    def add(self, file: str, movie, exact: bool = False) -> None:
        title, year = (movie.title, year_of(movie)) if exact else \
            noisy(self.rng, movie.title, year_of(movie))
        self._row(file, title, year, movie.id)

    def add_invented(self, file: str) -> None:
        self._row(file, *invented(self.rng), None)

    def _row(self, file: str, title: str, year: int | None, tmdb_id: int | None) -> None:
        rows = self.files.setdefault(file, [])
        date = f"20{self.rng.randrange(10, 24)}-0{self.rng.randrange(1, 9)}-1{self.rng.randrange(9)}"
        row = [date, title, str(year or ""), f"https://boxd.it/{self.rng.randrange(10**6)}"]
        if file in ("ratings.csv", "diary.csv"):
            stars = self.rng.randrange(1, 11) / 2
            row.append(f"{stars:g}")
            if file == "ratings.csv" and tmdb_id is not None:
                self.truth.rating_of[tmdb_id] = int(stars * 2)
        if file == "diary.csv":
            row += ["", "", date]
        rows.append(row)
        self.truth.movie_of[f"{file} line {len(rows) + 1}"] = tmdb_id

    def zip(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("profile.csv", "Date Joined,Username\n2020-01-01,someone\n")
            for file, rows in self.files.items():
                header = LETTERBOXD_COLUMNS + (["Rating"] if file in (
                    "ratings.csv", "diary.csv") else []) + (
                    ["Rewatch", "Tags", "Watched Date"] if file == "diary.csv" else [])
                archive.writestr(file, csv_text([header, *rows]))
        return out.getvalue()


class ImdbRatings:
    def __init__(self, seed: int):
        self.rng, self.truth = random.Random(seed), Truth()
        self.rows: list[list[str]] = []

    def add(self, movie, imdb_id: str | None = None, noise: bool = False,
            title_type: str = "movie") -> None:
        title, year = noisy(self.rng, movie.title, year_of(movie)) if noise else \
            (movie.title, year_of(movie))
        self._row(imdb_id or movie.imdb_id, title, year, movie.id, title_type)

    def add_invented(self) -> None:
        self._row(f"tt9{self.rng.randrange(10**7):07d}", *invented(self.rng), None)

    def _row(self, const, title, year, tmdb_id, title_type="movie") -> None:
        rating = self.rng.randrange(1, 11)
        self.rows.append([const, str(rating), "2022-05-0" + str(self.rng.randrange(1, 9)),
                          title, f"https://www.imdb.com/title/{const}/", title_type, "7.1",
                          "101", str(year or ""), "Drama", "1000", "", "Someone"])
        if title_type == "movie":
            self.truth.movie_of[f"ratings.csv line {len(self.rows) + 1}"] = tmdb_id
            if tmdb_id is not None:
                self.truth.rating_of[tmdb_id] = rating

    def csv(self) -> bytes:
        return csv_text([IMDB_COLUMNS, *self.rows]).encode()


def csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def trakt_watchlist(tmdb_ids: list[int]) -> bytes:
    return json.dumps({"watchlist": [
        {"listed_at": "2021-01-01T00:00:00.000Z", "type": "movie",
         "movie": {"title": f"movie {i}", "year": 2000, "ids": {"tmdb": i}}}
        for i in tmdb_ids]}).encode()

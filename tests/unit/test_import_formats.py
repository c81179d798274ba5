"""The import formats and the title matching, without I/O."""
from __future__ import annotations

import io
import json
import zipfile

import pytest

from library_transfer.formats import IMDB, LETTERBOXD, MOVIENEXUS, TRAKT, parse_upload
from library_transfer.matching import AMBIGUOUS, MATCHED, UNMATCHED, Candidate, decide, \
    normalised
from library_transfer.rows import FAVORITE, WATCHED, WATCHLIST, BadFile, Limits

LIMITS = Limits(max_bytes=1 << 20, max_unpacked_bytes=1 << 20, max_rows=100,
                max_line_bytes=1000)


def _zip(members: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_letterboxd_stars_are_doubled_and_files_say_the_kind():
    parsed = parse_upload("export.zip", _zip({
        "ratings.csv": "Date,Name,Year,Letterboxd URI,Rating\n2020-01-02,Heat,1995,u,4.5\n",
        "watchlist.csv": "Date,Name,Year,Letterboxd URI\n2020-01-03,Ran,1985,u\n",
        "diary.csv": "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date\n"
                     "2020-01-04,Alien,1979,u,,,,2020-01-01\n"}), LIMITS)
    assert parsed.format == LETTERBOXD
    kinds = {row.title: (row.kind, row.rating, row.year) for row in parsed.rows}
    assert kinds == {"Heat": (FAVORITE, 9, 1995), "Ran": (WATCHLIST, None, 1985),
                     "Alien": (WATCHED, None, 1979)}


def test_an_own_export_is_read_from_its_json():
    document = {"favorites": [{"movie": {"title": "Heat", "year": 1995, "ids": {"tmdb": 949}},
                               "rating": 8, "notes": "diner", "listed_at": "2020-01-01"}]}
    parsed = parse_upload("x.zip", _zip({"movienexus.json": json.dumps(document),
                                         "ratings.csv": "garbage"}), LIMITS)
    assert parsed.format == MOVIENEXUS
    assert (parsed.rows[0].tmdb_id, parsed.rows[0].notes) == (949, "diner")


def test_trakt_items_of_shows_are_skipped():
    parsed = parse_upload("t.json", json.dumps([
        {"rating": 7, "type": "show", "show": {"title": "X"}},
        {"rating": 7, "type": "movie", "movie": {"title": "Y", "ids": {"imdb": "tt0111161"}}},
    ]).encode(), LIMITS)
    assert parsed.format == TRAKT and parsed.skipped == 1
    assert parsed.rows[0].imdb_id == "tt0111161"


@pytest.mark.parametrize("data, status", [
    (b"Const,Your Rating,Date Rated,Title,Year\n" + b"tt0000001,5,2020-01-01,A,2000\n" * 101,
     413),
    (b"Const,Your Rating,Title\ntt0000001,5,A\n", 400),
    (b"\xff\xfe\x00", 400),
    (_zip({"/abs/ratings.csv": "x"}), 400),
    (_zip({"ratings.csv": "x" * (2 << 20)}), 413),
])
def test_bad_uploads_are_refused_whole(data, status):
    with pytest.raises(BadFile) as refused:
        parse_upload("ratings.csv", data, LIMITS)
    assert refused.value.status == status


def test_imdb_rows_keep_their_ids():
    parsed = parse_upload("r.csv", b"Const,Your Rating,Date Rated,Title,Year,Title Type\n"
                          b"tt0113277,9,2020-01-01,Heat,1995,movie\n"
                          b"tt0903747,10,2020-01-01,Breaking Bad,2008,tvSeries\n", LIMITS)
    assert parsed.format == IMDB and parsed.skipped == 1
    assert (parsed.rows[0].imdb_id, parsed.rows[0].rating) == ("tt0113277", 9)


def test_titles_are_compared_without_case_punctuation_or_a_moved_article():
    assert normalised("Matrix, The") == normalised("THE MATRIX.") == "matrix"
    assert normalised("Clara's Heart") == normalised("Claras Heart")


def test_the_year_tells_remakes_apart_and_nothing_close_is_unmatched():
    remakes = [Candidate(1, "Dune", 1984), Candidate(2, "Dune", 2021)]
    assert decide("Dune", 2020, remakes).tmdb_id == 2
    assert decide("Dune", 1984, remakes).outcome == MATCHED
    assert decide("Dune", None, remakes).outcome == AMBIGUOUS
    assert decide("Zzyzx Road Trip", 2000, remakes).outcome == UNMATCHED

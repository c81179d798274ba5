"""The library's read-side logic without I/O: stats counters and their document, the
ranking of recommendations and their reasons, list filters and sorts, JSON joins."""
import json
import random

from read_models.stores import library_documents as docs
from read_models.stores import library_stats as stats
from read_models.queries.library_queries import EntryFilters, _keeps, _sort_key
from read_models.queries.library_sorted import Order, Ordered
from read_models.stores.movie_documents import average_rating
from read_models.recommender.recommendations import Neighbour, Source, score


def test_counters_move_with_favorites_and_come_back_to_empty():
    counters = stats.empty()
    stats.favorite(counters, 9, [18, 80], 1995, +1)
    stats.favorite(counters, None, [18], 2003, +1)
    stats.watchlist_item(counters, True, +1)
    document = stats.document(counters, {18: "Drama"})
    assert document["total_favorites"] == 2 and document["rated_count"] == 1
    assert document["average_rating"] == 9.0 and document["watched_count"] == 1
    assert document["top_genres"] == [{"id": 18, "name": "Drama", "count": 2},
                                      {"id": 80, "name": "Crime", "count": 1}]
    assert document["by_decade"] == [{"decade": 1990, "count": 1}, {"decade": 2000, "count": 1}]
    assert document["rating_histogram"]["9"] == 1 and set(document["rating_histogram"]) == {
        str(r) for r in range(1, 11)}
    stats.favorite(counters, 9, [18, 80], 1995, -1)
    stats.favorite(counters, None, [18], 2003, -1)
    stats.watchlist_item(counters, True, -1)
    assert counters == stats.empty()


def test_a_rating_change_moves_the_histogram_and_the_average():
    counters = stats.empty()
    stats.favorite(counters, 4, [], None, +1)
    stats.rate(counters, 4, -1)
    stats.rate(counters, 10, +1)
    assert counters["histogram"]["4"] == 0 and counters["histogram"]["10"] == 1
    assert stats.document(counters, {})["average_rating"] == 10.0
    assert stats.document(counters, {})["by_decade"] == []


def test_averages_round_half_up_to_two_decimals():
    assert average_rating(22, 3) == 7.33
    assert average_rating(57, 8) == 7.13  # 7.125
    assert average_rating(0, 0) is None


def test_top_genres_are_five_most_counted_ties_by_id():
    counters = stats.empty()
    for genre_id in (37, 36, 35, 28, 18, 12):
        stats.favorite(counters, None, [genre_id], None, +1)
    stats.favorite(counters, None, [37], None, +1)
    assert stats.top_genre_ids(counters) == [37, 12, 18, 28, 35]


def source(tmdb_id, rating, genres=(18,), year=1995, recommendations=(), title=None):
    return Source(tmdb_id, title or f"Movie {tmdb_id}", rating, list(genres), year,
                  {"recommendations": list(recommendations), "similar": []})


def features(*rows):
    return {tmdb_id: (list(genres), year, popularity) for tmdb_id, genres, year, popularity in rows}


def test_tmdb_recommendations_of_what_you_rated_highly_come_first_with_the_reason():
    sources = [source(1, 10, recommendations=[11, 12], title="Heat"),
               source(2, 2, recommendations=[21], title="Bad")]
    found = score(sources, [], features((11, [18], 1995, 5.0), (12, [18], 1995, 5.0),
                                        (21, [18], 1995, 5.0)), {1, 2}, {})
    assert [r.tmdb_id for r in found][:2] == [11, 12]
    assert found[0].reasons[0] == "Because you rated Heat 10/10"


def test_co_favorites_count_and_name_the_movie_people_share():
    sources = [source(1, None, title="Alien"), source(2, 9, title="Heat")]
    neighbours = [Neighbour([1, 2], [1, 2, 31, 32]), Neighbour([1], [1, 31]),
                  Neighbour([1], [1] + list(range(100, 140)) + [32])]
    found = score(sources, neighbours, features((31, [27], 1979, 1.0), (32, [27], 1979, 1.0)),
                  {1, 2}, {})
    assert [r.tmdb_id for r in found] == [31, 32], "closer neighbours count more"
    assert found[0].reasons[0] == "People who favorited Heat also favorited it"


def test_taste_prefers_your_genres_and_decades_and_says_so():
    sources = [source(1, 9, genres=[878], year=1982), source(2, 8, genres=[878], year=1986)]
    found = score(sources, [], features((41, [878], 1984, 2.0), (42, [10749], 2015, 90.0)),
                  {1, 2}, {878: "Science Fiction"})
    assert [r.tmdb_id for r in found] == [41]
    assert found[0].reasons == ["You like Science Fiction movies from the 1980s"]


def test_nothing_you_hold_is_recommended():
    sources = [source(1, 9, recommendations=[2, 3])]
    found = score(sources, [Neighbour([1], [1, 3])],
                  features((2, [18], 1995, 1.0), (3, [18], 1995, 1.0)), {1, 2, 3}, {})
    assert found == []


def entry(rating=None, added="2026-01-01T00:00:00+00:00", watched=None):
    return {"rating": rating, "added_at": added, "watched": watched}


def card(title, genres=(), popularity=1.0, release_date=None):
    return {"title": title, "genres": [{"id": g, "name": ""} for g in genres],
            "popularity": popularity, "release_date": release_date}


def test_filters_keep_what_they_say():
    f = EntryFilters(q="ALIEN", genres=[27], min_rating=7)
    assert _keeps(f, entry(8), card("Aliens", [27, 878]))
    assert not _keeps(f, entry(6), card("Aliens", [27]))
    assert not _keeps(f, entry(9), card("Heat", [27]))
    assert not _keeps(f, entry(9), card("Alien", [878]))
    assert not _keeps(EntryFilters(min_rating=1), entry(None), None)
    assert _keeps(EntryFilters(watched=False), entry(watched=False), None)


def test_sorts_put_nulls_last_both_ways():
    rows = [(1, entry(5), card("b")), (2, entry(None), card("A")), (3, entry(9), card("c"))]
    ascending = sorted(rows, key=_sort_key(EntryFilters(sort="rating")))
    descending = sorted(rows, key=_sort_key(EntryFilters(sort="-rating")))
    assert [r[0] for r in ascending] == [1, 3, 2]
    assert [r[0] for r in descending] == [3, 1, 2]
    by_title = sorted(rows, key=_sort_key(EntryFilters(sort="title")))
    assert [r[0] for r in by_title] == [2, 1, 3]


def test_a_kept_order_updated_in_place_is_the_order_computed_whole():
    """The first read after a change moves only the changed entries (library_sorted):
    whatever the sort and the changes, the list comes out as if sorted from scratch."""
    rng = random.Random(16)
    values = {"rating": lambda: rng.choice([None, *range(1, 11)]),
              "title": lambda: rng.choice([None, "alien", "Aliens", "heat", "zodiac"]),
              "popularity": lambda: rng.choice([None, 1.5, 7.25, 30.0])}
    for sort in [f"{d}{name}" for name in values for d in ("", "-")]:
        order = Order(sort)
        row = lambda tmdb_id, name=order.name: (tmdb_id, values[name](), float(rng.randint(1, 50)))
        rows = {tmdb_id: row(tmdb_id) for tmdb_id in rng.sample(range(1, 400), 200)}
        ordered = Ordered.of(list(rows.values()), order)
        for _ in range(30):
            changed = set(rng.sample(range(1, 400), rng.randint(1, 5)))
            for tmdb_id in changed:      # changed, added, or gone (the filter drops it)
                rows.pop(tmdb_id, None)
                if rng.random() < 0.7:
                    rows[tmdb_id] = row(tmdb_id)
            ordered.drop(changed)
            for tmdb_id in changed & rows.keys():
                ordered.put(rows[tmdb_id], order)
            assert ordered == Ordered.of(list(rows.values()), order), sort


def test_items_and_fields_are_joined_without_parsing():
    item = docs.item(b'{"tmdb_id":1}', b'{"rating":7,"notes":null}')
    assert json.loads(item) == {"movie": {"tmdb_id": 1}, "rating": 7, "notes": None}
    assert json.loads(docs.with_field(b'{"a":1}', "me", {"favorite": True})) == {
        "a": 1, "me": {"favorite": True}}
    assert docs.iso("2026-11-25T13:00:00+01:00") == "2026-11-25T12:00:00+00:00"
    assert docs.library_key("u-1", "fav") == "lib:{u-1}:fav"

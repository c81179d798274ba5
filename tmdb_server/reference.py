"""Fixed reference data: TMDb's movie genres, languages, countries, companies."""
from __future__ import annotations

# TMDb's 19 movie genres, in the order /3/genre/movie/list returns them.
GENRES: dict[int, str] = {
    28: "Action",
    12: "Adventure",
    16: "Animation",
    35: "Comedy",
    80: "Crime",
    99: "Documentary",
    18: "Drama",
    10751: "Family",
    14: "Fantasy",
    36: "History",
    27: "Horror",
    10402: "Music",
    9648: "Mystery",
    10749: "Romance",
    878: "Science Fiction",
    10770: "TV Movie",
    53: "Thriller",
    10752: "War",
    37: "Western",
}

# Relative frequency of each genre on TMDb: Drama and Comedy lead, Western and
# TV Movie are rare.
GENRE_WEIGHTS: dict[int, float] = {
    18: 0.40, 35: 0.30, 53: 0.17, 28: 0.16, 10749: 0.13, 27: 0.11, 80: 0.11,
    12: 0.09, 99: 0.06, 878: 0.07, 10751: 0.07, 9648: 0.06, 14: 0.06, 16: 0.05,
    10402: 0.035, 36: 0.035, 10752: 0.025, 10770: 0.012, 37: 0.012,
}

# iso_639_1 -> (english_name, native name), as TMDb's spoken_languages carry them.
LANGUAGES: dict[str, tuple[str, str]] = {
    "en": ("English", "English"),
    "fr": ("French", "Français"),
    "es": ("Spanish", "Español"),
    "ja": ("Japanese", "日本語"),
    "ko": ("Korean", "한국어/조선말"),
    "de": ("German", "Deutsch"),
    "it": ("Italian", "Italiano"),
}

# Share of original languages in the generated catalog.
LANGUAGE_WEIGHTS: dict[str, float] = {
    "en": 0.82, "fr": 0.04, "es": 0.04, "ja": 0.03, "ko": 0.025, "de": 0.02, "it": 0.025,
}

COUNTRIES: dict[str, str] = {
    "US": "United States of America",
    "GB": "United Kingdom",
    "CA": "Canada",
    "AU": "Australia",
    "IE": "Ireland",
    "FR": "France",
    "BE": "Belgium",
    "ES": "Spain",
    "MX": "Mexico",
    "AR": "Argentina",
    "JP": "Japan",
    "KR": "South Korea",
    "DE": "Germany",
    "AT": "Austria",
    "IT": "Italy",
}

# Where films in each original language are usually produced, with weights.
LANGUAGE_COUNTRIES: dict[str, tuple[tuple[str, float], ...]] = {
    "en": (("US", 0.74), ("GB", 0.14), ("CA", 0.06), ("AU", 0.04), ("IE", 0.02)),
    "fr": (("FR", 0.85), ("BE", 0.15)),
    "es": (("ES", 0.55), ("MX", 0.3), ("AR", 0.15)),
    "ja": (("JP", 1.0),),
    "ko": (("KR", 1.0),),
    "de": (("DE", 0.8), ("AT", 0.2)),
    "it": (("IT", 1.0),),
}

# Fictional production companies: (id, name, origin_country, has_logo).
COMPANIES: tuple[tuple[int, str, str, bool], ...] = (
    (1021, "Silver Lantern Pictures", "US", True),
    (1187, "Northlight Studios", "US", True),
    (2045, "Paper Moon Films", "US", False),
    (2311, "Redwood Avenue Entertainment", "US", True),
    (3470, "Blue Harbor Productions", "US", True),
    (4102, "Granite Peak Media", "US", False),
    (4819, "Meridian Line Pictures", "US", True),
    (5577, "Lucky Thirteen Films", "US", False),
    (6120, "Castle Rock Grove", "US", True),
    (6890, "Open Road West", "US", True),
    (7315, "Thames Bridge Films", "GB", True),
    (7702, "Kestrel Pictures", "GB", False),
    (8240, "Maple Leaf Screen", "CA", True),
    (8811, "Southern Cross Films", "AU", False),
    (9034, "Liffey Pictures", "IE", False),
    (10211, "Les Films du Phare", "FR", True),
    (10540, "Studio Canal Saint-Martin", "FR", True),
    (10988, "Productions de la Lune", "FR", False),
    (11406, "Atelier Bruxelles", "BE", False),
    (12033, "Producciones El Faro", "ES", True),
    (12517, "Cine Alborada", "MX", False),
    (12960, "Pampa Films", "AR", False),
    (13402, "Hoshizora Pictures", "JP", True),
    (13877, "Kaze Animation Studio", "JP", True),
    (14315, "Hanul Entertainment", "KR", True),
    (14790, "Baram Pictures", "KR", False),
    (15238, "Nordlicht Filmproduktion", "DE", True),
    (15701, "Donau Film Wien", "AT", False),
    (16155, "Lanterna Magica Film", "IT", True),
    (16622, "Cinecittà Nuova", "IT", False),
)


def genre_name(genre_id: int) -> str | None:
    """The English name of one of TMDb's 19 movie genres, or None."""
    return GENRES.get(genre_id)


def language_entry(iso_639_1: str) -> dict[str, str]:
    """A spoken_languages item, TMDb's shape."""
    english, native = LANGUAGES.get(iso_639_1, (iso_639_1, iso_639_1))
    return {"english_name": english, "iso_639_1": iso_639_1, "name": native}


def country_entry(iso_3166_1: str) -> dict[str, str]:
    """A production_countries item, TMDb's shape."""
    return {"iso_3166_1": iso_3166_1, "name": COUNTRIES.get(iso_3166_1, iso_3166_1)}

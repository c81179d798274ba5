"""TMDb-looking identifiers and paths: image paths, IMDb ids, homepages, companies."""
from __future__ import annotations

import itertools
import re
from random import Random

from .model import Company, Country, Language
from .reference import COMPANIES, LANGUAGE_COUNTRIES, country_entry, language_entry

_PATH_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_COMPANIES_BY_COUNTRY = {
    country: tuple(c for c in COMPANIES if c[2] == country)
    for country in dict.fromkeys(c[2] for c in COMPANIES)
}


def image_path(rng: Random, extension: str = "jpg") -> str:
    """A path like TMDb's: "/" + 27 letters and digits + extension."""
    return "/" + "".join(rng.choices(_PATH_ALPHABET, k=27)) + "." + extension


def maybe_image_path(rng: Random, missing_share: float) -> str | None:
    """An image path, or None for ``missing_share`` of the draws."""
    return None if rng.random() < missing_share else image_path(rng)


def imdb_id(number: int) -> str:
    return f"tt{number:07d}"


def slug(title: str) -> str:
    return _NON_ALNUM.sub("", title.lower())[:40] or "movie"


def homepage(rng: Random, title: str, company: Company | None) -> str:
    """A homepage URL, or "" (TMDb's answer when there is none) for about half."""
    if rng.random() < 0.5:
        return ""
    if company is not None and rng.random() < 0.5:
        return f"https://www.{slug(company.name)}.com/movies/{slug(title)}"
    return f"https://www.{slug(title)}movie.com/"


def company(entry: tuple[int, str, str, bool]) -> Company:
    company_id, name, country, has_logo = entry
    logo = f"/{slug(name)[:20]}{company_id}.png" if has_logo else None
    return Company(id=company_id, name=name, logo_path=logo, origin_country=country)


def production(rng: Random, language: str) -> tuple[tuple[Country, ...], tuple[Company, ...]]:
    """Production countries for a film in ``language``, and companies from them."""
    choices = LANGUAGE_COUNTRIES[language]
    cum = tuple(itertools.accumulate(weight for _, weight in choices))
    main = rng.choices([iso for iso, _ in choices], cum_weights=cum)[0]
    countries = [main]
    if rng.random() < 0.15:
        extra = rng.choice(("US", "GB", "FR", "DE"))
        if extra != main:
            countries.append(extra)
    companies = _companies(rng, countries)
    return tuple(Country(**country_entry(iso)) for iso in countries), companies


def _companies(rng: Random, countries: list[str]) -> tuple[Company, ...]:
    if rng.random() < 0.08:
        return ()
    pool = [c for iso in countries for c in _COMPANIES_BY_COUNTRY.get(iso, ())]
    count = min(len(pool), 1 + int(rng.random() * 3))
    return tuple(company(entry) for entry in rng.sample(pool, count))


def spoken_languages(rng: Random, language: str) -> tuple[Language, ...]:
    """The original language, sometimes with English or another one."""
    codes = [language]
    if rng.random() < 0.2:
        extra = rng.choice(("en", "fr", "es", "de", "it"))
        if extra not in codes:
            codes.append(extra)
    return tuple(Language(**language_entry(code)) for code in codes)

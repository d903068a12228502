"""Country reference data.

ISO 3166-1 from pycountry; groupings from ``surveys/data/countries.csv`` (see its README).
"""

from __future__ import annotations

import csv
import gettext
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry
from django.db import transaction
from django.utils import translation

CLASSIFICATION_FILE = Path(__file__).resolve().parent / "data" / "countries.csv"


@lru_cache(maxsize=1)
def _classifications() -> dict[str, dict[str, str]]:
    if not CLASSIFICATION_FILE.exists():
        return {}
    with CLASSIFICATION_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["alpha3"]: row for row in csv.DictReader(handle)}


@lru_cache(maxsize=16)
def _iso3166_translation(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def localized_country_name(alpha3: str, english_name: str) -> str:
    """The country's name in the active language, from pycountry's ISO 3166-1 catalogues.

    >>> from django.utils import translation
    >>> with translation.override("fr"):
    ...     localized_country_name("DEU", "Germany")
    'Allemagne'
    """
    language = (translation.get_language() or "en").split("-")[0]
    if language == "en":
        return english_name
    return _iso3166_translation(language).gettext(english_name)


def country_rows() -> list[dict[str, Any]]:
    """Every ISO 3166-1 country with its groupings, ready to store."""
    classifications = _classifications()
    rows = []
    for country in pycountry.countries:
        groups = classifications.get(country.alpha_3, {})
        rows.append(
            {
                "alpha3": country.alpha_3,
                "alpha2": country.alpha_2,
                "numeric": country.numeric,
                # common_name ("Bolivia") reads better than the formal name where one exists.
                "name": getattr(country, "common_name", None) or country.name,
                "itu_region": groups.get("itu_region", ""),
                "m49_region": groups.get("m49_region", ""),
                "m49_subregion": groups.get("m49_subregion", ""),
                "income_group": groups.get("income_group", ""),
            }
        )
    return rows


def countries_sync() -> int:
    """Create or update every country; returns how many rows changed. Safe to repeat."""
    from surveys.models import Country

    existing = {country.alpha3: country for country in Country.objects.all()}
    changed = 0
    with transaction.atomic():
        to_create = []
        for row in country_rows():
            current = existing.get(row["alpha3"])
            if current is None:
                to_create.append(Country(**row))
                continue
            if any(getattr(current, field) != value for field, value in row.items()):
                for field, value in row.items():
                    setattr(current, field, value)
                current.save()
                changed += 1
        Country.objects.bulk_create(to_create)
    return changed + len(to_create)


def sync_countries_after_migrate(**kwargs: Any) -> None:
    """post_migrate hook: keep the country table complete on every database."""
    countries_sync()

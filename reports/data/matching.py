"""The regional report's section "Matching demand to providers" (reports.matching_section)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from reports.matching_section import matching_section_data
from surveys.models import Country

__all__ = ["RegionalMatching", "regional_matching"]


@dataclass(frozen=True)
class RegionalMatching:
    """The field of :class:`~reports.data.RegionalReport` the matching section shows."""

    #: The section's data, or None without a framework (no approved assessment in the round).
    matching: Any


def regional_matching(
    *, round: int, framework_code: str | None, region: str, scope: QuerySet[Country], language: str
) -> RegionalMatching:
    """Demand of the countries in ``scope`` matched to the offer catalogue's providers."""
    if not framework_code:
        return RegionalMatching(matching=None)
    return RegionalMatching(
        matching=matching_section_data(
            round_=round,
            framework_code=framework_code,
            region=region,
            countries=list(scope.values_list("alpha3", flat=True)),
            language=language,
        )
    )

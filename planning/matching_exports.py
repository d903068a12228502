"""The matching plan's tables as rows, shared by the CSV and XLSX downloads and the API.

One function per table keeps the three outputs in step (the same columns, codes rather than
translated labels); cells are neutralised by the writers (``csv_cell``, ``stream_xlsx``), so a
provider or offer named ``=HYPERLINK(…)`` is never run as a formula.
"""

from __future__ import annotations

from typing import Any

from planning.matching import MatchingPlan
from tabular.writing import ExportTable

TABLES = ("placements", "unmet", "providers")

PLACEMENT_COLUMNS = [
    "country",
    "itu_region",
    "topic",
    "language",
    "year",
    "offer",
    "provider",
    "participants",
    "cost_usd",
    "holds_share",
]
UNMET_COLUMNS = ["itu_region", "topic", "language", "year", "participants", "reason"]
PROVIDER_COLUMNS = ["provider", "name", "itu_region", "sample", "seats", "used", "utilisation"]


def placement_rows(plan: MatchingPlan, provider: str = "") -> list[list[Any]]:
    """Who is placed where (only with ``provider`` when given), in PLACEMENT_COLUMNS order."""
    return [
        [
            p.country,
            p.region,
            p.indicator,
            p.language,
            p.period,
            p.offer,
            p.provider,
            round(p.participants, 2),
            round(p.cost, 2),
            None if p.frequency is None else round(p.frequency, 4),
        ]
        for p in plan.placements
        if not provider or p.provider == provider
    ]


def unmet_rows(plan: MatchingPlan) -> list[list[Any]]:
    """Demand the plan cannot meet and why (where new centres are needed)."""
    return [
        [r.region, r.indicator, r.language, r.period, round(r.participants, 2), r.reason]
        for r in plan.unmet_rows
    ]


def provider_rows(plan: MatchingPlan) -> list[list[Any]]:
    """Each provider's seats over the plan's years, seats used and utilisation."""
    return [
        [
            p.code,
            p.name,
            p.region,
            p.sample,
            p.seats,
            round(p.used, 2),
            None if p.utilisation is None else round(p.utilisation, 4),
        ]
        for p in plan.providers
    ]


def plan_table(plan: MatchingPlan, table: str, provider: str = "") -> ExportTable:
    """One table of the plan; unknown names give the placements (the page's default)."""
    name = f"matching-{plan.round}-{table if table in TABLES else 'placements'}"
    if table == "unmet":
        return ExportTable(UNMET_COLUMNS, iter(unmet_rows(plan)), name=name)
    if table == "providers":
        return ExportTable(PROVIDER_COLUMNS, iter(provider_rows(plan)), name=name)
    return ExportTable(PLACEMENT_COLUMNS, iter(placement_rows(plan, provider)), name=name)

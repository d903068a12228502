"""The regional report's demand: needs and recommended support by region and income group.

Computed by :func:`planning.services.demand_build` from each country's latest scores, as on the
planner's demand page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from planning.services import Demand, PlanningError, demand_build
from reports.data.lines import DemandLine
from surveys.models import Country
from surveys.models.countries import IncomeGroup, ItuRegion

__all__ = ["RegionalDemand", "regional_demand"]


@dataclass(frozen=True)
class RegionalDemand:
    """The fields of :class:`~reports.data.RegionalReport` the demand section shows."""

    demand: tuple[DemandLine, ...] = ()
    #: (intervention title, countries recommended it, total cost).
    demand_interventions: tuple[tuple[str, int, float], ...] = ()
    #: What the planner noted, or why there is no demand (e.g. no catalogue).
    notes: tuple[str, ...] = ()


def regional_demand(
    *,
    framework_code: str | None,
    budget: float,
    region: str,
    income_group: str,
    countries: QuerySet[Country],
    language: str,
) -> RegionalDemand:
    """Demand by (region, income group) and by intervention; empty without a framework."""
    if not framework_code:
        return RegionalDemand()
    try:
        demand = demand_build(
            framework_code=framework_code,
            budget_per_country=budget,
            region=region,
            income_group=income_group,
            countries=countries,
            language=language,
        )
    except PlanningError as error:
        return RegionalDemand(notes=(str(error),))
    return RegionalDemand(
        demand=_demand_lines(demand),
        demand_interventions=tuple(
            (item.title, item.countries, item.total_cost) for item in demand.interventions
        ),
        notes=tuple(demand.notes),
    )


def _demand_lines(demand: Demand) -> tuple[DemandLine, ...]:
    """One line per (region, income group) group, with the groups' names in words."""
    region_names = dict(ItuRegion.choices)
    income_names = dict(IncomeGroup.choices)
    return tuple(
        DemandLine(
            region=str(region_names.get(group.region, group.region)),
            income_group=str(income_names.get(group.income_group, group.income_group)),
            countries=group.countries,
            need=group.weighted_need,
            recommended=group.recommended,
            cost=group.recommended_cost,
        )
        for group in demand.groups
    )

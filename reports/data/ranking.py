"""The regional report's ranking: which cohort run ranked the countries and what moves the ranks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reports.data.common import run_evaluations
from scoring.influence import RANK_SHIFT, InfluenceLine, influence_lines
from scoring.models import Score, ScoreRun

__all__ = ["RegionalRanking", "regional_ranking"]


@dataclass(frozen=True)
class RegionalRanking:
    """The fields of :class:`~reports.data.RegionalReport` the ranking section adds to the rows."""

    cohort_run_id: int | None
    #: What moves the ranking of the cohort run (Sobol indices of the mean rank shift).
    ranking_influence: tuple[InfluenceLine, ...]
    ranking_influence_evaluations: int


def regional_ranking(cohorts: Mapping[int, Score]) -> RegionalRanking:
    """The newest cohort run among the countries' rows, and its sensitivity of the ranks."""
    cohort_runs = {row.run_id for row in cohorts.values()}
    uncertainty = (
        ScoreRun.objects.filter(pk=max(cohort_runs)).values_list("uncertainty", flat=True).first()
        if cohort_runs
        else None
    )
    return RegionalRanking(
        cohort_run_id=max(cohort_runs) if cohort_runs else None,
        ranking_influence=tuple(influence_lines(uncertainty, RANK_SHIFT)),
        ranking_influence_evaluations=run_evaluations(uncertainty),
    )

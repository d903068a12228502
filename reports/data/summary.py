"""The country report's executive summary: overall score, rank in the round, largest gaps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from reports.data.common import CountryContext, latest_cohort_rows, score_line
from reports.data.lines import TOP_GAPS, PillarSection, ScoreLine
from reports.data.shared import shared
from scoring.models import Score, ScoreLevel

__all__ = ["CountrySummary", "country_summary"]


@dataclass(frozen=True)
class CountrySummary:
    """The fields of :class:`~reports.data.CountryReport` the executive summary shows."""

    overall: ScoreLine
    top_gaps: tuple[ScoreLine, ...]
    rank_low: float | None = None
    rank_median: float | None = None
    rank_high: float | None = None
    cohort_size: int = 0
    cohort_run_id: int | None = None
    counts: Mapping[str, int] = field(default_factory=dict)


def country_summary(context: CountryContext, sections: Sequence[PillarSection]) -> CountrySummary:
    """The overall line, the rank among the latest cohort run and the largest gaps."""
    overall_row = context.by_key.get((ScoreLevel.OVERALL, "overall"))
    cohort = latest_cohort_rows([context.assessment.pk]).get(context.assessment.pk)
    return CountrySummary(
        overall=score_line(overall_row, "overall", context.text["overall"], context.stages),
        top_gaps=_top_gaps(sections),
        rank_low=None if cohort is None else cohort.rank_low,
        rank_median=None if cohort is None else cohort.rank_median,
        rank_high=None if cohort is None else cohort.rank_high,
        cohort_size=_cohort_size(cohort),
        cohort_run_id=None if cohort is None else cohort.run_id,
        counts=dict((overall_row.explanation if overall_row else {}).get("counts", {})),
    )


def _top_gaps(sections: Sequence[PillarSection]) -> tuple[ScoreLine, ...]:
    """The indicators with the largest positive gaps, largest first (ties by code)."""
    gaps = [line for section in sections for line in section.indicators if (line.gap or 0.0) > 0]
    return tuple(sorted(gaps, key=lambda line: (-(line.gap or 0.0), line.code))[:TOP_GAPS])


def _cohort_size(cohort: Score | None) -> int:
    """How many countries the cohort run ranked (0 without a cohort run)."""
    if cohort is None:
        return 0
    return shared(
        ("cohort-size", cohort.run_id),
        lambda: Score.objects.filter(run_id=cohort.run_id, level=ScoreLevel.OVERALL).count(),
    )

"""The country's scores over the rounds, for the trend chart of the report's charts section."""

from __future__ import annotations

from dataclasses import dataclass

from reports.data.common import CountryContext, latest_single_runs
from scoring.models import Score, ScoreLevel
from surveys.frameworks.spec import translate
from surveys.models import Assessment

__all__ = ["CountryTrend", "country_trend"]


@dataclass(frozen=True)
class CountryTrend:
    """The fields of :class:`~reports.data.CountryReport` the trend chart draws."""

    trend_rounds: tuple[int, ...] = ()
    #: (series name, score of each round) for the overall score and each pillar.
    trend_series: tuple[tuple[str, tuple[float | None, ...]], ...] = ()


def country_trend(context: CountryContext) -> CountryTrend:
    """Overall and pillar scores of the latest run of each round, same framework code."""
    spec = context.spec
    assessments = {
        a.pk: a.round
        for a in Assessment.objects.filter(country=context.country, framework__code=spec.code).only(
            "pk", "round"
        )
    }
    latest = latest_single_runs(assessments)
    if not latest:
        return CountryTrend()
    by_round: dict[int, dict[str, float | None]] = {}
    for row in Score.objects.filter(
        run_id__in=list(latest.values()), level__in=[ScoreLevel.OVERALL, ScoreLevel.PILLAR]
    ).only("assessment_id", "run_id", "code", "score"):
        if latest.get(row.assessment_id) == row.run_id:
            by_round.setdefault(assessments[row.assessment_id], {})[row.code] = row.score
    rounds = tuple(sorted(by_round))
    names = [("overall", context.text["overall"])] + [
        (pillar.code, translate(pillar.title, context.language)) for pillar in spec.pillars
    ]
    series = tuple((name, tuple(by_round[r].get(code) for r in rounds)) for code, name in names)
    return CountryTrend(trend_rounds=rounds, trend_series=series)

"""The regional report's countries: which assessment each shows, its scores and its rank.

The rows feed both the heat map (countries × pillars) and the ranking table of
:func:`reports.pdf.regional_report_pdf`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db.models import QuerySet

from reports.data.common import SCORE_COLUMNS, latest_single_runs, score_line
from reports.data.lines import CountryRow, ScoreLine
from scoring.models import Score, ScoreLevel
from surveys.frameworks.spec import FrameworkSpec
from surveys.models import Assessment, AssessmentState, Country, Framework

__all__ = ["RoundAssessments", "country_rows", "round_assessments", "round_scores"]

#: Assessment id → (level, code) → that node's score row.
RoundScores = Mapping[int, Mapping[tuple[str, str], Score]]


@dataclass(frozen=True)
class RoundAssessments:
    """The scored assessments of a round the regional report shows, all of one framework code.

    ``spec`` is the newest version's (its pillars head the columns); None when none is scored.
    """

    assessments: tuple[Assessment, ...]
    latest_runs: Mapping[int, int]
    framework_code: str | None
    spec: FrameworkSpec | None


def round_assessments(
    scope: QuerySet[Country], round: int, framework_code: str | None
) -> RoundAssessments:
    """The round's assessments with a complete run, of ``framework_code`` or the most used one."""
    assessments = Assessment.objects.filter(country__in=scope, round=round).select_related(
        "country"
    )
    if framework_code:
        assessments = assessments.filter(framework__code=framework_code)
    latest = latest_single_runs(assessments.values_list("pk", flat=True))
    chosen = list(assessments.filter(pk__in=latest))
    # One instance per framework: joining it to every assessment decoded its whole definition
    # (five JSON columns) once per country, 3 s of the page for 200 countries.
    frameworks = Framework.objects.in_bulk({a.framework_id for a in chosen})
    for assessment in chosen:
        assessment.framework = frameworks[assessment.framework_id]
    if chosen and not framework_code:
        framework_code = _most_used_framework(chosen)
    chosen = [a for a in chosen if a.framework.code == framework_code]
    # One framework code, possibly several versions: take the newest version's pillars.
    spec = (
        max((a.framework for a in chosen), key=lambda f: (f.created_at, f.pk)).spec
        if chosen
        else None
    )
    return RoundAssessments(tuple(chosen), latest, framework_code, spec)


def _most_used_framework(assessments: Sequence[Assessment]) -> str:
    """The framework code most assessments use (the first in alphabetical order on a tie)."""
    counts: dict[str, int] = defaultdict(int)
    for assessment in assessments:
        counts[assessment.framework.code] += 1
    return max(sorted(counts), key=lambda code: counts[code])


def round_scores(chosen: RoundAssessments) -> dict[int, dict[tuple[str, str], Score]]:
    """The overall and pillar rows of each assessment's latest run (one query)."""
    scores: dict[int, dict[tuple[str, str], Score]] = defaultdict(dict)
    for row in (
        Score.objects.filter(
            run_id__in=[chosen.latest_runs[a.pk] for a in chosen.assessments],
            level__in=[ScoreLevel.OVERALL, ScoreLevel.PILLAR],
        )
        .select_related("run")
        .only(*SCORE_COLUMNS, "run__created_at")
    ):
        scores[row.assessment_id][(row.level, row.code)] = row
    return scores


def country_rows(
    chosen: RoundAssessments,
    scores: RoundScores,
    cohorts: Mapping[int, Score],
    stages: Mapping[str, str],
    text: Mapping[str, str],
) -> tuple[CountryRow, ...]:
    """One row per country, best overall score first; countries without one last, by name."""
    rows = [
        _country_row(assessment, chosen, scores, cohorts.get(assessment.pk), stages, text)
        for assessment in chosen.assessments
    ]
    rows.sort(key=lambda row: (row.overall.score is None, -(row.overall.score or 0.0), row.name))
    return tuple(rows)


def _country_row(
    assessment: Assessment,
    chosen: RoundAssessments,
    scores: RoundScores,
    cohort: Score | None,
    stages: Mapping[str, str],
    text: Mapping[str, str],
) -> CountryRow:
    found = scores.get(assessment.pk, {})
    country = assessment.country
    overall = score_line(
        found.get((ScoreLevel.OVERALL, "overall")), "overall", text["overall"], stages
    )
    spec = chosen.spec
    return CountryRow(
        alpha3=country.alpha3,
        name=country.display_name,
        region=country.get_itu_region_display() if country.itu_region else "—",
        income_group=country.get_income_group_display() if country.income_group else "—",
        overall=overall,
        pillar_scores=tuple(
            getattr(found.get((ScoreLevel.PILLAR, pillar.code)), "score", None)
            for pillar in spec.pillars
        )
        if spec
        else (),
        run_id=chosen.latest_runs[assessment.pk],
        rank_low=None if cohort is None else cohort.rank_low,
        rank_median=None if cohort is None else cohort.rank_median,
        rank_high=None if cohort is None else cohort.rank_high,
        unranked_reason=_unranked_reason(assessment, cohort, overall, text),
    )


def _unranked_reason(
    assessment: Assessment, cohort: Score | None, overall: ScoreLine, text: Mapping[str, str]
) -> str:
    """Why ``assessment`` has no rank in the round's ranking ("" when it has one).

    Ranks come from a cohort run, which compares approved assessments with an overall score
    (``scoring.services.cohort_assessments``).
    """
    if cohort is not None and cohort.rank_median is not None:
        return ""
    if overall.insufficient or overall.score is None:
        return text["unranked_insufficient"]
    if assessment.state != AssessmentState.APPROVED:
        return text["unranked_not_approved"].format(state=assessment.get_state_display())
    return text["unranked_after_ranking"]

"""What several report sections read: the chosen runs, score rows as lines, dates and labels.

:class:`CountryContext` gathers, once per country report, the assessment, its run, the
framework and the run's score rows, so each section of :mod:`reports.data` builds from it
without querying them again.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, QuerySet
from django.utils import formats
from django.utils.translation import gettext as _

from charts.texts import country_text, report_languages
from reports.data.lines import ReportError, ScoreLine
from scoring.models import RunKind, RunStatus, Score, ScoreLevel, ScoreRun
from surveys.frameworks.spec import FrameworkSpec, translate
from surveys.models import Assessment, Country

__all__ = [
    "SCORE_COLUMNS",
    "CountryContext",
    "check_language",
    "country_context",
    "day_text",
    "latest_cohort_rows",
    "latest_single_runs",
    "run_evaluations",
    "score_line",
    "scored_rounds",
    "section_fields",
    "stage_labels",
    "status_labels",
]

#: The Score columns the report pages read (with ``run__created_at``); nothing else is loaded.
SCORE_COLUMNS = (
    "assessment_id",
    "run_id",
    "level",
    "code",
    "score",
    "target",
    "gap",
    "coverage",
    "stage",
    "insufficient",
    "interval_low",
    "interval_median",
    "interval_high",
    "effective_weight",
    "rank_low",
    "rank_median",
    "rank_high",
)


@dataclass(frozen=True)
class CountryContext:
    """What every section of one country report reads, fetched once.

    ``by_key`` maps ``(level, code)`` to the run's score row of that node.
    """

    country: Country
    assessment: Assessment
    run: ScoreRun
    spec: FrameworkSpec
    language: str
    text: Mapping[str, str]
    stages: Mapping[str, str]
    scores: tuple[Score, ...]
    by_key: Mapping[tuple[str, str], Score]


def day_text(day: datetime.date) -> str:
    """A date in the active language's long form: "28 novembre 2026", "Nov. 28, 2026".

    Examples
    --------
    >>> from django.utils import translation
    >>> with translation.override("fr"):
    ...     day_text(datetime.date(2026, 11, 28))
    '28 novembre 2026'
    """
    return formats.date_format(day, "DATE_FORMAT")


def section_fields(section: Any) -> dict[str, Any]:
    """A section's dataclass fields by name, shallow (nested dataclasses stay as they are).

    Each section names its fields as the report dataclass does, so the report is assembled
    as ``CountryReport(**section_fields(cover), **section_fields(summary), ...)``.
    """
    return {item.name: getattr(section, item.name) for item in dataclasses.fields(section)}


def stage_labels(spec: FrameworkSpec, language: str) -> dict[str, str]:
    """Stage code → the stage's label in ``language``."""
    return {stage.code: translate(stage.label, language) for stage in spec.scoring.stages}


def score_line(
    row: Score | None, code: str, title: str, stages: Mapping[str, str], pillar_title: str = ""
) -> ScoreLine:
    """A score row as a :class:`ScoreLine`; no row reads as insufficient data."""
    if row is None:
        return ScoreLine(code=code, title=title, score=None, insufficient=True)
    return ScoreLine(
        code=code,
        title=title,
        score=row.score,
        target=row.target,
        gap=row.gap,
        coverage=row.coverage,
        stage=stages.get(row.stage, row.stage),
        insufficient=row.insufficient or row.score is None,
        interval_low=row.interval_low,
        interval_high=row.interval_high,
        effective_weight=row.effective_weight,
        pillar_title=pillar_title,
        outside_interval=row.outside_interval,
    )


def status_labels() -> dict[str, str]:
    """Answer status → its label in the active language."""
    return {
        "answered": _("Answered"),
        "dont_know": _("Don't know"),
        "not_applicable": _("Not applicable"),
        "missing": _("No answer"),
    }


def latest_single_runs(assessments: Iterable[int]) -> dict[int, int]:
    """Assessment id → id of its latest complete single-assessment run (one query)."""
    return dict(
        ScoreRun.objects.filter(
            assessment_id__in=list(assessments), kind=RunKind.SINGLE, status=RunStatus.COMPLETE
        )
        .values("assessment_id")
        .annotate(latest=Max("pk"))
        .values_list("assessment_id", "latest")
    )


def latest_cohort_rows(assessment_ids: Sequence[int]) -> dict[int, Score]:
    """Overall rows, with ranks, of the latest complete cohort run holding each assessment."""
    rows: dict[int, Score] = {}
    for row in (
        Score.objects.filter(
            assessment_id__in=list(assessment_ids),
            level=ScoreLevel.OVERALL,
            run__kind=RunKind.COHORT,
            run__status=RunStatus.COMPLETE,
        )
        .select_related("run")
        # Only the columns the pages read: a cohort run's stored inputs and P(i above j)
        # matrix grow with the square of the countries (hundreds of MiB for 200 countries).
        .only(*SCORE_COLUMNS, "run__created_at")
        .order_by("-run_id")
    ):
        rows.setdefault(row.assessment_id, row)
    return rows


def scored_rounds(
    country: Country | None = None, *, countries: QuerySet[Country] | None = None
) -> list[int]:
    """Rounds, newest first, with a complete score run for ``country`` or among ``countries``."""
    runs = ScoreRun.objects.filter(
        kind=RunKind.SINGLE, status=RunStatus.COMPLETE, assessment__isnull=False
    )
    if country is not None:
        runs = runs.filter(assessment__country=country)
    if countries is not None:
        runs = runs.filter(assessment__country__in=countries)
    return sorted(set(runs.values_list("assessment__round", flat=True)), reverse=True)


def check_language(language: str) -> None:
    """Refuse a language the reports are not written in, naming the ones they are."""
    known = report_languages()
    if language not in known:
        raise ReportError(
            f"Unknown report language {language!r}; choose one of {', '.join(known)}."
        )


def run_evaluations(uncertainty: Mapping[str, Any] | None) -> int:
    """How many recomputations the run's sensitivity analysis made (0 without one)."""
    sensitivity = (uncertainty or {}).get("sensitivity") or {}
    return int(sensitivity.get("n_evaluations", 0))


def _choose_assessment(country: Country, round: int | None) -> tuple[Assessment, ScoreRun]:
    """The country's assessment of ``round`` (else the latest scored round) and its run."""
    # The framework's definition (its whole questionnaire as JSON, about 10 ms to decode) is
    # left out: the spec is rebuilt from it only when the process has not kept it already
    # (Framework.spec, by digest), and then read on demand.
    candidates = (
        Assessment.objects.filter(country=country)
        .select_related("country", "framework")
        .defer("framework__definition")
    )
    if round is not None:
        candidates = candidates.filter(round=round)
    latest = latest_single_runs(candidates.values_list("pk", flat=True))
    if not latest:
        where = f" in round {round}" if round is not None else ""
        raise ReportError(f"{country.name} has no scored assessment{where} yet.")
    chosen = max(candidates.filter(pk__in=latest), key=lambda a: (a.round, latest[a.pk], a.pk))
    # The run's inputs (every answer value, as JSON) are not shown in the report.
    run = ScoreRun.objects.defer("inputs").get(pk=latest[chosen.pk])
    return chosen, run


def country_context(country: Country, language: str, round: int | None) -> CountryContext:
    """The assessment, run, framework and score rows one country report is built from.

    Call it with ``language`` active (the labels are translated here).
    """
    assessment, run = _choose_assessment(country, round)
    spec = assessment.framework.spec
    scores = tuple(Score.objects.filter(run=run, assessment=assessment).order_by("position"))
    return CountryContext(
        country=country,
        assessment=assessment,
        run=run,
        spec=spec,
        language=language,
        text=country_text(),
        stages=stage_labels(spec, language),
        scores=scores,
        by_key={(row.level, row.code): row for row in scores},
    )

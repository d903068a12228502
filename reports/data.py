"""Everything a report or dashboard shows, as plain frozen dataclasses built from the database.

"Fetch, then render": :func:`country_report_data` and :func:`regional_report_data` read the
database in a bounded number of queries and return a :class:`CountryReport` or
:class:`RegionalReport` holding only plain values (strings, floats, tuples). Every fixed string
is translated here, under ``translation.override(language)``, so :mod:`reports.pdf` and the
batch workers need neither the ORM nor an active language: the dataclasses pickle and render
anywhere. The charts of both the PDF and the dashboards come from :mod:`reports.figures`,
which reads the dataclasses only; the words come from :mod:`charts.texts`.

Numbers stay floats; :func:`charts.texts.format_number` and ``format_money`` print them with
the report's separators (``54.9`` in English, ``54,9`` in French).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, QuerySet
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from charts import ChartText
from charts.texts import (
    chart_text,
    country_text,
    format_number,
    regional_text,
    report_languages,
)
from planning.models import Intervention
from reports.peers import CountryPeers, country_peers_data
from scoring.influence import RANK_SHIFT, InfluenceLine, influence_lines, input_label
from scoring.methodology import methodology_annex
from scoring.models import (
    AgreementResult,
    AgreementScope,
    RunKind,
    RunStatus,
    Score,
    ScoreLevel,
    ScoreRun,
)
from surveys.answer_text import answer_text, localized_number
from surveys.frameworks.spec import FrameworkSpec, translate
from surveys.models import Answer, Assessment, AssessmentState, Country, Evidence, Framework

__all__ = [
    "DEFAULT_BUDGET",
    "AgreementLine",
    "AnswerLine",
    "CountryReport",
    "CountryRow",
    "DemandLine",
    "EvidenceLine",
    "InterventionLine",
    "PillarSection",
    "PriorityLine",
    "RegionalReport",
    "ReportError",
    "ScoreLine",
    "country_report_data",
    "day_text",
    "regional_report_data",
    "scored_rounds",
]

#: Budget (USD) of the recommended portfolio when the caller names none; the planner pages'
#: default, so a report and the planner page recommend the same thing.
DEFAULT_BUDGET = 1_000_000.0
TOP_GAPS = 5


class ReportError(ValueError):
    """A report that cannot be built, with a message that says why (e.g. no scores yet)."""


@dataclass(frozen=True)
class ScoreLine:
    """One node's numbers: overall, a pillar or an indicator."""

    code: str
    title: str
    score: float | None
    target: float | None = None
    gap: float | None = None
    coverage: float | None = None
    stage: str = ""
    insufficient: bool = False
    interval_low: float | None = None
    interval_high: float | None = None
    effective_weight: float | None = None
    pillar_title: str = ""
    #: "above" or "below" when the score lies outside its own interval (Score.outside_interval).
    outside_interval: str = ""


@dataclass(frozen=True)
class AnswerLine:
    question_code: str
    question: str
    answer: str
    status: str
    justification: str
    score: float | None


@dataclass(frozen=True)
class EvidenceLine:
    question_code: str
    label: str
    location: str


@dataclass(frozen=True)
class AgreementLine:
    alpha: float | None
    rwg: float | None
    respondents: int
    low_agreement: bool
    interval_low: float | None
    interval_high: float | None


@dataclass(frozen=True)
class PillarSection:
    pillar: ScoreLine
    indicators: tuple[ScoreLine, ...]
    answers: tuple[AnswerLine, ...]
    evidence: tuple[EvidenceLine, ...]
    agreement: AgreementLine | None = None
    low_agreement_questions: tuple[str, ...] = ()


@dataclass(frozen=True)
class PriorityLine:
    rank: int
    indicator: str
    pillar: str
    gap: float
    priority: float
    intervention: str


@dataclass(frozen=True)
class InterventionLine:
    code: str
    title: str
    kind: str
    cost: float
    duration_months: int
    gain: float
    selected: bool


@dataclass(frozen=True)
class CountryReport:
    """Everything the country report and the country dashboard show, already translated."""

    language: str
    text: Mapping[str, str]
    chart_text: ChartText
    title: str
    subject: str
    author: str
    keywords: tuple[str, ...]
    country_name: str
    alpha3: str
    round: int
    framework_title: str
    framework_code: str
    framework_version: str
    run_id: int
    run_date: str
    seed: int | None
    engine_version: str
    config_digest: str
    inputs_digest: str
    assessment_state: str
    overall: ScoreLine
    pillars: tuple[PillarSection, ...]
    top_gaps: tuple[ScoreLine, ...]
    priorities: tuple[PriorityLine, ...]
    portfolio: tuple[InterventionLine, ...]
    budget: float
    portfolio_cost: float
    portfolio_gain: float
    portfolio_notes: tuple[str, ...]
    methodology: tuple[tuple[str, str], ...]
    pillar_weights: tuple[tuple[str, str, str, str], ...]
    indicator_weights: tuple[tuple[str, str, str, str], ...]
    methodology_text: str = ""
    #: The methodology annex: (choice, what is done, reference) for every methodological choice.
    annex: tuple[tuple[str, str, str], ...] = ()
    rank_low: float | None = None
    rank_median: float | None = None
    rank_high: float | None = None
    cohort_size: int = 0
    cohort_run_id: int | None = None
    trend_rounds: tuple[int, ...] = ()
    trend_series: tuple[tuple[str, tuple[float | None, ...]], ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)
    #: ``run_date`` written the report language's way ("28 novembre 2026"); the run fixes it,
    #: so the PDF stays byte-identical across runs.
    run_date_text: str = ""
    #: What moves the overall score (Sobol indices of the run), largest first.
    influence: tuple[InfluenceLine, ...] = ()
    influence_evaluations: int = 0
    #: The country among its region and income group in official statistics (reports.peers).
    peers: CountryPeers | None = None


@dataclass(frozen=True)
class CountryRow:
    alpha3: str
    name: str
    region: str
    income_group: str
    overall: ScoreLine
    pillar_scores: tuple[float | None, ...]
    run_id: int
    rank_low: float | None = None
    rank_median: float | None = None
    rank_high: float | None = None
    #: Why the country has no rank ("—"), for the reader; "" when it is ranked.
    unranked_reason: str = ""


@dataclass(frozen=True)
class DemandLine:
    region: str
    income_group: str
    countries: int
    need: float
    recommended: int
    cost: float


@dataclass(frozen=True)
class RegionalReport:
    """Everything the regional (portfolio) report and dashboard show, already translated."""

    language: str
    text: Mapping[str, str]
    chart_text: ChartText
    title: str
    subject: str
    author: str
    round: int
    framework_title: str
    framework_code: str
    framework_version: str
    date: str
    region: str
    income_group: str
    pillar_titles: tuple[str, ...]
    rows: tuple[CountryRow, ...]
    demand: tuple[DemandLine, ...]
    demand_interventions: tuple[tuple[str, int, float], ...]
    budget: float
    cohort_run_id: int | None = None
    notes: tuple[str, ...] = ()
    #: ``date`` written the report language's way.
    date_text: str = ""
    #: What moves the ranking of the cohort run (Sobol indices of the mean rank shift).
    ranking_influence: tuple[InfluenceLine, ...] = ()
    ranking_influence_evaluations: int = 0

    @property
    def unranked(self) -> tuple[CountryRow, ...]:
        """The countries shown without a rank ("—"), each with its reason."""
        return tuple(row for row in self.rows if row.unranked_reason)


def day_text(day: datetime.date) -> str:
    """A date in the active language's long form: "28 novembre 2026", "Nov. 28, 2026".

    Examples
    --------
    >>> with translation.override("fr"):
    ...     day_text(datetime.date(2026, 11, 28))
    '28 novembre 2026'
    """
    return formats.date_format(day, "DATE_FORMAT")


def _stage_labels(spec: FrameworkSpec, language: str) -> dict[str, str]:
    return {stage.code: translate(stage.label, language) for stage in spec.scoring.stages}


def _line(
    row: Score | None, code: str, title: str, stages: Mapping[str, str], pillar_title: str = ""
) -> ScoreLine:
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


def _status_labels() -> dict[str, str]:
    return {
        "answered": _("Answered"),
        "dont_know": _("Don't know"),
        "not_applicable": _("Not applicable"),
        "missing": _("No answer"),
    }


def _latest_single_runs(assessments: Iterable[int]) -> dict[int, int]:
    """Assessment id → id of its latest complete single-assessment run (one query)."""
    return dict(
        ScoreRun.objects.filter(
            assessment_id__in=list(assessments), kind=RunKind.SINGLE, status=RunStatus.COMPLETE
        )
        .values("assessment_id")
        .annotate(latest=Max("pk"))
        .values_list("assessment_id", "latest")
    )


#: The Score columns the report pages read (with ``run__created_at``); nothing else is loaded.
_SCORE_COLUMNS = (
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


def _latest_cohort_rows(assessment_ids: Sequence[int]) -> dict[int, Score]:
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
        .only(*_SCORE_COLUMNS, "run__created_at")
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


def _check_language(language: str) -> None:
    known = report_languages()
    if language not in known:
        raise ReportError(
            f"Unknown report language {language!r}; choose one of {', '.join(known)}."
        )


def _choose_assessment(country: Country, round: int | None) -> tuple[Assessment, ScoreRun]:
    candidates = Assessment.objects.filter(country=country).select_related("country", "framework")
    if round is not None:
        candidates = candidates.filter(round=round)
    latest = _latest_single_runs(candidates.values_list("pk", flat=True))
    if not latest:
        where = f" in round {round}" if round is not None else ""
        raise ReportError(f"{country.name} has no scored assessment{where} yet.")
    chosen = max(candidates.filter(pk__in=latest), key=lambda a: (a.round, latest[a.pk], a.pk))
    run = ScoreRun.objects.get(pk=latest[chosen.pk])
    return chosen, run


def _trend(
    country: Country, spec: FrameworkSpec, language: str, text: Mapping[str, str]
) -> tuple[tuple[int, ...], tuple[tuple[str, tuple[float | None, ...]], ...]]:
    assessments = {
        a.pk: a.round
        for a in Assessment.objects.filter(country=country, framework__code=spec.code).only(
            "pk", "round"
        )
    }
    latest = _latest_single_runs(assessments)
    if not latest:
        return (), ()
    by_round: dict[int, dict[str, float | None]] = {}
    for row in Score.objects.filter(
        run_id__in=list(latest.values()), level__in=[ScoreLevel.OVERALL, ScoreLevel.PILLAR]
    ).only("assessment_id", "run_id", "code", "score"):
        if latest.get(row.assessment_id) == row.run_id:
            by_round.setdefault(assessments[row.assessment_id], {})[row.code] = row.score
    rounds = tuple(sorted(by_round))
    names = [("overall", text["overall"])] + [
        (pillar.code, translate(pillar.title, language)) for pillar in spec.pillars
    ]
    series = tuple((name, tuple(by_round[r].get(code) for r in rounds)) for code, name in names)
    return rounds, series


def _portfolio(
    assessment: Assessment,
    scores: Sequence[Score],
    spec: FrameworkSpec,
    language: str,
    budget: float,
) -> tuple[tuple[PriorityLine, ...], tuple[InterventionLine, ...], float, float, tuple[str, ...]]:
    from planning.services import (
        IndicatorGap,
        PillarScore,
        PlanningError,
        ScoreSnapshot,
        country_needs,
        country_portfolio,
    )

    by_key = {(row.level, row.code): row for row in scores}
    indicators = []
    pillar_titles = {pillar.code: translate(pillar.title, language) for pillar in spec.pillars}
    for pillar, _sub, indicator in spec.iter_indicators_with_parents():
        row = by_key.get((ScoreLevel.INDICATOR, indicator.code))
        score = None if row is None else row.score
        target = indicator.target if row is None or row.target is None else row.target
        gap = None if score is None else (row.gap if row.gap is not None else target - score)
        indicators.append(
            IndicatorGap(
                code=indicator.code,
                title=translate(indicator.title, language),
                pillar_code=pillar.code,
                score=score,
                target=target,
                gap=None if gap is None else max(0.0, gap),
                relative_gap=None if gap is None or target <= 0 else max(0.0, gap) / target,
                effective_weight=(row.effective_weight or 0.0) if row is not None else 0.0,
                stage=row.stage if row is not None else "",
            )
        )
    pillars = tuple(
        PillarScore(
            code=pillar.code,
            title=pillar_titles[pillar.code],
            score=getattr(by_key.get((ScoreLevel.PILLAR, pillar.code)), "score", None),
            gap=getattr(by_key.get((ScoreLevel.PILLAR, pillar.code)), "gap", None),
        )
        for pillar in spec.pillars
    )
    overall = by_key.get((ScoreLevel.OVERALL, "overall"))
    snapshot = ScoreSnapshot(
        country=assessment.country,
        assessment=assessment,
        run_id=scores[0].run_id if scores else 0,
        seed=None,
        spec=spec,
        overall=None if overall is None else overall.score,
        overall_stage="" if overall is None else overall.stage,
        indicators=tuple(indicators),
        pillars=pillars,
    )
    interventions = list(Intervention.objects.filter(framework_code=spec.code, active=True))
    titles = {item.code: translate(item.title, language) for item in interventions}
    needs = country_needs(snapshot=snapshot, interventions=interventions)
    priorities = tuple(
        PriorityLine(
            rank=row.rank,
            indicator=row.indicator.title,
            pillar=pillar_titles.get(row.indicator.pillar_code, row.indicator.pillar_code),
            gap=float(row.indicator.gap or 0.0),
            priority=row.priority,
            intervention=titles.get(row.cheapest, row.cheapest),
        )
        for row in needs.rows
    )
    if not interventions:
        return priorities, (), 0.0, 0.0, (_("The intervention catalogue is empty."),)
    try:
        portfolio = country_portfolio(
            snapshot=snapshot,
            interventions=interventions,
            budget=budget,
            samples=0,
            language=language,
            compare_greedy=False,
        )
    except PlanningError as error:
        return priorities, (), 0.0, 0.0, (str(error),)
    lines = tuple(
        InterventionLine(
            code=line.code,
            title=line.title,
            kind=line.kind,
            cost=line.cost,
            duration_months=line.duration_months,
            gain=line.standalone_gain,
            selected=line.optimal,
        )
        for line in portfolio.lines
    )
    chosen = [line for line in lines if line.selected]
    return (
        priorities,
        lines,
        sum(line.cost for line in chosen),
        float(portfolio.result.expected_gain),
        tuple(portfolio.notes),
    )


def _methodology(
    run: ScoreRun, spec: FrameworkSpec, language: str, text: Mapping[str, str]
) -> tuple[tuple[str, str], ...]:
    configuration: Mapping[str, Any] = run.configuration or {}
    kinds: dict[str, int] = defaultdict(int)
    for item in configuration.get("items", []):
        kinds[item.get("normalisation", {}).get("kind", "?")] += 1
    kind_names = {
        "goalposts": _("scaled between a threshold and a target (goalposts), capped at 100"),
        "levels": _("maturity levels mapped to fixed scores"),
        "points": _("points of the chosen answers over the maximum points"),
    }
    # Translators: separates the items of a list inside a sentence (" ; " in French).
    normalisation = _("; ").join(
        ngettext("{what}: {count} question", "{what}: {count} questions", count).format(
            what=kind_names.get(kind, kind), count=count
        )
        for kind, count in sorted(kinds.items())
    )
    dont_know = {
        "exclude": _("“Don't know” answers are left out like missing answers."),
        "lowest": _("“Don't know” answers count as the lowest score of the question."),
        "zero": _("“Don't know” answers count as zero."),
    }.get(configuration.get("dont_know_rule", ""), "")
    coverage = configuration.get("min_coverage")
    imputation = configuration.get("imputation")
    missing = " ".join(
        part
        for part in (
            _("“Not applicable” answers are left out of the denominator, never counted as zero."),
            dont_know,
            _(
                "A pillar with answers for less than {share} of its indicator weight (an "
                "indicator counting in proportion to its question weight with answers) shows "
                "“insufficient data” and is left out of the overall score, whose other weights "
                "are rescaled."
            ).format(share=f"{(coverage or 0) * 100:.0f} %" if coverage is not None else "—"),
            _(
                "Missing values are estimated from countries of the same income group ({how})."
            ).format(how=imputation)
            if imputation
            else _("Missing values are not estimated."),
        )
        if part
    )
    aggregation = _("{overall} mean of pillars; pillars and indicators: see the weights table.")
    mean_names = {
        "arithmetic": pgettext("mean", "arithmetic"),
        "geometric": pgettext("mean", "geometric"),
        "harmonic": pgettext("mean", "harmonic"),
        "power": pgettext("mean", "power"),
    }
    overall_method = configuration.get("overall_aggregation", "—")
    aggregation = aggregation.format(overall=mean_names.get(overall_method, overall_method))
    uncertainty = run.uncertainty or {}
    if uncertainty:
        low, high = uncertainty.get("interval", [5.0, 95.0])
        varied = _("; ").join(input_label(name) for name in sorted(uncertainty.get("inputs", {})))
        uncertainty_text = _(
            "Intervals are the {low}th to {high}th percentiles of {samples} Monte Carlo "
            "recomputations that vary: {varied}."
        ).format(
            low=localized_number(low),
            high=localized_number(high),
            samples=uncertainty.get("n_samples", "—"),
            varied=varied,
        )
    else:
        uncertainty_text = _("No uncertainty analysis was run.")
    stages = ", ".join(
        f"{translate(stage.label, language)} ≥ {localized_number(stage.min_score)}"
        for stage in spec.scoring.stages
    )
    return (
        (text["framework_version"], f"{translate(spec.title, language)} {spec.version}"),
        (text["score_run"], str(run.pk)),
        (text["seed"], "—" if run.seed is None else str(run.seed)),
        (text["run_date"], day_text(run.created_at.date())),
        (text["engine_version"], run.engine_version),
        (text["aggregation"], aggregation),
        (text["normalisation"], normalisation or "—"),
        (text["missing_data"], missing),
        (text["uncertainty"], uncertainty_text),
        (text["stages"], stages or "—"),
        (text["config_digest"], run.config_digest or "—"),
        (text["inputs_digest"], run.inputs_digest or "—"),
    )


def country_report_data(
    *,
    country: Country,
    language: str,
    round: int | None = None,
    budget: float = DEFAULT_BUDGET,
) -> CountryReport:
    """Everything the country report shows, for the country's assessment of ``round``.

    The latest round with a complete score run is used when ``round`` is None; within it, the
    latest complete single-assessment run. About a dozen queries whatever the framework's size.

    Raises
    ------
    ReportError
        When the country has no scored assessment (in that round), or the language is unknown.
    """
    _check_language(language)
    with translation.override(language):
        return _country_report_data(country, language, round, budget)


def _country_report_data(
    country: Country, language: str, round: int | None, budget: float
) -> CountryReport:
    assessment, run = _choose_assessment(country, round)
    spec = assessment.framework.spec
    text = country_text()
    stages = _stage_labels(spec, language)
    scores = list(Score.objects.filter(run=run, assessment=assessment).order_by("position"))
    by_key = {(row.level, row.code): row for row in scores}
    answers = {
        answer.question_code: answer for answer in Answer.objects.filter(assessment=assessment)
    }
    evidence_by_question: dict[str, list[Evidence]] = defaultdict(list)
    for item in Evidence.objects.filter(assessment=assessment).order_by("question_code", "pk"):
        evidence_by_question[item.question_code].append(item)
    agreements = {
        (row.scope, row.code): row
        for row in AgreementResult.objects.filter(run=run, assessment=assessment)
    }
    statuses = _status_labels()
    country_name = country.display_name

    sections = []
    for pillar in spec.pillars:
        pillar_title = translate(pillar.title, language)
        pillar_line = _line(
            by_key.get((ScoreLevel.PILLAR, pillar.code)), pillar.code, pillar_title, stages
        )
        # Indicators made only of free-text questions have no score by design: listing them
        # would show "insufficient data" where nothing is missing (their answers are shown).
        indicator_lines = tuple(
            _line(
                by_key.get((ScoreLevel.INDICATOR, indicator.code)),
                indicator.code,
                translate(indicator.title, language),
                stages,
                pillar_title,
            )
            for indicator in pillar.all_indicators
            if indicator.scored
        )
        answer_lines = []
        evidence_lines = []
        for question in pillar.questions:
            answer = answers.get(question.code)
            item = by_key.get((ScoreLevel.ITEM, question.code))
            if answer is not None:
                answer_lines.append(
                    AnswerLine(
                        question_code=question.code,
                        question=translate(question.text, language),
                        answer=answer_text(question, answer.value, language=language),
                        status=statuses.get(answer.status, answer.status),
                        justification=answer.justification,
                        score=None if item is None else item.score,
                    )
                )
            for evidence in evidence_by_question.get(question.code, []):
                evidence_lines.append(
                    EvidenceLine(
                        question_code=question.code,
                        label=evidence.label,
                        location=evidence.url or evidence.original_name,
                    )
                )
        agreement = agreements.get((AgreementScope.PILLAR, pillar.code))
        question_codes = {question.code for question in pillar.questions}
        sections.append(
            PillarSection(
                pillar=pillar_line,
                indicators=indicator_lines,
                answers=tuple(answer_lines),
                evidence=tuple(evidence_lines),
                agreement=None
                if agreement is None
                else AgreementLine(
                    alpha=agreement.alpha,
                    rwg=agreement.rwg,
                    respondents=agreement.respondents,
                    low_agreement=agreement.low_agreement,
                    interval_low=agreement.interval_low,
                    interval_high=agreement.interval_high,
                ),
                low_agreement_questions=tuple(
                    sorted(
                        code
                        for (scope, code), row in agreements.items()
                        if scope == AgreementScope.QUESTION
                        and row.low_agreement
                        and code in question_codes
                    )
                ),
            )
        )

    overall_row = by_key.get((ScoreLevel.OVERALL, "overall"))
    overall = _line(overall_row, "overall", text["overall"], stages)
    gaps = [line for section in sections for line in section.indicators if (line.gap or 0.0) > 0]
    top_gaps = tuple(sorted(gaps, key=lambda line: (-(line.gap or 0.0), line.code))[:TOP_GAPS])
    priorities, portfolio, cost, gain, notes = _portfolio(
        assessment, scores, spec, language, budget
    )
    cohort = _latest_cohort_rows([assessment.pk]).get(assessment.pk)
    trend_rounds, trend_series = _trend(country, spec, language, text)
    configuration = run.configuration or {}
    pillar_nodes = {
        node["code"]: node
        for level in configuration.get("levels", [])
        for node in level.get("nodes", [])
    }
    pillar_weights = tuple(
        (
            section.pillar.title,
            localized_number(pillar_nodes.get(section.pillar.code, {}).get("weight", 1.0)),
            format_number(
                None
                if section.pillar.effective_weight is None
                else section.pillar.effective_weight * 100,
                text,
            )
            + " %",
            f"{(pillar_nodes.get(section.pillar.code, {}).get('min_coverage') or configuration.get('min_coverage') or 0) * 100:.0f} %",  # noqa: E501
        )
        for section in sections
    )
    indicator_weights = tuple(
        (
            indicator.code,
            translate(indicator.title, language),
            localized_number(indicator.weight),
            localized_number(indicator.target),
        )
        for indicator in spec.indicators
    )
    title = text["report_title"].format(country=country_name, round=assessment.round)
    counts = dict((overall_row.explanation if overall_row else {}).get("counts", {}))
    return CountryReport(
        peers=country_peers_data(
            alpha3=country.alpha3, spec=spec, language=language, chart_text=chart_text()
        ),
        language=language,
        text=text,
        chart_text=chart_text(),
        title=title,
        subject=_(
            "Scores, gaps and recommended support for {country}, framework {framework}"
        ).format(country=country_name, framework=f"{spec.code} {spec.version}"),
        author=text["author"],
        keywords=(country.alpha3, str(assessment.round), spec.code, spec.version),
        country_name=country_name,
        alpha3=country.alpha3,
        round=assessment.round,
        framework_title=translate(spec.title, language),
        framework_code=spec.code,
        framework_version=spec.version,
        run_id=run.pk,
        run_date=run.created_at.date().isoformat(),
        run_date_text=day_text(run.created_at.date()),
        seed=run.seed,
        engine_version=run.engine_version,
        config_digest=run.config_digest,
        inputs_digest=run.inputs_digest,
        assessment_state=assessment.get_state_display(),
        overall=overall,
        pillars=tuple(sections),
        top_gaps=top_gaps,
        priorities=priorities,
        portfolio=portfolio,
        budget=float(budget),
        portfolio_cost=cost,
        portfolio_gain=gain,
        portfolio_notes=notes,
        methodology=_methodology(run, spec, language, text),
        methodology_text=translate(spec.methodology, language),
        annex=tuple(
            (entry.topic, entry.choice, entry.reference)
            for entry in methodology_annex(spec, language, run=run)
        ),
        pillar_weights=pillar_weights,
        indicator_weights=indicator_weights,
        rank_low=None if cohort is None else cohort.rank_low,
        rank_median=None if cohort is None else cohort.rank_median,
        rank_high=None if cohort is None else cohort.rank_high,
        cohort_size=0
        if cohort is None
        else Score.objects.filter(run_id=cohort.run_id, level=ScoreLevel.OVERALL).count(),
        cohort_run_id=None if cohort is None else cohort.run_id,
        trend_rounds=trend_rounds,
        trend_series=trend_series,
        counts=counts,
        influence=tuple(influence_lines(run.uncertainty, str(assessment.pk))),
        influence_evaluations=_evaluations(run.uncertainty),
    )


def _evaluations(uncertainty: Mapping[str, Any] | None) -> int:
    """How many recomputations the run's sensitivity analysis made (0 without one)."""
    sensitivity = (uncertainty or {}).get("sensitivity") or {}
    return int(sensitivity.get("n_evaluations", 0))


def regional_report_data(
    *,
    countries: QuerySet[Country],
    language: str,
    round: int,
    region: str = "",
    income_group: str = "",
    framework_code: str | None = None,
    budget: float = DEFAULT_BUDGET,
) -> RegionalReport:
    """Countries × pillars, rank intervals and demand for one round, among ``countries``.

    ``countries`` is what the user may see (:func:`surveys.permissions.visible_countries`);
    ``region`` and ``income_group`` narrow it. The framework is ``framework_code`` or, when
    None, the one most assessments of the round use. Demand comes from
    :func:`planning.services.demand_build` (each country's latest scores).
    """
    _check_language(language)
    with translation.override(language):
        return _regional_report_data(
            countries, language, round, region, income_group, framework_code, budget
        )


def _regional_report_data(
    countries: QuerySet[Country],
    language: str,
    round: int,
    region: str,
    income_group: str,
    framework_code: str | None,
    budget: float,
) -> RegionalReport:
    from planning.services import PlanningError, demand_build
    from surveys.models.countries import IncomeGroup, ItuRegion

    text = regional_text()
    scope = countries
    if region:
        scope = scope.filter(itu_region=region)
    if income_group:
        scope = scope.filter(income_group=income_group)
    assessments = Assessment.objects.filter(country__in=scope, round=round).select_related(
        "country"
    )
    if framework_code:
        assessments = assessments.filter(framework__code=framework_code)
    latest = _latest_single_runs(assessments.values_list("pk", flat=True))
    chosen = [a for a in assessments.filter(pk__in=latest)]
    # One instance per framework: joining it to every assessment decoded its whole definition
    # (five JSON columns) once per country, 3 s of the page for 200 countries.
    frameworks = Framework.objects.in_bulk({a.framework_id for a in chosen})
    for assessment in chosen:
        assessment.framework = frameworks[assessment.framework_id]
    if chosen and not framework_code:
        counts: dict[str, int] = defaultdict(int)
        for assessment in chosen:
            counts[assessment.framework.code] += 1
        framework_code = max(sorted(counts), key=lambda code: counts[code])
    chosen = [a for a in chosen if a.framework.code == framework_code]
    # One framework code, possibly several versions: take the newest version's pillars.
    spec = (
        max((a.framework for a in chosen), key=lambda f: (f.created_at, f.pk)).spec
        if chosen
        else None
    )
    stages = _stage_labels(spec, language) if spec else {}
    scores: dict[int, dict[tuple[str, str], Score]] = defaultdict(dict)
    for row in (
        Score.objects.filter(
            run_id__in=[latest[a.pk] for a in chosen],
            level__in=[ScoreLevel.OVERALL, ScoreLevel.PILLAR],
        )
        .select_related("run")
        .only(*_SCORE_COLUMNS, "run__created_at")
    ):
        scores[row.assessment_id][(row.level, row.code)] = row
    cohorts = _latest_cohort_rows([a.pk for a in chosen])
    rows = []
    for assessment in chosen:
        found = scores[assessment.pk]
        cohort = cohorts.get(assessment.pk)
        country = assessment.country
        overall = _line(
            found.get((ScoreLevel.OVERALL, "overall")), "overall", text["overall"], stages
        )
        rows.append(
            CountryRow(
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
                run_id=latest[assessment.pk],
                rank_low=None if cohort is None else cohort.rank_low,
                rank_median=None if cohort is None else cohort.rank_median,
                rank_high=None if cohort is None else cohort.rank_high,
                unranked_reason=_unranked_reason(assessment, cohort, overall, text),
            )
        )
    rows.sort(
        key=lambda row: (
            row.overall.score is None,
            -(row.overall.score or 0.0),
            row.name,
        )
    )
    demand_lines: tuple[DemandLine, ...] = ()
    demand_interventions: tuple[tuple[str, int, float], ...] = ()
    notes: list[str] = []
    if framework_code:
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
            notes.append(str(error))
        else:
            notes.extend(demand.notes)
            region_names = dict(ItuRegion.choices)
            income_names = dict(IncomeGroup.choices)
            demand_lines = tuple(
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
            demand_interventions = tuple(
                (item.title, item.countries, item.total_cost) for item in demand.interventions
            )
    cohort_runs = {row.run_id for row in cohorts.values()}
    cohort_uncertainty = (
        ScoreRun.objects.filter(pk=max(cohort_runs)).values_list("uncertainty", flat=True).first()
        if cohort_runs
        else None
    )
    dates = [row.run.created_at for found in scores.values() for row in found.values()]
    scope_parts = [
        str(dict(ItuRegion.choices).get(region, region)) if region else "",
        str(dict(IncomeGroup.choices).get(income_group, income_group)) if income_group else "",
    ]
    scope_text = " · ".join(part for part in scope_parts if part) or text["all_countries"]
    return RegionalReport(
        language=language,
        text=text,
        chart_text=chart_text(),
        title=text["report_title"].format(round=round),
        subject=text["scope"].format(scope=scope_text),
        author=text["author"],
        round=round,
        framework_title=translate(spec.title, language) if spec else "",
        framework_code=spec.code if spec else "",
        framework_version=spec.version if spec else "",
        date=max(dates).date().isoformat() if dates else "",
        date_text=day_text(max(dates).date()) if dates else "",
        region=scope_parts[0],
        income_group=scope_parts[1],
        pillar_titles=tuple(translate(pillar.title, language) for pillar in spec.pillars)
        if spec
        else (),
        rows=tuple(rows),
        demand=demand_lines,
        demand_interventions=demand_interventions,
        budget=float(budget),
        cohort_run_id=max(cohort_runs) if cohort_runs else None,
        notes=tuple(notes),
        ranking_influence=tuple(influence_lines(cohort_uncertainty, RANK_SHIFT)),
        ranking_influence_evaluations=_evaluations(cohort_uncertainty),
    )

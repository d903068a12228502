"""What the score page shows, as plain dataclasses built in a fixed number of queries.

:func:`score_page` reads the latest run (1 query), its Score rows (1), its agreement rows (1)
and the latest cohort row with ranks (1), takes titles and answer labels from the framework
spec (no query), and returns a :class:`ScorePage` the template renders as is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from charts import ChartText, gap_bar_chart, radar_chart
from charts.texts import chart_text
from scoring.influence import InfluenceLine, influence_lines
from scoring.models import AgreementResult, AgreementScope, RunStatus, Score, ScoreLevel, ScoreRun
from scoring.services import framework_spec, latest_cohort_score
from surveys.answer_text import answer_text
from surveys.frameworks.spec import FrameworkSpec, translate
from surveys.models import Assessment

__all__ = ["AnswerLine", "NodeLine", "ScorePage", "score_page"]

MIN_RADAR_PILLARS = 3


@dataclass
class AnswerLine:
    """One question under an indicator: the answer given and what it contributed."""

    code: str
    text: str
    answer: str
    status: str
    score: float | None
    weight: float
    effective_weight: float | None
    imputed: bool
    source: str


@dataclass
class NodeLine:
    """A pillar, sub-pillar or indicator with its numbers and how they came about."""

    level: str
    code: str
    title: str
    score: Score
    stage: str
    children: list[NodeLine] = field(default_factory=list)
    answers: list[AnswerLine] = field(default_factory=list)
    aggregation: str = ""
    agreement: AgreementResult | None = None

    @property
    def excluded(self) -> int:
        return int(self.score.explanation.get("excluded", 0))


@dataclass
class ScorePage:
    assessment: Assessment
    run: ScoreRun | None
    failed_run: ScoreRun | None
    overall: Score | None = None
    overall_stage: str = ""
    pillars: list[NodeLine] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    partial: bool = False
    cohort: Score | None = None
    cohort_size: int = 0
    agreement: AgreementResult | None = None
    flagged_questions: list[AgreementResult] = field(default_factory=list)
    #: What moves the overall score: one line per method choice, largest total index first.
    influence: list[InfluenceLine] = field(default_factory=list)
    radar_svg: SafeString | None = None
    gap_svg: SafeString | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def has_intervals(self) -> bool:
        return self.overall is not None and self.overall.interval_low is not None


def _chart_text() -> ChartText:
    # The charts' words come from the reports app, which draws the same charts in the PDF, so
    # every field (labels, titles, "score (target …)") is translated in one place.
    return chart_text()


def _stage_labels(spec: FrameworkSpec, language: str) -> dict[str, str]:
    labels = {stage.code: translate(stage.label, language) for stage in spec.scoring.stages}
    return labels


def _status_label(status: str) -> str:
    labels = {
        "answered": _("Answered"),
        "dont_know": _("Don't know"),
        "not_applicable": _("Not applicable"),
        "missing": _("No answer"),
    }
    return labels.get(status, status)


def _titles(spec: FrameworkSpec, language: str) -> dict[tuple[str, str], str]:
    titles: dict[tuple[str, str], str] = {}
    for pillar in spec.pillars:
        titles[(ScoreLevel.PILLAR, pillar.code)] = translate(pillar.title, language)
        for sub in pillar.sub_pillars:
            titles[(ScoreLevel.SUB_PILLAR, sub.code)] = translate(sub.title, language)
    for indicator in spec.indicators:
        titles[(ScoreLevel.INDICATOR, indicator.code)] = translate(indicator.title, language)
    return titles


def _answers(
    spec: FrameworkSpec, node: Score, items: dict[str, Score], language: str
) -> list[AnswerLine]:
    lines = []
    for child in node.explanation.get("children", []):
        item = items.get(child["code"])
        question = spec.questions_by_code.get(child["code"])
        if item is None or question is None:
            continue
        explanation: dict[str, Any] = item.explanation
        status = explanation.get("status", "missing")
        source = explanation.get("source", "answer")
        answer = answer_text(question, explanation.get("value"), language=language)
        if source == "statistic":
            statistic = explanation.get("statistic", {})
            answer = _("%(value)s (statistic: %(source)s, %(year)s)") % {
                "value": answer,
                "source": statistic.get("source", ""),
                "year": statistic.get("year", ""),
            }
        lines.append(
            AnswerLine(
                code=question.code,
                text=translate(question.text, language),
                answer=answer,
                status=_status_label(status),
                score=item.score,
                weight=float(explanation.get("weight", 0.0)),
                effective_weight=item.effective_weight,
                imputed=item.imputed,
                source=source,
            )
        )
    return lines


def _charts(page: ScorePage) -> None:
    text = _chart_text()
    pillars = page.pillars
    if len(pillars) >= MIN_RADAR_PILLARS:
        chart = radar_chart(
            [line.title for line in pillars],
            [line.score.score for line in pillars],
            [line.score.target for line in pillars],
            text=text,
        )
        page.radar_svg = mark_safe(chart.svg(element_id="radar-chart"))  # noqa: S308  # nosec B308 B703  # minidom escaped every text
    indicators = [child for line in pillars for child in _leaves(line)]
    if indicators:
        chart = gap_bar_chart(
            [line.title for line in indicators],
            [line.score.gap for line in indicators],
            text=text,
            label_header=_("Indicator"),
        )
        page.gap_svg = mark_safe(chart.svg(element_id="gap-chart"))  # noqa: S308  # nosec B308 B703  # minidom escaped every text


def _leaves(line: NodeLine) -> list[NodeLine]:
    if line.level == ScoreLevel.INDICATOR:
        return [line]
    return [leaf for child in line.children for leaf in _leaves(child)]


def score_page(assessment: Assessment, *, language: str) -> ScorePage:
    """Everything the assessment's score page shows (a fixed number of queries)."""
    runs = list(
        ScoreRun.objects.filter(assessment=assessment)
        .select_related("created_by")
        .order_by("-created_at", "-pk")[:10]
    )
    run = next((r for r in runs if r.status == RunStatus.COMPLETE), None)
    failed = runs[0] if runs and runs[0].status == RunStatus.FAILED else None
    page = ScorePage(assessment=assessment, run=run, failed_run=failed)
    if run is None:
        return page
    spec = framework_spec(assessment.framework)
    stages = _stage_labels(spec, language)
    titles = _titles(spec, language)
    scores = list(Score.objects.filter(run=run, assessment=assessment).order_by("position"))
    by_key = {(row.level, row.code): row for row in scores}
    items = {row.code: row for row in scores if row.level == ScoreLevel.ITEM}
    agreements = list(AgreementResult.objects.filter(run=run, assessment=assessment))
    agreement_of = {(a.scope, a.code): a for a in agreements}
    page.agreement = agreement_of.get((AgreementScope.ASSESSMENT, ""))
    page.flagged_questions = [
        a for a in agreements if a.scope == AgreementScope.QUESTION and a.low_agreement
    ]

    def node(level: str, code: str) -> NodeLine | None:
        row = by_key.get((level, code))
        if row is None:
            return None
        line = NodeLine(
            level=level,
            code=code,
            title=titles.get((level, code), code),
            score=row,
            stage=stages.get(row.stage, row.stage),
            aggregation=row.explanation.get("aggregation", ""),
        )
        if level == ScoreLevel.INDICATOR:
            line.answers = _answers(spec, row, items, language)
        return line

    for pillar in spec.pillars:
        line = node(ScoreLevel.PILLAR, pillar.code)
        if line is None:
            continue
        line.agreement = agreement_of.get((AgreementScope.PILLAR, pillar.code))
        for sub in pillar.sub_pillars:
            sub_line = node(ScoreLevel.SUB_PILLAR, sub.code)
            if sub_line is None:
                continue
            sub_line.children = [
                child
                for indicator in sub.indicators
                if (child := node(ScoreLevel.INDICATOR, indicator.code)) is not None
            ]
            line.children.append(sub_line)
        line.children += [
            child
            for indicator in pillar.indicators
            if (child := node(ScoreLevel.INDICATOR, indicator.code)) is not None
        ]
        page.pillars.append(line)
    page.overall = by_key.get((ScoreLevel.OVERALL, "overall"))
    if page.overall is not None:
        page.overall_stage = stages.get(page.overall.stage, page.overall.stage)
        page.counts = dict(page.overall.explanation.get("counts", {}))
        page.partial = bool(page.overall.explanation.get("partial"))
    page.cohort = latest_cohort_score(assessment)
    if page.cohort is not None:
        page.cohort_size = len(page.cohort.run.inputs.get("units", []))
    page.warnings = list(run.warnings)
    page.influence = influence_lines(run.uncertainty, str(assessment.pk))
    _charts(page)
    return page

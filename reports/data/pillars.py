"""The pillar sections of the country report: indicators, answers, evidence and agreement."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from reports.data.common import CountryContext, score_line, status_labels
from reports.data.lines import AgreementLine, AnswerLine, EvidenceLine, PillarSection, ScoreLine
from scoring.models import AgreementResult, AgreementScope, ScoreLevel
from surveys.answer_text import answer_text
from surveys.frameworks.spec import PillarSpec, translate
from surveys.models import Answer, Evidence

__all__ = ["pillar_sections"]

#: (scope, code) → the run's agreement result for that pillar or question.
Agreements = Mapping[tuple[str, str], AgreementResult]


def pillar_sections(context: CountryContext) -> tuple[PillarSection, ...]:
    """One section per pillar of the framework, in the framework's order (three queries)."""
    assessment = context.assessment
    answers = {
        answer.question_code: answer for answer in Answer.objects.filter(assessment=assessment)
    }
    evidence: dict[str, list[Evidence]] = defaultdict(list)
    for item in Evidence.objects.filter(assessment=assessment).order_by("question_code", "pk"):
        evidence[item.question_code].append(item)
    agreements = {
        (row.scope, row.code): row
        for row in AgreementResult.objects.filter(run=context.run, assessment=assessment)
    }
    statuses = status_labels()
    return tuple(
        _pillar_section(context, pillar, answers, evidence, agreements, statuses)
        for pillar in context.spec.pillars
    )


def _pillar_section(
    context: CountryContext,
    pillar: PillarSpec,
    answers: Mapping[str, Answer],
    evidence: Mapping[str, list[Evidence]],
    agreements: Agreements,
    statuses: Mapping[str, str],
) -> PillarSection:
    pillar_title = translate(pillar.title, context.language)
    row = context.by_key.get((ScoreLevel.PILLAR, pillar.code))
    return PillarSection(
        pillar=score_line(row, pillar.code, pillar_title, context.stages),
        indicators=_indicator_lines(context, pillar, pillar_title),
        answers=_answer_lines(context, pillar, answers, statuses),
        evidence=_evidence_lines(pillar, evidence),
        agreement=_agreement_line(agreements.get((AgreementScope.PILLAR, pillar.code))),
        low_agreement_questions=_low_agreement_questions(pillar, agreements),
    )


def _indicator_lines(
    context: CountryContext, pillar: PillarSpec, pillar_title: str
) -> tuple[ScoreLine, ...]:
    """The pillar's scored indicators (at any depth), each with its pillar's title."""
    # Indicators made only of free-text questions have no score by design: listing them
    # would show "insufficient data" where nothing is missing (their answers are shown).
    return tuple(
        score_line(
            context.by_key.get((ScoreLevel.INDICATOR, indicator.code)),
            indicator.code,
            translate(indicator.title, context.language),
            context.stages,
            pillar_title,
        )
        for indicator in pillar.all_indicators
        if indicator.scored
    )


def _answer_lines(
    context: CountryContext,
    pillar: PillarSpec,
    answers: Mapping[str, Answer],
    statuses: Mapping[str, str],
) -> tuple[AnswerLine, ...]:
    """The pillar's answered questions, in words, with their item scores."""
    lines = []
    for question in pillar.questions:
        answer = answers.get(question.code)
        if answer is None:
            continue
        item = context.by_key.get((ScoreLevel.ITEM, question.code))
        lines.append(
            AnswerLine(
                question_code=question.code,
                question=translate(question.text, context.language),
                answer=answer_text(question, answer.value, language=context.language),
                status=statuses.get(answer.status, answer.status),
                justification=answer.justification,
                score=None if item is None else item.score,
            )
        )
    return tuple(lines)


def _evidence_lines(
    pillar: PillarSpec, evidence: Mapping[str, list[Evidence]]
) -> tuple[EvidenceLine, ...]:
    """The evidence attached to the pillar's questions, question by question."""
    return tuple(
        EvidenceLine(
            question_code=question.code,
            label=item.label,
            location=item.url or item.original_name,
        )
        for question in pillar.questions
        for item in evidence.get(question.code, [])
    )


def _agreement_line(agreement: AgreementResult | None) -> AgreementLine | None:
    """The pillar's stakeholder agreement, or None when no stakeholder answered it."""
    if agreement is None:
        return None
    return AgreementLine(
        alpha=agreement.alpha,
        rwg=agreement.rwg,
        respondents=agreement.respondents,
        low_agreement=agreement.low_agreement,
        interval_low=agreement.interval_low,
        interval_high=agreement.interval_high,
    )


def _low_agreement_questions(pillar: PillarSpec, agreements: Agreements) -> tuple[str, ...]:
    """Codes, sorted, of the pillar's questions on which stakeholders disagree."""
    question_codes = {question.code for question in pillar.questions}
    return tuple(
        sorted(
            code
            for (scope, code), row in agreements.items()
            if scope == AgreementScope.QUESTION and row.low_agreement and code in question_codes
        )
    )

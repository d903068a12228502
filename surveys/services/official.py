"""An assessment's answers beside the official values of its linked questions.

One function for every reader (reviewers' workspace, API, exports), so the comparison and its
threshold are written once (:data:`officialstats.figures.RELATIVE_THRESHOLD`).
"""

from __future__ import annotations

from officialstats.figures import OfficialComparison, official_comparisons
from surveys.frameworks.spec import translate
from surveys.models import Answer, AnswerStatus, Assessment
from surveys.services.answers import framework_spec
from surveys.wizard.display import answer_display

__all__ = ["assessment_official_comparisons"]


def assessment_official_comparisons(
    assessment: Assessment, *, language: str, answers: list[Answer] | None = None
) -> list[OfficialComparison]:
    """Every linked question that has an official value for the country, with its answer.

    Two queries (answers, official values) unless ``answers`` are given; official values later
    than the assessment's round are left out.
    """
    spec = framework_spec(assessment.framework)
    linked = [question for question in spec.questions if question.official is not None]
    if not linked:
        return []
    codes = {question.code for question in linked}
    if answers is None:
        answers = list(Answer.objects.filter(assessment=assessment, question_code__in=codes))
    by_code = {answer.question_code: answer for answer in answers if answer.question_code in codes}
    values: dict[str, tuple[float | None, str]] = {}
    for question in linked:
        answer = by_code.get(question.code)
        if answer is None:
            continue
        number = (
            float(answer.value)
            if answer.status == AnswerStatus.ANSWERED and isinstance(answer.value, int | float)
            else None
        )
        values[question.code] = (number, answer_display(question, answer, language).value_text)
    return official_comparisons(
        iso3=assessment.country.alpha3,
        questions=linked,
        answers=values,
        texts={question.code: translate(question.text, language) for question in linked},
        up_to_year=assessment.round,
    )

"""An assessment's answers beside the official values of its linked questions.

One function for every reader (reviewers' workspace, API, exports), so the comparison and its
threshold are written once (:data:`officialstats.figures.RELATIVE_THRESHOLD`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from officialstats.figures import (
    OfficialComparison,
    OfficialFigure,
    official_comparisons,
    official_figures_many,
)
from surveys.frameworks.spec import translate
from surveys.models import Answer, AnswerStatus, Assessment
from surveys.services.answers import framework_spec
from surveys.wizard.display import answer_display

__all__ = [
    "assessment_official_comparisons",
    "assessments_official_figures",
    "official_figure_data",
]


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


def assessments_official_figures(
    assessments: Iterable[Assessment],
) -> dict[int, dict[str, OfficialFigure]]:
    """Official values of every assessment's linked questions, by assessment id; one query.

    The assessments need their country and framework loaded (``select_related``) to keep it so.
    """
    requests = []
    for assessment in assessments:
        spec = framework_spec(assessment.framework)
        linked = [question for question in spec.questions if question.official is not None]
        requests.append((assessment.pk, assessment.country.alpha3, linked, assessment.round))
    return official_figures_many(requests)  # type: ignore[return-value]


def official_figure_data(figure: OfficialFigure | None, answer: Any = None) -> dict | None:
    """An official value as the API and JSON exports carry it (None: no official value).

    ``differs`` compares with ``answer`` (a number, or None) using the reviewers' threshold.
    """
    if figure is None:
        return None
    number = answer if isinstance(answer, int | float) and not isinstance(answer, bool) else None
    return {
        "value": figure.value,
        "published_value": figure.published_value,
        "unit": figure.unit,
        "year": figure.year,
        "estimate": figure.estimate,
        "lagged": figure.lagged,
        "differs": None if number is None else figure.differs_from(float(number)),
        "indicator": {"code": figure.indicator_code, "name": figure.indicator_name},
        "source": {
            "code": figure.source_code,
            "name": figure.source_name,
            "publisher": figure.publisher,
            "attribution": figure.attribution,
            "url": figure.url,
        },
    }

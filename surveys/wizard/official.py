"""Official values in the questionnaire: shown beside linked questions, used in one action.

The step template includes ``officialstats/_official_value.html`` beside each question that has
an official value; its button posts ``wizard_action=official:<code>``. The wizard then saves the
step as usual, with that question's value, status and justification replaced by the official
value and a justification naming the source, so what else was typed on the step is saved too
and the change goes through ``answers_save`` like any other (revision, audit, locking).
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from officialstats.figures import OfficialFigure, official_figures
from surveys.frameworks.spec import PillarSpec
from surveys.models import AnswerStatus, Assessment
from surveys.wizard.forms import JUSTIFICATION_SUFFIX, STATUS_SUFFIX

__all__ = [
    "OFFICIAL_ACTION",
    "data_using_official_value",
    "official_blocks_annotate",
    "pillar_official_figures",
]

OFFICIAL_ACTION = "official:"


def pillar_official_figures(
    assessment: Assessment, pillar: PillarSpec
) -> dict[str, OfficialFigure]:
    """Official values of the step's linked questions for the assessment's country (one query).

    Values later than the assessment's round are left out, as scoring does with statistics.
    """
    return official_figures(
        iso3=assessment.country.alpha3, questions=pillar.questions, up_to_year=assessment.round
    )


def data_using_official_value(
    data: QueryDict, *, assessment: Assessment, pillar: PillarSpec, code: str
) -> QueryDict | None:
    """The posted step with ``code`` answered by its official value; None if it has none."""
    figure = pillar_official_figures(assessment, pillar).get(code)
    if figure is None:
        return None
    changed: Any = data.copy()
    field = f"{pillar.code}-{code}"
    changed[field] = figure.value_text
    changed[field + STATUS_SUFFIX] = AnswerStatus.ANSWERED.value
    changed[field + JUSTIFICATION_SUFFIX] = figure.justification
    return changed


def official_blocks_annotate(
    blocks: list[Any], figures: dict[str, OfficialFigure], answers: dict[str, Any]
) -> None:
    """Give each block its official value and whether its saved answer departs from it unexplained.

    An answer further from the official value than the reviewers' threshold with no
    justification gets a reminder beside the question: reviewers will ask where it comes from.
    """
    for block in blocks:
        figure = figures.get(block.code)
        block.official = figure
        answer = answers.get(block.code)
        value = getattr(answer, "value", None)
        block.official_unexplained = bool(
            figure is not None
            and answer is not None
            and answer.status == AnswerStatus.ANSWERED
            and isinstance(value, int | float)
            and not isinstance(value, bool)
            and figure.differs_from(float(value))
            and not answer.justification.strip()
        )

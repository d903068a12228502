"""An answer in words: the one function every page, report and export uses.

Four copies of this once drifted apart (two translations of "Level …", numbers not localised in
the wizard, "none chosen" only on the score page); now the wizard, the review workspace, the
stakeholder pages, the score pages and the PDF reports all call :func:`answer_text`.
"""

from __future__ import annotations

from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from surveys.frameworks.spec import QuestionSpec, QuestionType, translate
from surveys.models import AnswerStatus

__all__ = ["answer_text", "localized_number"]


def localized_number(value: float) -> str:
    """A number as typed (no fixed decimals) in the active language: ``44,2`` in French.

    For answers, weights and thresholds, whose precision is the author's; whole numbers print
    bare and at most six decimals are kept (stored statistics may carry binary noise).

    Examples
    --------
    >>> from django.utils import translation
    >>> with translation.override("fr"):
    ...     localized_number(44.2), localized_number(12.0), localized_number(0.1 + 0.2)
    ('44,2', '12', '0,3')
    >>> with translation.override("en"):
    ...     localized_number(0.25)
    '0.25'
    """
    if isinstance(value, float):
        value = round(value, 6)
        if value.is_integer():
            value = int(value)
    return formats.number_format(value)


def answer_text(
    question: QuestionSpec | None,
    value: Any,
    status: str = AnswerStatus.ANSWERED,
    *,
    language: str,
) -> str:
    """``value`` (a stored answer) as a reader sees it, in ``language``; plain text.

    Levels read "Level 3: Funded." (the level's label, else its descriptor), choices by their
    labels, numbers in the active language's format with the question's unit, percentages
    with "%", an empty multiple choice "none chosen", and the special answers "Don't know" and
    "Not applicable". An empty answer is "". Gettext strings follow the active language, as
    everywhere; ``language`` picks the framework's texts.

    Examples
    --------
    >>> answer_text(None, None, AnswerStatus.DONT_KNOW, language="en")
    "Don't know"
    >>> answer_text(None, ["a", "b"], language="en")
    'a, b'
    """
    if status == AnswerStatus.DONT_KNOW:
        return _("Don't know")
    if status == AnswerStatus.NOT_APPLICABLE:
        return _("Not applicable")
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if question is None:
        return ", ".join(str(item) for item in value) if isinstance(value, list) else str(value)
    kind = question.type
    if kind is QuestionType.MATURITY:
        level = next((lv for lv in question.levels if lv.value == value), None)
        if level is None:
            return str(value)
        label = translate(level.label, language) or translate(level.descriptor, language)
        return _("Level %(level)s: %(label)s") % {"level": level.value, "label": label}
    if kind is QuestionType.MULTIPLE_CHOICE and isinstance(value, list):
        labels = [
            translate(choice.label, language) if (choice := question.choice(code)) else str(code)
            for code in value
        ]
        return ", ".join(labels) or _("none chosen")
    if kind.has_choices:
        choice = question.choice(value) if isinstance(value, str) else None
        return translate(choice.label, language) if choice else str(value)
    if not isinstance(value, int | float):
        return str(value)
    if kind is QuestionType.PERCENTAGE:
        return f"{localized_number(value)} %"
    unit = translate(question.unit, language)
    return f"{localized_number(value)} {unit}".strip()

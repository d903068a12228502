"""Answers as people read them: level labels, choice labels, units, special answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from surveys.frameworks.spec import QuestionSpec, QuestionType, translate
from surveys.models import AnswerStatus
from surveys.numbers import number_format


@dataclass(frozen=True)
class AnswerDisplay:
    question: QuestionSpec
    question_text: str
    value_text: str
    status: str | None
    justification: str
    answered: bool

    @property
    def code(self) -> str:
        return self.question.code


def value_text(question: QuestionSpec, value: Any, language: str) -> str:
    """A stored value in words (plain text; templates escape it)."""
    if value is None:
        return ""
    kind = question.type
    if kind is QuestionType.MATURITY:
        level = next((lv for lv in question.levels if lv.value == value), None)
        if level is None:
            return str(value)
        label = translate(level.label, language) or translate(level.descriptor, language)
        return _("Level %(level)s: %(label)s") % {"level": value, "label": label}
    if kind is QuestionType.MULTIPLE_CHOICE and isinstance(value, list):
        return ", ".join(
            translate(choice.label, language) if (choice := question.choice(code)) else code
            for code in value
        )
    if kind.has_choices:
        choice = question.choice(value) if isinstance(value, str) else None
        return translate(choice.label, language) if choice else str(value)
    if kind.numeric and isinstance(value, int | float) and not isinstance(value, bool):
        shown = number_format(value, language)
        if kind is QuestionType.PERCENTAGE:
            return f"{shown} %"
        return f"{shown} {translate(question.unit, language)}".strip()
    return str(value)


def answer_display(question: QuestionSpec, answer: Any | None, language: str) -> AnswerDisplay:
    """How an Answer row (or None) reads on the review page and the assessment page."""
    text = translate(question.text, language)
    if answer is None:
        return AnswerDisplay(question, text, "", None, "", False)
    if answer.status == AnswerStatus.DONT_KNOW:
        shown = _("Don't know")
    elif answer.status == AnswerStatus.NOT_APPLICABLE:
        shown = _("Not applicable")
    else:
        shown = value_text(question, answer.value, language)
    answered = answer.status != AnswerStatus.ANSWERED or answer.value is not None
    return AnswerDisplay(question, text, shown, answer.status, answer.justification, answered)

"""Answers as people read them: level labels, choice labels, units, special answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from surveys.answer_text import answer_text
from surveys.frameworks.spec import QuestionSpec, translate
from surveys.models import AnswerStatus


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


def answer_display(question: QuestionSpec, answer: Any | None, language: str) -> AnswerDisplay:
    """How an Answer row (or None) reads on the review page and the assessment page."""
    text = translate(question.text, language)
    if answer is None:
        return AnswerDisplay(question, text, "", None, "", False)
    shown = answer_text(question, answer.value, answer.status, language=language)
    answered = answer.status != AnswerStatus.ANSWERED or answer.value is not None
    return AnswerDisplay(question, text, shown, answer.status, answer.justification, answered)

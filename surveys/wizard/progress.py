"""What the respondent still has to do: visibility, completeness and progress per pillar.

Everything here reads saved answers (``Answer`` rows or any object with ``question_code``,
``value`` and ``status``), never the wizard's draft envelope, and makes no database query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from surveys.frameworks import expressions
from surveys.frameworks.spec import FrameworkSpec, PillarSpec, QuestionSpec, QuestionType
from surveys.models import AnswerStatus
from surveys.services.answers import answers_for_conditions


@dataclass(frozen=True)
class PillarProgress:
    pillar: PillarSpec
    answered: int
    required: int
    visible: int
    skipped: bool

    @property
    def complete(self) -> bool:
        return self.answered >= self.required

    @property
    def percent(self) -> int:
        return 100 if not self.required else round(100 * self.answered / self.required)


def visible_codes(spec: FrameworkSpec, condition_answers: Mapping[str, object]) -> set[str]:
    """Codes of the questions shown for these answers (``show_if`` evaluated in order)."""
    return set(expressions.visible_question_codes(spec.questions, condition_answers))


def is_answered(question: QuestionSpec, answer: Any | None, evidence_codes: set[str]) -> bool:
    """Whether a saved answer (or attached evidence) counts as an answer to ``question``."""
    if question.type is QuestionType.EVIDENCE and question.code in evidence_codes:
        return True
    if answer is None:
        return False
    return answer.status != AnswerStatus.ANSWERED or answer.value is not None


def missing_required(
    spec: FrameworkSpec, answers: Mapping[str, Any], evidence_codes: set[str]
) -> list[QuestionSpec]:
    """Visible required questions without an answer, in questionnaire order."""
    shown = visible_codes(spec, answers_for_conditions(answers.values()))
    return [
        question
        for question in spec.questions
        if question.required
        and question.code in shown
        and not is_answered(question, answers.get(question.code), evidence_codes)
    ]


def pillar_progress(
    spec: FrameworkSpec, answers: Mapping[str, Any], evidence_codes: set[str]
) -> list[PillarProgress]:
    """Answered / required per pillar; a pillar whose questions are all hidden is skipped."""
    shown = visible_codes(spec, answers_for_conditions(answers.values()))
    result = []
    for pillar in spec.pillars:
        visible = [q for q in pillar.questions if q.code in shown]
        required = [q for q in visible if q.required]
        answered = [q for q in required if is_answered(q, answers.get(q.code), evidence_codes)]
        result.append(
            PillarProgress(
                pillar=pillar,
                answered=len(answered),
                required=len(required),
                visible=len(visible),
                skipped=not visible,
            )
        )
    return result


def answers_by_code(rows: Iterable[Any]) -> dict[str, Any]:
    return {row.question_code: row for row in rows}

"""From a framework and its answers to the engine's configuration and arrays (no Django).

:func:`framework_layout` turns a :class:`~surveys.frameworks.spec.FrameworkSpec` into an
:class:`~scoring.engine.config.EngineConfig`: the items are the scored questions; the levels
run indicators → sub-pillars (when the framework has any) → pillars; the overall score follows
the framework's ``scoring`` section. :func:`answer_arrays` turns answers (plain
:class:`RawAnswer` values, one mapping per unit) into the ``values`` and ``status`` arrays the
engine reads:

========================  ==============================================================
question type             engine value
========================  ==============================================================
maturity                  the level (scored by a level table from the framework)
yes/partial/no, single    the chosen option's points (scored 100 · points / max_points)
multiple choice           the sum of the chosen options' points
number, percentage        the number (scored between the goalposts)
========================  ==============================================================

"Not applicable", "don't know" and unanswered questions get the engine's status codes, never a
value. A question hidden by its ``show_if`` condition is not applicable: the respondent never
saw it, so it must not count against coverage.

Both the Django service and the command-line scorer use this module, so it imports no Django.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from scoring.engine.config import (
    EngineConfig,
    Goalposts,
    ItemSpec,
    Level,
    LevelMapping,
    NodeSpec,
    Normalisation,
    Points,
)
from scoring.engine.constants import ANSWERED, DONT_KNOW, MISSING, NOT_APPLICABLE
from surveys.frameworks import expressions
from surveys.frameworks.spec import (
    Direction,
    FrameworkSpec,
    IndicatorSpec,
    Missing,
    NormalisationMethod,
    QuestionSpec,
    QuestionType,
    Transform,
)

__all__ = [
    "ANSWER_STATUSES",
    "AnswerError",
    "FrameworkLayout",
    "RawAnswer",
    "answer_arrays",
    "framework_layout",
    "question_value",
    "scored_questions",
]

#: The answer statuses of ``surveys.models.AnswerStatus`` and their engine codes.
ANSWER_STATUSES: Mapping[str, int] = {
    "answered": ANSWERED,
    "dont_know": DONT_KNOW,
    "not_applicable": NOT_APPLICABLE,
}

LEVEL_INDICATOR = "indicator"
LEVEL_SUB_PILLAR = "sub_pillar"
LEVEL_PILLAR = "pillar"


class AnswerError(ValueError):
    """An answer that does not fit its question; the message names the question."""


@dataclass(frozen=True)
class RawAnswer:
    """One stored answer: its status and its JSON value (None unless answered)."""

    status: Literal["answered", "dont_know", "not_applicable"]
    value: object = None


@dataclass(frozen=True)
class FrameworkLayout:
    """A framework compiled for the engine.

    ``questions[k]`` is the question behind item ``k`` of ``config``. ``pass_through`` lists
    ``(level name, code)`` of nodes the adapter added so every pillar has the same depth (a
    pillar without sub-pillars in a framework that has some gets one sub-pillar node of its own
    code); they copy their single child's score and are not shown to users.
    """

    spec: FrameworkSpec
    config: EngineConfig
    questions: tuple[QuestionSpec, ...]
    pass_through: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    @property
    def item_codes(self) -> tuple[str, ...]:
        return tuple(question.code for question in self.questions)

    def is_shown(self, level: str, code: str) -> bool:
        return (level, code) not in self.pass_through


def scored_questions(indicator: IndicatorSpec) -> tuple[QuestionSpec, ...]:
    """The questions of an indicator that produce a score, in questionnaire order."""
    return tuple(question for question in indicator.questions if question.scored)


def _normalisation(question: QuestionSpec) -> Normalisation:
    place = f"question {question.code!r}"
    spec = question.normalisation
    if spec is None:
        raise ValueError(f"{place}: a scored question needs a normalisation")
    if spec.method is NormalisationMethod.LEVELS:
        return LevelMapping(
            levels=tuple(float(level.value) for level in question.levels),
            scores=tuple(level.score for level in question.levels),
        )
    if spec.method is NormalisationMethod.CHOICES:
        if not question.max_points or question.max_points <= 0:
            raise ValueError(f"{place}: max_points must be positive to score choices")
        return Points(maximum=question.max_points)
    if spec.lower is None or spec.upper is None:
        raise ValueError(f"{place}: goalposts need both lower and upper")
    log = {Transform.NONE: None, Transform.LN: "ln", Transform.LN1P: "ln1p"}[spec.transform]
    if spec.direction is Direction.LOWER_IS_BETTER:
        return Goalposts(threshold=spec.upper, target=spec.lower, log=log, direction="lower")
    return Goalposts(threshold=spec.lower, target=spec.upper, log=log, direction="higher")


def _target(value: float, place: str) -> float:
    if not 0 < value <= 100:
        raise ValueError(f"{place}: target {value:g} is not supported; use a value in (0, 100]")
    return float(value)


def framework_layout(spec: FrameworkSpec) -> FrameworkLayout:
    """Compile a framework into the engine's configuration.

    Weights, aggregation methods, targets, minimum coverage, the "don't know" rule and the
    stages are read from the framework; nothing is assumed. A pillar's ``min_coverage`` is
    checked by the engine as the share of the pillar's applicable scored questions that have
    data (the OECD–JRC screening rule applied to items).

    Examples
    --------
    >>> from surveys.frameworks.loader import EXAMPLE, load_framework_text
    >>> layout = framework_layout(load_framework_text(EXAMPLE))
    >>> layout.item_codes, layout.config.level_names
    (('T.1', 'T.2'), ('indicator', 'pillar'))
    """
    with_sub_pillars = any(pillar.sub_pillars for pillar in spec.pillars)
    items: list[ItemSpec] = []
    questions: list[QuestionSpec] = []
    indicators: list[NodeSpec] = []
    sub_pillars: list[NodeSpec] = []
    pillars: list[NodeSpec] = []
    pass_through: set[tuple[str, str]] = set()
    scoring = spec.scoring

    def add_indicators(group: Sequence[IndicatorSpec], parent: str) -> None:
        for indicator in group:
            scored = scored_questions(indicator)
            if not scored:
                continue
            indicators.append(
                NodeSpec(
                    code=indicator.code,
                    parent=parent,
                    weight=indicator.weight,
                    aggregation=str(indicator.aggregation),
                    target=_target(indicator.target, f"indicator {indicator.code!r}"),
                )
            )
            for question in scored:
                questions.append(question)
                items.append(
                    ItemSpec(
                        code=question.code,
                        parent=indicator.code,
                        normalisation=_normalisation(question),
                        weight=question.weight,
                    )
                )

    for pillar in spec.pillars:
        pillars.append(
            NodeSpec(
                code=pillar.code,
                weight=pillar.weight,
                aggregation=str(pillar.aggregation),
                target=_target(scoring.target, "scoring"),
                min_coverage=pillar.min_coverage,
            )
        )
        if pillar.sub_pillars:
            for sub in pillar.sub_pillars:
                sub_pillars.append(
                    NodeSpec(
                        code=sub.code,
                        parent=pillar.code,
                        weight=sub.weight,
                        aggregation=str(sub.aggregation),
                        target=_target(scoring.target, "scoring"),
                    )
                )
                add_indicators(sub.indicators, sub.code)
        elif with_sub_pillars:
            sub_pillars.append(
                NodeSpec(code=pillar.code, parent=pillar.code, target=scoring.target)
            )
            pass_through.add((LEVEL_SUB_PILLAR, pillar.code))
            add_indicators(pillar.indicators, pillar.code)
        else:
            add_indicators(pillar.indicators, pillar.code)

    levels = [Level(LEVEL_INDICATOR, tuple(indicators))]
    if with_sub_pillars:
        levels.append(Level(LEVEL_SUB_PILLAR, tuple(sub_pillars)))
    levels.append(Level(LEVEL_PILLAR, tuple(pillars)))
    stage_options: dict[str, tuple] = {}
    if scoring.stages:
        thresholds = tuple(stage.min_score for stage in scoring.stages[1:])
        if any(not 0 < value < 100 for value in thresholds):
            raise ValueError(
                f"scoring.stages: stage thresholds must lie strictly between 0 and 100, got "
                f"{list(thresholds)}"
            )
        stage_options = {
            "stage_thresholds": thresholds,
            "stage_names": tuple(stage.code for stage in scoring.stages),
        }
    config = EngineConfig(
        items=tuple(items),
        levels=tuple(levels),
        overall_aggregation=str(scoring.aggregation),
        overall_target=_target(scoring.target, "scoring"),
        dont_know_rule=str(scoring.dont_know),
        min_coverage=scoring.min_coverage,
        zero_remedy=str(scoring.zeros),
        zero_remedy_value=scoring.zeros_value,
        **stage_options,
    )
    return FrameworkLayout(
        spec=spec,
        config=config,
        questions=tuple(questions),
        pass_through=frozenset(pass_through),
    )


def _number(value: object, place: str) -> float:
    if isinstance(value, bool):
        raise AnswerError(f"{place}: expected a number, got {value!r}")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise AnswerError(f"{place}: expected a number, got {value!r}") from None
    else:
        raise AnswerError(f"{place}: expected a number, got {value!r}")
    if not math.isfinite(number):
        raise AnswerError(f"{place}: expected a finite number, got {value!r}")
    return number


def _choice_points(question: QuestionSpec, code: object, place: str) -> float:
    choice = question.choice(code) if isinstance(code, str) else None
    if choice is None:
        known = ", ".join(option.code for option in question.choices)
        raise AnswerError(f"{place}: {code!r} is not one of the choices ({known})")
    return choice.points


def question_value(question: QuestionSpec, value: object) -> float:
    """The engine value of an answered question (see the module's table).

    Raises
    ------
    AnswerError
        Naming the question, when the value does not fit it.

    Examples
    --------
    >>> from surveys.frameworks.loader import EXAMPLE, load_framework_text
    >>> spec = load_framework_text(EXAMPLE)
    >>> question_value(spec.questions_by_code["T.1"], "partial")
    50.0
    >>> question_value(spec.questions_by_code["T.2"], "42.5")
    42.5
    """
    place = f"question {question.code!r}"
    kind = question.type
    if kind is QuestionType.MATURITY:
        levels = [level.value for level in question.levels]
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise AnswerError(f"{place}: expected a level, got {value!r}")
        level = _number(value, place)
        if level not in levels:
            raise AnswerError(f"{place}: level {value!r} is not one of {levels}")
        return level
    if kind in (QuestionType.YES_PARTIAL_NO, QuestionType.SINGLE_CHOICE):
        return _choice_points(question, value, place)
    if kind is QuestionType.MULTIPLE_CHOICE:
        if not isinstance(value, list | tuple):
            raise AnswerError(f"{place}: expected a list of choices, got {value!r}")
        codes = list(dict.fromkeys(value))
        return float(sum(_choice_points(question, code, place) for code in codes))
    if kind.numeric:
        number = _number(value, place)
        transform = question.normalisation.transform if question.normalisation else None
        if transform is Transform.LN and number <= 0:
            raise AnswerError(f"{place}: ln scaling needs a value above 0, got {number:g}")
        if transform is Transform.LN1P and number <= -1:
            raise AnswerError(f"{place}: ln(x + 1) scaling needs a value above -1, got {number:g}")
        return number
    raise AnswerError(f"{place}: {kind} questions are not scored")


def _condition_answers(answers: Mapping[str, RawAnswer]) -> dict[str, object]:
    condition_values: dict[str, object] = {}
    for code, answer in answers.items():
        if answer.status == "dont_know":
            condition_values[code] = Missing.DONT_KNOW
        elif answer.status == "not_applicable":
            condition_values[code] = Missing.NOT_APPLICABLE
        elif answer.value is not None:
            condition_values[code] = answer.value
    return condition_values


def answer_arrays(
    layout: FrameworkLayout, units: Sequence[Mapping[str, RawAnswer]]
) -> tuple[np.ndarray, np.ndarray]:
    """Build the engine's ``(values, status)`` arrays, one row per unit.

    ``units[u]`` maps question codes to that unit's answers; a scored question without an
    answer (or answered with no value) is MISSING, a question hidden by ``show_if`` is
    NOT_APPLICABLE. Answers to unknown or unscored questions are ignored.

    Raises
    ------
    AnswerError
        Naming the unit (by position) and the question, for a value that does not fit.

    Examples
    --------
    >>> from surveys.frameworks.loader import EXAMPLE, load_framework_text
    >>> layout = framework_layout(load_framework_text(EXAMPLE))
    >>> values, status = answer_arrays(layout, [
    ...     {"T.1": RawAnswer("answered", "yes"), "T.2": RawAnswer("answered", 40)},
    ...     {"T.1": RawAnswer("answered", "no"), "T.2": RawAnswer("answered", 40)},
    ... ])
    >>> values.tolist(), status.tolist()  # T.2 is hidden when T.1 is "no"
    ([[100.0, 40.0], [0.0, nan]], [[0, 0], [0, 2]])
    """
    questions = layout.questions
    all_questions = layout.spec.questions
    conditional = any(question.show_if for question in all_questions)
    values = np.full((len(units), len(questions)), np.nan)
    status = np.full((len(units), len(questions)), MISSING, dtype=np.int8)
    for row, answers in enumerate(units):
        visible = (
            set(expressions.visible_question_codes(all_questions, _condition_answers(answers)))
            if conditional
            else None
        )
        for column, question in enumerate(questions):
            if visible is not None and question.code not in visible:
                status[row, column] = NOT_APPLICABLE
                continue
            answer = answers.get(question.code)
            if answer is None:
                continue
            code = ANSWER_STATUSES.get(answer.status)
            if code is None:
                raise AnswerError(
                    f"unit {row}, question {question.code!r}: unknown status {answer.status!r}"
                )
            if code == ANSWERED:
                if answer.value is None:
                    continue
                try:
                    values[row, column] = question_value(question, answer.value)
                except AnswerError as error:
                    raise AnswerError(f"unit {row}, {error}") from None
            status[row, column] = code
    return values, status

"""Read a framework from YAML (or from already-parsed data) into a validated FrameworkSpec.

Every problem is collected before anything is reported, and each names its place, e.g.
``pillars[2].indicators[4].questions[1].levels: expected 6 levels, got 4`` (indices count from
0). The format is documented in docs/framework-format.md.

Examples
--------
>>> spec = load_framework_text(EXAMPLE)
>>> spec.code, spec.version, [q.code for q in spec.questions]
('tiny', '1', ['T.1', 'T.2'])
>>> load_framework_text(EXAMPLE.replace("weight: 2", "weight: -2"))
Traceback (most recent call last):
...
surveys.frameworks.reading.FrameworkError: 1 problem in the framework:
pillars[0].indicators[0].weight: must be 0 or more, got -2
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pycountry

from surveys.frameworks import expressions
from surveys.frameworks.reading import (
    CHOICE_CODE_PATTERN,
    CODE_PATTERN,
    LANGUAGE_PATTERN,
    FrameworkError,
    FrameworkIssue,
    Reader,
    as_text,
    describe,
    join_path,
    parse_yaml,
)
from surveys.frameworks.spec import (
    Aggregation,
    ChoiceSpec,
    Direction,
    DontKnowRule,
    FrameworkSpec,
    IndicatorSpec,
    LevelSpec,
    MappingSpec,
    NormalisationMethod,
    NormalisationSpec,
    OfficialLinkSpec,
    PillarSpec,
    QuestionSpec,
    QuestionType,
    ScoringSpec,
    StageSpec,
    SubPillarSpec,
    Transform,
    ZeroRemedy,
)

__all__ = [
    "DEFAULT_STAGES",
    "FORMAT_VERSION",
    "FrameworkError",
    "FrameworkIssue",
    "load_framework_data",
    "load_framework_file",
    "load_framework_text",
]

FORMAT_VERSION = 1

#: Labels and points of yes/partial/no questions when the file does not override them.
YES_PARTIAL_NO_DEFAULTS: tuple[tuple[str, dict[str, str], float], ...] = (
    ("yes", {"en": "Yes", "fr": "Oui", "es": "Sí", "ar": "نعم"}, 100.0),
    (
        "partial",
        {"en": "Partially", "fr": "Partiellement", "es": "Parcialmente", "ar": "جزئيًا"},
        50.0,
    ),
    ("no", {"en": "No", "fr": "Non", "es": "No", "ar": "لا"}, 0.0),
)

#: The five stages of the UNDP Digital Readiness Assessment, at equal 20-point steps.
DEFAULT_STAGES: tuple[tuple[str, dict[str, str], float], ...] = (
    ("basic", {"en": "Basic", "fr": "Élémentaire", "es": "Básico", "ar": "أساسية"}, 0.0),
    (
        "opportunistic",
        {"en": "Opportunistic", "fr": "Opportuniste", "es": "Oportunista", "ar": "ظرفية"},
        20.0,
    ),
    (
        "systematic",
        {"en": "Systematic", "fr": "Systématique", "es": "Sistemático", "ar": "منهجية"},
        40.0,
    ),
    (
        "differentiating",
        {"en": "Differentiating", "fr": "Différenciant", "es": "Diferenciador", "ar": "متميّزة"},
        60.0,
    ),
    (
        "transformational",
        {
            "en": "Transformational",
            "fr": "Transformationnel",
            "es": "Transformacional",
            "ar": "تحويلية",
        },
        80.0,
    ),
)

EXAMPLE = """
code: tiny
version: "1"
languages: [en, fr]
title: {en: Tiny, fr: Minuscule}
pillars:
  - code: T
    title: {en: Test, fr: Essai}
    indicators:
      - code: T.I
        title: {en: Indicator, fr: Indicateur}
        weight: 2
        questions:
          - code: T.1
            type: yes_partial_no
            text: {en: "Is it so?", fr: "Est-ce ainsi ?"}
          - code: T.2
            type: percentage
            text: {en: "What share?", fr: "Quelle part ?"}
            show_if: "T.1 != 'no'"
            normalisation: {method: goalposts, lower: 0, upper: 100}
"""


_QUESTION_KEYS = (
    "type",
    "text",
    "help",
    "required",
    "scored",
    "weight",
    "allow_dont_know",
    "allow_not_applicable",
    "show_if",
    "scale",
    "levels",
    "choices",
    "max_points",
    "unit",
    "min",
    "max",
    "normalisation",
    "official",
)

# Keys that only some question types use; any other type lists them as an error.
_KEYS_BY_TYPE = {
    "scale": {QuestionType.MATURITY},
    "levels": {QuestionType.MATURITY},
    "choices": {
        QuestionType.YES_PARTIAL_NO,
        QuestionType.SINGLE_CHOICE,
        QuestionType.MULTIPLE_CHOICE,
    },
    "max_points": {QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE},
    "unit": {QuestionType.NUMBER},
    "min": {QuestionType.NUMBER},
    "max": {QuestionType.NUMBER},
    "normalisation": {QuestionType.NUMBER, QuestionType.PERCENTAGE},
    "official": {QuestionType.NUMBER, QuestionType.PERCENTAGE},
}

_SOURCE_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_STATISTIC_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def _read_levels(reader: Reader, data: dict[str, Any], path: str) -> tuple[LevelSpec, ...]:
    scale_path = join_path(path, "scale")
    scale = data.get("scale", [0, 5])
    if (
        not isinstance(scale, list)
        or len(scale) != 2
        or not all(isinstance(end, int) and not isinstance(end, bool) for end in scale)
    ):
        reader.error(scale_path, f"expected [lowest, highest] levels, e.g. [0, 5], got {scale!r}")
        scale = [0, 5]
    lowest, highest = scale
    if lowest not in (0, 1) or not lowest < highest <= 10:
        reader.error(
            scale_path, f"levels must start at 0 or 1 and end above it (at most 10), got {scale}"
        )
        return ()
    items = reader.items(data, "levels", path)
    expected = highest - lowest + 1
    if "levels" in data and len(items) != expected:
        reader.error(join_path(path, "levels"), f"expected {expected} levels, got {len(items)}")
        return ()
    levels: list[LevelSpec] = []
    for index, (level_path, item) in enumerate(items):
        level_data = reader.mapping(item, level_path)
        if level_data is None:
            continue
        reader.keys(
            level_data, level_path, required=("level", "descriptor"), optional=("label", "score")
        )
        value = level_data.get("level")
        wanted = lowest + index
        if isinstance(value, bool) or not isinstance(value, int):
            reader.error(join_path(level_path, "level"), f"expected the whole number {wanted}")
        elif value != wanted:
            reader.error(
                join_path(level_path, "level"),
                f"levels out of order: expected level {wanted}, got {value}",
            )
        linear = 100.0 * index / (highest - lowest)
        score = reader.number(
            level_data, "score", level_path, default=linear, minimum=0, maximum=100
        )
        if levels and score is not None and score < levels[-1].score:
            reader.error(
                join_path(level_path, "score"),
                f"level scores must not decrease: {as_text(score)} after "
                f"{as_text(levels[-1].score)}",
            )
        levels.append(
            LevelSpec(
                value=wanted,
                descriptor=reader.text(level_data, "descriptor", level_path, required=True),
                label=reader.text(level_data, "label", level_path),
                score=linear if score is None else score,
            )
        )
    return tuple(levels)


def _read_choices(
    reader: Reader, data: dict[str, Any], path: str, question_type: QuestionType, scored: bool
) -> tuple[ChoiceSpec, ...]:
    if question_type is QuestionType.YES_PARTIAL_NO and "choices" not in data:
        missing = [lang for lang in reader.languages if lang not in YES_PARTIAL_NO_DEFAULTS[0][1]]
        if missing:
            reader.error(
                join_path(path, "choices"),
                f"no built-in yes/partial/no labels for {', '.join(missing)}: list the choices",
            )
        return tuple(
            ChoiceSpec(code, {lang: label[lang] for lang in reader.languages if lang in label}, pts)
            for code, label, pts in YES_PARTIAL_NO_DEFAULTS
        )
    items = reader.items(data, "choices", path)
    if "choices" in data and len(items) < 2:
        reader.error(join_path(path, "choices"), "at least two choices are needed")
    choices: list[ChoiceSpec] = []
    seen: set[str] = set()
    for choice_path, item in items:
        choice_data = reader.mapping(item, choice_path)
        if choice_data is None:
            continue
        reader.keys(choice_data, choice_path, required=("code", "label"), optional=("points",))
        code = choice_data.get("code")
        if not isinstance(code, str) or not CHOICE_CODE_PATTERN.match(code):
            reader.error(
                join_path(choice_path, "code"),
                f"invalid choice code {code!r}: letters, digits, '_' and '-'",
            )
            code = str(code)
        elif code in seen:
            reader.error(join_path(choice_path, "code"), f"duplicate choice code {code!r}")
        seen.add(code)
        points = reader.number(choice_data, "points", choice_path, default=0.0, minimum=0)
        choices.append(
            ChoiceSpec(code, reader.text(choice_data, "label", choice_path), points or 0.0)
        )
    if question_type is QuestionType.YES_PARTIAL_NO and choices:
        codes = [choice.code for choice in choices]
        if codes != ["yes", "partial", "no"]:
            reader.error(
                join_path(path, "choices"),
                f"yes_partial_no choices must be yes, partial, no in that order, got {codes}",
            )
    if scored and choices and all(choice.points == 0 for choice in choices):
        reader.error(
            join_path(path, "choices"), "all choice points are zero; give points to score it"
        )
    return tuple(choices)


def _read_goalposts(reader: Reader, data: dict[str, Any], path: str) -> NormalisationSpec | None:
    here = join_path(path, "normalisation")
    normalisation = reader.mapping(data.get("normalisation"), here)
    if normalisation is None:
        return None
    reader.keys(
        normalisation,
        here,
        required=("method", "lower", "upper"),
        optional=("direction", "transform"),
    )
    method = normalisation.get("method")
    if method is not None and method != NormalisationMethod.GOALPOSTS:
        reader.error(
            join_path(here, "method"), f"numbers are normalised with goalposts, not {method!r}"
        )
    lower = reader.number(normalisation, "lower", here)
    upper = reader.number(normalisation, "upper", here)
    direction = reader.choice(
        normalisation, "direction", here, Direction, Direction.HIGHER_IS_BETTER
    )
    transform = reader.choice(normalisation, "transform", here, Transform, Transform.NONE)
    if lower is not None and upper is not None:
        if lower == upper:
            reader.error(here, f"goalposts are equal ({as_text(lower)}): lower must be below upper")
        elif lower > upper:
            reader.error(
                here,
                f"lower goalpost {as_text(lower)} is above upper {as_text(upper)}; "
                "keep lower < upper "
                "and set direction: lower_is_better to reverse",
            )
        if transform is Transform.LN and lower <= 0:
            reader.error(
                join_path(here, "lower"), "ln needs goalposts above 0 (use ln1p for counts)"
            )
        if transform is Transform.LN1P and lower <= -1:
            reader.error(join_path(here, "lower"), "ln1p needs goalposts above -1")
    return NormalisationSpec(
        method=NormalisationMethod.GOALPOSTS,
        lower=lower,
        upper=upper,
        direction=direction,
        transform=transform,
    )


def _read_official(reader: Reader, data: dict[str, Any], path: str) -> OfficialLinkSpec | None:
    """The ``official`` link of a number or percentage question (see docs/framework-format.md)."""
    if "official" not in data:
        return None
    here = join_path(path, "official")
    link = reader.mapping(data.get("official"), here)
    if link is None:
        return None
    reader.keys(link, here, required=("source", "indicator", "unit"), optional=("factor",))
    checks = (
        ("source", _SOURCE_CODE, "a source code: lower-case letters, digits and '-'"),
        ("indicator", _STATISTIC_CODE, "an indicator code: lower-case letters, digits, '_'"),
        ("unit", _STATISTIC_CODE, "a unit code such as percent or per_100"),
    )
    texts: dict[str, str] = {}
    for key, pattern, expected in checks:
        value = link.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not pattern.match(value):
            reader.error(join_path(here, key), f"expected {expected}, got {describe(value)}")
        else:
            texts[key] = value
    factor = reader.number(link, "factor", here, default=1.0)
    if factor is not None and factor <= 0:
        reader.error(join_path(here, "factor"), f"must be above 0, got {as_text(factor)}")
    if len(texts) != len(checks):
        return None
    return OfficialLinkSpec(
        source=texts["source"],
        indicator=texts["indicator"],
        unit=texts["unit"],
        factor=factor if factor is not None else 1.0,
    )


def _read_question(reader: Reader, item: Any, path: str) -> QuestionSpec | None:
    """One question, or None (with the issues recorded) when its type cannot be known.

    Issues are recorded in a fixed order (type, keys, scoring, condition, answer format,
    texts and flags) so the same file always lists them the same way.
    """
    data = reader.mapping(item, path)
    if data is None:
        return None
    reader.keys(data, path, required=("code", "type", "text"), optional=_QUESTION_KEYS)
    code = reader.code(data, path)
    question_type = _read_question_type(reader, data, path)
    if question_type is None:
        return None
    for key, types in _KEYS_BY_TYPE.items():
        if key in data and question_type not in types:
            reader.error(join_path(path, key), f"not used by {question_type} questions")
    scored, weight = _read_question_scoring(reader, data, path, question_type)
    show_if = _read_show_if(reader, data, path)
    answers = _read_answer_format(reader, data, path, question_type, scored)
    return QuestionSpec(
        code=code,
        type=question_type,
        text=reader.text(data, "text", path, required=True),
        help=reader.text(data, "help", path),
        required=reader.boolean(data, "required", path, default=scored),
        scored=scored,
        weight=weight if weight is not None else 1.0,
        allow_dont_know=reader.boolean(data, "allow_dont_know", path, default=scored),
        allow_not_applicable=reader.boolean(data, "allow_not_applicable", path, default=scored),
        show_if=show_if,
        levels=answers.levels,
        choices=answers.choices,
        max_points=answers.max_points,
        unit=answers.unit,
        minimum=answers.minimum,
        maximum=answers.maximum,
        normalisation=answers.normalisation,
        official=_read_official(reader, data, path) if question_type.numeric else None,
    )


def _read_question_type(reader: Reader, data: dict[str, Any], path: str) -> QuestionType | None:
    """The question's type, or None (an issue recorded unless the type is simply missing)."""
    raw_type = data.get("type")
    try:
        return QuestionType(raw_type)
    except ValueError:
        if raw_type is not None:
            allowed = ", ".join(member.value for member in QuestionType)
            reader.error(
                join_path(path, "type"),
                f"unknown question type {raw_type!r}; expected one of: {allowed}",
            )
        return None


def _read_question_scoring(
    reader: Reader, data: dict[str, Any], path: str, question_type: QuestionType
) -> tuple[bool, float | None]:
    """Whether the question is scored (by default when its type can be) and its weight."""
    scored = reader.boolean(data, "scored", path, default=question_type.scorable)
    if scored and not question_type.scorable:
        reader.error(join_path(path, "scored"), f"{question_type} questions cannot be scored")
        scored = False
    if not scored and "weight" in data:
        reader.error(join_path(path, "weight"), "only scored questions have a weight")
    weight = reader.number(data, "weight", path, default=1.0, minimum=0) if scored else 0.0
    return scored, weight


def _read_show_if(reader: Reader, data: dict[str, Any], path: str) -> str | None:
    """The condition's source text, checked by parsing it (None when absent or not a text)."""
    show_if = data.get("show_if")
    if show_if is None:
        return None
    if not isinstance(show_if, str):
        reader.error(join_path(path, "show_if"), "expected a condition as a text")
        return None
    try:
        expressions.parse(show_if)
    except expressions.ExpressionError as error:
        reader.error(join_path(path, "show_if"), f"invalid condition: {error}")
    return show_if


@dataclass(frozen=True)
class _AnswerFormat:
    """What a question's type says about its answers and their normalisation."""

    levels: tuple[LevelSpec, ...] = ()
    choices: tuple[ChoiceSpec, ...] = ()
    max_points: float | None = None
    normalisation: NormalisationSpec | None = None
    minimum: float | None = None
    maximum: float | None = None
    unit: dict[str, str] = field(default_factory=dict)


def _read_answer_format(
    reader: Reader, data: dict[str, Any], path: str, question_type: QuestionType, scored: bool
) -> _AnswerFormat:
    """Levels, choices or numeric bounds, by the question's type (nothing for the others)."""
    if question_type is QuestionType.MATURITY:
        if "levels" not in data:
            reader.error(join_path(path, "levels"), "required for maturity questions")
        return _AnswerFormat(
            levels=_read_levels(reader, data, path),
            normalisation=NormalisationSpec(method=NormalisationMethod.LEVELS),
        )
    if question_type.has_choices:
        return _read_choice_format(reader, data, path, question_type, scored)
    if question_type.numeric:
        return _read_numeric_format(reader, data, path, question_type, scored)
    return _AnswerFormat()


def _read_choice_format(
    reader: Reader, data: dict[str, Any], path: str, question_type: QuestionType, scored: bool
) -> _AnswerFormat:
    """The choices and, when scored, the points that make 100 (``max_points``).

    ``max_points`` defaults to the sum of the points (multiple choice) or the largest
    (single choice, yes/partial/no).
    """
    if "choices" not in data and question_type is not QuestionType.YES_PARTIAL_NO:
        reader.error(join_path(path, "choices"), f"required for {question_type} questions")
    choices = _read_choices(reader, data, path, question_type, scored)
    if scored and choices:
        if question_type is QuestionType.MULTIPLE_CHOICE:
            natural = sum(choice.points for choice in choices)
        else:
            natural = max(choice.points for choice in choices)
        max_points = reader.number(data, "max_points", path, default=natural, minimum=0)
        if max_points == 0 and natural > 0:
            reader.error(join_path(path, "max_points"), "must be above 0")
        normalisation = NormalisationSpec(method=NormalisationMethod.CHOICES)
        return _AnswerFormat(choices=choices, max_points=max_points, normalisation=normalisation)
    if "max_points" in data and not scored:
        reader.error(join_path(path, "max_points"), "only scored questions have max_points")
    return _AnswerFormat(choices=choices)


def _read_numeric_format(
    reader: Reader, data: dict[str, Any], path: str, question_type: QuestionType, scored: bool
) -> _AnswerFormat:
    """Bounds and unit of a number (a percentage is 0–100), and goalposts when scored."""
    unit: dict[str, str] = {}
    if question_type is QuestionType.PERCENTAGE:
        minimum, maximum = 0.0, 100.0
    else:
        unit = reader.text(data, "unit", path)
        minimum = reader.number(data, "min", path)
        maximum = reader.number(data, "max", path)
        if minimum is not None and maximum is not None and minimum >= maximum:
            reader.error(join_path(path, "max"), f"must be above min ({as_text(minimum)})")
    normalisation = None
    if scored:
        if "normalisation" not in data:
            reader.error(
                join_path(path, "normalisation"),
                "required for scored numbers: {method: goalposts, lower: ..., upper: ...}",
            )
        else:
            normalisation = _read_goalposts(reader, data, path)
    elif "normalisation" in data:
        reader.error(join_path(path, "normalisation"), "only scored questions are normalised")
    return _AnswerFormat(normalisation=normalisation, minimum=minimum, maximum=maximum, unit=unit)


def _read_indicator(
    reader: Reader, item: Any, path: str, scoring: dict[str, Any]
) -> IndicatorSpec | None:
    data = reader.mapping(item, path)
    if data is None:
        return None
    reader.keys(
        data,
        path,
        required=("code", "title", "questions"),
        optional=("description", "weight", "target", "aggregation"),
    )
    code = reader.code(data, path)
    items = reader.items(data, "questions", path)
    questions = [
        question
        for question_path, question_item in items
        if (question := _read_question(reader, question_item, question_path)) is not None
    ]
    if isinstance(data.get("questions"), list) and not items:
        reader.error(join_path(path, "questions"), "an indicator needs at least one question")
    scored = [question for question in questions if question.scored]
    reader.weights(
        [(question.code, question.weight) for question in scored],
        join_path(path, "questions"),
        "question",
    )
    return IndicatorSpec(
        code=code,
        title=reader.text(data, "title", path, required=True),
        description=reader.text(data, "description", path),
        questions=tuple(questions),
        weight=reader.number(data, "weight", path, default=1.0, minimum=0) or 0.0,
        target=_read_target(reader, data, path, scoring["target"]),
        aggregation=reader.choice(data, "aggregation", path, Aggregation, Aggregation.ARITHMETIC),
    )


def _read_target(reader: Reader, data: dict[str, Any], path: str, default: float) -> float:
    """A target in (0, 100]: at 0 every gap would be 0 and the relative gap (gap / target) 0/0."""
    target = reader.number(data, "target", path, default=default, minimum=0, maximum=100)
    if target == 0:
        reader.error(
            join_path(path, "target"),
            "must be more than 0 (a gap is measured to the target, and relative to it)",
        )
    return target if target else default


def _read_indicators(
    reader: Reader, data: dict[str, Any], path: str, scoring: dict[str, Any]
) -> tuple[IndicatorSpec, ...]:
    indicators = [
        indicator
        for indicator_path, item in reader.items(data, "indicators", path)
        if (indicator := _read_indicator(reader, item, indicator_path, scoring)) is not None
    ]
    scored = [indicator for indicator in indicators if indicator.scored]
    if indicators and not scored:
        reader.error(join_path(path, "indicators"), "no indicator has a scored question")
    reader.weights(
        [(indicator.code, indicator.weight) for indicator in scored],
        join_path(path, "indicators"),
        "indicator",
    )
    return tuple(indicators)


def _read_pillar(
    reader: Reader, item: Any, path: str, scoring: dict[str, Any]
) -> PillarSpec | None:
    data = reader.mapping(item, path)
    if data is None:
        return None
    reader.keys(
        data,
        path,
        required=("code", "title"),
        optional=(
            "description",
            "weight",
            "aggregation",
            "min_coverage",
            "indicators",
            "sub_pillars",
        ),
    )
    code = reader.code(data, path)
    has_indicators = bool(data.get("indicators"))
    has_sub_pillars = bool(data.get("sub_pillars"))
    if has_indicators == has_sub_pillars:
        reader.error(path, "a pillar needs either 'indicators' or 'sub_pillars' (not both)")
    sub_pillars: list[SubPillarSpec] = []
    for sub_path, sub_item in reader.items(data, "sub_pillars", path):
        sub_data = reader.mapping(sub_item, sub_path)
        if sub_data is None:
            continue
        reader.keys(
            sub_data,
            sub_path,
            required=("code", "title", "indicators"),
            optional=("description", "weight", "aggregation"),
        )
        sub_code = reader.code(sub_data, sub_path)
        sub_pillars.append(
            SubPillarSpec(
                code=sub_code,
                title=reader.text(sub_data, "title", sub_path, required=True),
                description=reader.text(sub_data, "description", sub_path),
                indicators=_read_indicators(reader, sub_data, sub_path, scoring),
                weight=reader.number(sub_data, "weight", sub_path, default=1.0, minimum=0) or 0.0,
                aggregation=reader.choice(
                    sub_data, "aggregation", sub_path, Aggregation, Aggregation.ARITHMETIC
                ),
            )
        )
    reader.weights(
        [(sub.code, sub.weight) for sub in sub_pillars],
        join_path(path, "sub_pillars"),
        "sub-pillar",
    )
    return PillarSpec(
        code=code,
        title=reader.text(data, "title", path, required=True),
        description=reader.text(data, "description", path),
        weight=reader.number(data, "weight", path, default=1.0, minimum=0) or 0.0,
        aggregation=reader.choice(data, "aggregation", path, Aggregation, Aggregation.ARITHMETIC),
        min_coverage=reader.number(
            data,
            "min_coverage",
            path,
            default=scoring["min_coverage"],
            minimum=0,
            maximum=1,
            allow_fraction=True,
        )
        or 0.0,
        indicators=_read_indicators(reader, data, path, scoring) if not has_sub_pillars else (),
        sub_pillars=tuple(sub_pillars),
    )


def _read_stages(reader: Reader, data: dict[str, Any], path: str) -> tuple[StageSpec, ...]:
    if data.get("stages") is None:
        missing = [lang for lang in reader.languages if lang not in DEFAULT_STAGES[0][1]]
        if missing:
            reader.error(
                join_path(path, "stages"),
                f"no built-in stage labels for {', '.join(missing)}: list the stages",
            )
        return tuple(
            StageSpec(code, {lang: label[lang] for lang in reader.languages if lang in label}, low)
            for code, label, low in DEFAULT_STAGES
        )
    stages: list[StageSpec] = []
    seen: set[str] = set()
    for stage_path, item in reader.items(data, "stages", path):
        stage_data = reader.mapping(item, stage_path)
        if stage_data is None:
            continue
        reader.keys(
            stage_data,
            stage_path,
            required=("code", "label", "min_score"),
            optional=("description",),
        )
        code = stage_data.get("code")
        if not isinstance(code, str) or not CHOICE_CODE_PATTERN.match(code) or code in seen:
            reader.error(join_path(stage_path, "code"), f"invalid or duplicate stage code {code!r}")
        seen.add(str(code))
        min_score = reader.number(stage_data, "min_score", stage_path, minimum=0, maximum=100)
        if min_score is None:
            continue
        if not stages and min_score != 0:
            reader.error(join_path(stage_path, "min_score"), "the first stage must start at 0")
        if stages and min_score <= stages[-1].min_score:
            reader.error(
                join_path(stage_path, "min_score"),
                f"stages out of order: {as_text(min_score)} is not above "
                f"{as_text(stages[-1].min_score)}",
            )
        stages.append(
            StageSpec(
                code=str(code),
                label=reader.text(stage_data, "label", stage_path, required=True),
                min_score=min_score,
                description=reader.text(stage_data, "description", stage_path),
            )
        )
    if data.get("stages") is not None and not stages:
        reader.error(join_path(path, "stages"), "at least one stage is needed")
    return tuple(stages)


def _read_scoring(reader: Reader, value: Any) -> tuple[ScoringSpec, dict[str, Any]]:
    data = reader.mapping(value if value is not None else {}, "scoring") or {}
    reader.keys(
        data,
        "scoring",
        required=(),
        optional=(
            "dont_know",
            "aggregation",
            "min_coverage",
            "target",
            "stages",
            "zeros",
            "zeros_value",
        ),
    )
    defaults = {
        "min_coverage": reader.number(
            data,
            "min_coverage",
            "scoring",
            default=2 / 3,
            minimum=0,
            maximum=1,
            allow_fraction=True,
        ),
        "target": _read_target(reader, data, "scoring", 100.0),
    }
    spec = ScoringSpec(
        dont_know=reader.choice(data, "dont_know", "scoring", DontKnowRule, DontKnowRule.EXCLUDE),
        aggregation=reader.choice(
            data, "aggregation", "scoring", Aggregation, Aggregation.ARITHMETIC
        ),
        min_coverage=defaults["min_coverage"] if defaults["min_coverage"] is not None else 2 / 3,
        target=defaults["target"] if defaults["target"] is not None else 100.0,
        stages=_read_stages(reader, data, "scoring"),
        zeros=reader.choice(data, "zeros", "scoring", ZeroRemedy, ZeroRemedy.KEEP),
        zeros_value=_read_zeros_value(reader, data),
    )
    return spec, {"min_coverage": spec.min_coverage, "target": spec.target}


def _read_zeros_value(reader: Reader, data: dict[str, Any]) -> float:
    """The floor or shift of ``scoring.zeros``: strictly between 0 and 100."""
    value = reader.number(data, "zeros_value", "scoring", default=1.0, minimum=0, maximum=100)
    if value is not None and not 0 < value < 100:
        reader.error(
            join_path("scoring", "zeros_value"),
            f"must lie strictly between 0 and 100, got {as_text(value)}",
        )
        return 1.0
    return 1.0 if value is None else value


def _read_mapping(
    reader: Reader, value: Any, *, code: str, version: str
) -> tuple[MappingSpec | None, dict[str, str]]:
    """The mapping section; also returns target code → path of its entry, checked later."""
    if value is None:
        return None, {}
    data = reader.mapping(value, "mapping")
    if data is None:
        return None, {}
    reader.keys(
        data,
        "mapping",
        required=("from_version",),
        optional=("from_code", "questions", "indicators"),
    )
    from_version = reader.string(data, "from_version", "mapping") or ""
    from_code = reader.string(data, "from_code", "mapping") or code
    if from_code == code and from_version == version:
        reader.error("mapping.from_version", "a version cannot map from itself")
    tables: dict[str, dict[str, str | None]] = {}
    targets: dict[str, str] = {}
    for key in ("questions", "indicators"):
        table = data.get(key) or {}
        here = join_path("mapping", key)
        if reader.mapping(table, here) is None:
            table = {}
        result: dict[str, str | None] = {}
        used: dict[str, str] = {}
        for old, new in table.items():
            entry = join_path(here, str(old))
            if not isinstance(old, str) or not CODE_PATTERN.match(old):
                reader.error(entry, f"invalid code {old!r}")
                continue
            if new is not None and (not isinstance(new, str) or not CODE_PATTERN.match(new)):
                reader.error(entry, f"expected a code of this version or null, got {new!r}")
                continue
            if new is not None and new in used:
                reader.error(entry, f"{old!r} and {used[new]!r} both map to {new!r}")
                continue
            if new is not None:
                used[new] = old
                targets[f"{key}:{new}"] = entry
            result[old] = new
        tables[key] = result
    return (
        MappingSpec(
            from_version=from_version,
            from_code=from_code,
            questions=tables["questions"],
            indicators=tables["indicators"],
        ),
        targets,
    )


def _check_conditions(reader: Reader, spec: FrameworkSpec, places: Mapping[str, str]) -> None:
    order = [question.code for question in spec.questions]
    questions = spec.questions_by_code
    dependencies: dict[str, set[str]] = {}
    for question in spec.questions:
        if question.show_if is None:
            continue
        try:
            node = expressions.parse(question.show_if)
        except expressions.ExpressionError:
            continue  # already reported while reading the question
        dependencies[question.code] = expressions.references(node)
        for problem in expressions.check_condition(
            node, question_code=question.code, order=order, questions=questions
        ):
            reader.error(join_path(places[question.code], "show_if"), problem)
    for cycle in expressions.find_cycles(dependencies):
        reader.error(join_path(places[cycle[0]], "show_if"), f"show_if cycle: {' → '.join(cycle)}")


def is_iso_language(code: str) -> bool:
    """Whether ``code`` names a language: ISO 639-1 (``pt``), else ISO 639-3 (``fil``), with an
    optional region or script subtag (``pt-BR``) as in BCP 47.

    >>> is_iso_language("pt"), is_iso_language("pt-BR"), is_iso_language("xx")
    (True, True, False)
    """
    base = code.split("-")[0]
    if len(base) == 2:
        return pycountry.languages.get(alpha_2=base) is not None
    return pycountry.languages.get(alpha_3=base) is not None


def load_framework_data(data: Any) -> FrameworkSpec:
    """Validate parsed data (from YAML or a stored JSON definition) into a FrameworkSpec.

    Raises
    ------
    FrameworkError
        Listing every problem found, each with its place.
    """
    reader = Reader()
    root = reader.mapping(data, "")
    if root is None:
        raise FrameworkError(reader.issues)
    reader.keys(
        root,
        "",
        required=("code", "version", "title", "languages", "pillars"),
        optional=("format", "description", "methodology", "scoring", "mapping"),
    )
    file_format = root.get("format", FORMAT_VERSION)
    if file_format != FORMAT_VERSION:
        reader.error(
            "format", f"unsupported format {file_format!r}; this version reads {FORMAT_VERSION}"
        )
    languages = root.get("languages")
    if (
        not isinstance(languages, list)
        or not languages
        or not all(isinstance(lang, str) and LANGUAGE_PATTERN.match(lang) for lang in languages)
        or len(set(languages)) != len(languages)
    ):
        reader.error(
            "languages",
            f"expected a list of distinct language codes, e.g. [en, fr], got {languages!r}",
        )
    else:
        unknown = [
            (index, lang) for index, lang in enumerate(languages) if not is_iso_language(lang)
        ]
        for index, lang in unknown:
            reader.error(
                f"languages[{index}]",
                f"unknown language code {lang!r}: use an ISO 639-1 code such as pt, sw or ru",
            )
        reader.languages = tuple(languages)
    code = reader.code(root, "")
    if "." in code:
        # The framework code appears in URLs (/frameworks/<code>/<version>/) as a slug.
        reader.error("code", f"a framework code may not contain '.', got {code!r}")
    version = root.get("version")
    if isinstance(version, float):
        reader.error("version", f"write the version as a quoted text, e.g. '{version}'")
        version = str(version)
    elif version is not None and (
        isinstance(version, bool)
        or not isinstance(version, str | int)
        or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._\-]{0,31}", str(version))
    ):
        reader.error("version", f"expected a short version text such as '2026.1', got {version!r}")
    version = "" if version is None else str(version)
    scoring, scoring_defaults = _read_scoring(reader, root.get("scoring"))
    pillars = [
        pillar
        for pillar_path, item in reader.items(root, "pillars", "")
        if (pillar := _read_pillar(reader, item, pillar_path, scoring_defaults)) is not None
    ]
    if "pillars" in root and not pillars and isinstance(root.get("pillars"), list):
        reader.error("pillars", "a framework needs at least one pillar")
    reader.weights([(pillar.code, pillar.weight) for pillar in pillars], "pillars", "pillar")
    mapping, mapping_targets = _read_mapping(
        reader, root.get("mapping"), code=code, version=version
    )
    spec = FrameworkSpec(
        code=code,
        version=version,
        title=reader.text(root, "title", "", required=True),
        description=reader.text(root, "description", ""),
        methodology=reader.text(root, "methodology", ""),
        languages=reader.languages,
        scoring=scoring,
        pillars=tuple(pillars),
        mapping=mapping,
    )
    _check_conditions(reader, spec, reader.code_places)
    for target, entry in mapping_targets.items():
        kind, new_code = target.split(":", 1)
        known = spec.questions_by_code if kind == "questions" else spec.indicators_by_code
        if new_code not in known:
            reader.error(entry, f"{new_code!r} is not a {kind[:-1]} of this version")
    if reader.issues:
        raise FrameworkError(reader.issues)
    return spec


def load_framework_text(text: str) -> FrameworkSpec:
    """Parse and validate framework YAML text. Raises FrameworkError."""
    return load_framework_data(parse_yaml(text))


def load_framework_file(path: str | Path) -> FrameworkSpec:
    """Read, parse and validate a framework YAML file. Raises FrameworkError or OSError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise FrameworkError([FrameworkIssue("", f"{path}: not UTF-8 text ({error})")]) from error
    return load_framework_text(text)

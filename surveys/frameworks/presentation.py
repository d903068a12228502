"""What the public framework page shows, in one language, as plain data (no Django).

Weights are shown as shares of their siblings (the engine normalises weights the same way), so
readers see "40 %" rather than a raw weight of 0.4 or 2.

Examples
--------
>>> from surveys.frameworks.loader import EXAMPLE, load_framework_text
>>> page = framework_page(load_framework_text(EXAMPLE), "fr")
>>> page.title, page.pillars[0].indicators[0].questions[1].text
('Minuscule', 'Quelle part ?')
>>> page.pillars[0].indicators[0].questions[0].weight_share
50.0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from surveys.frameworks.spec import (
    FrameworkSpec,
    IndicatorSpec,
    NormalisationSpec,
    QuestionSpec,
    translate,
)

__all__ = ["FrameworkPage", "framework_page"]


@dataclass(frozen=True)
class LevelView:
    value: int
    label: str
    descriptor: str
    score: float


@dataclass(frozen=True)
class ChoiceView:
    code: str
    label: str
    points: float


@dataclass(frozen=True)
class QuestionView:
    code: str
    type: str
    text: str
    help: str
    scored: bool
    required: bool
    weight_share: float | None
    allow_dont_know: bool
    allow_not_applicable: bool
    show_if: str | None
    levels: tuple[LevelView, ...]
    choices: tuple[ChoiceView, ...]
    max_points: float | None
    unit: str
    minimum: float | None
    maximum: float | None
    normalisation: NormalisationSpec | None


@dataclass(frozen=True)
class IndicatorView:
    code: str
    title: str
    description: str
    weight_share: float | None
    target: float
    aggregation: str
    questions: tuple[QuestionView, ...]


@dataclass(frozen=True)
class SubPillarView:
    code: str
    title: str
    description: str
    weight_share: float
    aggregation: str
    indicators: tuple[IndicatorView, ...]


@dataclass(frozen=True)
class PillarView:
    code: str
    title: str
    description: str
    weight_share: float
    aggregation: str
    min_coverage_percent: float
    sub_pillars: tuple[SubPillarView, ...]
    indicators: tuple[IndicatorView, ...]


@dataclass(frozen=True)
class StageView:
    code: str
    label: str
    min_score: float
    description: str


@dataclass(frozen=True)
class FrameworkPage:
    code: str
    version: str
    title: str
    description: str
    methodology: str
    languages: tuple[str, ...]
    dont_know_rule: str
    aggregation: str
    stages: tuple[StageView, ...]
    pillars: tuple[PillarView, ...]
    indicator_count: int
    question_count: int
    scored_question_count: int
    mapping_from: str | None


def _shares(weights: Sequence[float]) -> list[float]:
    total = sum(weights)
    return [round(100 * weight / total, 1) if total else 0.0 for weight in weights]


def _question(question: QuestionSpec, share: float | None, language: str) -> QuestionView:
    return QuestionView(
        code=question.code,
        type=str(question.type),
        text=translate(question.text, language),
        help=translate(question.help, language),
        scored=question.scored,
        required=question.required,
        weight_share=share,
        allow_dont_know=question.allow_dont_know,
        allow_not_applicable=question.allow_not_applicable,
        show_if=question.show_if,
        levels=tuple(
            LevelView(
                level.value,
                translate(level.label, language),
                translate(level.descriptor, language),
                level.score,
            )
            for level in question.levels
        ),
        choices=tuple(
            ChoiceView(choice.code, translate(choice.label, language), choice.points)
            for choice in question.choices
        ),
        max_points=question.max_points,
        unit=translate(question.unit, language),
        minimum=question.minimum,
        maximum=question.maximum,
        normalisation=question.normalisation,
    )


def _indicators(indicators: Sequence[IndicatorSpec], language: str) -> tuple[IndicatorView, ...]:
    scored = [indicator for indicator in indicators if indicator.scored]
    shares = dict(
        zip(
            [indicator.code for indicator in scored],
            _shares([indicator.weight for indicator in scored]),
            strict=True,
        )
    )
    views = []
    for indicator in indicators:
        scored_questions = [question for question in indicator.questions if question.scored]
        question_shares = dict(
            zip(
                [question.code for question in scored_questions],
                _shares([question.weight for question in scored_questions]),
                strict=True,
            )
        )
        views.append(
            IndicatorView(
                code=indicator.code,
                title=translate(indicator.title, language),
                description=translate(indicator.description, language),
                weight_share=shares.get(indicator.code),
                target=indicator.target,
                aggregation=str(indicator.aggregation),
                questions=tuple(
                    _question(question, question_shares.get(question.code), language)
                    for question in indicator.questions
                ),
            )
        )
    return tuple(views)


def framework_page(spec: FrameworkSpec, language: str) -> FrameworkPage:
    """Everything the framework page shows, with texts in ``language`` (falling back to English)."""
    pillar_shares = _shares([pillar.weight for pillar in spec.pillars])
    pillars = []
    for pillar, share in zip(spec.pillars, pillar_shares, strict=True):
        sub_shares = _shares([sub.weight for sub in pillar.sub_pillars])
        pillars.append(
            PillarView(
                code=pillar.code,
                title=translate(pillar.title, language),
                description=translate(pillar.description, language),
                weight_share=share,
                aggregation=str(pillar.aggregation),
                min_coverage_percent=round(100 * pillar.min_coverage, 1),
                sub_pillars=tuple(
                    SubPillarView(
                        code=sub.code,
                        title=translate(sub.title, language),
                        description=translate(sub.description, language),
                        weight_share=sub_share,
                        aggregation=str(sub.aggregation),
                        indicators=_indicators(sub.indicators, language),
                    )
                    for sub, sub_share in zip(pillar.sub_pillars, sub_shares, strict=True)
                ),
                indicators=_indicators(pillar.indicators, language),
            )
        )
    mapping = spec.mapping
    return FrameworkPage(
        code=spec.code,
        version=spec.version,
        title=translate(spec.title, language),
        description=translate(spec.description, language),
        methodology=translate(spec.methodology, language),
        languages=spec.languages,
        dont_know_rule=str(spec.scoring.dont_know),
        aggregation=str(spec.scoring.aggregation),
        stages=tuple(
            StageView(
                stage.code,
                translate(stage.label, language),
                stage.min_score,
                translate(stage.description, language),
            )
            for stage in spec.scoring.stages
        ),
        pillars=tuple(pillars),
        indicator_count=len(spec.indicators),
        question_count=len(spec.questions),
        scored_question_count=sum(question.scored for question in spec.questions),
        mapping_from=f"{mapping.from_code} {mapping.from_version}" if mapping else None,
    )

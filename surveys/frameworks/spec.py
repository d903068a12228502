"""Immutable description of an assessment framework (the questionnaire and its scoring rules).

A framework is a tree: FrameworkSpec → PillarSpec → optional SubPillarSpec → IndicatorSpec →
QuestionSpec. Every element carries a stable ``code`` so that answers and scores survive
reordering and new versions. Every text is a mapping of language code to text, for example
``{"en": "Connectivity", "fr": "Connectivité"}``.

All defaults are resolved by the loader, so every scoring field here is explicit: an adapter to
the scoring engine reads values, it never has to know a default. See docs/framework-format.md.

This module imports no Django: the command-line scorer uses it without a database.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property

__all__ = [
    "Aggregation",
    "ChoiceSpec",
    "Direction",
    "DontKnowRule",
    "FrameworkSpec",
    "IndicatorSpec",
    "LevelSpec",
    "MappingSpec",
    "Missing",
    "NormalisationMethod",
    "NormalisationSpec",
    "OfficialLinkSpec",
    "PillarSpec",
    "QuestionSpec",
    "QuestionType",
    "ScoringSpec",
    "StageSpec",
    "SubPillarSpec",
    "Transform",
    "Translations",
    "text_languages",
    "text_languages_key",
    "translate",
]

#: Language code → text, e.g. ``{"en": "Yes", "fr": "Oui"}``.
Translations = Mapping[str, str]


class QuestionType(enum.StrEnum):
    MATURITY = "maturity"
    YES_PARTIAL_NO = "yes_partial_no"
    NUMBER = "number"
    PERCENTAGE = "percentage"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    TEXT = "text"
    DATE = "date"
    EVIDENCE = "evidence"

    @property
    def scorable(self) -> bool:
        """Whether answers of this type can be turned into a 0–100 score."""
        return self not in NON_SCORABLE_TYPES

    @property
    def has_choices(self) -> bool:
        return self in CHOICE_TYPES

    @property
    def numeric(self) -> bool:
        return self in (QuestionType.NUMBER, QuestionType.PERCENTAGE)


NON_SCORABLE_TYPES = frozenset({QuestionType.TEXT, QuestionType.DATE, QuestionType.EVIDENCE})
CHOICE_TYPES = frozenset(
    {QuestionType.YES_PARTIAL_NO, QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE}
)


class Missing(enum.StrEnum):
    """Special answers. They are stored as such and never scored as 0."""

    DONT_KNOW = "dont_know"
    NOT_APPLICABLE = "not_applicable"


class ZeroRemedy(enum.StrEnum):
    """What scoring does about question scores of 0 (which zero any geometric mean above)."""

    KEEP = "keep"
    FLOOR = "floor"
    SHIFT = "shift"


class DontKnowRule(enum.StrEnum):
    """How scoring treats "don't know": left out of the denominator, or scored as lowest."""

    EXCLUDE = "exclude"
    LOWEST = "lowest"


class Aggregation(enum.StrEnum):
    """Weighted mean used to combine the children of one level of the tree."""

    ARITHMETIC = "arithmetic"
    GEOMETRIC = "geometric"
    HARMONIC = "harmonic"


class Direction(enum.StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class Transform(enum.StrEnum):
    """Optional scaling applied to a raw value and to both goalposts before rescaling."""

    NONE = "none"
    LN = "ln"  # natural logarithm, for strictly positive values
    LN1P = "ln1p"  # ln(x + 1), for counts that may be zero


class NormalisationMethod(enum.StrEnum):
    LEVELS = "levels"  # maturity: the level's ``score``
    CHOICES = "choices"  # choice questions: 100 × clip(points / max_points, 0, 1)
    GOALPOSTS = "goalposts"  # numbers: rescale between ``lower`` and ``upper``, clipped


@dataclass(frozen=True)
class NormalisationSpec:
    """How one question's answer becomes a score on the 0–100 scale.

    For ``goalposts`` with ``f`` the transform (identity, ``ln`` or ``ln1p``)::

        higher_is_better: 100 × clip((f(x) − f(lower)) / (f(upper) − f(lower)), 0, 1)
        lower_is_better:  100 × clip((f(upper) − f(x)) / (f(upper) − f(lower)), 0, 1)

    as in the ITU ICT Development Index 2023 (threshold → goalpost, capped, some indicators
    log-scaled, price indicators reversed). ``lower`` and ``upper`` are ``None`` for the other
    methods.
    """

    method: NormalisationMethod
    lower: float | None = None
    upper: float | None = None
    direction: Direction = Direction.HIGHER_IS_BETTER
    transform: Transform = Transform.NONE


@dataclass(frozen=True)
class LevelSpec:
    """One level of a maturity question; ``score`` is on the 0–100 scale."""

    value: int
    descriptor: Translations
    score: float
    label: Translations = field(default_factory=dict)


@dataclass(frozen=True)
class ChoiceSpec:
    """One option of a choice question; ``points`` feed the ``choices`` normalisation."""

    code: str
    label: Translations
    points: float = 0.0


@dataclass(frozen=True)
class OfficialLinkSpec:
    """The official statistic a number or percentage question measures (``official:`` key).

    ``unit`` is the unit code the source publishes the indicator in; loading a statistics file
    whose unit differs is refused. An official value ``v`` stands for the answer
    ``factor × v`` (for example 1000 to turn GB into MB).
    """

    source: str
    indicator: str
    unit: str
    factor: float = 1.0

    def answer_value(self, official_value: float) -> float:
        """The official value in the question's unit."""
        return official_value * self.factor


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    type: QuestionType
    text: Translations
    help: Translations = field(default_factory=dict)
    required: bool = True
    scored: bool = True
    #: Relative weight among the scored questions of its indicator (composite indicators).
    weight: float = 1.0
    allow_dont_know: bool = True
    allow_not_applicable: bool = True
    #: Source text of the condition in the show_if language (see expressions.py), or None.
    show_if: str | None = None
    levels: tuple[LevelSpec, ...] = ()
    choices: tuple[ChoiceSpec, ...] = ()
    #: Denominator of the ``choices`` normalisation (resolved by the loader).
    max_points: float | None = None
    unit: Translations = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    normalisation: NormalisationSpec | None = None
    #: The official statistic this question measures, if any.
    official: OfficialLinkSpec | None = None

    @property
    def lowest_score(self) -> float:
        """Score of the worst possible answer (used by the ``lowest`` don't-know rule)."""
        if self.type is QuestionType.MATURITY:
            return min(level.score for level in self.levels)
        return 0.0

    def choice(self, code: str) -> ChoiceSpec | None:
        return next((choice for choice in self.choices if choice.code == code), None)


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    title: Translations
    questions: tuple[QuestionSpec, ...]
    description: Translations = field(default_factory=dict)
    #: Relative weight among the indicators of its pillar or sub-pillar.
    weight: float = 1.0
    #: Target on the 0–100 score scale; the gap is max(0, target − score).
    target: float = 100.0
    #: How the scores of its scored questions are combined.
    aggregation: Aggregation = Aggregation.ARITHMETIC

    @property
    def scored(self) -> bool:
        return any(question.scored for question in self.questions)


@dataclass(frozen=True)
class SubPillarSpec:
    code: str
    title: Translations
    indicators: tuple[IndicatorSpec, ...]
    description: Translations = field(default_factory=dict)
    weight: float = 1.0
    aggregation: Aggregation = Aggregation.ARITHMETIC


@dataclass(frozen=True)
class PillarSpec:
    """A pillar holds either ``indicators`` directly or ``sub_pillars``, never both."""

    code: str
    title: Translations
    description: Translations = field(default_factory=dict)
    weight: float = 1.0
    aggregation: Aggregation = Aggregation.ARITHMETIC
    #: Share of the pillar's (weighted) indicators that must have data to report a score.
    min_coverage: float = 2 / 3
    indicators: tuple[IndicatorSpec, ...] = ()
    sub_pillars: tuple[SubPillarSpec, ...] = ()

    @property
    def all_indicators(self) -> tuple[IndicatorSpec, ...]:
        """Indicators in questionnaire order, through sub-pillars if any."""
        if self.sub_pillars:
            return tuple(ind for sub in self.sub_pillars for ind in sub.indicators)
        return self.indicators

    @property
    def questions(self) -> tuple[QuestionSpec, ...]:
        return tuple(q for indicator in self.all_indicators for q in indicator.questions)


@dataclass(frozen=True)
class StageSpec:
    """A maturity stage reached when the score is at least ``min_score`` (0–100)."""

    code: str
    label: Translations
    min_score: float
    description: Translations = field(default_factory=dict)


@dataclass(frozen=True)
class ScoringSpec:
    dont_know: DontKnowRule = DontKnowRule.EXCLUDE
    #: How pillar scores are combined into the overall score.
    aggregation: Aggregation = Aggregation.ARITHMETIC
    #: Default of ``PillarSpec.min_coverage`` (already applied to every pillar).
    min_coverage: float = 2 / 3
    #: Default of ``IndicatorSpec.target`` (already applied to every indicator).
    target: float = 100.0
    stages: tuple[StageSpec, ...] = ()
    #: Remedy for question scores of 0 and its value (the floor, or the bottom of the scale).
    zeros: ZeroRemedy = ZeroRemedy.KEEP
    zeros_value: float = 1.0

    def stage_for(self, score: float) -> StageSpec | None:
        """The highest stage whose threshold ``score`` reaches (stages are ascending)."""
        reached = [stage for stage in self.stages if score >= stage.min_score]
        return reached[-1] if reached else None


@dataclass(frozen=True)
class MappingSpec:
    """Correspondence from an earlier version of the framework to this one.

    A code absent from ``questions`` maps to itself when that code exists in both versions;
    a code mapped to ``None`` was dropped.
    """

    from_version: str
    from_code: str
    questions: Mapping[str, str | None] = field(default_factory=dict)
    indicators: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class FrameworkSpec:
    code: str
    version: str
    title: Translations
    languages: tuple[str, ...]
    pillars: tuple[PillarSpec, ...]
    description: Translations = field(default_factory=dict)
    methodology: Translations = field(default_factory=dict)
    scoring: ScoringSpec = field(default_factory=ScoringSpec)
    mapping: MappingSpec | None = None

    @cached_property
    def questions(self) -> tuple[QuestionSpec, ...]:
        """All questions in questionnaire order (the order show_if references respect)."""
        return tuple(q for pillar in self.pillars for q in pillar.questions)

    @cached_property
    def indicators(self) -> tuple[IndicatorSpec, ...]:
        return tuple(ind for pillar in self.pillars for ind in pillar.all_indicators)

    @cached_property
    def questions_by_code(self) -> dict[str, QuestionSpec]:
        return {question.code: question for question in self.questions}

    @cached_property
    def indicators_by_code(self) -> dict[str, IndicatorSpec]:
        return {indicator.code: indicator for indicator in self.indicators}

    @cached_property
    def pillar_of_question(self) -> dict[str, str]:
        return {q.code: pillar.code for pillar in self.pillars for q in pillar.questions}

    def iter_indicators_with_parents(
        self,
    ) -> Iterator[tuple[PillarSpec, SubPillarSpec | None, IndicatorSpec]]:
        """Yield ``(pillar, sub_pillar or None, indicator)`` in questionnaire order."""
        for pillar in self.pillars:
            if pillar.sub_pillars:
                for sub in pillar.sub_pillars:
                    for indicator in sub.indicators:
                        yield pillar, sub, indicator
            else:
                for indicator in pillar.indicators:
                    yield pillar, None, indicator


#: While a reader has chosen a framework language the interface lacks (issue 21, item 6): that
#: language and its fallback chain, and the interface language the chain stands in for. A
#: ContextVar, so that one request's choice never leaks into another thread's or task's.
_TEXT_LANGUAGES: ContextVar[tuple[tuple[str, ...], str] | None] = ContextVar(
    "framework_text_languages", default=None
)


@contextmanager
def text_languages(chain: Sequence[str], interface: str) -> Iterator[None]:
    """Within the block, ``translate(texts, interface)`` tries the languages of ``chain`` first.

    ``chain`` is the reader's framework language followed by its fallbacks, e.g.
    ``("pt", "es", "en")`` for a Portuguese framework read with a Spanish interface. Texts asked
    for in another language (an e-mail to a French reader sent during the request) are not
    affected.

    >>> texts = {"en": "Yes", "es": "Sí", "pt": "Sim"}
    >>> with text_languages(("pt", "es", "en"), "es"):
    ...     translate(texts, "es"), translate(texts, "fr")
    ('Sim', 'Yes')
    >>> translate(texts, "es")
    'Sí'
    """
    token = _TEXT_LANGUAGES.set((tuple(chain), interface))
    try:
        yield
    finally:
        _TEXT_LANGUAGES.reset(token)


def text_languages_key() -> str:
    """The active :func:`text_languages` as a short string for cache keys ("" when none).

    >>> with text_languages(("pt", "es", "en"), "es"):
    ...     text_languages_key()
    'pt>es>en@es'
    """
    preferred = _TEXT_LANGUAGES.get()
    return "" if preferred is None else ">".join(preferred[0]) + "@" + preferred[1]


def translate(texts: Translations, language: str, fallback: str = "en") -> str:
    """Pick the text in ``language``, else in ``fallback``, else any, else "".

    Inside :func:`text_languages`, a text asked for in its interface language is first looked up
    along its chain (the reader's framework language and its fallbacks).

    Examples
    --------
    >>> translate({"en": "Yes", "fr": "Oui"}, "fr")
    'Oui'
    >>> translate({"en": "Yes", "fr": "Oui"}, "es")
    'Yes'
    >>> translate({}, "fr")
    ''
    """
    preferred = _TEXT_LANGUAGES.get()
    if preferred is not None and language == preferred[1]:
        for candidate in preferred[0]:
            if texts.get(candidate):
                return texts[candidate]
    if language in texts:
        return texts[language]
    base_language = language.split("-")[0]
    if base_language in texts:
        return texts[base_language]
    if fallback in texts:
        return texts[fallback]
    return next(iter(texts.values()), "")

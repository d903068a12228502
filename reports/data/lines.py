"""The plain frozen dataclasses a report or dashboard shows, and the error when none can be built.

Every field holds plain values (strings, floats, tuples), already translated, so the dataclasses
pickle and render anywhere: :mod:`reports.pdf`, the dashboards and the batch workers read them
with neither the ORM nor an active language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from charts import ChartText
from reports.peers import CountryPeers
from scoring.influence import InfluenceLine

__all__ = [
    "DEFAULT_BUDGET",
    "TOP_GAPS",
    "AgreementLine",
    "AnswerLine",
    "CountryReport",
    "CountryRow",
    "DemandLine",
    "EvidenceLine",
    "InterventionLine",
    "PillarSection",
    "PriorityLine",
    "RegionalReport",
    "ReportError",
    "ScoreLine",
]

#: Budget (USD) of the recommended portfolio when the caller names none; the planner pages'
#: default, so a report and the planner page recommend the same thing.
DEFAULT_BUDGET = 1_000_000.0
#: How many of the largest indicator gaps the executive summary lists.
TOP_GAPS = 5


class ReportError(ValueError):
    """A report that cannot be built, with a message that says why (e.g. no scores yet)."""


@dataclass(frozen=True)
class ScoreLine:
    """One node's numbers: overall, a pillar or an indicator."""

    code: str
    title: str
    score: float | None
    target: float | None = None
    gap: float | None = None
    coverage: float | None = None
    stage: str = ""
    insufficient: bool = False
    interval_low: float | None = None
    interval_high: float | None = None
    effective_weight: float | None = None
    pillar_title: str = ""
    #: "above" or "below" when the score lies outside its own interval (Score.outside_interval).
    outside_interval: str = ""


@dataclass(frozen=True)
class AnswerLine:
    question_code: str
    question: str
    answer: str
    status: str
    justification: str
    score: float | None


@dataclass(frozen=True)
class EvidenceLine:
    question_code: str
    label: str
    location: str


@dataclass(frozen=True)
class AgreementLine:
    alpha: float | None
    rwg: float | None
    respondents: int
    low_agreement: bool
    interval_low: float | None
    interval_high: float | None


@dataclass(frozen=True)
class PillarSection:
    pillar: ScoreLine
    indicators: tuple[ScoreLine, ...]
    answers: tuple[AnswerLine, ...]
    evidence: tuple[EvidenceLine, ...]
    agreement: AgreementLine | None = None
    low_agreement_questions: tuple[str, ...] = ()


@dataclass(frozen=True)
class PriorityLine:
    rank: int
    indicator: str
    pillar: str
    gap: float
    priority: float
    intervention: str


@dataclass(frozen=True)
class InterventionLine:
    code: str
    title: str
    kind: str
    cost: float
    duration_months: int
    gain: float
    selected: bool


@dataclass(frozen=True)
class CountryReport:
    """Everything the country report and the country dashboard show, already translated."""

    language: str
    text: Mapping[str, str]
    chart_text: ChartText
    title: str
    subject: str
    author: str
    keywords: tuple[str, ...]
    country_name: str
    alpha3: str
    round: int
    framework_title: str
    framework_code: str
    framework_version: str
    run_id: int
    run_date: str
    seed: int | None
    engine_version: str
    config_digest: str
    inputs_digest: str
    assessment_state: str
    overall: ScoreLine
    pillars: tuple[PillarSection, ...]
    top_gaps: tuple[ScoreLine, ...]
    priorities: tuple[PriorityLine, ...]
    portfolio: tuple[InterventionLine, ...]
    budget: float
    portfolio_cost: float
    portfolio_gain: float
    portfolio_notes: tuple[str, ...]
    methodology: tuple[tuple[str, str], ...]
    pillar_weights: tuple[tuple[str, str, str, str], ...]
    indicator_weights: tuple[tuple[str, str, str, str], ...]
    methodology_text: str = ""
    #: The methodology annex: (choice, what is done, reference) for every methodological choice.
    annex: tuple[tuple[str, str, str], ...] = ()
    rank_low: float | None = None
    rank_median: float | None = None
    rank_high: float | None = None
    cohort_size: int = 0
    cohort_run_id: int | None = None
    trend_rounds: tuple[int, ...] = ()
    trend_series: tuple[tuple[str, tuple[float | None, ...]], ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)
    #: ``run_date`` written the report language's way ("28 novembre 2026"); the run fixes it,
    #: so the PDF stays byte-identical across runs.
    run_date_text: str = ""
    #: What moves the overall score (Sobol indices of the run), largest first.
    influence: tuple[InfluenceLine, ...] = ()
    influence_evaluations: int = 0
    #: The country among its region and income group in official statistics (reports.peers).
    peers: CountryPeers | None = None


@dataclass(frozen=True)
class CountryRow:
    alpha3: str
    name: str
    region: str
    income_group: str
    overall: ScoreLine
    pillar_scores: tuple[float | None, ...]
    run_id: int
    rank_low: float | None = None
    rank_median: float | None = None
    rank_high: float | None = None
    #: Why the country has no rank ("—"), for the reader; "" when it is ranked.
    unranked_reason: str = ""


@dataclass(frozen=True)
class DemandLine:
    region: str
    income_group: str
    countries: int
    need: float
    recommended: int
    cost: float


@dataclass(frozen=True)
class RegionalReport:
    """Everything the regional (portfolio) report and dashboard show, already translated."""

    language: str
    text: Mapping[str, str]
    chart_text: ChartText
    title: str
    subject: str
    author: str
    round: int
    framework_title: str
    framework_code: str
    framework_version: str
    date: str
    region: str
    income_group: str
    pillar_titles: tuple[str, ...]
    rows: tuple[CountryRow, ...]
    demand: tuple[DemandLine, ...]
    demand_interventions: tuple[tuple[str, int, float], ...]
    budget: float
    cohort_run_id: int | None = None
    notes: tuple[str, ...] = ()
    #: ``date`` written the report language's way.
    date_text: str = ""
    #: What moves the ranking of the cohort run (Sobol indices of the mean rank shift).
    ranking_influence: tuple[InfluenceLine, ...] = ()
    ranking_influence_evaluations: int = 0
    #: The section "Matching demand to providers" (reports.matching_section), or None.
    matching: Any = None

    @property
    def unranked(self) -> tuple[CountryRow, ...]:
        """The countries shown without a rank ("—"), each with its reason."""
        return tuple(row for row in self.rows if row.unranked_reason)

"""Planner services: priorities of a country's gaps, its best portfolio, and cross-country demand.

"Fetch, then compute": :func:`latest_snapshots` reads the latest score run of each country's
latest scored assessment in a bounded number of queries and returns plain dataclasses; the
functions below call the engine (:mod:`scoring.engine.priority`, :mod:`scoring.engine.portfolio`)
on them without touching the database.

Where the four gap criteria come from
-------------------------------------
gap size
    ``max(0, target - score)`` of the indicator, in score points.
importance
    The indicator's effective weight in the overall score (product of the weights down the
    hierarchy, as stored on the Score row).
urgency
    ``relative gap × stage factor``: the gap as a share of the target, times
    ``1 - position / number_of_stages`` where the lowest stage (Basic) has position 0. A large
    gap at the Basic stage is the most urgent (factor 1); the same relative gap at the highest
    stage matters less (factor 0.2 with five stages). In [0, 1].
feasibility
    From the cheapest active intervention that addresses the indicator (directly or through
    its pillar), with cost ``c`` and duration ``d`` months:
    ``m / (m + c) × 12 / (12 + d)`` where ``m`` is the median cost of the active catalogue.
    Cheap, quick interventions give values near 1; a gap no intervention addresses gets 0.

Uncertainty samples
-------------------
When the run stores 5–95 % intervals of indicator scores (or, failing that, of pillar scores),
gap samples are drawn from a normal approximation of each interval (median, standard deviation
``(high - low) / (2 × 1.645)``); with pillar intervals, every indicator of a pillar shifts with
its pillar. The portfolio is then solved once per sample and each intervention's selection
frequency shown, most robust first.

The catalogue functions live in :mod:`planning.catalogue` and are re-exported here.
"""

from __future__ import annotations

import hashlib
import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from planning.catalogue import (  # noqa: F401  (re-exported: the catalogue's public API)
    CatalogueError,
    CatalogueLoadResult,
    catalogue_load,
    expand_targets,
    read_catalogue_file,
    validate_catalogue,
)
from planning.models import DeliveryChannel, Intervention, InterventionKind
from scoring.engine.portfolio import (
    PortfolioResult,
    build_improvement_matrix,
    build_portfolio_problem,
    optimise_portfolio,
    robust_portfolio,
)
from scoring.engine.priority import GAP_CRITERIA, gap_priority
from scoring.models import RunStatus, Score, ScoreLevel, ScoreRun
from surveys.frameworks.spec import FrameworkSpec, translate
from surveys.models import Assessment, Country, Framework, IncomeGroup, ItuRegion

PRIORITY_METHODS = ("weighted_sum", "topsis")
DEFAULT_CRITERIA_WEIGHTS: dict[str, float] = {
    "gap_size": 0.4,
    "importance": 0.3,
    "urgency": 0.2,
    "feasibility": 0.1,
}
DEFAULT_SAMPLES = 40
# z of the 95th percentile: a 5-95 % interval spans 2 x 1.645 standard deviations.
_Z_95 = 1.6448536269514722
_REFERENCE_MONTHS = 12.0
# Score columns the planner reads; the explanation JSON and the run's stored inputs are skipped.
_SCORE_FIELDS = (
    "run_id",
    "assessment_id",
    "level",
    "code",
    "score",
    "target",
    "gap",
    "effective_weight",
    "stage",
    "interval_low",
    "interval_median",
    "interval_high",
)


class PlanningError(ValueError):
    """A planning request that cannot be answered, with a message for the planner."""


@dataclass(frozen=True)
class IndicatorGap:
    code: str
    title: str
    pillar_code: str
    score: float | None
    target: float
    gap: float | None
    relative_gap: float | None
    effective_weight: float
    stage: str
    interval_low: float | None = None
    interval_median: float | None = None
    interval_high: float | None = None


@dataclass(frozen=True)
class PillarScore:
    code: str
    title: str
    score: float | None
    gap: float | None
    interval_low: float | None = None
    interval_median: float | None = None
    interval_high: float | None = None


@dataclass(frozen=True)
class ScoreSnapshot:
    """A country's latest scores as the planner pages use them."""

    country: Country
    assessment: Assessment
    run_id: int
    seed: int | None
    spec: FrameworkSpec
    overall: float | None
    overall_stage: str
    indicators: tuple[IndicatorGap, ...]
    pillars: tuple[PillarScore, ...]

    @property
    def weighted_gap(self) -> float:
        """Overall-score points lost to gaps: ``sum_i w_i × gap_i``."""
        return sum(ind.effective_weight * (ind.gap or 0.0) for ind in self.indicators)

    def pillar_weighted_gaps(self) -> dict[str, float]:
        totals: dict[str, float] = {pillar.code: 0.0 for pillar in self.pillars}
        for ind in self.indicators:
            totals[ind.pillar_code] = totals.get(ind.pillar_code, 0.0) + (
                ind.effective_weight * (ind.gap or 0.0)
            )
        return totals


@dataclass(frozen=True)
class NeedRow:
    rank: int
    indicator: IndicatorGap
    urgency: float
    feasibility: float
    priority: float
    contributions: dict[str, float]
    cheapest: str


#: The columns of a country's ranked needs, written by the planner page's CSV and the
#: priorities export alike (see :func:`need_cells`).
NEED_COLUMNS = (
    "rank",
    "indicator",
    "title",
    "pillar",
    "score",
    "target",
    "gap",
    "effective_weight",
    "urgency",
    "feasibility",
    "priority",
    "cheapest_intervention",
)


def need_cells(need: NeedRow) -> dict[str, Any]:
    """One ranked need as the :data:`NEED_COLUMNS` cells, at full precision."""
    indicator = need.indicator
    return {
        "rank": need.rank,
        "indicator": indicator.code,
        "title": indicator.title,
        "pillar": indicator.pillar_code,
        "score": indicator.score,
        "target": indicator.target,
        "gap": indicator.gap,
        "effective_weight": indicator.effective_weight,
        "urgency": need.urgency,
        "feasibility": need.feasibility,
        "priority": need.priority,
        "cheapest_intervention": need.cheapest,
    }


@dataclass(frozen=True)
class CountryNeeds:
    rows: tuple[NeedRow, ...]
    insufficient: tuple[IndicatorGap, ...]
    method: str
    weights: dict[str, float]


@dataclass(frozen=True)
class PortfolioLine:
    code: str
    title: str
    kind: str
    channel: str
    cost: float
    duration_months: int
    standalone_gain: float
    optimal: bool
    greedy: bool
    frequency: float | None


@dataclass(frozen=True)
class CountryPortfolio:
    result: PortfolioResult
    lines: tuple[PortfolioLine, ...]
    n_samples: int = 0
    notes: tuple[str, ...] = ()

    @property
    def selected_lines(self) -> tuple[PortfolioLine, ...]:
        return tuple(line for line in self.lines if line.optimal)


@dataclass(frozen=True)
class DemandGroup:
    region: str
    income_group: str
    countries: int
    weighted_need: float
    pillar_needs: dict[str, float]
    recommended: int
    recommended_cost: float
    pillar_values: tuple[float, ...] = ()

    @property
    def mean_weighted_need(self) -> float:
        return self.weighted_need / self.countries if self.countries else 0.0

    @property
    def region_label(self) -> str:
        """The ITU region in the active language ("Afrique" for "Africa"); codes stay in CSV."""
        return str(dict(ItuRegion.choices).get(self.region, self.region))

    @property
    def income_group_label(self) -> str:
        """The income group in the active language ("Faible revenu" for "Low income")."""
        return str(dict(IncomeGroup.choices).get(self.income_group, self.income_group))


@dataclass(frozen=True)
class InterventionDemand:
    code: str
    title: str
    kind: str
    channel: str
    countries: int
    total_cost: float


@dataclass(frozen=True)
class Demand:
    framework_code: str
    budget_per_country: float
    pillars: tuple[tuple[str, str], ...]
    groups: tuple[DemandGroup, ...]
    interventions: tuple[InterventionDemand, ...]
    countries: int
    notes: tuple[str, ...] = field(default_factory=tuple)


def latest_snapshots(
    *,
    countries: QuerySet[Country] | None = None,
    framework_code: str | None = None,
    language: str = "en",
) -> list[ScoreSnapshot]:
    """The latest scored assessment of each country, with its latest complete run's scores.

    Three queries whatever the number of countries: assessments with scores, the latest run
    of each, and the Score rows of those runs. Runs are ordered by primary key, which follows
    creation.
    """
    assessments = Assessment.objects.filter(scores__run__status=RunStatus.COMPLETE)
    if countries is not None:
        assessments = assessments.filter(country__in=countries)
    if framework_code:
        assessments = assessments.filter(framework__code=framework_code)
    latest_run = dict(
        assessments.values("pk").annotate(run=Max("scores__run")).values_list("pk", "run")
    )
    chosen: dict[int, Assessment] = {}
    assessments_found = list(Assessment.objects.filter(pk__in=latest_run).select_related("country"))
    # One instance per framework, so its definition is decoded and its spec built once.
    frameworks = Framework.objects.in_bulk({a.framework_id for a in assessments_found})
    for assessment in assessments_found:
        assessment.framework = frameworks[assessment.framework_id]
        current = chosen.get(assessment.country_id)
        if current is None or (assessment.round, assessment.pk) > (current.round, current.pk):
            chosen[assessment.country_id] = assessment
    if not chosen:
        return []
    rows: dict[int, list[Score]] = defaultdict(list)
    run_ids = [latest_run[a.pk] for a in chosen.values()]
    wanted = Score.objects.filter(
        run_id__in=run_ids,
        assessment_id__in=[a.pk for a in chosen.values()],
        level__in=[ScoreLevel.OVERALL, ScoreLevel.PILLAR, ScoreLevel.INDICATOR],
    ).only(*_SCORE_FIELDS)
    for score in wanted:
        if latest_run[score.assessment_id] == score.run_id:
            rows[score.assessment_id].append(score)
    seeds = dict(ScoreRun.objects.filter(pk__in=run_ids).values_list("pk", "seed"))
    snapshots = [
        _snapshot(
            assessment,
            rows[assessment.pk],
            language,
            run_id=latest_run[assessment.pk],
            seed=seeds.get(latest_run[assessment.pk]),
        )
        for assessment in chosen.values()
    ]
    return sorted(snapshots, key=lambda snap: snap.country.name)


def latest_snapshot(country: Country, *, language: str = "en") -> ScoreSnapshot | None:
    found = latest_snapshots(countries=Country.objects.filter(pk=country.pk), language=language)
    return found[0] if found else None


def active_interventions(framework_code: str) -> list[Intervention]:
    return list(Intervention.objects.filter(framework_code=framework_code, active=True))


def _snapshot(
    assessment: Assessment,
    scores: Sequence[Score],
    language: str,
    *,
    run_id: int,
    seed: int | None,
) -> ScoreSnapshot:
    spec = assessment.framework.spec
    by_key = {(score.level, score.code): score for score in scores}
    indicators = []
    for pillar, _sub, indicator in spec.iter_indicators_with_parents():
        row = by_key.get((ScoreLevel.INDICATOR, indicator.code))
        score = None if row is None else row.score
        target = indicator.target if row is None or row.target is None else row.target
        gap = None
        relative = None
        if score is not None:
            gap = row.gap if row.gap is not None else max(0.0, target - score)
            relative = gap / target if target > 0 else 0.0
        indicators.append(
            IndicatorGap(
                code=indicator.code,
                title=translate(indicator.title, language),
                pillar_code=pillar.code,
                score=score,
                target=target,
                gap=gap,
                relative_gap=relative,
                effective_weight=(row.effective_weight or 0.0) if row is not None else 0.0,
                stage=_stage_code(spec, row.stage if row is not None else "", score),
                interval_low=None if row is None else row.interval_low,
                interval_median=None if row is None else row.interval_median,
                interval_high=None if row is None else row.interval_high,
            )
        )
    pillars = []
    for pillar in spec.pillars:
        row = by_key.get((ScoreLevel.PILLAR, pillar.code))
        pillars.append(
            PillarScore(
                code=pillar.code,
                title=translate(pillar.title, language),
                score=None if row is None else row.score,
                gap=None if row is None else row.gap,
                interval_low=None if row is None else row.interval_low,
                interval_median=None if row is None else row.interval_median,
                interval_high=None if row is None else row.interval_high,
            )
        )
    overall = next((s for s in scores if s.level == ScoreLevel.OVERALL), None)
    return ScoreSnapshot(
        country=assessment.country,
        assessment=assessment,
        run_id=run_id,
        seed=seed,
        spec=spec,
        overall=None if overall is None else overall.score,
        overall_stage=_stage_code(
            spec, overall.stage if overall else "", overall.score if overall else None
        ),
        indicators=tuple(indicators),
        pillars=tuple(pillars),
    )


def _stage_code(spec: FrameworkSpec, stored: str, score: float | None) -> str:
    """The stage's code, whether the run stored a code or a label; computed when absent."""
    for stage in spec.scoring.stages:
        if stored and (stored == stage.code or stored in stage.label.values()):
            return stage.code
    if score is None:
        return ""
    reached = spec.scoring.stage_for(score)
    return reached.code if reached else ""


def stage_label(spec: FrameworkSpec, code: str, language: str) -> str:
    for stage in spec.scoring.stages:
        if stage.code == code:
            return translate(stage.label, language)
    return code


def criteria_weights_validate(weights: Mapping[str, float] | None) -> dict[str, float]:
    """The four criteria weights, defaults for missing ones, rescaled to sum to 1."""
    merged = dict(DEFAULT_CRITERIA_WEIGHTS)
    if weights:
        unknown = set(weights) - set(GAP_CRITERIA)
        if unknown:
            raise PlanningError(
                _("Unknown criteria: %(names)s.") % {"names": ", ".join(sorted(unknown))}
            )
        merged.update(weights)
    values = [float(merged[name]) for name in GAP_CRITERIA]
    if any(value < 0 or not np.isfinite(value) for value in values):
        raise PlanningError(_("Criteria weights must be non-negative numbers."))
    total = sum(values)
    if total <= 0:
        raise PlanningError(_("At least one criteria weight must be greater than zero."))
    return {name: value / total for name, value in zip(GAP_CRITERIA, values, strict=True)}


def urgency_of(indicator: IndicatorGap, spec: FrameworkSpec) -> float:
    """Relative gap times the stage factor (see the module docstring).

    Examples
    --------
    >>> from surveys.frameworks.spec import ScoringSpec, StageSpec
    >>> stages = tuple(StageSpec(c, {"en": c}, m) for c, m in [("low", 0), ("high", 50)])
    >>> spec = type("Spec", (), {"scoring": ScoringSpec(stages=stages)})()
    >>> gap = IndicatorGap("I", "I", "P", 30, 80, 50, 0.625, 1.0, "low")
    >>> urgency_of(gap, spec)
    0.625
    >>> urgency_of(IndicatorGap("I", "I", "P", 60, 80, 20, 0.25, 1.0, "high"), spec)
    0.125
    """
    relative = indicator.relative_gap or 0.0
    stages = [stage.code for stage in spec.scoring.stages]
    if not stages or indicator.stage not in stages:
        return relative
    position = stages.index(indicator.stage)
    return relative * (1.0 - position / len(stages))


def cheapest_interventions(
    interventions: Sequence[Intervention], spec: FrameworkSpec
) -> dict[str, Intervention]:
    """For each indicator, the cheapest intervention addressing it (ties: shorter, then code)."""
    best: dict[str, Intervention] = {}
    for item in sorted(interventions, key=lambda i: (i.cost, i.duration_months, i.code)):
        for code in expand_targets(item.targets, spec):
            best.setdefault(code, item)
    return best


def feasibility_of(intervention: Intervention | None, median_cost: float) -> float:
    """``m / (m + c) × 12 / (12 + d)``; 0 without an intervention.

    Examples
    --------
    >>> item = Intervention(cost=50_000, duration_months=12)
    >>> feasibility_of(item, 50_000.0)
    0.25
    >>> feasibility_of(None, 50_000.0)
    0.0
    """
    if intervention is None:
        return 0.0
    cost = float(intervention.cost)
    months = float(intervention.duration_months)
    return median_cost / (median_cost + cost) * _REFERENCE_MONTHS / (_REFERENCE_MONTHS + months)


def country_needs(
    *,
    snapshot: ScoreSnapshot,
    interventions: Sequence[Intervention],
    criteria_weights: Mapping[str, float] | None = None,
    method: str = "weighted_sum",
) -> CountryNeeds:
    """Rank a country's gaps by priority (gap size, importance, urgency, feasibility).

    Indicators without a gap are left out; indicators without a score (insufficient data)
    are listed apart, never ranked as if their gap were known.
    """
    if method not in PRIORITY_METHODS:
        raise PlanningError(_("Unknown priority method %(method)s.") % {"method": repr(method)})
    weights = criteria_weights_validate(criteria_weights)
    spec = snapshot.spec
    gaps = [ind for ind in snapshot.indicators if ind.gap is not None and ind.gap > 0]
    insufficient = tuple(ind for ind in snapshot.indicators if ind.score is None)
    if not gaps:
        return CountryNeeds((), insufficient, method, weights)
    cheapest = cheapest_interventions(interventions, spec)
    median_cost = (
        statistics.median(float(item.cost) for item in interventions) if interventions else 1.0
    )
    urgency = [urgency_of(ind, spec) for ind in gaps]
    feasibility = [feasibility_of(cheapest.get(ind.code), median_cost) for ind in gaps]
    result = gap_priority(
        [ind.gap for ind in gaps],
        [ind.effective_weight for ind in gaps],
        urgency,
        feasibility,
        weights=[weights[name] for name in GAP_CRITERIA],
        method=method,
    )
    rows = []
    for index in result.order:
        ind = gaps[index]
        rows.append(
            NeedRow(
                rank=int(result.ranks[index]),
                indicator=ind,
                urgency=urgency[index],
                feasibility=feasibility[index],
                priority=float(result.scores[index]),
                contributions=dict(
                    zip(GAP_CRITERIA, map(float, result.contributions[index]), strict=True)
                ),
                cheapest=cheapest[ind.code].code if ind.code in cheapest else "",
            )
        )
    return CountryNeeds(tuple(rows), insufficient, method, weights)


def country_portfolio(
    *,
    snapshot: ScoreSnapshot,
    interventions: Sequence[Intervention],
    budget: float,
    horizon_months: float | None = None,
    pillar_minimums: Mapping[str, int] | None = None,
    samples: int = DEFAULT_SAMPLES,
    seed: int | None = None,
    language: str = "en",
    compare_greedy: bool = True,
) -> CountryPortfolio:
    """The interventions that most reduce the country's weighted gaps within a budget.

    The benefit is ``sum_i w_i min(gap_i, sum_j a_ij x_j)`` (capped model of
    :mod:`scoring.engine.portfolio`) with ``w`` the effective weights, so the expected gain
    reads as points of overall score. Prerequisites and exclusions come from the catalogue;
    ``pillar_minimums`` asks for at least that many funded interventions covering a pillar.

    Raises
    ------
    PlanningError
        For an empty catalogue, a negative budget or horizon, or interventions pointing at
        indicators the framework version does not have.
    """
    if budget is None or not np.isfinite(budget) or budget < 0:
        raise PlanningError(_("The budget must be a number of USD, zero or more."))
    if horizon_months is not None and horizon_months < 0:
        raise PlanningError(_("The time horizon must be zero or more months."))
    spec = snapshot.spec
    if not interventions:
        raise PlanningError(
            _(
                "The intervention catalogue of framework %(framework)s is empty: load one with "
                "manage.py load_catalogue or add interventions in the administration."
            )
            % {"framework": spec.code}
        )
    items, notes = _deliverable(interventions)
    codes = [item.code for item in items]
    indicator_codes = [ind.code for ind in snapshot.indicators]
    known = set(indicator_codes)
    unknown = [
        f"{item.code} → {code}"
        for item in items
        for code in expand_targets(item.targets, spec)
        if code not in known
    ]
    if unknown:
        raise PlanningError(
            _(
                "Interventions point at indicators that framework %(framework)s %(version)s "
                "does not have: %(targets)s. Correct the catalogue."
            )
            % {"framework": spec.code, "version": spec.version, "targets": ", ".join(unknown)}
        )
    if not items:
        raise PlanningError(" ".join(notes) or _("No intervention can be delivered."))
    available = set(codes)
    prerequisites = [(item.code, required) for item in items for required in item.prerequisites]
    exclusion_groups = {
        tuple(sorted({item.code, other}))
        for item in items
        for other in item.exclusions
        if other in available and other != item.code
    }
    improvements = build_improvement_matrix(
        [expand_targets(item.targets, spec) for item in items], indicator_codes, codes
    )
    durations = np.array([item.duration_months for item in items], dtype=float)
    gaps = np.array([ind.gap or 0.0 for ind in snapshot.indicators])
    weights = np.array([ind.effective_weight for ind in snapshot.indicators])
    try:
        problem = build_portfolio_problem(
            [float(item.cost) for item in items],
            float(budget),
            improvements=improvements,
            gaps=gaps,
            indicator_weights=weights,
            durations=durations,
            horizon=horizon_months,
            prerequisites=prerequisites,
            exclusion_groups=sorted(exclusion_groups),
            indicator_pillars=[ind.pillar_code for ind in snapshot.indicators],
            pillar_minimum_count={p: n for p, n in (pillar_minimums or {}).items() if n},
            intervention_codes=codes,
        )
    except ValueError as error:
        # The engine speaks English; the planner page shows its words under a translated
        # headline ("No portfolio can be computed.").
        raise PlanningError(str(error)) from error
    frequencies = None
    n_samples = 0
    gap_samples = _gap_samples(snapshot, samples, seed) if samples else None
    if gap_samples is not None:
        robust = robust_portfolio(problem, gap_samples=gap_samples)
        result = robust.nominal
        if robust.n_solved:
            frequencies = robust.selection_frequency
            n_samples = robust.n_samples
    else:
        result = optimise_portfolio(problem, compare_greedy=compare_greedy)
    greedy_selected = set(result.greedy.selected) if result.greedy else set()
    kinds, channels = _choice_labels()
    optimal = set(result.selected)
    lines = [
        PortfolioLine(
            code=item.code,
            title=translate(item.title, language),
            kind=kinds.get(item.kind, item.kind),
            channel=channels.get(item.channel, item.channel),
            cost=float(item.cost),
            duration_months=item.duration_months,
            standalone_gain=float(problem.benefits[index]),
            optimal=index in optimal,
            greedy=index in greedy_selected,
            frequency=None if frequencies is None else float(frequencies[index]),
        )
        for index, item in enumerate(items)
    ]
    lines.sort(
        key=lambda line: (
            not line.optimal,
            -(line.frequency or 0.0),
            -line.standalone_gain / line.cost,
            line.code,
        )
    )
    return CountryPortfolio(result, tuple(lines), n_samples, tuple(notes))


def _choice_labels() -> tuple[dict[str, str], dict[str, str]]:
    """Kind and channel labels in the active language, translated once per call."""
    return (
        {value: str(label) for value, label in InterventionKind.choices},
        {value: str(label) for value, label in DeliveryChannel.choices},
    )


def _deliverable(
    interventions: Sequence[Intervention],
) -> tuple[list[Intervention], list[str]]:
    """Interventions whose prerequisites are all in the active catalogue, transitively."""
    items = {item.code: item for item in interventions}
    notes = []
    changed = True
    while changed:
        changed = False
        for code, item in sorted(items.items()):
            missing = [required for required in item.prerequisites if required not in items]
            if missing:
                notes.append(
                    _(
                        "%(code)s is left out: it needs %(missing)s, which is not in the "
                        "active catalogue."
                    )
                    % {"code": code, "missing": ", ".join(missing)}
                )
                del items[code]
                changed = True
    return sorted(items.values(), key=lambda item: item.code), notes


def _gap_samples(snapshot: ScoreSnapshot, samples: int, seed: int | None) -> np.ndarray | None:
    """Gap samples (samples × indicators) from stored intervals, or None without intervals."""
    indicators = snapshot.indicators
    own = [_spread(ind.interval_low, ind.interval_high) for ind in indicators]
    pillars = {p.code: _spread(p.interval_low, p.interval_high) for p in snapshot.pillars}
    if all(sd is None for sd in own) and all(sd is None for sd in pillars.values()):
        return None
    rng = np.random.default_rng(seed if seed is not None else snapshot.seed or 0)
    pillar_codes = list(pillars)
    pillar_shift = rng.standard_normal((samples, len(pillar_codes)))
    indicator_shift = rng.standard_normal((samples, len(indicators)))
    result = np.zeros((samples, len(indicators)))
    for index, ind in enumerate(indicators):
        if ind.score is None:
            continue
        if own[index] is not None:
            shift = indicator_shift[:, index] * own[index]
            centre = ind.interval_median if ind.interval_median is not None else ind.score
        else:
            pillar_sd = pillars.get(ind.pillar_code)
            column = pillar_codes.index(ind.pillar_code)
            shift = pillar_shift[:, column] * (pillar_sd or 0.0)
            centre = ind.score
        sampled = np.clip(centre + shift, 0.0, 100.0)
        result[:, index] = np.maximum(0.0, ind.target - sampled)
    return result


def _spread(low: float | None, high: float | None) -> float | None:
    if low is None or high is None or high <= low:
        return None
    return (high - low) / (2 * _Z_95)


def demand_build(
    *,
    framework_code: str,
    budget_per_country: float,
    horizon_months: float | None = None,
    region: str = "",
    income_group: str = "",
    countries: QuerySet[Country] | None = None,
    language: str = "en",
) -> Demand:
    """Needs and recommended interventions aggregated by ITU region and income group.

    A country's need is its weighted gap (overall-score points lost to gaps), in total and per
    pillar; its recommended interventions are the optimal portfolio under
    ``budget_per_country``. Groups add their countries' needs and count and cost their
    recommendations; the intervention table says how many countries each is recommended to.
    """
    if budget_per_country is None or budget_per_country < 0:
        raise PlanningError(_("The budget per country must be zero or more USD."))
    scope = countries if countries is not None else Country.objects.all()
    if region:
        scope = scope.filter(itu_region=region)
    if income_group:
        scope = scope.filter(income_group=income_group)
    snapshots = latest_snapshots(countries=scope, framework_code=framework_code, language=language)
    interventions = active_interventions(framework_code)
    by_code = {item.code: item for item in interventions}
    pillars: tuple[tuple[str, str], ...] = ()
    groups: dict[tuple[str, str], dict] = {}
    per_intervention: dict[str, list[int]] = defaultdict(list)
    notes: list[str] = []
    if not interventions and snapshots:
        notes.append(
            _(
                "The catalogue of %(framework)s has no active interventions: nothing can be "
                "recommended."
            )
            % {"framework": framework_code}
        )
    for snap in snapshots:
        if not pillars:
            pillars = tuple(
                (pillar.code, translate(pillar.title, language)) for pillar in snap.spec.pillars
            )
        key = (snap.country.itu_region or "—", snap.country.income_group or "—")
        group = groups.setdefault(
            key, {"countries": 0, "need": 0.0, "pillars": defaultdict(float), "chosen": []}
        )
        group["countries"] += 1
        group["need"] += snap.weighted_gap
        for pillar, need in snap.pillar_weighted_gaps().items():
            group["pillars"][pillar] += need
        if not interventions:
            continue
        try:
            selected = _selected_codes(snap, interventions, budget_per_country, horizon_months)
        except PlanningError as error:
            notes.append(
                _("%(country)s: %(problem)s")
                % {"country": snap.country.display_name, "problem": error}
            )
            continue
        for code in selected:
            group["chosen"].append(code)
            per_intervention[code].append(snap.country.pk)
    kinds, channels = _choice_labels()
    demand_groups = tuple(
        DemandGroup(
            region=region_name,
            income_group=income,
            countries=data["countries"],
            weighted_need=data["need"],
            pillar_needs=dict(data["pillars"]),
            recommended=len(data["chosen"]),
            recommended_cost=sum(float(by_code[code].cost) for code in data["chosen"]),
            pillar_values=tuple(data["pillars"].get(code, 0.0) for code, _title in pillars),
        )
        for (region_name, income), data in sorted(groups.items())
    )
    demand_interventions = tuple(
        sorted(
            (
                InterventionDemand(
                    code=code,
                    title=translate(by_code[code].title, language),
                    kind=kinds.get(by_code[code].kind, by_code[code].kind),
                    channel=channels.get(by_code[code].channel, by_code[code].channel),
                    countries=len(chosen_by),
                    total_cost=len(chosen_by) * float(by_code[code].cost),
                )
                for code, chosen_by in per_intervention.items()
            ),
            key=lambda row: (-row.countries, row.code),
        )
    )
    return Demand(
        framework_code=framework_code,
        budget_per_country=float(budget_per_country),
        pillars=pillars,
        groups=demand_groups,
        interventions=demand_interventions,
        countries=len(snapshots),
        notes=tuple(notes),
    )


def catalogue_stamp(interventions: Sequence[Intervention]) -> str:
    """Changes whenever an active intervention is added, removed or edited (``updated_at``)."""
    parts = sorted(f"{item.pk}:{item.updated_at.isoformat()}" for item in interventions)
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def _selected_codes(
    snap: ScoreSnapshot,
    interventions: Sequence[Intervention],
    budget: float,
    horizon_months: float | None,
) -> tuple[str, ...]:
    """A country's optimal portfolio under ``budget``, solved once per score run, catalogue,
    budget and horizon and then kept in Django's cache (the demand page solves one per
    country: about 10 ms each, 2 s for 200 countries, on every view otherwise)."""
    material = f"{snap.run_id}|{catalogue_stamp(interventions)}|{budget!r}|{horizon_months!r}"
    key = "demand-portfolio:" + hashlib.sha256(material.encode()).hexdigest()
    selected = cache.get(key)
    if selected is None:
        portfolio = country_portfolio(
            snapshot=snap,
            interventions=interventions,
            budget=budget,
            horizon_months=horizon_months,
            samples=0,
            compare_greedy=False,
        )
        selected = tuple(portfolio.result.selected_codes)
        cache.set(key, selected, timeout=settings.PLAN_CACHE_SECONDS)
    return selected


def framework_codes_with_scores() -> list[str]:
    # From the runs, not the Score rows: a join through the scores returned one row per score
    # (tens of thousands for 200 countries) to make a set of one or two codes.
    return sorted(
        set(
            ScoreRun.objects.filter(status=RunStatus.COMPLETE, assessment__isnull=False)
            .values_list("framework__code", flat=True)
            .distinct()
        )
    )

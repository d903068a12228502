"""The portfolio problem: validated inputs, the constraint check and the gain of a selection.

Kept apart from the solver and the heuristic (:mod:`scoring.engine.portfolio`) so each
module stays readable; the public names are re-exported there.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "BenefitModel",
    "InterventionRef",
    "PortfolioProblem",
    "build_improvement_matrix",
    "build_portfolio_problem",
    "check_portfolio",
    "portfolio_gain",
]

BenefitModel = Literal["capped", "additive"]
InterventionRef = int | str

_BENEFIT_MODELS: tuple[str, ...] = ("capped", "additive")
# Relative slack when comparing sums of floats with budgets and horizons.
RELATIVE_TOLERANCE = 1e-9
# Violations of pillar minimums start with this, so callers can tell which pillar fails.
PILLAR_PREFIX = "pillar minimum: "


@dataclass(frozen=True)
class PortfolioProblem:
    """A validated portfolio problem; build it with :func:`build_portfolio_problem`.

    Arrays are read-only. ``benefits`` always holds the standalone benefit
    ``b_j`` of each intervention, whatever the benefit model.
    """

    costs: NDArray[np.float64]
    budget: float
    benefits: NDArray[np.float64]
    benefit_model: str
    intervention_codes: tuple[str, ...]
    improvements: NDArray[np.float64] | None = None
    gaps: NDArray[np.float64] | None = None
    indicator_weights: NDArray[np.float64] | None = None
    durations: NDArray[np.float64] | None = None
    horizon: float | None = None
    duration_capacity: float | None = None
    prerequisites: tuple[tuple[int, int], ...] = ()
    exclusion_groups: tuple[tuple[int, ...], ...] = ()
    pillar_coverage: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    pillar_minimum_count: Mapping[str, int] = field(default_factory=dict)
    pillar_minimum_spend: Mapping[str, float] = field(default_factory=dict)

    @property
    def n_interventions(self) -> int:
        return len(self.costs)

    @property
    def allowed(self) -> NDArray[np.bool_]:
        """Interventions that fit within the time horizon (all when there is none)."""
        if self.horizon is None or self.durations is None:
            return np.ones(self.n_interventions, dtype=bool)
        return self.durations <= self.horizon * (1 + RELATIVE_TOLERANCE)


def build_improvement_matrix(
    addressed: Sequence[Mapping[str | int, float]],
    indicator_codes: Sequence[str],
    intervention_codes: Sequence[str] | None = None,
) -> NDArray[np.float64]:
    """Turn ``{indicator: expected improvement}`` per intervention into a matrix.

    Parameters
    ----------
    addressed : sequence of mappings
        One mapping per intervention; keys are indicator codes or 0-based indices.
    indicator_codes : sequence of str
        The indicators of the framework, in column order.
    intervention_codes : sequence of str, optional
        Used in error messages.

    Returns
    -------
    ndarray, shape (n_interventions, n_indicators)

    Raises
    ------
    ValueError
        If an intervention points at an unknown indicator code or an index out
        of range, or an improvement is negative or not finite.

    Examples
    --------
    >>> build_improvement_matrix([{"I2": 5.0}, {"I1": 2.0, 1: 1.0}], ["I1", "I2"]).tolist()
    [[0.0, 5.0], [2.0, 1.0]]
    """
    columns = {code: index for index, code in enumerate(indicator_codes)}
    if len(columns) != len(indicator_codes):
        raise ValueError("indicator codes must be unique")
    codes = intervention_codes_or_default(intervention_codes, len(addressed))
    matrix = np.zeros((len(addressed), len(indicator_codes)))
    for row, mapping in enumerate(addressed):
        for key, improvement in mapping.items():
            if isinstance(key, str):
                if key not in columns:
                    raise ValueError(f"intervention {codes[row]}: unknown indicator code {key!r}")
                column = columns[key]
            else:
                column = int(key)
                if not 0 <= column < len(indicator_codes):
                    raise ValueError(
                        f"intervention {codes[row]}: indicator index {column} is out of range "
                        f"for {len(indicator_codes)} indicators"
                    )
            value = float(improvement)
            if not np.isfinite(value) or value < 0:
                raise ValueError(
                    f"intervention {codes[row]}: improvement of {key!r} must be a finite "
                    f"non-negative number, got {improvement!r}"
                )
            matrix[row, column] += value
    return matrix


def build_portfolio_problem(
    costs: ArrayLike,
    budget: float,
    *,
    improvements: ArrayLike | None = None,
    gaps: ArrayLike | None = None,
    indicator_weights: ArrayLike | None = None,
    benefits: ArrayLike | None = None,
    benefit_model: BenefitModel | None = None,
    durations: ArrayLike | None = None,
    horizon: float | None = None,
    duration_capacity: float | None = None,
    prerequisites: Iterable[tuple[InterventionRef, InterventionRef]] = (),
    exclusion_groups: Iterable[Collection[InterventionRef]] = (),
    indicator_pillars: Sequence[str] | None = None,
    intervention_pillars: Sequence[Collection[str]] | None = None,
    pillar_minimum_count: Mapping[str, int] | None = None,
    pillar_minimum_spend: Mapping[str, float] | None = None,
    intervention_codes: Sequence[str] | None = None,
) -> PortfolioProblem:
    """Validate the inputs of a portfolio problem (see the module docstring).

    Parameters
    ----------
    costs : array_like, shape (n_interventions,)
        Strictly positive costs.
    budget : float
        Non-negative budget, in the unit of ``costs``.
    improvements : array_like, shape (n_interventions, n_indicators), optional
        Expected improvement of each indicator by each intervention, >= 0
        (see :func:`build_improvement_matrix` for code-keyed input).
    gaps : array_like, shape (n_indicators,), optional
        Gap of each indicator, >= 0; required with ``improvements``.
    indicator_weights : array_like, shape (n_indicators,), optional
        Effective weights, >= 0; all 1 when omitted.
    benefits : array_like, shape (n_interventions,), optional
        Benefits given directly instead of ``improvements`` (additive model only).
    benefit_model : {"capped", "additive"}, optional
        Default ``"capped"`` with improvements, ``"additive"`` with benefits.
    durations : array_like, shape (n_interventions,), optional
        Non-negative durations (e.g. months); required by ``horizon`` and
        ``duration_capacity``.
    horizon, duration_capacity : float, optional
    prerequisites : iterable of (dependent, required) pairs
        Interventions by index or code.
    exclusion_groups : iterable of collections
        Each group holds at least two interventions (index or code).
    indicator_pillars : sequence of str, shape (n_indicators,), optional
        Pillar of each indicator; an intervention covers the pillars of the
        indicators it improves.
    intervention_pillars : sequence of collections of str, optional
        Pillars covered by each intervention, given explicitly instead.
    pillar_minimum_count, pillar_minimum_spend : mapping, optional
        Minimum number of interventions, or minimum spend, per pillar.
    intervention_codes : sequence of str, optional
        Unique codes used in messages and to refer to interventions.

    Returns
    -------
    PortfolioProblem

    Raises
    ------
    ValueError
        On an empty catalogue, zero or negative costs, mismatched shapes,
        negative or non-finite values, references to unknown interventions,
        indicators or pillars, or contradictory options.

    Examples
    --------
    >>> problem = build_portfolio_problem([2, 3, 1], 5, benefits=[4, 5, 3])
    >>> problem.benefit_model
    'additive'
    """
    cost_vector, codes = _checked_costs(costs, intervention_codes)
    n_interventions = cost_vector.size
    budget = float(budget)
    if not np.isfinite(budget) or budget < 0:
        raise ValueError(f"budget must be a finite non-negative number, got {budget!r}")
    improvement_matrix, gap_vector, weight_vector, benefit_vector, model = _benefit_inputs(
        n_interventions, improvements, gaps, indicator_weights, benefits, benefit_model
    )
    duration_vector = _checked_durations(durations, n_interventions, horizon, duration_capacity)
    lookup = {code: index for index, code in enumerate(codes)}
    prerequisite_pairs = _prerequisite_pairs(prerequisites, lookup, codes)
    groups = _exclusion_groups(exclusion_groups, lookup, n_interventions)
    coverage = _pillar_coverage(
        n_interventions, improvement_matrix, indicator_pillars, intervention_pillars
    )
    known_pillars = set(coverage)
    if indicator_pillars is not None:
        known_pillars.update(indicator_pillars)
    minimum_count = _minimum_counts(pillar_minimum_count or {}, known_pillars)
    minimum_spend = _minimum_spends(pillar_minimum_spend or {}, known_pillars)
    # Every pillar with a minimum gets a coverage entry, even when no intervention covers it.
    for pillar in itertools.chain(minimum_count, minimum_spend):
        coverage.setdefault(pillar, ())

    return PortfolioProblem(
        costs=frozen_array(cost_vector),
        budget=budget,
        benefits=frozen_array(benefit_vector),
        benefit_model=model,
        intervention_codes=codes,
        improvements=None if improvement_matrix is None else frozen_array(improvement_matrix),
        gaps=None if gap_vector is None else frozen_array(gap_vector),
        indicator_weights=None if weight_vector is None else frozen_array(weight_vector),
        durations=None if duration_vector is None else frozen_array(duration_vector),
        horizon=None if horizon is None else float(horizon),
        duration_capacity=None if duration_capacity is None else float(duration_capacity),
        prerequisites=tuple(dict.fromkeys(prerequisite_pairs)),
        exclusion_groups=tuple(dict.fromkeys(groups)),
        pillar_coverage=coverage,
        pillar_minimum_count=minimum_count,
        pillar_minimum_spend=minimum_spend,
    )


def _checked_costs(
    costs: ArrayLike, intervention_codes: Sequence[str] | None
) -> tuple[NDArray[np.float64], tuple[str, ...]]:
    """The costs as a vector (finite, > 0, at least one) and the interventions' codes."""
    cost_vector = np.asarray(costs, dtype=float)
    if cost_vector.ndim != 1:
        raise ValueError(f"costs: expected a 1-D vector, got shape {cost_vector.shape}")
    n_interventions = cost_vector.size
    if n_interventions == 0:
        raise ValueError(
            "the intervention catalogue is empty: add interventions before building a portfolio"
        )
    codes = intervention_codes_or_default(intervention_codes, n_interventions)
    if not np.all(np.isfinite(cost_vector)):
        raise ValueError("costs: every cost must be a finite number")
    if np.any(cost_vector <= 0):
        bad = [codes[j] for j in np.flatnonzero(cost_vector <= 0)]
        raise ValueError(
            f"costs: every intervention must cost more than zero; zero or negative cost for {bad}"
        )
    return cost_vector, codes


def _checked_durations(
    durations: ArrayLike | None,
    n_interventions: int,
    horizon: float | None,
    duration_capacity: float | None,
) -> NDArray[np.float64] | None:
    """The durations as a vector (or None); a horizon or capacity needs them and is >= 0."""
    duration_vector = None
    if durations is not None:
        duration_vector = _non_negative_vector(durations, n_interventions, "durations")
    for name, value in (("horizon", horizon), ("duration_capacity", duration_capacity)):
        if value is None:
            continue
        if duration_vector is None:
            raise ValueError(f"{name} needs the durations of the interventions")
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite non-negative number, got {value!r}")
    return duration_vector


def _prerequisite_pairs(
    prerequisites: Iterable[tuple[InterventionRef, InterventionRef]],
    lookup: Mapping[str, int],
    codes: Sequence[str],
) -> list[tuple[int, int]]:
    """(dependent, required) as indices; an intervention cannot require itself."""
    pairs: list[tuple[int, int]] = []
    for dependent, required in prerequisites:
        pair = (
            _resolve(dependent, lookup, len(codes), "prerequisites"),
            _resolve(required, lookup, len(codes), "prerequisites"),
        )
        if pair[0] == pair[1]:
            raise ValueError(f"prerequisites: intervention {codes[pair[0]]} cannot require itself")
        pairs.append(pair)
    return pairs


def _exclusion_groups(
    exclusion_groups: Iterable[Collection[InterventionRef]],
    lookup: Mapping[str, int],
    n_interventions: int,
) -> list[tuple[int, ...]]:
    """Each mutually exclusive group as sorted distinct indices (at least two)."""
    groups: list[tuple[int, ...]] = []
    for group in exclusion_groups:
        members = tuple(
            sorted({_resolve(member, lookup, n_interventions, "exclusions") for member in group})
        )
        if len(members) < 2:
            raise ValueError(
                f"exclusions: a mutually exclusive group needs at least two different "
                f"interventions, got {list(group)!r}"
            )
        groups.append(members)
    return groups


def _minimum_counts(minimums: Mapping[str, int], known_pillars: set[str]) -> dict[str, int]:
    """Minimum number of funded interventions per known pillar (non-negative integers)."""
    checked: dict[str, int] = {}
    for pillar, count in minimums.items():
        _check_pillar_known(pillar, known_pillars)
        if int(count) != count or count < 0:
            raise ValueError(
                f"pillar minimums: the minimum count for {pillar!r} must be a non-negative "
                f"integer, got {count!r}"
            )
        checked[pillar] = int(count)
    return checked


def _minimum_spends(minimums: Mapping[str, float], known_pillars: set[str]) -> dict[str, float]:
    """Minimum spend per known pillar (finite, non-negative)."""
    checked: dict[str, float] = {}
    for pillar, spend in minimums.items():
        _check_pillar_known(pillar, known_pillars)
        if not np.isfinite(spend) or spend < 0:
            raise ValueError(
                f"pillar minimums: the minimum spend for {pillar!r} must be a finite "
                f"non-negative number, got {spend!r}"
            )
        checked[pillar] = float(spend)
    return checked


def _benefit_inputs(
    n_interventions: int,
    improvements: ArrayLike | None,
    gaps: ArrayLike | None,
    indicator_weights: ArrayLike | None,
    benefits: ArrayLike | None,
    benefit_model: str | None,
) -> tuple[
    NDArray[np.float64] | None,
    NDArray[np.float64] | None,
    NDArray[np.float64] | None,
    NDArray[np.float64],
    str,
]:
    if (improvements is None) == (benefits is None):
        raise ValueError(
            "give either improvements (with gaps) or benefits per intervention, not both or neither"
        )
    if benefit_model is not None and benefit_model not in _BENEFIT_MODELS:
        raise ValueError(f"benefit_model must be one of {_BENEFIT_MODELS}, got {benefit_model!r}")
    if benefits is not None:
        if benefit_model == "capped":
            raise ValueError(
                "the capped benefit model needs improvements and gaps per indicator, "
                "not benefits per intervention"
            )
        if gaps is not None or indicator_weights is not None:
            raise ValueError("gaps and indicator_weights are used only with improvements")
        benefit_vector = _non_negative_vector(benefits, n_interventions, "benefits")
        return None, None, None, benefit_vector, "additive"
    matrix = np.asarray(improvements, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] != n_interventions:
        raise ValueError(
            f"improvements: expected shape ({n_interventions}, n_indicators), one row per "
            f"intervention, got {matrix.shape}"
        )
    if not np.all(np.isfinite(matrix)) or np.any(matrix < 0):
        raise ValueError("improvements: every improvement must be a finite non-negative number")
    n_indicators = matrix.shape[1]
    if gaps is None:
        raise ValueError("gaps: the gap of each indicator is needed with improvements")
    gap_vector = _non_negative_vector(gaps, n_indicators, "gaps")
    weight_vector = (
        np.ones(n_indicators)
        if indicator_weights is None
        else _non_negative_vector(indicator_weights, n_indicators, "indicator_weights")
    )
    benefit_vector = np.minimum(gap_vector, matrix) @ weight_vector
    return matrix, gap_vector, weight_vector, benefit_vector, benefit_model or "capped"


def _pillar_coverage(
    n_interventions: int,
    improvements: NDArray[np.float64] | None,
    indicator_pillars: Sequence[str] | None,
    intervention_pillars: Sequence[Collection[str]] | None,
) -> dict[str, tuple[int, ...]]:
    if indicator_pillars is not None and intervention_pillars is not None:
        raise ValueError("give either indicator_pillars or intervention_pillars, not both")
    covered: dict[str, list[int]] = {}
    if indicator_pillars is not None:
        if improvements is None:
            raise ValueError(
                "indicator_pillars needs improvements; with benefits per intervention "
                "use intervention_pillars"
            )
        if len(indicator_pillars) != improvements.shape[1]:
            raise ValueError(
                f"indicator_pillars: expected {improvements.shape[1]} pillars, one per "
                f"indicator, got {len(indicator_pillars)}"
            )
        for j in range(n_interventions):
            for pillar in dict.fromkeys(
                indicator_pillars[int(i)] for i in np.flatnonzero(improvements[j] > 0)
            ):
                covered.setdefault(pillar, []).append(j)
    elif intervention_pillars is not None:
        if len(intervention_pillars) != n_interventions:
            raise ValueError(
                f"intervention_pillars: expected {n_interventions} entries, one per "
                f"intervention, got {len(intervention_pillars)}"
            )
        for j, pillars in enumerate(intervention_pillars):
            for pillar in dict.fromkeys([pillars] if isinstance(pillars, str) else pillars):
                covered.setdefault(pillar, []).append(j)
    return {pillar: tuple(members) for pillar, members in covered.items()}


def _check_pillar_known(pillar: str, known: set[str]) -> None:
    if pillar not in known:
        raise ValueError(
            f"pillar minimums: unknown pillar {pillar!r}; known pillars are {sorted(known)}"
        )


def _resolve(
    reference: InterventionRef, lookup: Mapping[str, int], n_interventions: int, place: str
) -> int:
    if isinstance(reference, str):
        if reference not in lookup:
            raise ValueError(f"{place}: unknown intervention code {reference!r}")
        return lookup[reference]
    index = int(reference)
    if index != reference or not 0 <= index < n_interventions:
        raise ValueError(
            f"{place}: intervention index {reference!r} is out of range for "
            f"{n_interventions} interventions"
        )
    return index


def intervention_codes_or_default(
    codes: Sequence[str] | None, n_interventions: int
) -> tuple[str, ...]:
    if codes is None:
        return tuple(f"#{j}" for j in range(n_interventions))
    if len(codes) != n_interventions:
        raise ValueError(
            f"intervention_codes: expected {n_interventions} codes, one per intervention, "
            f"got {len(codes)}"
        )
    if len(set(codes)) != len(codes):
        raise ValueError("intervention_codes must be unique")
    return tuple(str(code) for code in codes)


def _non_negative_vector(values: ArrayLike, length: int, name: str) -> NDArray[np.float64]:
    vector = np.asarray(values, dtype=float)
    if vector.shape != (length,):
        raise ValueError(f"{name}: expected {length} values, got shape {vector.shape}")
    if not np.all(np.isfinite(vector)) or np.any(vector < 0):
        raise ValueError(f"{name}: every value must be a finite non-negative number")
    return vector


def frozen_array(array: NDArray[Any]) -> NDArray[Any]:
    array = np.array(array, copy=True)
    array.setflags(write=False)
    return array


def portfolio_gain(problem: PortfolioProblem, selected: Iterable[int]) -> float:
    """Expected reduction of weighted gaps of a selection under the problem's benefit model.

    Examples
    --------
    >>> problem = build_portfolio_problem(
    ...     [1, 1], 2, improvements=[[3, 0], [3, 1]], gaps=[4, 5], indicator_weights=[1, 2]
    ... )
    >>> portfolio_gain(problem, [0, 1])  # indicator 0 capped at its gap of 4
    6.0
    """
    return gain_of(problem, selection_mask(problem, selected), problem.gaps, problem.benefits)


def check_portfolio(problem: PortfolioProblem, selected: Iterable[int]) -> tuple[str, ...]:
    """List the constraints a selection violates (empty when it is feasible).

    Useful to validate a portfolio a planner assembled by hand.

    Examples
    --------
    >>> problem = build_portfolio_problem(
    ...     [2, 3, 1], 5, benefits=[4, 5, 3], prerequisites=[(1, 0)],
    ...     intervention_codes=["A", "B", "C"])
    >>> check_portfolio(problem, [1, 2])
    ('prerequisites: B requires A',)
    """
    mask = selection_mask(problem, selected)
    codes = problem.intervention_codes
    violations = []
    cost = float(problem.costs[mask].sum())
    if cost > problem.budget + tolerance(problem.budget):
        violations.append(f"budget: total cost {cost:g} exceeds the budget {problem.budget:g}")
    too_long = np.flatnonzero(mask & ~problem.allowed)
    if too_long.size:
        violations.append(
            f"time horizon: {', '.join(codes[j] for j in too_long)} take longer than "
            f"{problem.horizon:g}"
        )
    if problem.duration_capacity is not None and problem.durations is not None:
        used = float(problem.durations[mask].sum())
        if used > problem.duration_capacity + tolerance(problem.duration_capacity):
            violations.append(
                f"duration capacity: {used:g} used of {problem.duration_capacity:g} available"
            )
    for dependent, required in problem.prerequisites:
        if mask[dependent] and not mask[required]:
            violations.append(f"prerequisites: {codes[dependent]} requires {codes[required]}")
    for group in problem.exclusion_groups:
        if mask[list(group)].sum() > 1:
            violations.append(
                f"exclusions: at most one of {', '.join(codes[j] for j in group)} may be chosen"
            )
    for pillar, count in problem.pillar_minimum_count.items():
        chosen = int(mask[list(problem.pillar_coverage[pillar])].sum())
        if chosen < count:
            violations.append(
                f"{PILLAR_PREFIX}{pillar} needs at least {count} interventions, got {chosen}"
            )
    for pillar, spend in problem.pillar_minimum_spend.items():
        members = list(problem.pillar_coverage[pillar])
        spent = float(problem.costs[members][mask[members]].sum())
        if spent < spend - tolerance(spend):
            violations.append(
                f"{PILLAR_PREFIX}{pillar} needs a spend of at least {spend:g}, got {spent:g}"
            )
    return tuple(violations)


def gain_of(
    problem: PortfolioProblem,
    mask: NDArray[np.bool_],
    gaps: NDArray[np.float64] | None,
    benefits: NDArray[np.float64],
) -> float:
    if problem.benefit_model == "additive":
        return float(benefits[mask].sum())
    improvements, weights = gap_model(problem)
    if gaps is None:
        raise ValueError("the capped benefit model needs the gap of each indicator")
    closed = np.minimum(gaps, improvements[mask].sum(axis=0))
    return float(weights @ closed)


def selection_mask(problem: PortfolioProblem, selected: Iterable[int]) -> NDArray[np.bool_]:
    mask = np.zeros(problem.n_interventions, dtype=bool)
    indices = np.asarray(list(selected), dtype=int)
    if indices.size and (indices.min() < 0 or indices.max() >= problem.n_interventions):
        raise ValueError(
            f"selection: intervention indices must lie in 0..{problem.n_interventions - 1}"
        )
    mask[indices] = True
    return mask


def gap_model(problem: PortfolioProblem) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    if problem.improvements is None or problem.indicator_weights is None:
        raise ValueError("this needs a portfolio problem built from improvements and gaps")
    return problem.improvements, problem.indicator_weights


def tolerance(reference: float) -> float:
    return RELATIVE_TOLERANCE * max(1.0, abs(reference))

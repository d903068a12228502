"""Choose the portfolio of interventions that best reduces weighted gaps under a budget.

The problem is a 0/1 mixed-integer linear programme solved with
:func:`scipy.optimize.milp` (HiGHS). Binary ``x_j`` says whether intervention
``j`` is funded.

Benefit models
--------------
An intervention ``j`` is expected to raise indicator ``i`` by ``a_ij`` points
(``improvements``); the indicator has a gap ``gap_i`` (target minus current,
never negative) and an effective weight ``w_i``. Reducing a gap beyond zero is
worth nothing, so the standalone benefit of an intervention is::

    b_j = sum_i w_i * min(gap_i, a_ij)

``"capped"`` (the default whenever improvements are given)
    Several interventions on the same indicator cannot close more than its gap.
    Auxiliary continuous variables ``g_i`` carry the gap actually closed::

        maximise   sum_i w_i g_i
        subject to g_i <= gap_i,  g_i <= sum_j a_ij x_j,  g_i >= 0

    so the objective of a portfolio is ``sum_i w_i min(gap_i, sum_j a_ij x_j)``.
    Improvements are assumed to add up on an indicator until the gap is closed.

``"additive"``
    ``maximise sum_j b_j x_j``: each intervention is valued on its own, which
    double-counts overlapping interventions on the same indicator. It is the
    model to use when benefits per intervention are given directly
    (``benefits=``), e.g. from an expert panel or a 0/1 knapsack.

Constraints (each optional except the budget)
---------------------------------------------
budget
    ``sum_j c_j x_j <= B``; every cost must be strictly positive.
time horizon
    A filter: an intervention whose ``duration_j`` exceeds ``horizon`` cannot be
    chosen (``x_j = 0``); interventions are assumed to run in parallel.
duration capacity
    ``sum_j duration_j x_j <= capacity``: a shared delivery capacity (e.g. expert
    months) when interventions compete for the same staff.
prerequisites
    ``x_j <= x_k`` for each pair ``(j, k)`` meaning "j requires k".
exclusions
    ``sum_{j in group} x_j <= 1`` for each mutually exclusive group.
pillar minimums
    An intervention *covers* a pillar if it improves at least one indicator of
    that pillar (or is listed for it explicitly). ``pillar_minimum_count[p] = k``
    asks for at least ``k`` funded interventions covering ``p``;
    ``pillar_minimum_spend[p] = s`` for at least ``s`` of spend on them, where
    the full cost of an intervention counts towards every pillar it covers.

Among portfolios with the same gain the cheapest one is chosen, exactly: a
second, lexicographic solve minimises the cost among portfolios whose gain is
at least the optimum just found (see :func:`optimise_portfolio`), and after
solving, interventions that add no gain
and whose removal keeps every constraint satisfied are dropped, so the
recommendation never includes "free riders" the solver was indifferent about.

When the constraints cannot all be met, the result says so and names the
binding constraints. The empty portfolio meets every constraint except the
pillar minimums, so infeasibility always involves them; each other family
(budget, time horizon, duration capacity, prerequisites, exclusions) and then
each pillar's minimum is relaxed on its own, and those whose relaxation restores
feasibility are reported.

References
----------
Martello, S. and Toth, P. (1990). *Knapsack Problems: Algorithms and Computer
Implementations*. Wiley (the greedy benefit/cost heuristic, chapter 2).

Huangfu, Q. and Hall, J. A. J. (2018). Parallelizing the dual revised simplex
method. *Mathematical Programming Computation* 10, 119-142 (HiGHS, the solver
behind :func:`scipy.optimize.milp`).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import Bounds, LinearConstraint, OptimizeResult, milp

from scoring.engine._portfolio_problem import (
    PILLAR_PREFIX,
    BenefitModel,
    InterventionRef,
    PortfolioProblem,
    build_improvement_matrix,
    build_portfolio_problem,
    check_portfolio,
    frozen_array,
    gain_of,
    gap_model,
    portfolio_gain,
    selection_mask,
    tolerance,
)

__all__ = [
    "BenefitModel",
    "InterventionRef",
    "GreedyResult",
    "PortfolioProblem",
    "PortfolioResult",
    "RobustPortfolioResult",
    "build_improvement_matrix",
    "build_portfolio_problem",
    "check_portfolio",
    "greedy_portfolio",
    "optimise_portfolio",
    "portfolio_gain",
    "robust_portfolio",
]

#: Relative slack on the optimal gain in the tie-breaking solve: absorbs the rounding of the
#: gain's sum, far below any difference of gains a user could see.
_TIE = 1e-9

_FAMILY_BUDGET = "budget"
_FAMILY_HORIZON = "time horizon"
_FAMILY_CAPACITY = "duration capacity"
_FAMILY_PREREQUISITES = "prerequisites"
_FAMILY_EXCLUSIONS = "exclusions"
_FAMILY_PILLARS = "pillar minimums"


@dataclass(frozen=True)
class GreedyResult:
    """The greedy benefit/cost heuristic's portfolio.

    ``optimality_gap`` is ``(optimum - greedy) / optimum`` when compared with an
    optimum (0 when the optimum is 0), otherwise None. ``violations`` lists the
    constraints the heuristic could not meet (empty when ``feasible``).
    """

    selected: tuple[int, ...]
    total_cost: float
    expected_gain: float
    feasible: bool
    violations: tuple[str, ...] = ()
    optimality_gap: float | None = None


@dataclass(frozen=True)
class PortfolioResult:
    """The optimal portfolio, or the reason there is none.

    Attributes
    ----------
    status : str
        ``"optimal"``; ``"nothing_fits"`` (no intervention fits the budget or
        horizon, nothing selected); ``"infeasible"`` (constraints conflict, see
        ``binding_constraints``); ``"time_limit"`` (best portfolio found, not
        proven optimal); ``"solver_error"``.
    message : str
        A sentence a planner can read.
    selected : tuple of int
        Indices of funded interventions, ascending.
    selected_codes : tuple of str
    total_cost, expected_gain : float
        Cost and expected reduction of weighted gaps of the selection.
    total_duration : float or None
        Sum of durations of the selection (None without durations).
    budget : float
    benefit_model : str
    binding_constraints : tuple of str
        Constraint families whose relaxation alone makes the problem feasible
        (with ``"pillar minimum: <pillar>"`` entries naming single pillars).
    greedy : GreedyResult or None
        The heuristic's portfolio with its optimality gap.
    solver_seconds : float
        Wall-clock time of the main MILP solve.
    mip_gap : float or None
        Relative gap between the solution and HiGHS's bound (0 = proven optimal).
    """

    status: str
    message: str
    selected: tuple[int, ...]
    selected_codes: tuple[str, ...]
    total_cost: float
    expected_gain: float
    total_duration: float | None
    budget: float
    benefit_model: str
    binding_constraints: tuple[str, ...] = ()
    greedy: GreedyResult | None = None
    solver_seconds: float = 0.0
    mip_gap: float | None = None

    @property
    def feasible(self) -> bool:
        """True when the result is a portfolio that meets every constraint."""
        return self.status in ("optimal", "nothing_fits", "time_limit")


@dataclass(frozen=True)
class RobustPortfolioResult:
    """How often each intervention is optimal across uncertainty samples.

    Attributes
    ----------
    selection_frequency : ndarray, shape (n_interventions,)
        Share of samples whose optimal portfolio funds the intervention.
    robust_order : tuple of int
        Interventions selected in at least one sample, most frequent first; ties
        go to interventions of the nominal optimum, then to the lower index.
    nominal : PortfolioResult
        The optimum for the central (point-estimate) problem.
    sample_gains : ndarray, shape (n_samples,)
        Optimal expected gain in each sample (NaN where a sample was not solved).
    nominal_gain_samples : ndarray, shape (n_samples,)
        Gain of the nominal portfolio evaluated in each sample.
    n_samples, n_solved : int
        Samples given, and samples solved to a feasible portfolio.
    solver_seconds : float
        Total wall-clock time of the per-sample solves.
    """

    selection_frequency: NDArray[np.float64]
    robust_order: tuple[int, ...]
    nominal: PortfolioResult
    sample_gains: NDArray[np.float64]
    nominal_gain_samples: NDArray[np.float64]
    n_samples: int
    n_solved: int
    solver_seconds: float


def greedy_portfolio(problem: PortfolioProblem) -> GreedyResult:
    """Greedy benefit/cost heuristic respecting the constraints where it can.

    Each step adds the candidate with the largest marginal gain per unit cost
    (Martello and Toth 1990). A candidate is an intervention together with its
    not-yet-chosen (transitive) prerequisites, priced and valued as a bundle; it
    is skipped if it would break the budget, the time horizon, the duration
    capacity or an exclusion. Pillar minimums are served first: while a pillar
    is short, the best candidate covering it is added even without gain. The
    heuristic can still end up violating a pillar minimum; ``violations`` then
    says which.

    Examples
    --------
    >>> problem = build_portfolio_problem([2, 3, 1], 5, benefits=[4, 5, 3])
    >>> greedy = greedy_portfolio(problem)
    >>> greedy.selected, greedy.expected_gain
    ((0, 2), 7.0)
    """
    selected = np.zeros(problem.n_interventions, dtype=bool)
    closure = _prerequisite_closure(problem)
    partners = _exclusion_partners(problem)
    for pillar in sorted(set(problem.pillar_minimum_count) | set(problem.pillar_minimum_spend)):
        members = np.zeros(problem.n_interventions, dtype=bool)
        members[list(problem.pillar_coverage[pillar])] = True
        while not _pillar_met(problem, pillar, selected):
            bundle = _best_bundle(problem, selected, members, closure, partners, need_gain=False)
            if bundle is None:
                break
            selected[bundle] = True
    everyone = np.ones(problem.n_interventions, dtype=bool)
    while (
        bundle := _best_bundle(problem, selected, everyone, closure, partners, need_gain=True)
    ) is not None:
        selected[bundle] = True
    violations = check_portfolio(problem, np.flatnonzero(selected))
    return GreedyResult(
        selected=tuple(int(j) for j in np.flatnonzero(selected)),
        total_cost=float(problem.costs[selected].sum()),
        expected_gain=gain_of(problem, selected, problem.gaps, problem.benefits),
        feasible=not violations,
        violations=violations,
    )


def optimise_portfolio(
    problem: PortfolioProblem,
    *,
    compare_greedy: bool = True,
    time_limit: float | None = None,
    mip_relative_gap: float = 1e-9,
    prefer_cheaper: bool = True,
) -> PortfolioResult:
    """Solve the portfolio MILP to optimality and compare with the greedy heuristic.

    Parameters
    ----------
    problem : PortfolioProblem
        From :func:`build_portfolio_problem`.
    compare_greedy : bool
        Also run :func:`greedy_portfolio` and report its optimality gap.
    time_limit : float, optional
        Seconds; the best portfolio found so far is returned with status
        ``"time_limit"`` when it runs out.
    mip_relative_gap : float
        HiGHS's relative optimality tolerance (its default absolute tolerance of
        1e-6 on the objective applies as well).
    prefer_cheaper : bool
        Break ties in gain towards the cheapest portfolio, lexicographically
        (Ehrgott 2005, section 5.1): a first solve finds the largest gain G, a
        second minimises the cost subject to gain >= G - 1e-9 max(1, G). The
        second portfolio is kept only if its gain, evaluated exactly, is at least
        that of the first, so no gain is ever traded for cost, and costs 10.0 and
        10.5 for the same gain always give 10.0. Without it the solver may return
        any optimal portfolio, including one that spends more for the same gain.
        ``time_limit`` applies to each solve.

    Returns
    -------
    PortfolioResult
        Never raises for a valid problem: an empty budget gives ``"nothing_fits"``,
        conflicting constraints ``"infeasible"`` with the binding ones named.

    Examples
    --------
    The 0/1 knapsack reference vector from the project domain notes:

    >>> result = optimise_portfolio(build_portfolio_problem([2, 3, 1], 5, benefits=[4, 5, 3]))
    >>> result.status, result.selected, result.expected_gain, result.total_cost
    ('optimal', (0, 1), 9.0, 5.0)
    >>> round(result.greedy.optimality_gap, 4)  # greedy picks items 0 and 2, value 7
    0.2222
    """
    greedy = greedy_portfolio(problem) if compare_greedy else None
    fits = problem.allowed & (problem.costs <= problem.budget + tolerance(problem.budget))
    needs_spending = any(problem.pillar_minimum_count.values()) or any(
        problem.pillar_minimum_spend.values()
    )
    if not fits.any() and not needs_spending:
        return _result(
            problem, "nothing_fits", _nothing_fits_message(problem), (), _compared(greedy, 0.0)
        )

    model = _Model(problem)
    start = time.perf_counter()
    solution = _solve_best(
        model,
        problem.benefits,
        problem.gaps,
        time_limit=time_limit,
        mip_relative_gap=mip_relative_gap,
        prefer_cheaper=prefer_cheaper,
    )
    seconds = time.perf_counter() - start
    if solution.status == 2:
        binding = _diagnose(model)
        return _result(
            problem,
            "infeasible",
            _infeasible_message(problem, binding),
            (),
            greedy,
            binding=binding,
            seconds=seconds,
        )
    if solution.selected is None:
        return _result(
            problem,
            "solver_error",
            f"The solver stopped without a portfolio: {solution.message}",
            (),
            greedy,
            seconds=seconds,
        )
    selected = solution.selected
    status = "optimal" if solution.status == 0 else "time_limit"
    if not selected.any() and not fits.any():
        status = "nothing_fits"
    gain = gain_of(problem, selected, problem.gaps, problem.benefits)
    greedy = _compared(greedy, gain)
    chosen = tuple(int(j) for j in np.flatnonzero(selected))
    if status == "nothing_fits":
        message = _nothing_fits_message(problem)
    elif not chosen:
        message = "No affordable intervention reduces a weighted gap: nothing is recommended."
    else:
        message = (
            f"Selected {len(chosen)} of {problem.n_interventions} interventions costing "
            f"{problem.costs[selected].sum():g} of a budget of {problem.budget:g}; "
            f"expected reduction of weighted gaps {gain:.4g}."
        )
        if status == "time_limit":
            message += " The time limit ran out before optimality was proven."
    return _result(
        problem, status, message, chosen, greedy, seconds=seconds, mip_gap=solution.mip_gap
    )


def robust_portfolio(
    problem: PortfolioProblem,
    *,
    gap_samples: ArrayLike | None = None,
    benefit_samples: ArrayLike | None = None,
    time_limit: float | None = None,
    mip_relative_gap: float = 1e-9,
    prefer_cheaper: bool = True,
) -> RobustPortfolioResult:
    """Solve the portfolio once per uncertainty sample and count how often each intervention wins.

    The constraint matrix is built once; only the objective (and, in the capped
    model, the gap bounds) change between samples.

    With gap samples (capped model), most samples need no solve of their own: the
    problem is first solved once for the *envelope* of the samples (each
    indicator's largest sampled gap), and that portfolio is the answer for every
    sample in which it closes exactly as much of each gap as in the envelope
    (see :func:`_envelope_certifies`). Only the other samples are solved one by
    one. The result is the same as solving every sample: on the demo's country
    plan 39 of 40 samples are certified, so 6 MILP solves replace 82.

    Parameters
    ----------
    problem : PortfolioProblem
        The nominal problem (point estimates).
    gap_samples : array_like, shape (n_samples, n_indicators), optional
        Sampled gaps, e.g. from the Monte Carlo uncertainty of the scores;
        needs a problem built from improvements. Negative samples are clipped to 0
        (a sampled score above target leaves no gap).
    benefit_samples : array_like, shape (n_samples, n_interventions), optional
        Sampled standalone benefits; additive model only.
    time_limit, mip_relative_gap, prefer_cheaper
        Per solve, as in :func:`optimise_portfolio`.

    Returns
    -------
    RobustPortfolioResult

    Raises
    ------
    ValueError
        Unless exactly one kind of samples is given with a matching shape and
        finite values, or when it does not fit the benefit model.

    Examples
    --------
    >>> problem = build_portfolio_problem([2, 3, 1], 5, benefits=[4, 5, 3])
    >>> robust = robust_portfolio(problem, benefit_samples=[[4, 5, 3], [1, 5, 3], [4, 5, 3]])
    >>> robust.selection_frequency.round(3).tolist(), robust.robust_order
    ([0.667, 1.0, 0.333], (1, 0, 2))
    """
    gap_rows, benefit_rows = _sample_objectives(problem, gap_samples, benefit_samples)
    n_samples = len(benefit_rows)
    nominal = optimise_portfolio(
        problem,
        time_limit=time_limit,
        mip_relative_gap=mip_relative_gap,
        prefer_cheaper=prefer_cheaper,
    )
    counts = np.zeros(problem.n_interventions)
    sample_gains = np.full(n_samples, np.nan)
    nominal_mask = selection_mask(problem, nominal.selected)
    nominal_gains = np.array(
        [
            gain_of(
                problem, nominal_mask, None if gap_rows is None else gap_rows[s], benefit_rows[s]
            )
            for s in range(n_samples)
        ]
    )
    n_solved = 0
    seconds = 0.0
    if nominal.status in ("optimal", "time_limit"):
        model = _Model(problem)
        start = time.perf_counter()
        envelope = _envelope_solution(
            model,
            gap_rows,
            time_limit=time_limit,
            mip_relative_gap=mip_relative_gap,
            prefer_cheaper=prefer_cheaper,
        )
        seconds += time.perf_counter() - start
        for sample in range(n_samples):
            sample_gaps = None if gap_rows is None else gap_rows[sample]
            if envelope is not None and _envelope_certifies(problem, envelope, sample_gaps):
                chosen = envelope.selected
            else:
                start = time.perf_counter()
                solution = _solve_best(
                    model,
                    benefit_rows[sample],
                    sample_gaps,
                    time_limit=time_limit,
                    mip_relative_gap=mip_relative_gap,
                    prefer_cheaper=prefer_cheaper,
                )
                seconds += time.perf_counter() - start
                if solution.selected is None:
                    continue
                chosen = solution.selected
            counts += chosen
            sample_gains[sample] = gain_of(problem, chosen, sample_gaps, benefit_rows[sample])
            n_solved += 1
    frequency = counts / n_samples
    ever = np.flatnonzero(counts > 0)
    robust_order = sorted(
        (int(j) for j in ever), key=lambda j: (-counts[j], not nominal_mask[j], j)
    )
    return RobustPortfolioResult(
        selection_frequency=frozen_array(frequency),
        robust_order=tuple(robust_order),
        nominal=nominal,
        sample_gains=frozen_array(sample_gains),
        nominal_gain_samples=frozen_array(nominal_gains),
        n_samples=n_samples,
        n_solved=n_solved,
        solver_seconds=seconds,
    )


@dataclass(frozen=True)
class _Envelope:
    """The lexicographic optimum for the envelope of the gap samples (their largest gaps)."""

    gaps: NDArray[np.float64]
    selected: NDArray[np.bool_]
    closed: NDArray[np.float64]


def _envelope_solution(
    model: _Model,
    gap_rows: NDArray[np.float64] | None,
    *,
    time_limit: float | None,
    mip_relative_gap: float,
    prefer_cheaper: bool,
) -> _Envelope | None:
    """Solve the problem once with each indicator's largest sampled gap (capped model only).

    None without gap samples, or when the solve is not proven optimal (then nothing is
    certified and every sample is solved on its own).
    """
    if gap_rows is None or len(gap_rows) < 2:
        return None
    problem = model.problem
    improvements, weights = gap_model(problem)
    gaps = gap_rows.max(axis=0)
    benefits = np.minimum(gaps, improvements) @ weights
    solution = _solve_best(
        model,
        benefits,
        gaps,
        time_limit=time_limit,
        mip_relative_gap=mip_relative_gap,
        prefer_cheaper=prefer_cheaper,
    )
    if solution.status != 0 or solution.selected is None:
        return None
    closed = np.minimum(gaps, improvements[solution.selected].sum(axis=0))
    return _Envelope(gaps, solution.selected, closed)


def _envelope_certifies(
    problem: PortfolioProblem, envelope: _Envelope, gaps: NDArray[np.float64] | None
) -> bool:
    """True when the envelope's portfolio is the sample's lexicographic optimum.

    The capped gain ``G_g(x) = sum_i w_i min(g_i, (A x)_i)`` never decreases with the
    gaps ``g``, and the envelope's gaps ``E`` are at least the sample's ``s`` on every
    indicator, so ``G_s(x) <= G_E(x)`` for every portfolio ``x``. If the envelope's
    optimum ``x_E`` closes exactly the same amount of every gap under ``s`` as under
    ``E`` (it improves each indicator whose sampled gap is smaller by no more than that
    gap), then ``G_s(x_E) = G_E(x_E) = max G_E >= max G_s``: ``x_E`` has the sample's
    largest gain. Every portfolio with that gain under ``s`` has at least that gain
    under ``E``, so the cheapest of them costs no less than ``x_E``, the cheapest under
    ``E`` (Ehrgott 2005, section 5.1: lexicographic optimality carries over to the
    subset). No intervention of ``x_E`` is a free rider under ``s`` either, since
    dropping one would give a cheaper portfolio of the same gain. The comparison is
    exact (``array_equal``), so the certified gain is the envelope's to the last bit.
    """
    if gaps is None:
        return False
    improvements, _weights = gap_model(problem)
    closed = np.minimum(gaps, improvements[envelope.selected].sum(axis=0))
    return bool(np.array_equal(closed, envelope.closed))


class _Model:
    """The MILP's constraint rows, built once per problem and grouped by family."""

    def __init__(self, problem: PortfolioProblem) -> None:
        self.problem = problem
        n = problem.n_interventions
        self.capped = problem.benefit_model == "capped"
        if self.capped:
            improvements, weights = gap_model(problem)
            reachable = (weights > 0) & (improvements.sum(axis=0) > 0)
            self.indicators = np.flatnonzero(reachable)
        else:
            self.indicators = np.zeros(0, dtype=int)
        self.n_variables = n + self.indicators.size
        self.rows: list[tuple[str, NDArray[np.float64], float, float]] = []

        def add(family: str, coefficients: dict[int, float], lower: float, upper: float) -> None:
            row = np.zeros(self.n_variables)
            for index, value in coefficients.items():
                row[index] += value
            self.rows.append((family, row, lower, upper))

        add(_FAMILY_BUDGET, dict(enumerate(problem.costs)), -np.inf, problem.budget)
        if problem.duration_capacity is not None and problem.durations is not None:
            add(
                _FAMILY_CAPACITY,
                dict(enumerate(problem.durations)),
                -np.inf,
                problem.duration_capacity,
            )
        for dependent, required in problem.prerequisites:
            add(_FAMILY_PREREQUISITES, {dependent: 1.0, required: -1.0}, -np.inf, 0.0)
        for group in problem.exclusion_groups:
            add(_FAMILY_EXCLUSIONS, dict.fromkeys(group, 1.0), -np.inf, 1.0)
        for pillar, count in problem.pillar_minimum_count.items():
            if count > 0:
                members = problem.pillar_coverage[pillar]
                add(PILLAR_PREFIX + pillar, dict.fromkeys(members, 1.0), count, np.inf)
        for pillar, spend in problem.pillar_minimum_spend.items():
            if spend > 0:
                members = problem.pillar_coverage[pillar]
                add(
                    PILLAR_PREFIX + pillar,
                    {j: problem.costs[j] for j in members},
                    spend,
                    np.inf,
                )
        if self.capped:
            for position, indicator in enumerate(self.indicators):
                row = {n + position: 1.0}
                row.update(
                    (int(j), -improvements[j, indicator])
                    for j in np.flatnonzero(improvements[:, indicator])
                )
                add("gap caps", row, -np.inf, 0.0)

    @property
    def families(self) -> list[str]:
        present = list(dict.fromkeys(family for family, *_ in self.rows))
        names = [
            family
            for family in (
                _FAMILY_BUDGET,
                _FAMILY_CAPACITY,
                _FAMILY_PREREQUISITES,
                _FAMILY_EXCLUSIONS,
            )
            if family in present
        ]
        if not self.problem.allowed.all():
            names.insert(1, _FAMILY_HORIZON)
        if any(family.startswith(PILLAR_PREFIX) for family in present):
            names.append(_FAMILY_PILLARS)
        return names

    @property
    def pillar_families(self) -> list[str]:
        return list(
            dict.fromkeys(family for family, *_ in self.rows if family.startswith(PILLAR_PREFIX))
        )

    def solve(
        self,
        benefits: NDArray[np.float64] | None,
        gaps: NDArray[np.float64] | None,
        *,
        relaxed: frozenset[str] = frozenset(),
        feasibility_only: bool = False,
        minimum_gain: float | None = None,
        time_limit: float | None = None,
        mip_relative_gap: float = 1e-9,
    ) -> OptimizeResult:
        """Maximise the gain; with ``minimum_gain``, minimise the cost among gains above it."""
        problem = self.problem
        n = problem.n_interventions
        objective = np.zeros(self.n_variables)
        upper = np.ones(self.n_variables)
        gain_row = np.zeros(self.n_variables)
        if self.capped:
            gain_row[n:] = gap_model(problem)[1][self.indicators]
        elif benefits is not None:
            gain_row[:n] = benefits
        if not feasibility_only:
            objective = -gain_row
        if self.capped:
            upper[n:] = 0.0 if gaps is None else gaps[self.indicators]
        if _FAMILY_HORIZON not in relaxed:
            upper[:n] = problem.allowed.astype(float)
        rows = [
            (row, lower, upper_bound)
            for family, row, lower, upper_bound in self.rows
            if not _is_relaxed(family, relaxed)
        ]
        if minimum_gain is not None:
            objective = np.zeros(self.n_variables)
            objective[:n] = problem.costs
            rows.append((gain_row, minimum_gain, np.inf))
        constraints = []
        if rows:
            constraints.append(
                LinearConstraint(
                    np.array([row for row, _, _ in rows]),
                    np.array([lower for _, lower, _ in rows]),
                    np.array([upper_bound for _, _, upper_bound in rows]),
                )
            )
        integrality = np.zeros(self.n_variables)
        integrality[:n] = 1
        options: dict[str, float | bool] = {"mip_rel_gap": mip_relative_gap}
        if time_limit is not None:
            options["time_limit"] = time_limit
        return milp(
            objective,
            integrality=integrality,
            bounds=Bounds(np.zeros(self.n_variables), upper),
            constraints=constraints,
            options=options,
        )

    def feasible_without(self, relaxed: frozenset[str]) -> bool:
        solution = self.solve(None, None, relaxed=relaxed, feasibility_only=True)
        return solution.status != 2


@dataclass(frozen=True)
class _Solved:
    status: int
    selected: NDArray[np.bool_] | None
    message: str
    mip_gap: float | None


def _solve_best(
    model: _Model,
    benefits: NDArray[np.float64],
    gaps: NDArray[np.float64] | None,
    *,
    time_limit: float | None,
    mip_relative_gap: float,
    prefer_cheaper: bool,
) -> _Solved:
    """Solve for the largest gain, then for the cheapest portfolio of that gain; drop free riders.

    The tie-break is a second solve rather than a cost penalty in the first: a penalty small
    enough never to trade gain for cost is below the solver's tolerance, so ties would be
    broken by chance (Ehrgott, M. (2005), *Multicriteria Optimization*, 2nd ed., Springer,
    section 5.1, lexicographic optimality).
    """
    problem = model.problem
    solution = model.solve(benefits, gaps, time_limit=time_limit, mip_relative_gap=mip_relative_gap)
    if solution.x is None:
        return _Solved(solution.status, None, solution.message, None)
    n = problem.n_interventions
    selected = solution.x[:n] > 0.5
    if prefer_cheaper and solution.status == 0:
        gain = gain_of(problem, selected, gaps, benefits)
        cheapest = model.solve(
            benefits,
            gaps,
            minimum_gain=gain - _TIE * max(1.0, abs(gain)),
            time_limit=time_limit,
            mip_relative_gap=mip_relative_gap,
        )
        if cheapest.status == 0 and cheapest.x is not None:
            candidate = cheapest.x[:n] > 0.5
            # The solver's feasibility tolerance could admit a slightly smaller gain: keep the
            # cheaper portfolio only if its exact gain is not below the optimum's.
            if gain_of(problem, candidate, gaps, benefits) >= gain - tolerance(gain):
                selected = candidate
    selected = _prune(problem, selected, gaps, benefits)
    return _Solved(solution.status, selected, solution.message, getattr(solution, "mip_gap", None))


def _is_relaxed(family: str, relaxed: frozenset[str]) -> bool:
    if family in relaxed:
        return True
    return family.startswith(PILLAR_PREFIX) and _FAMILY_PILLARS in relaxed


def _diagnose(model: _Model) -> tuple[str, ...]:
    """Constraint families, then single pillars, whose relaxation alone restores feasibility.

    The empty portfolio meets every constraint except the pillar minimums, so an
    infeasible problem always lists ``"pillar minimums"``; the other entries say
    which families the minimums collide with.
    """
    binding = [family for family in model.families if model.feasible_without(frozenset({family}))]
    binding.extend(
        pillar for pillar in model.pillar_families if model.feasible_without(frozenset({pillar}))
    )
    return tuple(binding)


def _infeasible_message(problem: PortfolioProblem, binding: Sequence[str]) -> str:
    families = [
        name for name in binding if not name.startswith(PILLAR_PREFIX) and name != _FAMILY_PILLARS
    ]
    pillars = [
        name.removeprefix(PILLAR_PREFIX) for name in binding if name.startswith(PILLAR_PREFIX)
    ]
    if pillars:
        message = (
            f"No feasible portfolio: the minimum for pillar {' / '.join(pillars)} cannot be met"
        )
    else:
        message = "No feasible portfolio: the pillar minimums taken together cannot be met"
    if families:
        message += " together with the " + " and the ".join(families)
    message += "."
    allowed = problem.allowed
    shortfalls = [
        f"{pillar} needs {count}, only {int(allowed[list(problem.pillar_coverage[pillar])].sum())} "
        "available"
        for pillar, count in problem.pillar_minimum_count.items()
        if count > allowed[list(problem.pillar_coverage[pillar])].sum()
    ]
    if shortfalls:
        message += " Too few interventions cover the pillar: " + "; ".join(shortfalls) + "."
    relaxable = families + [f"the minimum for {pillar}" for pillar in pillars]
    if relaxable:
        message += (
            " Relaxing any one of these would allow a portfolio: " + ", ".join(relaxable) + "."
        )
    return message


def _nothing_fits_message(problem: PortfolioProblem) -> str:
    allowed = problem.allowed
    if not allowed.any() and problem.durations is not None:
        return (
            f"Nothing fits: no intervention can be completed within the time horizon of "
            f"{problem.horizon:g} (the shortest takes {problem.durations.min():g})."
        )
    candidates = np.flatnonzero(allowed)
    cheapest = candidates[np.argmin(problem.costs[candidates])]
    return (
        f"Nothing fits: the budget of {problem.budget:g} is below the cheapest intervention "
        f"({problem.intervention_codes[cheapest]} costs {problem.costs[cheapest]:g})."
    )


def _result(
    problem: PortfolioProblem,
    status: str,
    message: str,
    selected: tuple[int, ...],
    greedy: GreedyResult | None,
    *,
    binding: tuple[str, ...] = (),
    seconds: float = 0.0,
    mip_gap: float | None = None,
) -> PortfolioResult:
    mask = selection_mask(problem, selected)
    return PortfolioResult(
        status=status,
        message=message,
        selected=selected,
        selected_codes=tuple(problem.intervention_codes[j] for j in selected),
        total_cost=float(problem.costs[mask].sum()),
        expected_gain=gain_of(problem, mask, problem.gaps, problem.benefits),
        total_duration=None if problem.durations is None else float(problem.durations[mask].sum()),
        budget=problem.budget,
        benefit_model=problem.benefit_model,
        binding_constraints=binding,
        greedy=greedy,
        solver_seconds=seconds,
        mip_gap=None if mip_gap is None else float(mip_gap),
    )


def _compared(greedy: GreedyResult | None, optimum: float) -> GreedyResult | None:
    """Attach the relative optimality gap of the heuristic to its result."""
    if greedy is None:
        return None
    gap = 0.0 if optimum <= 0 else max(0.0, (optimum - greedy.expected_gain) / optimum)
    return dataclasses.replace(greedy, optimality_gap=gap)


def _prune(
    problem: PortfolioProblem,
    mask: NDArray[np.bool_],
    gaps: NDArray[np.float64] | None,
    benefits: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """Drop selected interventions that add no gain and are not needed by any constraint."""
    mask = mask.copy()
    gain = gain_of(problem, mask, gaps, benefits)
    for j in sorted(np.flatnonzero(mask), key=lambda j: (-problem.costs[j], -j)):
        mask[j] = False
        still_good = gain_of(problem, mask, gaps, benefits) >= gain - tolerance(gain)
        if not (still_good and not check_portfolio(problem, np.flatnonzero(mask))):
            mask[j] = True
    return mask


def _best_bundle(
    problem: PortfolioProblem,
    selected: NDArray[np.bool_],
    candidates: NDArray[np.bool_],
    closure: NDArray[np.bool_],
    partners: NDArray[np.bool_],
    *,
    need_gain: bool,
) -> NDArray[np.int64] | None:
    """The feasible candidate bundle with the best marginal gain per unit cost, if any.

    A bundle is a candidate plus its transitive prerequisites not yet selected.
    Candidates without missing prerequisites (nearly all) are scored in one
    vectorised pass; the others one by one. Ties go to the cheaper bundle, then
    to the lower index.
    """
    costs = problem.costs
    budget_left = problem.budget - costs[selected].sum() + tolerance(problem.budget)
    capacity_left = np.inf
    if problem.duration_capacity is not None and problem.durations is not None:
        capacity_left = (
            problem.duration_capacity
            - problem.durations[selected].sum()
            + tolerance(problem.duration_capacity)
        )
    durations = problem.durations if problem.durations is not None else np.zeros_like(costs)
    base_gain = gain_of(problem, selected, problem.gaps, problem.benefits)
    open_candidates = candidates & ~selected
    missing = (closure & ~selected).any(axis=1)

    bundle_costs = np.where(open_candidates, costs, np.inf)
    gains = _single_additions(problem, selected) - base_gain
    feasible = (
        open_candidates
        & ~missing
        & problem.allowed
        & (costs <= budget_left)
        & (durations <= capacity_left)
        & ~(partners & selected).any(axis=1)
    )
    bundles: dict[int, NDArray[np.int64]] = {}
    for j in np.flatnonzero(open_candidates & missing):
        bundle = np.flatnonzero((closure[j] | (np.arange(len(costs)) == j)) & ~selected)
        members = np.zeros(len(costs), dtype=bool)
        members[bundle] = True
        chosen = selected | members
        if (
            problem.allowed[bundle].all()
            and costs[bundle].sum() <= budget_left
            and durations[bundle].sum() <= capacity_left
            and not (partners[bundle] & chosen).any()
        ):
            feasible[j] = True
            bundles[int(j)] = bundle
            bundle_costs[j] = costs[bundle].sum()
            gains[j] = gain_of(problem, chosen, problem.gaps, problem.benefits) - base_gain
    if need_gain:
        feasible &= gains > tolerance(base_gain)
    if not feasible.any():
        return None
    indices = np.flatnonzero(feasible)
    ratios = gains[indices] / bundle_costs[indices]
    best = int(indices[np.lexsort((indices, bundle_costs[indices], -ratios))[0]])
    return bundles.get(best, np.array([best]))


def _single_additions(
    problem: PortfolioProblem, selected: NDArray[np.bool_]
) -> NDArray[np.float64]:
    """Gain of the selection plus each single intervention, for every intervention at once."""
    if problem.benefit_model == "additive":
        return problem.benefits[selected].sum() + np.where(selected, 0.0, problem.benefits)
    improvements, weights = gap_model(problem)
    assert problem.gaps is not None  # noqa: S101  # nosec B101 - a problem with improvements has gaps
    covered = improvements[selected].sum(axis=0)
    with_each = covered + np.where(selected[:, np.newaxis], 0.0, improvements)
    return np.minimum(problem.gaps, with_each) @ weights


def _pillar_met(problem: PortfolioProblem, pillar: str, selected: NDArray[np.bool_]) -> bool:
    members = list(problem.pillar_coverage[pillar])
    count_needed = problem.pillar_minimum_count.get(pillar, 0)
    spend_needed = problem.pillar_minimum_spend.get(pillar, 0.0)
    chosen = selected[members]
    return chosen.sum() >= count_needed and problem.costs[members][
        chosen
    ].sum() >= spend_needed - tolerance(spend_needed)


def _prerequisite_closure(problem: PortfolioProblem) -> NDArray[np.bool_]:
    """``closure[j, k]`` is True when j needs k, directly or through other prerequisites."""
    n = problem.n_interventions
    direct: dict[int, list[int]] = {}
    for dependent, required in problem.prerequisites:
        direct.setdefault(dependent, []).append(required)
    closure = np.zeros((n, n), dtype=bool)
    for start in direct:
        stack = list(direct[start])
        while stack:
            node = stack.pop()
            if not closure[start, node]:
                closure[start, node] = True
                stack.extend(direct.get(node, ()))
    np.fill_diagonal(closure, False)
    return closure


def _exclusion_partners(problem: PortfolioProblem) -> NDArray[np.bool_]:
    """``partners[j, k]`` is True when j and k share a mutually exclusive group."""
    n = problem.n_interventions
    partners = np.zeros((n, n), dtype=bool)
    for group in problem.exclusion_groups:
        members = list(group)
        partners[np.ix_(members, members)] = True
    np.fill_diagonal(partners, False)
    return partners


def _sample_objectives(
    problem: PortfolioProblem, gap_samples: ArrayLike | None, benefit_samples: ArrayLike | None
) -> tuple[NDArray[np.float64] | None, NDArray[np.float64]]:
    if (gap_samples is None) == (benefit_samples is None):
        raise ValueError("give either gap_samples or benefit_samples, not both or neither")
    if benefit_samples is not None:
        if problem.benefit_model == "capped":
            raise ValueError(
                "benefit_samples value interventions one by one (additive model); "
                "for the capped model pass gap_samples"
            )
        rows = np.asarray(benefit_samples, dtype=float)
        expected = problem.n_interventions
        name = "benefit_samples"
    else:
        if problem.improvements is None:
            raise ValueError("gap_samples need a problem built from improvements and gaps")
        rows = np.asarray(gap_samples, dtype=float)
        expected = problem.improvements.shape[1]
        name = "gap_samples"
    if rows.ndim != 2 or rows.shape[1] != expected or rows.shape[0] == 0:
        raise ValueError(
            f"{name}: expected shape (n_samples, {expected}) with at least one sample, "
            f"got {rows.shape}"
        )
    if not np.all(np.isfinite(rows)):
        raise ValueError(f"{name}: every sample value must be a finite number")
    if benefit_samples is not None:
        if np.any(rows < 0):
            raise ValueError("benefit_samples: benefits must be non-negative")
        return None, rows
    improvements, weights = gap_model(problem)
    gap_rows = np.clip(rows, 0.0, None)
    benefit_rows = np.stack([np.minimum(gap_row, improvements) @ weights for gap_row in gap_rows])
    return gap_rows, benefit_rows

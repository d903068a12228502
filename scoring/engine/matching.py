"""Allocate demand for training and support to the offers of providers, at least cost.

Pure numpy/scipy (no Django). Demand comes in *cells*: a number of participants wanting one
topic in one language and delivery mode, in one region and one budget group (a country or a
region). Offers have a number of seats, a cost per seat, the topics and languages they cover,
a mode and the region of their provider.

The linear programme
--------------------
For every compatible pair (cell ``d``, offer ``o``) a variable ``x_do >= 0`` is the number of
participants of ``d`` placed on ``o``; ``u_d >= 0`` is the unmet demand of ``d``. A pair is
compatible when the offer covers the cell's topic and language and its mode is the cell's
mode (a cell of mode ``ANY_MODE`` accepts every mode)::

    sum_o x_do + u_d = q_d                      (every participant is placed or unmet)
    sum_d x_do      <= s_o                      (seats of each offer)
    sum_{d in g, o} c_o x_do <= B_g             (budget of each group, when given)

It is solved lexicographically, both stages with HiGHS (:func:`scipy.optimize.linprog`, or
:func:`scipy.optimize.milp` with ``integral=True`` so that seats are whole participants):

1. minimise ``sum_d u_d`` (meet as much demand as the seats and budgets allow);
2. with ``sum_d u_d`` held at that optimum, minimise ``sum c_o x_do + p sum_{r_o != r_d} x_do``,
   where ``p`` (``other_region_penalty``, in the cost unit per participant) expresses the
   planner's preference for providers of the same region; it is not spent from the budgets.

Large parts with budgets are solved by the same two stages, most cells decided first by an
interior point and every decision proven by HiGHS's duals (:func:`_two_stage_guided`).

Without budgets the constraint matrix is that of a transportation problem (totally unimodular),
so the linear optimum is already integral whenever demand and seats are whole numbers.

Which constraint binds
----------------------
A cell with unmet demand is explained by the first of: ``"no_offer"`` (no compatible offer at
all), ``"budget"`` (its group's budget is spent while a compatible offer still has free
seats), ``"seats"`` (every compatible offer is full).

References
----------
Ahuja, Magnanti & Orlin (1993), *Network Flows*, ch. 9 (transportation problems, integrality
of minimum-cost flows); Huangfu & Hall (2018), "Parallelizing the dual revised simplex method",
Math. Prog. Comp. 10, 119-142 (HiGHS, the solver scipy calls).

Examples
--------
>>> r = match_offers(
...     demand=[10], demand_topic=[0], demand_language=[0], demand_mode=[ANY_MODE],
...     demand_region=[0], offer_seats=[6, 10], offer_cost=[1.0, 3.0],
...     offer_topics=[[0], [0]], offer_languages=[[0], [0]], offer_mode=[0, 1],
...     offer_region=[0, 0])
>>> r.total_cost, r.total_unmet
(18.0, 0.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse.csgraph import connected_components

from scoring.engine._interior_point import InteriorPoint, block_interior_point
from scoring.engine._montecarlo import single_threaded_blas

__all__ = [
    "ANY_MODE",
    "REASONS",
    "MatchingResult",
    "match_greedy",
    "match_offers",
]

ANY_MODE = -1
REASONS = ("", "no_offer", "budget", "seats")
_TOLERANCE = 1e-6
# The guided path (_two_stage_guided) pays from about this many pairs in a part with budgets
# (benchmarks/bench_matching.py, CPU per plan, HiGHS on the whole part against guided: budget
# per country, 25 countries, 18,300 pairs, 0.21 s against 0.23 s; 50 countries, 38,900
# pairs, 0.50 s against 0.37 s; 100 countries 17.5 s against 1.1 s; budget per region, 25
# countries, 11,600 pairs, 0.20 s against 0.19 s; 50 countries 0.85 s against 0.23 s).
_GUIDED_MIN_PAIRS = 15_000
# _two_stage's choice of HiGHS method: "dense" budgets are a few rows over many pairs each.
_DENSE_MAX_BUDGETS = 10
_DENSE_MIN_PAIRS_PER_BUDGET = 2_500
# The guided path's interior point minimises unmet + _WEIGHT * cost (cost scaled to at most
# 1), its costs perturbed at random by these relative sizes so that ties between cells break
# (pairs) and which of a country's cells stays unmet is decided (unmet, far smaller: it must
# not outweigh the weighted costs). A cell whose best option leads its next by more than
# _FIXING_MARGIN (in those scaled units) is fixed. Measured on benchmarks/bench_matching.py,
# 200 countries, budget per country: about 820 cells left free, none freed by the proof; without
# the unmet perturbation 13,000 cells tie; at 1e-3 the weighted costs are outweighed and
# proving frees thousands of cells in rounds.
_WEIGHT = 1e-3
_PERTURBATION_PAIRS = 1e-3
_PERTURBATION_UNMET = 1e-6
_FIXING_MARGIN = 1e-8
_INTERIOR_GAP = 1e-8
_SAME_UNMET = 1e-9
# When the weighted plan leaves more unmet than stage 1 (never seen on the benchmark), stage 2
# runs with its own interior point on the cost alone.
_PERTURBATION_STAGE_TWO = 3e-2
_FIXING_MARGIN_STAGE_TWO = 1e-3
_MAX_FIXING_ROUNDS = 20


@dataclass(frozen=True)
class MatchingResult:
    """An allocation of demand cells to offers.

    Attributes
    ----------
    pair_cell, pair_offer, pair_amount : numpy.ndarray
        The allocation, one entry per (cell, offer) pair with a positive amount.
    met, unmet : numpy.ndarray
        Participants placed and not placed, per cell.
    reason : tuple of str
        Per cell, why demand is unmet (one of ``REASONS``; ``""`` when fully met).
    offer_used, offer_utilisation : numpy.ndarray
        Seats used per offer, and as a share of its seats (``nan`` for an offer of 0 seats).
    group_spend : numpy.ndarray
        Cost spent per budget group.
    budget_binding, seats_binding : numpy.ndarray
        Boolean: the group's budget is spent / the offer is full.
    total_cost, total_unmet, other_region : float
        Cost of the allocation, unmet participants, participants placed with a provider of
        another region.
    method : str
        ``"lp"``, ``"milp"`` or ``"greedy"``.
    """

    pair_cell: np.ndarray
    pair_offer: np.ndarray
    pair_amount: np.ndarray
    met: np.ndarray
    unmet: np.ndarray
    reason: tuple[str, ...]
    offer_used: np.ndarray
    offer_utilisation: np.ndarray
    group_spend: np.ndarray
    budget_binding: np.ndarray
    seats_binding: np.ndarray
    total_cost: float
    total_unmet: float
    other_region: float
    method: str


@dataclass(frozen=True)
class _Problem:
    demand: np.ndarray
    group: np.ndarray
    region: np.ndarray
    seats: np.ndarray
    cost: np.ndarray
    offer_region: np.ndarray
    budgets: np.ndarray
    pair_cell: np.ndarray
    pair_offer: np.ndarray


def match_offers(
    *,
    demand: Sequence[float],
    demand_topic: Sequence[int],
    demand_language: Sequence[int],
    demand_mode: Sequence[int],
    demand_region: Sequence[int],
    offer_seats: Sequence[float],
    offer_cost: Sequence[float],
    offer_topics: Sequence[Sequence[int]],
    offer_languages: Sequence[Sequence[int]],
    offer_mode: Sequence[int],
    offer_region: Sequence[int],
    demand_group: Sequence[int] | None = None,
    group_budgets: Sequence[float] | None = None,
    other_region_penalty: float = 0.0,
    integral: bool = False,
    decompose: bool = True,
) -> MatchingResult:
    """The least-cost allocation that meets the most demand (module docstring for the model).

    Parameters
    ----------
    demand : sequence of float
        Participants wanted per cell (>= 0).
    demand_topic, demand_language, demand_region : sequence of int
        Codes of the cell's topic, language and region (any integers, compared for equality).
    demand_mode : sequence of int
        The cell's mode, or ``ANY_MODE``.
    offer_seats, offer_cost : sequence of float
        Seats (>= 0) and cost per participant (>= 0) of each offer.
    offer_topics, offer_languages : sequence of sequences of int
        Topics and languages each offer covers.
    offer_mode, offer_region : sequence of int
        Each offer's mode and its provider's region.
    demand_group, group_budgets : optional
        Budget group of each cell and the budget of each group (``inf`` for none). Both or
        neither.
    other_region_penalty : float
        Added to the cost of placing a participant with a provider of another region, in the
        objective only (>= 0; 0 means no preference).
    integral : bool
        Whole participants per offer (MILP) rather than a linear relaxation.
    decompose : bool
        Merge interchangeable cells and solve independent parts one by one (same optimum,
        faster; ``False`` solves the whole programme at once, kept to cross-check).

    Raises
    ------
    ValueError
        For mismatched lengths, negative demand, seats, costs, budgets or penalty.
    """
    problem = _problem(
        demand=demand,
        demand_topic=demand_topic,
        demand_language=demand_language,
        demand_mode=demand_mode,
        demand_region=demand_region,
        offer_seats=offer_seats,
        offer_cost=offer_cost,
        offer_topics=offer_topics,
        offer_languages=offer_languages,
        offer_mode=offer_mode,
        offer_region=offer_region,
        demand_group=demand_group,
        group_budgets=group_budgets,
    )
    if not np.isfinite(other_region_penalty) or other_region_penalty < 0:
        raise ValueError("other_region_penalty must be a finite number >= 0")
    if problem.pair_cell.size == 0:
        return _result(problem, np.zeros(0), "milp" if integral else "lp")
    if not decompose:
        amounts = _two_stage(problem, other_region_penalty, integral)
        return _result(problem, amounts, "milp" if integral else "lp")
    merged, member_of = _merge_interchangeable(problem)
    merged_amounts = np.zeros(merged.pair_cell.size)
    for cells, offers in _components(merged):
        part = _subproblem(merged, cells, offers)
        merged_amounts[part.pair_index] = _solve_part(part.problem, other_region_penalty, integral)
    amounts = _split_merged(problem, merged, member_of, merged_amounts)
    return _result(problem, amounts, "milp" if integral else "lp")


def _two_stage(problem: _Problem, other_region_penalty: float, integral: bool) -> np.ndarray:
    """Amount per pair of the lexicographic optimum (module docstring), by two HiGHS solves."""
    n_cells, n_pairs = problem.demand.size, problem.pair_cell.size
    if n_pairs == 0:
        return np.zeros(0)
    n_vars = n_pairs + n_cells
    pair_index = np.arange(n_pairs)
    unmet_index = n_pairs + np.arange(n_cells)
    # Each cell's participants are placed or unmet.
    balance = sparse.csr_matrix(
        (
            np.ones(n_vars),
            (
                np.concatenate([problem.pair_cell, np.arange(n_cells)]),
                np.concatenate([pair_index, unmet_index]),
            ),
        ),
        shape=(n_cells, n_vars),
    )
    n_offers = problem.seats.size
    seats = sparse.csr_matrix(
        (np.ones(n_pairs), (problem.pair_offer, pair_index)), shape=(n_offers, n_vars)
    )
    rows = [balance, seats]
    lower = [problem.demand, np.full(n_offers, -np.inf)]
    upper = [problem.demand, problem.seats]
    pair_cost = problem.cost[problem.pair_offer]
    limited = _limited_budgets(problem)
    if limited.size:
        group_row = np.full(problem.budgets.size, -1)
        group_row[limited] = np.arange(limited.size)
        in_budget = group_row[problem.group[problem.pair_cell]] >= 0
        rows.append(
            sparse.csr_matrix(
                (
                    pair_cost[in_budget],
                    (group_row[problem.group[problem.pair_cell]][in_budget], pair_index[in_budget]),
                ),
                shape=(limited.size, n_vars),
            )
        )
        lower.append(np.full(limited.size, -np.inf))
        upper.append(problem.budgets[limited])
    matrix = sparse.vstack(rows, format="csr")
    low, high = np.concatenate(lower), np.concatenate(upper)
    # Measured on benchmarks/bench_matching.py (CPU per plan, quiet machine): interior point
    # with crossover wins with a few dense budget rows (6 regional budgets, 200 countries:
    # 2.2 s against 6.8 s), dual simplex with many small ones (a budget per country, 80
    # countries: 5.4 s against 10.3 s) or none (about equal). Both end at a proven vertex.
    method = "highs-ipm" if _dense_budgets(limited.size, n_pairs) else "highs-ds"

    # Stage 1: the most demand that can be met.
    stage_one = np.zeros(n_vars)
    stage_one[unmet_index] = 1.0
    solution = _solve(stage_one, matrix, low, high, n_vars, integral, method)
    least_unmet = float(solution[unmet_index].sum())
    # Stage 2: the cheapest way to meet it. The stage-1 optimum is held exactly; only if the
    # solver's rounding then calls it infeasible is a tolerance allowed.
    other = problem.offer_region[problem.pair_offer] != problem.region[problem.pair_cell]
    stage_two = np.zeros(n_vars)
    stage_two[pair_index] = pair_cost + other_region_penalty * other
    unmet_row = sparse.csr_matrix(stage_one)
    matrix = sparse.vstack([matrix, unmet_row], format="csr")
    low = np.append(low, -np.inf)
    try:
        solution = _solve(
            stage_two, matrix, low, np.append(high, least_unmet), n_vars, integral, method
        )
    except ValueError:
        slack = 0.5 if integral else _TOLERANCE * max(1.0, least_unmet)
        solution = _solve(
            stage_two, matrix, low, np.append(high, least_unmet + slack), n_vars, integral, method
        )
    amounts = solution[:n_pairs]
    return np.round(amounts) if integral else amounts


def _solve_part(problem: _Problem, other_region_penalty: float, integral: bool) -> np.ndarray:
    """One independent part's amounts per pair: guided when it pays, else HiGHS on it all."""
    if _guided(problem, integral):
        try:
            return _two_stage_guided(problem, other_region_penalty)
        except ValueError:
            # Fixing that does not end (never seen) falls back on the whole programme rather
            # than failing the plan.
            pass
    return _two_stage(problem, other_region_penalty, integral)


def _guided(problem: _Problem, integral: bool) -> bool:
    """Whether a part is large and has budgets (there HiGHS alone is slow)."""
    if integral or problem.pair_cell.size < _GUIDED_MIN_PAIRS:
        return False
    return _limited_budgets(problem).size > 0


def _limited_budgets(problem: _Problem) -> np.ndarray:
    """The groups with a finite budget among this problem's cells (a part has fewer)."""
    used = np.zeros(problem.budgets.size, dtype=bool)
    used[problem.group] = True
    return np.flatnonzero(np.isfinite(problem.budgets) & used)


def _dense_budgets(n_budgets: int, n_pairs: int) -> bool:
    """A few budget rows, each over many pairs (a budget per region rather than country)."""
    return 0 < n_budgets <= _DENSE_MAX_BUDGETS and n_pairs / n_budgets > _DENSE_MIN_PAIRS_PER_BUDGET


@dataclass(frozen=True)
class _Layout:
    """The rows of a part's programme, shared by the interior point and HiGHS."""

    problem: _Problem
    limited: np.ndarray  # groups with a finite budget, each a row
    budget_row: np.ndarray  # per pair: its budget row, or -1
    stage_two: np.ndarray  # per pair: cost + penalty for another region


def _two_stage_guided(problem: _Problem, other_region_penalty: float) -> np.ndarray:
    """The same lexicographic optimum as :func:`_two_stage`, with most cells decided first.

    With a budget per country no two cells merge, and HiGHS spends most of its time on the
    tens of thousands of cell rows of a programme whose optimum sends almost every cell's
    demand to one option (one offer, or unmet). So:

    1. an interior point (:mod:`scoring.engine._interior_point`), whose Newton steps cost a
       dense factorisation of the offers' and budgets' rows only, solves the weighted
       programme ``unmet + _WEIGHT * cost`` approximately; its reduced costs rank each cell's
       options, and a cell whose best option leads the next by ``_FIXING_MARGIN`` is fixed
       on it (all its demand there);
    2. HiGHS solves the weighted programme on the other cells, with the seats and budget the
       fixed cells take off the rows (:func:`_solve_by_fixing`); with its duals every fixed
       cell's option must be among its cheapest, else the cell is freed and HiGHS solves
       again. When none is left, HiGHS's duals with each fixed cell's option priced at zero
       are feasible for the whole programme and complementary to the plan: the plan is
       optimal (the LP duality theorem; Chvátal 1983, *Linear Programming*, ch. 5 and 9).
       The interior point only decides how fast this ends, never what it ends with;
    3. stage 1 (least unmet demand) is solved and proven the same way. If the weighted plan
       leaves no more unmet demand than that, it is the lexicographic optimum: it minimises
       ``unmet + w * cost`` over every plan, so among the plans of least unmet demand none
       costs less. Otherwise stage 2 runs, fixed and proven the same way with its own
       interior point, with the unmet demand held at stage 1's.

    Fixing variables by their reduced costs is the interior-point literature's "optimal
    basis identification" (El-Bakry, Tapia & Zhang 1994, "A study of indicators for
    identifying zero variables in interior-point methods", SIAM Review 36, 45-72) applied to
    whole cells; the random perturbation of the costs breaks ties so that few cells stay
    undecided (Megiddo 1991, "On finding primal- and dual-optimal bases", ORSA J. Computing
    3, 63-65).
    """
    layout = _layout(problem, other_region_penalty)
    n_cells, n_pairs = problem.demand.size, problem.pair_cell.size
    scale = max(float(layout.stage_two.max(initial=0.0)), 1.0)
    weighted_costs = _WEIGHT * layout.stage_two / scale
    with single_threaded_blas():
        point = _interior_point(
            layout, weighted_costs, np.ones(n_cells), None, _PERTURBATION_PAIRS, _PERTURBATION_UNMET
        )
    choice = _clear_choices(layout, point.z)
    # The weighted programme and stage 1 share the interior point's choice and nothing else:
    # HiGHS solves them side by side (it releases the GIL; 2 cores: the benchmark's plan took
    # 1.86 s instead of 2.19 s). HiGHS gets the weighted costs as "cost + unmet / w": with the
    # cost at most 1, its absolute tolerances are the cost's (with "unmet + w * cost" a
    # 3-country case came out 0.002 dearer than the optimum).
    with ThreadPoolExecutor(max_workers=2) as pool:
        weighted_plan = pool.submit(
            _solve_by_fixing,
            layout,
            choice,
            _FIXING_MARGIN,
            layout.stage_two / scale,
            np.full(n_cells, 1.0 / _WEIGHT),
            None,
        )
        stage_one = _solve_by_fixing(
            layout, choice, _FIXING_MARGIN, np.zeros(n_pairs), np.ones(n_cells), None
        )
        weighted = weighted_plan.result()
    least_unmet = float(stage_one.unmet.sum())
    # Equal up to HiGHS's rounding only: a weighted plan that gives up even 1e-5 of a
    # participant for a cheaper plan is not the lexicographic optimum.
    if float(weighted.unmet.sum()) <= least_unmet + _SAME_UNMET * max(1.0, least_unmet):
        return weighted.amounts
    allowed = _TOLERANCE * max(1.0, least_unmet)
    with single_threaded_blas():
        point = _interior_point(
            layout,
            layout.stage_two / scale,
            np.zeros(n_cells),
            least_unmet,
            _PERTURBATION_STAGE_TWO,
            0.0,
        )
    choice = _clear_choices(layout, point.z)
    # The held value allows for HiGHS's rounding of stage 1 if the exact one is infeasible.
    for held in (least_unmet, least_unmet + allowed):
        try:
            solution = _solve_by_fixing(
                layout, choice, _FIXING_MARGIN_STAGE_TWO, layout.stage_two, np.zeros(n_cells), held
            )
        except ValueError:
            continue
        return solution.amounts
    raise ValueError("the solver did not reach an optimum with the unmet demand held")


@dataclass(frozen=True)
class _CellChoice:
    option: np.ndarray  # per cell: the pair it takes all its demand to, or -1 for unmet
    lead: np.ndarray  # per cell: by how much that option's reduced cost beats the next one


def _clear_choices(layout: _Layout, reduced: np.ndarray) -> _CellChoice:
    """Each cell's option of least reduced cost, and its lead over the cell's next option."""
    problem = layout.problem
    n_cells, n_pairs = problem.demand.size, problem.pair_cell.size
    cell = np.concatenate([problem.pair_cell, np.arange(n_cells)])
    value = np.concatenate([reduced[:n_pairs], reduced[n_pairs : n_pairs + n_cells]])
    option = np.concatenate([np.arange(n_pairs), np.full(n_cells, -1)])
    order = np.lexsort((value, cell))
    first = np.searchsorted(cell[order], np.arange(n_cells))
    count = np.bincount(cell, minlength=n_cells)
    runner_up = np.where(count >= 2, value[order][np.minimum(first + 1, cell.size - 1)], np.inf)
    return _CellChoice(option=option[order][first], lead=runner_up - value[order][first])


def _solve_by_fixing(
    layout: _Layout,
    choice: _CellChoice,
    margin: float,
    pair_costs: np.ndarray,
    unmet_costs: np.ndarray,
    held: float | None,
) -> _StagePlan:
    """One stage's optimum with the clearly decided cells fixed, proven by their prices.

    A cell whose best option leads by more than ``margin`` is fixed on it; HiGHS solves the
    others. A fixed cell whose option is not among its cheapest at HiGHS's duals is freed and
    the stage solved again. Where the fixed cells overrun an offer's seats or a budget, those
    decided by the least lead are freed until they fit; when they leave the rest infeasible,
    the margin grows tenfold (the cells decided by the least are the likeliest wrong).
    """
    problem = layout.problem
    # Relative to the largest cost, which in the weighted programme is the unmet demand's
    # (1 / _WEIGHT against pair costs of at most 1): 1e-10 of it is 1e-7 of the pair costs.
    # At 1e-7 of it a plan 0.01 dearer than the optimum passed on a 7-country case (a test).
    threshold = 1e-10 * max(
        1.0, float(np.abs(pair_costs).max(initial=0.0)), float(np.abs(unmet_costs).max(initial=0.0))
    )
    free = choice.lead <= margin
    in_budget = layout.budget_row >= 0
    for _ in range(_MAX_FIXING_ROUNDS):
        free |= _overrunning(layout, choice, free)
        outcome = _solve_free_cells(layout, choice.option, free, pair_costs, unmet_costs, held)
        if outcome is None:
            margin *= 10.0
            freed = choice.lead <= margin
            # Nothing left to free by the margin: free them all (the whole stage).
            free |= freed if (freed & ~free).any() else np.ones_like(free)
            continue
        solution, offer_dual, budget_dual, held_dual = outcome
        adjusted = pair_costs - offer_dual[problem.pair_offer]
        adjusted[in_budget] -= (
            problem.cost[problem.pair_offer[in_budget]] * budget_dual[layout.budget_row[in_budget]]
        )
        cheapest = unmet_costs - held_dual
        chosen = np.where(choice.option >= 0, adjusted[np.maximum(choice.option, 0)], cheapest)
        np.minimum.at(cheapest, problem.pair_cell, adjusted)
        wrong = ~free & (chosen > cheapest + threshold)
        if not wrong.any():
            return solution
        free |= wrong
    raise ValueError("fixing cells did not end")


def _overrunning(layout: _Layout, choice: _CellChoice, free: np.ndarray) -> np.ndarray:
    """Fixed cells to free so that the fixed ones fit every offer's seats and every budget.

    On each overrun row, the cells of least lead go first, until the rest fit.
    """
    problem = layout.problem
    release = np.zeros(problem.demand.size, dtype=bool)
    cells = np.flatnonzero(~free & (choice.option >= 0))
    if cells.size == 0:
        return release
    pairs = choice.option[cells]
    quantity = problem.demand[cells]
    slack = 1e-9 * max(1.0, float(problem.demand.sum()))
    in_budget = layout.budget_row[pairs] >= 0
    for row, take, capacity, tolerance in (
        (problem.pair_offer[pairs], quantity, problem.seats, slack),
        (
            np.where(in_budget, layout.budget_row[pairs], layout.limited.size),
            quantity * problem.cost[problem.pair_offer[pairs]],
            np.append(problem.budgets[layout.limited], np.inf),
            slack * max(1.0, float(problem.cost.max(initial=0.0))),
        ),
    ):
        excess = np.bincount(row, weights=take, minlength=capacity.size) - capacity
        if not (excess > tolerance).any():
            continue
        order = np.lexsort((choice.lead[cells], row))
        taken = np.cumsum(take[order])
        before_row = np.concatenate([[0.0], taken])[np.searchsorted(row[order], row[order])]
        # A cell goes while what the cells of less lead on its row free is below the excess.
        freed_before = taken - take[order] - before_row
        goes = (excess[row[order]] > tolerance) & (freed_before < excess[row[order]] - tolerance)
        release[cells[order[goes]]] = True
    return release


def _solve_free_cells(
    layout: _Layout,
    option: np.ndarray,
    free: np.ndarray,
    pair_costs: np.ndarray,
    unmet_costs: np.ndarray,
    held: float | None,
) -> tuple[_StagePlan, np.ndarray, np.ndarray, float] | None:
    """HiGHS on the free cells, the fixed ones' seats and spending taken off the rows.

    Returns the plan and the duals of the offers', budgets' and held rows, or None when the
    fixed cells leave the rest infeasible (through the held row: no fixed cell overruns a
    seat or budget row, :func:`_overrunning`).
    """
    problem = layout.problem
    n_cells, n_offers, n_budgets = problem.demand.size, problem.seats.size, layout.limited.size
    fixed_pair = ~free & (option >= 0)
    fixed_unmet = ~free & (option < 0)
    pairs = option[fixed_pair]
    quantity = problem.demand[fixed_pair]
    used = np.bincount(problem.pair_offer[pairs], weights=quantity, minlength=n_offers)
    rows = layout.budget_row[pairs]
    spent = np.bincount(
        rows[rows >= 0],
        weights=(quantity * problem.cost[problem.pair_offer[pairs]])[rows >= 0],
        minlength=n_budgets,
    )
    seats_left = problem.seats - used
    budget_left = problem.budgets[layout.limited] - spent
    unmet_left = None if held is None else held - float(problem.demand[fixed_unmet].sum())
    if unmet_left is not None and unmet_left < -1e-9 * max(1.0, float(problem.demand.sum())):
        return None
    seats_left = np.maximum(seats_left, 0.0)
    budget_left = np.maximum(budget_left, 0.0)
    amounts = np.zeros(problem.pair_cell.size)
    amounts[pairs] = quantity
    unmet = np.where(fixed_unmet, problem.demand, 0.0)
    cells = np.flatnonzero(free)
    if cells.size == 0:
        zero = np.zeros
        return _StagePlan(amounts=amounts, unmet=unmet), zero(n_offers), zero(n_budgets), 0.0
    row_of = np.full(n_cells, -1)
    row_of[cells] = np.arange(cells.size)
    columns = np.flatnonzero(free[problem.pair_cell])
    size, n_free = columns.size, cells.size
    n_vars = size + n_free
    local = np.arange(size)
    balance = sparse.csr_matrix(
        (
            np.ones(n_vars),
            (
                np.concatenate([row_of[problem.pair_cell[columns]], np.arange(n_free)]),
                np.arange(n_vars),
            ),
        ),
        shape=(n_free, n_vars),
    )
    in_budget = layout.budget_row[columns] >= 0
    upper_rows = [
        sparse.csr_matrix(
            (np.ones(size), (problem.pair_offer[columns], local)), shape=(n_offers, n_vars)
        ),
        sparse.csr_matrix(
            (
                problem.cost[problem.pair_offer[columns]][in_budget],
                (layout.budget_row[columns][in_budget], local[in_budget]),
            ),
            shape=(n_budgets, n_vars),
        ),
    ]
    upper = [seats_left, budget_left]
    if unmet_left is not None:
        upper_rows.append(
            sparse.csr_matrix(
                (np.ones(n_free), (np.zeros(n_free, dtype=int), size + np.arange(n_free))),
                shape=(1, n_vars),
            )
        )
        upper.append(np.array([max(unmet_left, 0.0)]))
    found = linprog(
        np.concatenate([pair_costs[columns], unmet_costs[cells]]),
        A_ub=sparse.vstack(upper_rows, format="csr"),
        b_ub=np.concatenate(upper),
        A_eq=balance,
        b_eq=problem.demand[cells],
        bounds=(0, None),
        # Interior point with crossover: on the benchmark's free cells (degenerate: cells tie
        # for the same seats) 0.6 s against 4.6 s for the dual simplex; both end at a vertex.
        method="highs-ipm",
    )
    if found.status == 2 and not free.all():
        # Infeasible only through the held row: some fixed cells must take other options.
        return None
    if found.status != 0 or found.x is None:
        raise ValueError(f"the solver did not reach an optimum: {found.message}")
    x = np.maximum(np.asarray(found.x, dtype=float), 0.0)
    amounts[columns] = x[:size]
    unmet[cells] = x[size:]
    # scipy's marginals are d(objective)/d(right-hand side): c - A^T y are reduced costs.
    duals = np.asarray(found.ineqlin.marginals, dtype=float)
    return (
        _StagePlan(amounts=amounts, unmet=unmet),
        duals[:n_offers],
        duals[n_offers : n_offers + n_budgets],
        float(duals[-1]) if unmet_left is not None else 0.0,
    )


def _layout(problem: _Problem, other_region_penalty: float) -> _Layout:
    limited = _limited_budgets(problem)
    group_row = np.full(problem.budgets.size, -1)
    group_row[limited] = np.arange(limited.size)
    other = problem.offer_region[problem.pair_offer] != problem.region[problem.pair_cell]
    return _Layout(
        problem=problem,
        limited=limited,
        budget_row=group_row[problem.group[problem.pair_cell]],
        stage_two=problem.cost[problem.pair_offer] + other_region_penalty * other,
    )


def _interior_point(
    layout: _Layout,
    pair_costs: np.ndarray,
    unmet_costs: np.ndarray,
    held: float | None,
    perturbation: float,
    unmet_perturbation: float,
) -> InteriorPoint:
    """The interior point's approximate optimum of one stage, its costs perturbed at random."""
    problem = layout.problem
    n_cells, n_pairs = problem.demand.size, problem.pair_cell.size
    n_offers, n_budgets = problem.seats.size, layout.limited.size
    n_held = 0 if held is None else 1
    n_columns = n_pairs + n_cells + n_offers + n_budgets + n_held
    pairs, unmet = np.arange(n_pairs), n_pairs + np.arange(n_cells)
    slack = n_pairs + n_cells + np.arange(n_offers + n_budgets + n_held)
    in_budget = layout.budget_row >= 0
    # Budget rows in participants at the median price, so that all rows weigh alike.
    price = max(float(np.median(problem.cost)), 1e-9)
    rows = [problem.pair_offer, n_offers + layout.budget_row[in_budget]]
    columns = [pairs, pairs[in_budget]]
    values = [np.ones(n_pairs), problem.cost[problem.pair_offer][in_budget] / price]
    link_rhs = [problem.seats, problem.budgets[layout.limited] / price]
    if held is not None:
        rows.append(np.full(n_cells, n_offers + n_budgets))
        columns.append(unmet)
        values.append(np.ones(n_cells))
        link_rhs.append(np.array([held]))
    rows.append(np.arange(slack.size))
    columns.append(slack)
    values.append(np.ones(slack.size))
    link = sparse.csr_matrix(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))),
        shape=(slack.size, n_columns),
    )
    # A fixed seed: the same problem always gets the same choice of cells, hence the same plan.
    random = np.random.default_rng(0).random(n_pairs + n_cells)
    cost = np.concatenate([pair_costs, unmet_costs, np.zeros(slack.size)])
    cost[:n_pairs] *= 1.0 + perturbation * random[:n_pairs]
    cost[n_pairs : n_pairs + n_cells] *= 1.0 + unmet_perturbation * random[n_pairs:]
    return block_interior_point(
        cost=cost,
        block_of=np.concatenate([problem.pair_cell, np.arange(n_cells), np.full(slack.size, -1)]),
        block_rhs=problem.demand,
        link=link,
        link_rhs=np.concatenate(link_rhs),
        # Cells of one topic, language and mode touch the same offers' rows.
        pattern_rows=np.arange(slack.size) < n_offers,
        tolerance=_INTERIOR_GAP,
        # The residuals stall near 1e-8 (relative) while the gap still falls.
        residual_tolerance=1e-7,
        max_iterations=150,
    )


@dataclass(frozen=True)
class _StagePlan:
    amounts: np.ndarray  # per pair of the whole part
    unmet: np.ndarray  # per cell


@dataclass(frozen=True)
class _Part:
    problem: _Problem
    pair_index: np.ndarray


def _merge_interchangeable(problem: _Problem) -> tuple[_Problem, np.ndarray]:
    """One cell per class of interchangeable cells, and each original cell's class.

    Two cells with the same topic, language and mode have the same compatible offers; with the
    same region and budget group as well, every coefficient of their variables (cost, penalty,
    budget row) is the same too. Any allocation of the merged cell can then be split between
    its members in any way that respects their demand (:func:`_split_merged`), and every
    allocation of the members sums to one of the merged cell, so both problems have the same
    optimum. Only cells with demand and at least one compatible offer take part; the others
    keep all their demand unmet. Ahuja, Magnanti & Orlin (1993), sec. 9.1 (node aggregation
    in transportation problems).
    """
    # Pairs come sorted by cell from _problem: a cell's offers are one run of pair_offer.
    cells_with_pairs, starts = np.unique(problem.pair_cell, return_index=True)
    offers_of = np.split(problem.pair_offer, starts[1:]) if starts.size else []
    signature: dict[tuple[int, int, bytes], int] = {}
    member_of = np.full(problem.demand.size, -1)
    merged_offers: list[np.ndarray] = []
    merged_region: list[int] = []
    merged_group: list[int] = []
    for cell, offers in zip(cells_with_pairs, offers_of, strict=True):
        key = (
            int(problem.region[cell]),
            int(problem.group[cell]),
            offers.tobytes(),
        )
        index = signature.get(key)
        if index is None:
            index = signature[key] = len(signature)
            merged_offers.append(offers)
            merged_region.append(int(problem.region[cell]))
            merged_group.append(int(problem.group[cell]))
        member_of[cell] = index
    n_merged = len(signature)
    member = member_of >= 0
    demand = np.bincount(member_of[member], weights=problem.demand[member], minlength=n_merged)
    sizes = np.array([offers.size for offers in merged_offers], dtype=int)
    merged = _Problem(
        demand=demand,
        group=np.asarray(merged_group, dtype=int),
        region=np.asarray(merged_region, dtype=int),
        seats=problem.seats,
        cost=problem.cost,
        offer_region=problem.offer_region,
        budgets=problem.budgets,
        pair_cell=np.repeat(np.arange(n_merged), sizes),
        pair_offer=(np.concatenate(merged_offers) if merged_offers else np.zeros(0, dtype=int)),
    )
    return merged, member_of


def _components(problem: _Problem) -> list[tuple[np.ndarray, np.ndarray]]:
    """Cells and offers of each independent part: connected through a pair or a budget.

    Nodes are cells, offers and budget groups with a finite budget; a pair joins its cell and
    offer, a limited budget joins its cells. Parts share no variable and no constraint, so
    solving each on its own gives the optimum of the whole.
    """
    n_cells, n_offers = problem.demand.size, problem.seats.size
    n_groups = problem.budgets.size
    limited = np.isfinite(problem.budgets)[problem.group]
    cells = np.arange(n_cells)
    rows = np.concatenate([problem.pair_cell, cells[limited]])
    columns = np.concatenate(
        [n_cells + problem.pair_offer, n_cells + n_offers + problem.group[limited]]
    )
    size = n_cells + n_offers + n_groups
    graph = sparse.coo_matrix((np.ones(rows.size), (rows, columns)), shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    cell_label, offer_label = labels[:n_cells], labels[n_cells : n_cells + n_offers]
    order = np.argsort(cell_label, kind="stable")
    parts = []
    for label in np.unique(cell_label):
        parts.append(
            (
                order[cell_label[order] == label],
                np.flatnonzero(offer_label == label),
            )
        )
    return parts


def _subproblem(problem: _Problem, cells: np.ndarray, offers: np.ndarray) -> _Part:
    """The part of ``problem`` on these cells and offers, renumbered from 0."""
    cell_number = np.full(problem.demand.size, -1)
    cell_number[cells] = np.arange(cells.size)
    offer_number = np.full(problem.seats.size, -1)
    offer_number[offers] = np.arange(offers.size)
    pair_index = np.flatnonzero(cell_number[problem.pair_cell] >= 0)
    return _Part(
        problem=_Problem(
            demand=problem.demand[cells],
            group=problem.group[cells],
            region=problem.region[cells],
            seats=problem.seats[offers],
            cost=problem.cost[offers],
            offer_region=problem.offer_region[offers],
            budgets=problem.budgets,
            pair_cell=cell_number[problem.pair_cell[pair_index]],
            pair_offer=offer_number[problem.pair_offer[pair_index]],
        ),
        pair_index=pair_index,
    )


def _split_merged(
    problem: _Problem, merged: _Problem, member_of: np.ndarray, merged_amounts: np.ndarray
) -> np.ndarray:
    """Amounts per original pair: each merged cell's seats handed to its members in order.

    All merged cells are laid end to end on one line, each taking the length of its members'
    demand; within a merged cell its members' demands and its offers' amounts both start at
    the cell's beginning (the amounts add up to at most the demand). Each stretch between two
    consecutive ends belongs to one member and at most one offer: the offer whose amount
    covers it, if any (past the amounts the member's demand stays unmet). Vectorised over all
    cells at once: with a budget per country most merged cells have one member, and a loop
    per cell cost a large share of the plan (benchmarks/bench_matching.py).
    """
    amounts = np.zeros(problem.pair_cell.size)
    flows = np.maximum(merged_amounts, 0.0)
    if not flows.any():
        return amounts
    members = np.argsort(member_of, kind="stable")
    members = members[member_of[members] >= 0]
    member_ends = np.cumsum(problem.demand[members])
    cell_start = np.concatenate([[0.0], np.cumsum(merged.demand)])
    first_pair = np.searchsorted(merged.pair_cell, np.arange(merged.demand.size))
    flow_total = np.cumsum(flows)
    before_cell = np.concatenate([[0.0], flow_total])[first_pair][merged.pair_cell]
    # A cell's flows end at most at its members' end, even after the solver's rounding.
    cell_end = cell_start[merged.pair_cell + 1]
    line_start = cell_start[merged.pair_cell]
    flow_ends = np.minimum(line_start + flow_total - before_cell, cell_end)
    flow_starts = np.minimum(line_start + flow_total - before_cell - flows, cell_end)
    ends = np.union1d(member_ends, flow_ends)
    starts = np.concatenate([[0.0], ends[:-1]])
    keep = ends > starts
    starts, ends = starts[keep], ends[keep]
    middle = (starts + ends) / 2
    member = np.minimum(np.searchsorted(member_ends, middle), members.size - 1)
    pair = np.minimum(np.searchsorted(flow_ends, middle), flows.size - 1)
    covered = (
        (merged.pair_cell[pair] == member_of[members[member]])
        & (middle >= flow_starts[pair])
        & (middle <= flow_ends[pair])
    )
    if not covered.any():
        return amounts
    # Pairs are sorted by (cell, offer) in _problem, so their keys are sorted too.
    n_offers = problem.seats.size
    keys = problem.pair_cell * n_offers + problem.pair_offer
    wanted = members[member[covered]] * n_offers + merged.pair_offer[pair[covered]]
    np.add.at(amounts, np.searchsorted(keys, wanted), (ends - starts)[covered])
    return amounts


def match_greedy(
    *,
    demand: Sequence[float],
    demand_topic: Sequence[int],
    demand_language: Sequence[int],
    demand_mode: Sequence[int],
    demand_region: Sequence[int],
    offer_seats: Sequence[float],
    offer_cost: Sequence[float],
    offer_topics: Sequence[Sequence[int]],
    offer_languages: Sequence[Sequence[int]],
    offer_mode: Sequence[int],
    offer_region: Sequence[int],
    demand_group: Sequence[int] | None = None,
    group_budgets: Sequence[float] | None = None,
    other_region_penalty: float = 0.0,
) -> MatchingResult:
    """The baseline a planner would do by hand: cells in order, each on its cheapest offers.

    Each cell in turn takes seats from its compatible offers cheapest first (cost plus
    ``other_region_penalty`` for a provider of another region, as in the optimum's objective;
    same region first on equal cost) until it is met, the seats run out or its group's budget
    is spent. Same parameters as :func:`match_offers`; used to measure what the optimum gains.
    """
    problem = _problem(
        demand=demand,
        demand_topic=demand_topic,
        demand_language=demand_language,
        demand_mode=demand_mode,
        demand_region=demand_region,
        offer_seats=offer_seats,
        offer_cost=offer_cost,
        offer_topics=offer_topics,
        offer_languages=offer_languages,
        offer_mode=offer_mode,
        offer_region=offer_region,
        demand_group=demand_group,
        group_budgets=group_budgets,
    )
    free = problem.seats.astype(float).copy()
    left = problem.budgets.astype(float).copy()
    other = problem.offer_region[problem.pair_offer] != problem.region[problem.pair_cell]
    order = np.lexsort(
        (
            other,
            problem.cost[problem.pair_offer] + other_region_penalty * other,
            problem.pair_cell,
        )
    )
    amounts = np.zeros(problem.pair_cell.size)
    wanted = problem.demand.astype(float).copy()
    for pair in order:
        cell, offer = problem.pair_cell[pair], problem.pair_offer[pair]
        take = min(wanted[cell], free[offer])
        cost = problem.cost[offer]
        group = problem.group[cell]
        if cost > 0 and np.isfinite(left[group]):
            take = min(take, left[group] / cost)
        if take <= 0:
            continue
        amounts[pair] = take
        wanted[cell] -= take
        free[offer] -= take
        left[group] -= take * cost
    return _result(problem, amounts, "greedy")


def _problem(
    *,
    demand: Sequence[float],
    demand_topic: Sequence[int],
    demand_language: Sequence[int],
    demand_mode: Sequence[int],
    demand_region: Sequence[int],
    offer_seats: Sequence[float],
    offer_cost: Sequence[float],
    offer_topics: Sequence[Sequence[int]],
    offer_languages: Sequence[Sequence[int]],
    offer_mode: Sequence[int],
    offer_region: Sequence[int],
    demand_group: Sequence[int] | None,
    group_budgets: Sequence[float] | None,
) -> _Problem:
    quantity = np.asarray(demand, dtype=float)
    topic = np.asarray(demand_topic, dtype=int)
    language = np.asarray(demand_language, dtype=int)
    mode = np.asarray(demand_mode, dtype=int)
    region = np.asarray(demand_region, dtype=int)
    n_cells = quantity.size
    if not all(array.size == n_cells for array in (topic, language, mode, region)):
        raise ValueError(
            "demand, demand_topic, demand_language, demand_mode and demand_region "
            "must have the same length"
        )
    seats = np.asarray(offer_seats, dtype=float)
    cost = np.asarray(offer_cost, dtype=float)
    o_mode = np.asarray(offer_mode, dtype=int)
    o_region = np.asarray(offer_region, dtype=int)
    n_offers = seats.size
    if not (
        cost.size
        == o_mode.size
        == o_region.size
        == len(offer_topics)
        == len(offer_languages)
        == n_offers
    ):
        raise ValueError("every offer needs seats, a cost, topics, languages, a mode and a region")
    for name, array in (("demand", quantity), ("offer_seats", seats), ("offer_cost", cost)):
        if array.size and (not np.all(np.isfinite(array)) or np.any(array < 0)):
            raise ValueError(f"{name} must be finite numbers >= 0")
    if (demand_group is None) != (group_budgets is None):
        raise ValueError("give demand_group and group_budgets together, or neither")
    if demand_group is None:
        group = np.zeros(n_cells, dtype=int)
        budgets = np.array([np.inf])
    else:
        group = np.asarray(demand_group, dtype=int)
        budgets = np.asarray(group_budgets, dtype=float)
        if group.size != n_cells:
            raise ValueError("demand_group must have one entry per cell")
        if group.size and (group.min() < 0 or group.max() >= budgets.size):
            raise ValueError("demand_group refers to a group without a budget")
        if np.any(np.isnan(budgets)) or np.any(budgets < 0):
            raise ValueError("group_budgets must be numbers >= 0 (inf for no limit)")
    pair_cell, pair_offer = _compatible_pairs(
        quantity, topic, language, mode, offer_topics, offer_languages, o_mode
    )
    return _Problem(
        demand=quantity,
        group=group,
        region=region,
        seats=seats,
        cost=cost,
        offer_region=o_region,
        budgets=budgets,
        pair_cell=pair_cell,
        pair_offer=pair_offer,
    )


def _compatible_pairs(
    quantity: np.ndarray,
    topic: np.ndarray,
    language: np.ndarray,
    mode: np.ndarray,
    offer_topics: Sequence[Sequence[int]],
    offer_languages: Sequence[Sequence[int]],
    offer_mode: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Every (cell with demand, offer) pair of the same topic, language and mode, sorted.

    A join on (topic, language): each offer is listed once per topic and language it covers,
    the list sorted by that key and by offer, and each cell takes the run of its key, then
    keeps the offers of its mode (all of them for ``ANY_MODE``). Pairs come out sorted by
    cell, then offer, which :func:`_merge_interchangeable` and :func:`_split_merged` rely on.
    """
    listed_offer: list[int] = []
    listed_topic: list[int] = []
    listed_language: list[int] = []
    for offer, (topics, languages) in enumerate(zip(offer_topics, offer_languages, strict=True)):
        for t in set(topics):
            for lang in set(languages):
                listed_offer.append(offer)
                listed_topic.append(int(t))
                listed_language.append(int(lang))
    wanted = np.flatnonzero(quantity > 0)
    if not listed_offer or not wanted.size:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    # Dense ids for the (topic, language) keys of offers and cells alike.
    keys = np.unique(
        np.column_stack(
            [
                np.concatenate([listed_topic, topic[wanted]]),
                np.concatenate([listed_language, language[wanted]]),
            ]
        ),
        axis=0,
        return_inverse=True,
    )[1].ravel()
    offer_key, cell_key = keys[: len(listed_offer)], keys[len(listed_offer) :]
    listed = np.asarray(listed_offer, dtype=int)
    order = np.lexsort((listed, offer_key))
    sorted_offers, sorted_keys = listed[order], offer_key[order]
    first = np.searchsorted(sorted_keys, cell_key, side="left")
    count = np.searchsorted(sorted_keys, cell_key, side="right") - first
    pair_cell = np.repeat(wanted, count)
    run_start = np.repeat(first - np.concatenate([[0], np.cumsum(count)[:-1]]), count)
    pair_offer = sorted_offers[run_start + np.arange(pair_cell.size)]
    same_mode = (mode[pair_cell] == ANY_MODE) | (offer_mode[pair_offer] == mode[pair_cell])
    return pair_cell[same_mode], pair_offer[same_mode]


def _solve(
    objective: np.ndarray,
    matrix: sparse.csr_matrix,
    low: np.ndarray,
    high: np.ndarray,
    n_vars: int,
    integral: bool,
    method: str = "highs-ds",
) -> np.ndarray:
    if integral:
        found = milp(
            objective,
            constraints=LinearConstraint(matrix, low, high),
            integrality=np.ones(n_vars),
            bounds=Bounds(0, np.inf),
        )
    else:
        equal = low == high
        ineq = ~equal
        # linprog wants A_ub x <= b_ub: rows with only an upper bound (the others are equal).
        found = linprog(
            objective,
            A_ub=matrix[np.flatnonzero(ineq)],
            b_ub=high[ineq],
            A_eq=matrix[np.flatnonzero(equal)],
            b_eq=high[equal],
            bounds=(0, None),
            method=method,
        )
    if found.status != 0 or found.x is None:
        # Always feasible (all demand unmet is a solution), so only a solver failure lands here.
        raise ValueError(f"the solver did not reach an optimum: {found.message}")
    return np.maximum(np.asarray(found.x, dtype=float), 0.0)


def _result(problem: _Problem, amounts: np.ndarray, method: str) -> MatchingResult:
    n_cells, n_offers = problem.demand.size, problem.seats.size
    met = np.bincount(problem.pair_cell, weights=amounts, minlength=n_cells)
    met = np.minimum(met, problem.demand)
    unmet = np.where(
        problem.demand - met > _TOLERANCE * np.maximum(1, problem.demand), problem.demand - met, 0.0
    )
    used = np.bincount(problem.pair_offer, weights=amounts, minlength=n_offers)
    spend_pairs = amounts * problem.cost[problem.pair_offer]
    group_spend = np.bincount(
        problem.group[problem.pair_cell], weights=spend_pairs, minlength=problem.budgets.size
    )
    full = used >= problem.seats - _TOLERANCE * np.maximum(1, problem.seats)
    finite = np.where(np.isfinite(problem.budgets), problem.budgets, 0.0)
    spent = np.isfinite(problem.budgets) & (
        group_spend >= finite - _TOLERANCE * np.maximum(1, finite)
    )
    # Budget binds for a cell only when a compatible offer that costs something has a free seat.
    free_paid = np.zeros(n_cells, dtype=bool)
    any_pair = np.zeros(n_cells, dtype=bool)
    any_pair[problem.pair_cell] = True
    open_pairs = ~full[problem.pair_offer]
    free_paid[problem.pair_cell[open_pairs]] = True
    reasons = []
    for cell in range(n_cells):
        if unmet[cell] <= 0:
            reasons.append("")
        elif not any_pair[cell]:
            reasons.append("no_offer")
        elif free_paid[cell] and spent[problem.group[cell]]:
            reasons.append("budget")
        else:
            reasons.append("seats")
    with np.errstate(invalid="ignore", divide="ignore"):
        utilisation = np.where(problem.seats > 0, used / problem.seats, np.nan)
    keep = amounts > _TOLERANCE
    other = problem.offer_region[problem.pair_offer] != problem.region[problem.pair_cell]
    return MatchingResult(
        pair_cell=problem.pair_cell[keep],
        pair_offer=problem.pair_offer[keep],
        pair_amount=amounts[keep],
        met=met,
        unmet=unmet,
        reason=tuple(reasons),
        offer_used=used,
        offer_utilisation=utilisation,
        group_spend=group_spend,
        budget_binding=spent,
        seats_binding=full & (problem.seats > 0),
        total_cost=float(spend_pairs.sum()),
        total_unmet=float(unmet.sum()),
        other_region=float(amounts[other].sum()),
        method=method,
    )

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
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

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
    n_cells, n_pairs = problem.demand.size, problem.pair_cell.size
    if n_pairs == 0:
        return _result(problem, np.zeros(0), "milp" if integral else "lp")
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
    limited = np.flatnonzero(np.isfinite(problem.budgets))
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

    # Stage 1: the most demand that can be met.
    stage_one = np.zeros(n_vars)
    stage_one[unmet_index] = 1.0
    solution = _solve(stage_one, matrix, low, high, n_vars, integral)
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
        solution = _solve(stage_two, matrix, low, np.append(high, least_unmet), n_vars, integral)
    except ValueError:
        slack = 0.5 if integral else _TOLERANCE * max(1.0, least_unmet)
        solution = _solve(
            stage_two, matrix, low, np.append(high, least_unmet + slack), n_vars, integral
        )
    amounts = solution[:n_pairs]
    if integral:
        amounts = np.round(amounts)
    return _result(problem, amounts, "milp" if integral else "lp")


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
) -> MatchingResult:
    """The baseline a planner would do by hand: cells in order, each on its cheapest offers.

    Each cell in turn takes seats from its compatible offers cheapest first (same region first
    on equal cost) until it is met, the seats run out or its group's budget is spent. Same
    parameters as :func:`match_offers`; used to measure what the optimum gains.
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
    order = np.lexsort((other, problem.cost[problem.pair_offer], problem.pair_cell))
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
    # Pairs by index: offers by (topic, language) so that each cell looks up its candidates.
    by_key: dict[tuple[int, int], list[int]] = {}
    for offer in range(n_offers):
        for t in set(offer_topics[offer]):
            for lang in set(offer_languages[offer]):
                by_key.setdefault((int(t), int(lang)), []).append(offer)
    cells: list[np.ndarray] = []
    offers: list[np.ndarray] = []
    for cell in range(n_cells):
        if quantity[cell] <= 0:
            continue
        candidates = by_key.get((int(topic[cell]), int(language[cell])))
        if not candidates:
            continue
        found = np.asarray(candidates)
        if mode[cell] != ANY_MODE:
            found = found[o_mode[found] == mode[cell]]
        cells.append(np.full(found.size, cell))
        offers.append(found)
    pair_cell = np.concatenate(cells) if cells else np.zeros(0, dtype=int)
    pair_offer = np.concatenate(offers) if offers else np.zeros(0, dtype=int)
    return _Problem(
        demand=quantity,
        group=group,
        region=region,
        seats=seats,
        cost=cost,
        offer_region=o_region,
        budgets=budgets,
        pair_cell=pair_cell.astype(int),
        pair_offer=pair_offer.astype(int),
    )


def _solve(
    objective: np.ndarray,
    matrix: sparse.csr_matrix,
    low: np.ndarray,
    high: np.ndarray,
    n_vars: int,
    integral: bool,
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
            method="highs",
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

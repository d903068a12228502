"""Ties in gain go to the cheapest portfolio, exactly (issue 17, item 4).

Before, a cost penalty of a millionth of the attainable gain broke ties inside the objective:
below HiGHS's tolerance, so with costs 10.0 and 10.5 and the same gain 10.5 could be chosen,
and selection frequencies over uncertainty samples depended on chance.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.engine.portfolio import (
    build_portfolio_problem,
    check_portfolio,
    optimise_portfolio,
    portfolio_gain,
    robust_portfolio,
)


def test_the_cheaper_of_two_interventions_with_the_same_gain_is_chosen() -> None:
    for costs in ([10.0, 10.5], [10.5, 10.0]):
        problem = build_portfolio_problem(costs, 15.0, benefits=[1000.0, 1000.0])
        result = optimise_portfolio(problem)
        assert result.total_cost == 10.0
        assert result.expected_gain == 1000.0
        assert result.selected == (costs.index(10.0),)


def test_the_cheaper_one_is_chosen_with_budgets_in_money() -> None:
    # Costs in dollars: the old penalty (1e-6 · gain / budget per dollar) separated these two
    # by 3e-9, below the solver's absolute tolerance of 1e-6.
    for costs in ([10_000.0, 10_500.0], [10_500.0, 10_000.0]):
        problem = build_portfolio_problem(costs, 1_000_000.0, benefits=[3.0, 3.0])
        exclusive = build_portfolio_problem(
            costs, 1_000_000.0, benefits=[3.0, 3.0], exclusion_groups=[(0, 1)]
        )
        assert optimise_portfolio(exclusive).total_cost == 10_000.0
        assert optimise_portfolio(problem).total_cost == 20_500.0


def test_a_cheaper_pair_with_the_same_capped_gain_beats_a_dearer_single() -> None:
    # Both close the whole gap of 4 (capped model); the pair costs 10.0, the single 10.5.
    problem = build_portfolio_problem(
        [5.0, 5.0, 10.5], 11.0, improvements=[[2], [2], [4]], gaps=[4], indicator_weights=[1]
    )
    result = optimise_portfolio(problem)
    assert result.selected == (0, 1) and result.total_cost == 10.0


def test_selection_frequencies_do_not_depend_on_tie_breaking() -> None:
    problem = build_portfolio_problem(
        [10_500.0, 10_000.0], 1_000_000.0, benefits=[3.0, 3.0], exclusion_groups=[(0, 1)]
    )
    samples = np.array([[3.0, 3.0], [5.0, 5.0], [1.0, 1.0], [2.0, 2.0]])
    robust = robust_portfolio(problem, benefit_samples=samples)
    assert robust.selection_frequency.tolist() == [0.0, 1.0]


def test_no_gain_is_traded_for_cost() -> None:
    problem = build_portfolio_problem([10.0, 10.5], 15.0, benefits=[1000.0, 1000.001])
    assert optimise_portfolio(problem).selected == (1,)


def _cheapest_best(problem) -> tuple[float, float] | None:
    best: tuple[float, float] | None = None
    for size in range(problem.n_interventions + 1):
        for subset in itertools.combinations(range(problem.n_interventions), size):
            if check_portfolio(problem, subset):
                continue
            key = (portfolio_gain(problem, subset), -float(problem.costs[list(subset)].sum()))
            if (
                best is None
                or key[0] > best[0] + 1e-9
                or (abs(key[0] - best[0]) <= 1e-9 and key[1] > best[1])
            ):
                best = key
    return best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    benefits=st.lists(st.sampled_from([1, 2, 3]), min_size=2, max_size=6),
    cost_choices=st.lists(st.sampled_from([10.0, 10.5, 5.0, 5.25]), min_size=6, max_size=6),
    budget=st.sampled_from([10.0, 16.0, 21.0, 31.0]),
)
def test_the_cheapest_optimum_matches_exhaustive_search(benefits, cost_choices, budget) -> None:
    costs = cost_choices[: len(benefits)]
    problem = build_portfolio_problem(costs, budget, benefits=benefits)
    expected = _cheapest_best(problem)
    result = optimise_portfolio(problem, compare_greedy=False)
    assert expected is not None
    assert result.expected_gain == pytest.approx(expected[0], abs=1e-9)
    assert result.total_cost == pytest.approx(-expected[1], abs=1e-9)

"""Tests for the intervention portfolio optimiser (MILP, greedy heuristic, robust selection)."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from scoring.engine.portfolio import (
    PortfolioProblem,
    build_improvement_matrix,
    build_portfolio_problem,
    check_portfolio,
    greedy_portfolio,
    optimise_portfolio,
    portfolio_gain,
    robust_portfolio,
)


def make_knapsack(**overrides: object) -> PortfolioProblem:
    arguments: dict[str, object] = {
        "costs": [2, 3, 1],
        "budget": 5,
        "benefits": [4, 5, 3],
        "intervention_codes": ["A", "B", "C"],
    }
    arguments.update(overrides)
    return build_portfolio_problem(**arguments)  # type: ignore[arg-type]


def make_gap_problem(**overrides: object) -> PortfolioProblem:
    # Two indicators with gaps 4 and 5; interventions 0 and 1 overlap on indicator 0.
    arguments: dict[str, object] = {
        "costs": [1.0, 1.2, 1.0],
        "budget": 2.2,
        "improvements": [[3.0, 0.0], [3.5, 0.0], [0.0, 2.0]],
        "gaps": [4.0, 5.0],
        "indicator_weights": [1.0, 1.0],
        "intervention_codes": ["T1", "T2", "P1"],
    }
    arguments.update(overrides)
    return build_portfolio_problem(**arguments)  # type: ignore[arg-type]


def test_knapsack_reference_vector_selects_the_first_two_items_for_value_nine() -> None:
    # Domain notes: values [4,5,3], costs [2,3,1], budget 5 -> "items 1 and 2", value 9.
    # Value 9 is reached only by the first two items (4 + 5), i.e. 0-based indices 0 and 1;
    # the second and third items give 5 + 3 = 8.
    result = optimise_portfolio(make_knapsack())
    assert result.status == "optimal"
    assert result.selected == (0, 1)
    assert result.selected_codes == ("A", "B")
    assert result.expected_gain == pytest.approx(9.0)
    assert result.total_cost == pytest.approx(5.0)
    assert result.feasible
    assert result.mip_gap == pytest.approx(0.0, abs=1e-9)
    assert result.solver_seconds > 0


def test_greedy_takes_the_best_ratios_and_reports_its_gap_to_the_knapsack_optimum() -> None:
    # Ratios 2, 1.67, 3: greedy takes C then A (cost 3), and B no longer fits: value 7.
    result = optimise_portfolio(make_knapsack())
    assert result.greedy is not None
    assert result.greedy.selected == (0, 2)
    assert result.greedy.expected_gain == pytest.approx(7.0)
    assert result.greedy.feasible
    assert result.greedy.optimality_gap == pytest.approx(2 / 9)


def test_capped_model_does_not_double_count_overlapping_interventions() -> None:
    # Capped: {T1,T2} closes only the gap of 4; {T2,P1} closes 3.5 + 2 = 5.5, the optimum.
    result = optimise_portfolio(make_gap_problem())
    assert result.benefit_model == "capped"
    assert result.selected == (1, 2)
    assert result.expected_gain == pytest.approx(5.5)


def test_additive_model_double_counts_and_prefers_the_overlapping_pair() -> None:
    # Additive: T1 + T2 are valued 3 + 3.5 = 6.5 although the gap is only 4.
    result = optimise_portfolio(make_gap_problem(benefit_model="additive"))
    assert result.selected == (0, 1)
    assert result.expected_gain == pytest.approx(6.5)


def test_standalone_benefit_is_weighted_and_capped_at_the_gap() -> None:
    problem = make_gap_problem(
        improvements=[[6.0, 0.0], [1.0, 9.0], [0.0, 2.0]], indicator_weights=[2.0, 0.5]
    )
    # b_j = sum_i w_i min(gap_i, a_ij): 2*4, 2*1 + 0.5*5, 0.5*2.
    assert_allclose(problem.benefits, [8.0, 4.5, 1.0])
    assert portfolio_gain(problem, [0, 1]) == pytest.approx(2 * 4 + 0.5 * 5)


def test_interventions_that_add_nothing_are_not_recommended() -> None:
    # With a large budget the solver is indifferent to T1 once T2 and a second course close
    # the gap; the pruning step must drop it.
    problem = make_gap_problem(
        costs=[1.0, 1.0, 1.0, 1.0],
        budget=100,
        improvements=[[1.0, 0.0], [4.0, 0.0], [0.0, 5.0], [0.0, 0.0]],
        intervention_codes=["T1", "T2", "P1", "NONE"],
    )
    result = optimise_portfolio(problem)
    assert result.selected == (1, 2)
    assert result.expected_gain == pytest.approx(9.0)


def test_prerequisites_force_the_required_intervention_in() -> None:
    # B alone with C would be worth 14, but B requires A: {A, B} = 11 beats {A, C} = 5.
    problem = make_knapsack(
        costs=[3, 3, 3], budget=6, benefits=[1, 10, 4], prerequisites=[("B", "A")]
    )
    result = optimise_portfolio(problem)
    assert result.selected == (0, 1)
    assert result.expected_gain == pytest.approx(11)
    without = optimise_portfolio(make_knapsack(costs=[3, 3, 3], budget=6, benefits=[1, 10, 4]))
    assert without.selected == (1, 2)


def test_greedy_buys_prerequisites_together_with_the_intervention_that_needs_them() -> None:
    problem = make_knapsack(
        costs=[3, 3, 3], budget=6, benefits=[1, 10, 4], prerequisites=[("B", "A")]
    )
    greedy = greedy_portfolio(problem)
    # Bundle {A, B} has ratio 11/6 > C's 4/3.
    assert greedy.selected == (0, 1)
    assert greedy.feasible


def test_mutually_exclusive_interventions_are_never_chosen_together() -> None:
    problem = make_knapsack(
        costs=[1, 1, 1], budget=3, benefits=[5, 4, 1], exclusion_groups=[["A", "B"]]
    )
    result = optimise_portfolio(problem)
    assert result.selected == (0, 2)
    assert result.greedy is not None
    assert result.greedy.selected == (0, 2)


def test_minimum_count_per_pillar_pulls_in_a_weaker_intervention() -> None:
    problem = make_knapsack(
        costs=[1, 1, 1],
        budget=2,
        benefits=[10, 9, 1],
        intervention_pillars=[["People"], ["People"], ["Regulation"]],
        pillar_minimum_count={"Regulation": 1},
    )
    result = optimise_portfolio(problem)
    assert result.selected == (0, 2)
    assert result.expected_gain == pytest.approx(11)


def test_minimum_spend_per_pillar_counts_the_cost_of_covering_interventions() -> None:
    # Regulation needs a spend of 2: only D (cost 2) or C + D reach it; {A, D} is best.
    problem = build_portfolio_problem(
        [1, 1, 1, 2],
        3,
        benefits=[10, 9, 1, 0.5],
        intervention_pillars=["People", "People", "Regulation", "Regulation"],
        pillar_minimum_spend={"Regulation": 2},
    )
    result = optimise_portfolio(problem)
    assert result.selected == (0, 3)
    assert result.expected_gain == pytest.approx(10.5)


def test_pillars_follow_the_indicators_an_intervention_improves() -> None:
    problem = make_gap_problem(
        indicator_pillars=["People", "Regulation"], pillar_minimum_count={"Regulation": 1}
    )
    assert problem.pillar_coverage == {"People": (0, 1), "Regulation": (2,)}


def test_time_horizon_filters_out_interventions_that_take_too_long() -> None:
    problem = make_knapsack(durations=[6, 24, 3], horizon=12)
    result = optimise_portfolio(problem)
    assert result.selected == (0, 2)
    assert result.total_duration == pytest.approx(9)
    assert check_portfolio(problem, [1]) == ("time horizon: B take longer than 12",)


def test_duration_capacity_limits_the_total_duration() -> None:
    # Capacity 7: A + B take 8 months, B + C take 7 (value 8), A + C take 5 (value 7).
    problem = make_knapsack(durations=[3, 5, 2], duration_capacity=7)
    result = optimise_portfolio(problem)
    assert result.selected == (1, 2)
    assert result.total_duration == pytest.approx(7)


def test_budget_below_the_cheapest_intervention_says_nothing_fits() -> None:
    result = optimise_portfolio(make_knapsack(budget=0.5))
    assert result.status == "nothing_fits"
    assert result.feasible
    assert result.selected == ()
    assert result.total_cost == 0
    assert "cheapest intervention (C costs 1)" in result.message


def test_zero_budget_says_nothing_fits() -> None:
    assert optimise_portfolio(make_knapsack(budget=0)).status == "nothing_fits"


def test_a_horizon_shorter_than_every_intervention_says_nothing_fits() -> None:
    result = optimise_portfolio(make_knapsack(durations=[6, 24, 3], horizon=1))
    assert result.status == "nothing_fits"
    assert "time horizon of 1" in result.message


def test_unreachable_pillar_minimum_is_reported_as_no_feasible_portfolio() -> None:
    problem = make_knapsack(
        intervention_pillars=[["People"], ["People"], ["Regulation"]],
        pillar_minimum_count={"Regulation": 2},
    )
    result = optimise_portfolio(problem)
    assert result.status == "infeasible"
    assert not result.feasible
    assert result.selected == ()
    assert result.binding_constraints == ("pillar minimums", "pillar minimum: Regulation")
    assert result.message == (
        "No feasible portfolio: the minimum for pillar Regulation cannot be met. "
        "Too few interventions cover the pillar: Regulation needs 2, only 1 available. "
        "Relaxing any one of these would allow a portfolio: the minimum for Regulation."
    )


def test_pillar_minimum_beyond_the_budget_names_both_binding_constraints() -> None:
    problem = make_knapsack(
        costs=[2, 3, 9],
        intervention_pillars=[["People"], ["People"], ["Regulation"]],
        pillar_minimum_count={"Regulation": 1},
    )
    result = optimise_portfolio(problem)
    assert result.status == "infeasible"
    assert result.binding_constraints == ("budget", "pillar minimums", "pillar minimum: Regulation")
    assert result.message.startswith(
        "No feasible portfolio: the minimum for pillar Regulation cannot be met together with "
        "the budget."
    )


def test_prerequisite_excluded_by_its_dependent_is_diagnosed() -> None:
    # The pillar needs B, B requires A, and A excludes B: relaxing any one family helps.
    problem = make_knapsack(
        prerequisites=[("B", "A")],
        exclusion_groups=[["A", "B"]],
        intervention_pillars=[["People"], ["Regulation"], ["People"]],
        pillar_minimum_count={"Regulation": 1},
    )
    result = optimise_portfolio(problem)
    assert result.status == "infeasible"
    assert set(result.binding_constraints) == {
        "prerequisites",
        "exclusions",
        "pillar minimums",
        "pillar minimum: Regulation",
    }


def test_pillar_minimums_that_each_alone_cannot_be_met_are_reported_together() -> None:
    # People and Regulation each need two interventions but only one covers each pillar:
    # relaxing a single pillar does not help, so no pillar is named on its own.
    problem = make_knapsack(
        intervention_pillars=[["People"], ["Regulation"], ["Business"]],
        pillar_minimum_count={"People": 2, "Regulation": 2},
    )
    result = optimise_portfolio(problem)
    assert result.status == "infeasible"
    assert result.binding_constraints == ("pillar minimums",)
    assert "pillar minimums taken together cannot be met" in result.message
    assert "People needs 2, only 1 available; Regulation needs 2, only 1 available" in (
        result.message
    )


def test_budget_and_duration_capacity_that_both_block_are_not_named_as_binding() -> None:
    # Two pillars need one intervention each (cost 6, 2 months) but the budget allows 3 and
    # the capacity 1 month: relaxing either alone is not enough, relaxing one pillar is.
    problem = make_knapsack(
        costs=[3, 3, 3],
        budget=3,
        durations=[1, 1, 1],
        duration_capacity=1,
        intervention_pillars=[["People"], ["Regulation"], ["People"]],
        pillar_minimum_count={"Regulation": 1, "People": 1},
    )
    result = optimise_portfolio(problem)
    assert result.status == "infeasible"
    assert result.binding_constraints == (
        "pillar minimums",
        "pillar minimum: Regulation",
        "pillar minimum: People",
    )


def test_greedy_that_cannot_meet_a_pillar_minimum_is_reported_as_infeasible() -> None:
    # Greedy serves People first with A (best ratio), which excludes C, the only Regulation
    # intervention; the optimum takes B and C instead.
    problem = make_knapsack(
        costs=[1, 1, 1],
        budget=2,
        benefits=[10, 1, 1],
        exclusion_groups=[["A", "C"]],
        intervention_pillars=[["People"], ["People"], ["Regulation"]],
        pillar_minimum_count={"People": 1, "Regulation": 1},
    )
    result = optimise_portfolio(problem)
    assert result.selected == (1, 2)
    assert result.greedy is not None
    assert not result.greedy.feasible
    assert result.greedy.violations == (
        "pillar minimum: Regulation needs at least 1 interventions, got 0",
    )


def test_check_portfolio_lists_every_violated_constraint() -> None:
    problem = make_knapsack(
        budget=3,
        prerequisites=[("B", "A")],
        exclusion_groups=[["B", "C"]],
        intervention_pillars=[["People"], ["People"], ["People"]],
        pillar_minimum_spend={"People": 10},
    )
    assert check_portfolio(problem, [1, 2]) == (
        "budget: total cost 4 exceeds the budget 3",
        "prerequisites: B requires A",
        "exclusions: at most one of B, C may be chosen",
        "pillar minimum: People needs a spend of at least 10, got 4",
    )
    with pytest.raises(ValueError, match="indices must lie in 0..2"):
        check_portfolio(problem, [3])


def test_results_are_immutable() -> None:
    result = optimise_portfolio(make_knapsack())
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.selected = ()  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        make_knapsack().costs[0] = 0


def test_improvement_matrix_accepts_codes_and_indices() -> None:
    matrix = build_improvement_matrix(
        [{"DI1": 2.0}, {"DI2": 1.0, 0: 0.5}], ["DI1", "DI2"], ["T1", "T2"]
    )
    assert_allclose(matrix, [[2.0, 0.0], [0.5, 1.0]])


def test_intervention_pointing_at_an_unknown_indicator_code_is_refused() -> None:
    with pytest.raises(ValueError, match="intervention T2: unknown indicator code 'DI9'"):
        build_improvement_matrix([{"DI1": 2.0}, {"DI9": 1.0}], ["DI1", "DI2"], ["T1", "T2"])


def test_intervention_pointing_at_an_indicator_index_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="indicator index 2 is out of range for 2 indicators"):
        build_improvement_matrix([{2: 1.0}], ["DI1", "DI2"])


def test_improvement_matrix_with_the_wrong_number_of_indicators_is_refused() -> None:
    with pytest.raises(ValueError, match="gaps: expected 2 values"):
        make_gap_problem(gaps=[1, 2, 3])
    with pytest.raises(ValueError, match=r"improvements: expected shape \(3, n_indicators\)"):
        make_gap_problem(improvements=[[1.0], [1.0]])


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"costs": []}, "catalogue is empty"),
        ({"costs": [], "benefits": []}, "catalogue is empty"),
        ({"costs": [2, 0, 1]}, r"zero or negative cost for \['B'\]"),
        ({"costs": [2, -3, 1]}, r"zero or negative cost for \['B'\]"),
        ({"costs": [2, np.nan, 1]}, "finite"),
        ({"budget": -1}, "budget must be a finite non-negative"),
        ({"budget": np.inf}, "budget must be a finite non-negative"),
        ({"benefits": [1, -1, 1]}, "benefits: every value"),
        ({"benefits": [1, 1]}, "benefits: expected 3 values"),
        ({"prerequisites": [("B", "Z")]}, "prerequisites: unknown intervention code 'Z'"),
        ({"prerequisites": [(1, 7)]}, "prerequisites: intervention index 7 is out of range"),
        ({"prerequisites": [("A", "A")]}, "cannot require itself"),
        ({"exclusion_groups": [["A"]]}, "at least two different interventions"),
        ({"exclusion_groups": [["A", 5]]}, "exclusions: intervention index 5 is out of range"),
        ({"horizon": 3}, "horizon needs the durations"),
        ({"durations": [1, -1, 1]}, "durations: every value"),
        ({"benefit_model": "capped"}, "capped benefit model needs improvements"),
        ({"benefit_model": "quadratic"}, "benefit_model must be one of"),
        ({"improvements": [[1], [1], [1]]}, "either improvements"),
        ({"intervention_codes": ["A", "A", "B"]}, "must be unique"),
        (
            {"intervention_pillars": [["P"], ["P"], ["Q"]], "pillar_minimum_count": {"R": 1}},
            "unknown pillar 'R'",
        ),
        (
            {"intervention_pillars": [["P"], ["P"], ["Q"]], "pillar_minimum_count": {"P": 1.5}},
            "non-negative integer",
        ),
        (
            {"intervention_pillars": [["P"], ["P"], ["Q"]], "pillar_minimum_spend": {"P": -1}},
            "finite non-negative",
        ),
    ],
)
def test_bad_portfolio_input_is_refused_with_a_clear_message(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        make_knapsack(**overrides)


def test_negative_gaps_and_improvements_are_refused() -> None:
    with pytest.raises(ValueError, match="gaps: every value"):
        make_gap_problem(gaps=[-1.0, 5.0])
    with pytest.raises(ValueError, match="improvements: every improvement"):
        make_gap_problem(improvements=[[-3.0, 0.0], [3.5, 0.0], [0.0, 2.0]])


def test_robust_selection_counts_how_often_each_intervention_is_optimal() -> None:
    # Sample 2 makes A nearly worthless, so {B, C} (value 8) beats {A, B} (value 6).
    robust = robust_portfolio(
        make_knapsack(), benefit_samples=[[4, 5, 3], [1, 5, 3], [4, 5, 3], [4, 5, 3]]
    )
    assert_allclose(robust.selection_frequency, [0.75, 1.0, 0.25])
    assert robust.robust_order == (1, 0, 2)
    assert robust.n_samples == 4
    assert robust.n_solved == 4
    assert_allclose(robust.sample_gains, [9, 8, 9, 9])
    assert_allclose(robust.nominal_gain_samples, [9, 6, 9, 9])
    assert robust.nominal.selected == (0, 1)


def test_robust_selection_from_gap_samples_caps_each_sample_at_its_gaps() -> None:
    # In sample 2 indicator 0 has no gap left, so only P1 is worth funding.
    robust = robust_portfolio(make_gap_problem(), gap_samples=[[4.0, 5.0], [-1.0, 5.0]])
    assert_allclose(robust.selection_frequency, [0.0, 0.5, 1.0])
    assert robust.robust_order == (2, 1)
    assert_allclose(robust.sample_gains, [5.5, 2.0])


def test_robust_selection_of_an_infeasible_problem_solves_no_sample() -> None:
    problem = make_knapsack(
        intervention_pillars=[["People"], ["People"], ["Regulation"]],
        pillar_minimum_count={"Regulation": 2},
    )
    robust = robust_portfolio(problem, benefit_samples=[[4, 5, 3]])
    assert robust.nominal.status == "infeasible"
    assert robust.n_solved == 0
    assert robust.robust_order == ()


@pytest.mark.parametrize(
    ("problem_kind", "samples", "message"),
    [
        ("knapsack", {}, "either gap_samples or benefit_samples"),
        ("knapsack", {"benefit_samples": [[1, 2]]}, r"expected shape \(n_samples, 3\)"),
        ("knapsack", {"benefit_samples": [[1, -2, 1]]}, "non-negative"),
        ("knapsack", {"gap_samples": [[1, 2]]}, "built from improvements"),
        ("gaps", {"benefit_samples": [[1, 2, 1]]}, "for the capped model pass gap_samples"),
        ("gaps", {"gap_samples": [[1, np.nan]]}, "finite"),
        ("gaps", {"gap_samples": np.empty((0, 2))}, "at least one sample"),
    ],
)
def test_bad_uncertainty_samples_are_refused(
    problem_kind: str, samples: dict[str, object], message: str
) -> None:
    problem = make_knapsack() if problem_kind == "knapsack" else make_gap_problem()
    with pytest.raises(ValueError, match=message):
        robust_portfolio(problem, **samples)  # type: ignore[arg-type]


@st.composite
def small_problems(draw: st.DrawFn) -> dict[str, object]:
    # Gaps and weights start at 1 so most instances have something worth funding; zero
    # gaps and empty budgets are covered by the hand-written tests above.
    n_interventions = draw(st.integers(min_value=1, max_value=7))
    n_indicators = draw(st.integers(min_value=1, max_value=3))
    indices = st.integers(min_value=0, max_value=n_interventions - 1)
    pairs = st.tuples(indices, indices).filter(lambda pair: pair[0] != pair[1])
    arguments: dict[str, object] = {
        "costs": draw(
            st.lists(st.integers(1, 9), min_size=n_interventions, max_size=n_interventions)
        ),
        "budget": draw(st.integers(0, 25)),
        "improvements": draw(
            st.lists(
                st.lists(
                    st.sampled_from([0, 1, 2, 3, 5]), min_size=n_indicators, max_size=n_indicators
                ),
                min_size=n_interventions,
                max_size=n_interventions,
            )
        ),
        "gaps": draw(st.lists(st.integers(1, 6), min_size=n_indicators, max_size=n_indicators)),
        "indicator_weights": draw(
            st.lists(st.integers(1, 3), min_size=n_indicators, max_size=n_indicators)
        ),
        "benefit_model": draw(st.sampled_from(["capped", "additive"])),
        "durations": draw(
            st.lists(st.integers(1, 6), min_size=n_interventions, max_size=n_interventions)
        ),
        "horizon": draw(st.sampled_from([None, None, 3, 5])),
        "duration_capacity": draw(st.sampled_from([None, None, 4, 10])),
        "prerequisites": draw(st.lists(pairs, max_size=2)) if n_interventions > 1 else [],
        "exclusion_groups": draw(st.lists(pairs, max_size=2)) if n_interventions > 1 else [],
    }
    pillars = draw(
        st.lists(st.sampled_from(["P", "Q"]), min_size=n_indicators, max_size=n_indicators)
    )
    arguments["indicator_pillars"] = pillars
    if draw(st.booleans()):
        arguments["pillar_minimum_count"] = {pillars[0]: draw(st.integers(0, 2))}
    return arguments


def brute_force_optimum(problem: PortfolioProblem) -> float | None:
    best = None
    for size in range(problem.n_interventions + 1):
        for subset in itertools.combinations(range(problem.n_interventions), size):
            if not check_portfolio(problem, subset):
                gain = portfolio_gain(problem, subset)
                best = gain if best is None else max(best, gain)
    return best


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arguments=small_problems())
def test_optimum_matches_exhaustive_search_on_small_catalogues(arguments) -> None:
    problem = build_portfolio_problem(**arguments)
    result = optimise_portfolio(problem)
    best = brute_force_optimum(problem)
    if best is None:
        assert result.status == "infeasible"
        assert "pillar minimums" in result.binding_constraints
        assert result.message.startswith("No feasible portfolio")
    else:
        assert result.feasible
        assert result.expected_gain == pytest.approx(best, abs=1e-6)
        assert check_portfolio(problem, result.selected) == ()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arguments=small_problems())
def test_optimum_respects_the_budget_and_is_never_below_a_feasible_greedy(arguments) -> None:
    result = optimise_portfolio(build_portfolio_problem(**arguments))
    assume(result.feasible)
    assert result.total_cost <= arguments["budget"] + 1e-9
    assert result.greedy is not None
    if result.greedy.feasible:
        assert result.expected_gain >= result.greedy.expected_gain - 1e-9
        assert 0 <= result.greedy.optimality_gap <= 1


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arguments=small_problems(), extra=st.integers(1, 20))
def test_adding_budget_never_lowers_the_optimum(arguments, extra) -> None:
    # The gain alone is compared, so the second "cheapest" stage is not needed here.
    before = optimise_portfolio(
        build_portfolio_problem(**arguments), compare_greedy=False, prefer_cheaper=False
    )
    assume(before.feasible)
    richer = dict(arguments, budget=arguments["budget"] + extra)
    after = optimise_portfolio(
        build_portfolio_problem(**richer), compare_greedy=False, prefer_cheaper=False
    )
    assert after.feasible
    assert after.expected_gain >= before.expected_gain - 1e-9


def test_among_portfolios_with_the_optimal_gain_the_cheapest_is_returned() -> None:
    # Either course closes the whole gap of 4; the cheaper one must be recommended.
    problem = build_portfolio_problem(
        [5.0, 1.0, 3.0], 10, improvements=[[4.0], [4.0], [2.0]], gaps=[4.0]
    )
    result = optimise_portfolio(problem)
    assert result.selected == (1,)
    assert result.total_cost == pytest.approx(1.0)
    assert optimise_portfolio(problem, prefer_cheaper=False).expected_gain == pytest.approx(4.0)


def seeded_gap_case(seed: int) -> tuple[dict[str, object], np.ndarray]:
    """Four indicators, three with wide gaps (about 50 points) and one nearly closed (5 ± 3).

    With a budget of 9, A and B (10 points each, cost 4) are always funded; the last unit of
    budget goes to K (3 points on the nearly closed indicator) when its sampled gap is above 2,
    otherwise to D (2 more points on A's indicator). The samples in which K closes its full 3
    points are certified by the envelope; the others are solved, and give D: fractional
    frequencies for K and D.
    """
    rng = np.random.default_rng(seed)
    arguments: dict[str, object] = {
        "costs": [4.0, 4.0, 4.0, 1.0, 1.0],
        "budget": 9.0,
        "improvements": [
            [0.0, 10.0, 0.0, 0.0],  # A
            [0.0, 0.0, 10.0, 0.0],  # B
            [0.0, 0.0, 0.0, 8.0],  # C
            [3.0, 0.0, 0.0, 0.0],  # K
            [0.0, 2.0, 0.0, 0.0],  # D
        ],
        "gaps": [5.0, 50.0, 50.0, 50.0],
        "indicator_weights": [1.0, 1.0, 1.0, 1.0],
        "intervention_codes": ["A", "B", "C", "K", "D"],
    }
    samples = np.array(arguments["gaps"]) + rng.normal(0.0, 3.0, (40, 4))
    return arguments, samples


def one_by_one(arguments: dict[str, object], samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Selection frequencies and gains from solving each sample as its own problem."""
    chosen, gains = [], []
    for row in np.clip(samples, 0.0, None):
        result = optimise_portfolio(
            build_portfolio_problem(**(arguments | {"gaps": row.tolist()})), compare_greedy=False
        )
        mask = np.zeros(len(arguments["costs"]))  # type: ignore[arg-type]
        mask[list(result.selected)] = 1.0
        chosen.append(mask)
        gains.append(result.expected_gain)
    return np.mean(chosen, axis=0), np.array(gains)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_robust_frequencies_are_those_of_solving_every_sample_with_fewer_solves(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The envelope's certificate (portfolio._envelope_certifies) replaces most sample solves;
    # the figures must stay those of solving each sample on its own.
    import scoring.engine.portfolio as module

    arguments, samples = seeded_gap_case(seed)
    expected_frequency, expected_gains = one_by_one(arguments, samples)
    solves = []
    real_solve = module._solve_best
    monkeypatch.setattr(
        module, "_solve_best", lambda *a, **k: solves.append(1) or real_solve(*a, **k)
    )
    robust = robust_portfolio(build_portfolio_problem(**arguments), gap_samples=samples)
    assert ((expected_frequency > 0) & (expected_frequency < 1)).any()  # a telling case
    assert_allclose(robust.selection_frequency, expected_frequency, rtol=0, atol=1e-12)
    assert_allclose(robust.sample_gains, expected_gains, rtol=1e-9)
    assert robust.n_solved == 40
    assert len(solves) < 1 + 1 + 40  # nominal, envelope, and not every sample


def lexicographic_optimum(problem: PortfolioProblem) -> tuple[float, float]:
    """The largest gain, and the lowest cost among portfolios of that gain (by enumeration)."""
    best: tuple[float, float] | None = None
    for size in range(problem.n_interventions + 1):
        for subset in itertools.combinations(range(problem.n_interventions), size):
            if check_portfolio(problem, subset):
                continue
            gain, cost = portfolio_gain(problem, subset), float(problem.costs[list(subset)].sum())
            if (
                best is None
                or gain > best[0] + 1e-9
                or (abs(gain - best[0]) <= 1e-9 and cost < best[1])
            ):
                best = (gain, cost)
    assert best is not None
    return best


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    arguments=small_problems(),
    samples=st.lists(st.lists(st.integers(0, 7), min_size=3, max_size=3), min_size=2, max_size=4),
)
def test_a_certified_envelope_portfolio_is_the_samples_exhaustive_optimum(
    arguments: dict[str, object], samples: list[list[int]]
) -> None:
    import scoring.engine.portfolio as module

    arguments = arguments | {"benefit_model": "capped", "pillar_minimum_count": {}}
    width = len(arguments["gaps"])  # type: ignore[arg-type]
    rows = np.array([row[:width] for row in samples], dtype=float)
    problem = build_portfolio_problem(**arguments)
    envelope = module._envelope_solution(
        module._Model(problem), rows, time_limit=None, mip_relative_gap=1e-9, prefer_cheaper=True
    )
    assert envelope is not None
    for row in rows:
        if not module._envelope_certifies(problem, envelope, row):
            continue
        sample = build_portfolio_problem(**(arguments | {"gaps": row.tolist()}))
        gain, cost = lexicographic_optimum(sample)
        assert portfolio_gain(sample, np.flatnonzero(envelope.selected)) == pytest.approx(
            gain, abs=1e-9
        )
        assert float(sample.costs[envelope.selected].sum()) == pytest.approx(cost, abs=1e-9)

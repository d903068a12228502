"""Tests for gap priority scoring (weighted sum and TOPSIS)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose, assert_array_equal

from scoring.engine.priority import (
    GAP_CRITERIA,
    gap_priority,
    normalise_decision_matrix,
    priority_scores,
    validate_criteria_weights,
)

TOPSIS_MATRIX = [[4, 4], [1, 5], [3, 2], [4, 2]]


def test_topsis_reproduces_the_published_reference_closeness() -> None:
    # Reference vector from the project domain notes (TOPSIS, Hwang and Yoon 1981,
    # vector normalisation, criteria [benefit, cost], equal weights).
    result = priority_scores(TOPSIS_MATRIX, [0.5, 0.5], ["benefit", "cost"], method="topsis")
    assert_allclose(result.scores, [0.629, 0.0, 0.774, 1.0], atol=5e-4)
    assert_array_equal(result.ranks, [3, 4, 2, 1])
    assert_array_equal(result.order, [3, 2, 0, 1])
    assert result.normalisation == "vector"


def test_topsis_separations_match_a_hand_computation() -> None:
    # Column norms sqrt(42) and 7; weighted values v = 0.5 * x / norm.
    weighted = 0.5 * np.array(TOPSIS_MATRIX) / np.array([np.sqrt(42), 7.0])
    ideal = np.array([weighted[:, 0].max(), weighted[:, 1].min()])
    anti_ideal = np.array([weighted[:, 0].min(), weighted[:, 1].max()])
    result = priority_scores(TOPSIS_MATRIX, [1, 1], ["benefit", "cost"])
    assert_allclose(result.distance_to_ideal, np.linalg.norm(weighted - ideal, axis=1))
    assert_allclose(result.distance_to_anti_ideal, np.linalg.norm(weighted - anti_ideal, axis=1))


def test_topsis_contributions_sum_to_the_closeness_and_follow_anti_ideal_separation() -> None:
    result = priority_scores(TOPSIS_MATRIX, [0.5, 0.5], ["benefit", "cost"])
    assert_allclose(result.contributions.sum(axis=1), result.scores)
    # Alternative 3 = (4, 2) is best on both criteria: separations from the anti-ideal are
    # 0.5*(3/sqrt(42)) and 0.5*(3/7); credit is split by their squares.
    separations = np.array([3 / np.sqrt(42), 3 / 7]) ** 2
    assert_allclose(result.contributions[3], separations / separations.sum())


def test_topsis_rejects_min_max_normalisation() -> None:
    with pytest.raises(ValueError, match="vector normalisation"):
        priority_scores(TOPSIS_MATRIX, method="topsis", normalisation="min_max")


def test_weighted_sum_with_min_max_matches_a_hand_computation() -> None:
    # Column 0 (benefit): min 1, max 4 -> [1, 0, 2/3, 1]; column 1 (cost): min 2, max 5
    # -> [1/3, 0, 1, 1]. Weights 0.75 / 0.25.
    result = priority_scores(TOPSIS_MATRIX, [3, 1], ["benefit", "cost"], method="weighted_sum")
    expected_contributions = np.array([[0.75, 0.25 / 3], [0.0, 0.0], [0.5, 0.25], [0.75, 0.25]])
    assert_allclose(result.contributions, expected_contributions)
    assert_allclose(result.scores, expected_contributions.sum(axis=1))
    assert_array_equal(result.ranks, [2, 4, 3, 1])
    assert_allclose(result.weights, [0.75, 0.25])
    assert result.distance_to_ideal is None


def test_weighted_sum_with_vector_normalisation_uses_one_minus_share_for_costs() -> None:
    result = priority_scores(
        TOPSIS_MATRIX,
        [1, 1],
        ["benefit", "cost"],
        method="weighted_sum",
        normalisation="vector",
    )
    benefit = np.array([4, 1, 3, 4]) / np.sqrt(42)
    cost = 1 - np.array([4, 5, 2, 2]) / 7
    assert_allclose(result.scores, 0.5 * benefit + 0.5 * cost)
    assert result.normalisation == "vector"


def test_min_max_normalisation_turns_a_constant_column_into_zeros() -> None:
    normalised = normalise_decision_matrix([[3, 1], [3, 2]], ["benefit", "benefit"])
    assert_array_equal(normalised, [[0, 0], [0, 1]])


def test_vector_normalisation_turns_an_all_zero_column_into_zeros() -> None:
    normalised = normalise_decision_matrix([[0, 3], [0, 4]], ["cost", "benefit"], "vector")
    assert_allclose(normalised, [[0, 0.6], [0, 0.8]])


def test_equal_scores_keep_the_input_order_in_the_ranking() -> None:
    result = priority_scores(
        [[1, 2], [2, 1], [2, 1], [1, 2]], method="weighted_sum", criteria=["a", "b"]
    )
    assert_allclose(result.scores, [0.5, 0.5, 0.5, 0.5])
    assert_array_equal(result.ranks, [1, 2, 3, 4])


def test_identical_alternatives_get_a_neutral_topsis_closeness() -> None:
    result = priority_scores([[2, 3], [2, 3]])
    assert_allclose(result.scores, [0.5, 0.5])
    assert_array_equal(result.ranks, [1, 2])


def test_gap_priority_names_the_four_criteria_and_ranks_bigger_more_important_gaps_first() -> None:
    result = gap_priority(
        gap_size=[40, 10, 25],
        importance=[0.4, 0.1, 0.2],
        urgency=[3, 1, 2],
        feasibility=[2, 1, 3],
        method="weighted_sum",
    )
    assert result.criteria == GAP_CRITERIA
    assert result.directions == ("benefit",) * 4
    # Gap 0 is best on three criteria, gap 1 worst on all four.
    assert_array_equal(result.order, [0, 2, 1])
    assert_allclose(result.scores[1], 0.0)


def test_planner_weights_change_the_gap_ranking() -> None:
    gaps = [40, 10]
    importance = [0.1, 0.5]
    by_size = gap_priority(gaps, importance, weights=[1, 0, 0, 0])
    by_importance = gap_priority(gaps, importance, weights=[0, 1, 0, 0])
    assert_array_equal(by_size.order, [0, 1])
    assert_array_equal(by_importance.order, [1, 0])


def test_missing_urgency_and_feasibility_do_not_affect_the_weighted_sum_ranking() -> None:
    without = gap_priority([5, 9, 1], [0.3, 0.1, 0.6], method="weighted_sum")
    two_criteria = priority_scores([[5, 0.3], [9, 0.1], [1, 0.6]], method="weighted_sum")
    assert_array_equal(without.order, two_criteria.order)


def test_result_arrays_are_read_only() -> None:
    result = priority_scores(TOPSIS_MATRIX)
    with pytest.raises(ValueError, match="read-only"):
        result.scores[0] = 1.0


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ([1, -1], "non-negative"),
        ([0, 0], "greater than zero"),
        ([1, np.nan], "finite"),
        ([1, 1, 1], "expected 2 weights"),
    ],
)
def test_invalid_criteria_weights_are_refused(weights: list[float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_criteria_weights(weights, 2)
    with pytest.raises(ValueError, match=message):
        priority_scores(TOPSIS_MATRIX, weights)


@pytest.mark.parametrize(
    ("matrix", "directions", "message"),
    [
        ([[1, 2], [3, np.inf]], None, "finite"),
        ([1, 2, 3], None, "2-D"),
        (np.empty((0, 2)), None, "at least one alternative"),
        ([[1, 2]], ["benefit"], "expected 2 directions"),
        ([[1, 2]], ["benefit", "up"], "'benefit' or 'cost'"),
        ([[1, -2], [3, 4]], None, "non-negative"),
    ],
)
def test_invalid_decision_matrices_are_refused(
    matrix: object, directions: list[str] | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        priority_scores(matrix, directions=directions)


def test_unknown_method_and_normalisation_are_refused() -> None:
    with pytest.raises(ValueError, match="priority method"):
        priority_scores(TOPSIS_MATRIX, method="electre")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="normalisation must be"):
        priority_scores(TOPSIS_MATRIX, method="weighted_sum", normalisation="z")  # type: ignore[arg-type]


def test_gap_priority_refuses_mismatched_and_negative_vectors() -> None:
    with pytest.raises(ValueError, match="importance: expected 2 values"):
        gap_priority([1, 2], [0.5])
    with pytest.raises(ValueError, match="urgency: values must be non-negative"):
        gap_priority([1, 2], [0.5, 0.5], urgency=[1, -1])
    with pytest.raises(ValueError, match="gap_size: expected a non-empty"):
        gap_priority([], [])


decision_matrices = st.integers(min_value=1, max_value=8).flatmap(
    lambda n_rows: st.integers(min_value=1, max_value=4).flatmap(
        lambda n_columns: st.tuples(
            arrays(
                float,
                (n_rows, n_columns),
                elements=st.floats(min_value=0, max_value=100, allow_nan=False),
            ),
            arrays(float, (n_columns,), elements=st.floats(min_value=0.01, max_value=10)),
            st.lists(st.sampled_from(["benefit", "cost"]), min_size=n_columns, max_size=n_columns),
            st.permutations(list(range(n_rows))),
        )
    )
)
methods = st.sampled_from(
    [("topsis", None), ("weighted_sum", "min_max"), ("weighted_sum", "vector")]
)


@pytest.mark.parametrize("value", [1e-160, 1e-300, 5e-324, 1e150, 1.0])
def test_vector_normalisation_of_one_gap_is_exactly_one_however_small_the_value(value) -> None:
    # Hypothesis found 1.0000245 for a single gap of ~1e-160: its square underflowed.
    benefit = normalise_decision_matrix([[value]], ["benefit"], normalisation="vector")
    cost = normalise_decision_matrix([[value]], ["cost"], normalisation="vector")
    assert benefit.tolist() == [[1.0]] and cost.tolist() == [[0.0]]


@settings(max_examples=150, deadline=None)
@given(case=decision_matrices, method=methods)
def test_scores_stay_in_unit_interval_and_contributions_add_up(case, method) -> None:
    matrix, weights, directions, _ = case
    result = priority_scores(matrix, weights, directions, method=method[0], normalisation=method[1])
    assert np.all(result.scores >= -1e-12)
    assert np.all(result.scores <= 1 + 1e-12)
    assert_allclose(result.contributions.sum(axis=1), result.scores, atol=1e-12)
    assert sorted(result.ranks.tolist()) == list(range(1, len(matrix) + 1))


@settings(max_examples=150, deadline=None)
@given(case=decision_matrices, method=methods)
def test_scores_do_not_depend_on_the_order_of_the_gaps(case, method) -> None:
    matrix, weights, directions, permutation = case
    original = priority_scores(
        matrix, weights, directions, method=method[0], normalisation=method[1]
    )
    permuted = priority_scores(
        matrix[permutation], weights, directions, method=method[0], normalisation=method[1]
    )
    assert_allclose(permuted.scores, original.scores[permutation], atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(case=decision_matrices, scale=st.floats(min_value=0.01, max_value=1000))
def test_topsis_is_unchanged_when_a_criterion_changes_its_unit(case, scale) -> None:
    matrix, weights, directions, _ = case
    rescaled = matrix.copy()
    rescaled[:, 0] *= scale
    original = priority_scores(matrix, weights, directions)
    assert_allclose(
        priority_scores(rescaled, weights, directions).scores, original.scores, atol=1e-9
    )


@settings(max_examples=150, deadline=None)
@given(case=decision_matrices, increase=st.floats(min_value=0.1, max_value=50))
def test_improving_a_benefit_criterion_never_lowers_a_gaps_weighted_sum_score(
    case, increase
) -> None:
    matrix, weights, _, _ = case
    directions = ["benefit"] * matrix.shape[1]
    before = priority_scores(matrix, weights, directions, method="weighted_sum")
    improved = matrix.copy()
    improved[0, 0] += increase
    after = priority_scores(improved, weights, directions, method="weighted_sum")
    assert after.scores[0] >= before.scores[0] - 1e-12


def test_topsis_treats_values_equal_up_to_rounding_as_a_tie_in_any_unit() -> None:
    # Two alternatives one unit in the last place apart: after vector normalisation they are
    # equal or not depending on rounding: a change of unit (x 0.3) used to flip the full
    # ranking (0, 1) into a tie (0.5, 0.5).
    value = 3.7
    matrix = np.array([[value, 1.0], [np.nextafter(value, 10.0), 1.0]])
    rescaled = matrix * np.array([0.3, 1.0])
    for candidate in (matrix, rescaled):
        scores = priority_scores(candidate, [0.5, 0.5], ["benefit", "benefit"]).scores
        assert_allclose(scores, [0.5, 0.5])

"""Weights: explicit, equal, AHP (reference vector from DOMAIN.md) and PCA."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from scoring.engine import (
    SAATY_RANDOM_INDEX,
    ahp_weights,
    equal_weights,
    explicit_weights,
    pca_weights,
)

# Saaty's drink-consumption matrix: coffee, wine, tea, beer, soda, milk, water.
DRINKS = [
    [1, 9, 5, 2, 1, 1, 1 / 2],
    [1 / 9, 1, 1 / 3, 1 / 9, 1 / 9, 1 / 9, 1 / 9],
    [1 / 5, 3, 1, 1 / 3, 1 / 4, 1 / 3, 1 / 9],
    [1 / 2, 9, 3, 1, 1 / 2, 1, 1 / 3],
    [1, 9, 4, 2, 1, 2, 1 / 2],
    [1, 9, 3, 1, 1 / 2, 1, 1 / 3],
    [2, 9, 9, 3, 2, 3, 1],
]


def test_ahp_eigenvector_reproduces_saatys_drink_consumption_weights() -> None:
    result = ahp_weights(DRINKS)
    assert_allclose(result.weights, [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327], atol=6e-4)
    assert result.lambda_max == pytest.approx(7.177, abs=6e-4)
    assert result.random_index == 1.32
    assert result.consistency_ratio == pytest.approx(0.022, abs=6e-4)
    assert not result.inconsistent
    assert result.warning is None


def test_ahp_row_geometric_mean_is_close_to_the_eigenvector_for_a_consistent_matrix() -> None:
    result = ahp_weights(DRINKS, method="geometric_mean")
    assert result.method == "geometric_mean"
    assert_allclose(result.weights.sum(), 1.0)
    assert_allclose(result.weights, result.eigenvector_weights, atol=0.01)


def test_ahp_weights_of_a_perfectly_consistent_matrix_are_exact() -> None:
    priorities = np.array([0.5, 0.3, 0.2])
    matrix = priorities[:, None] / priorities[None, :]
    result = ahp_weights(matrix)
    assert_allclose(result.weights, priorities)
    assert_allclose(result.geometric_mean_weights, priorities)
    assert result.consistency_ratio == pytest.approx(0.0, abs=1e-12)


def test_an_inconsistent_matrix_is_reported_as_a_warning_not_an_exception() -> None:
    # a > b (5), b > c (5) but c > a (5): intransitive.
    result = ahp_weights([[1, 5, 1 / 5], [1 / 5, 1, 5], [5, 1 / 5, 1]])
    assert result.consistency_ratio > 0.1
    assert result.inconsistent
    assert "consistency ratio" in result.warning


def test_a_non_reciprocal_matrix_is_rejected_naming_the_entry() -> None:
    with pytest.raises(ValueError, match=r"not reciprocal: a\[0\]\[1\] = 3"):
        ahp_weights([[1, 3, 1], [1, 1, 1], [1, 1, 1]])


def test_typed_in_thirds_are_accepted_as_reciprocal() -> None:
    assert ahp_weights([[1, 3], [0.333, 1]]).weights[0] == pytest.approx(0.75, abs=1e-3)


def test_the_random_index_table_is_a_parameter() -> None:
    table = dict(SAATY_RANDOM_INDEX)
    table[7] = 1.35  # another published table (e.g. Alonso & Lamata give ~1.34–1.35)
    result = ahp_weights(DRINKS, random_index=table)
    assert result.consistency_ratio == pytest.approx(result.consistency_index / 1.35)
    with pytest.raises(ValueError, match="no random index for a 7 × 7 matrix"):
        ahp_weights(DRINKS, random_index={3: 0.58})


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        ([[1, 2, 3]], "must be square"),
        ([[1, -2], [-0.5, 1]], "positive finite"),
        ([[2, 2], [0.5, 2]], "diagonal"),
    ],
)
def test_malformed_pairwise_matrices_are_rejected(matrix: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ahp_weights(matrix)


def test_explicit_weights_are_normalised() -> None:
    assert_allclose(explicit_weights([2, 3, 5]), [0.2, 0.3, 0.5])


@pytest.mark.parametrize(
    ("weights", "message"),
    [([1, -1], "non-negative"), ([0, 0], "all zero"), ([1, np.nan], "finite"), ([], "non-empty")],
)
def test_bad_explicit_weights_raise(weights: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        explicit_weights(weights)


def test_equal_weights_sum_to_one() -> None:
    assert_allclose(equal_weights(3), [1 / 3] * 3)
    with pytest.raises(ValueError):
        equal_weights(0)


def test_pca_weights_follow_the_handbook_recipe_on_two_independent_blocks() -> None:
    rng = np.random.default_rng(11)
    first, second = rng.normal(size=(2, 300))
    data = np.column_stack([first, first, first, second]) + 0.05 * rng.normal(size=(300, 4))
    result = pca_weights(data)
    # Three near-identical indicators share the first component (eigenvalue ≈ 3) and one factor.
    assert result.eigenvalues[0] == pytest.approx(3.0, abs=0.05)
    assert result.assigned_factor[0] == result.assigned_factor[1] == result.assigned_factor[2]
    assert_allclose(result.weights.sum(), 1.0)
    assert (result.weights > 0).all()


def test_pca_weights_reject_too_few_complete_units_and_constant_indicators() -> None:
    with pytest.raises(ValueError, match="at least 3 units"):
        pca_weights([[1, 2], [2, 3], [np.nan, 1]])
    with pytest.raises(ValueError, match="does not vary"):
        pca_weights([[1, 2], [1, 3], [1, 5]])

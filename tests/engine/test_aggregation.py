"""Aggregation known answers (OECD–JRC Handbook 2008, §6.2) and batched evaluation."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from scoring.engine import (
    LevelStructure,
    aggregate_children,
    aggregate_tree,
    local_derivatives,
    weighted_mean,
)
from tests.engine.factory import make_config


def test_weighted_means_of_a_known_pair() -> None:
    # weights 1 and 3 on (10, 90): arithmetic (10 + 270) / 4 = 70;
    # geometric 10^¼ · 90^¾; harmonic 4 / (1/10 + 3/90); power 2: sqrt((100 + 3·8100) / 4)
    scores, weights = [10.0, 90.0], [1.0, 3.0]
    assert weighted_mean(scores, weights) == pytest.approx(70.0)
    assert weighted_mean(scores, weights, method="geometric") == pytest.approx(10**0.25 * 90**0.75)
    assert weighted_mean(scores, weights, method="harmonic") == pytest.approx(4 / (0.1 + 3 / 90))
    assert weighted_mean(scores, weights, method="power", power=2) == pytest.approx(
        np.sqrt((100 + 3 * 8100) / 4)
    )


def test_means_are_ordered_harmonic_geometric_arithmetic() -> None:
    scores = [15.0, 40.0, 95.0]
    harmonic = weighted_mean(scores, method="harmonic")
    geometric = weighted_mean(scores, method="geometric")
    arithmetic = weighted_mean(scores)
    assert harmonic < geometric < arithmetic


def test_missing_children_drop_out_and_weights_renormalise() -> None:
    assert weighted_mean([np.nan, 40.0, 80.0], [5.0, 1.0, 1.0]) == pytest.approx(60.0)
    assert np.isnan(weighted_mean([np.nan, np.nan]))


def test_zeros_make_geometric_and_harmonic_means_zero_without_warnings() -> None:
    with np.errstate(all="raise"):
        assert weighted_mean([0.0, 50.0], method="geometric") == 0.0
        assert weighted_mean([0.0, 50.0], method="harmonic") == 0.0
        assert weighted_mean([0.0, 50.0], method="power", power=-2) == 0.0
    # A zero child with zero weight does not count.
    assert weighted_mean([0.0, 50.0], [0.0, 1.0], method="geometric") == pytest.approx(50.0)


def test_weighted_mean_rejects_bad_weights_and_negative_scores_for_geometric() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        weighted_mean([1.0, 2.0], [1.0, -1.0])
    with pytest.raises(ValueError, match="non-negative scores"):
        weighted_mean([-1.0, 2.0], method="geometric")
    with pytest.raises(ValueError, match="use method='geometric'"):
        weighted_mean([1.0, 2.0], method="power", power=0)


def test_mixed_methods_in_one_level_are_each_applied_to_their_own_parents() -> None:
    scores = np.array([[20.0, 80.0, 20.0, 80.0]])
    onehot = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=float)
    result = aggregate_children(scores, np.ones(4), onehot, np.array([1.0, 0.0]))
    assert_allclose(result, [[50.0, 40.0]])


def test_a_batch_of_weight_samples_equals_one_evaluation_per_sample() -> None:
    config = make_config(pillar_aggregation="geometric")
    hierarchy = config.hierarchy
    rng = np.random.default_rng(5)
    item_scores = rng.uniform(1, 100, size=(4, 6))
    samples = rng.uniform(0.5, 2.0, size=(8, 1, 6))
    batched = aggregate_tree(hierarchy, item_scores, weights=[samples, None, None])
    for index in range(samples.shape[0]):
        single = aggregate_tree(hierarchy, item_scores, weights=[samples[index, 0], None, None])
        assert_allclose(batched.overall[index], single.overall)
        assert_allclose(batched.levels[0][index], single.levels[0])


def test_exponent_overrides_switch_the_aggregation_method() -> None:
    hierarchy = make_config().hierarchy
    item_scores = np.array([[60.0, 100.0, 50.0, 50.0, 50.0, 50.0]])
    geometric = aggregate_tree(hierarchy, item_scores, exponents=[None, None, np.array([0.0])])
    assert geometric.overall[0] == pytest.approx(np.sqrt(60.0 * 50.0))


def test_local_derivatives_of_a_harmonic_mean_match_the_formula() -> None:
    step = LevelStructure.from_parents("p", ("P",), [0, 0], [1.0, 1.0], exponents=[-1.0])
    children = np.array([[20.0, 80.0]])
    parent = aggregate_children(children, step.child_weights, step.onehot, step.exponents)
    # H = 32; ∂H/∂x₁ = ½ · (32 / 20)² = 1.28
    assert_allclose(local_derivatives(children, parent, step.child_weights, step), [[1.28, 0.08]])


def test_a_level_structure_rejects_parents_out_of_range() -> None:
    with pytest.raises(ValueError, match="parent_index must lie"):
        LevelStructure.from_parents("p", ("P",), [0, 1], [1.0, 1.0])

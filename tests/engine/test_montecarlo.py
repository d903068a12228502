"""Tests for the array kernels behind the Monte Carlo uncertainty analysis."""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from scoring.engine import _montecarlo
from scoring.engine.hierarchy import LevelStructure
from scoring.engine.uncertainty import (
    DirichletWeights,
    _draw_choices,
    _evaluate,
    _mean_absolute_rank_shift,
    _prepare,
    _ranks,
)
from tests.engine.test_uncertainty import ALL_INPUTS, make_three_level_case

QUANTILES = (0.5, 0.05, 0.95)


def scores_with_gaps(rng: np.random.Generator, rows: int, samples: int) -> np.ndarray:
    """Scores on 0-100 with repeated values, NaN here and there, one row all NaN."""
    values = np.round(rng.uniform(0, 100, (rows, samples)), 1)
    values[rng.random((rows, samples)) < 0.05] = np.nan
    values[0] = np.nan
    values[1, :-1] = np.nan  # a single value left
    return values


def test_row_quantiles_are_exactly_numpys_nanquantile() -> None:
    rng = np.random.default_rng(3)
    values = scores_with_gaps(rng, rows=40, samples=501)
    values[2:10] = rng.uniform(0, 100, (8, 501))  # some rows without NaN
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the all-NaN row
        expected = np.nanquantile(values, QUANTILES, axis=-1)
    assert_array_equal(_montecarlo.row_quantiles(values, QUANTILES), expected)


@settings(max_examples=40, deadline=None)
@given(
    samples=st.integers(2, 60),
    low=st.floats(0.0, 0.5),
    high=st.floats(0.5, 1.0),
    seed=st.integers(0, 2**16),
)
def test_row_quantiles_match_nanquantile_for_any_levels(
    samples: int, low: float, high: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    values = rng.uniform(0, 100, (5, samples))
    values[3, rng.random(samples) < 0.5] = np.nan
    levels = (0.5, low, high)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = np.nanquantile(values, levels, axis=-1)
    assert_array_equal(_montecarlo.row_quantiles(values, levels), expected)


@settings(max_examples=60, deadline=None)
@given(
    samples=st.integers(1, 80),
    negative=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_row_quantiles_are_exact_with_signed_zeros_nans_of_either_sign_and_negatives(
    samples: int, negative: bool, seed: int
) -> None:
    # Scores are partitioned through their int64 bit patterns: -0.0, NaN with the sign bit
    # set (what 0/0 gives on x86) and ties must not change any quantile, and a negative value
    # must send the whole array back to the float order.
    rng = np.random.default_rng(seed)
    values = np.round(rng.uniform(-50 if negative else 0, 100, (6, samples)), 0)
    values[rng.random(values.shape) < 0.15] = -0.0
    values[rng.random(values.shape) < 0.15] = 0.0
    values[1, rng.random(samples) < 0.3] = np.copysign(np.nan, -1.0)
    values[2, rng.random(samples) < 0.3] = np.nan
    levels = (0.5, 0.05, 0.95)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = np.nanquantile(values, levels, axis=-1)
    assert_array_equal(_montecarlo.row_quantiles(values, levels), expected)
    assert_array_equal(_montecarlo.row_quantiles(values.copy(), levels, overwrite=True), expected)


def test_row_quantiles_of_no_rows_are_empty() -> None:
    result = _montecarlo.row_quantiles(np.empty((0, 50)), QUANTILES, overwrite=True)
    assert result.shape == (3, 0)


def test_rank_quantiles_from_counts_equal_nanquantile_of_the_ranks() -> None:
    rng = np.random.default_rng(5)
    overall = np.round(rng.uniform(0, 100, (997, 30)))  # many ties
    overall[rng.random(overall.shape) < 0.1] = np.nan
    overall[:, 4] = np.nan  # a unit never ranked
    ranks = _ranks(overall)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = np.nanquantile(ranks, QUANTILES, axis=0)
    assert_array_equal(_montecarlo.rank_quantiles(ranks, QUANTILES), expected)


def test_pairwise_counts_equal_a_comparison_of_every_pair_in_every_sample() -> None:
    rng = np.random.default_rng(8)
    overall = np.round(rng.uniform(0, 10, (600, 12)))
    overall[rng.random(overall.shape) < 0.1] = np.nan
    ranks = _ranks(overall)
    codes = np.where(np.isnan(ranks), np.inf, ranks)
    expected = (codes[:, :, None] < codes[:, None, :]).sum(axis=0)
    assert_array_equal(_montecarlo.pairwise_above_counts(ranks), expected)


def test_mean_absolute_rank_shift_is_nanmean_of_the_rank_differences() -> None:
    rng = np.random.default_rng(4)
    overall = np.round(rng.uniform(0, 10, (300, 15)))
    overall[rng.random(overall.shape) < 0.05] = np.nan
    overall[7] = np.nan  # a sample without any ranked unit
    ranks = _ranks(overall)
    nominal = _ranks(np.round(rng.uniform(0, 10, (1, 15))))[0]
    nominal[3] = np.nan  # a unit unranked in the nominal scores
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = np.nanmean(np.abs(ranks - nominal), axis=1)
    shift = _mean_absolute_rank_shift(ranks, nominal)
    assert np.isnan(shift[7])
    assert_allclose(shift, expected, rtol=1e-15, equal_nan=True)


def test_child_by_child_sums_equal_the_membership_product() -> None:
    structure = LevelStructure.from_parents("pillar", ("A", "B", "C"), [2, 0, 2, 1, 0], [1.0] * 5)
    plan = _montecarlo.StepPlan.from_structure(structure)
    rng = np.random.default_rng(1)
    children = rng.random((5, 4, 6))
    weights = rng.random((5, 1, 6))
    expected = np.einsum("cus,cp->pus", children * weights, structure.onehot)
    assert_allclose(plan.weighted_sum(children, weights), expected, rtol=1e-15)
    mask = children > 0.8
    assert_array_equal(
        plan.any_children(mask), np.einsum("cus,cp->pus", mask, structure.onehot) > 0
    )


def test_small_blocks_and_two_workers_give_the_same_scores_as_one_block(monkeypatch) -> None:
    config, values, status, groups = make_three_level_case(units=12)
    inputs = ALL_INPUTS | {"weights:pillar": DirichletWeights(5)}
    rng = np.random.default_rng(2)
    problem = _prepare(
        config, values, status, inputs=inputs, groups=groups, n_weight_sets=30, rng=rng
    )
    choices = _draw_choices(problem, 400, rng)
    overall, pillars = _evaluate(problem, choices)
    monkeypatch.setattr(_montecarlo, "BLOCK_BYTES", 4096)
    monkeypatch.setattr(_montecarlo.parallel_map, "__defaults__", (2,))
    small_overall, small_pillars = _evaluate(problem, choices)
    # Products over other block sizes may round differently in the last bit, nothing more.
    assert_allclose(small_overall, overall, rtol=0, atol=1e-12, equal_nan=True)
    assert_allclose(small_pillars, pillars, rtol=0, atol=1e-12, equal_nan=True)


def test_parallel_map_keeps_the_order_of_its_items() -> None:
    assert _montecarlo.parallel_map(lambda x: x * x, list(range(7)), workers=2) == [
        x * x for x in range(7)
    ]

"""Invariants of :func:`scoring.engine.score`, checked with hypothesis.

All settings here are monotone: level tables increase with the level, goalposts and points are
per-item (no normalisation against other units), weights are fixed.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from scoring.engine import ANSWERED, DONT_KNOW, MISSING, NOT_APPLICABLE, score
from tests.engine.factory import make_config

# Raw value ranges per item (q1 level 0–5, q2 level 0–2, s1, s2 ≥ 0, s3 price, m1 points).
LEVEL_COLUMNS = {0: 5, 1: 2}
AGGREGATIONS = st.sampled_from(["arithmetic", "geometric", "harmonic"])


@st.composite
def unit_inputs(draw: st.DrawFn, units: int = 4) -> tuple[np.ndarray, np.ndarray]:
    values = np.empty((units, 6))
    for column in range(6):
        if column in LEVEL_COLUMNS:
            values[:, column] = draw(
                st.lists(st.integers(0, LEVEL_COLUMNS[column]), min_size=units, max_size=units)
            )
        else:
            values[:, column] = draw(
                st.lists(st.floats(0, 200, allow_nan=False), min_size=units, max_size=units)
            )
    codes = st.sampled_from([ANSWERED, ANSWERED, ANSWERED, DONT_KNOW, NOT_APPLICABLE, MISSING])
    status = np.array(draw(st.lists(codes, min_size=units * 6, max_size=units * 6))).reshape(
        units, 6
    )
    return values, status


def _comparable(array: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(array), -1.0, array)


@settings(max_examples=60, deadline=None)
@given(unit_inputs(), AGGREGATIONS, st.sampled_from(["exclude", "lowest"]))
def test_every_score_stays_within_zero_and_one_hundred(
    inputs: tuple[np.ndarray, np.ndarray], aggregation: str, rule: str
) -> None:
    values, status = inputs
    config = make_config(
        pillar_aggregation=aggregation, indicator_aggregation=aggregation, dont_know_rule=rule
    )
    result = score(config, values, status)
    for array in (result.item_scores, *[level.scores for level in result.levels], result.overall):
        present = array[~np.isnan(array)]
        assert ((present >= 0) & (present <= 100)).all()


@settings(max_examples=60, deadline=None)
@given(
    unit_inputs(),
    st.sampled_from(["arithmetic", "geometric"]),
    st.integers(0, 3),
    st.integers(0, 5),
    st.floats(0.0, 50.0),
)
def test_a_better_answer_never_lowers_any_score(
    inputs: tuple[np.ndarray, np.ndarray],
    aggregation: str,
    unit: int,
    column: int,
    improvement: float,
) -> None:
    values, status = inputs
    config = make_config(pillar_aggregation=aggregation, indicator_aggregation=aggregation)
    better = values.copy()
    if column in LEVEL_COLUMNS:
        better[unit, column] = min(LEVEL_COLUMNS[column], better[unit, column] + 1)
    elif column == 4:  # s3 is lower-is-better
        better[unit, column] = max(0.0, better[unit, column] - improvement)
    else:
        better[unit, column] += improvement
    before = score(config, values, status)
    after = score(config, better, status)
    pairs = [(before.overall, after.overall)] + [
        (old.scores, new.scores) for old, new in zip(before.levels, after.levels, strict=True)
    ]
    for old, new in pairs:
        assert_array_equal(np.isnan(old), np.isnan(new))
        assert (_comparable(new) >= _comparable(old) - 1e-9).all()


@settings(max_examples=40, deadline=None)
@given(unit_inputs(units=5), st.permutations(range(5)), AGGREGATIONS)
def test_reordering_units_reorders_results_and_changes_no_units_score(
    inputs: tuple[np.ndarray, np.ndarray], order: list[int], aggregation: str
) -> None:
    values, status = inputs
    groups = np.array(["A", "B", "A", "B", "A"])
    config = make_config(pillar_aggregation=aggregation, imputation="mean")
    original = score(config, values, status, groups=groups)
    permuted = score(config, values[order], status[order], groups=groups[order])
    assert_allclose(permuted.overall, original.overall[order], equal_nan=True)
    assert_array_equal(permuted.imputed, original.imputed[order])
    for old, new in zip(original.levels, permuted.levels, strict=True):
        assert_allclose(new.scores, old.scores[order], equal_nan=True)
        assert_allclose(new.coverage, old.coverage[order], equal_nan=True)


@settings(max_examples=60, deadline=None)
@given(unit_inputs(), st.integers(0, 3), st.integers(0, 5))
def test_not_applicable_never_lowers_coverage_and_scores_like_missing(
    inputs: tuple[np.ndarray, np.ndarray], unit: int, column: int
) -> None:
    values, status = inputs
    missing = status.copy()
    missing[unit, column] = MISSING
    not_applicable = status.copy()
    not_applicable[unit, column] = NOT_APPLICABLE
    config = make_config(min_coverage=0.0)  # no pillar is dropped, so scores are comparable
    as_missing = score(config, values, missing)
    as_not_applicable = score(config, values, not_applicable)
    for old, new in zip(as_missing.levels, as_not_applicable.levels, strict=True):
        # NaN coverage means nothing below the node applies: never a shortfall.
        assert (
            np.where(np.isnan(new.coverage), np.inf, new.coverage) >= _comparable(old.coverage)
        ).all()
        assert_allclose(new.scores, old.scores, equal_nan=True)
    # And with the default coverage rule, marking an item N/A never makes a pillar insufficient.
    strict_missing = score(make_config(), values, missing)
    strict_not_applicable = score(make_config(), values, not_applicable)
    assert (strict_not_applicable.pillars.insufficient <= strict_missing.pillars.insufficient).all()


@settings(max_examples=40, deadline=None)
@given(unit_inputs(), st.sampled_from(["arithmetic", "geometric"]))
def test_effective_item_weights_sum_to_one_wherever_there_is_an_overall_score(
    inputs: tuple[np.ndarray, np.ndarray], aggregation: str
) -> None:
    values, status = inputs
    result = score(make_config(pillar_aggregation=aggregation), values, status)
    scored = ~np.isnan(result.overall)
    assert_allclose(result.item_effective_weights[scored].sum(axis=1), 1.0)
    assert (result.item_effective_weights[~scored] == 0).all()
    if aggregation == "arithmetic":
        contributions = np.nan_to_num(result.item_scores) * result.item_effective_weights
        # Scores run 0-100: an absolute tolerance keeps a subnormal product (5e-324 against
        # an overall of 0, found by hypothesis) from failing a sum that is right.
        assert_allclose(contributions.sum(axis=1)[scored], result.overall[scored], atol=1e-9)

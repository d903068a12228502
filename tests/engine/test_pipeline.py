"""Known-answer and behaviour tests of :func:`scoring.engine.score`.

The reference unit of ``factory.make_values()`` is scored by hand below. Goalposts and
ln(x + 1) follow the ITU ICT Development Index 2023 methodology; weighted arithmetic and
geometric aggregation with weights renormalised over present indicators follow the OECD–JRC
Handbook on Constructing Composite Indicators (2008), section 6.2.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from scoring.engine import (
    ANSWERED,
    DONT_KNOW,
    MISSING,
    NOT_APPLICABLE,
    EngineConfig,
    ItemSpec,
    Level,
    LevelMapping,
    NodeSpec,
    Relative,
    effective_weights,
    score,
)
from tests.engine.factory import answered_status, make_config, make_values

# q1 = level 3 of 0..5 → 60; q2 = yes → 100; I1 = (60 + 100) / 2 = 80
# s1 = 50 on 0 → 100 → 50; s2 = ln(1 + 9) / ln(1 + 99) = 0.5 → 50; I2 = 0.4·50 + 0.6·50 = 50
# s3 = (20 − 11) / (20 − 2) = 0.5 → 50 (lower is better); m1 = 2 of 4 points → 50; I3 = 50
# P1 = (1·80 + 2·50) / 3 = 60; P2 = 50; overall = (60 + 50) / 2 = 55
REFERENCE_ITEMS = [60.0, 100.0, 50.0, 50.0, 50.0, 50.0]
REFERENCE_INDICATORS = [80.0, 50.0, 50.0]
REFERENCE_PILLARS = [60.0, 50.0]


def score_reference(**overrides: object) -> object:
    values = make_values()
    return score(make_config(**overrides), values, answered_status(values))


def test_reference_unit_scores_match_the_hand_computation() -> None:
    result = score_reference()
    assert_allclose(result.item_scores[0], REFERENCE_ITEMS)
    assert_allclose(result.indicator_scores[0], REFERENCE_INDICATORS)
    assert_allclose(result.pillar_scores[0], REFERENCE_PILLARS)
    assert_allclose(result.overall, [55.0])


def test_gaps_relative_gaps_and_stages_use_each_node_target() -> None:
    result = score_reference()
    # Targets: I1 80, I2 100, I3 50; P1 100, P2 80; overall 100.
    assert_allclose(result.indicators.gaps[0], [0.0, 50.0, 0.0])
    assert_allclose(result.indicators.relative_gaps[0], [0.0, 0.5, 0.0])
    assert_allclose(result.pillars.gaps[0], [40.0, 30.0])
    assert_allclose(result.pillars.relative_gaps[0], [0.4, 0.375])
    assert_allclose(result.overall_gap, [45.0])
    # Default thresholds 20/40/60/80: 55 → Systematic, 60 → Differentiating, 80 → Transformational.
    assert result.stage_label(result.overall_stage[0]) == "Systematic"
    assert_array_equal(result.pillars.stages[0], [3, 2])
    assert_array_equal(result.indicators.stages[0], [4, 2, 2])


def test_effective_weights_follow_the_hierarchy_and_reproduce_the_arithmetic_score() -> None:
    result = score_reference()
    # q1, q2: ½ · ⅓ · ½; s1: 0.4 · ⅔ · ½; s2: 0.6 · ⅔ · ½; s3, m1: ½ · ½
    expected = [1 / 12, 1 / 12, 0.4 / 3, 0.2, 0.25, 0.25]
    assert_allclose(result.item_effective_weights[0], expected)
    assert_allclose(effective_weights(make_config())[0], expected)
    assert_allclose(result.item_effective_weights[0] @ result.item_scores[0], 55.0)
    assert_allclose(result.pillars.effective_weights[0], [0.5, 0.5])


def test_marginal_gains_equal_effective_weights_under_arithmetic_aggregation() -> None:
    result = score_reference()
    assert_allclose(result.item_marginal_gains, result.item_effective_weights)
    assert_allclose(result.indicators.marginal_gains[0], [1 / 6, 1 / 3, 0.5])


def test_marginal_gains_under_geometric_pillars_match_finite_differences() -> None:
    config = make_config(pillar_aggregation="geometric", overall_aggregation="geometric")
    values = make_values()
    status = answered_status(values)
    result = score(config, values, status)
    step = 1e-6
    for column in range(values.shape[1]):
        if column in (0, 1):  # level codes cannot move continuously
            continue
        bumped = values.copy()
        bumped[0, column] += step
        numeric = (score(config, bumped, status).overall[0] - result.overall[0]) / step
        raw_slope = (
            score(config, bumped, status).item_scores[0, column] - result.item_scores[0, column]
        ) / step
        assert result.item_marginal_gains[0, column] * raw_slope == pytest.approx(numeric, rel=1e-4)


def test_geometric_pillar_is_the_weighted_geometric_mean_of_its_indicators() -> None:
    result = score_reference(pillar_aggregation="geometric")
    # P1 = exp((1·ln 80 + 2·ln 50) / 3) = (80 · 50²)^(1/3)
    assert result.pillar_scores[0, 0] == pytest.approx((80 * 50**2) ** (1 / 3))


def test_a_zero_indicator_makes_a_geometric_pillar_zero() -> None:
    values = make_values([0, 0, 50, 9, 11, 2])  # I1 = (0 + 0) / 2 = 0
    result = score(make_config(pillar_aggregation="geometric"), values, answered_status(values))
    assert result.pillar_scores[0, 0] == 0.0
    # P1 = 0^(1/3) · 50^(2/3): its slope in I1 at 0 is unbounded; I2's slope there is 0.
    assert math.isinf(result.indicators.marginal_gains[0, 0])
    assert result.indicators.marginal_gains[0, 1] == 0.0


def test_not_applicable_is_excluded_and_weights_renormalise_while_zero_counts() -> None:
    values = make_values([3, 0, 50, 9, 11, 2])
    status = answered_status(values)
    answered_zero = score(make_config(), values, status)
    status[0, 1] = NOT_APPLICABLE
    not_applicable = score(make_config(), values, status)
    # With q2 = "no" (0): I1 = (60 + 0) / 2 = 30; with q2 not applicable: I1 = 60 alone.
    assert answered_zero.indicator_scores[0, 0] == pytest.approx(30.0)
    assert not_applicable.indicator_scores[0, 0] == pytest.approx(60.0)
    assert not_applicable.indicators.coverage[0, 0] == 1.0
    assert not_applicable.not_applicable_count[0] == 1


def test_dont_know_is_excluded_by_default_and_lowers_coverage() -> None:
    values = make_values()
    status = answered_status(values)
    status[0, 1] = DONT_KNOW
    result = score(make_config(), values, status)
    assert result.indicator_scores[0, 0] == pytest.approx(60.0)
    assert result.indicators.coverage[0, 0] == pytest.approx(0.5)
    assert result.indicators.excluded_counts[0, 0] == 1
    assert result.dont_know_count[0] == 1


def test_dont_know_scores_the_lowest_level_under_the_lowest_rule() -> None:
    values = make_values()
    status = answered_status(values)
    status[0, 0] = DONT_KNOW
    result = score(make_config(dont_know_rule="lowest"), values, status)
    # q1 "don't know" → level 0 → 0; I1 = (0 + 100) / 2 = 50, and coverage stays complete.
    assert result.item_scores[0, 0] == 0.0
    assert result.indicator_scores[0, 0] == pytest.approx(50.0)
    assert result.indicators.coverage[0, 0] == 1.0


def test_a_pillar_below_minimum_coverage_is_nan_and_flagged_and_the_overall_excludes_it() -> None:
    values = make_values()
    status = answered_status(values)
    # P1 keeps I1 (weight 1) and loses I2 (weight 2): coverage ⅓ of the indicator weight < ⅔.
    status[0, [2, 3]] = MISSING
    result = score(make_config(), values, status)
    assert result.pillars.coverage[0, 0] == pytest.approx(1 / 3)
    assert math.isnan(result.pillar_scores[0, 0])
    assert result.pillars.insufficient[0].tolist() == [True, False]
    assert math.isnan(result.pillars.gaps[0, 0])
    assert result.pillars.stages[0, 0] == -1
    assert result.overall[0] == pytest.approx(50.0)  # P2 only
    assert result.overall_partial[0]
    assert not result.overall_insufficient[0]
    assert result.overall_coverage[0] == pytest.approx(4 / 6)


def test_the_propagate_rule_makes_the_overall_insufficient_too() -> None:
    values = make_values()
    status = answered_status(values)
    status[0, [2, 3]] = MISSING
    result = score(make_config(insufficient_pillar_rule="propagate"), values, status)
    assert math.isnan(result.overall[0])
    assert result.overall_insufficient[0]


def test_per_pillar_minimum_coverage_overrides_the_default() -> None:
    levels = make_config().levels
    # Without I2 (weight 2 of 3), P1 has a third of its indicator weight: enough for ⅓.
    lenient = Level("pillar", (NodeSpec("P1", min_coverage=1 / 3), NodeSpec("P2", target=80)))
    config = make_config(levels=(levels[0], lenient))
    values = make_values()
    status = answered_status(values)
    status[0, [2, 3]] = MISSING
    result = score(config, values, status)
    assert result.pillar_scores[0, 0] == pytest.approx(80.0)  # I1 alone
    assert not result.pillars.insufficient[0, 0]


def test_imputation_fills_from_the_peer_group_and_flags_every_imputed_value() -> None:
    values = make_values([3, 2, 50, 9, 11, 2], [5, 2, 70, 9, 11, 2], [1, 0, 10, 0, 20, 0])
    status = answered_status(values)
    status[0, 2] = MISSING
    result = score(make_config(imputation="mean"), values, status, groups=["A", "A", "B"])
    # Unit 0's s1 takes the mean of s1 in group A among donors: unit 1's 70.
    assert result.item_scores[0, 2] == pytest.approx(70.0)
    assert (
        result.imputed.tolist() == [[False, False, True, False, False, False]] + [[False] * 6] * 2
    )
    assert result.imputed_count.tolist() == [1, 0, 0]
    # Coverage counts real data only: s2 (weight 0.6 of 1) has data, the imputed s1 does not.
    assert result.indicators.coverage[0, 1] == pytest.approx(0.6)


def test_imputation_without_a_donor_leaves_the_value_missing_and_warns() -> None:
    values = make_values([3, 2, 50, 9, 11, 2], [5, 2, 70, 9, 11, 2])
    status = answered_status(values)
    status[:, 2] = MISSING
    result = score(make_config(imputation="median"), values, status, groups=["A", "B"])
    assert not result.imputed.any()
    assert result.warnings and "no donor" in result.warnings[0]


def test_item_scores_are_nan_where_no_data_contributed() -> None:
    values = make_values()
    status = answered_status(values)
    status[0, 4] = MISSING
    result = score(make_config(), values, status)
    assert math.isnan(result.item_scores[0, 4])
    assert not result.item_included[0, 4]
    assert result.indicator_scores[0, 2] == pytest.approx(50.0)  # m1 alone
    assert result.missing_count[0] == 1


def test_values_of_unanswered_cells_are_ignored() -> None:
    values = make_values()
    status = answered_status(values)
    status[0, 0] = MISSING
    values[0, 0] = np.nan
    first = score(make_config(), values, status)
    values[0, 0] = 12345.0  # not a level, but never read
    second = score(make_config(), values, status)
    assert_allclose(first.overall, second.overall)


def test_relative_normalisation_scores_against_the_other_units() -> None:
    config = EngineConfig(
        items=(ItemSpec("x", "I1", Relative("min_max")),),
        levels=(Level("pillar", (NodeSpec("I1"),)),),
    )
    values = np.array([[10.0], [30.0], [20.0]])
    result = score(config, values, answered_status(values))
    assert_allclose(result.overall, [0.0, 100.0, 50.0])


def test_strengths_and_weaknesses_name_the_best_and_worst_indicators() -> None:
    strengths, weaknesses = score_reference().strengths_and_weaknesses(count=2)
    assert strengths.tolist() == [[0, 1]]
    assert weaknesses.tolist() == [[1, 2]]


def test_result_arrays_are_read_only() -> None:
    result = score_reference()
    with pytest.raises(ValueError):
        result.overall[0] = 1.0


def test_level_lookup_by_name_and_code() -> None:
    result = score_reference()
    assert result.level("pillar") is result.pillars
    assert result.pillars.index("P2") == 1
    with pytest.raises(ValueError, match="no level named"):
        result.level("sub-pillar")


def test_a_sub_pillar_level_sits_between_indicators_and_pillars() -> None:
    config = EngineConfig(
        items=(
            ItemSpec("a", "I1", LevelMapping.linear(range(6))),
            ItemSpec("b", "I2", LevelMapping.linear(range(6))),
            ItemSpec("c", "I3", LevelMapping.linear(range(6))),
        ),
        levels=(
            Level("indicator", (NodeSpec("I1", "S1"), NodeSpec("I2", "S1"), NodeSpec("I3", "S2"))),
            Level("sub-pillar", (NodeSpec("S1", "P1"), NodeSpec("S2", "P1", weight=3))),
            Level("pillar", (NodeSpec("P1"),)),
        ),
    )
    values = np.array([[5.0, 0.0, 1.0]])
    result = score(config, values, answered_status(values))
    # S1 = (100 + 0) / 2 = 50; S2 = 20; P1 = (50 + 3·20) / 4 = 27.5
    assert_allclose(result.level("sub-pillar").scores, [[50.0, 20.0]])
    assert_allclose(result.overall, [27.5])


@pytest.mark.parametrize(
    ("values", "status", "message"),
    [
        (np.zeros((1, 5)), np.zeros((1, 5)), "5 columns but the configuration has 6 items"),
        (np.zeros((1, 6)), np.zeros((2, 6)), "status has shape"),
        (np.zeros((1, 6)), np.full((1, 6), 7), "status 7 is not one of"),
        (np.full((1, 6), np.nan), np.zeros((1, 6)), "marked answered but the value is nan"),
        (np.zeros(6), np.zeros(6), "units × items"),
        (make_values([3.5, 2, 50, 9, 11, 2]), np.zeros((1, 6)), "not one of the item's levels"),
        (make_values([3, 2, 50, -2, 11, 2]), np.zeros((1, 6)), "log 'ln1p' scaling needs"),
    ],
)
def test_bad_inputs_raise_value_errors_that_name_the_problem(
    values: np.ndarray, status: np.ndarray, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        score(make_config(), values, status.astype(int))


def test_bad_input_errors_name_the_unit_and_item() -> None:
    values = make_values([3, 2, 50, 9, 11, 2], [3, 7, 50, 9, 11, 2])
    with pytest.raises(ValueError, match="unit 1, item 'q2'"):
        score(make_config(), values, answered_status(values))


def test_scoring_is_unaffected_by_unit_status_dtype() -> None:
    values = make_values()
    status = answered_status(values)
    assert_allclose(
        score(make_config(), values, status).overall,
        score(make_config(), values, status.astype(np.int64)).overall,
    )
    assert status.dtype == np.int8 and ANSWERED == 0

"""Normalisation known answers.

Goalposts, capping at 100, ln(x + 1) scaling and reversed price indicators follow the ITU ICT
Development Index 2023 methodology; min–max, z-score, distance to target and ranking follow the
OECD–JRC Handbook on Constructing Composite Indicators (2008), section 5.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from scoring.engine import (
    Goalposts,
    LevelMapping,
    Points,
    Relative,
    distance_to_target,
    goalposts,
    map_levels,
    min_max,
    multiple_choice_points,
    percentile_rank,
    points_score,
    z_score,
)


def test_goalposts_rescale_linearly_and_clip_to_the_scale() -> None:
    # 100 · (x − 10) / (60 − 10): 35 → 50, 0 → clipped 0, 80 → clipped 100
    assert_allclose(goalposts([35.0, 0.0, 80.0], threshold=10, target=60), [50.0, 0.0, 100.0])


def test_goalposts_with_ln1p_follow_the_itu_idi_log_scaling() -> None:
    # ln(1 + 999) / ln(1 + 9999) = 3 ln 10 / 4 ln 10 = 0.75
    assert goalposts([999.0], threshold=0, target=9999, log="ln1p")[0] == pytest.approx(75.0)


def test_goalposts_with_ln_use_the_natural_log_of_the_value() -> None:
    # (ln 10 − ln 1) / (ln 100 − ln 1) = 0.5
    assert goalposts([10.0], threshold=1, target=100, log="ln")[0] == pytest.approx(50.0)


def test_reversed_goalposts_score_lower_values_higher() -> None:
    # A price of 5 between a threshold of 20 and a target of 2: (20 − 5) / 18 = 0.8333
    assert goalposts([5.0], threshold=20, target=2)[0] == pytest.approx(100 * 15 / 18)


def test_log_scaling_of_a_non_positive_value_is_an_error() -> None:
    with pytest.raises(ValueError, match="positive"):
        goalposts([0.0], threshold=1, target=100, log="ln")
    with pytest.raises(ValueError, match="greater than -1"):
        goalposts([-1.0], threshold=0, target=100, log="ln1p")


def test_equal_goalposts_are_rejected_by_the_configuration() -> None:
    with pytest.raises(ValueError, match="threshold and target are equal"):
        Goalposts(threshold=5, target=5)


def test_goalpost_direction_must_match_their_order() -> None:
    with pytest.raises(ValueError, match="direction 'higher' needs target > threshold"):
        Goalposts(threshold=20, target=2)
    with pytest.raises(ValueError, match="direction 'lower' needs target < threshold"):
        Goalposts(threshold=2, target=20, direction="lower")


def test_ln_goalposts_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive goalposts"):
        Goalposts(threshold=0, target=100, log="ln")


def test_level_mapping_scores_maturity_one_to_five_from_zero_to_one_hundred() -> None:
    mapping = LevelMapping.linear(range(1, 6))
    assert_allclose(map_levels([1, 3, 5], mapping.levels, mapping.scores), [0.0, 50.0, 100.0])


def test_level_mapping_rejects_codes_that_are_not_levels() -> None:
    with pytest.raises(ValueError, match="not one of the levels"):
        map_levels([6], range(6), [0, 20, 40, 60, 80, 100])


def test_level_mapping_validates_its_table() -> None:
    with pytest.raises(ValueError, match="one score per level"):
        LevelMapping(levels=(0, 1), scores=(0,))
    with pytest.raises(ValueError, match="duplicate level codes"):
        LevelMapping(levels=(0, 0), scores=(0, 100))
    with pytest.raises(ValueError, match=r"within \[0, 100\]"):
        LevelMapping(levels=(0, 1), scores=(0, 120))


def test_multiple_choice_points_are_summed_and_capped_at_the_maximum() -> None:
    points = multiple_choice_points([[True, True, False], [True, True, True]], [2, 1, 3])
    assert_allclose(points, [3.0, 6.0])
    assert_allclose(points_score(points, maximum=4), [75.0, 100.0])
    with pytest.raises(ValueError, match="positive"):
        Points(maximum=0)


def test_min_max_maps_the_worst_unit_to_zero_and_the_best_to_one_hundred() -> None:
    assert_allclose(min_max([[2.0], [4.0], [10.0]])[:, 0], [0.0, 25.0, 100.0])
    assert_allclose(min_max([[2.0], [4.0], [10.0]], direction="lower")[:, 0], [100.0, 75.0, 0.0])


def test_min_max_of_a_constant_column_is_an_error_not_a_division_by_zero() -> None:
    with pytest.raises(ValueError, match="same value for every unit"):
        min_max([[3.0], [3.0]])


def test_z_score_uses_the_sample_standard_deviation() -> None:
    # mean 4, sample sd sqrt(((−2)² + 0² + 2²) / 2) = 2
    assert_allclose(z_score([[2.0], [4.0], [6.0], [np.nan]])[:, 0], [-1.0, 0.0, 1.0, np.nan])


def test_distance_to_target_is_the_capped_share_of_the_target() -> None:
    assert_allclose(distance_to_target([[30.0], [90.0]], 60)[:, 0], [50.0, 100.0])
    assert_allclose(
        distance_to_target([[30.0], [120.0]], 60, direction="lower")[:, 0], [100.0, 50.0]
    )


def test_percentile_rank_averages_ties_and_keeps_missing_values_missing() -> None:
    ranks = percentile_rank([[5.0], [1.0], [5.0], [np.nan], [3.0]])[:, 0]
    # ranks 3.5, 1, 3.5, –, 2 over n = 4 → 100 · (rank − 1) / 3
    assert_allclose(ranks, [250 / 3, 0.0, 250 / 3, np.nan, 100 / 3])


def test_relative_normalisation_needs_a_target_only_for_distance_to_target() -> None:
    with pytest.raises(ValueError, match="needs a target"):
        Relative("distance_to_target")
    with pytest.raises(ValueError, match="takes no target"):
        Relative("min_max", target=5)
    assert Relative("distance_to_target", target=5).target == 5.0

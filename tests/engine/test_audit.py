"""Statistical audit: COINr-style skew/kurtosis rule and winsorisation, correlations, alpha."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from scoring.engine import (
    audit,
    cronbach_alpha,
    impute_by_group,
    pairwise_correlations,
    skew_kurtosis,
    winsorise,
)

# COINr's documentation example: 1..10 with two outliers.
OUTLIERS = np.array([*range(1, 11), 30, 100], dtype=float)


def _g1_g2(values: np.ndarray) -> tuple[float, float]:
    """Bias-corrected skewness and excess kurtosis written out (e1071 type 2, as COINr)."""
    count = values.size
    deviation = values - values.mean()
    g1 = np.sqrt(count) * (deviation**3).sum() / (deviation**2).sum() ** 1.5
    skew = g1 * np.sqrt(count * (count - 1)) / (count - 2)
    ratio = count * (deviation**4).sum() / (deviation**2).sum() ** 2
    kurtosis = ((count + 1) * (ratio - 3) + 6) * (count - 1) / ((count - 2) * (count - 3))
    return skew, kurtosis


def test_skewness_and_kurtosis_are_the_bias_corrected_g1_and_excess_g2() -> None:
    check = skew_kurtosis(OUTLIERS[:, None])
    skew, kurtosis = _g1_g2(OUTLIERS)
    assert check.skewness[0] == pytest.approx(skew)
    assert check.kurtosis[0] == pytest.approx(kurtosis)
    assert check.flagged[0]


def test_both_thresholds_must_be_crossed_to_flag_an_indicator() -> None:
    symmetric_heavy_tails = np.array([-50.0, *range(1, 21), 70.0])[:, None]
    check = skew_kurtosis(symmetric_heavy_tails)
    assert check.kurtosis[0] >= 3.5 and abs(check.skewness[0]) < 2
    assert not check.flagged[0]


def test_winsorisation_replaces_the_extreme_value_until_the_indicator_passes() -> None:
    treated = winsorise(OUTLIERS[:, None], max_points=5)
    assert treated.points.tolist() == [1]
    assert treated.data[-1, 0] == 30.0  # 100 → the next highest value
    assert treated.changed[:, 0].tolist() == [False] * 11 + [True]
    assert not treated.still_flagged[0]


def test_winsorisation_stops_at_its_point_budget_and_reports_the_indicator() -> None:
    heavy = np.array([*([1.0] * 30), 1000.0, 2000.0, 3000.0])[:, None]
    treated = winsorise(heavy, max_points=1)
    assert treated.points.tolist() == [1]
    assert treated.still_flagged[0]


def test_pairwise_correlations_match_numpy_on_complete_data() -> None:
    rng = np.random.default_rng(3)
    data = rng.normal(size=(40, 5))
    assert_allclose(pairwise_correlations(data), np.corrcoef(data, rowvar=False), atol=1e-12)


def test_cronbach_alpha_of_identical_columns_is_one_and_of_independent_ones_near_zero() -> None:
    rng = np.random.default_rng(9)
    column = rng.normal(size=200)
    assert cronbach_alpha(np.column_stack([column, column, column])) == pytest.approx(1.0)
    assert abs(cronbach_alpha(rng.normal(size=(2000, 4)))) < 0.1


def test_audit_flags_negative_and_near_duplicate_pairs_within_pillars_only() -> None:
    base = np.linspace(0, 100, 12)
    data = np.column_stack([base, base + 0.01 * np.sin(base), 100 - base, base])
    result = audit(data, ["P1", "P1", "P1", "P2"])
    reasons = {(flag.first, flag.second): flag.reason for flag in result.correlation_flags}
    assert reasons == {(0, 1): "very high", (0, 2): "negative", (1, 2): "negative"}
    assert result.groups == ("P1", "P2")
    assert np.isnan(result.cronbach_alpha[1])  # a single indicator has no alpha


def test_audit_reports_coverage_per_unit_and_indicator() -> None:
    data = np.array([[1.0, np.nan], [2.0, 3.0], [np.nan, np.nan], [4.0, 1.0]])
    result = audit(data, ["P1", "P1"])
    assert_allclose(result.unit_coverage, [0.5, 1.0, 0.0, 1.0])
    assert_allclose(result.indicator_coverage, [0.75, 0.5])


def test_audit_can_winsorise_before_computing_correlations() -> None:
    data = np.column_stack([OUTLIERS, OUTLIERS[::-1]])
    result = audit(data, ["P1", "P2"], winsorise_points=3)
    assert result.winsorisation is not None
    assert result.winsorisation.points.tolist() == [1, 1]
    assert result.distribution.flagged.tolist() == [True, True]


def test_audit_rejects_a_label_count_that_does_not_match_the_columns() -> None:
    with pytest.raises(ValueError, match="2 pillar labels for 3 indicator columns"):
        audit(np.zeros((4, 3)), ["P1", "P2"])


def test_median_imputation_uses_the_peer_group_median() -> None:
    scores = np.array([[10.0], [30.0], [90.0], [np.nan], [50.0]])
    filled, imputed = impute_by_group(
        scores, np.isnan(scores), ["A", "A", "A", "A", "B"], method="median"
    )
    assert filled[3, 0] == 30.0
    assert imputed[:, 0].tolist() == [False, False, False, True, False]

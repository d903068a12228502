"""Agreement across questions on different scales (issue 17, item 9).

Pooling a 6-level maturity question and a yes/partial/no question as one ordinal variable
compares codes that mean different things. Alpha is computed per scale and combined.
"""

from __future__ import annotations

import numpy as np
import pytest

from scoring.engine.agreement import krippendorff_alpha, pooled_krippendorff_alpha


def test_one_scale_is_plain_krippendorff_alpha() -> None:
    rng = np.random.default_rng(2)
    for _ in range(50):
        data = rng.integers(1, 6, size=(4, 7)).astype(float)
        data[rng.random(data.shape) < 0.2] = np.nan
        plain = krippendorff_alpha(data)
        pooled = pooled_krippendorff_alpha(data, ["one"] * 7)
        assert (np.isnan(plain) and np.isnan(pooled)) or plain == pytest.approx(pooled, abs=1e-12)


def test_codes_of_different_scales_are_not_compared_with_each_other() -> None:
    # Raters agree perfectly within each scale, but the 3-point codes (1..3) and the 6-point
    # codes (4..6) sit at different places: pooled as one scale, chance disagreement is
    # inflated by comparing a "yes" with a maturity level.
    three = [[1, 3, 2], [1, 3, 2]]
    six = [[4, 6, 5], [4, 6, 5]]
    data = np.hstack([three, six]).astype(float)
    scales = ["yes/partial/no"] * 3 + ["maturity 0-5"] * 3
    assert pooled_krippendorff_alpha(data, scales) == 1.0
    # One disagreement on the 6-point scale lowers only that scale's share.
    data[1, 5] = 6.0
    by_scale = pooled_krippendorff_alpha(data, scales)
    assert krippendorff_alpha(data[:, 3:]) < by_scale < 1.0


def test_one_question_per_scale_leaves_alpha_undefined() -> None:
    data = np.array([[4, 1], [4, 3], [5, 3], [4, 3], [3, 3]], dtype=float)
    assert np.isnan(pooled_krippendorff_alpha(data, ["maturity", "yes/partial/no"]))

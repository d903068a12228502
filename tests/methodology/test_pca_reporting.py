"""PCA weights report the variance explained and the Handbook's criteria, and warn when an
indicator loads negatively (issue 17, item 10)."""

from __future__ import annotations

import numpy as np

from scoring.engine.weights import pca_weights


def _blocks(seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    first, second = rng.normal(size=(2, 200))
    noise = 0.05 * rng.normal(size=(4, 200))
    return np.column_stack([first, first, second, second]) + noise.T


def test_two_clean_blocks_meet_every_criterion_without_warnings() -> None:
    result = pca_weights(_blocks())
    assert result.retained == 2
    np.testing.assert_allclose(
        result.cumulative_variance, result.explained_variance_ratio[:2].sum()
    )
    assert result.cumulative_variance > 0.95
    assert dict(result.criteria) == {
        "eigenvalue > 1": True,
        "share > 10 %": True,
        "cumulative > 60 %": True,
    }
    assert result.negative_loadings == () and result.warnings == ()


def test_an_indicator_that_moves_against_its_factor_is_warned_about() -> None:
    rng = np.random.default_rng(5)
    first, second = rng.normal(size=(2, 300))
    noise = rng.normal(size=(5, 300)) * np.array([0.2, 0.3, 0.4, 0.2, 0.3])[:, None]
    # Three indicators of the first factor, one of them reversed (e.g. a price left as
    # "higher is better"), and two of the second.
    data = np.column_stack([first, -first, first, second, second]) + noise.T
    result = pca_weights(data)
    assert result.retained == 2
    assert result.negative_loadings == (1,)
    assert any("indicator 1 loads negatively" in warning for warning in result.warnings)
    # The weight stays positive: that is why the warning is needed.
    assert result.weights[1] > 0


def test_weakly_related_indicators_miss_the_cumulative_variance_criterion() -> None:
    data = np.random.default_rng(3).normal(size=(300, 20))
    result = pca_weights(data)
    assert not dict(result.criteria)["cumulative > 60 %"]
    assert any("cumulative > 60 %" in warning for warning in result.warnings)

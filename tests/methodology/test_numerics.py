"""Varimax with Kaiser normalisation, correlations of large values, the r_wg coding rule
(issue 17, item 6)."""

from __future__ import annotations

import numpy as np
from numpy.testing import assert_allclose

from scoring.engine.agreement import rwg
from scoring.engine.audit import pairwise_correlations
from scoring.engine.weights import varimax


def _raw_varimax(loadings: np.ndarray, tolerance: float = 1e-5) -> np.ndarray:
    """Kaiser's criterion by R's iteration, with no normalisation (the reference loop)."""
    variables, factors = loadings.shape
    rotation, criterion = np.eye(factors), 0.0
    for _ in range(1000):
        rotated = loadings @ rotation
        target = rotated**3 - rotated * ((rotated**2).sum(axis=0) / variables)
        left, singular, right = np.linalg.svd(loadings.T @ target)
        rotation = left @ right
        previous, criterion = criterion, float(singular.sum())
        if criterion < previous * (1 + tolerance):
            break
    return loadings @ rotation


def test_varimax_normalises_rows_by_their_communality_as_r_and_spss_do() -> None:
    # R: varimax(L) with normalize = TRUE rotates L / h (h the row norms) and scales back.
    rng = np.random.default_rng(4)
    for _ in range(20):
        loadings = rng.uniform(-1, 1, size=(7, 3)) * rng.uniform(0.1, 1.0, size=(7, 1))
        communality = np.sqrt((loadings**2).sum(axis=1))
        expected = _raw_varimax(loadings / communality[:, None]) * communality[:, None]
        assert_allclose(varimax(loadings), expected, atol=1e-10)
        assert_allclose(varimax(loadings, normalize=False), _raw_varimax(loadings), atol=1e-10)


def test_kaiser_normalisation_changes_the_rotation_when_communalities_differ() -> None:
    loadings = np.array([[0.9, 0.1], [0.8, 0.3], [0.2, 0.15], [0.1, 0.12], [0.5, 0.6]])
    assert not np.allclose(varimax(loadings), varimax(loadings, normalize=False), atol=1e-3)


def test_correlations_of_values_around_1e7_and_1e8_keep_their_precision() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=50)
    y = 0.6 * x + 0.8 * rng.normal(size=50)
    expected = np.corrcoef(x, y)[0, 1]
    for offset in (0.0, 1e7, 1e8, 1e10):
        data = np.column_stack([x + offset, y + offset])
        data[3, 1] = np.nan  # pairwise-complete path
        reference = np.corrcoef(np.delete(x, 3), np.delete(y, 3))[0, 1]
        result = pairwise_correlations(data)[0, 1]
        assert np.isfinite(result), offset
        assert abs(result - reference) < 1e-6, offset
    assert abs(expected) > 0.3


def test_rwg_needs_unit_spaced_codes() -> None:
    # DOMAIN.md: ratings [4, 4, 5, 4, 3] on a 5-point scale give r_wg 0.75. The same answers
    # coded 0, 20, ..., 100 are not the same r_wg: the docstring must not claim they are.
    assert rwg(np.array([4, 4, 5, 4, 3.0]), scale_points=5) == 0.75
    assert rwg(np.array([60, 60, 80, 60, 40.0]), scale_points=5) != 0.75
    assert "unit spacing" in (rwg.__doc__ or "")

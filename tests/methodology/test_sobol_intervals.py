"""Sobol intervals hold their level over seeds (issue 17, item 3).

The bootstrap over the points of one quasi-random sequence treated them as independent: on the
Sobol' G-function at N = 2048, an index of 1e-4 was estimated at about 0.003 with a narrow
interval that missed the exact value in 6 of 20 seeds. Independent scrambled replicates with a
t interval must cover the exact indices about as often as their level says.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from scoring.engine.sensitivity import ishigami, sobol_analysis, sobol_g

#: The 8-input G-function of Saltelli & Sobol' (1995): the four inputs with a = 99 hardly
#: matter (first-order index 7e-5, total 1e-4). On it, the former bootstrap over the points of
#: one sequence (N = 2048) covered the first-order index of input 5 in 14 of 20 seeds.
G_COEFFICIENTS = np.array([0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0])
SEEDS = range(40)


def g_function_exact() -> tuple[np.ndarray, np.ndarray]:
    """Exact first-order and total indices of the G-function (Saltelli & Sobol' 1995)."""
    partial = 1.0 / (3.0 * (1.0 + G_COEFFICIENTS) ** 2)
    total_variance = np.prod(1.0 + partial) - 1.0
    first = partial / total_variance
    total = partial * np.prod(1.0 + partial) / (1.0 + partial) / total_variance
    return first, total


def _coverage(model, inputs, exact_first, exact_total, n_base_samples: int) -> tuple:
    hits, widths, estimates = [], [], []
    for seed in SEEDS:
        result = sobol_analysis(
            model, inputs, nominal=list(inputs), n_base_samples=n_base_samples, seed=seed
        )
        hits.append(
            np.concatenate(
                [
                    (result.first_order_low[0] <= exact_first)
                    & (exact_first <= result.first_order_high[0]),
                    (result.total_order_low[0] <= exact_total)
                    & (exact_total <= result.total_order_high[0]),
                ]
            )
        )
        widths.append(result.total_order_high[0] - result.total_order_low[0])
        estimates.append(result.first_order[0])
    return np.array(hits), np.array(widths), np.array(estimates)


def test_g_function_intervals_cover_the_exact_indices_at_about_their_level() -> None:
    inputs = {f"x{i}": stats.uniform() for i in range(G_COEFFICIENTS.size)}
    first, total = g_function_exact()
    assert 5e-5 < first[-1] < 2e-4  # the "true index 1e-4"
    hits, _, estimates = _coverage(
        lambda x: sobol_g(x, G_COEFFICIENTS), inputs, first, total, n_base_samples=256
    )
    # 8 replicates × 256 base points = 2048, the N. Nominal 95 %: over 40 seeds and 16
    # indices, and no index missed as often as the bootstrap missed input 5 (6 in 20 seeds).
    assert hits.mean() >= 0.9
    small = [4, 5, 6, 7, 12, 13, 14, 15]  # first-order and total indices of the a = 99 inputs
    assert hits[:, small].mean() >= 0.85
    assert hits.mean(axis=0).min() >= 0.8
    # The small index is estimated near 1e-4, not 0.003.
    assert abs(np.median(estimates[:, -1]) - first[-1]) < 1e-3


def test_ishigami_intervals_cover_the_exact_indices_at_about_their_level() -> None:
    around = stats.uniform(loc=-np.pi, scale=2 * np.pi)
    inputs = {"x1": around, "x2": around, "x3": around}
    # Ishigami & Homma (1990), a = 7, b = 0.1; values as in tests/engine/test_sensitivity.py.
    first = np.array([0.3139, 0.4424, 0.0])
    total = np.array([0.5576, 0.4424, 0.2437])
    hits, widths, _ = _coverage(ishigami, inputs, first, total, n_base_samples=256)
    assert hits.mean() >= 0.9
    assert hits.mean(axis=0).min() >= 0.8
    assert np.all(widths > 0)

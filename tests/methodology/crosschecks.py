"""The engine against independent implementations on random cases (issue 17, item 12).

Each check draws ``cases`` random inputs from a seeded generator, runs the engine and a peer
package (a dev dependency, never a runtime one) on the same input, and returns
``(cases, largest absolute difference)``. ``tests/methodology/test_crosschecks.py`` asserts the
differences; ``python -m tests.methodology.crosschecks`` prints the table.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import krippendorff
import numpy as np
from factor_analyzer.rotator import Rotator
from pymcdm import normalizations
from pymcdm.methods import TOPSIS
from SALib.analyze import sobol as salib_sobol
from sklearn.decomposition import PCA

from scoring.engine.agreement import krippendorff_alpha
from scoring.engine.portfolio import (
    build_portfolio_problem,
    check_portfolio,
    optimise_portfolio,
    portfolio_gain,
)
from scoring.engine.priority import priority_scores
from scoring.engine.sensitivity import _saltelli_2010
from scoring.engine.weights import pca_weights, varimax

Check = tuple[int, float]


def krippendorff_check(cases: int = 300, seed: int = 0) -> Check:
    """Alpha, nominal / ordinal / interval, raters × units with missing values."""
    rng = np.random.default_rng(seed)
    worst, compared = 0.0, 0
    for case in range(cases):
        raters, units = rng.integers(2, 6), rng.integers(3, 15)
        data = rng.integers(1, rng.integers(3, 7), size=(raters, units)).astype(float)
        data[rng.random(data.shape) < 0.2] = np.nan
        pairable = (np.sum(~np.isnan(data), axis=0) >= 2).sum()
        values = np.unique(data[~np.isnan(data)])
        if pairable < 1 or values.size < 2:
            continue
        level = ("nominal", "ordinal", "interval")[case % 3]
        ours = krippendorff_alpha(data, level=level)
        theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
        compared += 1
        if np.isnan(ours) and np.isnan(theirs):
            continue
        worst = max(worst, abs(ours - theirs))
    return compared, worst


def salib_check(cases: int = 100, seed: int = 0) -> Check:
    """Sobol first-order (Saltelli 2010) and total (Jansen) estimators on the same outputs.

    SALib standardises the outputs by their overall mean and standard deviation; the engine's
    estimator is fed the same outputs centred by the same mean (the ratio is scale-free).
    """
    rng = np.random.default_rng(seed)
    worst = 0.0
    for _ in range(cases):
        d, n = int(rng.integers(2, 6)), int(rng.integers(16, 200))
        problem = {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0, 1]] * d}
        coefficients = rng.normal(size=d)
        matrix_a, matrix_b = rng.random((2, n, d))
        blocks = [matrix_a] + [
            np.where(np.arange(d) == column, matrix_b, matrix_a) for column in range(d)
        ]
        blocks.append(matrix_b)
        points = np.stack(blocks, axis=1).reshape(n * (d + 2), d)
        outputs = np.sin(points @ coefficients) + points[:, 0] * points[:, -1] ** 2
        theirs = salib_sobol.analyze(
            problem, outputs, calc_second_order=False, num_resamples=2, seed=1
        )
        y = outputs.reshape(n, d + 2) - outputs.mean()
        first, total = _saltelli_2010(
            y[None, :, 0], y[None, :, -1], y.T[1:-1, None], np.ones((1, n))
        )
        worst = max(
            worst,
            float(np.abs(first[0, 0] - theirs["S1"]).max()),
            float(np.abs(total[0, 0] - theirs["ST"]).max()),
        )
    return cases, worst


def topsis_check(cases: int = 500, seed: int = 0) -> Check:
    """TOPSIS closeness with vector normalisation, benefit and cost criteria."""
    rng = np.random.default_rng(seed)
    worst = 0.0
    for _ in range(cases):
        alternatives, criteria = int(rng.integers(3, 12)), int(rng.integers(2, 6))
        matrix = rng.uniform(0.1, 10.0, size=(alternatives, criteria))
        weights = rng.uniform(0.05, 1.0, size=criteria)
        weights /= weights.sum()
        kinds = rng.choice([1, -1], size=criteria)
        directions = ["benefit" if kind == 1 else "cost" for kind in kinds]
        ours = priority_scores(matrix, weights, directions, method="topsis").scores
        theirs = TOPSIS(normalization_function=normalizations.vector_normalization)(
            matrix, weights, kinds
        )
        worst = max(worst, float(np.abs(ours - theirs).max()))
    return cases, worst


def _standardised(data: np.ndarray) -> np.ndarray:
    return (data - data.mean(axis=0)) / data.std(axis=0, ddof=1)


def pca_check(cases: int = 200, seed: int = 0) -> Check:
    """Eigenvalue shares and unrotated loadings (up to sign) against scikit-learn's PCA."""
    rng = np.random.default_rng(seed)
    worst = 0.0
    for _ in range(cases):
        units, indicators = int(rng.integers(20, 80)), int(rng.integers(3, 8))
        mixing = rng.normal(size=(indicators, indicators))
        data = rng.normal(size=(units, indicators)) @ mixing
        ours = pca_weights(data, rotate=False)
        reference = PCA().fit(_standardised(data))
        worst = max(
            worst,
            float(
                np.abs(ours.explained_variance_ratio - reference.explained_variance_ratio_).max()
            ),
        )
        loadings = reference.components_.T * np.sqrt(reference.explained_variance_)
        kept = loadings[:, : ours.retained]
        signs = np.sign((kept * ours.loadings).sum(axis=0))
        worst = max(worst, float(np.abs(ours.loadings - kept * signs).max()))
    return cases, worst


def varimax_check(cases: int = 300, seed: int = 0) -> Check:
    """Varimax with Kaiser normalisation against factor_analyzer's (R's algorithm)."""
    rng = np.random.default_rng(seed)
    worst = 0.0
    for _ in range(cases):
        variables, factors = int(rng.integers(4, 12)), int(rng.integers(2, 4))
        loadings = rng.uniform(-1, 1, size=(variables, factors)) * rng.uniform(
            0.1, 1.0, size=(variables, 1)
        )
        theirs = Rotator(method="varimax", normalize=True, max_iter=1000).fit_transform(loadings)
        worst = max(worst, float(np.abs(varimax(loadings) - theirs).max()))
    return cases, worst


def portfolio_check(cases: int = 150, seed: int = 0) -> Check:
    """Largest gain, then lowest cost among equal gains, against exhaustive search."""
    rng = np.random.default_rng(seed)
    worst = 0.0
    for _ in range(cases):
        count = int(rng.integers(2, 8))
        costs = rng.choice([5.0, 5.25, 10.0, 10.5, 20.0], size=count)
        benefits = rng.choice([1.0, 2.0, 3.0], size=count)
        budget = float(rng.choice([10.0, 21.0, 31.0]))
        exclusions = [tuple(rng.choice(count, size=2, replace=False))] if count > 3 else []
        problem = build_portfolio_problem(
            costs, budget, benefits=benefits, exclusion_groups=exclusions
        )
        best = (-np.inf, 0.0)
        for size in range(count + 1):
            for subset in itertools.combinations(range(count), size):
                if check_portfolio(problem, subset):
                    continue
                key = (portfolio_gain(problem, subset), -float(costs[list(subset)].sum()))
                if key[0] > best[0] + 1e-9 or (abs(key[0] - best[0]) <= 1e-9 and key[1] > best[1]):
                    best = key
        result = optimise_portfolio(problem, compare_greedy=False)
        worst = max(worst, abs(result.expected_gain - best[0]), abs(result.total_cost + best[1]))
    return cases, worst


CHECKS: dict[str, tuple[str, Callable[[], Check]]] = {
    "Krippendorff's alpha (nominal, ordinal, interval)": ("krippendorff 0.9.0", krippendorff_check),
    "Sobol first-order and total estimators": ("SALib 1.6.0", salib_check),
    "TOPSIS closeness (vector normalisation)": ("pymcdm 1.4.0", topsis_check),
    "PCA variance shares and loadings": ("scikit-learn 1.9.1", pca_check),
    "Varimax with Kaiser normalisation": ("factor-analyzer 0.5.1", varimax_check),
    "Portfolio: best gain, then cheapest": ("exhaustive search", portfolio_check),
}


if __name__ == "__main__":
    print("| check | peer | cases | max difference |\n|---|---|---|---|")
    for name, (peer, check) in CHECKS.items():
        cases, worst = check()
        print(f"| {name} | {peer} | {cases} | {worst:.1e} |")

"""Weights: explicit, equal, AHP (pairwise comparisons), PCA-based, and effective weights.

References
----------
Saaty, T. L. (1980), *The Analytic Hierarchy Process*, McGraw-Hill — principal eigenvector,
consistency index CI = (λmax − n) / (n − 1), consistency ratio CR = CI / RI.
Crawford, G. & Williams, C. (1985), "A note on the analysis of subjective judgment matrices",
*J. Math. Psychology* 29 — row geometric mean weights.
OECD & JRC (2008), *Handbook on Constructing Composite Indicators*, section 6.1 — weights from
principal components / factor analysis.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from scoring.engine.constants import SAATY_RANDOM_INDEX

if TYPE_CHECKING:
    from scoring.engine.config import EngineConfig

__all__ = [
    "AhpResult",
    "PcaWeights",
    "ahp_weights",
    "effective_weights",
    "equal_weights",
    "explicit_weights",
    "pca_weights",
    "varimax",
]

#: CR above this is reported as a warning (Saaty's 10 % rule).
AHP_CONSISTENCY_LIMIT = 0.1


def explicit_weights(weights: Sequence[float] | np.ndarray) -> np.ndarray:
    """Validate weights (finite, non-negative, not all zero) and normalise them to sum to 1.

    Examples
    --------
    >>> explicit_weights([0.4, 0.6])
    array([0.4, 0.6])
    >>> explicit_weights([1, 1, 2])
    array([0.25, 0.25, 0.5 ])
    """
    array = np.asarray(weights, dtype=float)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"weights must be a non-empty 1-D sequence, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"weights must be finite numbers, got {array.tolist()}")
    if (array < 0).any():
        position = int(np.flatnonzero(array < 0)[0])
        raise ValueError(f"weights must be non-negative; weight {position} is {array[position]}")
    total = array.sum()
    if total <= 0:
        raise ValueError("weights are all zero; at least one must be positive")
    return array / total


def equal_weights(count: int) -> np.ndarray:
    """``count`` equal weights summing to 1.

    Examples
    --------
    >>> equal_weights(4)
    array([0.25, 0.25, 0.25, 0.25])
    """
    if count < 1:
        raise ValueError(f"equal_weights needs at least one element, got {count}")
    return np.full(count, 1.0 / count)


@dataclass(frozen=True, eq=False)
class AhpResult:
    """Weights and consistency of an AHP pairwise-comparison matrix."""

    weights: np.ndarray
    method: str
    eigenvector_weights: np.ndarray
    geometric_mean_weights: np.ndarray
    lambda_max: float
    consistency_index: float
    random_index: float
    consistency_ratio: float
    #: ``True`` when CR exceeds 0.1: report it to the user, the weights are still returned.
    inconsistent: bool
    warning: str | None


def _check_pairwise(matrix: np.ndarray, tolerance: float) -> None:
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] == 0:
        raise ValueError(f"AHP: the pairwise matrix must be square, got shape {matrix.shape}")
    if not np.isfinite(matrix).all() or (matrix <= 0).any():
        raise ValueError("AHP: every pairwise judgement must be a positive finite number")
    if not np.allclose(np.diag(matrix), 1.0, rtol=0.0, atol=tolerance):
        raise ValueError("AHP: the diagonal of the pairwise matrix must be 1")
    product = matrix * matrix.T
    broken = np.abs(product - 1.0) > tolerance
    if broken.any():
        row, column = (int(index) for index in np.argwhere(broken)[0])
        raise ValueError(
            f"AHP: the matrix is not reciprocal: a[{row}][{column}] = {matrix[row, column]:g} but "
            f"a[{column}][{row}] = {matrix[column, row]:g} (expected {1 / matrix[row, column]:g})"
        )


def ahp_weights(
    matrix: Sequence[Sequence[float]] | np.ndarray,
    *,
    method: Literal["eigenvector", "geometric_mean"] = "eigenvector",
    random_index: Mapping[int, float] = SAATY_RANDOM_INDEX,
    reciprocity_tolerance: float = 0.01,
) -> AhpResult:
    """Weights from a reciprocal pairwise-comparison matrix, with Saaty's consistency ratio.

    ``a[i][j]`` says how much more important criterion i is than j (and ``a[j][i] = 1/a[i][j]``;
    products may differ from 1 by ``reciprocity_tolerance`` to allow typed-in 0.33).
    λmax is the principal eigenvalue, CI = (λmax − n)/(n − 1) and CR = CI / RI(n) with the
    random index taken from ``random_index`` (Saaty's table by default; other published tables
    differ). A CR above 0.1 sets ``inconsistent`` and a ``warning``; it does not raise.

    Examples
    --------
    Saaty's drink-consumption matrix (coffee, wine, tea, beer, soda, milk, water):

    >>> drinks = [[1, 9, 5, 2, 1, 1, 1/2], [1/9, 1, 1/3, 1/9, 1/9, 1/9, 1/9],
    ...           [1/5, 3, 1, 1/3, 1/4, 1/3, 1/9], [1/2, 9, 3, 1, 1/2, 1, 1/3],
    ...           [1, 9, 4, 2, 1, 2, 1/2], [1, 9, 3, 1, 1/2, 1, 1/3], [2, 9, 9, 3, 2, 3, 1]]
    >>> result = ahp_weights(drinks)
    >>> np.round(result.weights, 3)
    array([0.177, 0.019, 0.042, 0.116, 0.19 , 0.129, 0.327])
    >>> round(result.lambda_max, 3), round(result.consistency_ratio, 3), result.inconsistent
    (7.177, 0.022, False)
    """
    array = np.asarray(matrix, dtype=float)
    _check_pairwise(array, reciprocity_tolerance)
    if method not in ("eigenvector", "geometric_mean"):
        raise ValueError(f"AHP: method must be 'eigenvector' or 'geometric_mean', got {method!r}")
    size = array.shape[0]
    if size not in random_index:
        raise ValueError(
            f"AHP: no random index for a {size} × {size} matrix; pass random_index with an "
            f"entry for {size}"
        )
    eigenvalues, eigenvectors = np.linalg.eig(array)
    principal = int(np.argmax(eigenvalues.real))
    lambda_max = float(eigenvalues[principal].real)
    vector = np.abs(eigenvectors[:, principal].real)
    eigenvector_weights = vector / vector.sum()
    row_means = np.exp(np.log(array).mean(axis=1))
    geometric_mean_weights = row_means / row_means.sum()
    consistency_index = max(0.0, (lambda_max - size) / (size - 1)) if size > 2 else 0.0
    index = float(random_index[size])
    consistency_ratio = consistency_index / index if index > 0 else 0.0
    inconsistent = consistency_ratio > AHP_CONSISTENCY_LIMIT
    warning = (
        f"AHP consistency ratio {consistency_ratio:.3f} exceeds {AHP_CONSISTENCY_LIMIT}: "
        "the pairwise judgements contradict each other; review them"
        if inconsistent
        else None
    )
    return AhpResult(
        weights=eigenvector_weights if method == "eigenvector" else geometric_mean_weights,
        method=method,
        eigenvector_weights=eigenvector_weights,
        geometric_mean_weights=geometric_mean_weights,
        lambda_max=lambda_max,
        consistency_index=consistency_index,
        random_index=index,
        consistency_ratio=consistency_ratio,
        inconsistent=inconsistent,
        warning=warning,
    )


def varimax(
    loadings: np.ndarray,
    *,
    normalize: bool = True,
    max_iterations: int = 1000,
    tolerance: float = 1e-5,
) -> np.ndarray:
    """Kaiser's varimax rotation of a loadings matrix (variables × factors).

    With ``normalize`` (the default, Kaiser 1958), each row is divided by its communality's
    square root before rotating and multiplied back afterwards, so that variables with small
    communalities weigh as much as the others: R's ``stats::varimax`` (default
    ``normalize = TRUE``, ``eps = 1e-5``) and SPSS's "Varimax with Kaiser normalization". The
    iteration is R's (the SVD form of Kaiser's criterion).

    References
    ----------
    Kaiser, H. F. (1958), "The varimax criterion for analytic rotation in factor analysis",
    *Psychometrika* 23(3), 187–200. R Core Team, ``stats::varimax`` source.

    Examples
    --------
    Two factors, a variable of small communality (the last): rotation is orthogonal, so every
    communality is kept.

    >>> loadings = np.array([[0.8, 0.3], [0.7, 0.4], [0.3, 0.8], [0.2, 0.1]])
    >>> rotated = varimax(loadings)
    >>> np.allclose((rotated**2).sum(axis=1), (loadings**2).sum(axis=1))
    True
    """
    array = np.asarray(loadings, dtype=float)
    variables, factors = array.shape
    if factors < 2:
        return array.copy()
    scale = np.sqrt((array**2).sum(axis=1)) if normalize else np.ones(variables)
    # A variable with no loading at all keeps its zero row (nothing to normalise).
    scale = np.where(scale > 0, scale, 1.0)
    normalised = array / scale[:, None]
    rotation = np.eye(factors)
    criterion = 0.0
    for _ in range(max_iterations):
        rotated = normalised @ rotation
        target = rotated**3 - rotated * ((rotated**2).sum(axis=0) / variables)
        left, singular, right = np.linalg.svd(normalised.T @ target)
        rotation = left @ right
        previous, criterion = criterion, float(singular.sum())
        if criterion < previous * (1 + tolerance):
            break
    rotated_back: np.ndarray = (normalised @ rotation) * scale[:, None]
    return rotated_back


#: The Handbook's criteria for retaining factors (OECD & JRC 2008, section 6.1, step 3):
#: eigenvalue above 1, each factor explaining more than 10 % of the variance, and the retained
#: factors together more than 60 %.
PCA_CUMULATIVE_VARIANCE = 0.6


@dataclass(frozen=True, eq=False)
class PcaWeights:
    """PCA-based weights and the quantities that explain them."""

    weights: np.ndarray  # (indicators,), sums to 1
    eigenvalues: np.ndarray  # of the correlation matrix, descending
    explained_variance_ratio: np.ndarray
    retained: int
    #: (indicators, retained), rotated if requested; each factor's sign chosen so that its
    #: loadings sum to a positive number (the sign of a factor is otherwise arbitrary).
    loadings: np.ndarray
    assigned_factor: np.ndarray  # (indicators,) factor with the highest squared loading
    units_used: int
    #: Share of the variance the retained factors explain together.
    cumulative_variance: float = 0.0
    #: The Handbook's three criteria, each True when met: "eigenvalue > 1" and "share > 10 %"
    #: for every retained factor, "cumulative > 60 %" for them together.
    criteria: tuple[tuple[str, bool], ...] = ()
    #: Indicators whose loading on their assigned factor is negative: the weight squares the
    #: loading, so they get a positive weight though they move against the factor.
    negative_loadings: tuple[int, ...] = ()
    warnings: tuple[str, ...] = ()


def pca_weights(
    data: np.ndarray | Sequence[Sequence[float]],
    *,
    min_eigenvalue: float = 1.0,
    min_share: float = 0.10,
    rotate: bool = True,
) -> PcaWeights:
    """Weights from principal components of a units × indicators matrix (Handbook 2008, §6.1).

    Method, following the OECD–JRC Handbook's worked example:

    1. Use units with no missing value; standardise each indicator (correlation matrix).
    2. Retain components whose eigenvalue exceeds ``min_eigenvalue`` (Kaiser) and that each
       explain more than ``min_share`` of the variance (at least one is always retained).
    3. Loadings = eigenvectors · sqrt(eigenvalue), varimax-rotated when ``rotate``.
    4. Square the loadings and scale each factor's column to sum to 1; assign each indicator to
       the factor where its scaled squared loading is largest.
    5. Weight = that scaled squared loading × the factor's share of the variance explained by
       the retained factors; normalise to sum to 1.

    The result reports the variance explained (each factor's and together) and whether the
    Handbook's criteria are met (eigenvalue > 1, share > 10 %, cumulative > 60 %), with a
    warning for each unmet one; it warns too when an indicator loads negatively on its factor
    (squared loadings give it a positive weight anyway: check its direction).

    Examples
    --------
    Two independent pairs of near-identical indicators: two factors, one per pair, and each
    indicator gets about a quarter of the weight:

    >>> rng = np.random.default_rng(7)
    >>> first, second = rng.normal(size=(2, 200))
    >>> noise = 0.05 * rng.normal(size=(4, 200))
    >>> data = np.column_stack([first, first, second, second]) + noise.T
    >>> result = pca_weights(data)
    >>> factor = result.assigned_factor
    >>> result.retained, bool(factor[0] == factor[1] != factor[2] == factor[3])
    (2, True)
    >>> np.round(result.weights, 2).tolist()
    [0.25, 0.25, 0.25, 0.25]
    """
    array = np.asarray(data, dtype=float)
    if array.ndim != 2 or array.shape[1] < 2:
        raise ValueError(
            f"PCA weights need a units × indicators array with 2+ indicators, got {array.shape}"
        )
    complete = ~np.isnan(array).any(axis=1)
    used = array[complete]
    if used.shape[0] < 3:
        raise ValueError(
            f"PCA weights need at least 3 units without missing values, got {used.shape[0]}"
        )
    spread = used.std(axis=0, ddof=1)
    if (spread == 0).any():
        column = int(np.flatnonzero(spread == 0)[0])
        raise ValueError(f"PCA weights: indicator {column} does not vary across units")
    correlation = np.corrcoef(used, rowvar=False)
    eigenvalues, eigenvectors = np.linalg.eigh(correlation)
    order = np.argsort(eigenvalues)[::-1]
    eigenvalues = np.clip(eigenvalues[order], 0.0, None)
    eigenvectors = eigenvectors[:, order]
    shares = eigenvalues / eigenvalues.sum()
    keep = (eigenvalues > min_eigenvalue) & (shares > min_share)
    retained = max(1, int(np.flatnonzero(~keep)[0]) if not keep.all() else keep.size)
    loadings = eigenvectors[:, :retained] * np.sqrt(eigenvalues[:retained])
    if rotate:
        loadings = varimax(loadings)
    loadings = loadings * np.where(loadings.sum(axis=0) < 0, -1.0, 1.0)
    squared = loadings**2
    factor_variance = squared.sum(axis=0)
    scaled = squared / factor_variance
    assigned = np.argmax(scaled, axis=1)
    factor_share = factor_variance / factor_variance.sum()
    raw = scaled[np.arange(scaled.shape[0]), assigned] * factor_share[assigned]
    cumulative = float(shares[:retained].sum())
    criteria = (
        ("eigenvalue > 1", bool((eigenvalues[:retained] > 1.0).all())),
        ("share > 10 %", bool((shares[:retained] > 0.10).all())),
        ("cumulative > 60 %", cumulative > PCA_CUMULATIVE_VARIANCE),
    )
    warnings = [
        f"PCA weights: the retained factors do not meet the Handbook criterion {name} "
        f"({retained} factor(s), {cumulative:.0%} of the variance together)"
        for name, met in criteria
        if not met
    ]
    own_loading = loadings[np.arange(loadings.shape[0]), assigned]
    negative = tuple(int(index) for index in np.flatnonzero(own_loading < 0))
    warnings += [
        f"PCA weights: indicator {index} loads negatively on factor {int(assigned[index])} "
        f"({own_loading[index]:.2f}); it gets a positive weight from the squared loading, "
        "so check its direction (higher must be better)"
        for index in negative
    ]
    return PcaWeights(
        weights=raw / raw.sum(),
        eigenvalues=eigenvalues,
        explained_variance_ratio=shares,
        retained=retained,
        loadings=loadings,
        assigned_factor=assigned,
        units_used=int(used.shape[0]),
        cumulative_variance=cumulative,
        criteria=criteria,
        negative_loadings=negative,
        warnings=tuple(warnings),
    )


def effective_weights(config: EngineConfig) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """Nominal weight of every item and every node in the overall score, all data present.

    Returns ``(item_weights, level_weights)``; each array sums to 1. Under arithmetic means at
    every level the overall score is exactly ``item_weights @ item_scores``.

    Examples
    --------
    >>> from scoring.engine.config import EngineConfig, ItemSpec, Level, NodeSpec, Points
    >>> config = EngineConfig(
    ...     items=(ItemSpec("a", "I1", Points(1), weight=0.4),
    ...            ItemSpec("b", "I1", Points(1), weight=0.6),
    ...            ItemSpec("c", "I2", Points(1))),
    ...     levels=(Level("indicator", (NodeSpec("I1", "P1"), NodeSpec("I2", "P1", weight=3))),
    ...             Level("pillar", (NodeSpec("P1"),))),
    ... )
    >>> items, levels = effective_weights(config)
    >>> items
    array([0.1 , 0.15, 0.75])
    """
    steps = config.hierarchy.steps
    weights_above = np.ones(1)
    level_weights: list[np.ndarray] = []
    for step in reversed(steps):
        parent_totals = step.child_weights @ step.onehot
        share = step.child_weights / parent_totals[step.parent_index]
        weights_above = share * weights_above[step.parent_index]
        level_weights.append(weights_above)
    item_weights = level_weights.pop()
    return item_weights, tuple(reversed(level_weights))

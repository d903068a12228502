"""Statistical audit of a set of units × indicators (COINr / OECD–JRC Handbook style).

- Skewness and kurtosis flags: an indicator needs treatment when |skew| ≥ 2 **and**
  kurtosis ≥ 3.5. Both are the bias-corrected sample statistics G1 and G2 (SAS/SPSS/Excel,
  e1071 "type 2", as COINr uses); **kurtosis is excess kurtosis** (0 for a normal distribution).
- Winsorisation, iterative and one extreme value (with its ties) at a time, towards the side
  of the skew, until the indicator passes or a point budget is used up (COINr ``qTreat``).
- Pearson correlations within each pillar on pairwise-complete data, flagging negative and
  very high (> 0.92 by default; near-duplicate indicators) pairs.
- Cronbach's alpha per pillar on complete cases.
- Data coverage per unit and per indicator.

References
----------
OECD & JRC (2008), *Handbook on Constructing Composite Indicators*, sections 4–5 and step 7.
Becker, W. et al. (2022), "COINr: An R package for developing composite indicators",
*Journal of Open Source Software* 7(78), 4567.
Cronbach, L. J. (1951), "Coefficient alpha and the internal structure of tests",
*Psychometrika* 16, 297–334.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = [
    "AuditResult",
    "CorrelationFlag",
    "DistributionCheck",
    "Winsorisation",
    "audit",
    "cronbach_alpha",
    "pairwise_correlations",
    "skew_kurtosis",
    "winsorise",
]

SKEW_THRESHOLD = 2.0
KURTOSIS_THRESHOLD = 3.5
HIGH_CORRELATION = 0.92


def _matrix(data: np.ndarray | Sequence[Sequence[float]], name: str) -> np.ndarray:
    array = np.asarray(data, dtype=float)
    if array.ndim != 2:
        raise ValueError(f"{name}: expected a units × indicators array, got shape {array.shape}")
    return array


@dataclass(frozen=True, eq=False)
class DistributionCheck:
    """Per-indicator skewness, excess kurtosis (G1, G2) and the treatment flag."""

    skewness: np.ndarray
    kurtosis: np.ndarray
    flagged: np.ndarray


def _column_skew_kurtosis(column: np.ndarray) -> tuple[float, float]:
    values = column[~np.isnan(column)]
    if values.size < 4 or np.ptp(values) == 0:
        return np.nan, np.nan
    return (
        float(stats.skew(values, bias=False)),
        float(stats.kurtosis(values, fisher=True, bias=False)),
    )


def skew_kurtosis(
    data: np.ndarray | Sequence[Sequence[float]],
    *,
    skew_threshold: float = SKEW_THRESHOLD,
    kurtosis_threshold: float = KURTOSIS_THRESHOLD,
) -> DistributionCheck:
    """Skewness and excess kurtosis per column (NaN ignored; NaN with fewer than 4 values).

    Examples
    --------
    COINr's example vector: 1..10 plus the outliers 30 and 100 (G1 ≈ 3.06, G2 ≈ 9.74):

    >>> check = skew_kurtosis(np.array([*range(1, 11), 30, 100], dtype=float)[:, None])
    >>> skew, kurtosis = check.skewness[0], check.kurtosis[0]
    >>> round(float(skew), 2), round(float(kurtosis), 2), check.flagged.tolist()
    (3.06, 9.74, [True])
    """
    array = _matrix(data, "skew_kurtosis")
    pairs = [_column_skew_kurtosis(array[:, column]) for column in range(array.shape[1])]
    skewness = np.array([pair[0] for pair in pairs])
    kurtosis = np.array([pair[1] for pair in pairs])
    with np.errstate(invalid="ignore"):
        flagged = (np.abs(skewness) >= skew_threshold) & (kurtosis >= kurtosis_threshold)
    return DistributionCheck(skewness=skewness, kurtosis=kurtosis, flagged=flagged)


@dataclass(frozen=True, eq=False)
class Winsorisation:
    """Treated data and what was done to each indicator."""

    data: np.ndarray
    #: Number of values replaced in each column.
    points: np.ndarray
    #: (units, indicators) True where a value was replaced.
    changed: np.ndarray
    #: Columns still failing the skew/kurtosis test after treatment (consider a log transform).
    still_flagged: np.ndarray
    before: DistributionCheck
    after: DistributionCheck


def winsorise(
    data: np.ndarray | Sequence[Sequence[float]],
    *,
    max_points: int = 5,
    skew_threshold: float = SKEW_THRESHOLD,
    kurtosis_threshold: float = KURTOSIS_THRESHOLD,
) -> Winsorisation:
    """Iteratively winsorise flagged columns, at most ``max_points`` values per column.

    Each round replaces the most extreme value on the skewed side (positive skew: the maximum,
    negative skew: the minimum), together with any ties, by the next value inwards, then
    re-tests. A round that would exceed ``max_points`` is not made.

    Examples
    --------
    >>> column = np.array([*range(1, 11), 30, 100], dtype=float)[:, None]
    >>> treated = winsorise(column, max_points=3)
    >>> treated.points.tolist(), treated.data[-2:, 0].tolist(), treated.still_flagged.tolist()
    ([1], [30.0, 30.0], [False])
    """
    if max_points < 0:
        raise ValueError(f"max_points must be non-negative, got {max_points}")
    array = _matrix(data, "winsorise").copy()
    options = {"skew_threshold": skew_threshold, "kurtosis_threshold": kurtosis_threshold}
    before = skew_kurtosis(array, **options)
    points = np.zeros(array.shape[1], dtype=np.int64)
    changed = np.zeros(array.shape, dtype=bool)
    for column in np.flatnonzero(before.flagged):
        values = array[:, column]
        skewness = before.skewness[column]
        while True:
            present = values[~np.isnan(values)]
            extreme = present.max() if skewness > 0 else present.min()
            inner = present[present != extreme]
            targets = values == extreme
            if inner.size == 0 or points[column] + targets.sum() > max_points:
                break
            values[targets] = inner.max() if skewness > 0 else inner.min()
            changed[targets, column] = True
            points[column] += int(targets.sum())
            skewness, kurtosis = _column_skew_kurtosis(values)
            if not (abs(skewness) >= skew_threshold and kurtosis >= kurtosis_threshold):
                break
    after = skew_kurtosis(array, **options)
    return Winsorisation(
        data=array,
        points=points,
        changed=changed,
        still_flagged=after.flagged,
        before=before,
        after=after,
    )


def pairwise_correlations(data: np.ndarray | Sequence[Sequence[float]]) -> np.ndarray:
    """Pearson correlation of every pair of columns over units where both are present.

    NaN where a pair has fewer than 3 common units or a column is constant on them.

    Examples
    --------
    Columns 0 and 2 share rows 0, 1, 3: x = (1, 2, 4), y = (3, 1, 2), r = −1 / sqrt(28/3).

    >>> np.round(pairwise_correlations([[1, 2, 3], [2, 4, 1], [3, 6, np.nan], [4, 8, 2]]), 3)
    array([[ 1.   ,  1.   , -0.327],
           [ 1.   ,  1.   , -0.327],
           [-0.327, -0.327,  1.   ]])
    """
    array = _matrix(data, "pairwise_correlations")
    present = (~np.isnan(array)).astype(float)
    # Centre each column first: the sums below are shift-invariant in exact arithmetic, but
    # on raw values around 1e7 the differences of large sums lose the variance to rounding
    # (and give NaN near 1e8). After centring, pairwise means are within the data's spread.
    raw = np.where(present > 0, array, 0.0)
    centre = raw.sum(axis=0) / np.maximum(present.sum(axis=0), 1.0)
    filled = np.where(present > 0, array - centre, 0.0)
    # Sums restricted to rows where both columns are present, for all pairs at once.
    count = present.T @ present
    sum_x = filled.T @ present
    sum_xx = (filled**2).T @ present
    sum_xy = filled.T @ filled
    with np.errstate(invalid="ignore", divide="ignore"):
        covariance = count * sum_xy - sum_x * sum_x.T
        variance_x = count * sum_xx - sum_x**2
        correlation = covariance / np.sqrt(variance_x * variance_x.T)
    correlation = np.where(
        (count >= 3) & (variance_x > 0) & (variance_x.T > 0), correlation, np.nan
    )
    return np.clip(correlation, -1.0, 1.0)


def cronbach_alpha(data: np.ndarray | Sequence[Sequence[float]]) -> float:
    """Cronbach's alpha of the columns over complete rows; NaN with < 2 columns or rows.

    α = k / (k − 1) · (1 − Σ var(column) / var(row sum)), sample variances.

    Examples
    --------
    Item variances 5/3, 19/12, 5/3; row sums 5, 8, 10, 14 with variance 14.25:
    α = 1.5 · (1 − 4.9167 / 14.25).

    >>> round(cronbach_alpha([[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 5]]), 4)
    0.9825
    """
    array = _matrix(data, "cronbach_alpha")
    complete = array[~np.isnan(array).any(axis=1)]
    columns = complete.shape[1]
    if columns < 2 or complete.shape[0] < 2:
        return float("nan")
    total_variance = complete.sum(axis=1).var(ddof=1)
    if total_variance == 0:
        return float("nan")
    item_variance = complete.var(axis=0, ddof=1).sum()
    return float(columns / (columns - 1) * (1.0 - item_variance / total_variance))


@dataclass(frozen=True)
class CorrelationFlag:
    """A within-pillar pair of indicators whose correlation needs a look."""

    group: str
    first: int
    second: int
    correlation: float
    reason: str  # "negative" or "very high"


@dataclass(frozen=True, eq=False)
class AuditResult:
    """Outcome of :func:`audit`."""

    distribution: DistributionCheck
    winsorisation: Winsorisation | None
    correlations: np.ndarray
    correlation_flags: tuple[CorrelationFlag, ...]
    groups: tuple[str, ...]
    cronbach_alpha: np.ndarray  # per group, in ``groups`` order
    unit_coverage: np.ndarray  # share of indicators present per unit
    indicator_coverage: np.ndarray  # share of units present per indicator


def audit(
    data: np.ndarray | Sequence[Sequence[float]],
    group_of_indicator: Sequence[str],
    *,
    winsorise_points: int | None = None,
    high_correlation: float = HIGH_CORRELATION,
    negative_correlation: float = 0.0,
    skew_threshold: float = SKEW_THRESHOLD,
    kurtosis_threshold: float = KURTOSIS_THRESHOLD,
) -> AuditResult:
    """Audit a units × indicators array whose columns belong to pillars ``group_of_indicator``.

    ``winsorise_points`` enables winsorisation with that point budget per indicator; the
    correlations and alphas are then computed on the treated data. Pairs within a pillar are
    flagged when r < ``negative_correlation`` or r > ``high_correlation``.

    Examples
    --------
    >>> data = np.array([[10, 20, 90], [20, 30, 70], [30, 41, 60], [40, 50, 20.0]])
    >>> result = audit(data, ["P1", "P1", "P1"])
    >>> [(flag.first, flag.second, flag.reason) for flag in result.correlation_flags]
    [(0, 1, 'very high'), (0, 2, 'negative'), (1, 2, 'negative')]
    """
    array = _matrix(data, "audit")
    labels = tuple(str(label) for label in group_of_indicator)
    if len(labels) != array.shape[1]:
        raise ValueError(
            f"audit: {len(labels)} pillar labels for {array.shape[1]} indicator columns"
        )
    options = {"skew_threshold": skew_threshold, "kurtosis_threshold": kurtosis_threshold}
    treatment = None
    if winsorise_points is not None:
        treatment = winsorise(array, max_points=winsorise_points, **options)
        array = treatment.data
    distribution = treatment.before if treatment else skew_kurtosis(array, **options)
    correlation = pairwise_correlations(array)
    groups = tuple(dict.fromkeys(labels))
    label_array = np.array(labels, dtype=object)
    flags: list[CorrelationFlag] = []
    alphas = np.full(len(groups), np.nan)
    for group_index, group in enumerate(groups):
        members = np.flatnonzero(label_array == group)
        alphas[group_index] = cronbach_alpha(array[:, members])
        for position, first in enumerate(members):
            for second in members[position + 1 :]:
                value = correlation[first, second]
                if np.isnan(value):
                    continue
                if value < negative_correlation:
                    reason = "negative"
                elif value > high_correlation:
                    reason = "very high"
                else:
                    continue
                flags.append(CorrelationFlag(group, int(first), int(second), float(value), reason))
    present = ~np.isnan(array)
    return AuditResult(
        distribution=distribution,
        winsorisation=treatment,
        correlations=correlation,
        correlation_flags=tuple(flags),
        groups=groups,
        cronbach_alpha=alphas,
        unit_coverage=present.mean(axis=1),
        indicator_coverage=present.mean(axis=0),
    )

"""Gaps to target, maturity stages, strengths and weaknesses.

gap = max(0, target − score); relative gap = gap / target; both NaN where the score is NaN.
The stage is the number of thresholds at or below the score (0-based; ``-1`` for NaN), so with
the default thresholds 20/40/60/80 a score of exactly 40 is stage 2, "Systematic".

Both comparisons allow :data:`SCORE_TOLERANCE` (1e-9 points on the 0–100 scale). Means are
computed in floating point: the geometric mean of two 80s is ``exp((ln 80 + ln 80) / 2)`` =
79.99999999999997, which every display shows as 80. Without a tolerance it would land in the
stage below and keep a gap of 2e-14 to a target of 80; with it, the stage and the gap are those of
the score as shown. Rounding errors of means of values in [0, 100] are below 1e-12, and no display
shows more than four decimals, so the tolerance changes nothing but these ties.

References
----------
Goldberg, D. (1991), "What every computer scientist should know about floating-point
arithmetic", *ACM Computing Surveys* 23(1), 5–48 — comparisons of computed values need a
tolerance.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from scoring.engine.constants import DEFAULT_STAGE_NAMES, DEFAULT_STAGE_THRESHOLDS

__all__ = [
    "NO_STAGE",
    "SCORE_TOLERANCE",
    "gaps",
    "relative_gaps",
    "stage_labels",
    "stages",
    "top_and_bottom",
]

#: Stage index reported where there is no score.
NO_STAGE = -1

#: Points (on 0–100) by which a score may fall short of a stage threshold or a target and still
#: reach it: absorbs floating-point rounding in the means, far below any displayed precision.
SCORE_TOLERANCE = 1e-9


def gaps(scores: np.ndarray, targets: np.ndarray | float = 100.0) -> np.ndarray:
    """max(0, target − score), NaN where the score is NaN; 0 within :data:`SCORE_TOLERANCE`.

    Examples
    --------
    >>> gaps(np.array([55.0, 90.0, np.nan]), targets=np.array([80.0, 80.0, 80.0]))
    array([25.,  0., nan])

    The geometric mean of two 80s, 79.99999999999997, meets a target of 80:

    >>> gaps(np.array([np.sqrt(80.0 * 80.0) - 3e-14]), targets=80.0)
    array([0.])
    """
    difference = np.asarray(targets, dtype=float) - np.asarray(scores, dtype=float)
    # NaN compares False, so a missing score keeps its NaN gap.
    return np.where(difference <= SCORE_TOLERANCE, 0.0, difference)


def relative_gaps(scores: np.ndarray, targets: np.ndarray | float = 100.0) -> np.ndarray:
    """Gap as a share of the target (0 = target met, 1 = score 0).

    Examples
    --------
    >>> relative_gaps(np.array([55.0, 90.0]), targets=80.0)
    array([0.3125, 0.    ])
    """
    target_array = np.asarray(targets, dtype=float)
    if np.any(target_array <= 0):
        raise ValueError("relative_gaps: targets must be positive")
    return gaps(scores, target_array) / target_array


def stages(
    scores: np.ndarray, thresholds: Sequence[float] = DEFAULT_STAGE_THRESHOLDS
) -> np.ndarray:
    """Stage index of every score: how many thresholds it reaches; ``NO_STAGE`` for NaN.

    A score reaches a threshold when it is at most :data:`SCORE_TOLERANCE` below it.

    Examples
    --------
    >>> stages(np.array([0.0, 19.9, 20.0, 59.0, 80.0, 100.0, np.nan]))
    array([ 0,  0,  1,  2,  4,  4, -1])
    >>> stages(np.array([79.99999999999997, 79.9999]))  # exp(ln 80) rounding; a real shortfall
    array([4, 3])
    """
    score_array = np.asarray(scores, dtype=float)
    threshold_array = np.asarray(thresholds, dtype=float)
    if any(high - low <= 0 for low, high in itertools.pairwise(threshold_array.tolist())):
        raise ValueError(f"stage thresholds must be strictly increasing, got {list(thresholds)}")
    # A few comparisons beat searchsorted on small threshold tables; NaN compares False.
    index = np.zeros(score_array.shape, dtype=np.int64)
    for threshold in threshold_array:
        index += score_array >= threshold - SCORE_TOLERANCE
    index[np.isnan(score_array)] = NO_STAGE
    return index


def stage_labels(
    stage_indices: np.ndarray, names: Sequence[str] = DEFAULT_STAGE_NAMES
) -> np.ndarray:
    """Names of stage indices; ``""`` for ``NO_STAGE``.

    Examples
    --------
    >>> stage_labels(np.array([0, 4, -1])).tolist()
    ['Basic', 'Transformational', '']
    """
    table = np.array([*names, ""], dtype=object)
    return table[np.asarray(stage_indices)]


def top_and_bottom(scores: np.ndarray, count: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Column indices of each unit's ``count`` highest and lowest scores (strengths, weaknesses).

    Returns two (units, count) integer arrays, best first and worst first; NaN scores are never
    chosen and short rows are padded with -1. Ties keep column order.

    Examples
    --------
    >>> strengths, weaknesses = top_and_bottom(np.array([[50.0, 90.0, np.nan, 10.0]]), count=2)
    >>> strengths.tolist(), weaknesses.tolist()
    ([[1, 0]], [[3, 0]])
    """
    matrix = np.atleast_2d(np.asarray(scores, dtype=float))
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    width = min(count, matrix.shape[-1])
    present = ~np.isnan(matrix)
    descending = np.argsort(np.where(present, -matrix, np.inf), axis=-1, kind="stable")[..., :width]
    ascending = np.argsort(np.where(present, matrix, np.inf), axis=-1, kind="stable")[..., :width]
    available = present.sum(axis=-1, keepdims=True)
    rank = np.arange(width)
    strengths = np.where(rank < available, descending, -1)
    weaknesses = np.where(rank < available, ascending, -1)
    if width < count:
        padding = np.full((*matrix.shape[:-1], count - width), -1)
        strengths = np.concatenate([strengths, padding], axis=-1)
        weaknesses = np.concatenate([weaknesses, padding], axis=-1)
    return strengths, weaknesses

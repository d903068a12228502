"""Aggregation of child scores into parent scores as masked matrix products.

Every parent combines its present (non-NaN) children with a weighted generalised mean

    M_p = ( Σ_c w_c x_c^e / Σ_c w_c )^(1/e),   the sums over present children of p,

with e = 1 (arithmetic), e → 0 (geometric, exp Σ w ln x / Σ w), e = −1 (harmonic) or any
other exponent (power mean). Weights renormalise over the children that are present, so
"not applicable" or missing children simply drop out. With a 0/1 membership matrix ``O``
(children × parents) the sums are ``(w · f(x)) @ O`` and ``(w · present) @ O``, so a level of
200 units × 300 children costs a couple of dense matrix products.

Zeros are handled explicitly: a present child scoring 0 with positive weight makes a geometric,
harmonic or negative-power mean exactly 0 (the limit of the formula), instead of ``log(0)``.

Batches (Monte Carlo)
---------------------
Scores may carry leading axes: ``child_scores`` of shape (..., units, children). Weights may
be ``(children,)`` or carry the same leading axes as ``(..., 1, children)``, so K weight
samples cost K times one evaluation with no Python loop::

    scores = np.broadcast_to(item_scores, (K, units, items))
    weights = sampled_item_weights[:, None, :]            # (K, 1, items)
    parents = aggregate_children(scores, weights, structure.onehot, structure.exponents)

Exponents are per parent (P,), shared by the batch; to compare aggregation methods, call once
per method. Memory grows as K × units × children: chunk K for very large batches.

References
----------
OECD & JRC (2008), *Handbook on Constructing Composite Indicators*, section 6.2 (linear,
geometric aggregation). Bullen, P. S. (2003), *Handbook of Means and Their Inequalities* (power
means and their limits).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from scoring.engine.hierarchy import Hierarchy, LevelStructure

__all__ = [
    "TreeScores",
    "aggregate_children",
    "aggregate_tree",
    "child_effective_weights",
    "local_derivatives",
    "weighted_mean",
]

_EXPONENTS = {"arithmetic": 1.0, "geometric": 0.0, "harmonic": -1.0}


def aggregate_children(
    child_scores: np.ndarray,
    child_weights: np.ndarray,
    onehot: np.ndarray,
    exponents: np.ndarray,
) -> np.ndarray:
    """Weighted generalised means of present children, for every parent at once.

    Parameters
    ----------
    child_scores : (..., units, children) non-negative scores; NaN means "not present".
    child_weights : (children,) or broadcastable (..., 1, children) non-negative weights.
    onehot : (children, parents) 0/1 matrix, exactly one 1 per row.
    exponents : (parents,) generalised-mean exponent of each parent (1, 0, −1 or p).

    Returns
    -------
    (..., units, parents) parent scores; NaN where a parent has no present child with weight.
    """
    scores = np.asarray(child_scores, dtype=float)
    weights = np.asarray(child_weights, dtype=float)
    exponent_array = np.asarray(exponents, dtype=float)
    present = ~np.isnan(scores)
    present_weight = np.where(present, weights, 0.0)
    denominators = present_weight @ onehot
    result = np.full(denominators.shape, np.nan)
    distinct = np.unique(exponent_array)
    for exponent in distinct:
        if distinct.size == 1:
            columns: slice | np.ndarray = slice(None)
            block = onehot
        else:
            columns = exponent_array == exponent
            block = onehot[:, columns]
        denominator = denominators[..., columns]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if exponent == 1.0:
                values = (np.where(present, scores, 0.0) * weights) @ block / denominator
            else:
                positive = present & (scores > 0)
                safe = np.where(positive, scores, 1.0)
                if exponent == 0.0:
                    values = np.exp((np.log(safe) * present_weight) @ block / denominator)
                else:
                    powered = np.where(positive, safe**exponent, 0.0) * present_weight
                    values = (powered @ block / denominator) ** (1.0 / exponent)
                if exponent <= 0.0:
                    zero_children = (present & ~positive) & (weights > 0)
                    has_zero = (zero_children.astype(float) @ block) > 0
                    values = np.where(has_zero, 0.0, values)
        result[..., columns] = np.where(denominator > 0, values, np.nan)
    return result


def weighted_mean(
    scores: np.ndarray | Sequence[float],
    weights: np.ndarray | Sequence[float] | None = None,
    *,
    method: Literal["arithmetic", "geometric", "harmonic", "power"] = "arithmetic",
    power: float = 1.0,
) -> np.ndarray:
    """Weighted mean over the last axis, skipping NaN and renormalising the weights.

    Examples
    --------
    Handbook 2008 §6.2: arithmetic vs geometric aggregation of (20, 80), equal weights:

    >>> float(weighted_mean([20.0, 80.0]))
    50.0
    >>> round(float(weighted_mean([20.0, 80.0], method="geometric")), 9)  # sqrt(20 · 80)
    40.0
    >>> round(float(weighted_mean([20.0, 80.0], method="harmonic")), 9)  # 2 / (1/20 + 1/80)
    32.0
    >>> float(weighted_mean([20.0, np.nan, 80.0], [1, 5, 3]))  # (20 + 3 · 80) / 4
    65.0
    >>> float(weighted_mean([0.0, 80.0], method="geometric"))
    0.0
    """
    array = np.asarray(scores, dtype=float)
    if array.ndim == 0:
        raise ValueError("weighted_mean needs at least one score")
    count = array.shape[-1]
    weight_array = np.ones(count) if weights is None else np.asarray(weights, dtype=float)
    if weight_array.shape[-1:] != (count,):
        raise ValueError(f"weighted_mean: {count} scores but weights of shape {weight_array.shape}")
    if (weight_array < 0).any() or not np.isfinite(weight_array).all():
        raise ValueError("weighted_mean: weights must be finite and non-negative")
    if method not in ("arithmetic", "geometric", "harmonic", "power"):
        raise ValueError(f"weighted_mean: unknown method {method!r}")
    exponent = _EXPONENTS.get(method, power)
    if method == "power" and power == 0:
        raise ValueError("weighted_mean: power 0 is the geometric mean; use method='geometric'")
    if exponent != 1.0 and np.nanmin(array, initial=0.0) < 0:
        raise ValueError(f"weighted_mean: the {method} mean needs non-negative scores")
    result = aggregate_children(array[..., None, :], weight_array, np.ones((count, 1)), [exponent])
    return result[..., 0, 0]


def child_effective_weights(
    child_scores: np.ndarray, child_weights: np.ndarray, structure: LevelStructure
) -> np.ndarray:
    """Share of each present child in its parent, weights renormalised; 0 for absent children."""
    present = ~np.isnan(child_scores)
    present_weight = np.where(present, child_weights, 0.0)
    denominators = present_weight @ structure.onehot
    with np.errstate(divide="ignore", invalid="ignore"):
        share = present_weight / denominators[..., structure.parent_index]
    return np.where(present, np.nan_to_num(share), 0.0)


def local_derivatives(
    child_scores: np.ndarray,
    parent_scores: np.ndarray,
    child_weights: np.ndarray,
    structure: LevelStructure,
    exponents: np.ndarray | None = None,
) -> np.ndarray:
    """∂ parent / ∂ child for every child, units on the second-to-last axis.

    For M = (Σ a_i x_i^e)^(1/e) with renormalised weights a_i, ∂M/∂x_c = a_c (x_c / M)^(e − 1):
    a_c for arithmetic, a_c M / x_c for geometric, a_c (M / x_c)² for harmonic. Where a
    geometric-type parent is 0 because of a single zero child, that child's derivative is
    unbounded (``inf``); other children of a zero parent get 0. Absent children get NaN.
    """
    exponent_of_parent = structure.exponents if exponents is None else np.asarray(exponents)
    exponent = exponent_of_parent[structure.parent_index]
    share = child_effective_weights(child_scores, child_weights, structure)
    parent = parent_scores[..., structure.parent_index]
    present = ~np.isnan(child_scores)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = child_scores / parent
        general = share * ratio ** (exponent - 1.0)
        zero_child = present & (child_scores == 0) & (share > 0)
        zero_count = (zero_child.astype(float) @ structure.onehot)[..., structure.parent_index]
        at_zero_parent = np.where(
            exponent > 0,
            share ** (1.0 / np.where(exponent > 0, exponent, 1.0)),
            np.where(zero_child & (zero_count == 1), np.inf, 0.0),
        )
    derivative = np.where(exponent == 1.0, share, np.where(parent == 0, at_zero_parent, general))
    return np.where(present & ~np.isnan(parent), derivative, np.nan)


@dataclass(frozen=True, eq=False)
class TreeScores:
    """Scores of every level after aggregation (leading batch axes preserved)."""

    #: ``levels[l]`` has shape (..., units, nodes of level l); the last entry is the top level.
    levels: tuple[np.ndarray, ...]
    #: (..., units) overall score.
    overall: np.ndarray


def aggregate_tree(
    hierarchy: Hierarchy,
    item_scores: np.ndarray,
    *,
    insufficient: Sequence[np.ndarray | None] | None = None,
    weights: Sequence[np.ndarray | None] | None = None,
    exponents: Sequence[np.ndarray | None] | None = None,
    propagate_insufficient: bool = False,
) -> TreeScores:
    """Aggregate item scores up the whole tree: items → indicators → ... → overall.

    Parameters
    ----------
    hierarchy : ``config.hierarchy``.
    item_scores : (..., units, items) scores on 0–100, NaN where excluded.
    insufficient : per level (not the overall), an optional (units, nodes) boolean mask of
        nodes flagged "insufficient data"; their scores become NaN before the next level.
    weights : per step (items→indicators first, top level→overall last), optional child
        weights overriding the configuration: (children,) or (..., 1, children) for batches.
    exponents : per step, optional (parents,) exponents overriding the configuration.
    propagate_insufficient : make the overall NaN wherever a top-level node is insufficient.
    """
    steps = hierarchy.steps
    current = np.asarray(item_scores, dtype=float)
    levels: list[np.ndarray] = []
    for index, step in enumerate(steps):
        child_weights = (
            step.child_weights if weights is None or weights[index] is None else weights[index]
        )
        step_exponents = (
            step.exponents if exponents is None or exponents[index] is None else exponents[index]
        )
        current = aggregate_children(current, child_weights, step.onehot, step_exponents)
        if index < len(steps) - 1:
            mask = None if insufficient is None else insufficient[index]
            if mask is not None:
                current = np.where(mask, np.nan, current)
            levels.append(current)
    overall = current[..., 0]
    if propagate_insufficient and insufficient is not None and insufficient[-1] is not None:
        overall = np.where(np.asarray(insufficient[-1]).any(axis=-1), np.nan, overall)
    return TreeScores(levels=tuple(levels), overall=overall)

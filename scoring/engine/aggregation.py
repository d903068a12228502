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

from scoring.engine.hierarchy import Hierarchy, LevelStructure, SparseMatrix

__all__ = [
    "TreeScores",
    "aggregate_children",
    "aggregate_present",
    "sum_by_parent",
    "aggregate_tree",
    "apply_zero_remedy",
    "child_effective_weights",
    "local_derivatives",
    "weighted_mean",
]

_EXPONENTS = {"arithmetic": 1.0, "geometric": 0.0, "harmonic": -1.0}
#: Up to this many multiply-adds (OpenBLAS's own single-thread limit for a matrix product) a
#: level is summed with a dense product rather than a sparse one.
_DENSE_WORK = 2**18


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
    present = ~np.isnan(scores)
    result, _ = aggregate_present(scores, present, child_weights, onehot, exponents)
    return result


def sum_by_parent(
    array: np.ndarray, membership: np.ndarray, sparse_transpose: SparseMatrix | None = None
) -> np.ndarray:
    """``array @ membership``; with a 2-D array and the sparse transpose given, a sparse product.

    The membership matrix has one non-zero per row, so a sparse product does a few hundred
    multiply-adds per unit where the dense one does children × parents.
    """
    # Small products (a few parents: pillars, the overall score) go to BLAS, which runs them
    # on one thread and skips scipy's per-call overhead; larger ones stay sparse, so that no
    # BLAS worker thread is woken (a busy second core leaves the caller spinning for it).
    small = array.shape[0] * membership.size <= _DENSE_WORK
    if sparse_transpose is not None and array.ndim == 2 and not small:
        return (sparse_transpose @ array.T).T
    return array @ membership


def aggregate_present(
    scores: np.ndarray,
    present: np.ndarray,
    child_weights: np.ndarray,
    onehot: np.ndarray,
    exponents: np.ndarray,
    *,
    membership: np.ndarray | None = None,
    sparse_membership: SparseMatrix | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`aggregate_children` with the presence mask given; also returns the denominators.

    The denominators are Σ of present children's weights per parent (..., units, parents).
    With 1-D weights, they are folded into the membership matrix (pass it precomputed as
    ``membership``, and its sparse transpose as ``sparse_membership``, to save work) so each
    sum is one matrix product; batched weights are multiplied in element-wise first.
    """
    weights = np.asarray(child_weights, dtype=float)
    exponent_array = np.asarray(exponents, dtype=float)
    presence = present.astype(float)
    if weights.ndim <= 1:
        if membership is None:
            membership = onehot * weights[:, None] if weights.ndim == 1 else onehot * weights
            sparse_membership = None
        folded_membership = membership

        def weighted_sums(array: np.ndarray) -> np.ndarray:
            return sum_by_parent(array, folded_membership, sparse_membership)

    else:

        def weighted_sums(array: np.ndarray) -> np.ndarray:
            return (array * weights) @ onehot

    denominators = weighted_sums(presence)
    # One method for every parent is the common case; np.unique costs more than the test.
    if exponent_array.size and (exponent_array == exponent_array.flat[0]).all():
        distinct = exponent_array.ravel()[:1]
    else:
        distinct = np.unique(exponent_array)
    result = denominators if distinct.size == 1 else np.full(denominators.shape, np.nan)
    # Each mean type is computed for every parent and kept where it applies: with sparse sums
    # that is cheaper than slicing the membership matrix per type.
    for exponent in distinct:
        columns: slice | np.ndarray = (
            slice(None) if distinct.size == 1 else exponent_array == exponent
        )
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if exponent == 1.0:
                values = weighted_sums(np.where(present, scores, 0.0)) / denominators
            else:
                positive = present & (scores > 0)
                safe = np.where(positive, scores, 1.0)
                if exponent == 0.0:
                    values = np.exp(weighted_sums(np.log(safe)) / denominators)
                else:
                    powered = np.where(positive, safe**exponent, 0.0)
                    values = (weighted_sums(powered) / denominators) ** (1.0 / exponent)
                if exponent <= 0.0:
                    zero = present & ~positive
                    if zero.any():
                        has_zero = weighted_sums(zero.astype(float)) > 0
                        values = np.where(has_zero, 0.0, values)
        values = np.where(denominators > 0, values, np.nan)
        if distinct.size == 1:
            result = values
        else:
            result[..., columns] = values[..., columns]
    return result, denominators


def apply_zero_remedy(scores: np.ndarray, remedy: str = "keep", value: float = 1.0) -> np.ndarray:
    """Item scores with the framework's remedy for zeros applied; NaN stays NaN.

    One zero makes a geometric or harmonic mean 0 whatever the other scores, and the zero then
    spreads up through every geometric parent. The OECD–JRC Handbook (2008, section 6.2)
    notes that geometric aggregation needs strictly positive values and suggests rescaling;
    COINr normalises onto [1, 100] for that reason. Two remedies, applied to every item score
    before any aggregation (so the same scores feed every mean, and the uncertainty analysis):

    * ``"floor"``: scores below ``value`` count as ``value`` (only the lowest answers move);
    * ``"shift"``: ``x → value + (100 − value) · x / 100``, the whole scale moved onto
      [value, 100] (ranks and ratios of gaps kept, every score raised a little).

    Examples
    --------
    >>> scores = np.array([0.0, 0.5, 50.0, 100.0, np.nan])
    >>> apply_zero_remedy(scores, "floor", 1.0).tolist()[:4]
    [1.0, 1.0, 50.0, 100.0]
    >>> apply_zero_remedy(scores, "shift", 1.0).tolist()[:4]
    [1.0, 1.495, 50.5, 100.0]
    >>> floored = apply_zero_remedy(np.array([0.0, 100.0]), "floor")  # sqrt(1 · 100)
    >>> round(float(weighted_mean(floored, method="geometric")), 9)
    10.0
    """
    if remedy == "keep":
        return scores
    if remedy == "floor":
        return np.where(scores < value, value, scores)
    if remedy == "shift":
        return value + (100.0 - value) * scores / 100.0
    raise ValueError(f"zero remedy must be 'keep', 'floor' or 'shift', got {remedy!r}")


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
    result = aggregate_children(
        array[..., None, :], weight_array, np.ones((count, 1)), np.array([exponent])
    )
    return result[..., 0, 0]


def child_effective_weights(
    child_scores: np.ndarray, child_weights: np.ndarray, structure: LevelStructure
) -> np.ndarray:
    """Share of each present child in its parent, weights renormalised; 0 for absent children.

    Examples
    --------
    >>> from scoring.engine.hierarchy import LevelStructure
    >>> step = LevelStructure.from_parents("indicator", ("I1",), [0, 0, 0], [1.0, 1.0, 2.0])
    >>> child_effective_weights(np.array([[50.0, np.nan, 70.0]]), step.child_weights, step)
    array([[0.33333333, 0.        , 0.66666667]])
    """
    present = ~np.isnan(child_scores)
    _, denominators = aggregate_present(
        child_scores, present, child_weights, structure.onehot, structure.exponents
    )
    return _shares(present, child_weights, denominators, structure.parent_index)


def _shares(
    present: np.ndarray,
    child_weights: np.ndarray,
    denominators: np.ndarray,
    parent_index: np.ndarray,
) -> np.ndarray:
    with np.errstate(divide="ignore"):
        inverse = np.where(denominators > 0, 1.0 / denominators, 0.0)
    return np.where(present, child_weights * np.take(inverse, parent_index, axis=-1), 0.0)


def _derivatives(
    child_scores: np.ndarray,
    present: np.ndarray,
    parent_scores: np.ndarray,
    share: np.ndarray,
    structure: LevelStructure,
    exponents: np.ndarray,
) -> np.ndarray:
    exponent = exponents[structure.parent_index]
    parent = np.take(parent_scores, structure.parent_index, axis=-1)
    derivative = share.copy()
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # a (x / M)^(e - 1), with the common exponents spelt out to avoid a general power.
        for value in np.unique(exponent):
            if value == 1.0:
                continue
            columns = exponent == value
            ratio = parent[..., columns] / child_scores[..., columns]
            if value == 0.0:
                factor = ratio
            elif value == -1.0:
                factor = ratio * ratio
            else:
                factor = ratio ** (1.0 - value)
            derivative[..., columns] = share[..., columns] * factor
        at_zero = (parent == 0) & present
        if at_zero.any():
            zero_child = present & (child_scores == 0) & (share > 0)
            zero_count = np.take(
                zero_child.astype(float) @ structure.onehot, structure.parent_index, -1
            )
            positive_power = share ** (1.0 / np.where(exponent > 0, exponent, 1.0))
            at_zero_value = np.where(
                exponent > 0,
                positive_power,
                np.where(zero_child & (zero_count == 1), np.inf, 0.0),
            )
            derivative = np.where(at_zero & (exponent != 1.0), at_zero_value, derivative)
    return np.where(present & ~np.isnan(parent), derivative, np.nan)


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

    Examples
    --------
    Geometric mean of (20, 80), equal weights: M = 40, ∂M/∂x₁ = ½ · 40 / 20 = 1.

    >>> from scoring.engine.hierarchy import LevelStructure
    >>> step = LevelStructure.from_parents("pillar", ("P1",), [0, 0], [1.0, 1.0], exponents=[0.0])
    >>> local_derivatives(np.array([[20.0, 80.0]]), np.array([[40.0]]), step.child_weights, step)
    array([[1.  , 0.25]])
    """
    scores = np.asarray(child_scores, dtype=float)
    present = ~np.isnan(scores)
    exponent_array = structure.exponents if exponents is None else np.asarray(exponents, float)
    _, denominators = aggregate_present(
        scores, present, child_weights, structure.onehot, exponent_array
    )
    share = _shares(present, child_weights, denominators, structure.parent_index)
    return _derivatives(scores, present, parent_scores, share, structure, exponent_array)


@dataclass(frozen=True, eq=False)
class TreeScores:
    """Scores of every level after aggregation (leading batch axes preserved)."""

    #: ``levels[l]`` has shape (..., units, nodes of level l); the last entry is the top level.
    levels: tuple[np.ndarray, ...]
    #: (..., units) overall score.
    overall: np.ndarray
    #: Per step, Σ weights of the present children of each parent (..., units, parents).
    denominators: tuple[np.ndarray, ...]
    #: Per step, the child weights and parent exponents actually used.
    child_weights: tuple[np.ndarray, ...]
    exponents: tuple[np.ndarray, ...]

    def effective_weights(
        self, hierarchy: Hierarchy, item_scores: np.ndarray
    ) -> tuple[np.ndarray, ...]:
        """Share of every item and node in the overall score: (items, level 0, ..., top level).

        Children of excluded or insufficient nodes get 0; each unit's item shares sum to 1
        wherever the overall score exists.
        """
        return self._top_down(hierarchy, item_scores, gains=False)

    def marginal_gains(
        self, hierarchy: Hierarchy, item_scores: np.ndarray
    ) -> tuple[np.ndarray, ...]:
        """∂ overall / ∂ score of every item and node (items, level 0, ..., top level)."""
        return self._top_down(hierarchy, item_scores, gains=True)

    def _top_down(
        self, hierarchy: Hierarchy, item_scores: np.ndarray, *, gains: bool
    ) -> tuple[np.ndarray, ...]:
        steps = hierarchy.steps
        children_of_step = [np.asarray(item_scores, dtype=float), *self.levels]
        parents_of_step = [*self.levels, self.overall[..., None]]
        missing_overall = np.isnan(self.overall)[..., None]
        if gains:
            above = np.where(missing_overall, np.nan, 1.0)
        else:
            above = np.where(missing_overall, 0.0, 1.0)
        results: list[np.ndarray] = []
        for index in reversed(range(len(steps))):
            step = steps[index]
            weights = self.child_weights[index]
            exponents = self.exponents[index]
            children = children_of_step[index]
            present = ~np.isnan(children)
            denominators = self.denominators[index]
            with np.errstate(divide="ignore", invalid="ignore"):
                if not gains:
                    scale = np.where(denominators > 0, above / denominators, 0.0)
                    above = np.where(present, weights * np.take(scale, step.parent_index, -1), 0.0)
                elif (exponents == 1.0).all():
                    scale = np.where(denominators > 0, above / denominators, np.nan)
                    above = np.where(
                        present, weights * np.take(scale, step.parent_index, -1), np.nan
                    )
                else:
                    share = _shares(present, weights, denominators, step.parent_index)
                    derivative = _derivatives(
                        children, present, parents_of_step[index], share, step, exponents
                    )
                    parent_gain = np.take(above, step.parent_index, -1)
                    above = np.where(
                        parent_gain == 0,
                        np.where(np.isnan(derivative), np.nan, 0.0),
                        derivative * parent_gain,
                    )
            results.append(above)
        return tuple(reversed(results))


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
    present = ~np.isnan(current)
    levels: list[np.ndarray] = []
    denominators: list[np.ndarray] = []
    weights_used: list[np.ndarray] = []
    exponents_used: list[np.ndarray] = []
    for index, step in enumerate(steps):
        weights_given = None if weights is None else weights[index]
        child_weights = step.child_weights if weights_given is None else weights_given
        exponents_given = None if exponents is None else exponents[index]
        step_exponents = step.exponents if exponents_given is None else exponents_given
        current, denominator = aggregate_present(
            current,
            present,
            child_weights,
            step.onehot,
            step_exponents,
            membership=step.membership if child_weights is step.child_weights else None,
            sparse_membership=(
                step.sparse_membership if child_weights is step.child_weights else None
            ),
        )
        denominators.append(denominator)
        weights_used.append(np.asarray(child_weights, dtype=float))
        exponents_used.append(np.asarray(step_exponents, dtype=float))
        if index < len(steps) - 1:
            mask = None if insufficient is None else insufficient[index]
            if mask is not None:
                current = np.where(mask, np.nan, current)
            levels.append(current)
        present = ~np.isnan(current)
    overall = current[..., 0]
    if propagate_insufficient and insufficient is not None and insufficient[-1] is not None:
        overall = np.where(np.asarray(insufficient[-1]).any(axis=-1), np.nan, overall)
    return TreeScores(
        levels=tuple(levels),
        overall=overall,
        denominators=tuple(denominators),
        child_weights=tuple(weights_used),
        exponents=tuple(exponents_used),
    )

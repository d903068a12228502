"""Missing data: coverage and peer-group imputation.

References
----------
OECD & JRC (2008), *Handbook on Constructing Composite Indicators*, section 4 — unconditional
mean/median substitution within groups; coverage screening before imputation.
Becker, W. et al. (2019), *COINr* documentation, "Data availability" — screening by the share of
data available, here weighted as the aggregation weights the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from scoring.engine.aggregation import sum_by_parent
from scoring.engine.hierarchy import SparseMatrix

__all__ = ["coverage", "group_codes", "impute_by_group", "weighted_coverage"]


def group_codes(groups: Sequence[object] | np.ndarray | None, units: int) -> np.ndarray:
    """Integer code per unit for its peer-group label (all zeros when ``groups`` is None)."""
    if groups is None:
        return np.zeros(units, dtype=np.intp)
    labels = [str(label) for label in groups]
    if len(labels) != units:
        raise ValueError(f"groups has {len(labels)} labels but there are {units} units")
    _, codes = np.unique(np.array(labels, dtype=object), return_inverse=True)
    return codes.astype(np.intp)


def impute_by_group(
    scores: np.ndarray,
    fill: np.ndarray,
    groups: Sequence[object] | np.ndarray | None = None,
    *,
    method: Literal["mean", "median"] = "mean",
) -> tuple[np.ndarray, np.ndarray]:
    """Fill the cells marked in ``fill`` with the mean or median of the same column in the group.

    Donors are the non-NaN cells of the same column and peer group that are not themselves
    being filled. A cell with no donor in its group stays NaN (and is not flagged).

    Returns ``(filled_scores, imputed)``, ``imputed`` flagging every value that was filled.

    Examples
    --------
    Two regions; unit 1's missing value takes its region's mean (20 + 40) / 2 = 30:

    >>> scores = np.array([[20.0], [np.nan], [40.0], [90.0]])
    >>> filled, imputed = impute_by_group(scores, np.isnan(scores), ["A", "A", "A", "B"])
    >>> filled[:, 0].tolist(), imputed[:, 0].tolist()
    ([20.0, 30.0, 40.0, 90.0], [False, True, False, False])
    """
    array = np.asarray(scores, dtype=float)
    fill_mask = np.asarray(fill, dtype=bool)
    if array.ndim != 2 or fill_mask.shape != array.shape:
        raise ValueError("impute_by_group: scores and fill must be 2-D arrays of the same shape")
    if method not in ("mean", "median"):
        raise ValueError(f"impute_by_group: method must be 'mean' or 'median', got {method!r}")
    codes = group_codes(groups, array.shape[0])
    donors = np.where(fill_mask, np.nan, array)
    group_count = int(codes.max()) + 1 if codes.size else 0
    if method == "mean":
        membership = np.zeros((group_count, array.shape[0]))
        membership[codes, np.arange(array.shape[0])] = 1.0
        present = ~np.isnan(donors)
        sums = membership @ np.where(present, donors, 0.0)
        counts = membership @ present.astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            statistic = np.where(counts > 0, sums / counts, np.nan)
    else:
        statistic = np.full((group_count, array.shape[1]), np.nan)
        columns = np.arange(array.shape[1])
        for group in range(group_count):
            # Sorting puts NaN last, so the middle of the first ``count`` values is the median
            # of the donors: (a + b) / 2, exactly what np.nanmedian returns, in one pass.
            ordered = np.sort(donors[codes == group], axis=0)
            count = np.count_nonzero(~np.isnan(ordered), axis=0)
            has_donor = count > 0
            lower = ordered[np.maximum(count - 1, 0) // 2, columns]
            upper = ordered[np.minimum(count // 2, ordered.shape[0] - 1), columns]
            statistic[group, has_donor] = ((lower + upper) / 2.0)[has_donor]
    candidate = statistic[codes]
    imputed = fill_mask & ~np.isnan(candidate)
    return np.where(imputed, candidate, array), imputed


def coverage(has_data: np.ndarray, applicable: np.ndarray, item_to_node: np.ndarray) -> np.ndarray:
    """Share of applicable items with data, per unit and node; NaN where nothing is applicable.

    Examples
    --------
    Three items in one node, one not applicable, one answered: coverage 1/2.

    >>> coverage(np.array([[True, False, False]]), np.array([[True, True, False]]), np.ones((3, 1)))
    array([[0.5]])
    """
    applicable_counts = np.asarray(applicable, dtype=float) @ item_to_node
    data_counts = np.asarray(has_data & applicable, dtype=float) @ item_to_node
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(applicable_counts > 0, data_counts / applicable_counts, np.nan)


def weighted_coverage(
    child_coverage: np.ndarray,
    membership: np.ndarray,
    sparse_transpose: SparseMatrix | None = None,
) -> np.ndarray:
    """Share of the parent's weight whose data is available: Σ w_c · c_c / Σ w_c.

    ``child_coverage`` is (units, children): 1 or 0 for an item with or without data, the
    coverage of a node for higher levels, NaN for a child with nothing applicable (left out, its
    weight rescaled away, exactly as aggregation leaves it out). ``membership`` is the
    (children, parents) matrix of child weights. A child of weight 0 does not count either way.
    NaN where no applicable child has weight.

    Applied level by level, a pillar's coverage is the share of its indicator weight that has
    data, an indicator counting in proportion to its own question weight with data: the rule in
    ``docs/framework-format.md``.

    Examples
    --------
    An indicator of weight 1 fully answered beside one of weight 4 with no data: 1/5, whatever
    the number of questions in each.

    >>> weighted_coverage(np.array([[1.0, 0.0]]), np.array([[1.0], [4.0]]))
    array([[0.2]])
    >>> weighted_coverage(np.array([[1.0, np.nan]]), np.array([[1.0], [4.0]]))  # 2nd n/a
    array([[1.]])
    """
    coverage_array = np.asarray(child_coverage, dtype=float)
    present = ~np.isnan(coverage_array)
    stacked = np.concatenate([np.where(present, coverage_array, 0.0), present.astype(float)])
    sums = sum_by_parent(stacked, membership, sparse_transpose)
    covered, weight = sums[: coverage_array.shape[0]], sums[coverage_array.shape[0] :]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(weight > 0, covered / np.where(weight > 0, weight, 1.0), np.nan)

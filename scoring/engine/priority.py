"""Priority of assessment gaps from several criteria: weighted sum and TOPSIS.

Each gap (an indicator where a country falls short of its target) is an
*alternative*; gap size, indicator importance, urgency and feasibility are
*criteria*. A criterion is either a **benefit** (larger values raise priority)
or a **cost** (larger values lower priority). For gap prioritisation all four
default criteria are benefits:

* gap size: distance between target and current score; a larger gap is more urgent to close;
* importance: the indicator's effective weight in the index; a heavier indicator moves the
  index more;
* urgency: a planner's rating of how soon the gap hurts (higher is more urgent);
* feasibility: a rating of how achievable closing the gap is (higher is easier).

If a planner records *difficulty* or *effort* instead of feasibility, pass it
to :func:`priority_scores` with the direction ``"cost"``.

Scores are computed by :func:`priority_scores` (any decision matrix) or by
:func:`gap_priority` (the four gap criteria as separate vectors). Ranks are
ordinal (1 = highest priority) with ties broken by the original order of the
gaps, so the same input always gives the same ranking.

References
----------
Hwang, C.-L. and Yoon, K. (1981). *Multiple Attribute Decision Making: Methods
and Applications*. Lecture Notes in Economics and Mathematical Systems 186. Springer.

Jahan, A. and Edwards, K. L. (2015). A state-of-the-art survey on the influence of
normalization techniques in ranking: improving the materials selection process in
engineering design. *Materials & Design* 65, 335-342.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "GAP_CRITERIA",
    "PriorityResult",
    "gap_priority",
    "normalise_decision_matrix",
    "priority_scores",
    "validate_criteria_weights",
]

Direction = Literal["benefit", "cost"]
PriorityMethod = Literal["weighted_sum", "topsis"]
Normalisation = Literal["min_max", "vector"]

GAP_CRITERIA: tuple[str, ...] = ("gap_size", "importance", "urgency", "feasibility")
"""Names of the default gap criteria, in the column order used by :func:`gap_priority`."""

_METHODS: tuple[str, ...] = ("weighted_sum", "topsis")
_NORMALISATIONS: tuple[str, ...] = ("min_max", "vector")
_DIRECTIONS: tuple[str, ...] = ("benefit", "cost")
# Scores closer than this are treated as ties so that rounding noise cannot reorder equal gaps.
_TIE_DECIMALS = 12


@dataclass(frozen=True)
class PriorityResult:
    """Priority scores of a set of gaps.

    Attributes
    ----------
    scores : ndarray, shape (n_gaps,)
        Priority score in [0, 1]; higher means more important to address.
    ranks : ndarray of int, shape (n_gaps,)
        Ordinal rank of each gap, 1 = highest priority; ties keep the input order.
    order : ndarray of int, shape (n_gaps,)
        Gap indices from highest to lowest priority (``order[0]`` has rank 1).
    contributions : ndarray, shape (n_gaps, n_criteria)
        Share of each criterion in each score; every row sums to the score.
        Weighted sum: ``weight_k * normalised_value_ik``. TOPSIS: the closeness
        split in proportion to each criterion's squared separation from the
        anti-ideal point (a criterion on which the gap is far from the worst value
        gets more credit).
    weights : ndarray, shape (n_criteria,)
        The criteria weights actually used, rescaled to sum to 1.
    criteria : tuple of str
        Criterion names, one per column.
    directions : tuple of str
        ``"benefit"`` or ``"cost"`` per criterion.
    method : str
        ``"weighted_sum"`` or ``"topsis"``.
    normalisation : str
        ``"min_max"`` or ``"vector"``.
    distance_to_ideal, distance_to_anti_ideal : ndarray or None
        TOPSIS separation measures S+ and S- (None for the weighted sum).
    """

    scores: NDArray[np.float64]
    ranks: NDArray[np.int64]
    order: NDArray[np.int64]
    contributions: NDArray[np.float64]
    weights: NDArray[np.float64]
    criteria: tuple[str, ...]
    directions: tuple[str, ...]
    method: str
    normalisation: str
    distance_to_ideal: NDArray[np.float64] | None = None
    distance_to_anti_ideal: NDArray[np.float64] | None = None


def validate_criteria_weights(weights: ArrayLike, n_criteria: int) -> NDArray[np.float64]:
    """Check planner-set criteria weights and rescale them to sum to 1.

    Parameters
    ----------
    weights : array_like, shape (n_criteria,)
        Non-negative, finite, not all zero. Only their ratios matter.
    n_criteria : int
        Expected number of weights.

    Returns
    -------
    ndarray
        The weights divided by their sum.

    Raises
    ------
    ValueError
        If the shape is wrong, a weight is negative or not finite, or all are zero.

    Examples
    --------
    >>> validate_criteria_weights([2, 1, 1, 0], 4).tolist()
    [0.5, 0.25, 0.25, 0.0]
    """
    array = np.asarray(weights, dtype=float)
    if array.shape != (n_criteria,):
        raise ValueError(
            f"criteria weights: expected {n_criteria} weights, one per criterion, "
            f"got shape {array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError("criteria weights: every weight must be a finite number")
    if np.any(array < 0):
        negative = np.flatnonzero(array < 0).tolist()
        raise ValueError(f"criteria weights: weights must be non-negative (negative at {negative})")
    total = array.sum()
    if total <= 0:
        raise ValueError("criteria weights: at least one weight must be greater than zero")
    return array / total


def normalise_decision_matrix(
    matrix: ArrayLike,
    directions: Sequence[str],
    normalisation: Normalisation = "min_max",
) -> NDArray[np.float64]:
    """Scale each criterion column to [0, 1] so that 1 is always the preferred end.

    Min-max (linear scale transformation)::

        benefit: (x - min) / (max - min)        cost: (max - x) / (max - min)

    Vector (Hwang and Yoon 1981; cost form from Jahan and Edwards 2015)::

        benefit: x / ||x||                      cost: 1 - x / ||x||

    where ``||x||`` is the Euclidean norm of the column. A column that does not
    discriminate (constant under min-max, all zero under vector) becomes all
    zeros: it carries no information about which gap comes first.

    Parameters
    ----------
    matrix : array_like, shape (n_alternatives, n_criteria)
        Finite values; non-negative when ``normalisation="vector"``.
    directions : sequence of {"benefit", "cost"}
        One per column.
    normalisation : {"min_max", "vector"}

    Returns
    -------
    ndarray, shape (n_alternatives, n_criteria)

    Examples
    --------
    >>> normalise_decision_matrix([[1, 10], [3, 20], [5, 30]], ["benefit", "cost"]).tolist()
    [[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]]
    """
    values = _validate_matrix(matrix, directions)
    if normalisation not in _NORMALISATIONS:
        raise ValueError(f"normalisation must be one of {_NORMALISATIONS}, got {normalisation!r}")
    is_cost = np.array([direction == "cost" for direction in directions])
    if normalisation == "min_max":
        low = values.min(axis=0)
        spread = values.max(axis=0) - low
        safe_spread = np.where(spread > 0, spread, 1.0)
        scaled = (values - low) / safe_spread
        scaled = np.where(is_cost, 1.0 - scaled, scaled)
        return np.where(spread > 0, scaled, 0.0)
    if np.any(values < 0):
        raise ValueError(
            "decision matrix: vector normalisation needs non-negative values; "
            "use min_max normalisation for criteria that can be negative"
        )
    # The norm is taken on the column divided by its largest value: squaring tiny values
    # (below ~1e-154) underflows to subnormal numbers and lost up to 1e-5 of the norm, so a
    # single gap scored 1.00002 instead of 1.
    largest = np.abs(values).max(axis=0)
    safe_largest = np.where(largest > 0, largest, 1.0)
    norms = largest * np.sqrt(((values / safe_largest) ** 2).sum(axis=0))
    safe_norms = np.where(norms > 0, norms, 1.0)
    scaled = values / safe_norms
    scaled = np.where(is_cost, 1.0 - scaled, scaled)
    return np.where(norms > 0, scaled, 0.0)


def priority_scores(
    matrix: ArrayLike,
    weights: ArrayLike | None = None,
    directions: Sequence[str] | None = None,
    *,
    method: PriorityMethod = "topsis",
    normalisation: Normalisation | None = None,
    criteria: Sequence[str] | None = None,
) -> PriorityResult:
    """Score and rank alternatives on several criteria.

    **Weighted sum**: ``score_i = sum_k w_k r_ik`` with ``r`` from
    :func:`normalise_decision_matrix` (min-max by default, or vector).

    **TOPSIS** (Hwang and Yoon 1981), always with vector normalisation:

    1. ``r_ik = x_ik / sqrt(sum_i x_ik^2)`` and ``v_ik = w_k r_ik``;
    2. ideal ``A+_k`` = max of ``v_k`` for benefit criteria and min for cost
       criteria; anti-ideal ``A-_k`` the opposite;
    3. ``S+_i = ||v_i - A+||`` and ``S-_i = ||v_i - A-||``;
    4. closeness ``C_i = S-_i / (S+_i + S-_i)``; when every alternative is
       identical on the weighted criteria (``S+ + S- = 0``) the closeness is 0.5.

    Parameters
    ----------
    matrix : array_like, shape (n_alternatives, n_criteria)
        Finite values; for TOPSIS and vector normalisation also non-negative.
    weights : array_like, shape (n_criteria,), optional
        Non-negative criteria weights, not all zero; rescaled to sum to 1.
        Equal weights when omitted.
    directions : sequence of {"benefit", "cost"}, optional
        Per criterion; all benefit when omitted.
    method : {"topsis", "weighted_sum"}
    normalisation : {"min_max", "vector"}, optional
        Weighted sum only (default ``"min_max"``); TOPSIS accepts only ``"vector"``.
    criteria : sequence of str, optional
        Criterion names for display; ``c0, c1, ...`` when omitted.

    Returns
    -------
    PriorityResult

    Raises
    ------
    ValueError
        On an empty or non-finite matrix, mismatched weights or directions,
        negative values where vector normalisation needs non-negative ones,
        or an unknown method.

    Examples
    --------
    The TOPSIS reference vector from the project domain notes (Hwang and Yoon method):

    >>> result = priority_scores(
    ...     [[4, 4], [1, 5], [3, 2], [4, 2]], [0.5, 0.5], ["benefit", "cost"], method="topsis"
    ... )
    >>> result.scores.round(3).tolist()
    [0.629, 0.0, 0.774, 1.0]
    >>> result.ranks.tolist()
    [3, 4, 2, 1]
    """
    values = np.asarray(matrix, dtype=float)
    if values.ndim != 2:
        raise ValueError(
            "decision matrix: expected a 2-D array (alternatives x criteria), "
            f"got shape {values.shape}"
        )
    n_criteria = values.shape[1]
    directions = tuple(directions) if directions is not None else ("benefit",) * n_criteria
    values = _validate_matrix(values, directions)
    names = tuple(criteria) if criteria is not None else tuple(f"c{k}" for k in range(n_criteria))
    if len(names) != n_criteria:
        raise ValueError(
            f"criteria names: expected {n_criteria} names, one per column, got {len(names)}"
        )
    used_weights = validate_criteria_weights(
        np.ones(n_criteria) if weights is None else weights, n_criteria
    )
    if method not in _METHODS:
        raise ValueError(f"priority method must be one of {_METHODS}, got {method!r}")

    distance_to_ideal = None
    distance_to_anti_ideal = None
    if method == "weighted_sum":
        normalisation = normalisation or "min_max"
        normalised = normalise_decision_matrix(values, directions, normalisation)
        contributions = normalised * used_weights
        scores = contributions.sum(axis=1)
    else:
        if normalisation not in (None, "vector"):
            raise ValueError(
                "TOPSIS uses vector normalisation (Hwang and Yoon 1981); "
                f"got normalisation={normalisation!r}"
            )
        normalisation = "vector"
        scores, contributions, distance_to_ideal, distance_to_anti_ideal = _topsis(
            values, used_weights, directions
        )

    order = np.argsort(-np.round(scores, _TIE_DECIMALS), kind="stable")
    ranks = np.empty(len(scores), dtype=np.int64)
    ranks[order] = np.arange(1, len(scores) + 1)
    return PriorityResult(
        scores=_frozen(scores),
        ranks=_frozen(ranks),
        order=_frozen(order.astype(np.int64)),
        contributions=_frozen(contributions),
        weights=_frozen(used_weights),
        criteria=names,
        directions=directions,
        method=method,
        normalisation=normalisation,
        distance_to_ideal=None if distance_to_ideal is None else _frozen(distance_to_ideal),
        distance_to_anti_ideal=(
            None if distance_to_anti_ideal is None else _frozen(distance_to_anti_ideal)
        ),
    )


def gap_priority(
    gap_size: ArrayLike,
    importance: ArrayLike,
    urgency: ArrayLike | None = None,
    feasibility: ArrayLike | None = None,
    *,
    weights: ArrayLike | None = None,
    method: PriorityMethod = "topsis",
    normalisation: Normalisation | None = None,
) -> PriorityResult:
    """Priority of each gap from gap size, importance, urgency and feasibility.

    All four criteria are benefits (see the module docstring). Missing urgency
    or feasibility vectors are treated as constant, which leaves them without
    influence on the ranking.

    Parameters
    ----------
    gap_size : array_like, shape (n_gaps,)
        Target minus current score, >= 0.
    importance : array_like, shape (n_gaps,)
        Effective weight of the indicator in the index, >= 0.
    urgency, feasibility : array_like, shape (n_gaps,), optional
        Planner ratings, >= 0, higher = more urgent / more feasible.
    weights : array_like, shape (4,), optional
        Criteria weights in the order of :data:`GAP_CRITERIA`; equal when omitted.
    method, normalisation
        As in :func:`priority_scores`.

    Returns
    -------
    PriorityResult
        With ``criteria == GAP_CRITERIA``.

    Raises
    ------
    ValueError
        If the vectors differ in length, are empty, or hold negative or non-finite values.

    Examples
    --------
    >>> result = gap_priority([40, 10, 25], [0.2, 0.5, 0.3], method="weighted_sum",
    ...                       weights=[1, 1, 0, 0])
    >>> result.order.tolist()
    [0, 1, 2]
    >>> result.scores.round(3).tolist()
    [0.5, 0.5, 0.417]
    """
    gap_vector = np.asarray(gap_size, dtype=float)
    if gap_vector.ndim != 1 or gap_vector.size == 0:
        raise ValueError(
            "gap_size: expected a non-empty 1-D vector, one value per gap, "
            f"got shape {gap_vector.shape}"
        )
    n_gaps = gap_vector.size
    columns = []
    for name, vector in zip(
        GAP_CRITERIA, (gap_vector, importance, urgency, feasibility), strict=True
    ):
        column = np.ones(n_gaps) if vector is None else np.asarray(vector, dtype=float)
        if column.shape != (n_gaps,):
            raise ValueError(
                f"{name}: expected {n_gaps} values, one per gap, got shape {column.shape}"
            )
        if np.any(column < 0):
            raise ValueError(f"{name}: values must be non-negative")
        columns.append(column)
    return priority_scores(
        np.column_stack(columns),
        weights,
        ("benefit",) * len(GAP_CRITERIA),
        method=method,
        normalisation=normalisation,
        criteria=GAP_CRITERIA,
    )


def _topsis(
    values: NDArray[np.float64], weights: NDArray[np.float64], directions: Sequence[str]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    if np.any(values < 0):
        raise ValueError(
            "decision matrix: TOPSIS with vector normalisation needs non-negative values"
        )
    norms = np.sqrt((values**2).sum(axis=0))
    weighted = weights * values / np.where(norms > 0, norms, 1.0)
    # A criterion whose alternatives differ only by floating-point rounding does not tell them
    # apart: without this, a change of unit (which vector normalisation cancels exactly in
    # theory) could turn a tie into a ranking, or the reverse.
    spread = weighted.max(axis=0) - weighted.min(axis=0)
    rounding = 16 * np.finfo(float).eps * np.abs(weighted).max(axis=0)
    weighted = np.where(spread <= rounding, weighted.mean(axis=0), weighted)
    is_cost = np.array([direction == "cost" for direction in directions])
    ideal = np.where(is_cost, weighted.min(axis=0), weighted.max(axis=0))
    anti_ideal = np.where(is_cost, weighted.max(axis=0), weighted.min(axis=0))
    squared_to_ideal = (weighted - ideal) ** 2
    squared_to_anti_ideal = (weighted - anti_ideal) ** 2
    distance_to_ideal = np.sqrt(squared_to_ideal.sum(axis=1))
    distance_to_anti_ideal = np.sqrt(squared_to_anti_ideal.sum(axis=1))
    total = distance_to_ideal + distance_to_anti_ideal
    closeness = np.where(total > 0, distance_to_anti_ideal / np.where(total > 0, total, 1.0), 0.5)

    anti_ideal_squared_total = squared_to_anti_ideal.sum(axis=1, keepdims=True)
    n_criteria = values.shape[1]
    shares = np.where(
        anti_ideal_squared_total > 0,
        squared_to_anti_ideal
        / np.where(anti_ideal_squared_total > 0, anti_ideal_squared_total, 1.0),
        1.0 / n_criteria,
    )
    contributions = shares * closeness[:, np.newaxis]
    return closeness, contributions, distance_to_ideal, distance_to_anti_ideal


def _validate_matrix(matrix: ArrayLike, directions: Sequence[str]) -> NDArray[np.float64]:
    values = np.asarray(matrix, dtype=float)
    if values.ndim != 2:
        raise ValueError(
            "decision matrix: expected a 2-D array (alternatives x criteria), "
            f"got shape {values.shape}"
        )
    if values.shape[0] == 0 or values.shape[1] == 0:
        raise ValueError(
            "decision matrix: needs at least one alternative and one criterion, "
            f"got shape {values.shape}"
        )
    if not np.all(np.isfinite(values)):
        raise ValueError(
            "decision matrix: every value must be a finite number (no NaN or infinity)"
        )
    if len(directions) != values.shape[1]:
        raise ValueError(
            f"criteria directions: expected {values.shape[1]} directions, one per column, "
            f"got {len(directions)}"
        )
    unknown = [direction for direction in directions if direction not in _DIRECTIONS]
    if unknown:
        raise ValueError(f"criteria directions: each must be 'benefit' or 'cost', got {unknown}")
    return values


def _frozen(array: NDArray[Any]) -> NDArray[Any]:
    array = np.array(array, copy=True)
    array.setflags(write=False)
    return array

"""Normalisation of raw answers and statistics to scores on 0–100.

Per-item rules (fixed by the configuration, so one unit's score never depends on another's):
level mapping, goalposts with optional log scaling and reversed direction, and points for
multiple choice. Rules over a set of units (min–max, z-score, distance to target, percentile
rank) work column-wise on a units × indicators array and ignore NaN.

References
----------
ITU (2023), *The ICT Development Index 2023: methodology* — goalposts from a threshold to a
target, capped at 100, ln(x + 1) scaling of skewed indicators, reversed price indicators.
OECD & JRC (2008), *Handbook on Constructing Composite Indicators*, section 5 — min–max,
z-score, distance to a reference, ranking/percentiles.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
from scipy import stats

from scoring.engine.config import Relative

if TYPE_CHECKING:
    from scoring.engine.hierarchy import Hierarchy

__all__ = [
    "distance_to_target",
    "goalposts",
    "map_levels",
    "min_max",
    "multiple_choice_points",
    "normalise_items",
    "percentile_rank",
    "points_score",
    "z_score",
]

Direction = Literal["higher", "lower"]


def map_levels(
    values: np.ndarray | Sequence[float], levels: Sequence[float], scores: Sequence[float]
) -> np.ndarray:
    """Score coded answers with a table: ``levels[k]`` scores ``scores[k]``; NaN stays NaN.

    Examples
    --------
    >>> map_levels([0, 3, 5, np.nan], levels=range(6), scores=[0, 20, 40, 60, 80, 100])
    array([  0.,  60., 100.,  nan])
    """
    array = np.asarray(values, dtype=float)
    codes = np.asarray(levels, dtype=float)
    table = np.asarray(scores, dtype=float)
    if codes.shape != table.shape or codes.ndim != 1:
        raise ValueError("map_levels: levels and scores must be 1-D and of equal length")
    matches = array[..., None] == codes
    unknown = ~np.isnan(array) & ~matches.any(axis=-1)
    if unknown.any():
        bad = array[unknown][0]
        raise ValueError(f"map_levels: {bad!r} is not one of the levels {codes.tolist()}")
    return np.where(np.isnan(array), np.nan, (matches * table).sum(axis=-1))


def _log_transform(array: np.ndarray, log: str | None, place: str) -> np.ndarray:
    if log is None:
        return array
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(array) & ~(array > (0.0 if log == "ln" else -1.0))
    if bad.any():
        requirement = "positive" if log == "ln" else "greater than -1"
        raise ValueError(f"{place}: log '{log}' needs values {requirement}, got {array[bad][0]!r}")
    return np.log(array) if log == "ln" else np.log1p(array)


def goalposts(
    values: np.ndarray | Sequence[float],
    threshold: float | np.ndarray,
    target: float | np.ndarray,
    *,
    log: Literal["ln", "ln1p"] | None = None,
) -> np.ndarray:
    """Rescale so that ``threshold`` scores 0 and ``target`` scores 100, clipped to [0, 100].

    score = 100 · (f(x) − f(threshold)) / (f(target) − f(threshold)), f the identity, ln or
    ln(x + 1). A target below the threshold gives reversed (lower-is-better) goalposts.
    ``threshold`` and ``target`` broadcast against ``values`` (one pair per column, say).

    Examples
    --------
    ITU IDI 2023 style, ln(x + 1) between 0 and a goalpost of 99 (ln 1 = 0, ln 100 ≈ 4.605):
    a value of 9 scores 100 · ln 10 / ln 100 = 50.

    >>> goalposts([9.0, 0.0, 500.0], threshold=0, target=99, log="ln1p")
    array([ 50.,   0., 100.])

    Lower is better (a price between 20 and 2):

    >>> goalposts([20.0, 11.0, 1.0], threshold=20, target=2)
    array([  0.,  50., 100.])
    """
    array = np.asarray(values, dtype=float)
    low = _log_transform(np.asarray(threshold, dtype=float), log, "goalposts threshold")
    high = _log_transform(np.asarray(target, dtype=float), log, "goalposts target")
    if np.any(low == high):
        raise ValueError("goalposts: threshold and target must differ")
    transformed = _log_transform(array, log, "goalposts")
    # "+ 0.0" turns the -0.0 that reversed goalposts produce into 0.0.
    return np.clip(100.0 * (transformed - low) / (high - low), 0.0, 100.0) + 0.0


def points_score(points: np.ndarray | Sequence[float], maximum: float | np.ndarray) -> np.ndarray:
    """Score a multiple-choice answer: 100 · min(points, maximum) / maximum, floored at 0.

    Examples
    --------
    >>> points_score([0, 2, 4, 7], maximum=4)
    array([  0.,  50., 100., 100.])
    """
    maximum_array = np.asarray(maximum, dtype=float)
    if np.any(maximum_array <= 0):
        raise ValueError("points_score: maximum must be positive")
    return np.clip(100.0 * np.asarray(points, dtype=float) / maximum_array, 0.0, 100.0)


def multiple_choice_points(
    chosen: np.ndarray | Sequence[Sequence[bool]], points: Sequence[float]
) -> np.ndarray:
    """Sum the points of the chosen options; ``chosen`` is (..., options) of booleans.

    Examples
    --------
    >>> multiple_choice_points([[True, False, True], [False, False, False]], points=[1, 2, 3])
    array([4., 0.])
    """
    chosen_array = np.asarray(chosen, dtype=bool)
    point_array = np.asarray(points, dtype=float)
    if chosen_array.shape[-1:] != point_array.shape:
        raise ValueError(
            f"multiple_choice_points: {chosen_array.shape[-1]} options chosen from but "
            f"{point_array.shape[0]} points given"
        )
    return chosen_array.astype(float) @ point_array


def _as_unit_matrix(data: np.ndarray | Sequence[Sequence[float]], name: str) -> np.ndarray:
    array = np.asarray(data, dtype=float)
    if array.ndim != 2:
        raise ValueError(f"{name}: expected a units × indicators array, got shape {array.shape}")
    return array


def _present_range(array: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    if np.isnan(array).all(axis=0).any():
        column = int(np.flatnonzero(np.isnan(array).all(axis=0))[0])
        raise ValueError(f"{name}: column {column} has no values")
    return np.nanmin(array, axis=0), np.nanmax(array, axis=0)


def min_max(
    data: np.ndarray | Sequence[Sequence[float]], *, direction: Direction = "higher"
) -> np.ndarray:
    """Column-wise min–max to 0–100 over units (Handbook 2008, §5.2); NaN ignored and kept.

    Examples
    --------
    >>> min_max([[1.0, 10.0], [3.0, 30.0], [2.0, np.nan]])
    array([[  0.,   0.],
           [100., 100.],
           [ 50.,  nan]])
    >>> min_max([[1.0], [3.0]], direction="lower")
    array([[100.],
           [  0.]])
    """
    array = _as_unit_matrix(data, "min_max")
    low, high = _present_range(array, "min_max")
    constant = high == low
    if constant.any():
        column = int(np.flatnonzero(constant)[0])
        raise ValueError(
            f"min_max: column {column} has the same value for every unit; min–max needs at "
            "least two distinct values (use goalposts to score a single unit)"
        )
    scaled = 100.0 * (array - low) / (high - low)
    return 100.0 - scaled if direction == "lower" else scaled


def z_score(data: np.ndarray | Sequence[Sequence[float]]) -> np.ndarray:
    """Column-wise standard score (x − mean) / sd over units, sample sd (ddof = 1); NaN ignored.

    Not on 0–100: use it for audit or as a step before min–max of an aggregate.

    Examples
    --------
    >>> z_score([[1.0], [2.0], [3.0]])
    array([[-1.],
           [ 0.],
           [ 1.]])
    """
    array = _as_unit_matrix(data, "z_score")
    counts = (~np.isnan(array)).sum(axis=0)
    if (counts < 2).any():
        raise ValueError("z_score: every column needs at least two values")
    deviation = np.nanstd(array, axis=0, ddof=1)
    if (deviation == 0).any():
        column = int(np.flatnonzero(deviation == 0)[0])
        raise ValueError(f"z_score: column {column} has zero variance")
    return (array - np.nanmean(array, axis=0)) / deviation


def distance_to_target(
    data: np.ndarray | Sequence[Sequence[float]],
    target: float | np.ndarray,
    *,
    direction: Direction = "higher",
) -> np.ndarray:
    """Distance to a reference as a share of it (Handbook 2008, §5.2), 0–100 and capped.

    Higher is better: 100 · x / target; lower is better: 100 · target / x (x must be positive).

    Examples
    --------
    >>> distance_to_target([[25.0], [50.0], [80.0]], target=50)
    array([[ 50.],
           [100.],
           [100.]])
    """
    array = _as_unit_matrix(data, "distance_to_target")
    target_array = np.asarray(target, dtype=float)
    if np.any(target_array <= 0):
        raise ValueError("distance_to_target: target must be positive")
    if direction == "lower":
        with np.errstate(invalid="ignore"):
            if np.any(array <= 0):
                raise ValueError("distance_to_target: lower-is-better values must be positive")
        return np.clip(100.0 * target_array / array, 0.0, 100.0)
    return np.clip(100.0 * array / target_array, 0.0, 100.0)


def percentile_rank(
    data: np.ndarray | Sequence[Sequence[float]], *, direction: Direction = "higher"
) -> np.ndarray:
    """Column-wise percentile rank 100 · (rank − 1) / (n − 1), ties averaged; NaN kept.

    Examples
    --------
    >>> percentile_rank([[10.0], [30.0], [20.0], [20.0], [np.nan]])
    array([[  0.],
           [100.],
           [ 50.],
           [ 50.],
           [ nan]])
    """
    array = _as_unit_matrix(data, "percentile_rank")
    ranks = stats.rankdata(array, axis=0, method="average", nan_policy="omit")
    counts = (~np.isnan(array)).sum(axis=0)
    if (counts < 2).any():
        raise ValueError("percentile_rank: every column needs at least two values")
    scaled = 100.0 * (ranks - 1.0) / (counts - 1.0)
    scaled = np.where(np.isnan(array), np.nan, scaled)
    return 100.0 - scaled if direction == "lower" else scaled


def _relative(matrix: np.ndarray, spec: Relative) -> np.ndarray:
    """A rule over units applied to every column of a (units, columns) block."""
    if spec.method == "min_max":
        return min_max(matrix, direction=spec.direction)
    if spec.method == "percentile_rank":
        return percentile_rank(matrix, direction=spec.direction)
    assert spec.target is not None  # noqa: S101 - guaranteed by Relative validation  # nosec B101
    return distance_to_target(matrix, spec.target, direction=spec.direction)


def _first_bad(mask: np.ndarray, item_codes: Sequence[str], columns: np.ndarray) -> str:
    unit, position = np.argwhere(mask)[0]
    return f"unit {int(unit)}, item {item_codes[int(columns[position])]!r}"


def _lookup_levels(block: np.ndarray, lookup: np.ndarray, offset: int) -> np.ndarray:
    """Scores of integer level codes by table lookup; NaN for NaN or codes that are not levels.

    ``lookup`` has one NaN column more than the codes span; anything that is not an integer
    code in range is sent there.
    """
    width = lookup.shape[1] - 1
    with np.errstate(invalid="ignore"):
        position = block - offset
        # NaN and infinities cast to some integer that never equals them; negative positions
        # wrap to huge unsigned values, so one comparison checks both ends of the range.
        integer = position.astype(np.intp)
    valid = (integer == position) & (integer.view(np.uintp) < width)
    index = np.where(valid, integer, width)
    index += np.arange(block.shape[1]) * lookup.shape[1]
    return np.take(lookup, index)


def normalise_items(hierarchy: Hierarchy, values: np.ndarray, answered: np.ndarray) -> np.ndarray:
    """Score every answered cell of a units × items array; other cells are NaN.

    ``hierarchy`` is ``config.hierarchy``; ``answered`` marks the cells whose value counts
    (the caller applies the "don't know" rule afterwards). Raises ValueError naming the first
    offending unit and item when a value does not fit its item's rule.
    """
    tables = hierarchy.tables
    codes = hierarchy.item_codes
    raw = np.where(answered, values, np.nan)
    scores = np.full(values.shape, np.nan, order="F" if values.flags.f_contiguous else "C")

    if tables.level_columns.size:
        columns = tables.level_columns
        block = raw[:, columns]
        if tables.level_lookup is not None:
            mapped = _lookup_levels(block, tables.level_lookup, tables.level_offset)
            unknown = ~np.isnan(block) & np.isnan(mapped)
        else:
            matches = block[:, :, None] == tables.level_codes[None, :, :]
            unknown = ~np.isnan(block) & ~matches.any(axis=2)
            mapped = np.where(
                np.isnan(block), np.nan, np.einsum("ukl,kl->uk", matches, tables.level_scores)
            )
        if unknown.any():
            raise ValueError(
                f"{_first_bad(unknown, codes, columns)}: value is not one of the item's levels"
            )
        scores[:, columns] = mapped

    for log, columns, low, high in tables.goalpost_groups:
        block = raw[:, columns]
        if log is not None:
            with np.errstate(invalid="ignore"):
                bad = ~np.isnan(block) & ~(block > (0.0 if log == "ln" else -1.0))
            if bad.any():
                requirement = "positive values" if log == "ln" else "values greater than -1"
                raise ValueError(
                    f"{_first_bad(bad, codes, columns)}: log '{log}' scaling needs {requirement}"
                )
            block = np.log(block) if log == "ln" else np.log1p(block)
        # In place, in the order of the formula 100 (x - low) / (high - low); "+ 0.0" turns
        # the -0.0 that reversed goalposts produce into 0.0.
        scaled = np.subtract(block, low)
        scaled *= 100.0
        scaled /= high - low
        np.clip(scaled, 0.0, 100.0, out=scaled)
        scaled += 0.0
        scores[:, columns] = scaled

    if tables.points_columns.size:
        columns = tables.points_columns
        scores[:, columns] = np.clip(100.0 * raw[:, columns] / tables.points_maximum, 0.0, 100.0)

    if tables.relative_columns:
        _normalise_relative(scores, raw, tables.relative_columns, codes)
    return scores


def _normalise_relative(
    scores: np.ndarray,
    raw: np.ndarray,
    relative_columns: tuple[tuple[int, Relative], ...],
    codes: Sequence[str],
) -> None:
    """Rules over units, one block per distinct rule (each column is scaled on its own)."""
    columns = np.array([column for column, _ in relative_columns], dtype=np.intp)
    answered_somewhere = ~np.isnan(raw[:, columns]).all(axis=0)
    blocks: dict[Relative, list[int]] = {}
    for (column, spec), keep in zip(relative_columns, answered_somewhere, strict=True):
        if keep:
            blocks.setdefault(spec, []).append(column)
    for spec, block_columns in blocks.items():
        try:
            scores[:, block_columns] = _relative(raw[:, block_columns], spec)
        except ValueError:
            # Name the first offending item exactly as a column-by-column pass would.
            for column in block_columns:
                try:
                    _relative(raw[:, [column]], spec)
                except ValueError as error:
                    raise ValueError(f"item {codes[column]!r}: {error}") from None
            raise

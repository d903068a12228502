"""How far imputing missing values could move a score: bounds over every plausible imputation.

Composite indices that need complete data (the ITU ICT Development Index among them) fill gaps
with imputations they do not publish. The platform scores a unit with the values it has (the
coverage rule of the framework) and states how much the missing values could matter: the lowest
and highest score reachable when every missing value is imputed anywhere within the range of
values observed for that question among the scored units.

Because every normalisation is monotone in the value (goalposts, possibly reversed or on a log
scale; levels and points never decrease) and every aggregation (arithmetic, geometric,
harmonic, with non-negative weights) is non-decreasing in each child, the two extremes are
reached by imputing each missing value at its worst and at its best observed value: the bounds
are exact over that range, not a sample (OECD & JRC (2008), *Handbook on Constructing Composite
Indicators*, section 4, on reporting the effect of imputation).

Pure numpy on top of the engine; no Django.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scoring.adapter import FrameworkLayout
from scoring.engine.constants import ANSWERED, MISSING
from scoring.engine.pipeline import ScoreResult, score
from surveys.frameworks.spec import Direction

__all__ = ["ImputationBounds", "imputation_bounds"]


@dataclass(frozen=True)
class ImputationBounds:
    """Scores with every missing value imputed at its worst (``low``) and best (``high``).

    ``missing[u]`` lists the question codes unit ``u`` has no value for; a unit without
    missing values has ``low`` and ``high`` equal to its score.
    """

    low: ScoreResult
    high: ScoreResult
    missing: tuple[tuple[str, ...], ...]


def _fill(values: np.ndarray, missing: np.ndarray, fill: np.ndarray) -> np.ndarray:
    return np.where(missing, fill[np.newaxis, :], values)


def imputation_bounds(
    layout: FrameworkLayout, values: np.ndarray, status: np.ndarray
) -> ImputationBounds:
    """Bounds of every score over imputations within the observed range of each question.

    ``values`` and ``status`` are the engine's arrays (:func:`scoring.adapter.answer_arrays`).
    A question no unit answered has no observed range: its missing cells stay missing in both
    bounds (the coverage rule then applies to them as usual).

    Examples
    --------
    Two units on the example framework; the second has no value for T.2, observed at 40 and
    (by a third unit) 80, so its indicator may lie anywhere between the two imputations:

    >>> from scoring.adapter import RawAnswer, answer_arrays, framework_layout
    >>> from surveys.frameworks.loader import EXAMPLE, load_framework_text
    >>> layout = framework_layout(load_framework_text(EXAMPLE))
    >>> units = [
    ...     {"T.1": RawAnswer("answered", "yes"), "T.2": RawAnswer("answered", 40)},
    ...     {"T.1": RawAnswer("answered", "yes")},
    ...     {"T.1": RawAnswer("answered", "yes"), "T.2": RawAnswer("answered", 80)},
    ... ]
    >>> bounds = imputation_bounds(layout, *answer_arrays(layout, units))
    >>> bounds.missing
    ((), ('T.2',), ())
    >>> round(float(bounds.low.overall[1]), 2), round(float(bounds.high.overall[1]), 2)
    (70.0, 90.0)
    """
    values = np.asarray(values, dtype=float)
    status = np.asarray(status)
    missing = status == MISSING
    observed = np.where(status == ANSWERED, values, np.nan)
    has_observed = ~np.all(np.isnan(observed), axis=0)
    lowest = np.full(values.shape[1], np.nan)
    highest = np.full(values.shape[1], np.nan)
    lowest[has_observed] = np.nanmin(observed[:, has_observed], axis=0)
    highest[has_observed] = np.nanmax(observed[:, has_observed], axis=0)
    reversed_ = np.array(
        [
            question.normalisation is not None
            and question.normalisation.direction is Direction.LOWER_IS_BETTER
            for question in layout.questions
        ],
        dtype=bool,
    )
    worst = np.where(reversed_, highest, lowest)
    best = np.where(reversed_, lowest, highest)
    fillable = missing & has_observed[np.newaxis, :]
    filled_status = np.where(fillable, ANSWERED, status).astype(status.dtype)
    low = score(layout.config, _fill(values, fillable, worst), filled_status)
    high = score(layout.config, _fill(values, fillable, best), filled_status)
    codes = layout.item_codes
    listed = tuple(tuple(codes[column] for column in np.flatnonzero(row)) for row in missing)
    return ImputationBounds(low=low, high=high, missing=listed)

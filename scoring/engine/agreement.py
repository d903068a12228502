"""Agreement between stakeholders and confidence intervals over respondents.

When several stakeholders answer the same questionnaire, two questions matter before a score
is trusted: do they agree, and how much would the score move with a different set of
respondents?  This module answers both with pure numpy/scipy:

* ``rwg`` and ``rwg_j``: within-group agreement per question and per multi-item pillar
  (James, Demaree & Wolf 1984), against a uniform ("random answering") null distribution.
* ``krippendorff_alpha``: inter-rater reliability for nominal, ordinal and interval data with
  missing values (Krippendorff 2011).
* ``agreement_report``: all of the above per question, per pillar and per assessment, with
  low-agreement flags for reviewers.
* ``bootstrap_pillar_scores``: bootstrap confidence intervals on pillar scores by resampling
  respondents (``scipy.stats.bootstrap``, seeded ``numpy.random.Generator``).

References
----------
.. [1] James, L. R., Demaree, R. G. & Wolf, G. (1984). Estimating within-group interrater
   reliability with and without response bias. Journal of Applied Psychology 69(1), 85-98.
.. [2] LeBreton, J. M. & Senter, J. L. (2008). Answers to 20 questions about interrater
   reliability and interrater agreement. Organizational Research Methods 11(4), 815-852.
.. [3] Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability.
   https://repository.upenn.edu/asc_papers/43
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

__all__ = [
    "LOW_AGREEMENT_THRESHOLD",
    "LOW_RELIABILITY_THRESHOLD",
    "AgreementReport",
    "PillarAgreement",
    "PillarBootstrap",
    "QuestionAgreement",
    "agreement_report",
    "bootstrap_pillar_scores",
    "expected_uniform_variance",
    "krippendorff_alpha",
    "pooled_krippendorff_alpha",
    "rwg",
    "rwg_j",
]

#: r_wg below this is flagged for reviewers. 0.70 is the conventional cut-off for "strong
#: enough agreement to aggregate individual answers" (LeBreton & Senter 2008, question 12).
LOW_AGREEMENT_THRESHOLD = 0.70

#: Krippendorff's alpha below this is flagged. Krippendorff (2004, p. 241) treats 0.667 as the
#: lowest value from which tentative conclusions may be drawn (0.800 for firm conclusions).
LOW_RELIABILITY_THRESHOLD = 0.667

MeasurementLevel = Literal["nominal", "ordinal", "interval"]
_LEVELS: tuple[str, ...] = ("nominal", "ordinal", "interval")


def expected_uniform_variance(scale_points: int) -> float:
    """Variance of answers given completely at random on an ``A``-point scale.

    This is the null ("no agreement") variance of r_wg: the variance of a discrete uniform
    distribution over ``A`` equally spaced points, ``(A**2 - 1) / 12`` [1]_.

    Parameters
    ----------
    scale_points : int
        Number of answer options ``A`` (at least 2).

    Returns
    -------
    float

    Examples
    --------
    >>> expected_uniform_variance(5)
    2.0
    """
    if isinstance(scale_points, bool) or int(scale_points) != scale_points or scale_points < 2:
        raise ValueError(f"scale_points must be an integer >= 2, got {scale_points!r}.")
    return (scale_points**2 - 1) / 12.0


def _as_ratings(ratings: npt.ArrayLike, *, name: str) -> npt.NDArray[np.float64]:
    array = np.asarray(ratings, dtype=float)
    if array.ndim not in (1, 2):
        raise ValueError(f"{name} must be 1-D (respondents) or 2-D (respondents x questions).")
    if np.isinf(array).any():
        raise ValueError(f"{name} contains infinite values; use NaN for a missing answer.")
    return array


def _sample_variance_per_column(ratings: npt.NDArray[np.float64]) -> tuple[np.ndarray, np.ndarray]:
    """Sample variance (ddof=1) and number of ratings per column, NaN where fewer than 2."""
    counts = np.sum(~np.isnan(ratings), axis=0)
    means = np.nanmean(np.where(counts >= 1, ratings, 0.0), axis=0)
    squared = np.nansum((ratings - means) ** 2, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        variance = np.where(counts >= 2, squared / np.maximum(counts - 1, 1), np.nan)
    return variance, counts


def rwg(ratings: npt.ArrayLike, *, scale_points: int) -> float | npt.NDArray[np.float64]:
    """Within-group agreement r_wg for one question or for each column of a matrix.

    ``r_wg = 1 - s**2 / sigma_E**2`` where ``s**2`` is the sample variance (ddof=1) of the
    ratings and ``sigma_E**2 = (A**2 - 1) / 12`` the variance expected if respondents had
    answered at random on an ``A``-point scale [1]_.

    Two cases are defined here rather than left to chance:

    * fewer than 2 ratings: agreement is undefined and NaN is returned;
    * observed variance above the random-answer variance (respondents split towards the
      two ends of the scale) would give a negative value; it is truncated to 0, meaning
      "no agreement", as recommended by LeBreton & Senter (2008) [2]_.

    Parameters
    ----------
    ratings : array_like
        Shape ``(respondents,)`` for one question or ``(respondents, questions)``.
        Answers are coded 1..A with unit spacing: the null variance ``(A**2 - 1) / 12`` is that
        of 1..A, so another spacing (e.g. 0, 20, ..., 100) must be recoded first (a spacing of
        ``c`` multiplies ``s**2`` by ``c**2`` and the null variance not). Custom level scores
        are treated as equally spaced: only the order of the levels counts;
        NaN marks a missing answer ("don't know", skipped) and is ignored.
    scale_points : int
        Number of answer options ``A`` on the scale.

    Returns
    -------
    float or ndarray
        A float for 1-D input, otherwise one value per question, each in [0, 1] or NaN.

    Examples
    --------
    >>> rwg([4, 4, 5, 4, 3], scale_points=5)
    0.75
    >>> rwg([[1, 5], [5, 5], [1, 5]], scale_points=5).tolist()
    [0.0, 1.0]
    """
    array = _as_ratings(ratings, name="ratings")
    expected = expected_uniform_variance(scale_points)
    matrix = array[:, None] if array.ndim == 1 else array
    variance, _ = _sample_variance_per_column(matrix)
    agreement = np.clip(1.0 - variance / expected, 0.0, 1.0)
    return float(agreement[0]) if array.ndim == 1 else agreement


def rwg_j(ratings: npt.ArrayLike, *, scale_points: int) -> float:
    """Multi-item within-group agreement r_wg(J) for a pillar of J parallel questions.

    ``r_wg(J) = J (1 - m / sigma_E**2) / (J (1 - m / sigma_E**2) + m / sigma_E**2)`` where
    ``m`` is the mean of the questions' sample variances [1]_. Only questions with at least
    2 ratings count towards ``J`` and ``m``. When ``m`` exceeds ``sigma_E**2`` the formula
    leaves [0, 1]; the value is then truncated to 0 (LeBreton & Senter 2008 [2]_).

    Parameters
    ----------
    ratings : array_like
        Shape ``(respondents, questions)``, NaN for a missing answer.
    scale_points : int
        Number of answer options on every question of the pillar.

    Returns
    -------
    float
        In [0, 1], or NaN if no question has 2 ratings.

    Examples
    --------
    >>> round(rwg_j([[4, 4], [4, 5], [5, 4], [4, 4], [3, 3]], scale_points=5), 3)
    0.857
    """
    array = _as_ratings(ratings, name="ratings")
    if array.ndim != 2:
        raise ValueError("rwg_j needs a 2-D matrix: respondents x questions.")
    expected = expected_uniform_variance(scale_points)
    variance, _ = _sample_variance_per_column(array)
    variance = variance[~np.isnan(variance)]
    if variance.size == 0:
        return float("nan")
    questions = variance.size
    variance_ratio = float(np.mean(variance)) / expected
    if variance_ratio >= 1.0:
        return 0.0
    agreement = questions * (1.0 - variance_ratio)
    return float(agreement / (agreement + variance_ratio))


def krippendorff_alpha(
    reliability_data: npt.ArrayLike, *, level: MeasurementLevel = "ordinal"
) -> float:
    """Krippendorff's alpha for a raters x units matrix with missing values.

    ``alpha = 1 - D_o / D_e``: observed disagreement within units over the disagreement
    expected by chance, both computed from the coincidence matrix of pairable values, as in
    Krippendorff (2011) [3]_. Units with fewer than two values are not pairable and ignored.

    Metrics ``delta**2(c, k)``: nominal ``[c != k]``; interval ``(c - k)**2``; ordinal
    ``(sum_{g=c..k} n_g - (n_c + n_k) / 2)**2`` with ``n_g`` the marginal frequency of value
    ``g`` among pairable values (so only the order of the codes matters).

    Parameters
    ----------
    reliability_data : array_like
        Shape ``(raters, units)``; numeric codes, NaN for a missing value.
    level : {"nominal", "ordinal", "interval"}
        Measurement level of the codes.

    Returns
    -------
    float
        1 is perfect agreement, 0 agreement at chance level; negative values are systematic
        disagreement. NaN when every pairable value is identical (no variation: chance
        agreement is then perfect too, and alpha is undefined) and when fewer than two units
        have two or more values.

    Examples
    --------
    Krippendorff (2011), section C, 4 raters x 12 units:

    >>> nan = float("nan")
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...         [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    >>> [round(krippendorff_alpha(data, level=lv), 3) for lv in ("nominal", "ordinal", "interval")]
    [0.743, 0.815, 0.849]
    """
    parts = _disagreements(reliability_data, level)
    if parts is None:
        return float("nan")
    observed, expected, _ = parts
    return float(1.0 - observed / expected)


def pooled_krippendorff_alpha(
    reliability_data: npt.ArrayLike,
    scale_of_unit: Sequence[Hashable],
    *,
    level: MeasurementLevel = "ordinal",
) -> float:
    """Krippendorff's alpha over units answered on different scales, one variable per scale.

    Pooling a 6-level maturity question with a 3-choice yes/partial/no as one ordinal variable
    compares codes that mean different things (level 3 of 6 is not "yes"), and the ordinal
    metric is built from the pooled marginal frequencies. Here each scale is its own variable
    with its own metric (Krippendorff 2011 [3]_, alpha = 1 - D_o / D_e per variable), and the
    observed and expected disagreements are summed over scales, each weighted by its ``n_s``
    pairable values: ``alpha = 1 - sum_s n_s D_o,s / sum_s n_s D_e,s``. With one scale it is
    :func:`krippendorff_alpha`; otherwise it lies between the scales' own alphas.

    Examples
    --------
    Two raters agree on two 3-point questions (alpha 1) and differ by one step on two 6-point
    ones (alpha 0.7): D_o = (0, 1), D_e = (8/3, 10/3), n = (4, 4), alpha = 1 - 4 / 24.

    >>> data = [[1, 3, 2, 5], [1, 3, 3, 6]]
    >>> round(pooled_krippendorff_alpha(data, ["3-point", "3-point", "6-point", "6-point"]), 4)
    0.8333
    >>> pooled_krippendorff_alpha(data, ["a"] * 4) == krippendorff_alpha(data)
    True
    """
    data = np.asarray(reliability_data, dtype=float)
    scales = [scale for scale in scale_of_unit]
    if data.ndim != 2 or len(scales) != data.shape[1]:
        raise ValueError("scale_of_unit must give one scale per unit (column).")
    observed_total, expected_total = 0.0, 0.0
    for scale in dict.fromkeys(scales):
        columns = [index for index, other in enumerate(scales) if other == scale]
        parts = _disagreements(data[:, columns], level)
        if parts is not None:
            observed_total += parts[0] * parts[2]
            expected_total += parts[1] * parts[2]
    if expected_total == 0.0:
        return float("nan")
    return float(1.0 - observed_total / expected_total)


def _disagreements(
    reliability_data: npt.ArrayLike, level: str
) -> tuple[float, float, float] | None:
    """``(D_o, D_e, n)``: observed and expected disagreement and pairable values; None if
    alpha is undefined (no pairable variation, or fewer than two pairable units)."""
    if level not in _LEVELS:
        raise ValueError(f"level must be one of {', '.join(_LEVELS)}; got {level!r}.")
    data = np.asarray(reliability_data, dtype=float)
    if data.ndim != 2:
        raise ValueError("reliability_data must be 2-D: raters x units (NaN = missing).")
    if np.isinf(data).any():
        raise ValueError("reliability_data contains infinite values; use NaN for missing.")
    values, codes = np.unique(data[~np.isnan(data)], return_inverse=True)
    if values.size == 0:
        return None
    value_counts = np.zeros((data.shape[1], values.size))
    unit_of_value = np.nonzero(~np.isnan(data))[1]
    np.add.at(value_counts, (unit_of_value, codes), 1.0)
    values_per_unit = value_counts.sum(axis=1)
    pairable = values_per_unit >= 2
    value_counts = value_counts[pairable]
    if value_counts.shape[0] < 2:
        # With one unit, chance disagreement is computed from the very values it is compared
        # with, so alpha is 0 whatever the raters did: report "undefined" instead.
        return None
    weights = 1.0 / (values_per_unit[pairable] - 1.0)
    # o_ck = sum_u n_uc (n_uk - [c == k]) / (m_u - 1): pairs of distinct values within a unit.
    coincidences = (value_counts * weights[:, None]).T @ value_counts
    coincidences -= np.diag((value_counts * weights[:, None]).sum(axis=0))
    marginals = coincidences.sum(axis=1)
    total = marginals.sum()
    squared_distance = _squared_distance(values, marginals, level)
    expected = float(np.outer(marginals, marginals).ravel() @ squared_distance.ravel())
    if expected == 0.0:
        return None
    observed = float(coincidences.ravel() @ squared_distance.ravel())
    # alpha = 1 - (n - 1) o / e = 1 - D_o / D_e with D_o = o / n and D_e = e / (n (n - 1)).
    return observed / total, expected / (total * (total - 1.0)), float(total)


def _squared_distance(
    values: npt.NDArray[np.float64], marginals: npt.NDArray[np.float64], level: str
) -> npt.NDArray[np.float64]:
    if level == "nominal":
        return 1.0 - np.eye(values.size)
    if level == "interval":
        return (values[:, None] - values[None, :]) ** 2
    cumulative = np.concatenate([[0.0], np.cumsum(marginals)])
    index = np.arange(values.size)
    low = np.minimum.outer(index, index)
    high = np.maximum.outer(index, index)
    between = cumulative[high + 1] - cumulative[low]
    return (between - (marginals[:, None] + marginals[None, :]) / 2.0) ** 2


@dataclass(frozen=True)
class QuestionAgreement:
    """Agreement among respondents on one question.

    ``low_agreement`` is True when r_wg is below the threshold; a question with fewer than
    two ratings has ``rwg`` NaN and is reported through ``too_few_ratings`` instead.
    """

    code: str
    n_ratings: int
    rwg: float
    low_agreement: bool

    @property
    def too_few_ratings(self) -> bool:
        return self.n_ratings < 2


@dataclass(frozen=True)
class PillarAgreement:
    """Agreement over the questions of one pillar: r_wg(J) and Krippendorff's alpha."""

    code: str
    question_codes: tuple[str, ...]
    rwg_j: float
    alpha: float
    low_agreement: bool


@dataclass(frozen=True)
class AgreementReport:
    """Agreement per question, per pillar and for the whole assessment.

    ``alpha`` is Krippendorff's alpha with respondents as raters and every question as a
    unit; ``flagged_questions`` lists the codes a reviewer should look at.
    """

    questions: tuple[QuestionAgreement, ...]
    pillars: tuple[PillarAgreement, ...]
    alpha: float
    level: str
    rwg_threshold: float
    alpha_threshold: float

    @property
    def flagged_questions(self) -> tuple[str, ...]:
        return tuple(question.code for question in self.questions if question.low_agreement)


def agreement_report(
    ratings: npt.ArrayLike,
    *,
    question_codes: Sequence[str],
    pillar_of_question: Sequence[str],
    scale_points: int,
    level: MeasurementLevel = "ordinal",
    rwg_threshold: float = LOW_AGREEMENT_THRESHOLD,
    alpha_threshold: float = LOW_RELIABILITY_THRESHOLD,
) -> AgreementReport:
    """Agreement per question (r_wg), per pillar (r_wg(J), alpha) and per assessment (alpha).

    Parameters
    ----------
    ratings : array_like
        Shape ``(respondents, questions)``, answers coded 1..A, NaN for missing.
    question_codes : sequence of str
        One code per column.
    pillar_of_question : sequence of str
        The pillar code of each column; pillars are reported in order of first appearance.
    scale_points : int
        Number of answer options ``A`` (the same for every question).
    level : {"nominal", "ordinal", "interval"}
        Measurement level for Krippendorff's alpha; maturity levels are ordinal.
    rwg_threshold, alpha_threshold : float
        A question is flagged when r_wg < ``rwg_threshold``; a pillar when its alpha
        < ``alpha_threshold`` or its r_wg(J) < ``rwg_threshold``. NaN never flags.

    Returns
    -------
    AgreementReport

    Examples
    --------
    >>> report = agreement_report(
    ...     [[4, 1, 3], [4, 5, 3], [5, 1, 3], [4, 5, 4], [3, 1, 3]],
    ...     question_codes=["Q1", "Q2", "Q3"], pillar_of_question=["P", "P", "G"],
    ...     scale_points=5)
    >>> report.flagged_questions
    ('Q2',)
    >>> [(pillar.code, pillar.low_agreement) for pillar in report.pillars]
    [('P', True), ('G', False)]
    """
    array = _as_ratings(ratings, name="ratings")
    if array.ndim != 2:
        raise ValueError("ratings must be 2-D: respondents x questions.")
    codes = tuple(str(code) for code in question_codes)
    pillars = tuple(str(code) for code in pillar_of_question)
    if len(codes) != array.shape[1] or len(pillars) != array.shape[1]:
        raise ValueError(
            f"ratings has {array.shape[1]} question columns but {len(codes)} question codes "
            f"and {len(pillars)} pillar codes were given."
        )
    if len(set(codes)) != len(codes):
        raise ValueError("question_codes must be unique.")
    question_rwg = rwg(array, scale_points=scale_points)
    counts = np.sum(~np.isnan(array), axis=0)
    questions = tuple(
        QuestionAgreement(
            code=code,
            n_ratings=int(count),
            rwg=float(value),
            low_agreement=bool(value < rwg_threshold),
        )
        for code, count, value in zip(codes, counts, np.atleast_1d(question_rwg), strict=True)
    )
    pillar_reports = []
    for pillar in dict.fromkeys(pillars):
        columns = [index for index, code in enumerate(pillars) if code == pillar]
        block = array[:, columns]
        pillar_rwg = rwg_j(block, scale_points=scale_points)
        # Respondents are the raters, questions the units rated.
        pillar_alpha = krippendorff_alpha(block, level=level)
        pillar_reports.append(
            PillarAgreement(
                code=pillar,
                question_codes=tuple(codes[index] for index in columns),
                rwg_j=pillar_rwg,
                alpha=pillar_alpha,
                low_agreement=bool(pillar_rwg < rwg_threshold or pillar_alpha < alpha_threshold),
            )
        )
    return AgreementReport(
        questions=questions,
        pillars=tuple(pillar_reports),
        alpha=krippendorff_alpha(array, level=level),
        level=level,
        rwg_threshold=rwg_threshold,
        alpha_threshold=alpha_threshold,
    )


@dataclass(frozen=True)
class PillarBootstrap:
    """Bootstrap confidence intervals on pillar scores, resampling respondents.

    Arrays are indexed like ``pillar_codes``. ``seed`` re-creates the run exactly.
    """

    pillar_codes: tuple[str, ...]
    estimate: npt.NDArray[np.float64]
    low: npt.NDArray[np.float64]
    high: npt.NDArray[np.float64]
    standard_error: npt.NDArray[np.float64]
    confidence_level: float
    n_resamples: int
    method: str
    seed: int
    n_respondents: int


ScoreFunction = Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]]


def _weighted_pillar_scorer(
    item_weights: npt.NDArray[np.float64], membership: npt.NDArray[np.float64]
) -> ScoreFunction:
    def score(responses: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        # Items nobody answered in a resample drop out and the pillar's weights renormalise,
        # the same rule the engine applies to "not applicable".
        answered = ~np.isnan(responses)
        counts = answered.sum(axis=-2)
        with np.errstate(invalid="ignore", divide="ignore"):
            item_means = np.where(answered, responses, 0.0).sum(axis=-2) / counts
        available = counts > 0
        weighted = np.where(available, item_means, 0.0) * item_weights
        totals = (available * item_weights) @ membership
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(totals > 0, (weighted @ membership) / totals, np.nan)

    return score


def bootstrap_pillar_scores(
    responses: npt.ArrayLike,
    *,
    pillar_of_item: Sequence[Hashable],
    item_weights: npt.ArrayLike | None = None,
    score_function: ScoreFunction | None = None,
    confidence_level: float = 0.95,
    n_resamples: int = 2000,
    method: Literal["percentile", "basic", "BCa"] = "percentile",
    seed: int = 0,
) -> PillarBootstrap:
    """Confidence intervals on pillar scores by resampling respondents with replacement.

    Each bootstrap resample draws ``n`` respondents (whole rows, so answers by one person stay
    together) and rescores the pillars; ``scipy.stats.bootstrap`` turns the resampled scores
    into intervals (Efron & Tibshirani 1993). By default a pillar score is the weighted mean,
    over its items, of the mean answer per item; items unanswered in a resample drop out and
    the remaining weights renormalise.

    ``method="percentile"`` is the default because small stakeholder panels often agree
    completely on a pillar, and BCa is undefined on such degenerate data.

    Parameters
    ----------
    responses : array_like
        Shape ``(respondents, items)``: each respondent's item scores (already on the score
        scale, e.g. 0-100), NaN where not answered.
    pillar_of_item : sequence
        Pillar code of each item; pillars are reported in order of first appearance.
    item_weights : array_like, optional
        Weight of each item within its pillar (non-negative); equal weights by default.
    score_function : callable, optional
        Replaces the default scorer. Receives an array ``(..., respondents, items)`` (a batch
        of resampled matrices) and returns ``(..., pillars)`` in pillar order.
    confidence_level : float
        Two-sided confidence level, in (0, 1).
    n_resamples : int
        Number of bootstrap resamples.
    method : {"percentile", "basic", "BCa"}
        Interval method passed to ``scipy.stats.bootstrap``.
    seed : int
        Seed of the ``numpy.random.Generator``; stored in the result.

    Returns
    -------
    PillarBootstrap

    Examples
    --------
    >>> result = bootstrap_pillar_scores(
    ...     [[50, 100, 0], [50, 75, 25], [100, 75, 25], [50, 100, 0]],
    ...     pillar_of_item=["people", "people", "policy"], n_resamples=500, seed=7)
    >>> result.pillar_codes, result.estimate.tolist()
    (('people', 'policy'), [75.0, 12.5])
    >>> bool(result.low[0] <= 75.0 <= result.high[0])
    True
    """
    matrix = np.asarray(responses, dtype=float)
    if matrix.ndim != 2:
        raise ValueError("responses must be 2-D: respondents x items (NaN = not answered).")
    if np.isinf(matrix).any():
        raise ValueError("responses contain infinite values; use NaN for a missing answer.")
    respondents, items = matrix.shape
    if respondents < 2:
        raise ValueError(f"bootstrapping needs at least 2 respondents; got {respondents}.")
    if len(pillar_of_item) != items:
        raise ValueError(
            f"responses has {items} item columns but pillar_of_item has "
            f"{len(pillar_of_item)} entries."
        )
    if not 0.0 < confidence_level < 1.0:
        raise ValueError(f"confidence_level must be in (0, 1); got {confidence_level}.")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be positive; got {n_resamples}.")
    pillars = tuple(dict.fromkeys(pillar_of_item))
    if score_function is None:
        weights = np.ones(items) if item_weights is None else np.asarray(item_weights, float)
        if weights.shape != (items,) or not np.all(np.isfinite(weights)) or (weights < 0).any():
            raise ValueError(f"item_weights must be {items} finite non-negative numbers.")
        membership = np.zeros((items, len(pillars)))
        membership[np.arange(items), [pillars.index(code) for code in pillar_of_item]] = 1.0
        score_function = _weighted_pillar_scorer(weights, membership)
    elif item_weights is not None:
        raise ValueError("give either item_weights or score_function, not both.")

    estimate = np.asarray(score_function(matrix), dtype=float)
    if estimate.shape != (len(pillars),):
        raise ValueError(
            f"score_function must return one score per pillar ({len(pillars)}); "
            f"got shape {estimate.shape}."
        )

    def statistic(respondent_index: np.ndarray, axis: int = -1) -> np.ndarray:
        # scipy resamples the respondent indices; rows are gathered so each respondent's
        # answers stay together. Result: pillars first, resamples last.
        scores = score_function(matrix[np.moveaxis(respondent_index, axis, -1)])
        return np.moveaxis(np.asarray(scores, dtype=float), -1, 0)

    result = stats.bootstrap(
        (np.arange(respondents),),
        statistic,
        n_resamples=n_resamples,
        vectorized=True,
        confidence_level=confidence_level,
        method=method,
        rng=np.random.default_rng(seed),
    )
    return PillarBootstrap(
        pillar_codes=tuple(str(code) for code in pillars),
        estimate=estimate,
        low=np.atleast_1d(result.confidence_interval.low),
        high=np.atleast_1d(result.confidence_interval.high),
        standard_error=np.atleast_1d(result.standard_error),
        confidence_level=confidence_level,
        n_resamples=n_resamples,
        method=method,
        seed=seed,
        n_respondents=respondents,
    )

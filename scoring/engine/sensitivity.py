"""Variance-based (Sobol) sensitivity analysis of a vectorised model with named inputs.

``sobol_analysis`` answers "which uncertain choice moves the result most?": the first-order
index ``S_i`` is the share of the output variance explained by input ``i`` alone, the total
index ``S_Ti`` the share it explains including every interaction with other inputs
(Sobol 2001; Saltelli et al. 2010).

The sampling design and the estimators are scipy's (``scipy.stats.sobol_indices``, Saltelli
2010 first order, Jansen total order): a scrambled Sobol' sequence gives matrices ``A`` and
``B``; ``AB_i`` is ``A`` with row ``i`` taken from ``B``. The model is evaluated once on all
points together, so a vectorised model pays one call, not one per point.

Confidence intervals come from ``R`` independent replicates (randomised quasi-Monte Carlo,
Owen 1997; L'Ecuyer & Lemieux 2002): each replicate is its own scrambled Sobol' sequence of
``n`` base points with its own seed, so the ``R`` estimates are independent and identically
distributed. The published index is their mean and the interval a Student t interval on
``R - 1`` degrees of freedom. A bootstrap over the points of one sequence treats them as
independent draws, which they are not: on the 8-input Sobol' G-function at N = 2048 its
interval for a first-order index of 7e-5 missed the exact value in 6 of 20 seeds; the
replicate intervals cover every index in at least 90 % of 40 seeds
(``tests/methodology/test_sobol_intervals.py``). Every figure then rests on ``R n (d + 2)``
model runs (:attr:`SobolIndices.n_evaluations`).

Before anything runs, every varied input must exist in the nominal configuration: a misspelt
input name raises ``ValueError`` instead of being silently ignored.

References
----------
.. [1] Sobol, I. M. (2001). Global sensitivity indices for nonlinear mathematical models and
   their Monte Carlo estimates. Mathematics and Computers in Simulation 55, 271-280.
.. [2] Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M. & Tarantola, S.
   (2010). Variance based sensitivity analysis of model output. Design and estimator for the
   total sensitivity index. Computer Physics Communications 181(2), 259-270.
.. [3] Archer, G. E. B., Saltelli, A. & Sobol, I. M. (1997). Sensitivity measures,
   ANOVA-like techniques and the use of bootstrap. Journal of Statistical Computation and
   Simulation 58(2), 99-120.
.. [4] Ishigami, T. & Homma, T. (1990). An importance quantification technique in
   uncertainty analysis for computer models. Proceedings of ISUMA '90, 398-403.
.. [5] Owen, A. B. (1997). Scrambled net variance for integrals of smooth functions. Annals of
   Statistics 25(4), 1541-1562.
.. [6] L'Ecuyer, P. & Lemieux, C. (2002). Recent advances in randomized quasi-Monte Carlo
   methods. In *Modeling Uncertainty*, Kluwer, 419-474 (independent replicates, t intervals).
.. [7] Saltelli, A. & Sobol', I. M. (1995). About the use of rank transformation in
   sensitivity analysis of model output. Reliability Engineering & System Safety 50(3),
   225-239 (the G-function and its exact indices).
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from scipy import stats
from scipy.stats import qmc

__all__ = [
    "DEFAULT_REPLICATES",
    "Distribution",
    "SobolIndices",
    "check_inputs_exist",
    "ishigami",
    "sobol_analysis",
    "sobol_g",
]

#: Independent scrambled replicates behind every interval (t on 7 degrees of freedom).
DEFAULT_REPLICATES = 8

#: Outputs whose standard deviation is below this share of their magnitude count as constant.
_ROUNDING_SCALE = 1e-9


class Distribution(Protocol):
    """Anything with an inverse CDF, such as a frozen ``scipy.stats`` distribution."""

    def ppf(self, q: Any) -> Any: ...


def _names_in(nominal: object) -> tuple[str, ...]:
    if dataclasses.is_dataclass(nominal) and not isinstance(nominal, type):
        return tuple(field.name for field in dataclasses.fields(nominal))
    if isinstance(nominal, Mapping):
        return tuple(str(name) for name in nominal)
    if isinstance(nominal, str):
        return (nominal,)
    if isinstance(nominal, Iterable):
        return tuple(str(name) for name in nominal)
    raise ValueError(
        "the nominal configuration must be a mapping, a dataclass instance or a list of "
        f"input names; got {type(nominal).__name__}."
    )


def check_inputs_exist(varied: Iterable[str], nominal: object, *, what: str = "input") -> None:
    """Raise ``ValueError`` unless every varied name exists in the nominal configuration.

    Sensitivity tools that silently skip an unknown (usually misspelt) input report an
    analysis that never varied it; this pre-flight check makes that impossible.

    Parameters
    ----------
    varied : iterable of str
        Names of the inputs an analysis varies.
    nominal : mapping, dataclass instance or iterable of str
        The nominal configuration, or the names it defines.
    what : str
        Noun used in the message ("input", "indicator", ...).

    Raises
    ------
    ValueError
        Naming every unknown input, with the closest known name where there is one.

    Examples
    --------
    >>> check_inputs_exist(["weights"], {"weights": 1, "aggregation": "arithmetic"})
    >>> check_inputs_exist(["wieghts"], {"weights": 1, "aggregation": "arithmetic"})
    Traceback (most recent call last):
    ...
    ValueError: unknown input 'wieghts' (did you mean 'weights'?): every input varied must \
exist in the nominal configuration, which defines: aggregation, weights.
    """
    known = _names_in(nominal)
    unknown = [name for name in dict.fromkeys(varied) if name not in known]
    if not unknown:
        return
    described = []
    for name in unknown:
        close = difflib.get_close_matches(str(name), known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        described.append(f"{name!r}{hint}")
    plural = "s" if len(unknown) > 1 else ""
    defined = ", ".join(sorted(known)) if known else "nothing"
    raise ValueError(
        f"unknown {what}{plural} {', '.join(described)}: every {what} varied must exist in the "
        f"nominal configuration, which defines: {defined}."
    )


@dataclass(frozen=True)
class SobolIndices:
    """First-order and total Sobol indices with t intervals over independent replicates.

    Arrays have shape ``(outputs, inputs)``, indexed like ``output_names`` and
    ``input_names``. Each index is the mean of ``n_replicates`` independent estimates, each
    from ``n_base_samples`` base points; ``n_evaluations`` = replicates × base points ×
    (inputs + 2) model runs stand behind every figure. ``seed`` re-creates every replicate.
    """

    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    first_order: npt.NDArray[np.float64]
    total_order: npt.NDArray[np.float64]
    first_order_low: npt.NDArray[np.float64]
    first_order_high: npt.NDArray[np.float64]
    total_order_low: npt.NDArray[np.float64]
    total_order_high: npt.NDArray[np.float64]
    confidence_level: float
    n_base_samples: int
    n_evaluations: int
    n_replicates: int
    seed: int

    def for_output(self, output: str) -> dict[str, dict[str, float]]:
        """Indices of one output as ``{input: {"first": .., "total": .., ...}}``."""
        if output not in self.output_names:
            raise ValueError(
                f"unknown output {output!r}; outputs are: {', '.join(self.output_names)}."
            )
        row = self.output_names.index(output)
        return {
            name: {
                "first": float(self.first_order[row, column]),
                "first_low": float(self.first_order_low[row, column]),
                "first_high": float(self.first_order_high[row, column]),
                "total": float(self.total_order[row, column]),
                "total_low": float(self.total_order_low[row, column]),
                "total_high": float(self.total_order_high[row, column]),
            }
            for column, name in enumerate(self.input_names)
        }


def ishigami(x: npt.ArrayLike, a: float = 7.0, b: float = 0.1) -> npt.NDArray[np.float64]:
    """Ishigami test function ``sin x1 + a sin^2 x2 + b x3^4 sin x1`` on rows of ``x``.

    The standard benchmark for Sobol indices [4]_; with inputs uniform on [-pi, pi] and
    a = 7, b = 0.1 the exact indices are first order (0.314, 0.442, 0) and total order
    (0.558, 0.442, 0.244).

    Examples
    --------
    >>> float(ishigami([[np.pi / 2], [np.pi / 2], [1.0]])[0])
    8.1
    """
    x = np.asarray(x, dtype=float)
    return np.sin(x[0]) + a * np.sin(x[1]) ** 2 + b * x[2] ** 4 * np.sin(x[0])


def sobol_g(x: npt.ArrayLike, a: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Sobol' G-function ``prod_i (|4 x_i - 2| + a_i) / (1 + a_i)`` on rows of ``x``.

    With inputs uniform on [0, 1] the exact indices are known [7]_: with
    ``V_i = 1 / (3 (1 + a_i)^2)`` and ``V = prod (1 + V_i) - 1``, the first-order index is
    ``V_i / V`` and the total ``V_i prod_{j != i} (1 + V_j) / V``. A large ``a_i`` makes input
    ``i`` almost irrelevant, so it tests estimators on small indices.

    Examples
    --------
    >>> sobol_g([[0.5], [1.0]], a=[0.0, 1.0]).tolist()  # (0 + 0) / 1 * (2 + 1) / 2
    [0.0]
    """
    x = np.asarray(x, dtype=float)
    a_array = np.asarray(a, dtype=float)[:, None]
    factors: npt.NDArray[np.float64] = (np.abs(4.0 * x - 2.0) + a_array) / (1.0 + a_array)
    return np.asarray(np.prod(factors, axis=0), dtype=np.float64)


def _saltelli_2010(
    f_a: npt.NDArray[np.float64],
    f_b: npt.NDArray[np.float64],
    f_ab: npt.NDArray[np.float64],
    multiplicity: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Saltelli (2010) first-order and Jansen total indices for many resamples at once.

    ``multiplicity`` has shape ``(resamples, n)``: how often each base point counts (ones for
    the plain estimator). Every estimator is a (weighted) mean over points, hence a matrix product.
    Returns two arrays of shape ``(resamples, outputs, inputs)``.
    """
    n = f_a.shape[-1]
    weights = multiplicity / n
    mean = (weights @ (f_a + f_b).T) / 2.0
    second_moment = (weights @ (f_a**2 + f_b**2).T) / 2.0
    variance = second_moment - mean**2
    inputs, outputs, _ = f_ab.shape
    first_terms = (f_b[None] * (f_ab - f_a[None])).reshape(inputs * outputs, n)
    total_terms = ((f_a[None] - f_ab) ** 2).reshape(inputs * outputs, n)
    first = (weights @ first_terms.T).reshape(-1, inputs, outputs)
    total = 0.5 * (weights @ total_terms.T).reshape(-1, inputs, outputs)
    with np.errstate(divide="ignore", invalid="ignore"):
        first = np.swapaxes(first, 1, 2) / variance[:, :, None]
        total = np.swapaxes(total, 1, 2) / variance[:, :, None]
    # scipy's convention: an output with no variance has indices 0, not NaN.
    first[~np.isfinite(first)] = 0.0
    total[~np.isfinite(total)] = 0.0
    return first, total


def sobol_analysis(
    model: Callable[[npt.NDArray[np.float64]], npt.ArrayLike],
    inputs: Mapping[str, Distribution],
    *,
    nominal: object,
    output_names: Sequence[str] | None = None,
    n_base_samples: int = 128,
    confidence_level: float = 0.95,
    n_replicates: int = DEFAULT_REPLICATES,
    seed: int = 0,
) -> SobolIndices:
    """First-order and total Sobol indices of named inputs, with t intervals over replicates.

    Parameters
    ----------
    model : callable
        Vectorised model: receives ``X`` of shape ``(d, m)``, one row per input in the order
        of ``inputs``, and returns ``(m,)`` or ``(outputs, m)``.
    inputs : mapping of str to distribution
        The varied inputs and their distributions (anything with ``ppf``, e.g. frozen
        ``scipy.stats`` distributions; ``scipy.stats.randint`` for a discrete choice).
    nominal : mapping, dataclass instance or iterable of str
        The nominal configuration; every key of ``inputs`` must exist in it.
    output_names : sequence of str, optional
        Names of the model outputs; ``"output 0"``, ... by default.
    n_base_samples : int
        ``n``, base points per replicate, a power of 2; the model is evaluated at
        ``n_replicates n (d + 2)`` points.
    confidence_level : float
        Two-sided level of the t intervals.
    n_replicates : int
        Independent scrambled Sobol' sequences (at least 2): the index is the mean of their
        estimates, the interval mean ± t(level, R - 1) × standard deviation / sqrt(R).

    An output with no variance (or only rounding noise, a standard deviation below 1e-9 of
    its magnitude) gets indices 0, as in scipy for exactly constant outputs.
    seed : int
        Seeds the replicates (``numpy.random.SeedSequence(seed).spawn``); stored in the result.

    Returns
    -------
    SobolIndices

    Examples
    --------
    >>> from scipy import stats
    >>> around = stats.uniform(loc=-np.pi, scale=2 * np.pi)
    >>> result = sobol_analysis(ishigami, {"x1": around, "x2": around, "x3": around},
    ...                         nominal={"x1": 0, "x2": 0, "x3": 0}, n_base_samples=2**11)
    >>> exact_first, exact_total = [0.314, 0.442, 0.0], [0.558, 0.442, 0.244]
    >>> bool(np.all(np.abs(result.first_order[0] - exact_first) < 0.01))
    True
    >>> bool(np.all(np.abs(result.total_order[0] - exact_total) < 0.01))
    True
    >>> result.n_replicates, result.n_evaluations  # 8 replicates × 2048 points × (3 + 2)
    (8, 81920)
    """
    names = tuple(str(name) for name in inputs)
    if not names:
        raise ValueError("inputs is empty: name at least one input to vary.")
    check_inputs_exist(names, nominal)
    if not callable(model):
        raise ValueError("model must be a callable taking an array of shape (inputs, points).")
    if (
        isinstance(n_base_samples, bool)
        or int(n_base_samples) != n_base_samples
        or n_base_samples < 2
        or n_base_samples & (n_base_samples - 1)
    ):
        raise ValueError(
            f"n_base_samples must be a power of 2 (>= 2) for the Sobol' sequence; "
            f"got {n_base_samples}."
        )
    if not 0.0 < confidence_level < 1.0:
        raise ValueError(f"confidence_level must be in (0, 1); got {confidence_level}.")
    if isinstance(n_replicates, bool) or int(n_replicates) != n_replicates or n_replicates < 2:
        raise ValueError(
            f"n_replicates must be an integer of at least 2 (an interval needs a spread); "
            f"got {n_replicates}."
        )
    distributions = [inputs[name] for name in names]
    for name, distribution in zip(names, distributions, strict=True):
        if not callable(getattr(distribution, "ppf", None)):
            raise ValueError(f"the distribution of input {name!r} has no ppf method.")

    d, n, replicates = len(names), int(n_base_samples), int(n_replicates)
    # One independent scrambling per replicate; within one, the same design as
    # scipy.stats.sobol_indices: a 2d-dimensional sequence split into A and B, so the two
    # matrices are uncorrelated (Saltelli et al. 2010, s. 5).
    blocks = []
    for child in np.random.SeedSequence(seed).spawn(replicates):
        rng = np.random.default_rng(child)
        unit_sample = qmc.Sobol(d=2 * d, seed=rng, bits=64).random(n).T.reshape(2, d, n)
        sample = np.empty_like(unit_sample)
        for row, distribution in enumerate(distributions):
            sample[:, row] = distribution.ppf(unit_sample[:, row])
        matrix_a, matrix_b = sample
        matrix_ab = np.tile(matrix_a, (d, 1, 1))
        matrix_ab[np.arange(d), np.arange(d)] = matrix_b
        blocks.append(np.concatenate([matrix_a, matrix_b, *matrix_ab], axis=1))
    points = np.concatenate(blocks, axis=1)
    runs = replicates * n * (d + 2)

    outputs = np.atleast_2d(np.asarray(model(points), dtype=float))
    if outputs.ndim != 2 or outputs.shape[1] != runs:
        raise ValueError(
            f"model must return shape (points,) or (outputs, points) for {runs} points; "
            f"got {np.shape(outputs)}."
        )
    if not np.all(np.isfinite(outputs)):
        raise ValueError(
            "model returned NaN or infinite values; Sobol indices need finite outputs."
        )
    n_outputs = outputs.shape[0]
    labels = (
        tuple(f"output {index}" for index in range(n_outputs))
        if output_names is None
        else tuple(str(name) for name in output_names)
    )
    if len(labels) != n_outputs:
        raise ValueError(f"model returned {n_outputs} outputs but {len(labels)} names were given.")

    per_replicate = outputs.reshape(n_outputs, replicates, d + 2, n)
    firsts = np.empty((replicates, n_outputs, d))
    totals = np.empty((replicates, n_outputs, d))
    for replicate in range(replicates):
        block = per_replicate[:, replicate]
        f_a, f_b, f_ab = block[:, 0], block[:, 1], np.moveaxis(block[:, 2:], 1, 0)
        # Centring by the replicate's mean keeps the variance estimate accurate (Sobol &
        # Levitan 1999) and the first-order numerator free of a mean-times-noise term.
        centre = np.mean([f_a, f_b], axis=(0, 2))[:, None]
        first, total = _saltelli_2010(f_a - centre, f_b - centre, f_ab - centre, np.ones((1, n)))
        firsts[replicate], totals[replicate] = first[0], total[0]
    first_order, total_order = firsts.mean(axis=0), totals.mean(axis=0)
    quantile = float(stats.t.ppf(0.5 + confidence_level / 2.0, replicates - 1))
    first_half = quantile * firsts.std(axis=0, ddof=1) / np.sqrt(replicates)
    total_half = quantile * totals.std(axis=0, ddof=1) / np.sqrt(replicates)
    first_low, first_high = first_order - first_half, first_order + first_half
    total_low, total_high = total_order - total_half, total_order + total_half
    # An output that varies only by rounding error (e.g. exp(log 50) against 50) is constant:
    # dividing its noise by its noise would report meaningless indices near 1.
    base = per_replicate[:, :, :2].reshape(n_outputs, -1)
    rounding = _ROUNDING_SCALE * np.maximum(np.abs(base.mean(axis=1)), 1.0)
    constant = np.var(base, axis=1) <= rounding**2
    for array in (first_order, total_order, first_low, first_high, total_low, total_high):
        array[constant] = 0.0
    return SobolIndices(
        input_names=names,
        output_names=labels,
        first_order=first_order,
        total_order=total_order,
        first_order_low=first_low,
        first_order_high=first_high,
        total_order_low=total_low,
        total_order_high=total_high,
        confidence_level=confidence_level,
        n_base_samples=n,
        n_evaluations=runs,
        n_replicates=replicates,
        seed=seed,
    )

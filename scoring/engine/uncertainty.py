"""Monte Carlo uncertainty and Sobol sensitivity over the choices a methodologist could make.

A published score rests on choices that reasonable people could make differently: the
weights, the aggregation method, the normalisation, what a "don't know" is worth and whether
gaps are imputed. :func:`run_uncertainty` samples those choices many times and reports, per
unit, the median and 5-95 % interval of the overall and pillar scores and of the rank, and
the probability that one unit scores above another. :func:`uncertainty_sensitivity` says which
choice matters most (Sobol indices per unit and for the mean absolute rank shift), following
the OECD-JRC Handbook (2008, section 7) and Saisana, Saltelli & Tarantola (2005).

Uncertain inputs are named; each must exist in the nominal configuration (see
:func:`nominal_input_names`) or the run stops with a ValueError naming it:

``"weights:<level>"``
    The weights of the nodes of ``<level>`` ("item" or a level name such as "indicator",
    "pillar") within their parents, perturbed around the nominal values by
    :class:`DirichletWeights` or :class:`UniformWeights`. A pool of ``n_weight_sets``
    perturbed weight vectors is drawn once; each sample picks one (as COINr does), so the
    input is a single dimension for the Sobol analysis.
``"aggregation:<level>"``
    Alternatives, e.g. ``("arithmetic", "geometric")``, for how every node of ``<level>``
    ("overall" for the overall score) combines its children.
``"normalisation"``
    Alternatives among ``"nominal"`` (the configuration's own rules), ``"min_max"`` and
    ``"percentile_rank"`` over the units; the alternatives replace goalposts and points rules
    (level mappings of coded answers are kept: they are not a scale to stretch).
``"dont_know_rule"``
    Alternatives among ``"exclude"`` and ``"lowest"``; items with their own rule keep it.
``"imputation"``
    Alternatives among ``None``, ``"mean"`` and ``"median"`` (within peer groups).

How it stays fast: the data choices (normalisation x "don't know" x imputation) give a few
variants of the item-score matrix, each computed once with :func:`scoring.engine.pipeline.score`.
Samples are grouped by variant, never looped over: the first aggregation step (the wide one,
units x items) is a matrix product of the samples' weight vectors with the variant's scores per
parent node; methods are stacked alternatives selected by index; upper levels are batched
through :func:`scoring.engine.aggregation.aggregate_children` with a leading sample axis.

References
----------
.. [1] OECD & JRC (2008). Handbook on Constructing Composite Indicators, section 7.
.. [2] Saisana, M., Saltelli, A. & Tarantola, S. (2005). Uncertainty and sensitivity analysis
   techniques as tools for the quality assessment of composite indicators. Journal of the
   Royal Statistical Society A 168(2), 307-323.
.. [3] Becker, W., Caperna, G., Del Sorbo, M., Norlen, H., Papadimitriou, E. & Saisana, M.
   (2022). COINr: an R package for developing composite indicators. Journal of Open Source
   Software 7(78), 4567.
"""

from __future__ import annotations

import dataclasses
import itertools
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from scoring.engine.aggregation import aggregate_children
from scoring.engine.config import EngineConfig, Goalposts, ItemSpec, Points, Relative
from scoring.engine.constants import ANSWERED
from scoring.engine.hierarchy import LevelStructure
from scoring.engine.pipeline import score
from scoring.engine.sensitivity import SobolIndices, check_inputs_exist, sobol_analysis

__all__ = [
    "AGGREGATION_ALTERNATIVES",
    "NORMALISATION_ALTERNATIVES",
    "DirichletWeights",
    "UncertaintyResult",
    "UniformWeights",
    "nominal_input_names",
    "run_uncertainty",
    "uncertainty_sensitivity",
]

AGGREGATION_ALTERNATIVES: dict[str, float] = {"arithmetic": 1.0, "geometric": 0.0, "harmonic": -1.0}
NORMALISATION_ALTERNATIVES = ("nominal", "min_max", "percentile_rank")
_DONT_KNOW_ALTERNATIVES = ("exclude", "lowest")
_IMPUTATION_ALTERNATIVES = (None, "mean", "median")
#: Samples evaluated together; bounds memory at about chunk x units x items x 8 bytes.
_CHUNK = 1024
_NOMINAL = -1


@dataclass(frozen=True)
class DirichletWeights:
    """Weights within each parent drawn from Dirichlet(concentration x nominal shares).

    The mean is the nominal share; a larger concentration means less spread (the standard
    deviation of a share ``p`` is ``sqrt(p (1 - p) / (concentration + 1))``). Children with
    nominal weight 0 keep weight 0.
    """

    concentration: float = 50.0

    def __post_init__(self) -> None:
        if not np.isfinite(self.concentration) or self.concentration <= 0:
            raise ValueError(
                f"DirichletWeights.concentration must be positive, got {self.concentration!r}."
            )


@dataclass(frozen=True)
class UniformWeights:
    """Each weight multiplied by ``1 + U(-spread, spread)``; ``spread`` in (0, 1)."""

    spread: float = 0.25

    def __post_init__(self) -> None:
        if not 0.0 < self.spread < 1.0:
            raise ValueError(f"UniformWeights.spread must lie in (0, 1), got {self.spread!r}.")


WeightNoise = DirichletWeights | UniformWeights
InputSpec = WeightNoise | Sequence[str | None]


def nominal_input_names(config: EngineConfig) -> tuple[str, ...]:
    """Names of every input an uncertainty analysis of ``config`` may vary.

    Examples
    --------
    >>> from scoring.engine.config import ItemSpec, Level, LevelMapping, NodeSpec
    >>> config = EngineConfig(
    ...     items=(ItemSpec("q1", "P1", LevelMapping.linear(range(6))),),
    ...     levels=(Level("pillar", (NodeSpec("P1"),)),))
    >>> nominal_input_names(config)  # doctest: +NORMALIZE_WHITESPACE
    ('weights:item', 'weights:pillar', 'aggregation:pillar', 'aggregation:overall',
     'normalisation', 'dont_know_rule', 'imputation')
    """
    child_levels = ("item", *config.level_names)
    parent_levels = (*config.level_names, "overall")
    return (
        *(f"weights:{name}" for name in child_levels),
        *(f"aggregation:{name}" for name in parent_levels),
        "normalisation",
        "dont_know_rule",
        "imputation",
    )


@dataclass(frozen=True, eq=False)
class UncertaintyResult:
    """Per-unit summaries of a Monte Carlo run over method choices.

    Arrays put units first; pillar arrays are (units, pillars). Intervals are the
    ``interval`` percentiles (5 and 95 by default) of the sampled values. Ranks are 1 for the
    best score; ties share the best rank. ``probability_above[i, j]`` is the share of samples
    in which unit ``i`` scores strictly above unit ``j``. NaN marks a score the configuration
    reports as "insufficient data" in every sample. ``choices`` (samples x inputs) holds the
    alternative index every sample used; with ``seed`` it reproduces the run exactly.
    """

    unit_codes: tuple[str, ...]
    pillar_codes: tuple[str, ...]
    input_names: tuple[str, ...]
    alternatives: Mapping[str, tuple[str | None, ...]]
    seed: int
    n_samples: int
    n_weight_sets: int
    interval: tuple[float, float]
    nominal_overall: npt.NDArray[np.float64]
    nominal_pillars: npt.NDArray[np.float64]
    nominal_rank: npt.NDArray[np.float64]
    overall_median: npt.NDArray[np.float64]
    overall_low: npt.NDArray[np.float64]
    overall_high: npt.NDArray[np.float64]
    pillar_median: npt.NDArray[np.float64]
    pillar_low: npt.NDArray[np.float64]
    pillar_high: npt.NDArray[np.float64]
    rank_median: npt.NDArray[np.float64]
    rank_low: npt.NDArray[np.float64]
    rank_high: npt.NDArray[np.float64]
    probability_above: npt.NDArray[np.float64]
    mean_absolute_rank_shift: npt.NDArray[np.float64]
    choices: npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class _Problem:
    """Everything prepared once before samples are evaluated."""

    config: EngineConfig
    input_names: tuple[str, ...]
    alternatives: dict[str, tuple[str | None, ...]]
    sizes: tuple[int, ...]
    variant_keys: tuple[tuple[str, str, str | None], ...]
    variant_configs: tuple[EngineConfig, ...]
    variant_scores: np.ndarray  # (variants, units, items), NaN where excluded
    variant_insufficient: tuple[np.ndarray, ...]  # per level: (variants, units, nodes)
    nominal_key: tuple[str, str, str | None]
    weight_pools: dict[int, np.ndarray]  # step -> (sets, children)
    method_exponents: dict[int, np.ndarray]  # step -> (alternatives,)
    #: (first-level nodes, widest node) item indices, children of each node side by side;
    #: ``padded_valid`` is False in the padding of nodes with fewer children.
    padded_items: np.ndarray
    padded_valid: np.ndarray
    positive_item_weight: np.ndarray  # (items,) nominal weight > 0
    n_weight_sets: int


def _alternatives(name: str, spec: InputSpec, allowed: Sequence[str | None]) -> tuple:
    if isinstance(spec, DirichletWeights | UniformWeights) or isinstance(spec, str):
        raise ValueError(f"input {name!r}: give a list of alternatives, e.g. {list(allowed)[:2]}.")
    options = tuple(spec)
    if not options:
        raise ValueError(f"input {name!r}: the list of alternatives is empty.")
    unknown = [option for option in options if option not in allowed]
    if unknown:
        raise ValueError(
            f"input {name!r}: unknown alternative {unknown[0]!r}; choose from "
            f"{', '.join(repr(option) for option in allowed)}."
        )
    if len(set(options)) != len(options):
        raise ValueError(f"input {name!r}: alternatives are repeated: {list(options)}.")
    return options


def _replace_normalisation(item: ItemSpec, method: str, raw: np.ndarray) -> ItemSpec:
    spec = item.normalisation
    if method == "nominal" or not isinstance(spec, Goalposts | Points):
        return item
    # A rule over units needs at least two distinct values; otherwise the item keeps its own.
    present = raw[~np.isnan(raw)]
    if np.unique(present).size < 2:
        return item
    direction = spec.direction if isinstance(spec, Goalposts) else "higher"
    return dataclasses.replace(item, normalisation=Relative(method=method, direction=direction))


def _prepare(
    config: EngineConfig,
    values: np.ndarray,
    status: np.ndarray,
    *,
    inputs: Mapping[str, InputSpec],
    groups: Sequence[object] | np.ndarray | None,
    n_weight_sets: int,
    rng: np.random.Generator,
) -> _Problem:
    check_inputs_exist(inputs, nominal_input_names(config), what="uncertain input")
    if n_weight_sets < 1:
        raise ValueError(f"n_weight_sets must be positive, got {n_weight_sets}.")
    hierarchy = config.hierarchy
    steps = hierarchy.steps
    step_of_child_level = {"item": 0} | {name: i + 1 for i, name in enumerate(config.level_names)}
    step_of_parent_level = {name: i for i, name in enumerate(config.level_names)}
    step_of_parent_level["overall"] = len(steps) - 1

    alternatives: dict[str, tuple] = {}
    sizes: list[int] = []
    weight_pools: dict[int, np.ndarray] = {}
    method_exponents: dict[int, np.ndarray] = {}
    for name, spec in inputs.items():
        kind, _, level = name.partition(":")
        if kind == "weights":
            if not isinstance(spec, DirichletWeights | UniformWeights):
                raise ValueError(
                    f"input {name!r}: expected DirichletWeights(...) or UniformWeights(...), "
                    f"got {spec!r}."
                )
            step = steps[step_of_child_level[level]]
            weight_pools[step_of_child_level[level]] = _weight_pool(step, spec, n_weight_sets, rng)
            alternatives[name] = (repr(spec),)
            sizes.append(n_weight_sets)
            continue
        if kind == "aggregation":
            options = _alternatives(name, spec, tuple(AGGREGATION_ALTERNATIVES))
            method_exponents[step_of_parent_level[level]] = np.array(
                [AGGREGATION_ALTERNATIVES[option] for option in options]
            )
        elif name == "normalisation":
            options = _alternatives(name, spec, NORMALISATION_ALTERNATIVES)
        elif name == "dont_know_rule":
            options = _alternatives(name, spec, _DONT_KNOW_ALTERNATIVES)
        else:
            options = _alternatives(name, spec, _IMPUTATION_ALTERNATIVES)
        alternatives[name] = options
        sizes.append(len(options))

    nominal_key = ("nominal", config.dont_know_rule, config.imputation)
    keys = set(
        itertools.product(
            alternatives.get("normalisation", ("nominal",)),
            alternatives.get("dont_know_rule", (config.dont_know_rule,)),
            alternatives.get("imputation", (config.imputation,)),
        )
    )
    variant_keys = (nominal_key, *sorted(keys - {nominal_key}, key=repr))
    raw = np.where(status == ANSWERED, values, np.nan)
    variant_configs, variant_scores, insufficient = [], [], []
    for normalisation, dont_know_rule, imputation in variant_keys:
        items = tuple(
            _replace_normalisation(item, normalisation, raw[:, column])
            for column, item in enumerate(config.items)
        )
        variant = dataclasses.replace(
            config, items=items, dont_know_rule=dont_know_rule, imputation=imputation
        )
        result = score(variant, values, status, groups=groups)
        variant_configs.append(variant)
        variant_scores.append(np.asarray(result.item_scores))
        insufficient.append([np.asarray(level.insufficient) for level in result.levels])

    first = steps[0]
    children = [np.flatnonzero(first.parent_index == parent) for parent in range(first.n_parents)]
    width = max(len(members) for members in children)
    padded_items = np.zeros((first.n_parents, width), dtype=np.intp)
    padded_valid = np.zeros((first.n_parents, width), dtype=bool)
    for parent, members in enumerate(children):
        padded_items[parent, : len(members)] = members
        padded_valid[parent, : len(members)] = True
    return _Problem(
        config=config,
        input_names=tuple(inputs),
        alternatives=alternatives,
        sizes=tuple(sizes),
        variant_keys=variant_keys,
        variant_configs=tuple(variant_configs),
        variant_scores=np.stack(variant_scores),
        variant_insufficient=tuple(
            np.stack([levels[index] for levels in insufficient])
            for index in range(len(config.levels))
        ),
        nominal_key=nominal_key,
        weight_pools=weight_pools,
        method_exponents=method_exponents,
        padded_items=padded_items,
        padded_valid=padded_valid,
        positive_item_weight=first.child_weights > 0,
        n_weight_sets=n_weight_sets,
    )


def _weight_pool(
    step: LevelStructure, noise: WeightNoise, sets: int, rng: np.random.Generator
) -> np.ndarray:
    nominal = step.child_weights
    if isinstance(noise, UniformWeights):
        return nominal * (1.0 + rng.uniform(-noise.spread, noise.spread, (sets, nominal.size)))
    # Dirichlet within each parent via independent gamma draws normalised per parent.
    parent_totals = (nominal @ step.onehot)[step.parent_index]
    shares = np.divide(nominal, parent_totals, out=np.zeros_like(nominal), where=parent_totals > 0)
    positive = shares > 0
    draws = np.zeros((sets, nominal.size))
    draws[:, positive] = rng.gamma(
        noise.concentration * shares[positive], size=(sets, positive.sum())
    )
    totals = (draws @ step.onehot)[:, step.parent_index]
    return np.divide(draws, totals, out=np.zeros_like(draws), where=totals > 0)


def _evaluate(problem: _Problem, choices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Overall (samples, units) and pillar (samples, units, pillars) scores of the choices.

    ``choices`` holds one alternative index per sample and input (``-1`` = nominal).
    """
    overall_parts, pillar_parts = [], []
    for start in range(0, choices.shape[0], _CHUNK):
        overall, pillars = _evaluate_chunk(problem, choices[start : start + _CHUNK])
        overall_parts.append(overall)
        pillar_parts.append(pillars)
    return np.concatenate(overall_parts), np.concatenate(pillar_parts)


def _column(problem: _Problem, choices: np.ndarray, name: str) -> np.ndarray | None:
    if name not in problem.input_names:
        return None
    return choices[:, problem.input_names.index(name)]


def _variant_of_samples(problem: _Problem, choices: np.ndarray) -> np.ndarray:
    """Index into ``variant_scores`` of every sample's data choices."""
    names = ("normalisation", "dont_know_rule", "imputation")
    option_lists = [
        (problem.nominal_key[position], *problem.alternatives.get(name, ()))
        for position, name in enumerate(names)
    ]
    lookup = {key: index for index, key in enumerate(problem.variant_keys)}
    # Position 0 of each axis is the nominal option (choice -1); mixed nominal and varied
    # combinations are never drawn and map to -1.
    table = np.empty([len(options) for options in option_lists], dtype=np.intp)
    for index in itertools.product(*(range(len(options)) for options in option_lists)):
        key = tuple(option_lists[axis][position] for axis, position in enumerate(index))
        table[index] = lookup.get(key, -1)  # type: ignore[arg-type]
    parts = []
    for name in names:
        column = _column(problem, choices, name)
        parts.append(np.zeros(choices.shape[0], dtype=np.intp) if column is None else column + 1)
    return table[tuple(parts)]


def _step_weights(problem: _Problem, choices: np.ndarray, step: int) -> np.ndarray | None:
    pool = problem.weight_pools.get(step)
    if pool is None:
        return None
    name = f"weights:{'item' if step == 0 else problem.config.level_names[step - 1]}"
    column = _column(problem, choices, name)
    nominal = problem.config.hierarchy.steps[step].child_weights
    selected = pool[np.maximum(column, 0)]
    return np.where((column == _NOMINAL)[:, None], nominal, selected)


def _step_exponents(problem: _Problem, choices: np.ndarray, step: int) -> np.ndarray:
    """(samples, parents) generalised-mean exponent of every parent in every sample."""
    structure = problem.config.hierarchy.steps[step]
    nominal = np.broadcast_to(structure.exponents, (choices.shape[0], structure.n_parents))
    exponents = problem.method_exponents.get(step)
    if exponents is None:
        return nominal
    level = (*problem.config.level_names, "overall")[step]
    column = _column(problem, choices, f"aggregation:{level}")
    chosen = exponents[np.maximum(column, 0)][:, None]
    return np.where((column == _NOMINAL)[:, None], nominal, chosen)


def _first_step(
    problem: _Problem, variant: np.ndarray, weights: np.ndarray, exponents: np.ndarray
) -> np.ndarray:
    """Items -> first level for every sample: (samples, units, first-level nodes).

    Samples are grouped by data variant and method; within a group, the weighted sums of all
    nodes sharing an exponent are one batched matrix product over the padded children,
    ``(nodes, samples, width) @ (nodes, width, units)``.
    """
    samples = weights.shape[0]
    units = problem.variant_scores.shape[1]
    nodes = problem.padded_items.shape[0]
    result = np.empty((samples, units, nodes))
    signatures, signature_of_sample = np.unique(exponents, axis=0, return_inverse=True)
    group_of_sample = variant * len(signatures) + signature_of_sample.ravel()
    for group in np.unique(group_of_sample):
        rows = np.flatnonzero(group_of_sample == group)
        variant_index, signature = divmod(int(group), len(signatures))
        scores = problem.variant_scores[variant_index]
        present = ~np.isnan(scores)
        positive = present & (scores > 0)
        zero_child = present & ~positive & problem.positive_item_weight
        for exponent in np.unique(signatures[signature]):
            parents = np.flatnonzero(signatures[signature] == exponent)
            items = problem.padded_items[parents]
            valid = problem.padded_valid[parents]
            if exponent == 1.0:
                transformed = np.where(present, scores, 0.0)
            elif exponent == 0.0:
                transformed = np.log(np.where(positive, scores, 1.0))
            else:
                transformed = np.where(positive, np.where(positive, scores, 1.0) ** exponent, 0.0)
            # (nodes, width, units) children of each node; padding contributes nothing.
            # Contiguous operands keep every batch of the product on BLAS.
            values = np.ascontiguousarray(
                np.where(valid, transformed[:, items], 0.0).transpose(1, 2, 0)
            )
            counted = np.ascontiguousarray(
                np.where(valid, present[:, items], 0.0).transpose(1, 2, 0)
            )
            node_weights = np.ascontiguousarray(
                np.where(valid, weights[rows][:, items], 0.0).transpose(1, 0, 2)
            )
            denominator = node_weights @ counted
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                mean = (node_weights @ values) / denominator
                if exponent == 0.0:
                    mean = np.exp(mean)
                elif exponent != 1.0:
                    mean = mean ** (1.0 / exponent)
            if exponent <= 0.0:
                has_zero = (zero_child[:, items] & valid).any(axis=-1).T[:, None, :]
                mean = np.where(has_zero, 0.0, mean)
            mean = np.where(denominator > 0, mean, np.nan)
            result[np.ix_(rows, np.arange(units), parents)] = mean.transpose(1, 2, 0)
    return result


def _evaluate_chunk(problem: _Problem, choices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    hierarchy = problem.config.hierarchy
    steps = hierarchy.steps
    samples = choices.shape[0]
    units = problem.variant_scores.shape[1]
    variant = _variant_of_samples(problem, choices)
    first_weights = _step_weights(problem, choices, 0)
    if first_weights is None:
        nominal = steps[0].child_weights
        first_weights = np.broadcast_to(nominal, (samples, nominal.size))
    current = _first_step(problem, variant, first_weights, _step_exponents(problem, choices, 0))
    current = np.where(problem.variant_insufficient[0][variant], np.nan, current)
    levels = [current]

    for step_index in range(1, len(steps)):
        structure = steps[step_index]
        weights = _step_weights(problem, choices, step_index)
        weights = structure.child_weights if weights is None else weights[:, None, :]
        exponents = _step_exponents(problem, choices, step_index)
        combined = np.empty((samples, units, structure.n_parents))
        signatures, signature_of_sample = np.unique(exponents, axis=0, return_inverse=True)
        for signature, signature_exponents in enumerate(signatures):
            # Samples sharing a method are aggregated together as one (samples x units) x
            # children matrix, so the sums are single 2-D products.
            rows = np.flatnonzero(signature_of_sample.ravel() == signature)
            children = current[rows].reshape(-1, structure.onehot.shape[0])
            if weights.ndim == 1:
                row_weights = weights
            else:
                row_weights = np.broadcast_to(weights[rows], (rows.size, units, weights.shape[-1]))
                row_weights = row_weights.reshape(-1, weights.shape[-1])
            values = aggregate_children(
                children, row_weights, structure.onehot, signature_exponents
            )
            combined[rows] = values.reshape(rows.size, units, structure.n_parents)
        current = combined
        if step_index < len(steps) - 1:
            current = np.where(problem.variant_insufficient[step_index][variant], np.nan, current)
            levels.append(current)
    overall = current[..., 0]
    if problem.config.insufficient_pillar_rule == "propagate":
        top = problem.variant_insufficient[-1][variant].any(axis=-1)
        overall = np.where(top, np.nan, overall)
    return np.clip(overall, 0.0, 100.0), np.clip(levels[-1], 0.0, 100.0)


def _sample_config(problem: _Problem, choice: np.ndarray) -> EngineConfig:
    """The configuration one sample stands for, to score it with the plain pipeline.

    Used to check the vectorised evaluation and as the per-sample loop of the benchmark.
    """
    row = choice[None, :]
    config = problem.variant_configs[int(_variant_of_samples(problem, row)[0])]
    exponent_names = {value: name for name, value in AGGREGATION_ALTERNATIVES.items()}
    steps = config.hierarchy.steps
    weights = [_step_weights(problem, row, index) for index in range(len(steps))]
    methods = [
        exponent_names[float(_step_exponents(problem, row, index)[0, 0])]
        if index in problem.method_exponents
        else None
        for index in range(len(steps))
    ]
    items = tuple(
        item if weights[0] is None else dataclasses.replace(item, weight=float(weights[0][0, i]))
        for i, item in enumerate(config.items)
    )
    levels = []
    for level_index, level in enumerate(config.levels):
        node_weights, method = weights[level_index + 1], methods[level_index]
        nodes = tuple(
            dataclasses.replace(
                node,
                weight=node.weight if node_weights is None else float(node_weights[0, n]),
                aggregation=node.aggregation if method is None else method,
            )
            for n, node in enumerate(level.nodes)
        )
        levels.append(dataclasses.replace(level, nodes=nodes))
    overall_method = methods[-1] or config.overall_aggregation
    return dataclasses.replace(
        config, items=items, levels=tuple(levels), overall_aggregation=overall_method
    )


def _ranks(overall: np.ndarray) -> np.ndarray:
    """Competition ranks per sample (1 = best, ties share the best rank, NaN unranked)."""
    samples, units = overall.shape
    keys = np.where(np.isnan(overall), np.inf, -overall)
    order = np.argsort(keys, axis=1, kind="stable")
    ordered = np.take_along_axis(keys, order, axis=1)
    position = np.broadcast_to(np.arange(units), (samples, units))
    starts = np.ones((samples, units), dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    first = np.maximum.accumulate(np.where(starts, position, 0), axis=1)
    ranks = np.empty((samples, units))
    np.put_along_axis(ranks, order, first + 1.0, axis=1)
    return np.where(np.isnan(overall), np.nan, ranks)


def _probability_above(ranks: np.ndarray) -> np.ndarray:
    samples, units = ranks.shape
    # Unranked units sort below everyone and never count as above anyone.
    codes = np.where(np.isnan(ranks), units + 1, ranks).astype(np.int16)
    counts = np.zeros((units, units), dtype=np.int64)
    # uint8 sums over at most 255 samples cannot overflow and keep the reduction vectorised.
    for start in range(0, samples, 255):
        block = codes[start : start + 255]
        above = np.less(block[:, :, None], block[:, None, :])
        counts += above.view(np.uint8).sum(axis=0, dtype=np.uint8)
    return counts / samples


def _summaries(values: np.ndarray, interval: tuple[float, float]) -> tuple[np.ndarray, ...]:
    # Samples on the last axis and contiguous: quantiles partition along rows.
    moved = np.ascontiguousarray(np.moveaxis(values, 0, -1))
    with warnings.catch_warnings():
        # A unit "insufficient" in every sample has an all-NaN column: its summary is NaN.
        warnings.simplefilter("ignore", RuntimeWarning)
        quantiles = np.nanquantile(moved, [0.5, interval[0] / 100.0, interval[1] / 100.0], axis=-1)
    return quantiles[0], quantiles[1], quantiles[2]


def _draw_choices(problem: _Problem, samples: int, rng: np.random.Generator) -> np.ndarray:
    if not problem.sizes:
        return np.full((samples, 0), _NOMINAL, dtype=np.int64)
    return np.stack([rng.integers(0, size, samples) for size in problem.sizes], axis=1)


def _validate_common(
    config: EngineConfig, values: npt.ArrayLike, status: npt.ArrayLike, unit_codes
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    if not isinstance(config, EngineConfig):
        raise ValueError("config must be an EngineConfig.")
    value_array = np.asarray(values, dtype=float)
    status_array = np.asarray(status)
    if value_array.ndim != 2:
        raise ValueError(f"values must be a units x items array, got shape {value_array.shape}.")
    units = value_array.shape[0]
    codes = (
        tuple(str(index) for index in range(units))
        if unit_codes is None
        else tuple(str(code) for code in unit_codes)
    )
    if len(codes) != units:
        raise ValueError(f"unit_codes has {len(codes)} entries but values has {units} units.")
    return value_array, status_array, codes


def run_uncertainty(
    config: EngineConfig,
    values: npt.ArrayLike,
    status: npt.ArrayLike,
    *,
    inputs: Mapping[str, InputSpec],
    n_samples: int = 10_000,
    seed: int = 0,
    groups: Sequence[object] | np.ndarray | None = None,
    unit_codes: Sequence[str] | None = None,
    n_weight_sets: int = 1024,
    interval: tuple[float, float] = (5.0, 95.0),
) -> UncertaintyResult:
    """Monte Carlo over method choices: score intervals, rank intervals, P(unit i above j).

    Parameters
    ----------
    config : EngineConfig
        The nominal configuration.
    values, status : array_like
        (units, items) raw values and status codes, as for :func:`scoring.engine.pipeline.score`.
    inputs : mapping
        Uncertain inputs, by name (see the module docstring), e.g.
        ``{"weights:pillar": DirichletWeights(50), "aggregation:pillar": ("arithmetic",
        "geometric"), "dont_know_rule": ("exclude", "lowest")}``.
    n_samples : int
        Monte Carlo samples; each draws every input independently and uniformly among its
        alternatives (and among the ``n_weight_sets`` perturbed weight vectors).
    seed : int
        Seed of the ``numpy.random.Generator``; stored in the result.
    groups : sequence, optional
        Peer group per unit, for imputation.
    unit_codes : sequence of str, optional
        Names of the units, for the result.
    n_weight_sets : int
        Size of the pool of perturbed weight vectors per perturbed level.
    interval : (float, float)
        Percentiles of the reported interval.

    Returns
    -------
    UncertaintyResult

    Raises
    ------
    ValueError
        If an input is not in :func:`nominal_input_names` (the message names it), an
        alternative is unknown, or the data do not fit the configuration.

    Examples
    --------
    >>> from scoring.engine.config import ItemSpec, Level, LevelMapping, NodeSpec
    >>> levels = LevelMapping.linear(range(5))
    >>> config = EngineConfig(
    ...     items=tuple(ItemSpec(f"q{i}", f"P{i // 2}", levels) for i in range(4)),
    ...     levels=(Level("pillar", (NodeSpec("P0"), NodeSpec("P1"))),))
    >>> values = np.array([[4, 4, 0, 1], [2, 2, 2, 2], [0, 1, 4, 4]])
    >>> result = run_uncertainty(config, values, np.zeros((3, 4), int), n_samples=2000,
    ...     inputs={"aggregation:overall": ("arithmetic", "geometric"),
    ...             "weights:pillar": DirichletWeights(20)}, seed=1)
    >>> result.nominal_overall.tolist()
    [56.25, 50.0, 56.25]
    >>> bool(result.overall_low[0] < 56.25 < result.overall_high[0])
    True
    >>> result.rank_low.tolist(), result.rank_high.tolist()
    ([1.0, 1.0, 1.0], [3.0, 3.0, 3.0])
    """
    value_array, status_array, codes = _validate_common(config, values, status, unit_codes)
    if n_samples < 2:
        raise ValueError(f"n_samples must be at least 2, got {n_samples}.")
    low, high = interval
    if not 0.0 <= low < high <= 100.0:
        raise ValueError(
            f"interval must be two increasing percentiles in [0, 100], got {interval}."
        )
    rng = np.random.default_rng(seed)
    problem = _prepare(
        config,
        value_array,
        status_array,
        inputs=inputs,
        groups=groups,
        n_weight_sets=n_weight_sets,
        rng=rng,
    )
    choices = _draw_choices(problem, n_samples, rng)
    nominal_overall, nominal_pillars = _evaluate(
        problem, np.full((1, len(problem.sizes)), _NOMINAL, dtype=np.int64)
    )
    nominal_rank = _ranks(nominal_overall)[0]
    overall, pillars = _evaluate(problem, choices)
    ranks = _ranks(overall)
    overall_median, overall_low, overall_high = _summaries(overall, interval)
    pillar_median, pillar_low, pillar_high = _summaries(pillars, interval)
    rank_median, rank_low, rank_high = _summaries(ranks, interval)
    with np.errstate(invalid="ignore"):
        shift = np.nanmean(np.abs(ranks - nominal_rank), axis=1)
    return UncertaintyResult(
        unit_codes=codes,
        pillar_codes=config.levels[-1].codes,
        input_names=problem.input_names,
        alternatives=dict(problem.alternatives),
        seed=seed,
        n_samples=n_samples,
        n_weight_sets=n_weight_sets,
        interval=(float(low), float(high)),
        nominal_overall=nominal_overall[0],
        nominal_pillars=nominal_pillars[0],
        nominal_rank=nominal_rank,
        overall_median=overall_median,
        overall_low=overall_low,
        overall_high=overall_high,
        pillar_median=pillar_median,
        pillar_low=pillar_low,
        pillar_high=pillar_high,
        rank_median=rank_median,
        rank_low=rank_low,
        rank_high=rank_high,
        probability_above=_probability_above(ranks),
        mean_absolute_rank_shift=shift,
        choices=choices,
    )


def uncertainty_sensitivity(
    config: EngineConfig,
    values: npt.ArrayLike,
    status: npt.ArrayLike,
    *,
    inputs: Mapping[str, InputSpec],
    n_base_samples: int = 512,
    seed: int = 0,
    groups: Sequence[object] | np.ndarray | None = None,
    unit_codes: Sequence[str] | None = None,
    n_weight_sets: int = 1024,
    confidence_level: float = 0.95,
    n_resamples: int = 999,
) -> SobolIndices:
    """First-order and total Sobol indices of each uncertain input, per unit and for ranks.

    Each input is one dimension: a discrete uniform choice among its alternatives (or among
    the pool of perturbed weight vectors). Outputs are every unit's overall score (named by
    ``unit_codes``) and ``"mean absolute rank shift"`` (mean over units of the absolute
    difference between the sampled and the nominal rank). Units whose overall score is
    "insufficient data" in some sample are left out of the outputs. Indices and bootstrap
    intervals come from :func:`scoring.engine.sensitivity.sobol_analysis`; the model is
    evaluated ``n_base_samples x (inputs + 2)`` times, all vectorised.

    Examples
    --------
    >>> from scoring.engine.config import ItemSpec, Level, LevelMapping, NodeSpec
    >>> levels = LevelMapping.linear(range(5))
    >>> config = EngineConfig(
    ...     items=tuple(ItemSpec(f"q{i}", f"P{i // 2}", levels) for i in range(4)),
    ...     levels=(Level("pillar", (NodeSpec("P0"), NodeSpec("P1"))),))
    >>> values = np.array([[4, 4, 0, 1], [2, 2, 2, 2], [0, 1, 4, 4]])
    >>> indices = uncertainty_sensitivity(config, values, np.zeros((3, 4), int),
    ...     inputs={"aggregation:overall": ("arithmetic", "geometric"),
    ...             "weights:item": UniformWeights(0.1)}, n_base_samples=256)
    >>> indices.output_names
    ('0', '1', '2', 'mean absolute rank shift')
    >>> bool(indices.total_order[0, 0] > indices.total_order[0, 1])  # method beats noise
    True
    """
    value_array, status_array, codes = _validate_common(config, values, status, unit_codes)
    if not inputs:
        raise ValueError("inputs is empty: name at least one uncertain input to analyse.")
    rng = np.random.default_rng(seed)
    problem = _prepare(
        config,
        value_array,
        status_array,
        inputs=inputs,
        groups=groups,
        n_weight_sets=n_weight_sets,
        rng=rng,
    )
    nominal_overall, _ = _evaluate(
        problem, np.full((1, len(problem.sizes)), _NOMINAL, dtype=np.int64)
    )
    nominal_rank = _ranks(nominal_overall)[0]
    kept: list[np.ndarray] = []

    def model(points: np.ndarray) -> np.ndarray:
        overall, _ = _evaluate(problem, points.T.astype(np.int64))
        ranks = _ranks(overall)
        with np.errstate(invalid="ignore"):
            shift = np.nanmean(np.abs(ranks - nominal_rank), axis=1)
        finite = np.flatnonzero(np.isfinite(overall).all(axis=0))
        kept.append(finite)
        return np.vstack([overall[:, finite].T, np.nan_to_num(shift)[None, :]])

    distributions = {
        name: stats.randint(0, size)
        for name, size in zip(problem.input_names, problem.sizes, strict=True)
    }
    indices = sobol_analysis(
        model,
        distributions,
        nominal=nominal_input_names(config),
        n_base_samples=n_base_samples,
        confidence_level=confidence_level,
        n_resamples=n_resamples,
        seed=seed,
    )
    names = (*(codes[index] for index in kept[0]), "mean absolute rank shift")
    return dataclasses.replace(indices, output_names=names)

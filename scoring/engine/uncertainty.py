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
variants of the item-score matrix, each computed once with :func:`scoring.engine.pipeline.score`
(on the worker threads, while the weight pools are drawn). Samples are then sorted by
everything but their weights (variant and the method of every step) and evaluated run by
run, never looped over one by one: within a run the first aggregation step (the wide one,
units x items) is one batched matrix product of the variant's padded table with the samples'
weight vectors (with the presence rows, or with weights normalised per parent when few rows
miss children), and each upper step sums consecutive children with the samples on the last
axis. Runs are spread over two threads with BLAS held to one; quantiles, ranks and P(i above
j) read the sorted layout directly, since no summary depends on the order of the samples,
and are queued in chunks on the same two threads (see :mod:`scoring.engine._montecarlo`).
``benchmarks/bench_uncertainty.py`` times it against the per-sample pipeline loop.

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

import contextlib
import dataclasses
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from scipy import stats

from scoring.engine import _montecarlo
from scoring.engine.config import EngineConfig, Goalposts, ItemSpec, Points, Relative
from scoring.engine.constants import ANSWERED
from scoring.engine.hierarchy import Hierarchy, LevelStructure
from scoring.engine.pipeline import ScoreResult, score
from scoring.engine.sensitivity import (
    DEFAULT_REPLICATES,
    SobolIndices,
    check_inputs_exist,
    sobol_analysis,
)

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
    variant_scores: tuple[np.ndarray, ...]  # per variant: (units, items), NaN where excluded
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
    #: Per step, the children grouped by parent for sums over the leading axis.
    plans: tuple[_montecarlo.StepPlan, ...]
    #: Per data variant, the first step's padded (transformed scores; presence) tables.
    first_tables: tuple[_montecarlo.FirstStepTables, ...]
    #: (first-level nodes, widest node, 1) nominal item weights, zero in the padding.
    nominal_padded_weights: np.ndarray
    #: The first level's nodes in the order the evaluation keeps them (configuration order
    #: when the first level is reported), and their "insufficient" flags in that order:
    #: (variants, units, first-level nodes).
    first_order: np.ndarray
    first_insufficient: np.ndarray
    #: Filled as runs meet them: see :func:`_known_children`.
    known_children: dict[tuple[Any, ...], _montecarlo.KnownChildren] = dataclasses.field(
        default_factory=dict
    )


def _alternatives(name: str, spec: InputSpec, allowed: Sequence[str | None]) -> tuple[Any, ...]:
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


def _replace_normalisation(item: ItemSpec, method: str, varies: bool) -> ItemSpec:
    spec = item.normalisation
    if method == "nominal" or not isinstance(spec, Goalposts | Points):
        return item
    # A rule over units needs at least two distinct values; otherwise the item keeps its own.
    if not varies:
        return item
    direction = spec.direction if isinstance(spec, Goalposts) else "higher"
    # ``method`` is one of the names _alternatives checked against the allowed ones.
    relative = Relative(method=cast(Any, method), direction=direction)
    return dataclasses.replace(item, normalisation=relative)


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

    alternatives: dict[str, tuple[Any, ...]] = {}
    sizes: list[int] = []
    weight_noise: dict[int, WeightNoise] = {}  # drawn later, in this (the inputs') order
    method_exponents: dict[int, np.ndarray] = {}
    for name, spec in inputs.items():
        kind, _, level = name.partition(":")
        if kind == "weights":
            if not isinstance(spec, DirichletWeights | UniformWeights):
                raise ValueError(
                    f"input {name!r}: expected DirichletWeights(...) or UniformWeights(...), "
                    f"got {spec!r}."
                )
            weight_noise[step_of_child_level[level]] = spec
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
    first = steps[0]
    first_order, padded_items, padded_valid = _first_level_layout(steps)
    first_exponents = sorted(
        {*first.exponents.tolist(), *method_exponents.get(0, np.empty(0)).tolist()}
    )

    def scored(variant: EngineConfig) -> tuple[ScoreResult, _montecarlo.FirstStepTables]:
        result = score(variant, values, status, groups=groups)
        tables = _montecarlo.first_step_tables(
            np.asarray(result.item_scores),
            padded_items,
            padded_valid,
            first.child_weights > 0,
            first_exponents,
            positive_weights=True,  # revised below, once the weight pools are drawn
        )
        return result, tables

    # One BLAS thread for the worker threads (their products are mid-sized). The weight
    # pools are drawn on one of them first (numpy's generator releases the GIL while it fills
    # arrays; draws stay in the inputs' order) while the variants are configured here.
    with _montecarlo.single_threaded_blas(), _montecarlo.worker_pool() as pool:
        pools_future = pool.submit(
            lambda: {
                step: _weight_pool(steps[step], noise, n_weight_sets, rng)
                for step, noise in weight_noise.items()
            }
        )
        variant_configs = _variant_configs(config, values, status, variant_keys)
        futures = [pool.submit(scored, variant) for variant in variant_configs]
        weight_pools = pools_future.result()
        results, first_tables = zip(*(future.result() for future in futures), strict=True)
    variant_scores = [np.asarray(result.item_scores) for result in results]
    insufficient = [[np.asarray(level.insufficient) for level in r.levels] for r in results]
    item_pool = weight_pools.get(0)
    positive_item_weights = bool(first.child_weights.min(initial=1.0) > 0) and (
        item_pool is None or bool(item_pool.min(initial=1.0) > 0)
    )
    if not positive_item_weights:
        first_tables = tuple(
            dataclasses.replace(tables, positive_weights=False) for tables in first_tables
        )
    return _Problem(
        config=config,
        input_names=tuple(inputs),
        alternatives=alternatives,
        sizes=tuple(sizes),
        variant_keys=variant_keys,
        variant_configs=tuple(variant_configs),
        variant_scores=tuple(variant_scores),
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
        plans=tuple(
            _montecarlo.StepPlan.from_structure(
                _reordered_children(step, first_order) if index == 1 else step
            )
            for index, step in enumerate(steps)
        ),
        first_order=first_order,
        first_insufficient=np.stack([levels[0] for levels in insufficient])[:, :, first_order],
        first_tables=first_tables,
        nominal_padded_weights=_montecarlo.padded_weights(
            first.child_weights[None, :], padded_items, padded_valid
        ),
    )


def _variant_configs(
    config: EngineConfig,
    values: np.ndarray,
    status: np.ndarray,
    variant_keys: Sequence[tuple[str, str, str | None]],
) -> list[EngineConfig]:
    """The configuration of every (normalisation, "don't know" rule, imputation) variant."""
    raw = np.where(status == ANSWERED, values, np.nan)
    # Per item: at least two distinct answered values (all-NaN columns have neither bound).
    varies = np.where(np.isnan(raw), np.inf, raw).min(axis=0) < np.where(
        np.isnan(raw), -np.inf, raw
    ).max(axis=0)
    items_by_method: dict[str, tuple[ItemSpec, ...]] = {}
    hierarchies: dict[tuple[str, str], Hierarchy] = {}
    variant_configs = []
    for normalisation, dont_know_rule, imputation in variant_keys:
        if normalisation not in items_by_method:
            items_by_method[normalisation] = tuple(
                _replace_normalisation(item, normalisation, bool(varies[column]))
                for column, item in enumerate(config.items)
            )
        variant = dataclasses.replace(
            config,
            items=items_by_method[normalisation],
            # Names checked against the allowed ones by _alternatives.
            dont_know_rule=cast(Any, dont_know_rule),
            imputation=cast(Any, imputation),
        )
        # The compiled arrays do not depend on imputation: variants that differ only there
        # share them (stored where the configuration's cached property keeps its value).
        compiled = (normalisation, dont_know_rule)
        if compiled in hierarchies:
            with contextlib.suppress(TypeError):  # no instance dict: compile again
                vars(variant)["hierarchy"] = hierarchies[compiled]
        else:
            hierarchies[compiled] = variant.hierarchy
        variant_configs.append(variant)
    return variant_configs


def _first_level_layout(
    steps: Sequence[LevelStructure],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(order, padded_items, padded_valid)`` of the first level's nodes.

    Above an intermediate first level, its nodes are kept grouped by parent, so that the
    step above sums consecutive children (see ``StepPlan.child_ranges``); a first level
    that is reported (two steps) keeps the configuration's order. ``padded_items`` is
    (nodes, widest node): the item indices of every node's children side by side,
    ``padded_valid`` False in the padding of nodes with fewer children.
    """
    first = steps[0]
    order = (
        np.argsort(steps[1].parent_index, kind="stable")
        if len(steps) > 2
        else np.arange(first.n_parents)
    )
    children = [np.flatnonzero(first.parent_index == parent) for parent in order]
    width = max(len(members) for members in children)
    padded_items = np.zeros((first.n_parents, width), dtype=np.intp)
    padded_valid = np.zeros((first.n_parents, width), dtype=bool)
    for parent, members in enumerate(children):
        padded_items[parent, : len(members)] = members
        padded_valid[parent, : len(members)] = True
    return order, padded_items, padded_valid


def _reordered_children(step: LevelStructure, order: np.ndarray) -> LevelStructure:
    """The same step with its children taken in ``order``."""
    return dataclasses.replace(
        step,
        parent_index=step.parent_index[order],
        child_weights=step.child_weights[order],
        onehot=step.onehot[order],
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


def _evaluate(
    problem: _Problem, choices: np.ndarray, *, with_pillars: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Overall (samples, units) and pillar (samples, units, pillars) scores of the choices.

    ``choices`` holds one alternative index per sample and input (``-1`` = nominal).
    ``with_pillars=False`` (only overall scores are needed) skips reordering the pillar scores
    into sample order: an empty (0, units, pillars) array stands for them.
    """
    order, overall, pillars = _evaluate_sorted(problem, choices)
    samples = order.size
    position = np.empty_like(order)
    position[order] = np.arange(samples)
    # Gathers along the contiguous sample axis, in bands of rows over the worker threads,
    # then views with the samples first. mode="clip" (the positions are all valid) lets
    # np.take write into ``out`` directly: the default mode buffers a copy of it.
    overall_out = np.empty(overall.shape)
    pillars_out = np.empty(pillars.shape if with_pillars else (*pillars.shape[:2], 0))
    pairs: list[tuple[np.ndarray, np.ndarray]] = [(overall, overall_out)]
    if with_pillars:
        pairs.append((pillars.reshape(-1, samples), pillars_out.reshape(-1, samples)))
    bands = [
        (source, target, slice(start, start + 64))
        for source, target in pairs
        for start in range(0, source.shape[0], 64)
    ]

    def gather(band: tuple[np.ndarray, np.ndarray, slice]) -> None:
        source, target, rows = band
        np.take(source[rows], position, axis=-1, out=target[rows], mode="clip")

    workers = _montecarlo.WORKERS if sum(source.size for source, _ in pairs) >= 2**20 else 1
    _montecarlo.parallel_map(gather, bands, workers=workers)
    return overall_out.T, pillars_out.transpose(2, 1, 0)


def _method_codes(problem: _Problem, choices: np.ndarray, step: int) -> np.ndarray:
    """Per sample, 0 for the nominal methods of ``step`` or 1 + the alternative drawn."""
    if step not in problem.method_exponents:
        return np.zeros(choices.shape[0], dtype=np.intp)
    level = (*problem.config.level_names, "overall")[step]
    column = _column(problem, choices, f"aggregation:{level}")
    assert column is not None  # noqa: S101 - method_exponents only holds varied steps  # nosec B101
    return column.astype(np.intp) + 1


def _run_exponents(problem: _Problem, step: int, code: int) -> np.ndarray:
    structure = problem.config.hierarchy.steps[step]
    if code == 0:
        return structure.exponents[problem.first_order] if step == 0 else structure.exponents
    return np.full(structure.n_parents, problem.method_exponents[step][code - 1])


def _evaluate_sorted(
    problem: _Problem, choices: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scores of the samples in a sorted order: ``(order, overall, pillars)``.

    ``overall`` is (units, samples) and ``pillars`` (pillars, units, samples), column ``k``
    holding sample ``order[k]``. Samples are sorted by data variant and the methods of every
    step, so each run of equal keys differs only in its weights and is evaluated as a whole
    (see :mod:`scoring.engine._montecarlo`); summaries, which do not depend on the order of
    the samples, read these arrays directly.
    """
    steps = problem.config.hierarchy.steps
    samples = choices.shape[0]
    units = problem.variant_scores[0].shape[0]
    variant = _variant_of_samples(problem, choices)
    codes = [_method_codes(problem, choices, step) for step in range(len(steps))]
    sizes = [len(problem.variant_keys)] + [
        len(problem.method_exponents.get(step, ())) + 1 for step in range(len(steps))
    ]
    keys = np.ravel_multi_index((variant, *codes), sizes)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    run_starts = np.flatnonzero(np.diff(sorted_keys)) + 1
    bounds = [0, *run_starts.tolist(), samples]
    top = steps[-1].onehot.shape[0]
    overall = np.empty((units, samples))
    pillars = np.empty((top, units, samples))
    widest = max(step.n_parents for step in steps)
    block = max(1, _montecarlo.BLOCK_BYTES // (widest * 2 * units * 8))
    # At least four blocks, so that two workers both have something to do even with a single
    # run; fixed, not tied to the machine's cores, so that a run rounds the same everywhere.
    block = min(block, max(1, -(-samples // 4)))
    tasks: list[tuple[int, int, int, list[Any]]] = []
    for run_start, run_end in itertools.pairwise(bounds):
        first = order[run_start]
        run_variant = int(variant[first])
        exponents = [
            _run_exponents(problem, step, int(codes[step][first])) for step in range(len(steps))
        ]
        tasks.extend(
            (start, min(start + block, run_end), run_variant, exponents)
            for start in range(run_start, run_end, block)
        )

    def evaluate(task: tuple[int, int, int, list[np.ndarray]]) -> None:
        start, end, run_variant, exponents = task
        _evaluate_run(
            problem,
            choices[order[start:end]],
            run_variant,
            exponents,
            overall[:, start:end],
            pillars[:, :, start:end],
        )

    # Runs write disjoint columns of the outputs, so they can go to separate threads.
    workers = _montecarlo.WORKERS if samples * units * len(problem.config.items) >= 2**22 else 1
    with _montecarlo.single_threaded_blas():
        _montecarlo.parallel_map(evaluate, tasks, workers=workers)
    return order, overall, pillars


def _evaluate_run(
    problem: _Problem,
    choices: np.ndarray,
    variant: int,
    exponents: list[np.ndarray],
    overall_out: np.ndarray,
    pillars_out: np.ndarray,
) -> None:
    """Samples sharing a data variant and methods, into overall (units, k) and pillars
    (pillars, units, k) views of the output.

    Levels are computed once for the whole run when no weight is varied (one column,
    broadcast into the ``k`` columns of the output).
    """
    steps = problem.config.hierarchy.steps
    units = problem.variant_scores[0].shape[0]
    item_weights = _step_weights(problem, choices, 0)
    padded = (
        problem.nominal_padded_weights
        if item_weights is None
        else _montecarlo.padded_weights(item_weights, problem.padded_items, problem.padded_valid)
    )
    tables = problem.first_tables[variant]
    second_weights: np.ndarray | None = None
    if len(steps) > 2:
        chosen = _step_weights(problem, choices, 1)
        order = problem.first_order
        second_weights = steps[1].child_weights[order] if chosen is None else chosen[:, order].T
    # Geometric over geometric (and not the reported level): the first level stays in
    # logarithms, which the second step would otherwise take again.
    log_space = (
        second_weights is not None
        and tables.positive_weights
        and bool((exponents[0] == 0.0).all())
        and bool((exponents[1] == 0.0).all())
        and problem.plans[1].all_positive(second_weights)
    )
    level, zero = _montecarlo.first_step(tables, padded, exponents[0], units, log_space=log_space)
    known = None
    if zero is not None:
        # With positive item weights the first level's zero and missing nodes are known per
        # variant; below the reported level, missing nodes take the next step's neutral
        # value instead of NaN when the step uses one method.
        upper = _montecarlo.distinct_exponents(exponents[1]) if len(steps) > 2 else None
        fill = None
        if upper is not None and upper.size == 1 and upper[0] in (0.0, 1.0):
            fill = 1.0 if upper[0] == 0.0 and not log_space else 0.0
        known = _known_children(problem, variant, exponents[0], zero, fill is not None)
        if fill is not None and known.missing_rows[0].size:
            level[known.missing_rows] = fill
        elif fill is None:
            level = _mask_insufficient(level, problem.first_insufficient[variant])
    else:
        level = _mask_insufficient(level, problem.first_insufficient[variant])
    top = level
    for step_index in range(1, len(steps)):
        if step_index == 1 and second_weights is not None:
            weight_array = second_weights
        else:
            weights = _step_weights(problem, choices, step_index)
            weight_array = steps[step_index].child_weights if weights is None else weights.T
        level = _montecarlo.upper_step(
            problem.plans[step_index],
            level,
            weight_array,
            exponents[step_index],
            known=known if step_index == 1 else None,
            children_logs=log_space and step_index == 1,
        )
        if step_index < len(steps) - 1:
            level = _mask_insufficient(level, problem.variant_insufficient[step_index][variant])
            top = level
    overall = level[0]
    if problem.config.insufficient_pillar_rule == "propagate":
        excluded = problem.variant_insufficient[-1][variant].any(axis=-1)
        if excluded.any():
            overall = np.where(excluded[:, None], np.nan, overall)
    # Clipped in place (the levels are this run's own temporaries), then copied: writing the
    # strided columns of the outputs is the slow part, three times slower through np.clip.
    np.copyto(overall_out, np.clip(overall, 0.0, 100.0, out=overall))
    np.copyto(pillars_out, np.clip(top, 0.0, 100.0, out=top))


def _known_children(
    problem: _Problem, variant: int, exponents: np.ndarray, zero: np.ndarray, filled: bool
) -> _montecarlo.KnownChildren:
    """The first level's always-0 and always-missing nodes of a variant, found once.

    ``zero`` is what :func:`_montecarlo.first_step` returned for the first-level
    ``exponents``; insufficient nodes are missing, not 0.
    """
    key = (variant, exponents.tobytes(), filled)
    cached = problem.known_children.get(key)
    if cached is None:
        insufficient = problem.first_insufficient[variant].T
        cached = _montecarlo.KnownChildren.build(
            problem.plans[1],
            zero & ~insufficient,
            problem.first_tables[variant].empty | insufficient,
            filled=filled,
        )
        # Threads may both build an entry: they build the same one.
        problem.known_children[key] = cached
    return cached


def _mask_insufficient(level: np.ndarray, insufficient: np.ndarray) -> np.ndarray:
    """NaN for the (units, nodes) flagged nodes of a (nodes, units, k) level."""
    if not insufficient.any():
        return level
    return np.where(insufficient.T[:, :, None], np.nan, level)


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
    assert column is not None  # noqa: S101  # nosec B101 - a step has a weight pool only when drawn
    nominal = problem.config.hierarchy.steps[step].child_weights
    nominal_rows = column == _NOMINAL
    if not nominal_rows.any():
        return pool[column]
    selected = pool[np.maximum(column, 0)]
    return np.where(nominal_rows[:, None], nominal, selected)


def _step_exponents(problem: _Problem, choices: np.ndarray, step: int) -> np.ndarray:
    """(samples, parents) generalised-mean exponent of every parent in every sample."""
    structure = problem.config.hierarchy.steps[step]
    nominal = np.broadcast_to(structure.exponents, (choices.shape[0], structure.n_parents))
    exponents = problem.method_exponents.get(step)
    if exponents is None:
        return nominal
    level = (*problem.config.level_names, "overall")[step]
    column = _column(problem, choices, f"aggregation:{level}")
    assert column is not None  # noqa: S101  # nosec B101 - a step has method exponents only when drawn
    chosen = exponents[np.maximum(column, 0)][:, None]
    return np.where((column == _NOMINAL)[:, None], nominal, chosen)


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
                aggregation=node.aggregation if method is None else cast(Any, method),
            )
            for n, node in enumerate(level.nodes)
        )
        levels.append(dataclasses.replace(level, nodes=nodes))
    overall_method = cast(Any, methods[-1] or config.overall_aggregation)
    return dataclasses.replace(
        config, items=items, levels=tuple(levels), overall_aggregation=overall_method
    )


def _score_sample(
    problem: _Problem,
    choice: np.ndarray,
    values: np.ndarray,
    status: np.ndarray,
    groups: Sequence[object] | np.ndarray | None = None,
) -> ScoreResult:
    """One sample scored by the plain pipeline, coverage screened with the variant's weights.

    The analysis varies how the data are aggregated, not which nodes have enough data to be
    reported: coverage (the share of the framework's weight with data) stays that of the
    nominal weights in every sample, as in the vectorised evaluation.
    """
    variant = int(_variant_of_samples(problem, choice[None, :])[0])
    return score(
        _sample_config(problem, choice),
        values,
        status,
        groups=groups,
        coverage_config=problem.variant_configs[variant],
    )


def _ranks(overall: np.ndarray) -> np.ndarray:
    """Competition ranks per sample (1 = best, ties share the best rank, NaN unranked)."""
    samples, units = overall.shape
    missing = np.isnan(overall)
    any_missing = bool(missing.any())
    keys = np.negative(overall)
    if any_missing:
        keys[missing] = np.inf
    # Ties end up side by side in any sort, and all share the first position: no stable sort.
    order = np.argsort(keys, axis=1)
    ordered = np.take_along_axis(keys, order, axis=1)
    ranks = np.empty((samples, units))
    tied = ordered[:, 1:] == ordered[:, :-1]
    positions = np.broadcast_to(np.arange(1.0, units + 1.0), (samples, units))
    if tied.any():
        # Each position takes the position of the first of its tie group.
        starts = np.ones((samples, units), dtype=bool)
        starts[:, 1:] = ~tied
        first = np.maximum.accumulate(np.where(starts, positions, 0.0), axis=1)
        np.put_along_axis(ranks, order, first, axis=1)
    else:
        np.put_along_axis(ranks, order, positions, axis=1)
    if any_missing:
        ranks[missing] = np.nan
    return ranks


#: Pieces each summary is cut into for the worker threads.
_SUMMARY_CHUNKS = 8


def _mean_absolute_rank_shift(ranks: np.ndarray, nominal_rank: np.ndarray) -> np.ndarray:
    """Per sample, the mean over ranked units of |rank - nominal rank|: (samples,).

    ``np.nanmean`` of the same, without its copies: units unranked in the sample or in the
    nominal scores are left out, and a sample without any ranked unit gives NaN.
    """
    shift = ranks - nominal_rank
    np.abs(shift, out=shift)
    totals = shift.sum(axis=1)
    incomplete = np.flatnonzero(np.isnan(totals))
    if not incomplete.size:
        return totals / shift.shape[1]
    result = totals / shift.shape[1]
    rows = shift[incomplete]
    counts = np.count_nonzero(~np.isnan(rows), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        result[incomplete] = np.where(counts > 0, np.nansum(rows, axis=1) / counts, np.nan)
    return result


def _quantile_levels(interval: tuple[float, float]) -> tuple[float, float, float]:
    return (0.5, interval[0] / 100.0, interval[1] / 100.0)


def _draw_choices(problem: _Problem, samples: int, rng: np.random.Generator) -> np.ndarray:
    if not problem.sizes:
        return np.full((samples, 0), _NOMINAL, dtype=np.int64)
    return np.stack([rng.integers(0, size, samples) for size in problem.sizes], axis=1)


def _validate_common(
    config: EngineConfig,
    values: npt.ArrayLike,
    status: npt.ArrayLike,
    unit_codes: Sequence[object] | None,
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
    # Summaries do not depend on the order of the samples: read the sorted layout directly.
    order, overall, pillars = _evaluate_sorted(problem, choices)
    levels = _quantile_levels(interval)
    pillar_rows = pillars.reshape(-1, n_samples)
    # Independent pieces, queued on the worker threads (numpy releases the GIL in them) in
    # chunks small enough to keep both threads busy. Samples are ranked in chunks, each
    # counted for P(i above j) while its ranks are in cache.
    ranks = np.empty((n_samples, overall.shape[0]))

    def rank_and_count(columns: slice) -> np.ndarray:
        ranks[columns] = _ranks(np.ascontiguousarray(overall[:, columns].T))
        return _montecarlo.pairwise_above_counts(ranks[columns])

    bounds = np.linspace(0, n_samples, _SUMMARY_CHUNKS + 1).astype(int)
    with _montecarlo.worker_pool() as pool:
        above_futures = [
            pool.submit(rank_and_count, slice(start, stop))
            for start, stop in itertools.pairwise(bounds)
        ]
        overall_future = pool.submit(_montecarlo.row_quantiles, overall, levels)
        # The pillar scores are not needed after their quantiles: partitioned in place.
        pillar_futures = [
            pool.submit(_montecarlo.row_quantiles, rows, levels, overwrite=True)
            for rows in np.array_split(pillar_rows, _SUMMARY_CHUNKS)
        ]
        above_counts = sum(future.result() for future in above_futures)
        rank_future = pool.submit(_montecarlo.rank_quantiles, ranks, levels)
        overall_median, overall_low, overall_high = overall_future.result()
        pillar_median, pillar_low, pillar_high = (
            summary.reshape(pillars.shape[:2]).T
            for summary in np.concatenate([f.result() for f in pillar_futures], axis=1)
        )
        rank_median, rank_low, rank_high = rank_future.result()
    shift = np.empty(n_samples)
    shift[order] = _mean_absolute_rank_shift(ranks, nominal_rank)
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
        probability_above=np.asarray(above_counts / n_samples, dtype=float),
        mean_absolute_rank_shift=shift,
        choices=choices,
    )


def uncertainty_sensitivity(
    config: EngineConfig,
    values: npt.ArrayLike,
    status: npt.ArrayLike,
    *,
    inputs: Mapping[str, InputSpec],
    n_base_samples: int = 64,
    seed: int = 0,
    groups: Sequence[object] | np.ndarray | None = None,
    unit_codes: Sequence[str] | None = None,
    n_weight_sets: int = 1024,
    confidence_level: float = 0.95,
    n_replicates: int = DEFAULT_REPLICATES,
) -> SobolIndices:
    """First-order and total Sobol indices of each uncertain input, per unit and for ranks.

    Each input is one dimension: a discrete uniform choice among its alternatives (or among
    the pool of perturbed weight vectors). Outputs are every unit's overall score (named by
    ``unit_codes``) and ``"mean absolute rank shift"`` (mean over units of the absolute
    difference between the sampled and the nominal rank). Units whose overall score is
    "insufficient data" in some sample are left out of the outputs. Indices and t intervals
    over ``n_replicates`` independent replicates come from
    :func:`scoring.engine.sensitivity.sobol_analysis`; the model is evaluated
    ``n_replicates x n_base_samples x (inputs + 2)`` times, all vectorised.

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
    ...             "weights:item": UniformWeights(0.1)}, n_base_samples=32)
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
        problem, np.full((1, len(problem.sizes)), _NOMINAL, dtype=np.int64), with_pillars=False
    )
    nominal_rank = _ranks(nominal_overall)[0]
    kept: list[np.ndarray] = []

    def model(points: np.ndarray) -> np.ndarray:
        overall, _ = _evaluate(problem, points.T.astype(np.int64), with_pillars=False)
        shift = _mean_absolute_rank_shift(_ranks(overall), nominal_rank)
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
        n_replicates=n_replicates,
        seed=seed,
    )
    names = (*(codes[index] for index in kept[0]), "mean absolute rank shift")
    return dataclasses.replace(indices, output_names=names)

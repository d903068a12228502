"""Benchmark of the Monte Carlo uncertainty analysis (issue 7, item 7).

10,000 samples for 200 countries x 300 indicators in 7 pillars, varying indicator and pillar
weights (Dirichlet), pillar and overall aggregation (arithmetic vs geometric), normalisation
(goalposts vs min-max), "don't know" treatment and imputation (none / mean / median within
5 regions). A second, deeper case (300 questions -> 100 indicators -> 7 pillars, aggregation
also varied at the indicator level) is reported after it.

Two per-sample Python loops are timed against the vectorised code:

* **The pipeline loop** (the issue's baseline): what tools that "rerun the whole pipeline
  serially" do, and what item 4 of the issue rules out. Each sample's configuration (its
  normalisation, "don't know" rule, imputation, weights and methods) is scored by the
  engine's own pipeline, ``scoring.engine.pipeline.score``, from the raw values: the same
  work as ``run_uncertainty``, which prepares, evaluates and summarises. The loop's
  summaries (quantiles, ranks, P(i above j)) are not timed, which flatters the loop; the
  time it spends building each sample's configuration is printed, and the ratio without it.
* **The aggregation loop**, a stricter baseline for the evaluation kernel alone: the data
  variants are prepared once and shared (as the vectorised code does), and each sample
  only re-aggregates (``aggregate_tree`` on its variant, with its weights and methods).

Both loops are checked against the vectorised scores (atol 1e-9), timed on a subset of
samples and extrapolated linearly to 10,000 (the script says on how many). Reported per
case: the median wall and process-CPU times of ``run_uncertainty``, of the evaluation of
the samples alone (``_evaluate``, scores back in sample order, and ``_evaluate_sorted``,
the sorted layout ``run_uncertainty`` summarises directly), their ratios to the loops, and
the ratio to one numpy matrix product of the same size, (10000 x 300) @ (300 x 200). All
are timed in alternating rounds (``_timing.time_interleaved``), so a change in the shared
machine's load weighs on each alike; the BLAS kernel in use is printed first.

Run: ``.venv/bin/python benchmarks/bench_uncertainty.py [--rounds N] [--loop-samples N]``.
Targets: ``run_uncertainty`` at most 1 s on 2 cores, and at least 100x faster
than the per-sample pipeline loop.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import blas_description, time_interleaved  # noqa: E402

from scoring.engine._montecarlo import (  # noqa: E402
    BLOCK_BYTES,
    WORKERS,
    single_threaded_blas,
)
from scoring.engine.aggregation import aggregate_tree  # noqa: E402
from scoring.engine.config import (  # noqa: E402
    EngineConfig,
    Goalposts,
    ItemSpec,
    Level,
    LevelMapping,
    NodeSpec,
)
from scoring.engine.uncertainty import (  # noqa: E402
    DirichletWeights,
    _draw_choices,
    _evaluate,
    _evaluate_sorted,
    _prepare,
    _sample_config,
    _score_sample,
    _step_exponents,
    _step_weights,
    _variant_of_samples,
    run_uncertainty,
)

UNITS = 200
ITEMS = 300
PILLARS = 7
SAMPLES = 10_000
TARGET_SECONDS = 1.0
TARGET_RATIO = 100.0
COMMON_INPUTS = {
    "weights:item": DirichletWeights(50),
    "normalisation": ("nominal", "min_max"),
    "dont_know_rule": ("exclude", "lowest"),
    "imputation": (None, "mean", "median"),
}
FLAT_INPUTS = COMMON_INPUTS | {
    "weights:pillar": DirichletWeights(20),
    "aggregation:pillar": ("arithmetic", "geometric"),
    "aggregation:overall": ("arithmetic", "geometric"),
}
DEEP_INPUTS = COMMON_INPUTS | {
    "weights:pillar": DirichletWeights(20),
    "aggregation:indicator": ("arithmetic", "geometric"),
    "aggregation:pillar": ("arithmetic", "geometric"),
}


def build_case(
    *, items_per_indicator: int | None, seed: int = 7
) -> tuple[EngineConfig, np.ndarray, np.ndarray, list[str]]:
    """300 leaves straight into 7 pillars, or (with items_per_indicator) through indicators."""
    rng = np.random.default_rng(seed)
    items = []
    values = np.empty((UNITS, ITEMS))
    for index in range(ITEMS):
        parent = (
            f"P{index % PILLARS}"
            if items_per_indicator is None
            else f"I{index // items_per_indicator:03d}"
        )
        if index % 2:
            items.append(ItemSpec(f"q{index:03d}", parent, LevelMapping.linear(range(6))))
            values[:, index] = rng.integers(0, 6, UNITS)
        else:
            items.append(ItemSpec(f"s{index:03d}", parent, Goalposts(threshold=0, target=100)))
            values[:, index] = rng.uniform(-10, 120, UNITS)
    pillars = Level("pillar", tuple(NodeSpec(f"P{index}") for index in range(PILLARS)))
    if items_per_indicator is None:
        levels: tuple[Level, ...] = (pillars,)
    else:
        indicators = tuple(
            NodeSpec(f"I{index:03d}", parent=f"P{index % PILLARS}")
            for index in range(ITEMS // items_per_indicator)
        )
        levels = (Level("indicator", indicators), pillars)
    config = EngineConfig(items=tuple(items), levels=levels)
    status = rng.choice([0, 1, 2, 3], p=[0.9, 0.04, 0.03, 0.03], size=(UNITS, ITEMS))
    groups = [f"region {index % 5}" for index in range(UNITS)]
    return config, values, status, groups


def loop_evaluation(problem, choices: np.ndarray) -> np.ndarray:
    """The straightforward version: one aggregate_tree call per sample."""
    hierarchy = problem.config.hierarchy
    steps = len(hierarchy.steps)
    variants = _variant_of_samples(problem, choices)
    scores = problem.variant_scores
    overall = np.empty((choices.shape[0], UNITS))
    for sample in range(choices.shape[0]):
        row = choices[sample : sample + 1]
        variant = variants[sample]
        tree = aggregate_tree(
            hierarchy,
            scores[variant],
            insufficient=[mask[variant] for mask in problem.variant_insufficient],
            weights=[
                None if (weights := _step_weights(problem, row, step)) is None else weights[0]
                for step in range(steps)
            ],
            exponents=[_step_exponents(problem, row, step)[0] for step in range(steps)],
        )
        overall[sample] = np.clip(tree.overall, 0.0, 100.0)
    return overall


def pipeline_loop(problem, choices: np.ndarray, values, status, groups) -> np.ndarray:
    """The issue's baseline: the engine's whole pipeline once per sample, from raw values."""
    overall = np.empty((choices.shape[0], UNITS))
    for sample, row in enumerate(choices):
        result = _score_sample(problem, row, values, status, groups)
        overall[sample] = np.clip(result.overall, 0.0, 100.0)
    return overall


def bench_case(title: str, case: tuple, inputs: dict, arguments: argparse.Namespace) -> None:
    config, values, status, groups = case
    problem = _prepare(
        config,
        values,
        status,
        inputs=inputs,
        groups=groups,
        n_weight_sets=1024,
        rng=np.random.default_rng(0),
    )
    choices = _draw_choices(problem, SAMPLES, np.random.default_rng(1))
    print(f"\n== {title}")
    print(
        f"{SAMPLES} samples, {UNITS} units x {ITEMS} leaves, {len(inputs)} uncertain inputs, "
        f"{len(problem.variant_keys)} data variants, blocks of at most {BLOCK_BYTES >> 20} MiB, "
        f"{WORKERS} worker threads"
    )

    subset = choices[: arguments.loop_samples]
    pipeline_subset = choices[: arguments.pipeline_samples]
    vectorised_subset, _ = _evaluate(problem, subset)
    with single_threaded_blas():
        looped_subset = loop_evaluation(problem, subset)
        piped_subset = pipeline_loop(problem, pipeline_subset, values, status, groups)
    np.testing.assert_allclose(vectorised_subset, looped_subset, atol=1e-9, equal_nan=True)
    np.testing.assert_allclose(
        vectorised_subset[: len(pipeline_subset)], piped_subset, atol=1e-9, equal_nan=True
    )
    print(
        f"check: the aggregation loop ({len(subset)} samples) and the pipeline loop "
        f"({len(pipeline_subset)} samples) agree with the vectorised scores (atol 1e-9)"
    )

    # Loops run with one BLAS thread, their fastest setting: their products are mid-sized.
    def aggregation() -> None:
        with single_threaded_blas():
            loop_evaluation(problem, subset)

    def pipeline() -> None:
        with single_threaded_blas():
            pipeline_loop(problem, pipeline_subset, values, status, groups)

    def configurations() -> None:
        for row in pipeline_subset:
            _sample_config(problem, row).hierarchy  # noqa: B018 - compiled as score() would

    rng = np.random.default_rng(2)
    left, right = rng.random((SAMPLES, ITEMS)), rng.random((ITEMS, UNITS))
    timings = time_interleaved(
        {
            "pipeline": (pipeline, 1),
            "configurations": (configurations, 1),
            "aggregation": (aggregation, 1),
            "evaluation": (lambda: _evaluate(problem, choices), 1),
            "sorted": (lambda: _evaluate_sorted(problem, choices), 1),
            "run": (
                lambda: run_uncertainty(
                    config, values, status, inputs=inputs, groups=groups, n_samples=SAMPLES, seed=1
                ),
                1,
            ),
            "product": (lambda: left @ right, 5),
        },
        rounds=arguments.rounds,
        pause=0.3,
    )
    pipeline_wall = timings["pipeline"].median * SAMPLES / len(pipeline_subset)
    pipeline_cpu = timings["pipeline"].cpu_median * SAMPLES / len(pipeline_subset)
    configurations_wall = timings["configurations"].median * SAMPLES / len(pipeline_subset)
    loop_wall = timings["aggregation"].median * SAMPLES / len(subset)
    loop_cpu = timings["aggregation"].cpu_median * SAMPLES / len(subset)
    evaluation, full, product = timings["evaluation"], timings["run"], timings["product"]
    in_sorted_layout = timings["sorted"]
    print(
        f"{arguments.rounds} rounds, loops extrapolated linearly to {SAMPLES} samples:\n"
        f"  pipeline loop: {pipeline_wall:.2f} s wall, {pipeline_cpu:.2f} s CPU "
        f"(timed on {len(pipeline_subset)} samples), of which {configurations_wall:.2f} s "
        "building each sample's configuration\n"
        f"  aggregation loop: {loop_wall:.2f} s wall, {loop_cpu:.2f} s CPU "
        f"(timed on {len(subset)} samples)"
    )
    print(full.describe("run_uncertainty (prepare + evaluate + summaries + P(i>j))"))
    print(evaluation.describe("vectorised evaluation of the samples (_evaluate)"))
    print(
        in_sorted_layout.describe(
            "the same evaluation in the sorted layout run_uncertainty uses (_evaluate_sorted)"
        )
    )
    print(product.describe(f"one matrix product ({SAMPLES}x{ITEMS}) @ ({ITEMS}x{UNITS})"))
    ratio = pipeline_wall / full.median
    print(
        f"pipeline loop / run_uncertainty = {ratio:.0f}x wall, "
        f"{pipeline_cpu / full.cpu_median:.0f}x CPU "
        f"({'meets' if ratio >= TARGET_RATIO else 'MISSES'} the {TARGET_RATIO:.0f}x target)"
    )
    print(
        "pipeline loop without building the configurations / run_uncertainty = "
        f"{(pipeline_wall - configurations_wall) / full.median:.0f}x wall"
    )
    print(
        f"aggregation loop / vectorised evaluation = {loop_wall / evaluation.median:.0f}x wall, "
        f"{loop_cpu / evaluation.cpu_median:.0f}x CPU; in the sorted layout "
        f"{loop_wall / in_sorted_layout.median:.0f}x wall, "
        f"{loop_cpu / in_sorted_layout.cpu_median:.0f}x CPU"
    )
    print(
        f"vectorised evaluation / matrix product = {evaluation.median / product.median:.1f}x; "
        f"run_uncertainty / matrix product = {full.median / product.median:.1f}x (wall)"
    )
    verdict = "meets" if full.median <= TARGET_SECONDS else "MISSES"
    print(f"run_uncertainty median {full.median:.3f} s {verdict} the {TARGET_SECONDS:.0f} s target")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternations of all timings")
    parser.add_argument(
        "--loop-samples", type=int, default=200, help="samples the aggregation loop times"
    )
    parser.add_argument(
        "--pipeline-samples", type=int, default=100, help="samples the pipeline loop times"
    )
    parser.add_argument("--flat-only", action="store_true", help="skip the three-level case")
    arguments = parser.parse_args()
    print(blas_description())
    bench_case(
        "300 indicators -> 7 pillars -> overall",
        build_case(items_per_indicator=None),
        FLAT_INPUTS,
        arguments,
    )
    if not arguments.flat_only:
        bench_case(
            "300 questions -> 100 indicators -> 7 pillars -> overall",
            build_case(items_per_indicator=3),
            DEEP_INPUTS,
            arguments,
        )


if __name__ == "__main__":
    main()

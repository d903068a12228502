"""Benchmark of the scoring engine (issue 6, §12).

200 countries × 300 items through the full pipeline (normalise, "don't know" / "not
applicable" rules, coverage, weights, aggregation up items → indicators → pillars → overall,
gaps and stages), timed against a straightforward per-country Python loop doing the same work
in the same process. The loop's numbers are checked against the engine's before timing.

Engine and loop are timed in alternating rounds (see ``_timing.time_interleaved``), so a
change in the shared machine's load weighs on both alike; wall and process-CPU medians and
both ratios are printed, with the BLAS kernel in use.

Run: ``.venv/bin/python benchmarks/bench_engine.py [--rounds N] [--engine-calls N]``.
Target: median ≤ 10 ms and at least 50× faster than the loop.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import blas_description, time_interleaved  # noqa: E402

from scoring.engine import (  # noqa: E402
    ANSWERED,
    DONT_KNOW,
    MISSING,
    NOT_APPLICABLE,
    EngineConfig,
    Goalposts,
    ItemSpec,
    Level,
    LevelMapping,
    NodeSpec,
    score,
)

UNITS = 200
ITEMS = 300
ITEMS_PER_INDICATOR = 3
PILLARS = 7
TARGET_MS = 10.0
TARGET_RATIO = 50.0


def build_case(seed: int = 2024) -> tuple[EngineConfig, np.ndarray, np.ndarray]:
    """A framework-sized configuration and random answers with every status represented."""
    rng = np.random.default_rng(seed)
    indicators = ITEMS // ITEMS_PER_INDICATOR
    items: list[ItemSpec] = []
    values = np.empty((UNITS, ITEMS))
    for index in range(ITEMS):
        indicator = f"I{index // ITEMS_PER_INDICATOR:03d}"
        kind = index % 4
        weight = float(rng.integers(1, 4))
        if kind == 0:
            spec = LevelMapping.linear(range(6))
            values[:, index] = rng.integers(0, 6, UNITS)
            items.append(ItemSpec(f"q{index:03d}", indicator, spec, weight=weight))
        elif kind == 1:
            spec = Goalposts(threshold=0.0, target=100.0)
            values[:, index] = rng.uniform(-10, 120, UNITS)
            items.append(ItemSpec(f"q{index:03d}", indicator, spec, weight=weight))
        elif kind == 2:
            spec = Goalposts(threshold=0.0, target=1000.0, log="ln1p")
            values[:, index] = rng.lognormal(4.0, 1.5, UNITS)
            items.append(
                ItemSpec(f"q{index:03d}", indicator, spec, weight=weight, dont_know_rule="lowest")
            )
        else:
            spec = Goalposts(threshold=20.0, target=2.0, direction="lower")
            values[:, index] = rng.uniform(0.5, 30.0, UNITS)
            items.append(ItemSpec(f"q{index:03d}", indicator, spec, weight=weight))
    pillar_of_indicator = [f"P{index % PILLARS}" for index in range(indicators)]
    indicator_nodes = tuple(
        NodeSpec(
            f"I{index:03d}",
            parent=pillar_of_indicator[index],
            weight=float(1 + index % 3),
            target=float(60 + index % 5 * 10),
        )
        for index in range(indicators)
    )
    pillar_nodes = tuple(
        NodeSpec(
            f"P{index}",
            weight=1.0 + index / 10,
            aggregation="geometric" if index % 3 == 0 else "arithmetic",
            target=80.0,
        )
        for index in range(PILLARS)
    )
    config = EngineConfig(
        items=tuple(items),
        levels=(Level("indicator", indicator_nodes), Level("pillar", pillar_nodes)),
    )
    codes = [ANSWERED, DONT_KNOW, NOT_APPLICABLE, MISSING]
    status = rng.choice(codes, size=(UNITS, ITEMS), p=[0.86, 0.04, 0.05, 0.05])
    # A few units answer little, so "insufficient data" pillars occur too.
    status[:6, : ITEMS // 2] = MISSING
    return config, values, status


def _item_score(spec: object, value: float) -> float:
    if isinstance(spec, LevelMapping):
        return spec.scores[spec.levels.index(value)]
    assert isinstance(spec, Goalposts)
    low, high, x = spec.threshold, spec.target, value
    if spec.log == "ln1p":
        low, high, x = math.log1p(low), math.log1p(high), math.log1p(x)
    return min(100.0, max(0.0, 100.0 * (x - low) / (high - low)))


def _mean(pairs: list[tuple[float, float]], aggregation: str) -> float:
    total = sum(weight for _, weight in pairs)
    if not pairs or total <= 0:
        return math.nan
    if aggregation == "geometric":
        if any(value == 0 and weight > 0 for value, weight in pairs):
            return 0.0
        return math.exp(sum(weight * math.log(value) for value, weight in pairs) / total)
    return sum(value * weight for value, weight in pairs) / total


def python_loop(config: EngineConfig, values: np.ndarray, status: np.ndarray) -> dict[str, list]:
    """The same work, one country and one item at a time, in plain Python."""
    indicator_level, pillar_level = config.levels
    thresholds = config.stage_thresholds
    # Lookups built once, as any sensible loop would.
    children_of = {
        pillar.code: [node for node in indicator_level.nodes if node.parent == pillar.code]
        for pillar in pillar_level.nodes
    }
    output: dict[str, list] = {key: [] for key in ("indicators", "pillars", "overall", "gaps")}
    for unit in range(values.shape[0]):
        item_values: dict[str, list[tuple[float, float]]] = {}
        # Coverage is weighted: question weight with data within an indicator, then indicator
        # weight within a pillar.
        applicable: dict[str, float] = {}
        covered: dict[str, float] = {}
        for column, item in enumerate(config.items):
            code = int(status[unit, column])
            indicator = item.parent
            item_values.setdefault(indicator, [])
            if code == NOT_APPLICABLE:
                continue
            applicable[indicator] = applicable.get(indicator, 0.0) + item.weight
            rule = item.dont_know_rule or config.dont_know_rule
            if code == ANSWERED:
                item_score = _item_score(item.normalisation, float(values[unit, column]))
            elif code == DONT_KNOW and rule == "lowest":
                item_score = 0.0
            else:
                continue
            covered[indicator] = covered.get(indicator, 0.0) + item.weight
            item_values[indicator].append((item_score, item.weight))
        indicator_scores: dict[str, float] = {}
        for node in indicator_level.nodes:
            indicator_scores[node.code] = _mean(item_values[node.code], node.aggregation)
        pillar_scores: dict[str, float] = {}
        for node in pillar_level.nodes:
            pairs = [
                (indicator_scores[child.code], child.weight)
                for child in children_of[node.code]
                if not math.isnan(indicator_scores[child.code])
            ]
            shares = [
                (covered.get(child.code, 0.0) / applicable[child.code], child.weight)
                for child in children_of[node.code]
                if applicable.get(child.code, 0.0) > 0
            ]
            share = sum(c * w for c, w in shares) / sum(w for _, w in shares)
            sufficient = share >= config.min_coverage
            pillar_scores[node.code] = _mean(pairs, node.aggregation) if sufficient else math.nan
        overall = _mean(
            [
                (pillar_scores[node.code], node.weight)
                for node in pillar_level.nodes
                if not math.isnan(pillar_scores[node.code])
            ],
            config.overall_aggregation,
        )
        unit_gaps = []
        for node in indicator_level.nodes:
            value = indicator_scores[node.code]
            # The engine's tolerance of 1e-9 points at targets and stage thresholds.
            gap = math.nan if math.isnan(value) else node.target - value
            gap = 0.0 if gap <= 1e-9 else gap
            stage = -1 if math.isnan(value) else sum(value >= bound - 1e-9 for bound in thresholds)
            unit_gaps.append((gap, gap / node.target, stage))
        output["indicators"].append([indicator_scores[node.code] for node in indicator_level.nodes])
        output["pillars"].append([pillar_scores[node.code] for node in pillar_level.nodes])
        output["overall"].append(overall)
        output["gaps"].append(unit_gaps)
    return output


def check_same_numbers(config: EngineConfig, values: np.ndarray, status: np.ndarray) -> None:
    result = score(config, values, status)
    loop = python_loop(config, values, status)
    options = {"rtol": 1e-9, "atol": 1e-9, "equal_nan": True}
    np.testing.assert_allclose(result.indicator_scores, np.array(loop["indicators"]), **options)
    np.testing.assert_allclose(result.pillar_scores, np.array(loop["pillars"]), **options)
    np.testing.assert_allclose(result.overall, np.array(loop["overall"]), **options)
    loop_gaps = np.array(loop["gaps"])
    np.testing.assert_allclose(result.indicators.gaps, loop_gaps[..., 0], **options)
    np.testing.assert_allclose(result.indicators.relative_gaps, loop_gaps[..., 1], **options)
    np.testing.assert_array_equal(result.indicators.stages, loop_gaps[..., 2].astype(int))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="alternations of engine and loop")
    parser.add_argument("--engine-calls", type=int, default=30, help="engine calls per round")
    arguments = parser.parse_args()

    config, values, status = build_case()
    config.hierarchy  # noqa: B018 - compile once, as a long-lived configuration would be
    check_same_numbers(config, values, status)
    result = score(config, values, status)
    print(blas_description())
    print(
        f"case: {UNITS} units × {ITEMS} items → {len(config.levels[0].nodes)} indicators → "
        f"{PILLARS} pillars; insufficient pillars: {int(result.pillars.insufficient.sum())}; "
        "loop and engine agree (rtol 1e-9)"
    )
    timings = time_interleaved(
        {
            "engine": (lambda: score(config, values, status), arguments.engine_calls),
            "loop": (lambda: python_loop(config, values, status), 1),
        },
        rounds=arguments.rounds,
    )
    engine_timing, loop_timing = timings["engine"], timings["loop"]
    print(f"{arguments.rounds} rounds, each {arguments.engine_calls} engine calls and 1 loop call")
    print(engine_timing.describe("engine score()"))
    print(loop_timing.describe("per-country Python loop"))
    ratio = loop_timing.median / engine_timing.median
    cpu_ratio = loop_timing.cpu_median / engine_timing.cpu_median
    print(f"speed-up (median loop / median engine): {ratio:.0f}x wall, {cpu_ratio:.0f}x CPU")
    meets = engine_timing.median_ms <= TARGET_MS and ratio >= TARGET_RATIO
    verdict = "meets" if meets else "MISSES"
    print(f"{verdict} the target (≤ {TARGET_MS:g} ms and ≥ {TARGET_RATIO:g}x, wall medians)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

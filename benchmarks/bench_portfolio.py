"""Benchmark: optimal intervention portfolio over 500 candidates with 50 planning constraints.

Run: ``.venv/bin/python benchmarks/bench_portfolio.py [--repeat N] [--seed S]``

The seeded random instance mimics a national plan: 40 indicators in 7 pillars, 500
interventions each improving 1-3 indicators, a budget of 3% of the catalogue's total
cost (``--budget-share``; about 6% already closes every gap in the capped model), and
50 planning constraints:

* 1 budget and 1 shared delivery capacity (sum of durations),
* 20 prerequisites (``x_j <= x_k``),
* 21 mutually exclusive pairs,
* 7 pillar minimums (at least 2 funded interventions per pillar).

The capped benefit model adds one row per reachable indicator (``g_i <= sum_j a_ij x_j``);
those structural rows are reported separately. For the capped and the additive model the
script prints the median time of the maximum-gain solve to proven optimality (HiGHS
relative gap 1e-9) without and with the cost tie-break (the default), of the greedy
heuristic, and the greedy heuristic's gap to the optimum.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _timing import time_callable  # noqa: E402

from scoring.engine.portfolio import (  # noqa: E402
    PortfolioProblem,
    build_portfolio_problem,
    check_portfolio,
    greedy_portfolio,
    optimise_portfolio,
)

N_INTERVENTIONS = 500
N_INDICATORS = 40
PILLARS = (
    "People",
    "Infrastructure",
    "Government",
    "Regulation",
    "Business",
    "Strategy",
    "Foundations",
)
N_PREREQUISITES = 20
N_EXCLUSIONS = 21
PILLAR_MINIMUM = 2


def make_instance(seed: int, benefit_model: str, budget_share: float = 0.03) -> PortfolioProblem:
    """A seeded random catalogue with exactly 50 planning constraints."""
    rng = np.random.default_rng(seed)
    indicator_pillars = [PILLARS[i % len(PILLARS)] for i in range(N_INDICATORS)]
    gaps = rng.uniform(0, 60, N_INDICATORS)
    indicator_weights = rng.dirichlet(np.ones(N_INDICATORS))
    improvements = np.zeros((N_INTERVENTIONS, N_INDICATORS))
    for j in range(N_INTERVENTIONS):
        touched = rng.choice(N_INDICATORS, size=rng.integers(1, 4), replace=False)
        improvements[j, touched] = rng.uniform(2, 15, touched.size)
    costs = np.round(rng.lognormal(mean=11.5, sigma=0.6, size=N_INTERVENTIONS), -2)
    durations = rng.integers(1, 25, N_INTERVENTIONS).astype(float)
    order = rng.permutation(N_INTERVENTIONS)
    prerequisites = [(int(order[2 * k]), int(order[2 * k + 1])) for k in range(N_PREREQUISITES)]
    exclusions = [
        (int(order[100 + 2 * k]), int(order[100 + 2 * k + 1])) for k in range(N_EXCLUSIONS)
    ]
    return build_portfolio_problem(
        costs,
        budget_share * costs.sum(),
        improvements=improvements,
        gaps=gaps,
        indicator_weights=indicator_weights,
        benefit_model=benefit_model,  # type: ignore[arg-type]
        durations=durations,
        duration_capacity=0.2 * durations.sum(),
        prerequisites=prerequisites,
        exclusion_groups=exclusions,
        indicator_pillars=indicator_pillars,
        pillar_minimum_count=dict.fromkeys(PILLARS, PILLAR_MINIMUM),
        intervention_codes=[f"INT-{j:03d}" for j in range(N_INTERVENTIONS)],
    )


def count_constraints(problem: PortfolioProblem) -> int:
    return (
        1  # budget
        + (problem.duration_capacity is not None)
        + len(problem.prerequisites)
        + len(problem.exclusion_groups)
        + len(problem.pillar_minimum_count)
        + len(problem.pillar_minimum_spend)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed solves per model")
    parser.add_argument("--seed", type=int, default=20_260_101)
    parser.add_argument("--budget-share", type=float, default=0.03)
    arguments = parser.parse_args()

    print(
        f"Portfolio benchmark: {N_INTERVENTIONS} interventions, {N_INDICATORS} indicators, "
        f"seed {arguments.seed}, budget {100 * arguments.budget_share:g}% of total cost"
    )
    for benefit_model in ("capped", "additive"):
        problem = make_instance(arguments.seed, benefit_model, arguments.budget_share)
        n_constraints = count_constraints(problem)
        assert n_constraints == 50, n_constraints
        result = optimise_portfolio(problem)
        assert result.status == "optimal", result.message
        assert check_portfolio(problem, result.selected) == ()
        assert result.greedy is not None
        gap_rows = int(
            ((problem.indicator_weights > 0) & (problem.improvements.sum(axis=0) > 0)).sum()
        )
        print(
            f"\n[{benefit_model} benefit model] {n_constraints} planning constraints"
            + (f" + {gap_rows} gap-cap rows" if benefit_model == "capped" else "")
        )
        print(
            f"  optimum: {len(result.selected)} interventions, cost {result.total_cost:,.0f} "
            f"of {problem.budget:,.0f}, gain {result.expected_gain:.4f}, "
            f"HiGHS mip gap {result.mip_gap:.2e}"
        )
        greedy = result.greedy
        print(
            f"  greedy:  {len(greedy.selected)} interventions, cost {greedy.total_cost:,.0f}, "
            f"gain {greedy.expected_gain:.4f}, feasible {greedy.feasible}, "
            f"gap to optimum {100 * greedy.optimality_gap:.2f}%"
        )
        solve = time_callable(
            lambda problem=problem: optimise_portfolio(
                problem, compare_greedy=False, prefer_cheaper=False
            ),
            repeat=arguments.repeat,
            warmup=1,
        )
        full = time_callable(
            lambda problem=problem: optimise_portfolio(problem, compare_greedy=False),
            repeat=arguments.repeat,
            warmup=1,
        )
        heuristic = time_callable(
            lambda problem=problem: greedy_portfolio(problem), repeat=arguments.repeat, warmup=1
        )
        print("  " + solve.describe("MILP to optimality, no cost tie-break"))
        print("  " + full.describe("MILP to optimality, cost tie-break (default)"))
        print("  " + heuristic.describe("greedy heuristic"))
        print(f"  ratio MILP / greedy (median): {solve.median / heuristic.median:.1f}x")


if __name__ == "__main__":
    main()

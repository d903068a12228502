"""Benchmark: matching 200 countries × 40 topics × 6 languages of demand to 500 offers.

Run: ``.venv/bin/python benchmarks/bench_matching.py [--repeat N] [--seed S] [--countries C]
[--budget country|region|none|all]``

The seeded random instance: 200 countries in the 6 ITU regions, each wanting 0-60
participants on each of 40 topics, split over the 6 languages (a main language with most
participants, some in the others, many cells empty: about half of the 48,000 cells are
non-zero); a third of the cells ask for a delivery mode, the rest accept any. 500 offers of 500
providers, each covering 1-3 topics and 1-3 languages in one mode, with 50-1,500 seats at 20-800
USD a participant, in a random region. Each country has a budget of ``--budget-share`` of what
its demand would cost at the median price (default 0.6, so budgets bind for many countries and
seats for many offers), and the same-region preference is on.

``--budget region`` gives each ITU region the sum of its countries' budgets, ``--budget none``
drops budgets (then cells of the same region, topic, language and mode are interchangeable and
the solver merges them); ``--budget all`` (the default) runs the three one after the other.

With a budget per country no two cells of different countries merge and the programme keeps
about 22,000 cell rows; match_offers then takes its guided path (an interior point on the
offers' and budgets' rows decides most cells, HiGHS solves the others and its duals prove
every decided cell; see ``_two_stage_guided``).

Printed, per budget kind: the median wall and CPU time of the optimal plan
(scoring.engine.matching.match_offers: merged interchangeable cells, independent parts, the
two-stage LP) and of two greedy baselines (cells in order, each on its compatible offers by
cost plus the same-region penalty, or cheapest first), then the plan's unmet demand, cost and
objective as ratios to each greedy allocation's in the same run, and the load average before
and after (the machine is shared: re-run a figure measured under load).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _timing import time_callable  # noqa: E402

from scoring.engine.matching import (  # noqa: E402
    ANY_MODE,
    MatchingResult,
    match_greedy,
    match_offers,
)

COUNTRIES, TOPICS, LANGUAGES, OFFERS, REGIONS, MODES = 200, 40, 6, 500, 6, 3


def instance(seed: int, budget_share: float) -> dict:
    rng = np.random.default_rng(seed)
    country_region = rng.integers(0, REGIONS, COUNTRIES)
    main_language = rng.integers(0, LANGUAGES, COUNTRIES)
    country, topic, language = np.meshgrid(
        np.arange(COUNTRIES), np.arange(TOPICS), np.arange(LANGUAGES), indexing="ij"
    )
    country, topic, language = country.ravel(), topic.ravel(), language.ravel()
    wanted = rng.integers(0, 61, country.size).astype(float)
    is_main = language == main_language[country]
    # Most participants in the country's main language; other languages are often empty.
    wanted = np.where(is_main, wanted, np.where(rng.random(country.size) < 0.4, wanted // 4, 0))
    mode = np.where(
        rng.random(country.size) < 1 / 3, rng.integers(0, MODES, country.size), ANY_MODE
    )
    offer_cost = rng.uniform(20, 800, OFFERS)
    per_country = np.bincount(country, weights=wanted, minlength=COUNTRIES)
    budgets = budget_share * per_country * float(np.median(offer_cost))
    return {
        "demand": wanted,
        "demand_topic": topic,
        "demand_language": language,
        "demand_mode": mode,
        "demand_region": country_region[country],
        "offer_seats": rng.integers(50, 1501, OFFERS).astype(float),
        "offer_cost": offer_cost,
        "offer_topics": [
            rng.choice(TOPICS, rng.integers(1, 4), replace=False) for _ in range(OFFERS)
        ],
        "offer_languages": [
            rng.choice(LANGUAGES, rng.integers(1, 4), replace=False) for _ in range(OFFERS)
        ],
        "offer_mode": rng.integers(0, MODES, OFFERS),
        "offer_region": rng.integers(0, REGIONS, OFFERS),
        "demand_group": country,
        "group_budgets": budgets,
    }


def objective(result: MatchingResult, penalty: float) -> float:
    """What the second stage minimises: cost plus the penalty on other-region placements."""
    return result.total_cost + penalty * result.other_region


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--budget-share", type=float, default=0.6)
    parser.add_argument(
        "--budget",
        choices=["country", "region", "none", "all"],
        default="all",
        help="a budget per country, per ITU region (the countries' sums), none, or all three",
    )
    parser.add_argument(
        "--countries", type=int, default=COUNTRIES, help="fewer for a quick look (default 200)"
    )
    args = parser.parse_args()
    globals()["COUNTRIES"] = args.countries
    kinds = ["country", "region", "none"] if args.budget == "all" else [args.budget]
    for kind in kinds:
        run(kind, args.seed, args.budget_share, args.repeat)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def run(kind: str, seed: int, budget_share: float, repeat: int) -> None:
    """Time the optimal plan and both greedy baselines on one budget kind, and compare them."""
    problem = instance(seed, budget_share)
    if kind == "region":
        problem["group_budgets"] = np.bincount(
            problem["demand_region"][:: TOPICS * LANGUAGES],
            weights=problem["group_budgets"],
            minlength=REGIONS,
        )
        problem["demand_group"] = problem["demand_region"]
    elif kind == "none":
        del problem["demand_group"], problem["group_budgets"]
    penalty = float(problem["offer_cost"].max()) + 1.0
    cells = int(np.count_nonzero(problem["demand"]))
    print(
        f"\n== budget per {kind}: {COUNTRIES} countries × {TOPICS} topics × {LANGUAGES} "
        f"languages = {problem['demand'].size} cells ({cells} non-zero, "
        f"{problem['demand'].sum():,.0f} participants); {OFFERS} offers with "
        f"{problem['offer_seats'].sum():,.0f} seats; {load()}"
    )
    # The timed calls' last results are the ones compared, so each plan is solved only
    # ``repeat`` times.
    results = {}

    def optimal_plan() -> None:
        results["optimal"] = match_offers(**problem, other_region_penalty=penalty)

    def greedy_plan() -> None:
        results["greedy"] = match_greedy(**problem, other_region_penalty=penalty)
        results["cheapest"] = match_greedy(**problem)

    timing_greedy = time_callable(greedy_plan, repeat=repeat)
    print(timing_greedy.describe("both greedy baselines"), flush=True)
    timing = time_callable(optimal_plan, repeat=repeat, warmup=0)
    print(timing.describe("optimal plan (merged cells, parts, two-stage LP)"))
    optimal = results["optimal"]
    print(f"(cell, offer) pairs used: optimal {optimal.pair_cell.size}")
    for name, label in (
        ("greedy", "greedy, same order as the optimum (cost + penalty)"),
        ("cheapest", "greedy, cheapest first"),
    ):
        greedy = results[name]
        print(f"against {label}:")
        print(
            f"  unmet: optimal {optimal.total_unmet:,.0f}, greedy {greedy.total_unmet:,.0f}"
            + (
                f" (ratio {optimal.total_unmet / greedy.total_unmet:.3f})"
                if greedy.total_unmet
                else ""
            )
        )
        print(
            f"  cost: optimal {optimal.total_cost:,.0f} USD, greedy {greedy.total_cost:,.0f} USD "
            f"(ratio {optimal.total_cost / greedy.total_cost:.3f}); per placed participant "
            f"optimal {optimal.total_cost / optimal.met.sum():.1f}, "
            f"greedy {greedy.total_cost / greedy.met.sum():.1f}"
        )
        print(
            f"  objective (cost + {penalty:,.0f} USD per participant placed in another region): "
            f"ratio {objective(optimal, penalty) / objective(greedy, penalty):.3f}; "
            f"placed in another region: optimal {optimal.other_region:,.0f}, "
            f"greedy {greedy.other_region:,.0f}"
        )
    print(
        f"binding: {int(optimal.seats_binding.sum())} offers full, "
        f"{int(optimal.budget_binding.sum())} budgets spent (per {kind}); after: {load()}"
    )


if __name__ == "__main__":
    main()

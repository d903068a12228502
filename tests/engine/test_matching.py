"""Matching demand to offers: known answers worked by hand, brute force and invariants."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from scoring.engine.matching import ANY_MODE, match_greedy, match_offers

ONLINE, IN_PERSON = 0, 1


def problem(**overrides: Any) -> dict[str, Any]:
    """One cell of 10 participants (topic 0, language 0, any mode, region 0), two offers."""
    values: dict[str, Any] = {
        "demand": [10],
        "demand_topic": [0],
        "demand_language": [0],
        "demand_mode": [ANY_MODE],
        "demand_region": [0],
        "offer_seats": [6, 10],
        "offer_cost": [1.0, 3.0],
        "offer_topics": [[0], [0]],
        "offer_languages": [[0], [0]],
        "offer_mode": [ONLINE, IN_PERSON],
        "offer_region": [0, 0],
    }
    values.update(overrides)
    return values


class KnownAnswerTests(SimpleTestCase):
    def test_cheapest_seats_are_used_first(self) -> None:
        # By hand: 6 seats at 1 then 4 at 3 = 18; the cheap offer is full, the other at 40 %.
        result = match_offers(**problem())
        assert_allclose(result.total_cost, 18.0, atol=1e-6)
        self.assertEqual(result.total_unmet, 0.0)
        assert_allclose(result.offer_used, [6, 4], atol=1e-6)
        assert_allclose(result.offer_utilisation, [1.0, 0.4], atol=1e-6)
        self.assertEqual(result.seats_binding.tolist(), [True, False])

    def test_mode_and_language_must_match(self) -> None:
        # In-person only: the online offer is not compatible, 10 seats at 3 = 30.
        result = match_offers(**problem(demand_mode=[IN_PERSON]))
        assert_allclose(result.total_cost, 30.0, atol=1e-6)
        result = match_offers(**problem(demand_language=[1]))
        self.assertEqual(result.total_unmet, 10.0)
        self.assertEqual(result.reason, ("no_offer",))

    def test_unmet_demand_beyond_seats_is_explained_by_seats(self) -> None:
        result = match_offers(**problem(demand=[20]))
        self.assertAlmostEqual(result.total_unmet, 4.0, places=6)
        self.assertEqual(result.reason, ("seats",))

    def test_budget_binds_and_is_named(self) -> None:
        # Budget 12: 6 at 1 (6) then 2 at 3 (6) → 8 placed, 2 unmet, the budget binds.
        result = match_offers(**problem(demand_group=[0], group_budgets=[12.0]))
        self.assertAlmostEqual(result.total_unmet, 2.0, places=6)
        self.assertEqual(result.reason, ("budget",))
        self.assertTrue(result.budget_binding[0])
        assert_allclose(result.group_spend, [12.0], atol=1e-6)

    def test_zero_budget_places_nobody_paid(self) -> None:
        result = match_offers(**problem(demand_group=[0], group_budgets=[0.0]))
        self.assertEqual(result.total_unmet, 10.0)
        self.assertEqual(result.reason, ("budget",))

    def test_same_region_preference_moves_participants_home(self) -> None:
        # Offer 0 (cost 1) is in another region. Penalty 5 makes it worth 6 > 3, so the cell
        # prefers the home offer (10 at 3 = 30 spent); without the penalty it costs 18.
        overrides = {"offer_region": [1, 0]}
        plain = match_offers(**problem(**overrides))
        preferred = match_offers(**problem(**overrides), other_region_penalty=5.0)
        assert_allclose(plain.total_cost, 18.0, atol=1e-6)
        assert_allclose(preferred.total_cost, 30.0, atol=1e-6)
        self.assertEqual(preferred.other_region, 0.0)

    def test_meeting_demand_comes_before_cost(self) -> None:
        # Two cells compete for the cheap offer; the optimum gives the in-person-only cell the
        # seats it cannot get elsewhere. Greedy (cells in order) lets cell 0 take them first.
        values = problem(
            demand=[6, 6],
            demand_topic=[0, 0],
            demand_language=[0, 0],
            demand_mode=[ANY_MODE, ONLINE],
            demand_region=[0, 0],
        )
        optimal = match_offers(**values)
        greedy = match_greedy(**values)
        self.assertEqual(optimal.total_unmet, 0.0)
        assert_allclose(optimal.total_cost, 6 * 1 + 6 * 3, atol=1e-6)
        self.assertEqual(greedy.total_unmet, 6.0)

    def test_bad_input_is_refused_with_a_message(self) -> None:
        with self.assertRaisesRegex(ValueError, "offer_seats"):
            match_offers(**problem(offer_seats=[-1, 10]))
        with self.assertRaisesRegex(ValueError, "offer_cost"):
            match_offers(**problem(offer_cost=[1.0, -3.0]))
        with self.assertRaisesRegex(ValueError, "same length"):
            match_offers(**problem(demand_topic=[0, 1]))
        with self.assertRaisesRegex(ValueError, "budgets"):
            match_offers(**problem(demand_group=[0], group_budgets=[-1.0]))

    def test_no_offers_leaves_all_demand_unmet(self) -> None:
        result = match_offers(
            **problem(
                offer_seats=[],
                offer_cost=[],
                offer_topics=[],
                offer_languages=[],
                offer_mode=[],
                offer_region=[],
            )
        )
        self.assertEqual(result.total_unmet, 10.0)
        self.assertEqual(result.reason, ("no_offer",))


def brute_force(values: dict[str, Any]) -> tuple[float, float]:
    """(least unmet, least cost at that unmet) over every whole allocation of 2 cells × 2 offers."""
    best: tuple[float, float] | None = None
    demand = values["demand"]
    ranges = [range(int(demand[c]) + 1) for c in range(2) for _o in range(2)]
    for x in itertools.product(*ranges):
        amounts = np.array(x, dtype=float).reshape(2, 2)
        ok = True
        for c in range(2):
            for o in range(2):
                compatible = (
                    values["demand_topic"][c] in values["offer_topics"][o]
                    and values["demand_language"][c] in values["offer_languages"][o]
                    and values["demand_mode"][c] in (ANY_MODE, values["offer_mode"][o])
                )
                ok &= compatible or amounts[c, o] == 0
        ok &= bool(np.all(amounts.sum(axis=1) <= demand))
        ok &= bool(np.all(amounts.sum(axis=0) <= values["offer_seats"]))
        cost = float((amounts * np.array(values["offer_cost"])).sum())
        ok &= cost <= values["group_budgets"][0] + 1e-9
        if not ok:
            continue
        key = (float(sum(demand) - amounts.sum()), cost)
        best = key if best is None or key < best else best
    assert best is not None
    return best


class BruteForceTests(SimpleTestCase):
    @settings(max_examples=40, deadline=None)
    @given(
        demand=st.lists(st.integers(0, 4), min_size=2, max_size=2),
        seats=st.lists(st.integers(0, 4), min_size=2, max_size=2),
        cost=st.lists(st.integers(0, 5), min_size=2, max_size=2),
        modes=st.lists(st.sampled_from([ANY_MODE, ONLINE, IN_PERSON]), min_size=2, max_size=2),
        languages=st.lists(st.sampled_from([[0], [1], [0, 1]]), min_size=2, max_size=2),
        budget=st.integers(0, 30),
    )
    def test_milp_matches_brute_force_on_small_cases(
        self, demand, seats, cost, modes, languages, budget
    ) -> None:
        values = problem(
            demand=demand,
            demand_topic=[0, 0],
            demand_language=[0, 1],
            demand_mode=modes,
            demand_region=[0, 0],
            offer_seats=seats,
            offer_cost=[float(c) for c in cost],
            offer_languages=languages,
            demand_group=[0, 0],
            group_budgets=[float(budget)],
        )
        unmet, least_cost = brute_force(values)
        result = match_offers(**values, integral=True)
        self.assertAlmostEqual(result.total_unmet, unmet, places=6)
        self.assertAlmostEqual(result.total_cost, least_cost, places=6)


class PropertyTests(SimpleTestCase):
    @settings(max_examples=40, deadline=None)
    @given(
        seed=st.integers(0, 10_000),
        cells=st.integers(1, 12),
        offers=st.integers(1, 8),
        budget=st.one_of(st.just(np.inf), st.floats(0, 200)),
    )
    def test_optimum_respects_constraints_and_never_loses_to_greedy(
        self, seed, cells, offers, budget
    ) -> None:
        rng = np.random.default_rng(seed)
        values = {
            "demand": rng.integers(0, 20, cells).astype(float),
            "demand_topic": rng.integers(0, 3, cells),
            "demand_language": rng.integers(0, 2, cells),
            "demand_mode": rng.choice([ANY_MODE, ONLINE, IN_PERSON], cells),
            "demand_region": rng.integers(0, 2, cells),
            "offer_seats": rng.integers(0, 25, offers).astype(float),
            "offer_cost": rng.uniform(0, 10, offers),
            "offer_topics": [
                rng.choice(3, rng.integers(1, 3), replace=False) for _ in range(offers)
            ],
            "offer_languages": [[int(rng.integers(0, 2))] for _ in range(offers)],
            "offer_mode": rng.integers(0, 2, offers),
            "offer_region": rng.integers(0, 2, offers),
            "demand_group": np.zeros(cells, dtype=int),
            "group_budgets": [budget],
        }
        optimal = match_offers(**values)
        greedy = match_greedy(**values)
        tolerance = 1e-5 * (1 + values["demand"].sum())
        assert_allclose(optimal.met + optimal.unmet, values["demand"], atol=tolerance)
        self.assertTrue(np.all(optimal.offer_used <= values["offer_seats"] + tolerance))
        self.assertLessEqual(optimal.group_spend[0], budget + 1e-4 * (1 + budget))
        self.assertLessEqual(optimal.total_unmet, greedy.total_unmet + tolerance)
        if abs(optimal.total_unmet - greedy.total_unmet) <= tolerance:
            self.assertLessEqual(optimal.total_cost, greedy.total_cost + 1e-4)
        self.assertTrue(
            all(bool(r) == (u > 0) for r, u in zip(optimal.reason, optimal.unmet, strict=True))
        )


class DecompositionTests(SimpleTestCase):
    """Merged cells and independent parts give the optimum of the whole programme."""

    @settings(max_examples=40, deadline=None)
    @given(
        seed=st.integers(0, 10_000),
        cells=st.integers(1, 30),
        offers=st.integers(1, 10),
        budgets=st.sampled_from(["none", "per_group", "zero_and_some"]),
        penalty=st.sampled_from([0.0, 11.0]),
    )
    def test_decomposed_optimum_equals_the_whole_programme(
        self, seed, cells, offers, budgets, penalty
    ) -> None:
        rng = np.random.default_rng(seed)
        # Few topics, languages and regions so that many cells are interchangeable.
        groups = 3
        values = {
            "demand": rng.integers(0, 15, cells).astype(float),
            "demand_topic": rng.integers(0, 4, cells),
            "demand_language": rng.integers(0, 3, cells),
            "demand_mode": rng.choice([ANY_MODE, ONLINE], cells),
            "demand_region": rng.integers(0, 2, cells),
            "offer_seats": rng.integers(0, 25, offers).astype(float),
            "offer_cost": rng.uniform(0, 10, offers),
            "offer_topics": [
                rng.choice(4, rng.integers(1, 3), replace=False) for _ in range(offers)
            ],
            "offer_languages": [[int(rng.integers(0, 3))] for _ in range(offers)],
            "offer_mode": rng.integers(0, 2, offers),
            "offer_region": rng.integers(0, 2, offers),
        }
        if budgets != "none":
            values["demand_group"] = rng.integers(0, groups, cells)
            values["group_budgets"] = rng.uniform(0, 150, groups)
            if budgets == "zero_and_some":
                values["group_budgets"][0] = 0.0
                values["group_budgets"][1] = np.inf
        whole = match_offers(**values, other_region_penalty=penalty, decompose=False)
        parts = match_offers(**values, other_region_penalty=penalty, decompose=True)
        tolerance = 1e-6 * (1 + values["demand"].sum())
        self.assertAlmostEqual(parts.total_unmet, whole.total_unmet, delta=tolerance)

        def objective(result: Any) -> float:
            return float(result.total_cost + penalty * result.other_region)

        self.assertAlmostEqual(
            objective(parts), objective(whole), delta=1e-6 * (1 + objective(whole))
        )
        # The split back to the original cells keeps every constraint.
        assert_allclose(parts.met + parts.unmet, values["demand"], atol=tolerance)
        self.assertTrue(np.all(parts.offer_used <= values["offer_seats"] + tolerance))
        if budgets != "none":
            finite = np.isfinite(values["group_budgets"])
            self.assertTrue(
                np.all(
                    parts.group_spend[finite] <= values["group_budgets"][finite] * (1 + 1e-6) + 1e-6
                )
            )

    def test_interchangeable_cells_are_split_within_their_demand(self) -> None:
        # Two countries (cells) of the same region and group want the same topic: 7 + 5
        # participants, 9 seats at 1 and 10 at 2. Optimum: 9 at 1 + 3 at 2 = 15, whoever sits
        # where; each cell gets no more than it wants.
        result = match_offers(
            **problem(
                demand=[7, 5],
                demand_topic=[0, 0],
                demand_language=[0, 0],
                demand_mode=[ANY_MODE, ANY_MODE],
                demand_region=[0, 0],
                offer_seats=[9, 10],
                offer_cost=[1.0, 2.0],
            )
        )
        assert_allclose(result.total_cost, 15.0, atol=1e-9)
        assert_allclose(result.met, [7, 5], atol=1e-9)
        assert_allclose(result.offer_used, [9, 3], atol=1e-9)

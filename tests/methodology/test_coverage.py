"""Coverage is the share of indicator weight with data, as documented (issue 17, item 2).

``docs/framework-format.md`` and the default framework's methodology say: "a pillar where less
than ``min_coverage`` of the indicator weight has data is reported as insufficient data".
"""

from __future__ import annotations

import numpy as np
from django.test import SimpleTestCase

from scoring.engine import (
    ANSWERED,
    MISSING,
    NOT_APPLICABLE,
    EngineConfig,
    ItemSpec,
    Level,
    LevelMapping,
    NodeSpec,
    score,
)

LEVELS = LevelMapping.linear(range(6))


def _issue_example() -> EngineConfig:
    """Indicator A (weight 1, five questions) beside indicator B (weight 4, one question)."""
    items = tuple(ItemSpec(f"a{i}", "A", LEVELS) for i in range(5)) + (ItemSpec("b", "B", LEVELS),)
    return EngineConfig(
        items=items,
        levels=(
            Level("indicator", (NodeSpec("A", "P", weight=1), NodeSpec("B", "P", weight=4))),
            Level("pillar", (NodeSpec("P"),)),
        ),
    )


class CoverageTests(SimpleTestCase):
    def test_the_issue_example_is_insufficient_data_not_fifty_systematic(self) -> None:
        # Counting questions gave 5/6 = 0.83 and published "50, Systematic"; by indicator
        # weight only 1/5 of the pillar has data.
        status = np.array([[ANSWERED] * 5 + [MISSING]])
        result = score(_issue_example(), np.array([[2.0] * 5 + [0.0]]), status)
        assert result.pillars.coverage[0, 0] == 0.2
        assert result.pillars.insufficient[0, 0]
        assert np.isnan(result.pillar_scores[0, 0])
        assert result.overall_insufficient[0]

    def test_the_heavy_indicator_alone_is_enough(self) -> None:
        status = np.array([[MISSING] * 5 + [ANSWERED]])
        result = score(_issue_example(), np.array([[0.0] * 5 + [3.0]]), status)
        assert result.pillars.coverage[0, 0] == 0.8
        assert result.pillar_scores[0, 0] == 60.0

    def test_a_question_of_weight_zero_does_not_count_towards_coverage(self) -> None:
        config = EngineConfig(
            items=(
                ItemSpec("q1", "I", LEVELS),
                ItemSpec("q2", "I", LEVELS),
                ItemSpec("context", "I", LEVELS, weight=0.0),
            ),
            levels=(Level("indicator", (NodeSpec("I", "P"),)), Level("pillar", (NodeSpec("P"),))),
        )
        values = np.array([[3.0, 0.0, 5.0]])
        result = score(config, values, np.array([[ANSWERED, MISSING, ANSWERED]]))
        # Counting questions would give 2/3 and a score; by weight one half has data.
        assert result.indicators.coverage[0, 0] == 0.5
        assert result.pillars.insufficient[0, 0]

    def test_not_applicable_questions_leave_their_weight_out(self) -> None:
        status = np.array([[MISSING] * 5 + [NOT_APPLICABLE]])
        result = score(_issue_example(), np.zeros((1, 6)), status)
        assert result.pillars.coverage[0, 0] == 0.0
        status = np.array([[ANSWERED] * 5 + [NOT_APPLICABLE]])
        result = score(_issue_example(), np.full((1, 6), 2.0), status)
        assert result.pillars.coverage[0, 0] == 1.0
        assert result.pillar_scores[0, 0] == 40.0

    def test_a_half_answered_indicator_counts_for_half_its_weight(self) -> None:
        status = np.array([[ANSWERED, ANSWERED, MISSING, MISSING, MISSING, ANSWERED]])
        result = score(_issue_example(), np.full((1, 6), 1.0), status)
        np.testing.assert_allclose(result.pillars.coverage[0, 0], (1 * 2 / 5 + 4 * 1) / 5)
        np.testing.assert_allclose(result.overall_coverage[0], (1 * 2 / 5 + 4 * 1) / 5)

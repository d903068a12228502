"""Zeros in geometric and harmonic means, and the framework's remedies (issue 17, item 7)."""

from __future__ import annotations

import numpy as np
import pytest
from django.test import SimpleTestCase

from scoring.adapter import framework_layout
from scoring.engine import ANSWERED, EngineConfig, ItemSpec, Level, LevelMapping, NodeSpec, score
from scoring.engine.uncertainty import run_uncertainty
from surveys.frameworks.export import export_framework_data
from surveys.frameworks.loader import load_framework_data
from surveys.frameworks.reading import FrameworkError
from tests.frameworks.helpers import make_framework_data

LEVELS = LevelMapping.linear(range(6))


def _geometric(**options: object) -> EngineConfig:
    # Two geometric pillars: P1 = (I1, I2), P2 = (I3); geometric overall.
    return EngineConfig(
        items=tuple(ItemSpec(f"q{i}", f"I{i + 1}", LEVELS) for i in range(3)),
        levels=(
            Level(
                "indicator",
                (NodeSpec("I1", "P1"), NodeSpec("I2", "P1"), NodeSpec("I3", "P2")),
            ),
            Level(
                "pillar",
                (NodeSpec("P1", aggregation="geometric"), NodeSpec("P2", aggregation="geometric")),
            ),
        ),
        overall_aggregation="geometric",
        **options,
    )


VALUES = np.array([[0.0, 5.0, 5.0]])  # one level-0 answer, the others at the top
STATUS = np.full((1, 3), ANSWERED)


class ZeroRemedyTests(SimpleTestCase):
    def test_without_a_remedy_one_zero_zeroes_its_pillar_and_the_overall(self) -> None:
        result = score(_geometric(), VALUES, STATUS)
        assert result.pillar_scores[0].tolist() == [0.0, 100.0]
        assert result.overall[0] == 0.0

    def test_a_floor_lets_the_other_scores_count(self) -> None:
        result = score(_geometric(zero_remedy="floor", zero_remedy_value=1.0), VALUES, STATUS)
        np.testing.assert_allclose(result.pillar_scores[0], [10.0, 100.0])  # sqrt(1 · 100)
        np.testing.assert_allclose(result.overall[0], np.sqrt(10.0 * 100.0))
        assert result.item_scores[0].tolist() == [1.0, 100.0, 100.0]

    def test_a_shift_moves_the_scale_onto_value_to_100(self) -> None:
        result = score(_geometric(zero_remedy="shift", zero_remedy_value=10.0), VALUES, STATUS)
        np.testing.assert_allclose(result.item_scores[0], [10.0, 100.0, 100.0])
        np.testing.assert_allclose(result.pillar_scores[0, 0], np.sqrt(10.0 * 100.0))
        # A mid answer (level 2, 40) becomes 10 + 0.9 · 40 = 46.
        mid = score(_geometric(zero_remedy="shift", zero_remedy_value=10.0), VALUES * 0 + 2, STATUS)
        np.testing.assert_allclose(mid.item_scores[0, 0], 46.0)

    def test_the_uncertainty_analysis_uses_the_remedied_scores(self) -> None:
        config = _geometric(zero_remedy="floor", zero_remedy_value=1.0)
        analysis = run_uncertainty(
            config,
            np.vstack([VALUES, [[3.0, 4.0, 1.0]]]),
            np.full((2, 3), ANSWERED),
            inputs={"aggregation:overall": ("arithmetic", "geometric")},
            n_samples=50,
        )
        nominal = score(config, np.vstack([VALUES, [[3.0, 4.0, 1.0]]]), np.full((2, 3), ANSWERED))
        np.testing.assert_allclose(analysis.nominal_overall, nominal.overall)
        assert analysis.nominal_overall[0] > 0

    def test_a_remedy_value_outside_0_100_is_refused(self) -> None:
        with pytest.raises(ValueError, match="zero_remedy_value"):
            _geometric(zero_remedy="floor", zero_remedy_value=0.0)
        with pytest.raises(ValueError, match="zero_remedy"):
            _geometric(zero_remedy="log")


class ZeroRemedyFormatTests(SimpleTestCase):
    def test_the_framework_option_reaches_the_engine_and_round_trips(self) -> None:
        data = make_framework_data(scoring={"zeros": "floor", "zeros_value": 2})
        spec = load_framework_data(data)
        config = framework_layout(spec).config
        assert (config.zero_remedy, config.zero_remedy_value) == ("floor", 2.0)
        exported = export_framework_data(spec, full=True)
        assert exported["scoring"]["zeros"] == "floor"
        assert load_framework_data(exported) == spec

    def test_without_the_option_nothing_is_written_and_zeros_are_kept(self) -> None:
        spec = load_framework_data(make_framework_data())
        assert "zeros" not in export_framework_data(spec, full=True).get("scoring", {})
        assert framework_layout(spec).config.zero_remedy == "keep"

    def test_bad_zero_options_are_refused_with_their_place(self) -> None:
        with pytest.raises(FrameworkError) as caught:
            load_framework_data(make_framework_data(scoring={"zeros": "log", "zeros_value": 0}))
        problems = [str(issue) for issue in caught.value.issues]
        assert any(problem.startswith("scoring.zeros:") for problem in problems)
        assert any(
            problem == "scoring.zeros_value: must lie strictly between 0 and 100, got 0"
            for problem in problems
        )

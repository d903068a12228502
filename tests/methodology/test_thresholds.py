"""Scores exactly on a stage threshold or a target (issue 17, item 1).

Maturity levels on [0, 5] score exactly 0/20/40/60/80/100, the default stage thresholds, so
real answers produce scores that are thresholds up to floating-point rounding: the geometric
mean of two 80s is exp((ln 80 + ln 80) / 2) = 79.99999999999997.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import numpy as np
from django.core.management import call_command
from django.test import SimpleTestCase

from scoring.engine import (
    ANSWERED,
    EngineConfig,
    ItemSpec,
    Level,
    LevelMapping,
    NodeSpec,
    gaps,
    score,
    stages,
)
from scoring.engine.gaps import SCORE_TOLERANCE

GEOMETRIC_FRAMEWORK = """\
code: thresholds
version: "1"
languages: [en]
title: {en: "Thresholds"}
scoring: {target: 80}
pillars:
  - code: P
    title: {en: "Pillar"}
    aggregation: geometric
    indicators:
      - code: P.1
        title: {en: "One"}
        questions:
          - code: P.1.a
            type: maturity
            text: {en: "First?"}
            levels:
              - {level: 0, descriptor: {en: "none"}}
              - {level: 1, descriptor: {en: "some"}}
              - {level: 2, descriptor: {en: "more"}}
              - {level: 3, descriptor: {en: "much"}}
              - {level: 4, descriptor: {en: "most"}}
              - {level: 5, descriptor: {en: "all"}}
      - code: P.2
        title: {en: "Two"}
        questions:
          - code: P.2.a
            type: maturity
            text: {en: "Second?"}
            levels:
              - {level: 0, descriptor: {en: "none"}}
              - {level: 1, descriptor: {en: "some"}}
              - {level: 2, descriptor: {en: "more"}}
              - {level: 3, descriptor: {en: "much"}}
              - {level: 4, descriptor: {en: "most"}}
              - {level: 5, descriptor: {en: "all"}}
"""


def _two_eighties(method: str, weights: tuple[float, float] = (1.0, 1.0)) -> EngineConfig:
    return EngineConfig(
        items=(
            ItemSpec("a", "I1", LevelMapping.linear(range(6))),
            ItemSpec("b", "I2", LevelMapping.linear(range(6))),
        ),
        levels=(
            Level(
                "indicator",
                (
                    NodeSpec("I1", "P", weight=weights[0], target=80),
                    NodeSpec("I2", "P", weight=weights[1], target=80),
                ),
            ),
            Level("pillar", (NodeSpec("P", aggregation=method, target=80),)),
        ),
        overall_target=80,
    )


class ThresholdTests(SimpleTestCase):
    def test_the_geometric_mean_of_two_eighties_is_below_eighty_in_floating_point(self) -> None:
        # The premise of the fix: without a tolerance this score is "Differentiating".
        value = float(np.exp((np.log(80.0) + np.log(80.0)) / 2))
        assert value < 80.0
        assert 80.0 - value < SCORE_TOLERANCE

    def test_a_pillar_mean_of_eighties_is_transformational_with_no_gap(self) -> None:
        for method in ("geometric", "harmonic", "arithmetic"):
            for weights in ((1.0, 1.0), (0.3, 0.7), (1.0, 3.0)):
                result = score(
                    _two_eighties(method, weights),
                    np.array([[4.0, 4.0]]),
                    np.full((1, 2), ANSWERED),
                )
                with self.subTest(method=method, weights=weights):
                    assert result.pillars.stages[0, 0] == 4
                    assert result.pillars.gaps[0, 0] == 0.0
                    assert result.overall_stage[0] == 4
                    assert result.overall_gap[0] == 0.0

    def test_a_real_shortfall_keeps_its_stage_and_gap(self) -> None:
        assert stages(np.array([79.9999, 80.0 - 1e-6])).tolist() == [3, 3]
        np.testing.assert_allclose(gaps(np.array([79.9999]), 80.0), [1e-4], rtol=1e-9)

    def test_missing_scores_keep_no_stage_and_a_nan_gap(self) -> None:
        assert stages(np.array([np.nan])).tolist() == [-1]
        assert np.isnan(gaps(np.array([np.nan]), 80.0)[0])


class ScoreCommandThresholdTests(SimpleTestCase):
    def test_the_command_prints_transformational_for_the_geometric_mean_of_two_eighties(
        self,
    ) -> None:
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        framework = folder / "framework.yaml"
        framework.write_text(GEOMETRIC_FRAMEWORK, encoding="utf-8")
        data = folder / "data.csv"
        data.write_text("unit,P.1.a,P.2.a\nA,4,4\n", encoding="utf-8")
        out = folder / "scores.csv"
        call_command(
            "score", framework=str(framework), data=str(data), out=str(out), stdout=io.StringIO()
        )
        (row,) = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))
        assert row["P.1"] == "80" and row["P.1 stage"] == "Transformational"
        assert row["P"] == "80"
        assert row["P stage"] == "Transformational"
        assert row["P gap"] == "0"
        assert row["overall stage"] == "Transformational"

"""Sensitivity indices stored with a run, read back as lines people can read."""

from __future__ import annotations

import numpy as np
from django.test import SimpleTestCase

from scoring.engine.sensitivity import SobolIndices
from scoring.influence import RANK_SHIFT, influence_lines, input_label, sensitivity_json


def indices(outputs: tuple[str, ...]) -> SobolIndices:
    first = np.array([[0.1, 0.5, np.nan], [0.0, 0.2, 0.7]])[: len(outputs)]
    return SobolIndices(
        input_names=("weights:pillar", "aggregation:overall", "dont_know_rule"),
        output_names=outputs,
        first_order=first,
        total_order=first + 0.05,
        first_order_low=first - 0.02,
        first_order_high=first + 0.02,
        total_order_low=first + 0.03,
        total_order_high=first + 0.07,
        confidence_level=0.95,
        n_base_samples=256,
        n_evaluations=8 * 256 * 5,
        n_replicates=8,
        seed=1,
    )


class InfluenceTests(SimpleTestCase):
    def test_stored_indices_come_back_largest_total_first_without_an_estimate_last(self) -> None:
        stored = {"sensitivity": sensitivity_json(indices(("7", RANK_SHIFT)), outputs=["7"])}
        lines = influence_lines(stored, "7")
        assert [line.input for line in lines] == [
            "aggregation:overall",
            "weights:pillar",
            "dont_know_rule",
        ]
        assert lines[0].first == 0.5 and abs(lines[0].total - 0.55) < 1e-12
        assert lines[-1].total is None  # NaN was stored as null
        assert lines[1].label == "Weights of the pillars"

    def test_only_the_requested_outputs_are_stored(self) -> None:
        stored = sensitivity_json(indices(("7", RANK_SHIFT)), outputs=["7", "missing"])
        assert set(stored["outputs"]) == {"7"}
        assert stored["n_evaluations"] == 10240 and stored["confidence_level"] == 0.95

    def test_a_run_without_sensitivity_or_without_the_output_has_no_lines(self) -> None:
        assert influence_lines(None, "7") == []
        assert influence_lines({"inputs": {}}, "7") == []
        stored = {"sensitivity": sensitivity_json(indices(("7",)), outputs=["7"])}
        assert influence_lines(stored, RANK_SHIFT) == []

    def test_every_input_the_platform_varies_has_words(self) -> None:
        from scoring.adapter import framework_layout
        from scoring.services import uncertainty_inputs
        from tests.scoring.helpers import small_spec

        config = framework_layout(small_spec()).config
        names = set(uncertainty_inputs(config, cohort=True)) | {"imputation"}
        assert all(input_label(name) != name for name in names)

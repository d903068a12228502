"""Configuration validation, stable dictionary form and reproducibility digests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from scoring.engine import (
    ENGINE_VERSION,
    EngineConfig,
    ItemSpec,
    Level,
    LevelMapping,
    NodeSpec,
    Points,
    config_digest,
    inputs_digest,
    score,
)
from tests.engine.factory import answered_status, make_config, make_items, make_values

REPOSITORY = Path(__file__).resolve().parents[2]


def test_the_engine_imports_no_django_in_a_fresh_interpreter() -> None:
    check = (
        "import scoring.engine, sys; assert not any(m.startswith('django') for m in sys.modules)"
    )
    completed = subprocess.run(  # noqa: S603 - fixed command, no user input
        [sys.executable, "-c", check], cwd=REPOSITORY, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr


def test_to_dict_is_json_ready_and_from_dict_rebuilds_an_equal_config() -> None:
    config = make_config(imputation="median", dont_know_rule="lowest")
    data = json.loads(json.dumps(config.to_dict()))
    assert EngineConfig.from_dict(data) == config


def test_the_config_digest_is_stable_and_changes_with_any_setting() -> None:
    config = make_config()
    assert config_digest(config) == config_digest(make_config())
    assert config_digest(config) != config_digest(make_config(min_coverage=0.5))
    assert config_digest(config) != config_digest(make_config(stage_thresholds=(25, 50, 75, 90)))


def test_the_inputs_digest_depends_on_values_status_and_groups_only() -> None:
    values = make_values()
    status = answered_status(values)
    digest = inputs_digest(values, status)
    assert digest == inputs_digest(values.astype(np.float32).astype(float), status.astype(int))
    changed = values.copy()
    changed[0, 0] = 4
    assert digest != inputs_digest(changed, status)
    assert digest != inputs_digest(values, status, groups=["A"])
    negative_zero = np.array([[-0.0]])
    assert inputs_digest(negative_zero, np.zeros((1, 1))) == inputs_digest(
        np.zeros((1, 1)), np.zeros((1, 1))
    )


def test_re_running_a_stored_configuration_gives_identical_numbers() -> None:
    values = make_values([3, 2, 50, 9, 11, 2], [1, 1, 5, 100, 3, 4])
    status = answered_status(values)
    first = score(make_config(pillar_aggregation="geometric"), values, status)
    stored = json.dumps(make_config(pillar_aggregation="geometric").to_dict())
    second = score(EngineConfig.from_dict(json.loads(stored)), values, status)
    assert_array_equal(first.overall, second.overall)
    assert_array_equal(first.pillar_scores, second.pillar_scores)
    assert isinstance(ENGINE_VERSION, str) and ENGINE_VERSION


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: ItemSpec("q", "I1", Points(2), weight=-1), "weight must be non-negative"),
        (
            lambda: make_config(items=(*make_items()[:5], ItemSpec("q1", "I3", Points(2)))),
            "duplicate item codes: q1",
        ),
        (
            lambda: make_config(items=(*make_items(), ItemSpec("x", "I9", Points(2)))),
            "parent 'I9' is not a node of level 'indicator'",
        ),
        (lambda: make_config(stage_thresholds=(20, 10, 60, 80)), "strictly increasing"),
        (lambda: make_config(stage_names=("A", "B")), "need 5 stage names"),
        (lambda: make_config(min_coverage=1.5), r"min_coverage must lie in \[0, 1\]"),
        (lambda: make_config(dont_know_rule="zero"), "dont_know_rule"),
        (lambda: NodeSpec("P", aggregation="median"), "aggregation"),
        (lambda: NodeSpec("P", target=0), "target must lie"),
    ],
)
def test_invalid_configurations_raise_value_errors_naming_the_place(build, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def test_a_node_whose_children_all_weigh_zero_is_rejected() -> None:
    items = (
        ItemSpec("a", "I1", LevelMapping.linear(range(6)), weight=0),
        ItemSpec("b", "I1", LevelMapping.linear(range(6)), weight=0),
    )
    with pytest.raises(ValueError, match="child weights are all zero"):
        EngineConfig(items=items, levels=(Level("pillar", (NodeSpec("I1"),)),))


def test_a_node_without_children_is_rejected() -> None:
    items = (ItemSpec("a", "I1", Points(1)),)
    with pytest.raises(ValueError, match="node 'I2' has no children"):
        EngineConfig(items=items, levels=(Level("pillar", (NodeSpec("I1"), NodeSpec("I2"))),))

"""Hand-written builders of small engine configurations and inputs for the engine tests."""

from __future__ import annotations

from typing import Any

import numpy as np

from scoring.engine import (
    ANSWERED,
    EngineConfig,
    Goalposts,
    ItemSpec,
    Level,
    LevelMapping,
    NodeSpec,
    Points,
)

#: Item order of :func:`make_config`: q1, q2 → I1; s1, s2 → I2 (both P1); s3, m1 → I3 (P2).
ITEM_CODES = ("q1", "q2", "s1", "s2", "s3", "m1")


def make_items() -> tuple[ItemSpec, ...]:
    return (
        ItemSpec("q1", "I1", LevelMapping.linear(range(6))),
        ItemSpec("q2", "I1", LevelMapping.yes_partial_no()),
        ItemSpec("s1", "I2", Goalposts(threshold=0, target=100), weight=0.4),
        ItemSpec("s2", "I2", Goalposts(threshold=0, target=99, log="ln1p"), weight=0.6),
        ItemSpec("s3", "I3", Goalposts(threshold=20, target=2, direction="lower")),
        ItemSpec("m1", "I3", Points(maximum=4)),
    )


def make_levels(
    *, pillar_aggregation: str = "arithmetic", indicator_aggregation: str = "arithmetic"
) -> tuple[Level, ...]:
    return (
        Level(
            "indicator",
            (
                NodeSpec("I1", "P1", aggregation=indicator_aggregation, target=80),
                NodeSpec("I2", "P1", weight=2, aggregation=indicator_aggregation),
                NodeSpec("I3", "P2", aggregation=indicator_aggregation, target=50),
            ),
        ),
        Level(
            "pillar",
            (
                NodeSpec("P1", aggregation=pillar_aggregation),
                NodeSpec("P2", aggregation=pillar_aggregation, target=80),
            ),
        ),
    )


def make_config(**overrides: Any) -> EngineConfig:
    """The six-item, three-indicator, two-pillar configuration; keyword arguments override."""
    pillar_aggregation = overrides.pop("pillar_aggregation", "arithmetic")
    indicator_aggregation = overrides.pop("indicator_aggregation", "arithmetic")
    options: dict[str, Any] = {
        "items": make_items(),
        "levels": make_levels(
            pillar_aggregation=pillar_aggregation, indicator_aggregation=indicator_aggregation
        ),
    }
    options.update(overrides)
    return EngineConfig(**options)


def make_values(*rows: list[float]) -> np.ndarray:
    """Rows of raw values in :data:`ITEM_CODES` order; defaults to one reference unit."""
    if not rows:
        rows = ([3, 2, 50, 9, 11, 2],)
    return np.array(rows, dtype=float)


def answered_status(values: np.ndarray) -> np.ndarray:
    return np.full(values.shape, ANSWERED, dtype=np.int8)

"""Constants shared across the scoring engine: status codes, defaults and reference tables."""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

__all__ = [
    "AGGREGATION_METHODS",
    "ANSWERED",
    "DEFAULT_MIN_COVERAGE",
    "DEFAULT_STAGE_NAMES",
    "DEFAULT_STAGE_THRESHOLDS",
    "DONT_KNOW",
    "DONT_KNOW_RULES",
    "ENGINE_VERSION",
    "INSUFFICIENT_PILLAR_RULES",
    "MISSING",
    "NOT_APPLICABLE",
    "SAATY_RANDOM_INDEX",
    "STATUS_CODES",
    "STATUS_NAMES",
    "ZERO_REMEDIES",
]

#: Bumped whenever a change to the engine can change a published number.
ENGINE_VERSION: Final = "1.1.0"

#: Item status codes (stored in a small-int array of the same shape as the values).
ANSWERED: Final = 0
DONT_KNOW: Final = 1
NOT_APPLICABLE: Final = 2
MISSING: Final = 3
STATUS_CODES: Final = (ANSWERED, DONT_KNOW, NOT_APPLICABLE, MISSING)
STATUS_NAMES: Final = MappingProxyType(
    {
        ANSWERED: "answered",
        DONT_KNOW: "dont_know",
        NOT_APPLICABLE: "not_applicable",
        MISSING: "missing",
    }
)

#: "exclude": a "don't know" is left out (and counts against coverage);
#: "lowest": it is scored as the lowest level (0 for goalposts and points).
DONT_KNOW_RULES: Final = ("exclude", "lowest")

#: What the overall score does with a pillar flagged "insufficient data":
#: "exclude" leaves it out, renormalises the other pillars and flags the overall as partial;
#: "propagate" makes the overall insufficient (NaN) as well.
INSUFFICIENT_PILLAR_RULES: Final = ("exclude", "propagate")

#: What to do about item scores of 0, which make any geometric or harmonic mean above them 0:
#: "keep" them; "floor": scores below the value count as the value; "shift": every score x
#: becomes value + (100 − value) x / 100 (the scale moved onto [value, 100]).
ZERO_REMEDIES: Final = ("keep", "floor", "shift")

#: Per-parent aggregation methods. "power" is the generalised (power) mean with exponent ``power``.
AGGREGATION_METHODS: Final = ("arithmetic", "geometric", "harmonic", "power")

#: Two thirds of applicable items, the OECD–JRC Handbook / COINr screening rule.
DEFAULT_MIN_COVERAGE: Final = 2.0 / 3.0

#: UNDP Digital Readiness Assessment stages.
DEFAULT_STAGE_NAMES: Final = (
    "Basic",
    "Opportunistic",
    "Systematic",
    "Differentiating",
    "Transformational",
)
#: Lower bounds of stages 2..5 on the 0–100 scale (stage 1 starts at 0).
DEFAULT_STAGE_THRESHOLDS: Final = (20.0, 40.0, 60.0, 80.0)

#: Saaty's random consistency index by matrix order (Saaty 1980, n = 1..10).
SAATY_RANDOM_INDEX: Final = MappingProxyType(
    {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49}
)

"""Frozen configuration objects for the engine, their stable dictionary form and digests.

A configuration is validated when it is built, so an :class:`EngineConfig` that exists is
one the engine can run. ``to_dict()`` gives a JSON-ready dictionary with a fixed layout (stored
in a ScoreRun); :meth:`EngineConfig.from_dict` rebuilds an equal configuration from it, and
:func:`config_digest` / :func:`inputs_digest` give SHA-256 fingerprints for reproducibility.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import numpy as np

from scoring.engine.constants import (
    AGGREGATION_METHODS,
    DEFAULT_MIN_COVERAGE,
    DEFAULT_STAGE_NAMES,
    DEFAULT_STAGE_THRESHOLDS,
    DONT_KNOW_RULES,
    INSUFFICIENT_PILLAR_RULES,
    ZERO_REMEDIES,
)

if TYPE_CHECKING:
    from scoring.engine.hierarchy import Hierarchy

__all__ = [
    "EngineConfig",
    "Goalposts",
    "ItemSpec",
    "Level",
    "LevelMapping",
    "Normalisation",
    "NodeSpec",
    "Points",
    "Relative",
    "config_digest",
    "inputs_digest",
]

LOG_SCALINGS = (None, "ln", "ln1p")
RELATIVE_METHODS = ("min_max", "percentile_rank", "distance_to_target")
IMPUTATION_METHODS = (None, "mean", "median")


def _require_finite(value: float, place: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{place}: expected a finite number, got {value!r}")
    return float(value)


def _require_choice(value: object, choices: Sequence[object], place: str) -> None:
    if value not in choices:
        allowed = ", ".join(repr(choice) for choice in choices)
        raise ValueError(f"{place}: {value!r} is not one of {allowed}")


@dataclass(frozen=True)
class LevelMapping:
    """Score table for coded answers: maturity levels, yes/partial/no, single choice.

    ``levels[k]`` is an answer code and ``scores[k]`` its score on 0–100. An answered value
    that is not one of the codes is a ValueError naming the unit and item.

    Examples
    --------
    >>> LevelMapping.linear(range(0, 6)).scores
    (0.0, 20.0, 40.0, 60.0, 80.0, 100.0)
    >>> LevelMapping.yes_partial_no().scores
    (0.0, 50.0, 100.0)
    """

    levels: tuple[float, ...]
    scores: tuple[float, ...]
    kind: Literal["levels"] = field(default="levels", init=False)

    def __post_init__(self) -> None:
        levels = tuple(_require_finite(level, "LevelMapping.levels") for level in self.levels)
        scores = tuple(_require_finite(score, "LevelMapping.scores") for score in self.scores)
        if not levels:
            raise ValueError("LevelMapping: at least one level is required")
        if len(levels) != len(scores):
            raise ValueError(
                f"LevelMapping: {len(levels)} levels but {len(scores)} scores; "
                "give one score per level"
            )
        if len(set(levels)) != len(levels):
            raise ValueError(f"LevelMapping: duplicate level codes in {levels}")
        if any(not 0.0 <= score <= 100.0 for score in scores):
            raise ValueError(f"LevelMapping: scores must lie within [0, 100], got {scores}")
        object.__setattr__(self, "levels", levels)
        object.__setattr__(self, "scores", scores)

    @classmethod
    def linear(cls, levels: Sequence[float] | range) -> LevelMapping:
        """Equally spaced scores from 0 (first level) to 100 (last level), e.g. maturity 1–5."""
        codes = tuple(float(level) for level in levels)
        if len(codes) < 2:
            raise ValueError("LevelMapping.linear: at least two levels are required")
        step = 100.0 / (len(codes) - 1)
        return cls(levels=codes, scores=tuple(index * step for index in range(len(codes))))

    @classmethod
    def yes_partial_no(cls) -> LevelMapping:
        """Codes 0 = no, 1 = partial, 2 = yes, scored 0 / 50 / 100."""
        return cls(levels=(0.0, 1.0, 2.0), scores=(0.0, 50.0, 100.0))

    @property
    def lowest_score(self) -> float:
        return min(self.scores)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "levels": list(self.levels), "scores": list(self.scores)}


@dataclass(frozen=True)
class Goalposts:
    """Linear rescaling from a threshold (score 0) to a target (score 100), clipped to [0, 100].

    ``threshold`` is the value that scores 0 and ``target`` the value that scores 100. For
    ``direction="higher"`` the target lies above the threshold; for ``"lower"`` (e.g. prices,
    reversed goalposts) it lies below. ``log`` applies ``ln x`` or ``ln(x + 1)`` to the value and
    both goalposts first, as the ITU ICT Development Index 2023 does for skewed indicators.

    Examples
    --------
    >>> Goalposts(threshold=0, target=50).to_dict()
    {'kind': 'goalposts', 'threshold': 0.0, 'target': 50.0, 'log': None, 'direction': 'higher'}
    """

    threshold: float
    target: float
    log: Literal["ln", "ln1p"] | None = None
    direction: Literal["higher", "lower"] = "higher"
    kind: Literal["goalposts"] = field(default="goalposts", init=False)

    def __post_init__(self) -> None:
        threshold = _require_finite(self.threshold, "Goalposts.threshold")
        target = _require_finite(self.target, "Goalposts.target")
        _require_choice(self.log, LOG_SCALINGS, "Goalposts.log")
        _require_choice(self.direction, ("higher", "lower"), "Goalposts.direction")
        if threshold == target:
            raise ValueError(
                f"Goalposts: threshold and target are equal ({threshold}); they must differ"
            )
        if self.direction == "higher" and target < threshold:
            raise ValueError(
                "Goalposts: direction 'higher' needs target > threshold, got threshold "
                f"{threshold}, target {target} (use direction 'lower' for lower-is-better)"
            )
        if self.direction == "lower" and target > threshold:
            raise ValueError(
                "Goalposts: direction 'lower' needs target < threshold, got threshold "
                f"{threshold}, target {target}"
            )
        if self.log == "ln" and min(threshold, target) <= 0:
            raise ValueError("Goalposts: log 'ln' needs positive goalposts; use 'ln1p' for zeros")
        if self.log == "ln1p" and min(threshold, target) <= -1:
            raise ValueError("Goalposts: log 'ln1p' needs goalposts greater than -1")
        object.__setattr__(self, "threshold", threshold)
        object.__setattr__(self, "target", target)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "threshold": self.threshold,
            "target": self.target,
            "log": self.log,
            "direction": self.direction,
        }


@dataclass(frozen=True)
class Points:
    """Multiple choice: the value is the sum of the points of the chosen options.

    Score = 100 · min(points, maximum) / maximum, floored at 0.
    """

    maximum: float
    kind: Literal["points"] = field(default="points", init=False)

    def __post_init__(self) -> None:
        maximum = _require_finite(self.maximum, "Points.maximum")
        if maximum <= 0:
            raise ValueError(f"Points.maximum must be positive, got {maximum}")
        object.__setattr__(self, "maximum", maximum)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "maximum": self.maximum}


@dataclass(frozen=True)
class Relative:
    """Normalisation against the set of units scored together (see ``normalisation``).

    ``method`` is ``min_max``, ``percentile_rank`` or ``distance_to_target`` (needs ``target``).
    There is no z-score option here: a z-score is not on 0–100, and z-score followed by min–max
    (the UN E-Government Development Index recipe) equals min–max for a single indicator.
    Scores depend on the other units: adding a country can change everyone's score.
    """

    method: Literal["min_max", "percentile_rank", "distance_to_target"]
    direction: Literal["higher", "lower"] = "higher"
    target: float | None = None
    kind: Literal["relative"] = field(default="relative", init=False)

    def __post_init__(self) -> None:
        _require_choice(self.method, RELATIVE_METHODS, "Relative.method")
        _require_choice(self.direction, ("higher", "lower"), "Relative.direction")
        if self.method == "distance_to_target":
            if self.target is None:
                raise ValueError("Relative: method 'distance_to_target' needs a target")
            target = _require_finite(self.target, "Relative.target")
            if target <= 0:
                raise ValueError(f"Relative.target must be positive, got {target}")
            object.__setattr__(self, "target", target)
        elif self.target is not None:
            raise ValueError(f"Relative: method {self.method!r} takes no target")

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "method": self.method,
            "direction": self.direction,
            "target": self.target,
        }


Normalisation: TypeAlias = LevelMapping | Goalposts | Points | Relative


def _normalisation_from_dict(data: Mapping[str, Any]) -> Normalisation:
    kind = data.get("kind")
    if kind == "levels":
        return LevelMapping(levels=tuple(data["levels"]), scores=tuple(data["scores"]))
    if kind == "goalposts":
        return Goalposts(
            threshold=data["threshold"],
            target=data["target"],
            log=data.get("log"),
            direction=data.get("direction", "higher"),
        )
    if kind == "points":
        return Points(maximum=data["maximum"])
    if kind == "relative":
        return Relative(
            method=data["method"],
            direction=data.get("direction", "higher"),
            target=data.get("target"),
        )
    raise ValueError(f"unknown normalisation kind {kind!r}")


@dataclass(frozen=True)
class ItemSpec:
    """One scored question or statistic, attached to an indicator (a node of the first level)."""

    code: str
    parent: str
    normalisation: Normalisation
    weight: float = 1.0
    #: Overrides :attr:`EngineConfig.dont_know_rule` for this item when set.
    dont_know_rule: Literal["exclude", "lowest"] | None = None

    def __post_init__(self) -> None:
        if not self.code:
            raise ValueError("ItemSpec.code must be a non-empty string")
        weight = _require_finite(self.weight, f"item {self.code!r} weight")
        if weight < 0:
            raise ValueError(f"item {self.code!r}: weight must be non-negative, got {weight}")
        object.__setattr__(self, "weight", weight)
        if self.dont_know_rule is not None:
            _require_choice(
                self.dont_know_rule, DONT_KNOW_RULES, f"item {self.code!r} dont_know_rule"
            )
        if not isinstance(self.normalisation, LevelMapping | Goalposts | Points | Relative):
            raise ValueError(
                f"item {self.code!r}: unsupported normalisation {self.normalisation!r}"
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "parent": self.parent,
            "weight": self.weight,
            "dont_know_rule": self.dont_know_rule,
            "normalisation": self.normalisation.to_dict(),
        }


@dataclass(frozen=True)
class NodeSpec:
    """A node of the hierarchy (indicator, sub-pillar or pillar).

    ``aggregation`` (and ``power`` for the generalised mean) says how this node combines its
    children; ``weight`` is its own weight within its parent; ``parent`` is the code of a node
    in the next level up, or ``None`` in the top level (whose parent is the overall score).
    ``min_coverage`` overrides the configuration default; the default applies to the top level.
    """

    code: str
    parent: str | None = None
    weight: float = 1.0
    aggregation: Literal["arithmetic", "geometric", "harmonic", "power"] = "arithmetic"
    power: float = 1.0
    target: float = 100.0
    min_coverage: float | None = None

    def __post_init__(self) -> None:
        if not self.code:
            raise ValueError("NodeSpec.code must be a non-empty string")
        place = f"node {self.code!r}"
        weight = _require_finite(self.weight, f"{place} weight")
        if weight < 0:
            raise ValueError(f"{place}: weight must be non-negative, got {weight}")
        _require_choice(self.aggregation, AGGREGATION_METHODS, f"{place} aggregation")
        power = _require_finite(self.power, f"{place} power")
        if self.aggregation == "power" and power == 0:
            raise ValueError(f"{place}: power 0 is the geometric mean; use aggregation 'geometric'")
        target = _require_finite(self.target, f"{place} target")
        if not 0 < target <= 100:
            raise ValueError(f"{place}: target must lie in (0, 100], got {target}")
        if self.min_coverage is not None:
            coverage = _require_finite(self.min_coverage, f"{place} min_coverage")
            if not 0 <= coverage <= 1:
                raise ValueError(f"{place}: min_coverage must lie in [0, 1], got {coverage}")
            object.__setattr__(self, "min_coverage", coverage)
        object.__setattr__(self, "weight", weight)
        object.__setattr__(self, "power", power)
        object.__setattr__(self, "target", target)

    @property
    def exponent(self) -> float:
        """The generalised-mean exponent: 1 arithmetic, 0 geometric, -1 harmonic."""
        return {"arithmetic": 1.0, "geometric": 0.0, "harmonic": -1.0}.get(
            self.aggregation, self.power
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "parent": self.parent,
            "weight": self.weight,
            "aggregation": self.aggregation,
            "power": self.power,
            "target": self.target,
            "min_coverage": self.min_coverage,
        }


@dataclass(frozen=True)
class Level:
    """One level of the hierarchy, e.g. ``Level("indicator", (...))``."""

    name: str
    nodes: tuple[NodeSpec, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "nodes", tuple(self.nodes))
        if not self.nodes:
            raise ValueError(f"level {self.name!r} has no nodes")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(node.code for node in self.nodes)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "nodes": [node.to_dict() for node in self.nodes]}


@dataclass(frozen=True)
class EngineConfig:
    """The complete, frozen method configuration of one scoring run.

    ``levels`` run bottom-up: ``levels[0]`` holds the indicators (parents of the items), the
    last level holds the pillars (children of the overall score). Sub-pillars, if any, sit in
    between.

    Examples
    --------
    >>> config = EngineConfig(
    ...     items=(ItemSpec("q1", "I1", LevelMapping.linear(range(6))),),
    ...     levels=(Level("indicator", (NodeSpec("I1", parent="P1"),)),
    ...             Level("pillar", (NodeSpec("P1"),))),
    ... )
    >>> config.level_names
    ('indicator', 'pillar')
    >>> EngineConfig.from_dict(config.to_dict()) == config
    True
    """

    items: tuple[ItemSpec, ...]
    levels: tuple[Level, ...]
    overall_aggregation: Literal["arithmetic", "geometric", "harmonic", "power"] = "arithmetic"
    overall_power: float = 1.0
    overall_target: float = 100.0
    dont_know_rule: Literal["exclude", "lowest"] = "exclude"
    min_coverage: float = DEFAULT_MIN_COVERAGE
    insufficient_pillar_rule: Literal["exclude", "propagate"] = "exclude"
    imputation: Literal["mean", "median"] | None = None
    stage_thresholds: tuple[float, ...] = DEFAULT_STAGE_THRESHOLDS
    stage_names: tuple[str, ...] = DEFAULT_STAGE_NAMES
    #: What is done about item scores of 0 before aggregation (see
    #: :func:`scoring.engine.aggregation.apply_zero_remedy`): "keep", "floor" or "shift".
    zero_remedy: Literal["keep", "floor", "shift"] = "keep"
    #: The floor, or the bottom of the shifted scale, on 0–100 (ignored with "keep").
    zero_remedy_value: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(self.items))
        object.__setattr__(self, "levels", tuple(self.levels))
        object.__setattr__(self, "stage_names", tuple(self.stage_names))
        thresholds = tuple(
            _require_finite(value, "stage_thresholds") for value in self.stage_thresholds
        )
        object.__setattr__(self, "stage_thresholds", thresholds)
        self._validate_options()
        self._validate_tree()

    def _validate_options(self) -> None:
        _require_choice(self.overall_aggregation, AGGREGATION_METHODS, "overall_aggregation")
        power = _require_finite(self.overall_power, "overall_power")
        if self.overall_aggregation == "power" and power == 0:
            raise ValueError("overall_power 0 is the geometric mean; use 'geometric'")
        target = _require_finite(self.overall_target, "overall_target")
        if not 0 < target <= 100:
            raise ValueError(f"overall_target must lie in (0, 100], got {target}")
        _require_choice(self.dont_know_rule, DONT_KNOW_RULES, "dont_know_rule")
        _require_choice(
            self.insufficient_pillar_rule, INSUFFICIENT_PILLAR_RULES, "insufficient_pillar_rule"
        )
        _require_choice(self.imputation, IMPUTATION_METHODS, "imputation")
        _require_choice(self.zero_remedy, ZERO_REMEDIES, "zero_remedy")
        remedy_value = _require_finite(self.zero_remedy_value, "zero_remedy_value")
        if self.zero_remedy != "keep" and not 0 < remedy_value < 100:
            raise ValueError(f"zero_remedy_value must lie in (0, 100), got {remedy_value}")
        coverage = _require_finite(self.min_coverage, "min_coverage")
        if not 0 <= coverage <= 1:
            raise ValueError(f"min_coverage must lie in [0, 1], got {coverage}")
        thresholds = self.stage_thresholds
        if any(not 0 < value < 100 for value in thresholds):
            raise ValueError(
                f"stage_thresholds must lie strictly between 0 and 100, got {thresholds}"
            )
        if any(
            later <= earlier for earlier, later in zip(thresholds, thresholds[1:], strict=False)
        ):
            raise ValueError(f"stage_thresholds must be strictly increasing, got {thresholds}")
        if len(self.stage_names) != len(thresholds) + 1:
            raise ValueError(
                f"{len(thresholds)} stage thresholds need {len(thresholds) + 1} stage names, "
                f"got {len(self.stage_names)}"
            )

    def _validate_tree(self) -> None:
        if not self.items:
            raise ValueError("the configuration has no items")
        if not self.levels:
            raise ValueError("the configuration needs at least one level (the indicators)")
        self._check_children(
            parent_level=0,
            children=[
                (f"items[{index}]", item.code, item.parent, item.weight)
                for index, item in enumerate(self.items)
            ],
        )
        for level_index, level in enumerate(self.levels):
            place = f"levels[{level_index}] ({level.name!r})"
            if level_index == len(self.levels) - 1:
                for node_index, node in enumerate(level.nodes):
                    if node.parent is not None:
                        raise ValueError(
                            f"{place}.nodes[{node_index}] ({node.code!r}): the top level has no "
                            f"parent level, got parent {node.parent!r}"
                        )
                total = sum(node.weight for node in level.nodes)
                if total <= 0:
                    raise ValueError(f"{place}: weights are all zero")
            else:
                self._check_children(
                    parent_level=level_index + 1,
                    children=[
                        (f"{place}.nodes[{node_index}]", node.code, node.parent, node.weight)
                        for node_index, node in enumerate(level.nodes)
                    ],
                )
        codes = [item.code for item in self.items]
        duplicates = sorted(code for code, seen in Counter(codes).items() if seen > 1)
        if duplicates:
            raise ValueError(f"duplicate item codes: {', '.join(duplicates)}")

    def _check_children(
        self, *, parent_level: int, children: list[tuple[str, str, str | None, float]]
    ) -> None:
        level = self.levels[parent_level]
        codes = level.codes
        if len(set(codes)) != len(codes):
            duplicates = sorted(code for code, seen in Counter(codes).items() if seen > 1)
            raise ValueError(f"level {level.name!r}: duplicate codes {', '.join(duplicates)}")
        weight_sums = dict.fromkeys(codes, 0.0)
        child_counts = dict.fromkeys(codes, 0)
        for place, code, parent, weight in children:
            if parent not in weight_sums:
                raise ValueError(
                    f"{place} ({code!r}): parent {parent!r} is not a node of level {level.name!r}"
                )
            weight_sums[parent] += weight
            child_counts[parent] += 1
        for code in codes:
            if child_counts[code] == 0:
                raise ValueError(f"level {level.name!r} node {code!r} has no children")
            if weight_sums[code] <= 0:
                raise ValueError(f"level {level.name!r} node {code!r}: child weights are all zero")

    @property
    def level_names(self) -> tuple[str, ...]:
        return tuple(level.name for level in self.levels)

    @property
    def item_codes(self) -> tuple[str, ...]:
        return tuple(item.code for item in self.items)

    @cached_property
    def hierarchy(self) -> Hierarchy:
        """Arrays compiled from this configuration (built once, then cached on the instance)."""
        from scoring.engine.hierarchy import compile_hierarchy

        return compile_hierarchy(self)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary with a fixed layout; :meth:`from_dict` inverts it."""
        return {
            "items": [item.to_dict() for item in self.items],
            "levels": [level.to_dict() for level in self.levels],
            "overall_aggregation": self.overall_aggregation,
            "overall_power": self.overall_power,
            "overall_target": self.overall_target,
            "dont_know_rule": self.dont_know_rule,
            "min_coverage": self.min_coverage,
            "insufficient_pillar_rule": self.insufficient_pillar_rule,
            "imputation": self.imputation,
            "stage_thresholds": list(self.stage_thresholds),
            "stage_names": list(self.stage_names),
            # Only when chosen, so that configurations without a remedy keep their digests.
            **(
                {"zero_remedy": self.zero_remedy, "zero_remedy_value": self.zero_remedy_value}
                if self.zero_remedy != "keep"
                else {}
            ),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EngineConfig:
        items = tuple(
            ItemSpec(
                code=item["code"],
                parent=item["parent"],
                weight=item.get("weight", 1.0),
                dont_know_rule=item.get("dont_know_rule"),
                normalisation=_normalisation_from_dict(item["normalisation"]),
            )
            for item in data["items"]
        )
        levels = tuple(
            Level(name=level["name"], nodes=tuple(NodeSpec(**node) for node in level["nodes"]))
            for level in data["levels"]
        )
        options = {
            key: data[key]
            for key in (
                "overall_aggregation",
                "overall_power",
                "overall_target",
                "dont_know_rule",
                "min_coverage",
                "insufficient_pillar_rule",
                "imputation",
                "zero_remedy",
                "zero_remedy_value",
            )
            if key in data
        }
        if "stage_thresholds" in data:
            options["stage_thresholds"] = tuple(data["stage_thresholds"])
        if "stage_names" in data:
            options["stage_names"] = tuple(data["stage_names"])
        return cls(items=items, levels=levels, **options)


def config_digest(config: EngineConfig) -> str:
    """SHA-256 hex digest of the configuration's canonical JSON form.

    Examples
    --------
    >>> config = EngineConfig(
    ...     items=(ItemSpec("q1", "I1", Points(maximum=3)),),
    ...     levels=(Level("indicator", (NodeSpec("I1"),)),),
    ... )
    >>> len(config_digest(config))
    64
    >>> config_digest(config) == config_digest(EngineConfig.from_dict(config.to_dict()))
    True
    """
    canonical = json.dumps(config.to_dict(), sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def inputs_digest(
    values: np.ndarray, status: np.ndarray, groups: Sequence[object] | np.ndarray | None = None
) -> str:
    """SHA-256 hex digest of the input arrays (and peer-group labels, if any).

    Values are hashed as little-endian float64 with every NaN made the same NaN and ``-0.0``
    made ``0.0``, so equal inputs give equal digests whatever produced them.

    Examples
    --------
    >>> values = np.array([[1.0, np.nan]])
    >>> status = np.array([[0, 3]])
    >>> inputs_digest(values, status) == inputs_digest(values.copy(), status.astype(np.int64))
    True
    """
    value_array = np.asarray(values, dtype="<f8")
    status_array = np.asarray(status, dtype="<i1")
    canonical_values = np.where(np.isnan(value_array), np.nan, value_array + 0.0).astype("<f8")
    digest = hashlib.sha256()
    digest.update(f"values{value_array.shape};status{status_array.shape};".encode())
    digest.update(np.ascontiguousarray(canonical_values).tobytes())
    digest.update(np.ascontiguousarray(status_array).tobytes())
    if groups is not None:
        digest.update(json.dumps([str(label) for label in groups]).encode("utf-8"))
    return digest.hexdigest()

"""The single entry point :func:`score` and its named result :class:`ScoreResult`.

Steps, in order: validate → normalise answered items → apply the "don't know" rule → impute
(optional) → coverage and "insufficient data" flags → aggregate level by level → gaps and
stages. Effective weights and marginal gains (the "explain this number" arrays) are computed
from the same aggregation on first access and cached, so callers that only need scores do not
pay for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from scoring.engine.aggregation import (
    TreeScores,
    aggregate_tree,
    apply_zero_remedy,
    sum_by_parent,
)
from scoring.engine.config import EngineConfig
from scoring.engine.constants import (
    ANSWERED,
    DONT_KNOW,
    MISSING,
    NOT_APPLICABLE,
    STATUS_CODES,
)
from scoring.engine.gaps import gaps, relative_gaps, stage_labels, stages, top_and_bottom
from scoring.engine.hierarchy import Hierarchy, LevelStructure
from scoring.engine.missing import group_codes, impute_by_group, weighted_coverage
from scoring.engine.normalisation import normalise_items

__all__ = ["LevelResult", "ScoreResult", "score"]


def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


class _Explanation:
    """Effective weights and marginal gains of every item and level, computed once on demand."""

    def __init__(self, hierarchy: Hierarchy, tree: TreeScores, item_scores: np.ndarray) -> None:
        self._hierarchy = hierarchy
        self._tree = tree
        self._item_scores = item_scores

    @cached_property
    def effective_weights(self) -> tuple[np.ndarray, ...]:
        arrays = self._tree.effective_weights(self._hierarchy, self._item_scores)
        return tuple(_frozen(array) for array in arrays)

    @cached_property
    def marginal_gains(self) -> tuple[np.ndarray, ...]:
        arrays = self._tree.marginal_gains(self._hierarchy, self._item_scores)
        return tuple(_frozen(array) for array in arrays)


@dataclass(frozen=True, eq=False)
class LevelResult:
    """Everything computed for one level of the hierarchy (arrays are units × nodes)."""

    name: str
    codes: tuple[str, ...]
    scores: np.ndarray
    #: Share of the node's weight whose items have data (answered, or a "don't know" scored
    #: under the 'lowest' rule), computed down the tree with the aggregation weights; not
    #: applicable items and their weight are left out; imputed values do not count. NaN if
    #: nothing applies.
    coverage: np.ndarray
    #: Coverage below the node's minimum: the score is NaN and must be shown as "insufficient".
    insufficient: np.ndarray
    #: Applicable items below the node that did not contribute (missing, excluded "don't know").
    excluded_counts: np.ndarray
    targets: np.ndarray
    gaps: np.ndarray
    relative_gaps: np.ndarray
    stages: np.ndarray
    position: int = field(repr=False)
    explanation: _Explanation = field(repr=False)

    @property
    def effective_weights(self) -> np.ndarray:
        """Share of the node in the unit's overall score after renormalisation (0 if excluded).

        Under arithmetic aggregation this is exactly ∂ overall / ∂ node score.
        """
        return self.explanation.effective_weights[self.position + 1]

    @property
    def marginal_gains(self) -> np.ndarray:
        """∂ overall / ∂ node score (points of overall per point of the node); NaN if no score."""
        return self.explanation.marginal_gains[self.position + 1]

    def index(self, code: str) -> int:
        try:
            return self.codes.index(code)
        except ValueError:
            raise ValueError(f"level {self.name!r} has no node {code!r}") from None


@dataclass(frozen=True, eq=False)
class ScoreResult:
    """Named arrays produced by :func:`score`; units are always the first axis."""

    item_codes: tuple[str, ...]
    #: (units, items) normalised item scores used in aggregation; NaN where excluded.
    item_scores: np.ndarray
    #: (units, items) True where the item contributed to the score (including imputed).
    item_included: np.ndarray
    #: (units, items) True where the score was imputed from the peer group.
    imputed: np.ndarray
    #: Bottom-up: ``levels[0]`` are the indicators, ``levels[-1]`` the pillars.
    levels: tuple[LevelResult, ...]
    overall: np.ndarray
    overall_coverage: np.ndarray
    #: The overall score could not be computed (no sufficient pillar, or the 'propagate' rule).
    overall_insufficient: np.ndarray
    #: The overall score left out at least one pillar with insufficient data.
    overall_partial: np.ndarray
    overall_gap: np.ndarray
    overall_relative_gap: np.ndarray
    overall_stage: np.ndarray
    not_applicable_count: np.ndarray
    dont_know_count: np.ndarray
    missing_count: np.ndarray
    imputed_count: np.ndarray
    stage_names: tuple[str, ...]
    warnings: tuple[str, ...]
    explanation: _Explanation = field(repr=False)

    @property
    def item_effective_weights(self) -> np.ndarray:
        """(units, items) share of every item in the overall score; sums to 1 per scored unit."""
        return self.explanation.effective_weights[0]

    @property
    def item_marginal_gains(self) -> np.ndarray:
        """(units, items) ∂ overall / ∂ item score; NaN where the item has no score."""
        return self.explanation.marginal_gains[0]

    @property
    def indicators(self) -> LevelResult:
        return self.levels[0]

    @property
    def pillars(self) -> LevelResult:
        return self.levels[-1]

    @property
    def indicator_scores(self) -> np.ndarray:
        return self.levels[0].scores

    @property
    def pillar_scores(self) -> np.ndarray:
        return self.levels[-1].scores

    def level(self, name: str) -> LevelResult:
        for level in self.levels:
            if level.name == name:
                return level
        raise ValueError(f"no level named {name!r}; levels are {[lv.name for lv in self.levels]}")

    def stage_label(self, stage: int) -> str:
        return str(stage_labels(np.array(stage), self.stage_names))

    def strengths_and_weaknesses(
        self, count: int = 3, level: int = 0
    ) -> tuple[np.ndarray, np.ndarray]:
        """(units, count) node indices of the best and worst scores at a level (-1 padded)."""
        return top_and_bottom(self.levels[level].scores, count)


def _relative(gap: np.ndarray, targets: np.ndarray | float) -> np.ndarray:
    """:func:`relative_gaps` from gaps already computed (the same division, no second pass)."""
    if np.any(np.asarray(targets) <= 0):
        return relative_gaps(gap, targets)  # raises the same error
    return gap / targets


def _coverage_steps(
    config: EngineConfig, coverage_config: EngineConfig | None
) -> tuple[LevelStructure, ...]:
    """The aggregation steps whose weights measure coverage: ``coverage_config``'s if given."""
    if coverage_config is None or coverage_config is config:
        return config.hierarchy.steps
    steps = coverage_config.hierarchy.steps
    if coverage_config.item_codes != config.item_codes or [s.codes for s in steps] != [
        s.codes for s in config.hierarchy.steps
    ]:
        raise ValueError("coverage_config must have the same items and nodes as config")
    return steps


def _validate(
    config: EngineConfig, values: np.ndarray, status: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    try:
        value_array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("values must be a numeric units × items array") from None
    status_array = np.asarray(status)
    items = len(config.items)
    if value_array.ndim != 2:
        raise ValueError(f"values must be a units × items array, got shape {value_array.shape}")
    if value_array.shape[1] != items:
        raise ValueError(
            f"values has {value_array.shape[1]} columns but the configuration has {items} items"
        )
    if value_array.shape[0] == 0:
        raise ValueError("values has no units (rows)")
    if status_array.shape != value_array.shape:
        raise ValueError(
            f"status has shape {status_array.shape} but values has shape {value_array.shape}; "
            "give one status code per value"
        )
    if not np.issubdtype(status_array.dtype, np.integer):
        if not np.issubdtype(status_array.dtype, np.floating) or not np.all(
            status_array == np.round(status_array)
        ):
            raise ValueError("status must hold integer status codes")
    # Column-major from here on: normalisation works item by item (contiguous columns), and
    # the sparse sums by parent read the transpose, which is then contiguous without a copy.
    value_array = np.asfortranarray(value_array)
    low, high = min(STATUS_CODES), max(STATUS_CODES)
    if status_array.min() < low or status_array.max() > high:
        unknown = (status_array < low) | (status_array > high)
        unit, item = np.argwhere(unknown)[0]
        raise ValueError(
            f"unit {unit}, item {config.items[item].code!r}: status "
            f"{int(status_array[unit, item])} is not one of {list(STATUS_CODES)}"
        )
    # The codes fit in one byte: comparisons on them then read an eighth of the memory.
    status_codes = status_array.astype(np.int8, order="F")
    if not np.isfinite(value_array).all():
        bad = (status_codes == ANSWERED) & ~np.isfinite(value_array)
        if bad.any():
            unit, item = np.argwhere(bad)[0]
            raise ValueError(
                f"unit {unit}, item {config.items[item].code!r}: marked answered but the value "
                f"is {value_array[unit, item]}; mark it missing instead"
            )
    return value_array, status_codes


def score(
    config: EngineConfig,
    values: np.ndarray,
    status: np.ndarray,
    *,
    groups: Sequence[object] | np.ndarray | None = None,
    coverage_config: EngineConfig | None = None,
) -> ScoreResult:
    """Score units × items raw answers with a configuration.

    Parameters
    ----------
    config : the frozen method configuration.
    values : (units, items) raw values (level codes, numbers, points); only cells whose status
        is ANSWERED are read.
    status : (units, items) status codes (ANSWERED, DONT_KNOW, NOT_APPLICABLE, MISSING).
    groups : optional peer-group label per unit, used by imputation.
    coverage_config : optional configuration of the same tree whose weights decide coverage
        (default ``config``). The uncertainty analysis scores a sample's weights but screens
        coverage with the framework's own.

    Examples
    --------
    One pillar with two maturity questions (0–5) and a statistic with goalposts 0 → 50:

    >>> from scoring.engine.config import Goalposts, ItemSpec, Level, LevelMapping, NodeSpec
    >>> config = EngineConfig(
    ...     items=(ItemSpec("q1", "I1", LevelMapping.linear(range(6))),
    ...            ItemSpec("q2", "I1", LevelMapping.linear(range(6))),
    ...            ItemSpec("s1", "I2", Goalposts(threshold=0, target=50))),
    ...     levels=(Level("indicator", (NodeSpec("I1", "P1"), NodeSpec("I2", "P1"))),
    ...             Level("pillar", (NodeSpec("P1"),))),
    ... )
    >>> result = score(config, np.array([[3, 5, 10.0]]), np.array([[ANSWERED, ANSWERED, ANSWERED]]))
    >>> result.indicator_scores.tolist()  # I1 = (60 + 100) / 2, I2 = 100 · 10 / 50
    [[80.0, 20.0]]
    >>> result.overall.tolist(), result.stage_label(result.overall_stage[0])
    ([50.0], 'Systematic')

    "Not applicable" leaves the item out and renormalises; 0 would pull the score down:

    >>> score(config, np.array([[3, 0, 10.0]]), np.array([[0, NOT_APPLICABLE, 0]])).overall
    array([40.])
    """
    value_array, status_codes = _validate(config, values, status)
    hierarchy = config.hierarchy
    tables = hierarchy.tables
    units = value_array.shape[0]
    warnings: list[str] = []

    answered = status_codes == ANSWERED
    dont_know = status_codes == DONT_KNOW
    applicable = status_codes != NOT_APPLICABLE
    item_scores = normalise_items(hierarchy, value_array, answered)
    dont_know_scored = dont_know & tables.dont_know_lowest
    if dont_know_scored.any():
        np.copyto(item_scores, tables.lowest_scores, where=dont_know_scored)
    has_data = answered | dont_know_scored

    imputed = np.zeros(value_array.shape, dtype=bool)
    if config.imputation is not None:
        item_scores, imputed = impute_by_group(
            item_scores, applicable & ~has_data, groups, method=config.imputation
        )
        unfilled = int((applicable & ~has_data & ~imputed).sum())
        if unfilled:
            warnings.append(
                f"imputation: {unfilled} value(s) had no donor in their peer group and stay missing"
            )
    elif groups is not None:
        group_codes(groups, units)
    if config.zero_remedy != "keep":
        item_scores = apply_zero_remedy(item_scores, config.zero_remedy, config.zero_remedy_value)

    steps = hierarchy.steps
    coverage_steps = _coverage_steps(config, coverage_config)
    # Per node: applicable items, items with data, items contributing (data or imputed); one
    # sparse product for all three, then each level from the one below.
    flags = np.empty((3 * units, value_array.shape[1]), order="F")
    flags[:units] = applicable
    flags[units : 2 * units] = has_data
    np.logical_not(np.isnan(item_scores), out=flags[2 * units :])
    counts = sum_by_parent(
        flags, hierarchy.item_to_node[0], hierarchy.sparse_item_to_node[0]
    ).reshape(3, units, -1)
    level_counts: list[np.ndarray] = []
    level_coverage: list[np.ndarray] = []
    # Coverage is the share of weight with data (docs/framework-format.md), level by level: an
    # item counts 1 or 0, not applicable items and zero weights not at all.
    child_coverage = np.where(applicable, has_data.astype(float), np.nan)
    for index in range(len(steps) - 1):
        if index:
            counts = counts @ steps[index].onehot
        level_counts.append(counts)
        child_coverage = weighted_coverage(
            child_coverage,
            coverage_steps[index].membership,
            coverage_steps[index].sparse_membership,
        )
        level_coverage.append(child_coverage)
    level_insufficient = [
        covered < step.min_coverage for covered, step in zip(level_coverage, steps, strict=False)
    ]
    tree = aggregate_tree(
        hierarchy,
        item_scores,
        insufficient=level_insufficient,
        propagate_insufficient=config.insufficient_pillar_rule == "propagate",
    )
    level_scores = [np.clip(scores, 0.0, 100.0) for scores in tree.levels]
    overall = np.clip(tree.overall, 0.0, 100.0)
    explanation = _Explanation(hierarchy, tree, item_scores)

    levels = []
    for index, step in enumerate(steps[:-1]):
        scores = level_scores[index]
        levels.append(
            LevelResult(
                name=step.name,
                codes=step.codes,
                scores=_frozen(scores),
                coverage=_frozen(level_coverage[index]),
                insufficient=_frozen(level_insufficient[index]),
                excluded_counts=_frozen(
                    (level_counts[index][0] - level_counts[index][2]).astype(np.int64)
                ),
                targets=_frozen(step.targets.copy()),
                gaps=_frozen(level_gaps := gaps(scores, step.targets)),
                relative_gaps=_frozen(_relative(level_gaps, step.targets)),
                stages=_frozen(stages(scores, config.stage_thresholds)),
                position=index,
                explanation=explanation,
            )
        )

    overall_target = steps[-1].targets[0]
    top_insufficient = level_insufficient[-1].any(axis=1)
    # Every item sits under one top-level node: the top level's counts add up to the unit's.
    applicable_total = level_counts[-1][0].sum(axis=1)
    overall_coverage = weighted_coverage(level_coverage[-1], coverage_steps[-1].membership)[:, 0]
    return ScoreResult(
        item_codes=hierarchy.item_codes,
        item_scores=_frozen(item_scores),
        item_included=_frozen(~np.isnan(item_scores)),
        imputed=_frozen(imputed),
        levels=tuple(levels),
        overall=_frozen(overall),
        overall_coverage=_frozen(overall_coverage),
        overall_insufficient=_frozen(np.isnan(overall)),
        overall_partial=_frozen(top_insufficient & ~np.isnan(overall)),
        overall_gap=_frozen(overall_gap := gaps(overall, overall_target)),
        overall_relative_gap=_frozen(_relative(overall_gap, overall_target)),
        overall_stage=_frozen(stages(overall, config.stage_thresholds)),
        not_applicable_count=_frozen(value_array.shape[1] - applicable_total.astype(np.int64)),
        dont_know_count=_frozen(dont_know.sum(axis=1)),
        missing_count=_frozen((status_codes == MISSING).sum(axis=1)),
        imputed_count=_frozen(imputed.sum(axis=1)),
        stage_names=config.stage_names,
        warnings=tuple(warnings),
        explanation=explanation,
    )

"""Arrays compiled once from an :class:`~scoring.engine.config.EngineConfig`.

Each step of the tree (items → indicators, indicators → pillars, ..., pillars → overall) is a
:class:`LevelStructure`: the parent index and weight of each child, a dense 0/1 membership
matrix (children × parents) and each parent's generalised-mean exponent. Aggregating a level is
then a few matrix products (see :mod:`scoring.engine.aggregation`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, TypeAlias

import numpy as np
from scipy import sparse

from scoring.engine.config import Goalposts, LevelMapping, Points, Relative

if TYPE_CHECKING:
    from scoring.engine.config import EngineConfig

__all__ = ["Hierarchy", "ItemTables", "LevelStructure", "SparseMatrix", "compile_hierarchy"]

SparseMatrix: TypeAlias = sparse.csr_array

_EXPONENTS = {"arithmetic": 1.0, "geometric": 0.0, "harmonic": -1.0}


@dataclass(frozen=True, eq=False)
class LevelStructure:
    """One aggregation step: ``children`` → ``parents``."""

    name: str
    codes: tuple[str, ...]
    parent_index: np.ndarray  # (children,) int
    child_weights: np.ndarray  # (children,) raw weights within the parent
    onehot: np.ndarray  # (children, parents) 1 where the column is the child's parent
    exponents: np.ndarray  # (parents,) 1 arithmetic, 0 geometric, -1 harmonic, p power
    targets: np.ndarray  # (parents,)
    min_coverage: np.ndarray  # (parents,) NaN where no coverage rule applies

    @property
    def n_parents(self) -> int:
        return int(self.onehot.shape[1])

    @cached_property
    def sparse_membership(self) -> SparseMatrix:
        """Transpose of :attr:`membership` as a sparse matrix, for fast 2-D sums by parent."""
        return sparse.csr_array(self.membership.T)

    @cached_property
    def membership(self) -> np.ndarray:
        """(children, parents) matrix of child weights: ``onehot`` scaled by ``child_weights``."""
        matrix = self.onehot * self.child_weights[:, None]
        matrix.setflags(write=False)
        return matrix

    @classmethod
    def from_parents(
        cls,
        name: str,
        codes: tuple[str, ...],
        parent_index: Sequence[int],
        child_weights: Sequence[float],
        *,
        exponents: Sequence[float] | None = None,
        targets: Sequence[float] | None = None,
        min_coverage: Sequence[float] | None = None,
    ) -> LevelStructure:
        """Build a step from each child's parent position and weight (parents = ``codes``).

        Defaults: arithmetic parents, target 100, no coverage rule.
        """
        parents = len(codes)
        index_array = np.asarray(parent_index, dtype=np.intp)
        weight_array = np.asarray(child_weights, dtype=float)
        if index_array.shape != weight_array.shape or index_array.ndim != 1:
            raise ValueError("parent_index and child_weights must be 1-D and of equal length")
        if index_array.size and (index_array.min() < 0 or index_array.max() >= parents):
            raise ValueError(f"parent_index must lie in [0, {parents})")
        onehot = np.zeros((index_array.size, parents))
        onehot[np.arange(index_array.size), index_array] = 1.0
        for array in (index_array, weight_array, onehot):
            array.setflags(write=False)
        return cls(
            name=name,
            codes=tuple(codes),
            parent_index=index_array,
            child_weights=weight_array,
            onehot=onehot,
            exponents=np.ones(parents) if exponents is None else np.asarray(exponents, float),
            targets=np.full(parents, 100.0) if targets is None else np.asarray(targets, float),
            min_coverage=(
                np.full(parents, np.nan)
                if min_coverage is None
                else np.asarray(min_coverage, float)
            ),
        )


@dataclass(frozen=True, eq=False)
class ItemTables:
    """Per-kind column indices and parameters for vectorised item normalisation."""

    level_columns: np.ndarray
    level_codes: np.ndarray  # (k, max_levels), NaN padded
    level_scores: np.ndarray  # (k, max_levels)
    #: Fast path when every level code is a small integer: ``level_lookup[k, code - offset]`` is
    #: the score (NaN for codes that are not levels, and in the extra last column); ``None``
    #: otherwise.
    level_lookup: np.ndarray | None
    level_offset: int
    goalpost_groups: tuple[tuple[str | None, np.ndarray, np.ndarray, np.ndarray], ...]
    points_columns: np.ndarray
    points_maximum: np.ndarray
    relative_columns: tuple[tuple[int, Relative], ...]
    lowest_scores: np.ndarray  # (items,) score of a "don't know" under the 'lowest' rule
    dont_know_lowest: np.ndarray  # (items,) bool


@dataclass(frozen=True, eq=False)
class Hierarchy:
    """Everything the pipeline needs from the configuration, as arrays."""

    item_codes: tuple[str, ...]
    tables: ItemTables
    #: ``steps[0]`` aggregates items into indicators; ``steps[-1]`` aggregates the top level
    #: into the single overall score.
    steps: tuple[LevelStructure, ...]
    #: ``item_to_node[l]`` is a 0/1 matrix (items × nodes of level l) for coverage counts.
    item_to_node: tuple[np.ndarray, ...]

    @property
    def n_items(self) -> int:
        return len(self.item_codes)

    @cached_property
    def sparse_item_to_node(self) -> tuple[SparseMatrix, ...]:
        """Transposes of :attr:`item_to_node` as sparse matrices."""
        return tuple(sparse.csr_array(matrix.T) for matrix in self.item_to_node)


def _transform(value: float, log: str | None) -> float:
    if log == "ln":
        return float(np.log(value))
    if log == "ln1p":
        return float(np.log1p(value))
    return value


_MAX_LOOKUP_SPAN = 64


def _level_lookup(specs: list[LevelMapping]) -> tuple[np.ndarray | None, int]:
    codes = [code for spec in specs for code in spec.levels]
    if not codes or any(code != int(code) for code in codes):
        return None, 0
    low, high = int(min(codes)), int(max(codes))
    if high - low > _MAX_LOOKUP_SPAN:
        return None, 0
    # One more column, always NaN, where codes that are not levels are sent.
    lookup = np.full((len(specs), high - low + 2), np.nan)
    for row, spec in enumerate(specs):
        for code, score in zip(spec.levels, spec.scores, strict=True):
            lookup[row, int(code) - low] = score
    lookup.setflags(write=False)
    return lookup, low


def _item_tables(config: EngineConfig) -> ItemTables:
    level_columns: list[int] = []
    # Frameworks reuse a handful of level mappings across hundreds of items: tables are built
    # once per distinct mapping and repeated by row index.
    distinct_levels: dict[LevelMapping, int] = {}
    level_rows: list[int] = []
    goalposts: dict[str | None, list[tuple[int, Goalposts]]] = {}
    points_columns: list[int] = []
    points_maximum: list[float] = []
    relative_columns: list[tuple[int, Relative]] = []
    lowest = np.zeros(len(config.items))
    dont_know_lowest = np.zeros(len(config.items), dtype=bool)
    for column, item in enumerate(config.items):
        rule = item.dont_know_rule or config.dont_know_rule
        dont_know_lowest[column] = rule == "lowest"
        spec = item.normalisation
        if isinstance(spec, LevelMapping):
            level_columns.append(column)
            level_rows.append(distinct_levels.setdefault(spec, len(distinct_levels)))
        elif isinstance(spec, Goalposts):
            goalposts.setdefault(spec.log, []).append((column, spec))
        elif isinstance(spec, Points):
            points_columns.append(column)
            points_maximum.append(spec.maximum)
        else:
            relative_columns.append((column, spec))
    level_specs = list(distinct_levels)
    rows = np.array(level_rows, dtype=np.intp)
    width = max((len(spec.levels) for spec in level_specs), default=1)
    level_codes = np.full((len(level_specs), width), np.nan)
    level_scores = np.zeros((len(level_specs), width))
    for row, spec in enumerate(level_specs):
        level_codes[row, : len(spec.levels)] = spec.levels
        level_scores[row, : len(spec.scores)] = spec.scores
    level_columns_array = np.array(level_columns, dtype=np.intp)
    lowest[level_columns_array] = np.array([spec.lowest_score for spec in level_specs])[rows]
    level_lookup, level_offset = _level_lookup(level_specs)
    if level_lookup is not None:
        level_lookup = level_lookup[rows]
        level_lookup.setflags(write=False)
    transformed: dict[tuple[float, str | None], float] = {}

    def bound(value: float, log: str | None) -> float:
        key = (value, log)
        if key not in transformed:
            transformed[key] = _transform(value, log)
        return transformed[key]

    goalpost_groups = tuple(
        (
            log,
            np.array([column for column, _ in members], dtype=np.intp),
            np.array([bound(spec.threshold, log) for _, spec in members]),
            np.array([bound(spec.target, log) for _, spec in members]),
        )
        for log, members in goalposts.items()
    )
    return ItemTables(
        level_columns=level_columns_array,
        level_codes=level_codes[rows],
        level_scores=level_scores[rows],
        level_lookup=level_lookup,
        level_offset=level_offset,
        goalpost_groups=goalpost_groups,
        points_columns=np.array(points_columns, dtype=np.intp),
        points_maximum=np.array(points_maximum, dtype=float),
        relative_columns=tuple(relative_columns),
        lowest_scores=lowest,
        dont_know_lowest=dont_know_lowest,
    )


def compile_hierarchy(config: EngineConfig) -> Hierarchy:
    """Build the :class:`Hierarchy` arrays of a (validated) configuration."""
    steps: list[LevelStructure] = []
    child_parent_codes: list[str | None] = [item.parent for item in config.items]
    child_weights = [item.weight for item in config.items]
    top_index = len(config.levels) - 1
    for level_index, level in enumerate(config.levels):
        position = {code: index for index, code in enumerate(level.codes)}
        default_coverage = config.min_coverage if level_index == top_index else np.nan
        steps.append(
            LevelStructure.from_parents(
                level.name,
                level.codes,
                [position[code] for code in child_parent_codes if code is not None],
                child_weights,
                exponents=[_EXPONENTS.get(node.aggregation, node.power) for node in level.nodes],
                targets=[node.target for node in level.nodes],
                min_coverage=[
                    default_coverage if node.min_coverage is None else node.min_coverage
                    for node in level.nodes
                ],
            )
        )
        child_parent_codes = [node.parent for node in level.nodes]
        child_weights = [node.weight for node in level.nodes]
    steps.append(
        LevelStructure.from_parents(
            "overall",
            ("overall",),
            [0] * len(child_weights),
            child_weights,
            exponents=[_EXPONENTS.get(config.overall_aggregation, config.overall_power)],
            targets=[config.overall_target],
            min_coverage=[np.nan],
        )
    )
    item_to_node: list[np.ndarray] = []
    node_of_item = np.arange(len(config.items))
    for step in steps[:-1]:
        node_of_item = step.parent_index[node_of_item]
        one_hot = np.zeros((len(config.items), step.n_parents))
        one_hot[np.arange(len(config.items)), node_of_item] = 1.0
        one_hot.setflags(write=False)
        item_to_node.append(one_hot)
    return Hierarchy(
        item_codes=config.item_codes,
        tables=_item_tables(config),
        steps=tuple(steps),
        item_to_node=tuple(item_to_node),
    )

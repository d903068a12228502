"""Turn the engine's arrays into Score rows, each with the explanation of its number.

No queries here: :func:`build_score_rows` receives everything it needs and returns unsaved
rows, which the service saves with one ``bulk_create``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from scoring.adapter import LEVEL_INDICATOR, FrameworkLayout, RawAnswer
from scoring.engine.constants import STATUS_NAMES
from scoring.engine.pipeline import ScoreResult
from scoring.engine.uncertainty import UncertaintyResult
from scoring.models import Score, ScoreLevel, ScoreRun

__all__ = ["UnitInputs", "build_score_rows", "number_or_none"]


def number_or_none(value: float | np.floating | None) -> float | None:
    """A float for the database, None for NaN (no score)."""
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


@dataclass(frozen=True)
class UnitInputs:
    """What went into one unit's row of the arrays, kept for the explanations."""

    assessment_id: int
    answers: Mapping[str, RawAnswer]
    #: Question code → {"code", "year", "source", "value"} for values taken from statistics.
    statistics: Mapping[str, Mapping[str, Any]]


def _stage(result: ScoreResult, index: int) -> str:
    return "" if index < 0 else result.stage_names[int(index)]


def _item_explanation(
    layout: FrameworkLayout, result: ScoreResult, unit: int, column: int, inputs: UnitInputs
) -> dict[str, Any]:
    question = layout.questions[column]
    item = layout.config.items[column]
    answer = inputs.answers.get(question.code)
    statistic = inputs.statistics.get(question.code)
    explanation: dict[str, Any] = {
        "question": question.code,
        "type": question.type.value,
        "value": answer.value if answer is not None else None,
        "answer_status": answer.status if answer is not None else "missing",
        "weight": item.weight,
        "normalisation": item.normalisation.to_dict(),
        "included": bool(result.item_included[unit, column]),
    }
    if statistic is not None:
        explanation["source"] = "statistic"
        explanation["statistic"] = dict(statistic)
    else:
        explanation["source"] = "answer"
    return explanation


def _children(
    codes: Sequence[str],
    scores: np.ndarray,
    weights: Sequence[float],
    effective: np.ndarray,
    parent_index: np.ndarray,
    parent: int,
    unit: int,
) -> list[dict[str, Any]]:
    return [
        {
            "code": codes[child],
            "score": number_or_none(scores[unit, child]),
            "weight": float(weights[child]),
            "effective_weight": number_or_none(effective[unit, child]),
        }
        for child in np.flatnonzero(parent_index == parent)
    ]


def _collector(rows: list[dict[str, Any]]) -> Any:
    def add(**fields: Any) -> None:
        rows.append(fields)

    return add


def build_score_rows(
    *,
    run: ScoreRun,
    layout: FrameworkLayout,
    result: ScoreResult,
    units: Sequence[UnitInputs],
    status: np.ndarray,
    uncertainty: UncertaintyResult | None = None,
    with_ranks: bool = False,
) -> list[Score]:
    """Unsaved Score rows for every unit: overall, pillars, sub-pillars, indicators, questions.

    ``status`` is the status array given to the engine (for the per-question explanations).
    Interval columns are filled from ``uncertainty`` (overall and pillars); ranks only when
    ``with_ranks`` (a rank among one unit says nothing).
    """
    config = layout.config
    steps = config.hierarchy.steps
    item_codes = layout.item_codes
    item_weights = [item.weight for item in config.items]
    rows: list[Score] = []
    level_names = {"pillar": ScoreLevel.PILLAR, "sub_pillar": ScoreLevel.SUB_PILLAR}
    level_names[LEVEL_INDICATOR] = ScoreLevel.INDICATOR
    for unit, inputs in enumerate(units):
        unit_rows: list[dict[str, Any]] = []
        add = _collector(unit_rows)

        overall_explanation = {
            "aggregation": config.overall_aggregation,
            "partial": bool(result.overall_partial[unit]),
            "counts": {
                "not_applicable": int(result.not_applicable_count[unit]),
                "dont_know": int(result.dont_know_count[unit]),
                "missing": int(result.missing_count[unit]),
                "imputed": int(result.imputed_count[unit]),
            },
            "dont_know_rule": config.dont_know_rule,
            "children": _children(
                result.pillars.codes,
                result.pillars.scores,
                [node.weight for node in config.levels[-1].nodes],
                result.pillars.effective_weights,
                steps[-1].parent_index,
                0,
                unit,
            ),
        }
        overall_fields: dict[str, Any] = {}
        # An interval around "insufficient data" would read as a score; show none.
        if uncertainty is not None and not result.overall_insufficient[unit]:
            overall_fields = {
                "interval_low": number_or_none(uncertainty.overall_low[unit]),
                "interval_median": number_or_none(uncertainty.overall_median[unit]),
                "interval_high": number_or_none(uncertainty.overall_high[unit]),
            }
            if with_ranks:
                overall_fields |= {
                    "rank_low": number_or_none(uncertainty.rank_low[unit]),
                    "rank_median": number_or_none(uncertainty.rank_median[unit]),
                    "rank_high": number_or_none(uncertainty.rank_high[unit]),
                }
        add(
            level=ScoreLevel.OVERALL,
            code="overall",
            score=number_or_none(result.overall[unit]),
            coverage=number_or_none(result.overall_coverage[unit]),
            gap=number_or_none(result.overall_gap[unit]),
            relative_gap=number_or_none(result.overall_relative_gap[unit]),
            target=float(config.overall_target),
            stage=_stage(result, result.overall_stage[unit]),
            insufficient=bool(result.overall_insufficient[unit]),
            effective_weight=1.0,
            marginal_gain=1.0,
            explanation=overall_explanation,
            **overall_fields,
        )
        for level_index in reversed(range(len(result.levels))):
            level = result.levels[level_index]
            nodes = config.levels[level_index].nodes
            if level_index == 0:
                child_codes: Sequence[str] = item_codes
                child_scores = result.item_scores
                child_weights: Sequence[float] = item_weights
                child_effective = result.item_effective_weights
            else:
                below = result.levels[level_index - 1]
                child_codes = below.codes
                child_scores = below.scores
                child_weights = [node.weight for node in config.levels[level_index - 1].nodes]
                child_effective = below.effective_weights
            for node_index, code in enumerate(level.codes):
                if not layout.is_shown(level.name, code):
                    continue
                node = nodes[node_index]
                fields: dict[str, Any] = {}
                if (
                    uncertainty is not None
                    and level_index == len(result.levels) - 1
                    and not level.insufficient[unit, node_index]
                ):
                    fields = {
                        "interval_low": number_or_none(uncertainty.pillar_low[unit, node_index]),
                        "interval_median": number_or_none(
                            uncertainty.pillar_median[unit, node_index]
                        ),
                        "interval_high": number_or_none(uncertainty.pillar_high[unit, node_index]),
                    }
                children = _children(
                    child_codes,
                    child_scores,
                    child_weights,
                    child_effective,
                    steps[level_index].parent_index,
                    node_index,
                    unit,
                )
                if level_index == 0:
                    for child in children:
                        column = item_codes.index(child["code"])
                        child["status"] = STATUS_NAMES[int(status[unit, column])]
                        child["imputed"] = bool(result.imputed[unit, column])
                add(
                    level=level_names.get(level.name, ScoreLevel.INDICATOR),
                    code=code,
                    score=number_or_none(level.scores[unit, node_index]),
                    coverage=number_or_none(level.coverage[unit, node_index]),
                    gap=number_or_none(level.gaps[unit, node_index]),
                    relative_gap=number_or_none(level.relative_gaps[unit, node_index]),
                    target=float(level.targets[node_index]),
                    stage=_stage(result, level.stages[unit, node_index]),
                    insufficient=bool(level.insufficient[unit, node_index]),
                    imputed=bool(
                        (result.imputed[unit] & (steps[0].parent_index == node_index)).any()
                    )
                    if level_index == 0
                    else False,
                    effective_weight=number_or_none(level.effective_weights[unit, node_index]),
                    marginal_gain=number_or_none(level.marginal_gains[unit, node_index]),
                    explanation={
                        "aggregation": node.aggregation,
                        "weight": node.weight,
                        "min_coverage": number_or_none(steps[level_index].min_coverage[node_index]),
                        "excluded": int(level.excluded_counts[unit, node_index]),
                        "children": children,
                    },
                    **fields,
                )
        for column, code in enumerate(item_codes):
            explanation = _item_explanation(layout, result, unit, column, inputs)
            explanation["status"] = STATUS_NAMES[int(status[unit, column])]
            add(
                level=ScoreLevel.ITEM,
                code=code,
                score=number_or_none(result.item_scores[unit, column]),
                imputed=bool(result.imputed[unit, column]),
                effective_weight=number_or_none(result.item_effective_weights[unit, column]),
                marginal_gain=number_or_none(result.item_marginal_gains[unit, column]),
                explanation=explanation,
            )
        rows.extend(
            Score(run=run, assessment_id=inputs.assessment_id, position=position, **fields)
            for position, fields in enumerate(unit_rows)
        )
    return rows

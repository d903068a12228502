"""Stakeholder agreement for one assessment, from the stakeholders' own answers (no Django).

Ordinal questions (maturity, yes/partial/no, single choice) are coded 1..A by the order of
their possible scores, and:

- per question, r_wg on the question's own A-point scale (James, Demaree & Wolf 1984);
- per pillar, Krippendorff's alpha (ordinal; respondents are the raters, questions the units),
  each scale a variable of its own (a maturity level and a "yes" are not codes of one scale)
  with the disagreements combined over scales (``pooled_krippendorff_alpha``), and, when all
  its questions share one scale, r_wg(J);
- for the assessment, the same alpha over every ordinal question;
- per pillar, a bootstrap interval over respondents on the pillar score (every scored
  question, normalised to 0–100, weighted by its nominal effective weight in the pillar under
  arithmetic aggregation).

Numbers and multiple choice have no ordinal scale and enter only the bootstrap. r_wg reads the
codes 1..A: a maturity scale whose custom level scores are unequally spaced (e.g. 0, 10, 50,
100) is treated as equally spaced, only the order of its levels counting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from scoring.adapter import AnswerError, FrameworkLayout, question_value
from scoring.engine.agreement import (
    LOW_AGREEMENT_THRESHOLD,
    LOW_RELIABILITY_THRESHOLD,
    PillarBootstrap,
    bootstrap_pillar_scores,
    pooled_krippendorff_alpha,
    rwg,
    rwg_j,
)
from scoring.engine.normalisation import normalise_items
from surveys.frameworks.spec import QuestionSpec, QuestionType

__all__ = ["BOOTSTRAP_RESAMPLES", "nominal_pillar_shares", "stakeholder_agreement"]

BOOTSTRAP_RESAMPLES = 999
_ORDINAL_TYPES = (QuestionType.MATURITY, QuestionType.YES_PARTIAL_NO, QuestionType.SINGLE_CHOICE)


def _scale(question: QuestionSpec) -> tuple[float, ...]:
    """The possible engine values of an ordinal question, ascending."""
    if question.type is QuestionType.MATURITY:
        return tuple(sorted(float(level.value) for level in question.levels))
    return tuple(sorted({float(choice.points) for choice in question.choices}))


def nominal_pillar_shares(layout: FrameworkLayout) -> tuple[list[str], np.ndarray]:
    """Pillar code of each item and the item's share of its pillar under the nominal weights.

    The share is the product, down the tree, of each node's weight over its siblings' total
    (the effective weight under arithmetic aggregation with every item present).
    """
    config = layout.config
    share = np.ones(len(config.items))
    node = np.arange(len(config.items))
    for step in config.hierarchy.steps[:-1]:
        totals = np.bincount(
            step.parent_index, weights=step.child_weights, minlength=step.n_parents
        )
        share = share * step.child_weights[node] / totals[step.parent_index[node]]
        node = step.parent_index[node]
    pillar_codes = config.levels[-1].codes
    return [pillar_codes[index] for index in node], share


def stakeholder_agreement(
    layout: FrameworkLayout,
    rows: Sequence[tuple[Any, str, object]],
    *,
    seed: int = 0,
    n_resamples: int = BOOTSTRAP_RESAMPLES,
) -> list[dict[str, Any]]:
    """Agreement results as dictionaries of AgreementResult fields.

    ``rows`` are ``(respondent, question code, value)`` of answered stakeholder answers; a
    value that does not fit its question is left out (it cannot be rated).

    Examples
    --------
    >>> from surveys.frameworks.loader import EXAMPLE, load_framework_text
    >>> from scoring.adapter import framework_layout
    >>> layout = framework_layout(load_framework_text(EXAMPLE))
    >>> rows = [(1, "T.1", "yes"), (2, "T.1", "yes"), (3, "T.1", "partial")]
    >>> results = stakeholder_agreement(layout, rows, n_resamples=99)

    Codes 3, 3, 2 on a 3-point scale: r_wg = 1 − s² / σ²_E = 1 − (1/3) / (8/12) = 0.5.

    >>> [(r["code"], round(r["rwg"], 6)) for r in results if r["scope"] == "question"]
    [('T.1', 0.5)]
    """
    respondents, values = _answer_matrix(layout.questions, rows)
    if not respondents:
        return []
    answered = ~np.isnan(values)
    pillar_of_item, shares = nominal_pillar_shares(layout)
    item_scores = normalise_items(layout.config.hierarchy, values, answered)
    codes = _ordinal_codes(layout.questions, values, answered)
    results = _question_results(layout.questions, codes, answered)
    answered_items = np.flatnonzero(answered.any(axis=0))
    bootstrap = None
    if len(respondents) >= 2 and answered_items.size:
        bootstrap = bootstrap_pillar_scores(
            item_scores[:, answered_items],
            pillar_of_item=[pillar_of_item[column] for column in answered_items],
            item_weights=shares[answered_items],
            n_resamples=n_resamples,
            seed=seed,
        )
    for pillar in layout.config.levels[-1].codes:
        entry = _pillar_result(pillar, pillar_of_item, codes, answered, answered_items, bootstrap)
        if entry is not None:
            results.append(entry)
    if codes.columns:
        results.append(_assessment_result(codes, len(respondents)))
    return results


@dataclass(frozen=True)
class _OrdinalCodes:
    """Ordinal answers coded 1..A on each question's own scale (NaN where unanswered).

    ``columns`` are the ordinal questions with at least two scale points; ``scales`` holds
    each one's possible engine values, ascending.
    """

    matrix: np.ndarray
    columns: list[int]
    scales: dict[int, tuple[float, ...]]

    def points(self, column: int) -> int:
        """A, the number of points of the question's scale."""
        return len(self.scales[column])


def _answer_matrix(
    questions: Sequence[QuestionSpec], rows: Sequence[tuple[Any, str, object]]
) -> tuple[list[Any], np.ndarray]:
    """Respondents (sorted) and their engine values, respondents × questions (NaN if none).

    Answers to unknown questions, empty answers and values that do not fit their question
    are left out.
    """
    column_of = {question.code: column for column, question in enumerate(questions)}
    respondents = sorted({row[0] for row in rows}, key=str)
    row_of = {respondent: index for index, respondent in enumerate(respondents)}
    values = np.full((len(respondents), len(questions)), np.nan)
    for respondent, code, value in rows:
        column = column_of.get(code)
        if column is None or value is None:
            continue
        try:
            values[row_of[respondent], column] = question_value(questions[column], value)
        except AnswerError:
            continue
    return respondents, values


def _ordinal_codes(
    questions: Sequence[QuestionSpec], values: np.ndarray, answered: np.ndarray
) -> _OrdinalCodes:
    """The ordinal questions' answers as codes 1..A by the order of their possible scores."""
    ordinal = np.full(values.shape, np.nan)
    columns: list[int] = []
    scales: dict[int, tuple[float, ...]] = {}
    for column, question in enumerate(questions):
        if question.type not in _ORDINAL_TYPES:
            continue
        scale = _scale(question)
        if len(scale) < 2:
            continue
        codes = np.searchsorted(np.array(scale), values[:, column]) + 1.0
        ordinal[:, column] = np.where(answered[:, column], codes, np.nan)
        columns.append(column)
        scales[column] = scale
    return _OrdinalCodes(ordinal, columns, scales)


def _question_results(
    questions: Sequence[QuestionSpec], codes: _OrdinalCodes, answered: np.ndarray
) -> list[dict[str, Any]]:
    """r_wg of each answered ordinal question on its own scale."""
    results = []
    for column in codes.columns:
        count = int(answered[:, column].sum())
        if count == 0:
            continue
        agreement = float(rwg(codes.matrix[:, column], scale_points=codes.points(column)))
        results.append(
            {
                "scope": "question",
                "code": questions[column].code,
                "rwg": None if np.isnan(agreement) else agreement,
                "respondents": count,
                "low_agreement": bool(agreement < LOW_AGREEMENT_THRESHOLD),
            }
        )
    return results


def _pillar_result(
    pillar: str,
    pillar_of_item: Sequence[str],
    codes: _OrdinalCodes,
    answered: np.ndarray,
    answered_items: np.ndarray,
    bootstrap: PillarBootstrap | None,
) -> dict[str, Any] | None:
    """A pillar's alpha, r_wg(J) (one shared scale only) and bootstrap interval, or None.

    None when no stakeholder answered any of the pillar's questions.
    """
    all_columns = [c for c in answered_items if pillar_of_item[c] == pillar]
    if not all_columns:
        return None
    entry: dict[str, Any] = {
        "scope": "pillar",
        "code": pillar,
        "respondents": int(answered[:, all_columns].any(axis=1).sum()),
        "rwg": None,
        "alpha": None,
        "low_agreement": False,
    }
    columns = [c for c in codes.columns if pillar_of_item[c] == pillar and answered[:, c].any()]
    if columns:
        alpha = pooled_krippendorff_alpha(
            codes.matrix[:, columns], [codes.scales[c] for c in columns], level="ordinal"
        )
        entry["alpha"] = None if np.isnan(alpha) else float(alpha)
        scales = {codes.points(c) for c in columns}
        if len(scales) == 1:
            agreement = rwg_j(codes.matrix[:, columns], scale_points=scales.pop())
            entry["rwg"] = None if np.isnan(agreement) else float(agreement)
        entry["low_agreement"] = bool(
            (entry["alpha"] is not None and entry["alpha"] < LOW_RELIABILITY_THRESHOLD)
            or (entry["rwg"] is not None and entry["rwg"] < LOW_AGREEMENT_THRESHOLD)
        )
    if bootstrap is not None and pillar in bootstrap.pillar_codes:
        index = bootstrap.pillar_codes.index(pillar)
        low, high = float(bootstrap.low[index]), float(bootstrap.high[index])
        entry["interval_low"] = None if np.isnan(low) else low
        entry["interval_high"] = None if np.isnan(high) else high
    return entry


def _assessment_result(codes: _OrdinalCodes, respondents: int) -> dict[str, Any]:
    """Krippendorff's alpha over every ordinal question of the assessment."""
    alpha = pooled_krippendorff_alpha(
        codes.matrix[:, codes.columns], [codes.scales[c] for c in codes.columns], level="ordinal"
    )
    return {
        "scope": "assessment",
        "code": "",
        "alpha": None if np.isnan(alpha) else float(alpha),
        "respondents": respondents,
        "low_agreement": bool(alpha < LOW_RELIABILITY_THRESHOLD),
    }

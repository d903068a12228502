"""The framework → engine adapter: configuration and answer arrays (no database)."""

from __future__ import annotations

import doctest
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import scoring.adapter
from scoring.adapter import (
    AnswerError,
    RawAnswer,
    answer_arrays,
    framework_layout,
    question_value,
)
from scoring.engine.config import Goalposts, LevelMapping, Points
from scoring.engine.constants import ANSWERED, DONT_KNOW, MISSING, NOT_APPLICABLE
from scoring.engine.pipeline import score
from surveys.frameworks.loader import load_framework_text
from surveys.frameworks.spec import DontKnowRule
from tests.scoring.helpers import FULL_ANSWERS, NET, NET_1_B, OVERALL, small_spec

SUB_PILLARS = """
code: mixed
version: "1"
languages: [en]
title: {en: Mixed}
scoring: {dont_know: lowest, aggregation: geometric, target: 80}
pillars:
  - code: A
    title: {en: A}
    weight: 2
    sub_pillars:
      - code: A1
        title: {en: A1}
        indicators:
          - code: A1.I
            title: {en: A1 indicator}
            target: 90
            questions:
              - {code: A1.q, type: yes_partial_no, text: {en: "?"}}
              - code: A1.price
                type: number
                text: {en: "Price?"}
                normalisation: {method: goalposts, lower: 2, upper: 20, direction: lower_is_better}
  - code: B
    title: {en: B}
    indicators:
      - code: B.I
        title: {en: B indicator}
        questions:
          - {code: B.q, type: yes_partial_no, text: {en: "?"}}
          - {code: B.note, type: text, text: {en: "Notes"}}
"""


def answers(**values: object) -> dict[str, RawAnswer]:
    return {
        code.replace("_", "."): RawAnswer(value)  # type: ignore[arg-type]
        if value in ("dont_know", "not_applicable")
        else RawAnswer("answered", value)
        for code, value in values.items()
    }


def full_answers() -> dict[str, RawAnswer]:
    return {
        code: RawAnswer(value) if value == "dont_know" else RawAnswer("answered", value)
        for code, value in FULL_ANSWERS.items()
    }


def test_items_are_the_scored_questions_in_questionnaire_order() -> None:
    layout = framework_layout(small_spec())
    assert layout.item_codes == (
        "GOV.1.a",
        "GOV.1.b",
        "GOV.1.c",
        "GOV.2.c",
        "NET.1.a",
        "NET.1.b",
        "NET.2.a",
        "NET.2.b",
        "SKL.1.a",
        "SKL.1.b",
    )
    assert layout.config.level_names == ("indicator", "pillar")
    assert layout.config.levels[0].codes == ("GOV.1", "GOV.2", "NET.1", "NET.2", "SKL.1")


def test_each_question_type_gets_its_normalisation() -> None:
    items = {item.code: item.normalisation for item in framework_layout(small_spec()).config.items}
    assert items["GOV.1.a"] == LevelMapping(
        levels=(0, 1, 2, 3, 4, 5), scores=(0, 20, 40, 60, 80, 100)
    )
    assert items["GOV.1.b"] == Points(maximum=100)
    assert items["NET.2.a"] == Points(maximum=100)
    assert items["NET.2.b"] == Points(maximum=4)  # fibre 2 + microwave 1 + satellite 1
    assert items["NET.1.b"] == Goalposts(threshold=0, target=60, log="ln1p")


def test_lower_is_better_goalposts_are_reversed() -> None:
    layout = framework_layout(load_framework_text(SUB_PILLARS))
    price = layout.config.items[1]
    assert price.normalisation == Goalposts(threshold=20, target=2, direction="lower")


def test_framework_scoring_options_reach_the_engine() -> None:
    config = framework_layout(load_framework_text(SUB_PILLARS)).config
    assert config.dont_know_rule == "lowest"
    assert config.overall_aggregation == "geometric"
    assert config.overall_target == 80
    assert config.levels[0].nodes[0].target == 90
    assert config.levels[-1].nodes[0].weight == 2
    assert config.stage_thresholds == (20, 40, 60, 80)
    assert config.stage_names[0] == "basic"


def test_a_pillar_without_sub_pillars_gets_a_hidden_pass_through_node() -> None:
    layout = framework_layout(load_framework_text(SUB_PILLARS))
    assert layout.config.level_names == ("indicator", "sub_pillar", "pillar")
    assert layout.config.levels[1].codes == ("A1", "B")
    assert not layout.is_shown("sub_pillar", "B")
    assert layout.is_shown("sub_pillar", "A1")
    values, status = answer_arrays(layout, [answers(A1_q="yes", A1_price=11, B_q="partial")])
    result = score(layout.config, values, status)
    # B's pass-through sub-pillar copies its indicator: 50.
    assert_allclose(result.level("sub_pillar").scores, [[75.0, 50.0]])


def test_answer_values_follow_the_question_type() -> None:
    spec = small_spec()
    questions = spec.questions_by_code
    assert question_value(questions["GOV.1.a"], 4) == 4.0
    assert question_value(questions["GOV.1.b"], "partial") == 50.0
    assert question_value(questions["NET.2.a"], "fibre") == 100.0
    assert question_value(questions["NET.2.b"], ["fibre", "microwave"]) == 3.0
    assert question_value(questions["NET.2.b"], []) == 0.0
    assert question_value(questions["NET.1.a"], "12.5") == 12.5


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("GOV.1.a", 7, "level 7 is not one of"),
        ("GOV.1.a", True, "expected a level"),
        ("GOV.1.b", "maybe", "'maybe' is not one of the choices"),
        ("NET.2.b", "fibre", "expected a list of choices"),
        ("NET.2.b", ["fibre", "copper"], "'copper' is not one of the choices"),
        ("NET.1.a", "lots", "expected a number"),
        ("NET.1.a", float("nan"), "expected a finite number"),
        ("NET.1.b", -1, "ln(x + 1) scaling needs a value above -1"),
    ],
)
def test_a_value_that_does_not_fit_names_the_question(
    code: str, value: object, message: str
) -> None:
    with pytest.raises(AnswerError, match=re.escape(message)) as error:
        question_value(small_spec().questions_by_code[code], value)
    assert code in str(error.value)


def test_statuses_map_to_engine_codes() -> None:
    layout = framework_layout(small_spec())
    unit = full_answers() | {
        "NET.1.a": RawAnswer("not_applicable"),
        "NET.1.b": RawAnswer("answered"),
    }
    del unit["NET.2.a"]
    values, status = answer_arrays(layout, [unit])
    codes = dict(zip(layout.item_codes, status[0].tolist(), strict=True))
    assert codes["GOV.1.a"] == ANSWERED
    assert codes["SKL.1.b"] == DONT_KNOW
    assert codes["NET.1.a"] == NOT_APPLICABLE
    assert codes["NET.1.b"] == MISSING  # answered without a value
    assert codes["NET.2.a"] == MISSING
    assert np.isnan(values[0, layout.item_codes.index("NET.1.a")])


def test_a_question_hidden_by_its_condition_is_not_applicable() -> None:
    layout = framework_layout(small_spec())
    unit = full_answers() | {
        "GOV.1.a": RawAnswer("answered", 1),
        "GOV.1.b": RawAnswer("answered", "no"),
    }
    _, status = answer_arrays(layout, [unit])
    codes = dict(zip(layout.item_codes, status[0].tolist(), strict=True))
    assert codes["GOV.1.c"] == NOT_APPLICABLE  # shown only if GOV.1.b != 'no'
    assert codes["SKL.1.a"] == NOT_APPLICABLE  # shown only if GOV.1.a >= 2
    assert codes["SKL.1.b"] == NOT_APPLICABLE


def test_a_bad_stored_answer_names_the_unit_and_question() -> None:
    layout = framework_layout(small_spec())
    with pytest.raises(AnswerError, match=r"unit 1, question 'GOV.1.b'"):
        answer_arrays(layout, [full_answers(), {"GOV.1.b": RawAnswer("answered", "perhaps")}])


def test_full_small_framework_scores_match_the_hand_computation() -> None:
    layout = framework_layout(small_spec())
    values, status = answer_arrays(layout, [full_answers()])
    result = score(layout.config, values, status)
    assert_allclose(result.indicator_scores[0, :4], [70.0, 0.0, (50 + NET_1_B) / 2, 62.5])
    assert_allclose(result.pillar_scores[0, :2], [35.0, NET])
    assert np.isnan(result.pillar_scores[0, 2]) and result.pillars.insufficient[0, 2]
    assert_allclose(result.overall, [OVERALL])
    assert result.overall_partial[0]


def test_the_lowest_rule_scores_dont_know_as_the_worst_answer() -> None:
    layout = framework_layout(small_spec(dont_know=DontKnowRule.LOWEST))
    values, status = answer_arrays(layout, [full_answers()])
    result = score(layout.config, values, status)
    # SKL.1.b "don't know" scores 0: SKL = mean(100, 0) = 50, and SKL counts again.
    assert_allclose(result.pillar_scores[0], [35.0, NET, 50.0])
    assert_allclose(result.overall, [(35.0 + NET + 50.0) / 3])


@given(level=st.integers(2, 5), improvement=st.integers(0, 3))
def test_a_better_maturity_answer_never_lowers_the_overall_score(
    level: int, improvement: int
) -> None:
    # Levels from 2 keep the SKL questions visible, so only the answer changes.
    layout = framework_layout(small_spec())
    better = min(level + improvement, 5)
    rows = [full_answers() | {"GOV.1.a": RawAnswer("answered", lv)} for lv in (level, better)]
    values, status = answer_arrays(layout, rows)
    overall = score(layout.config, values, status).overall
    assert overall[1] >= overall[0]


def test_adapter_docstring_examples_run() -> None:
    assert doctest.testmod(scoring.adapter).failed == 0


def test_agreement_and_cli_docstring_examples_run() -> None:
    import scoring.agreement
    import scoring.cli

    for module in (scoring.agreement, scoring.cli):
        assert doctest.testmod(module).failed == 0

"""Export: load → export → load gives an equal spec, and exporting again gives the same text."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.frameworks.export import export_framework_data, export_framework_yaml
from surveys.frameworks.loader import load_framework_data, load_framework_file, load_framework_text
from surveys.frameworks.mapping import map_answers_between_versions, question_code_map
from tests.frameworks.helpers import DEFAULT_FRAMEWORK, FIXTURES, make_framework_data

FILES = [DEFAULT_FRAMEWORK, FIXTURES / "tiny-v1.yaml", FIXTURES / "tiny-v2.yaml"]


@pytest.mark.parametrize("path", FILES, ids=lambda path: Path(path).name)
def test_load_export_load_round_trips_to_an_equal_spec(path: Path) -> None:
    spec = load_framework_file(path)
    text = export_framework_yaml(spec)
    assert load_framework_text(text) == spec
    assert export_framework_yaml(load_framework_text(text)) == text


@pytest.mark.parametrize("path", FILES, ids=lambda path: Path(path).name)
def test_the_full_json_definition_round_trips(path: Path) -> None:
    spec = load_framework_file(path)
    definition = json.loads(json.dumps(export_framework_data(spec, full=True)))
    assert load_framework_data(definition) == spec


def test_compact_export_leaves_out_defaults() -> None:
    text = export_framework_yaml(load_framework_file(FIXTURES / "tiny-v1.yaml"))
    assert "weight: 1\n" not in text
    assert "allow_dont_know" not in text
    assert "code: 'yes'" not in text  # built-in yes/partial/no choices stay implicit


def test_multi_line_texts_are_written_as_blocks() -> None:
    text = export_framework_yaml(load_framework_file(DEFAULT_FRAMEWORK))
    assert "methodology:\n  en: |-\n" in text


@settings(max_examples=40, deadline=None)
@given(
    weights=st.lists(st.floats(0.01, 1000, allow_nan=False), min_size=3, max_size=3),
    lower=st.floats(-1e6, 1e6, allow_nan=False),
    span=st.floats(1e-3, 1e6, allow_nan=False),
    title=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(
        str.strip
    ),
)
def test_round_trip_holds_for_arbitrary_weights_goalposts_and_texts(
    weights: list[float], lower: float, span: float, title: str
) -> None:
    data = make_framework_data(title={"en": title, "fr": title})
    data["pillars"][0]["weight"] = weights[0]
    data["pillars"][1]["weight"] = weights[1]
    data["pillars"][0]["indicators"][0]["weight"] = weights[2]
    question = data["pillars"][1]["indicators"][0]["questions"][0]
    question["type"] = "number"
    question["normalisation"] = {"method": "goalposts", "lower": lower, "upper": lower + span}
    if lower + span == lower:
        return
    spec = load_framework_data(data)
    text = export_framework_yaml(spec)
    assert load_framework_text(text) == spec
    assert export_framework_yaml(load_framework_text(text)) == text


def test_renamed_questions_follow_the_mapping_and_dropped_ones_disappear() -> None:
    v1 = load_framework_file(FIXTURES / "tiny-v1.yaml")
    v2 = load_framework_file(FIXTURES / "tiny-v2.yaml")
    assert question_code_map(v1, v2) == {
        "A.1.a": "A.1.a",
        "A.1.b": "A.1.c",
        "A.2.a": "A.2.a",
        "A.2.b": "A.2.b",
        "B.1.a": "B.1.a",
        "B.1.b": None,
    }


def test_answers_that_no_longer_fit_are_not_carried_over() -> None:
    v1 = load_framework_file(FIXTURES / "tiny-v1.yaml")
    v2 = load_framework_file(FIXTURES / "tiny-v2.yaml")
    question = v2.questions_by_code["A.2.a"]
    shorter = dataclasses.replace(question, levels=question.levels[:4])
    indicator = v2.pillars[0].indicators[1]
    changed_indicator = dataclasses.replace(
        indicator, questions=(shorter, *indicator.questions[1:])
    )
    pillar = dataclasses.replace(
        v2.pillars[0], indicators=(v2.pillars[0].indicators[0], changed_indicator)
    )
    v2_changed = dataclasses.replace(v2, pillars=(pillar, *v2.pillars[1:]))
    mapped = map_answers_between_versions({"A.2.a": 3, "A.1.a": 7}, source=v1, target=v2_changed)
    assert mapped == {"A.1.a": 7}


def test_versions_without_a_declared_mapping_are_refused() -> None:
    v1 = load_framework_file(FIXTURES / "tiny-v1.yaml")
    other = dataclasses.replace(v1, version="9")
    with pytest.raises(ValueError, match="no mapping is declared"):
        map_answers_between_versions({}, source=v1, target=other)

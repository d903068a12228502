"""Loading frameworks: every bad input gives a clear error naming its place."""

from __future__ import annotations

import pytest

from surveys.frameworks.loader import (
    load_framework_data,
    load_framework_file,
    load_framework_text,
)
from surveys.frameworks.reading import FrameworkError, parse_yaml
from surveys.frameworks.spec import (
    Direction,
    FrameworkSpec,
    NormalisationMethod,
    QuestionType,
    Transform,
)
from tests.frameworks.helpers import (
    DEFAULT_FRAMEWORK,
    make_framework_data,
    make_question,
    question_at,
    text,
)


def problems(data: object) -> list[str]:
    with pytest.raises(FrameworkError) as caught:
        load_framework_data(data)
    return [str(issue) for issue in caught.value.issues]


def problems_in_text(source: str) -> list[str]:
    with pytest.raises(FrameworkError) as caught:
        load_framework_text(source)
    return [str(issue) for issue in caught.value.issues]


def test_the_valid_sample_loads() -> None:
    spec = load_framework_data(make_framework_data())
    assert [q.code for q in spec.questions] == ["P.1.a", "P.1.m", "Q.1.a"]


# Malformed files -----------------------------------------------------------------------------


def test_malformed_yaml_names_line_and_column() -> None:
    found = problems_in_text("code: x\npillars: [\n  - a: b\n")
    assert len(found) == 1
    assert found[0].startswith("line ")
    assert "malformed YAML" in found[0]


def test_duplicate_yaml_keys_are_refused() -> None:
    found = problems_in_text("code: a\ncode: b\n")
    assert found == ["line 2, column 1: malformed YAML: duplicate key 'code'"]


def test_yaml_aliases_are_refused() -> None:
    found = problems_in_text("a: &x [1, 2]\nb: *x\n")
    assert "aliases" in found[0]


def test_yaml_python_tags_are_refused() -> None:
    found = problems_in_text("code: !!python/object/apply:os.system ['echo hi']\n")
    assert "malformed YAML" in found[0]


def test_yes_and_no_stay_texts_in_yaml() -> None:
    assert parse_yaml("a: no\nb: yes\nc: on\nd: true\ne: False\n") == {
        "a": "no",
        "b": "yes",
        "c": "on",
        "d": True,
        "e": False,
    }


def test_a_file_that_is_not_a_mapping_is_refused() -> None:
    assert problems_in_text("- just\n- a list\n") == ["expected a mapping, got a list"]


def test_every_problem_is_reported_at_once() -> None:
    data = make_framework_data(languages=["en", "fr"])
    data["pillars"][0]["weight"] = -1
    question_at(data, 1, 0, 0)["type"] = "slider"
    del data["title"]
    found = problems(data)
    assert "title: required" in found
    assert "pillars[0].weight: must be 0 or more, got -1" in found
    assert any(
        p.startswith("pillars[1].indicators[0].questions[0].type: unknown question type")
        for p in found
    )


# Codes ----------------------------------------------------------------------------------------


def test_duplicate_codes_name_both_places() -> None:
    data = make_framework_data()
    question_at(data, 1, 0, 0)["code"] = "P.1.a"
    assert problems(data) == [
        "pillars[1].indicators[0].questions[0].code: duplicate code 'P.1.a', already used at "
        "pillars[0].indicators[0].questions[0]"
    ]


def test_an_indicator_code_may_not_reuse_a_pillar_code() -> None:
    data = make_framework_data()
    data["pillars"][1]["indicators"][0]["code"] = "P"
    assert "duplicate code 'P'" in problems(data)[0]


@pytest.mark.parametrize("code", ["1abc", "a b", "a__b", "and", "in", "answered", "a-b", "x" * 41])
def test_invalid_codes_are_refused(code: str) -> None:
    data = make_framework_data()
    question_at(data, 0, 0, 0)["code"] = code
    found = problems(data)
    assert found[0].startswith("pillars[0].indicators[0].questions[0].code: invalid code")


# Weights --------------------------------------------------------------------------------------


def test_negative_weights_are_refused() -> None:
    data = make_framework_data()
    data["pillars"][0]["indicators"][0]["weight"] = -0.5
    assert problems(data) == ["pillars[0].indicators[0].weight: must be 0 or more, got -0.5"]


def test_all_zero_pillar_weights_are_refused() -> None:
    data = make_framework_data()
    for pillar in data["pillars"]:
        pillar["weight"] = 0
    assert problems(data) == ["pillars: all pillar weights are zero; at least one must be positive"]


def test_all_zero_question_weights_in_an_indicator_are_refused() -> None:
    data = make_framework_data()
    for question in data["pillars"][0]["indicators"][0]["questions"]:
        question["weight"] = 0
    assert problems(data) == [
        "pillars[0].indicators[0].questions: all question weights are zero; at least one must be "
        "positive"
    ]


def test_a_weight_that_is_not_a_number_is_refused() -> None:
    data = make_framework_data()
    data["pillars"][0]["weight"] = "heavy"
    assert problems(data) == ["pillars[0].weight: expected a number, got a text 'heavy'"]


def test_a_weight_on_an_unscored_question_is_refused() -> None:
    data = make_framework_data()
    data["pillars"][0]["indicators"][0]["questions"].append(
        make_question("P.1.t", type="text", weight=2)
    )
    assert problems(data) == [
        "pillars[0].indicators[0].questions[2].weight: only scored questions have a weight"
    ]


# Levels ---------------------------------------------------------------------------------------


def test_the_wrong_number_of_levels_is_reported_with_the_expected_count() -> None:
    data = make_framework_data()
    question_at(data, 0, 0, 1)["levels"] = question_at(data, 0, 0, 1)["levels"][:4]
    assert problems(data) == [
        "pillars[0].indicators[0].questions[1].levels: expected 6 levels, got 4"
    ]


def test_levels_out_of_order_are_refused() -> None:
    data = make_framework_data()
    levels = question_at(data, 0, 0, 1)["levels"]
    levels[2], levels[3] = levels[3], levels[2]
    assert problems(data) == [
        "pillars[0].indicators[0].questions[1].levels[2].level: levels out of order: expected "
        "level 2, got 3",
        "pillars[0].indicators[0].questions[1].levels[3].level: levels out of order: expected "
        "level 3, got 2",
    ]


def test_decreasing_level_scores_are_refused() -> None:
    data = make_framework_data()
    levels = question_at(data, 0, 0, 1)["levels"]
    levels[4]["score"] = 90
    levels[5]["score"] = 80
    assert problems(data) == [
        "pillars[0].indicators[0].questions[1].levels[5].score: level scores must not decrease: "
        "80 after 90"
    ]


def test_a_scale_from_one_to_five_needs_five_levels() -> None:
    data = make_framework_data()
    question = question_at(data, 0, 0, 1)
    question["scale"] = [1, 5]
    question["levels"] = [{"level": v, "descriptor": text(f"L{v}")} for v in range(1, 6)]
    spec = load_framework_data(data)
    levels = spec.questions_by_code["P.1.m"].levels
    assert [(level.value, level.score) for level in levels] == [
        (1, 0.0),
        (2, 25.0),
        (3, 50.0),
        (4, 75.0),
        (5, 100.0),
    ]


def test_maturity_levels_default_to_equal_steps() -> None:
    spec = load_framework_data(make_framework_data())
    assert [level.score for level in spec.questions_by_code["P.1.m"].levels] == [
        0.0,
        20.0,
        40.0,
        60.0,
        80.0,
        100.0,
    ]


# Types and keys -------------------------------------------------------------------------------


def test_unknown_question_types_list_the_allowed_ones() -> None:
    data = make_framework_data()
    question_at(data, 0, 0, 0)["type"] = "slider"
    assert problems(data) == [
        "pillars[0].indicators[0].questions[0].type: unknown question type 'slider'; expected "
        "one of: maturity, yes_partial_no, number, percentage, single_choice, multiple_choice, "
        "text, date, evidence"
    ]


def test_unknown_keys_are_refused_so_typos_do_not_pass_silently() -> None:
    data = make_framework_data()
    question_at(data, 0, 0, 0)["wieght"] = 2
    found = problems(data)
    assert found[0].startswith("pillars[0].indicators[0].questions[0].wieght: unknown key")


def test_keys_of_another_question_type_are_refused() -> None:
    data = make_framework_data()
    question_at(data, 0, 0, 0)["unit"] = text("%")
    assert problems(data) == [
        "pillars[0].indicators[0].questions[0].unit: not used by yes_partial_no questions"
    ]


def test_text_questions_cannot_be_scored() -> None:
    data = make_framework_data()
    data["pillars"][0]["indicators"][0]["questions"].append(
        make_question("P.1.t", type="text", scored=True)
    )
    assert problems(data) == [
        "pillars[0].indicators[0].questions[2].scored: text questions cannot be scored"
    ]


def test_choices_with_all_zero_points_are_refused_when_scored() -> None:
    data = make_framework_data()
    question_at(data, 0, 0, 0).update(
        type="single_choice",
        choices=[{"code": "a", "label": text("A")}, {"code": "b", "label": text("B")}],
    )
    assert problems(data) == [
        "pillars[0].indicators[0].questions[0].choices: all choice points are zero; give points "
        "to score it"
    ]


def test_multiple_choice_max_points_default_to_the_sum_of_points() -> None:
    data = make_framework_data()
    question_at(data, 0, 0, 0).update(
        type="multiple_choice",
        choices=[
            {"code": "a", "label": text("A"), "points": 1},
            {"code": "b", "label": text("B"), "points": 3},
        ],
    )
    question = load_framework_data(data).questions_by_code["P.1.a"]
    assert question.max_points == 4
    assert question.normalisation is not None
    assert question.normalisation.method is NormalisationMethod.CHOICES


def test_yes_partial_no_scores_100_50_0_by_default() -> None:
    question = load_framework_data(make_framework_data()).questions_by_code["P.1.a"]
    assert [(c.code, c.points) for c in question.choices] == [
        ("yes", 100.0),
        ("partial", 50.0),
        ("no", 0.0),
    ]
    assert question.max_points == 100.0


def test_dont_know_and_not_applicable_are_offered_on_scored_questions_by_default() -> None:
    spec = load_framework_data(make_framework_data())
    question = spec.questions_by_code["P.1.a"]
    assert question.allow_dont_know and question.allow_not_applicable
    assert spec.scoring.dont_know == "exclude"


# Goalposts ------------------------------------------------------------------------------------


def test_equal_goalposts_are_refused() -> None:
    data = make_framework_data()
    question_at(data, 1, 0, 0)["normalisation"] = {"method": "goalposts", "lower": 5, "upper": 5}
    assert problems(data) == [
        "pillars[1].indicators[0].questions[0].normalisation: goalposts are equal (5): lower "
        "must be below upper"
    ]


def test_reversed_goalposts_point_to_the_direction_key() -> None:
    data = make_framework_data()
    question_at(data, 1, 0, 0)["normalisation"] = {"method": "goalposts", "lower": 9, "upper": 1}
    assert "direction: lower_is_better" in problems(data)[0]


def test_log_scaling_needs_positive_goalposts() -> None:
    data = make_framework_data()
    question_at(data, 1, 0, 0)["normalisation"] = {
        "method": "goalposts",
        "lower": 0,
        "upper": 10,
        "transform": "ln",
    }
    assert problems(data) == [
        "pillars[1].indicators[0].questions[0].normalisation.lower: ln needs goalposts above 0 "
        "(use ln1p for counts)"
    ]


def test_scored_numbers_need_a_normalisation() -> None:
    data = make_framework_data()
    del question_at(data, 1, 0, 0)["normalisation"]
    assert problems(data)[0].startswith(
        "pillars[1].indicators[0].questions[0].normalisation: required for scored numbers"
    )


# Translations ---------------------------------------------------------------------------------


def test_missing_translations_name_the_language() -> None:
    data = make_framework_data()
    question_at(data, 0, 0, 0)["text"] = {"en": "Only English"}
    assert problems(data) == [
        "pillars[0].indicators[0].questions[0].text: missing translation 'fr'"
    ]


def test_a_plain_string_instead_of_translations_is_refused() -> None:
    data = make_framework_data()
    data["pillars"][0]["title"] = "Pillar"
    assert problems(data) == [
        "pillars[0].title: expected a translation per language, e.g. {en: ..., fr: ...}"
    ]


def test_a_translation_in_an_undeclared_language_is_refused() -> None:
    data = make_framework_data()
    data["title"] = {"en": "T", "fr": "T", "de": "T"}
    assert problems(data) == ["title.de: language not declared in 'languages' (en, fr)"]


def test_empty_translations_are_refused() -> None:
    data = make_framework_data()
    data["title"] = {"en": "T", "fr": "  "}
    assert "title.fr: expected a non-empty text" in problems(data)


# Stages and scoring ---------------------------------------------------------------------------


def test_default_stages_are_the_five_digital_readiness_stages() -> None:
    spec = load_framework_data(make_framework_data())
    assert [(s.code, s.min_score) for s in spec.scoring.stages] == [
        ("basic", 0.0),
        ("opportunistic", 20.0),
        ("systematic", 40.0),
        ("differentiating", 60.0),
        ("transformational", 80.0),
    ]
    assert spec.scoring.stage_for(59.9).code == "systematic"


def test_stages_out_of_order_are_refused() -> None:
    data = make_framework_data(
        scoring={
            "stages": [
                {"code": "low", "label": text("Low"), "min_score": 0},
                {"code": "high", "label": text("High"), "min_score": 50},
                {"code": "mid", "label": text("Mid"), "min_score": 30},
            ]
        }
    )
    assert problems(data) == [
        "scoring.stages[2].min_score: stages out of order: 30 is not above 50"
    ]


def test_min_coverage_accepts_a_fraction() -> None:
    spec = load_framework_data(make_framework_data(scoring={"min_coverage": "3/4"}))
    assert [pillar.min_coverage for pillar in spec.pillars] == [0.75, 0.75]


def test_min_coverage_above_one_is_refused() -> None:
    data = make_framework_data()
    data["pillars"][0]["min_coverage"] = 1.5
    assert problems(data) == ["pillars[0].min_coverage: must be 1 or less, got 1.5"]


def test_a_float_version_asks_for_quotes() -> None:
    assert problems(make_framework_data(version=2026.1)) == [
        "version: write the version as a quoted text, e.g. '2026.1'"
    ]


# show_if --------------------------------------------------------------------------------------


def test_show_if_forward_references_are_refused() -> None:
    data = make_framework_data()
    question_at(data, 0, 0, 0)["show_if"] = "Q.1.a > 10"
    assert problems(data) == [
        "pillars[0].indicators[0].questions[0].show_if: forward reference to 'Q.1.a': a "
        "condition may only use questions that come earlier in the questionnaire"
    ]


def test_show_if_cycles_are_reported_as_cycles() -> None:
    data = make_framework_data()
    question_at(data, 0, 0, 0)["show_if"] = "P.1.m >= 2"
    question_at(data, 0, 0, 1)["show_if"] = "P.1.a == 'yes'"
    found = problems(data)
    assert (
        "pillars[0].indicators[0].questions[0].show_if: show_if cycle: P.1.a → P.1.m → P.1.a"
        in found
    )


def test_show_if_on_its_own_question_is_refused() -> None:
    data = make_framework_data()
    question_at(data, 0, 0, 0)["show_if"] = "answered(P.1.a)"
    assert "condition refers to its own question 'P.1.a'" in problems(data)[0]


def test_show_if_unknown_codes_are_refused() -> None:
    data = make_framework_data()
    question_at(data, 1, 0, 0)["show_if"] = "P.1.z == 'yes'"
    assert problems(data) == [
        "pillars[1].indicators[0].questions[0].show_if: unknown question code 'P.1.z'"
    ]


def test_show_if_syntax_errors_give_the_column() -> None:
    data = make_framework_data()
    question_at(data, 1, 0, 0)["show_if"] = "P.1.a == "
    assert problems(data) == [
        "pillars[1].indicators[0].questions[0].show_if: invalid condition: expected a question "
        "code, a number, a string, true, false, '(' or '[', found end of condition at column 10"
    ]


def test_show_if_comparing_with_an_unknown_choice_is_refused() -> None:
    data = make_framework_data()
    question_at(data, 1, 0, 0)["show_if"] = "P.1.a == 'maybe'"
    assert problems(data) == [
        "pillars[1].indicators[0].questions[0].show_if: P.1.a has choices yes, partial, no; "
        "'maybe' is not one of them"
    ]


def test_show_if_comparing_a_level_with_text_is_refused() -> None:
    data = make_framework_data()
    question_at(data, 1, 0, 0)["show_if"] = "P.1.m == 'high'"
    assert "compare it with a number" in problems(data)[0]


# Mapping --------------------------------------------------------------------------------------


def test_mapping_targets_must_exist_in_this_version() -> None:
    data = make_framework_data(
        version="2", mapping={"from_version": "1", "questions": {"OLD.1": "NEW.1"}}
    )
    assert problems(data) == ["mapping.questions.OLD.1: 'NEW.1' is not a question of this version"]


def test_mapping_two_old_codes_to_one_new_code_is_refused() -> None:
    data = make_framework_data(
        version="2",
        mapping={"from_version": "1", "questions": {"OLD.1": "P.1.a", "OLD.2": "P.1.a"}},
    )
    assert problems(data) == ["mapping.questions.OLD.2: 'OLD.2' and 'OLD.1' both map to 'P.1.a'"]


# The default framework ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_framework() -> FrameworkSpec:
    return load_framework_file(DEFAULT_FRAMEWORK)


def test_the_default_framework_is_large_enough(default_framework: FrameworkSpec) -> None:
    assert len(default_framework.pillars) >= 7
    assert len(default_framework.questions) >= 45
    types = {question.type for question in default_framework.questions}
    assert types == set(QuestionType)


def test_every_default_framework_text_has_english_and_french(
    default_framework: FrameworkSpec,
) -> None:
    from surveys.frameworks.export import export_framework_data

    def texts(node: object, path: str = "") -> list[tuple[str, object]]:
        found: list[tuple[str, object]] = []
        if isinstance(node, dict):
            if set(node) & {"en", "fr"}:
                found.append((path, node))
            for key, value in node.items():
                found += texts(value, f"{path}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                found += texts(value, f"{path}[{index}]")
        return found

    translated = texts(export_framework_data(default_framework, full=True))
    assert len(translated) > 300
    for path, value in translated:
        assert isinstance(value, dict)
        assert value.get("en") and value.get("fr"), path
    scored = [q for q in default_framework.questions if q.scored]
    assert all(q.help.get("en") and q.help.get("fr") for q in default_framework.questions)
    assert len(scored) >= 45


def test_the_default_framework_uses_every_normalisation_option(
    default_framework: FrameworkSpec,
) -> None:
    goalposts = [
        q.normalisation
        for q in default_framework.questions
        if q.normalisation and q.normalisation.method is NormalisationMethod.GOALPOSTS
    ]
    assert {n.transform for n in goalposts} == set(Transform)
    assert Direction.LOWER_IS_BETTER in {n.direction for n in goalposts}
    price = default_framework.questions_by_code["CON.5.a"]
    assert price.normalisation is not None
    assert price.normalisation.direction is Direction.LOWER_IS_BETTER
    assert price.normalisation.transform is Transform.LN
    composite = default_framework.indicators_by_code["SKL.2"]
    assert [q.weight for q in composite.questions] == [0.4, 0.6]
    assert sum(q.show_if is not None for q in default_framework.questions) >= 4
    assert any(pillar.sub_pillars for pillar in default_framework.pillars)
    assert [stage.label["en"] for stage in default_framework.scoring.stages] == [
        "Basic",
        "Opportunistic",
        "Systematic",
        "Differentiating",
        "Transformational",
    ]


def test_a_framework_code_may_not_contain_dots_because_it_appears_in_urls() -> None:
    assert problems(make_framework_data(code="my.framework")) == [
        "code: a framework code may not contain '.', got 'my.framework'"
    ]

"""The default framework in Arabic: complete, errors placed, Arabic typography kept."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from surveys.frameworks.loader import load_framework_data, load_framework_file
from surveys.frameworks.reading import FrameworkError, parse_yaml
from surveys.frameworks.spec import FrameworkSpec, QuestionType
from tests.frameworks.helpers import DEFAULT_FRAMEWORK

# Latin words allowed inside Arabic texts: acronyms, units and names kept in Latin script as in
# ITU/UN Arabic documents (the brief of issue 21, item 3).
LATIN_ALLOWED = {
    "4G",
    "5G",
    "G1",
    "G5",
    "CIRT",
    "DigComp",
    "DSL",
    "FIRST",
    "Findex",
    "GB",
    "Global",
    "IXP",
    "NREN",
    "OECD/UNCTAD",
    "PDF",
    "URL",
    "WCAG",
    "kbit/s",
}


@pytest.fixture(scope="module")
def spec() -> FrameworkSpec:
    return load_framework_file(DEFAULT_FRAMEWORK)


def multilingual_texts(node: object, path: str = "") -> list[tuple[str, dict[str, str]]]:
    """Every {en: ..., fr: ..., ...} mapping of parsed framework data, with its place."""
    if isinstance(node, dict):
        if "en" in node and all(isinstance(value, str) for value in node.values()):
            return [(path, node)]
        return [
            found
            for key, value in node.items()
            for found in multilingual_texts(value, f"{path}.{key}" if path else key)
        ]
    if isinstance(node, list):
        return [
            found
            for index, value in enumerate(node)
            for found in multilingual_texts(value, f"{path}[{index}]")
        ]
    return []


@pytest.fixture(scope="module")
def texts() -> list[tuple[str, dict[str, str]]]:
    return multilingual_texts(parse_yaml(DEFAULT_FRAMEWORK.read_text(encoding="utf-8")))


def test_the_default_framework_declares_arabic_and_loads(spec: FrameworkSpec) -> None:
    # The loader requires each declared language in every text, so loading proves completeness.
    assert spec.languages == ("en", "fr", "es", "ar")
    assert spec.title["ar"] == "تقييم احتياجات القدرات الرقمية"
    assert [stage.label["ar"] for stage in spec.scoring.stages] == [
        "أساسية",
        "ظرفية",
        "منهجية",
        "متميّزة",
        "تحويلية",
    ]


def test_every_text_has_an_arabic_translation(texts: list[tuple[str, dict[str, str]]]) -> None:
    assert len(texts) > 300
    assert [path for path, text in texts if not text.get("ar", "").strip()] == []


def test_a_missing_arabic_text_is_a_placed_error() -> None:
    data = parse_yaml(DEFAULT_FRAMEWORK.read_text(encoding="utf-8"))
    question = data["pillars"][0]["sub_pillars"][1]["indicators"][1]["questions"][0]
    del question["levels"][3]["descriptor"]["ar"]
    with pytest.raises(FrameworkError) as caught:
        load_framework_data(data)
    assert [str(issue) for issue in caught.value.issues] == [
        "pillars[0].sub_pillars[1].indicators[1].questions[0].levels[3].descriptor:"
        " missing translation 'ar'"
    ]


def test_yes_partial_no_questions_get_the_interface_words_in_arabic(spec: FrameworkSpec) -> None:
    question = next(
        question
        for indicator in spec.indicators
        for question in indicator.questions
        if question.type is QuestionType.YES_PARTIAL_NO
    )
    labels = [choice.label["ar"] for choice in question.choices]
    with translation.override("ar"):
        # The same words as the interface's own answer buttons and summaries.
        assert labels == [translation.gettext("Yes"), "جزئيًا", translation.gettext("No")]


def test_arabic_texts_use_arabic_punctuation(texts: list[tuple[str, dict[str, str]]]) -> None:
    wrong = []
    for path, text in texts:
        arabic = text["ar"]
        if text["en"].rstrip().endswith("?") != arabic.rstrip().endswith("؟"):
            wrong.append(f"{path}: question mark")
        # A Latin comma, semicolon or question mark is allowed only inside numbers (1,000).
        if re.search(r"[;?]|,(?!\d)", arabic):
            wrong.append(f"{path}: Latin punctuation")
    assert wrong == []


def test_arabic_texts_keep_numbers_and_acronyms_of_the_english(
    texts: list[tuple[str, dict[str, str]]],
) -> None:
    wrong = []
    for path, text in texts:
        arabic = text["ar"]
        # Western digits, as in the English text; the interface localises numbers it formats.
        if sorted(re.findall(r"\d[\d,]*\d|\d", text["en"])) != sorted(
            re.findall(r"\d[\d,]*\d|\d", arabic)
        ):
            wrong.append(f"{path}: numbers")
        latin = set(re.findall(r"[A-Za-z0-9/]*[A-Za-z][A-Za-z0-9/]*", arabic))
        if latin - LATIN_ALLOWED:
            wrong.append(f"{path}: Latin words {sorted(latin - LATIN_ALLOWED)}")
    assert wrong == []

"""One function turns an answer into words for every page, report and export.

Uses the small test framework (tests/fixtures/small-framework.yaml): GOV.1.a is a maturity
question (level 3 "Funded."), NET.1.b a number "per 100 people", NET.2.b a multiple choice.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.test import SimpleTestCase
from django.utils import translation

from surveys.answer_text import answer_text
from surveys.models import AnswerStatus
from tests.scoring.helpers import small_spec

ROOT = Path(__file__).resolve().parents[2]


class AnswerTextTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.spec = small_spec()

    def words(self, code: str, value: object, language: str = "en", **kwargs: str) -> str:
        with translation.override(language):
            return answer_text(
                self.spec.questions_by_code[code], value, language=language, **kwargs
            )

    def test_a_level_reads_with_its_label_in_one_phrase_per_language(self) -> None:
        assert self.words("GOV.1.a", 3) == "Level 3: Funded."
        assert self.words("GOV.1.a", 3, "fr").startswith("Niveau 3 : ")

    def test_numbers_follow_the_readers_language_with_the_unit(self) -> None:
        assert self.words("NET.1.b", 4.5) == "4.5 per 100 people"
        assert self.words("NET.1.b", 4.5, "fr").startswith("4,5 ")

    def test_an_empty_multiple_choice_says_none_chosen_and_labels_are_used(self) -> None:
        assert self.words("NET.2.b", []) == "none chosen"
        assert self.words("NET.2.b", ["fibre"]) == "Fibre"

    def test_special_answers_and_empty_values(self) -> None:
        assert self.words("GOV.1.a", None, status=AnswerStatus.DONT_KNOW) == "Don't know"
        assert self.words("GOV.1.a", None, status=AnswerStatus.NOT_APPLICABLE) == ("Not applicable")
        assert self.words("GOV.1.a", None) == ""


def test_no_other_module_turns_answers_into_words() -> None:
    # The copies that drifted apart defined their own "Level" phrase or _answer_text.
    pattern = re.compile(r'_\("Level |def _answer_text|def value_text\(question')
    copies = [
        str(path.relative_to(ROOT))
        for app in (
            "surveys",
            "scoring",
            "reports",
            "planning",
            "exchange",
            "charts",
            "api",
            "demo",
        )
        for path in (ROOT / app).rglob("*.py")
        if pattern.search(path.read_text()) and path.name != "answer_text.py"
    ]
    assert not copies, copies

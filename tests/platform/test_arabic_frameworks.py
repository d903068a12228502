"""The shipped intervention catalogue and the ITU IDI framework in Arabic (and the IDI in Spanish),
issue 21: every text present, written in Arabic script, with codes and acronyms kept in Latin
script and Western digits, as the ITU's Arabic publications write them."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

from planning.catalogue import read_catalogue_file, validate_catalogue
from surveys.frameworks.loader import load_framework_file
from surveys.frameworks.persistence import _text_fields

ROOT = Path(settings.BASE_DIR)
ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")
EASTERN_DIGIT = re.compile(r"[\u0660-\u0669\u06f0-\u06f9]")
# Latin words an Arabic text may keep: acronyms, units and the titles of English publications.
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z/.-]*")


def check_arabic(test: SimpleTestCase, name: str, text: str, english: str) -> None:
    with test.subTest(name):
        test.assertRegex(text, ARABIC_LETTER)
        test.assertNotRegex(text, EASTERN_DIGIT)
        # Every Latin word of the Arabic text is a word of the English one (an acronym, a unit,
        # a publication's title): no English left untranslated by mistake.
        english_words = set(LATIN_WORD.findall(english)) | {"x"}
        test.assertLessEqual(set(LATIN_WORD.findall(text)), english_words | {"IXP"})


class ArabicCatalogueTests(SimpleTestCase):
    def test_every_intervention_has_an_arabic_title_and_description(self) -> None:
        spec = load_framework_file(ROOT / "frameworks" / "dcna-2026.yaml")
        catalogue = read_catalogue_file(ROOT / "frameworks" / "dcna-2026-interventions.yaml")
        items = validate_catalogue(catalogue.entries, spec)
        self.assertEqual(len(items), 37)
        for item in items:
            check_arabic(self, f"{item.code} title", item.title["ar"], item.title["en"])
            check_arabic(self, f"{item.code} description", item.description["ar"], "IXP CIRT")
        by_code = {item.code: item for item in items}
        self.assertEqual(
            by_code["CYB-CIRT"].title["ar"], "إنشاء فريق وطني للاستجابة للحوادث الحاسوبية (CIRT)"
        )


class IdiFrameworkLanguagesTests(SimpleTestCase):
    def test_the_idi_framework_is_in_spanish_and_arabic_for_every_text(self) -> None:
        # The loader requires each declared language in every text: loading proves completeness.
        spec = load_framework_file(ROOT / "frameworks" / "itu-idi-2024.yaml")
        self.assertEqual(spec.languages, ("en", "fr", "es", "ar"))
        texts = [(path, texts) for path, texts in _text_fields(spec) if texts]
        self.assertGreaterEqual(len(texts), 29)
        for path, text in texts:
            self.assertTrue(text["es"].strip(), path)
            check_arabic(self, path, text["ar"], text["en"])
        self.assertEqual(
            spec.questions_by_code["internet_users_pct"].text["es"],
            "Personas que utilizan Internet (%)",
        )
        # Built-in stage labels (the IDI lists none) exist in Arabic.
        self.assertEqual(
            [stage.label["ar"] for stage in spec.scoring.stages],
            ["أساسية", "ظرفية", "منهجية", "متميّزة", "تحويلية"],
        )

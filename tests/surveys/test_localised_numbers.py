"""Numbers typed and shown as the user's language writes them (issue 14, item 4).

The separators come from babel's CLDR data (CLDR: French groups with U+202F NARROW NO-BREAK
SPACE and uses a decimal comma; English groups with a comma and uses a decimal point).
"""

from __future__ import annotations

from decimal import Decimal

from django.test import SimpleTestCase, TestCase
from django.utils import translation

from surveys.models import Answer, WizardDraft
from surveys.numbers import NumberParseError, number_format, number_parse
from tests.factories import make_assessment, make_focal_point
from tests.surveys.helpers import GOV_COMPLETE, step_post, step_url


class NumberParseTests(SimpleTestCase):
    def test_each_language_reads_its_own_separators(self) -> None:
        cases = [
            ("fr", "12,5", "12.5"),
            ("fr", "1 234,5", "1234.5"),
            ("fr", "1\u202f234,5", "1234.5"),
            ("fr", "1\u00a0234,5", "1234.5"),
            ("fr", "-0,25", "-0.25"),
            ("fr", "12.5", "12.5"),
            ("en", "1,234.5", "1234.5"),
            ("en", "12.5", "12.5"),
            ("es", "1.234,5", "1234.5"),
            ("ar", "\u0661\u0662.5", "12.5"),
        ]
        for language, text, expected in cases:
            with self.subTest(language=language, text=text):
                assert number_parse(text, language) == Decimal(expected)

    def test_what_is_not_a_number_in_the_language_is_refused(self) -> None:
        cases = [("en", "12,5"), ("fr", "1 23,5"), ("es", "12.5"), ("fr", "abc"), ("fr", "1e5")]
        cases += [("en", "NaN"), ("en", "Infinity"), ("en", "1.2.3"), ("fr", "")]
        for language, text in cases:
            with self.subTest(language=language, text=text), self.assertRaises(NumberParseError):
                number_parse(text, language)

    def test_a_misplaced_decimal_separator_gets_a_suggestion(self) -> None:
        with self.assertRaises(NumberParseError) as raised:
            number_parse("1,5", "en")
        assert raised.exception.suggestion == "1.5"

    def test_numbers_are_shown_with_the_languages_separators(self) -> None:
        assert number_format(1234.5, "fr") == "1\u202f234,5"
        assert number_format(1234.5, "en") == "1,234.5"
        assert number_format(12, "fr") == "12"


class LocalisedNumberWizardTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.alice = make_focal_point("SEN", "alice")

    def setUp(self) -> None:
        self.assessment = make_assessment("SEN")
        self.client.force_login(self.alice)
        self.client.cookies["django_language"] = "fr"
        self.client.post(
            step_url(self.assessment, "GOV"), step_post(self.assessment, "GOV", GOV_COMPLETE)
        )
        self.assessment.refresh_from_db()

    def test_french_decimals_and_grouping_are_stored_and_shown_back_in_french(self) -> None:
        data = step_post(
            self.assessment, "NET", {"NET.1.a": "12,5", "NET.1.b": "1 2,5"}, action="save"
        )
        data["NET-NET.1.b"] = "150,25"
        response = self.client.post(step_url(self.assessment, "NET"), data)
        assert response.status_code == 302
        saved = {
            a.question_code: a.value for a in Answer.objects.filter(assessment=self.assessment)
        }
        assert saved["NET.1.a"] == 12.5 and saved["NET.1.b"] == 150.25
        page = self.client.get(step_url(self.assessment, "NET"))
        self.assertContains(page, 'value="12,5"')
        self.assertContains(page, 'value="150,25"')
        self.assertContains(page, "Par exemple 1\u202f234,5.")

    def test_an_invalid_number_names_the_question_and_is_not_carried_silently(self) -> None:
        data = step_post(self.assessment, "NET", {"NET.1.a": "douze"}, action="save")
        page = self.client.post(step_url(self.assessment, "NET"), data)
        self.assertContains(page, "NET.1.a Quelle part de la population utilise Internet ?")
        self.assertContains(page, "Saisissez un nombre, par exemple 1\u202f234,5.")
        assert not Answer.objects.filter(question_code="NET.1.a").exists()
        assert WizardDraft.objects.filter(assessment=self.assessment).exists()
        # Another device, later: the value is shown with a notice, not as if it were saved.
        other = self.client_class()
        other.force_login(self.alice)
        other.cookies["django_language"] = "fr"
        later = other.get(step_url(self.assessment, "NET"))
        self.assertContains(later, 'value="douze"')
        self.assertContains(later, "Des valeurs saisies auparavant n'ont pas pu être enregistrées")

    def test_autosave_names_the_question_it_could_not_save(self) -> None:
        from django.urls import reverse

        data = step_post(self.assessment, "NET", {"NET.1.a": "12,5,1"})
        with translation.override("fr"):
            body = self.client.post(
                reverse("surveys:autosave", args=[self.assessment.pk]), data
            ).json()
        assert "NET.1.a" in body["message"]
        assert "NET.1.a" in body["errors"]

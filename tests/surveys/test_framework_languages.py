"""A framework in a language the interface lacks (issue 21, item 6): Portuguese.

The reader chooses Portuguese for the framework's texts; the interface stays in the closest
language the platform speaks (Spanish, by the chain pt → es → en), and the wizard, the score page
and the country PDF show the framework's Portuguese texts with Spanish interface strings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.test import SimpleTestCase, TestCase, override_settings
from django.urls import reverse

from scoring.services import score_run_create
from surveys.framework_languages import COOKIE_NAME, fallback_chain, interface_language_for
from surveys.frameworks.loader import load_framework_data, load_framework_file, load_framework_text
from surveys.frameworks.persistence import framework_load
from surveys.frameworks.reading import FrameworkError
from surveys.frameworks.spec import FrameworkSpec
from surveys.models import AssessmentState
from tests.factories import make_assessment, make_focal_point
from tests.reports.support import pdf_text, squeeze
from tests.scoring.helpers import FULL_ANSWERS, add_answers
from tests.surveys.helpers import step_url

PT_FRAMEWORK = Path(__file__).resolve().parents[1] / "fixtures" / "pt-framework.yaml"
QUESTION = "Qual é a maturidade da estratégia digital nacional?"


def _with_english(node: Any) -> Any:
    """Every Portuguese text given an English one, "EN " + the Portuguese (for the pages: a
    reader who chooses nothing must get these, one who chooses Portuguese must not)."""
    if isinstance(node, dict):
        if set(node) == {"pt"}:
            return node | {"en": f"EN {node['pt']}"}
        return {key: _with_english(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_with_english(item) for item in node]
    return node


def bilingual_spec() -> FrameworkSpec:
    data = _with_english(yaml.safe_load(PT_FRAMEWORK.read_text(encoding="utf-8")))
    data["languages"] = ["pt", "en"]
    return load_framework_data(data)


class LanguageCodeTests(SimpleTestCase):
    def test_any_iso_639_code_is_accepted(self) -> None:
        spec = load_framework_file(PT_FRAMEWORK)
        self.assertEqual(spec.languages, ("pt",))
        text = PT_FRAMEWORK.read_text(encoding="utf-8")
        brazilian = text.replace("languages: [pt]", "languages: [pt-BR]").replace("{pt:", "{pt-BR:")
        self.assertEqual(load_framework_text(brazilian).languages, ("pt-BR",))

    def test_an_unknown_language_code_is_refused_where_it_is(self) -> None:
        text = PT_FRAMEWORK.read_text(encoding="utf-8").replace(
            "languages: [pt]", "languages: [pt, xq]"
        )
        with self.assertRaises(FrameworkError) as raised:
            load_framework_text(text)
        issues = [(issue.path, issue.message) for issue in raised.exception.issues]
        self.assertIn("languages[1]", [path for path, _message in issues])
        self.assertIn("unknown language code 'xq'", str(raised.exception))

    def test_the_fallback_chain_and_the_closest_interface_language(self) -> None:
        self.assertEqual(fallback_chain("pt"), ("pt", "es", "en"))
        self.assertEqual(fallback_chain("pt-BR"), ("pt-BR", "pt", "es", "en"))
        self.assertEqual(interface_language_for("pt"), "es")
        self.assertEqual(interface_language_for("sw"), "en")
        with override_settings(FRAMEWORK_LANGUAGE_FALLBACKS={"pt": ["fr"]}):
            self.assertEqual(interface_language_for("pt"), "fr")


class PortugueseFrameworkPagesTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.framework = framework_load(bilingual_spec(), publish=True).framework
        cls.alice = make_focal_point("SEN", "alice")
        cls.draft = make_assessment("SEN", framework=cls.framework)
        cls.approved = make_assessment(
            "SEN", round=2025, framework=cls.framework, state=AssessmentState.APPROVED
        )
        add_answers(cls.approved, FULL_ANSWERS)
        score_run_create(assessment=cls.approved, trigger="on_demand", seed=7)

    def setUp(self) -> None:
        self.client.force_login(self.alice)

    def choose(self, language: str, next_url: str = "/") -> None:
        response = self.client.post(
            reverse("surveys:framework-language", args=[self.draft.pk]),
            {"language": language, "next": next_url},
        )
        self.assertRedirects(response, next_url, fetch_redirect_response=False)

    def test_choosing_portuguese_gives_a_spanish_interface_and_portuguese_questions(self) -> None:
        url = step_url(self.draft, "GOV")
        self.choose("pt", url)
        self.assertEqual(self.client.cookies[COOKIE_NAME].value, "pt")
        self.assertEqual(self.client.cookies[settings.LANGUAGE_COOKIE_NAME].value, "es")
        page = self.client.get(url)
        self.assertContains(page, '<html lang="es"')
        self.assertContains(page, QUESTION)
        self.assertNotContains(page, f"EN {QUESTION}")
        self.assertContains(page, "Procure um documento de estratégia adotado.")
        self.assertContains(page, "Governo")
        # Interface strings in Spanish, the chain's first interface language.
        self.assertContains(page, "Idioma del cuestionario")
        self.assertContains(page, '<option value="pt" lang="pt" selected>Português</option>')

    def test_an_explicit_interface_language_is_kept(self) -> None:
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
        self.choose("pt")
        self.assertEqual(self.client.cookies[settings.LANGUAGE_COOKIE_NAME].value, "fr")
        page = self.client.get(step_url(self.draft, "GOV"))
        self.assertContains(page, '<html lang="fr"')
        self.assertContains(page, QUESTION)
        self.assertContains(page, "Langue du questionnaire")

    def test_without_a_choice_the_interface_language_texts_are_shown(self) -> None:
        page = self.client.get(step_url(self.draft, "GOV"))
        self.assertContains(page, '<html lang="en"')
        self.assertContains(page, f"EN {QUESTION}")
        self.choose("pt")
        self.choose("")  # back to "same as the interface"
        self.assertContains(self.client.get(step_url(self.draft, "GOV")), f"EN {QUESTION}")

    def test_a_language_the_framework_lacks_is_refused(self) -> None:
        response = self.client.post(
            reverse("surveys:framework-language", args=[self.draft.pk]),
            {"language": "de", "next": "/"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertNotIn(COOKIE_NAME, response.cookies)

    def test_an_outside_address_is_not_followed(self) -> None:
        response = self.client.post(
            reverse("surveys:framework-language", args=[self.draft.pk]),
            {"language": "pt", "next": "https://evil.example/"},
        )
        self.assertRedirects(
            response,
            reverse("surveys:assessment-detail", args=[self.draft.pk]),
            fetch_redirect_response=False,
        )

    def test_the_score_page_shows_portuguese_titles_and_stages(self) -> None:
        self.choose("pt")
        page = self.client.get(reverse("scoring:assessment-scores", args=[self.approved.pk]))
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, '<html lang="es"')
        self.assertContains(page, "Conectividade")
        self.assertContains(page, "Estratégia")
        self.assertNotContains(page, "EN Conectividade")

    def test_the_country_pdf_has_portuguese_texts_and_spanish_interface_strings(self) -> None:
        self.choose("pt")
        response = self.client.get(reverse("reports:country-pdf", args=["SEN"]))
        self.assertEqual(response.status_code, 200)
        self.assertIn('filename="SEN-2025-es.pdf"', response["Content-Disposition"])
        text = squeeze(pdf_text(response.content))
        for portuguese in ("Quadro de teste em português", "Conectividade", "Competências"):
            self.assertIn(portuguese, text)
            self.assertNotIn(f"EN {portuguese}", text)
        self.assertIn("Resumen", text)  # "Executive summary" in the Spanish catalogue


class FallbackTests(SimpleTestCase):
    def test_a_text_missing_in_the_chosen_language_comes_from_the_chain_never_blank(self) -> None:
        from surveys.frameworks.spec import text_languages, translate

        with text_languages(fallback_chain("pt"), "fr"):
            # The intervention catalogue has no Portuguese: Spanish, the chain's next language.
            self.assertEqual(
                translate({"en": "Plan", "es": "Plan ES", "fr": "Plan FR"}, "fr"), "Plan ES"
            )
            self.assertEqual(translate({"en": "Plan", "fr": "Plan FR"}, "fr"), "Plan")
            self.assertEqual(translate({"fr": "Plan FR"}, "fr"), "Plan FR")
            self.assertEqual(translate({"ar": "خطة"}, "fr"), "خطة")

"""What a French reader sees: the defects a translator found on the demo, one test class each
(issue 2 §8: every user-visible string translated, dates and numbers in the reader's way).

1. radar labels read "61,2 (cible 80,0)", not "(target …)";
2. numeric answers use the decimal comma like the scores beside them;
3. planning and catalogue messages are French, engine errors sit under a French headline;
4. the demand page shows translated ITU regions and income groups;
5. the history page shows labels, not codes (the CSV keeps the codes);
6. the dashboard and the PDF write the run date the French way;
7. "label: value" pairs put a space before the colon in French;
8. intervention kinds and delivery channels are French in reports and planner pages.
"""

from __future__ import annotations

import csv
import doctest
import importlib
import io

from django.test import SimpleTestCase, TestCase
from django.urls import reverse
from django.utils import formats, translation

from planning.catalogue import CatalogueError, read_catalogue_text
from planning.models import DeliveryChannel, Intervention, InterventionKind
from planning.services import PlanningError, criteria_weights_validate, demand_build
from reports.data import country_report_data
from reports.pdf import country_report_pdf
from surveys.audit import Change, audit_record
from surveys.models import Role
from tests.factories import (
    PASSWORD,
    country,
    give_role,
    make_assessment,
    make_focal_point,
    make_user,
)
from tests.planning.helpers import load_test_catalogue
from tests.reports.support import pdf_text, scored_assessment, squeeze

FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr"}


class ScoredSenegalTestCase(TestCase):
    """Senegal and Kenya scored with the small framework and the test catalogue.

    fatou: focal point of Senegal. paul: planner (sees every country).
    Senegal's NET.1.b answer is 44.2 people per 100, a number with decimals.
    """

    @classmethod
    def setUpTestData(cls) -> None:
        load_test_catalogue()
        cls.senegal, cls.score_run = scored_assessment("SEN", **{"NET.1.b": 44.2})
        scored_assessment("KEN", seed=8)
        make_focal_point("SEN", "fatou")
        give_role(make_user("paul"), Role.PLANNER)

    def french_page(self, url: str, username: str = "fatou", **query: str) -> str:
        assert self.client.login(username=username, password=PASSWORD)
        response = self.client.get(url, query, **FRENCH)
        assert response.status_code == 200, response.status_code
        return response.content.decode()


class FrenchScorePageTests(ScoredSenegalTestCase):
    def scores_page(self) -> str:
        return self.french_page(reverse("scoring:assessment-scores", args=[self.senegal.pk]))

    def test_radar_labels_say_cible_not_target(self) -> None:
        page = self.scores_page()
        assert "(cible " in page
        assert "(target " not in page

    def test_numeric_answers_use_the_decimal_comma_like_the_scores(self) -> None:
        page = self.scores_page()
        assert "44,2 pour 100 habitants" in page
        assert "44.2 pour 100 habitants" not in page

    def test_indicator_summaries_put_a_space_before_the_colon(self) -> None:
        page = self.scores_page()
        assert "</strong> : " in page
        assert "</strong>: " not in page


class FrenchPlanningMessageTests(SimpleTestCase):
    def test_criteria_weight_errors_are_french(self) -> None:
        with translation.override("fr"), self.assertRaises(PlanningError) as caught:
            criteria_weights_validate({"bogus": 1.0})
        assert str(caught.exception) == "Critères inconnus : bogus."

    def test_catalogue_errors_name_the_place_in_french(self) -> None:
        text = "code,kind,channel,targets,cost,duration_months,title_en,price\n"
        with translation.override("fr"), self.assertRaises(CatalogueError) as caught:
            read_catalogue_text(text, csv_format=True)
        assert caught.exception.errors == ["en-tête, colonne 'price' : colonne inconnue"]
        assert str(caught.exception).startswith("1 problème dans le catalogue : en-tête")

    def test_catalogue_errors_stay_english_in_english(self) -> None:
        text = "code,kind,channel,targets,cost,duration_months,title_en,price\n"
        with translation.override("en"), self.assertRaises(CatalogueError) as caught:
            read_catalogue_text(text, csv_format=True)
        assert caught.exception.errors == ["header, column 'price': unknown column"]


class FrenchPlannerPageTests(ScoredSenegalTestCase):
    def test_a_portfolio_that_cannot_be_computed_shows_a_french_headline_and_reason(self) -> None:
        Intervention.objects.create(
            framework_code="test_framework",
            code="ODD",
            title={"en": "Odd"},
            kind=InterventionKind.OTHER,
            channel=DeliveryChannel.OTHER_PARTNER,
            targets={"NOPE.1": 5},
            cost=1000,
            duration_months=3,
        )
        page = self.french_page(reverse("planning:planner-country", args=["SEN"]), "paul")
        assert "Aucun portefeuille ne peut être calculé." in page
        assert "ne comporte pas : ODD → NOPE.1. Corrigez le catalogue." in page

    def test_demand_notes_are_french(self) -> None:
        Intervention.objects.update(active=False)
        with translation.override("fr"):
            demand = demand_build(framework_code="test_framework", budget_per_country=1e6)
        assert demand.notes == (
            "Le catalogue de test_framework ne contient aucune intervention active : "
            "aucune recommandation n'est possible.",
        )

    def test_the_country_plan_puts_a_space_before_the_colon(self) -> None:
        page = self.french_page(reverse("planning:planner-country", args=["SEN"]), "paul")
        assert "Score global : <strong>" in page
        assert "Écart pondéré : <strong>" in page


class FrenchDemandPageTests(ScoredSenegalTestCase):
    def test_groups_show_translated_region_and_income_group(self) -> None:
        page = self.french_page(
            reverse("planning:planner-demand"), "paul", framework="test_framework"
        )
        assert '<th scope="row">Afrique</th>' in page
        assert "<td>Revenu intermédiaire, tranche inférieure</td>" in page
        assert ">Africa<" not in page
        assert ">Lower-middle income<" not in page


class FrenchHistoryPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.assessment = make_assessment("SEN")
        cls.fatou = make_focal_point("SEN", "fatou")
        audit_record(
            assessment=cls.assessment,
            actor=cls.fatou,
            changes=[
                Change("answer", "GOV.1.a", "value", None, 2, "answer_create"),
                Change(
                    "assessment", str(cls.assessment.pk), "state", "draft", "submitted", "submit"
                ),
            ],
        )

    def setUp(self) -> None:
        self.client.force_login(self.fatou)

    def test_actions_objects_fields_and_states_are_french_labels(self) -> None:
        url = reverse("surveys:history", args=[self.assessment.pk])
        page = self.client.get(url, **FRENCH).content.decode()
        for label in ("Réponse donnée", "Soumise pour examen", "Évaluation", "Valeur", "État"):
            assert f"<td>{label}" in page, label
        assert "<td>Brouillon</td><td>Soumise</td>" in page
        for code in ("answer_create", "submit", "assessment", "state", "draft", "submitted"):
            assert f">{code}<" not in page, code

    def test_the_filters_offer_french_labels_for_the_codes(self) -> None:
        url = reverse("surveys:history", args=[self.assessment.pk])
        page = self.client.get(url, **FRENCH).content.decode()
        assert '<option value="answer_create">Réponse donnée</option>' in page
        assert '<option value="assessment">Évaluation</option>' in page

    def test_the_csv_export_keeps_the_raw_codes(self) -> None:
        url = reverse("surveys:history-csv", args=[self.assessment.pk])
        content = self.client.get(url, **FRENCH).content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(content)))
        assert [(row[2], row[3], row[5], row[6], row[7]) for row in rows[1:]] == [
            ("submit", "assessment", "state", "draft", "submitted"),
            ("answer_create", "answer", "value", "", "2"),
        ]


class FrenchReportDateTests(ScoredSenegalTestCase):
    def french_run_date(self) -> str:
        with translation.override("fr"):
            return formats.date_format(self.score_run.created_at.date(), "DATE_FORMAT")

    def test_the_dashboard_writes_the_run_date_the_french_way(self) -> None:
        page = self.french_page(reverse("reports:country-dashboard", args=["SEN"]))
        assert f"calcul de scores {self.score_run.pk} du {self.french_run_date()}" in page
        assert self.score_run.created_at.date().isoformat() not in page

    def test_the_french_pdf_writes_the_run_date_the_french_way_and_stays_deterministic(
        self,
    ) -> None:
        first = country_report_pdf(country_report_data(country=country("SEN"), language="fr"))
        second = country_report_pdf(country_report_data(country=country("SEN"), language="fr"))
        assert first == second
        text = squeeze(pdf_text(first))
        assert f"effectué le {self.french_run_date()}" in text
        assert self.score_run.created_at.date().isoformat() not in text

    def test_the_french_pdf_prints_numeric_answers_with_a_decimal_comma(self) -> None:
        pdf = country_report_pdf(country_report_data(country=country("SEN"), language="fr"))
        text = squeeze(pdf_text(pdf))
        assert "44,2 pour 100 habitants" in text
        assert "44.2 pour 100 habitants" not in text

    def test_the_dashboard_heading_of_indicator_gaps_is_one_french_phrase(self) -> None:
        page = self.french_page(reverse("reports:country-dashboard", args=["SEN"]))
        assert "Écarts à la cible par indicateur" in page


class FrenchInterventionLabelTests(ScoredSenegalTestCase):
    def test_every_kind_and_channel_has_a_french_label(self) -> None:
        for value, label in [*InterventionKind.choices, *DeliveryChannel.choices]:
            with translation.override("en"):
                english = str(label)
            with translation.override("fr"):
                french = str(label)
            with self.subTest(value):
                assert french != english

    def test_the_french_report_names_kinds_in_french(self) -> None:
        report = country_report_data(country=country("SEN"), language="fr")
        kinds = {line.kind for line in report.portfolio}
        assert kinds == {
            "Appui politique et réglementaire",
            "Programme d'infrastructure",
            "Formation",
        }

    def test_the_french_plan_names_kinds_and_channels_in_french(self) -> None:
        page = self.french_page(reverse("planning:planner-country", args=["SEN"]), "paul")
        for label in ("Formation", "Institut ou académie de formation", "Autre partenaire"):
            assert f"<td>{label}</td>" in page, label
        assert "Training course" not in page


class DocstringExampleTests(SimpleTestCase):
    def test_the_localised_number_and_date_examples_hold(self) -> None:
        for name in ("charts.texts", "reports.data"):
            with self.subTest(name):
                result = doctest.testmod(importlib.import_module(name))
                assert result.attempted > 0
                assert result.failed == 0

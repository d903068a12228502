"""The regional report's "Matching demand to providers" section, read back from the PDF.

Offers and scores of tests/planning/offer_helpers.py: the plan (worked out by hand in
tests/planning/test_matching_plan.py) places 130 of 170 participants for 2,000 USD; SKL.1 in
French (Senegal, Africa, 40 participants) has no offer; P-AFR is full (60 of 60 seats) and
P-EUR uses 70 of its 100.
"""

from __future__ import annotations

from django.test import TestCase

from planning.models import Offer
from reports.data import regional_report_data
from reports.pdf import regional_report_pdf
from surveys.models import Country
from tests.planning.offer_helpers import load_offers, make_round
from tests.reports.support import pdf_text, squeeze


def report_text(language: str, **options: object) -> str:
    report = regional_report_data(
        countries=options.pop("countries", Country.objects.all()),  # type: ignore[arg-type]
        language=language,
        round=2026,
        framework_code="test_framework",
        **options,  # type: ignore[arg-type]
    )
    return squeeze(pdf_text(regional_report_pdf(report)))


class MatchingSectionTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_offers()
        make_round()

    def test_the_section_carries_the_plan_unmet_demand_new_centres_and_utilisation(self):
        text = report_text("en")
        assert "Matching demand to providers" in text
        assert (
            "Countries: 2. Participants wanted: 170; placed: 130, for USD 2,000; unmet: 40." in text
        )
        assert "Unmet demand by topic and language" in text
        assert "SKL.1" in text and "No compatible offer" in text
        assert "Where new centres or partners are needed" in text
        assert "Providers' utilisation" in text
        assert "[Sample] Dakar institute (invented)" in text and "100 %" in text
        assert "70 %" in text

    def test_the_section_speaks_french(self):
        text = report_text("fr")
        assert "Rapprocher la demande des prestataires" in text
        assert "Aucune offre compatible" in text

    def test_a_reader_sees_the_plan_of_the_countries_they_may_see(self):
        # Kenya alone: 50 participants on O-GOV-EN, nothing unmet.
        text = report_text("en", countries=Country.objects.filter(alpha3="KEN"))
        assert "Countries: 1. Participants wanted: 50; placed: 50," in text
        assert "SKL.1" not in text

    def test_without_a_catalogue_the_section_says_why(self):
        Offer.objects.update(active=False)
        text = report_text("en")
        assert "The offer catalogue has no active offer" in text

"""The offer catalogue file: every problem placed, nothing written on error, loading twice."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from planning.models import DemandRule, Offer, Provider
from planning.offers import OfferCatalogueError, offers_load, read_offers_text
from tests.factories import make_framework
from tests.planning.offer_helpers import OFFERS_YAML, load_offers

ROOT = Path(__file__).resolve().parents[2]

CSV_TEXT = "\n".join(
    [
        "framework,provider,provider_name,provider_kind,provider_country,provider_languages,"
        "code,title_en,title_fr,topics,mode,languages,seats,cost,duration_days,level",
        "test_framework,P-CSV,Invented CSV provider,university,KEN,en;sw,"
        "C-1,Networks,Réseaux,NET;SKL.1,in_person,en,30,400,10,advanced",
        "test_framework,P-CSV,Invented CSV provider,university,KEN,en;sw,"
        "C-2,Skills,,SKL,online,en;sw,200,50,4,introductory",
        "",
    ]
)


class OfferLoadTests(TestCase):
    def load(self, text: str, *, csv_format: bool = False):
        make_framework()
        return offers_load(catalogue=read_offers_text(text, csv_format=csv_format))

    def test_the_yaml_file_is_stored_and_loading_it_again_changes_nothing(self) -> None:
        first = self.load(OFFERS_YAML)
        assert (first.providers, first.offers, first.rules, first.created) == (2, 2, 1, 5)
        second = self.load(OFFERS_YAML)
        assert (second.created, second.updated) == (0, 5)
        assert Provider.objects.count() == 2 and Offer.objects.count() == 2
        offer = Offer.objects.get(code="O-GOV-FR")
        assert (offer.provider.code, offer.seats, offer.topics) == ("P-AFR", 60, ["GOV"])
        assert Provider.objects.get(code="P-AFR").region == "Africa"  # from Senegal
        assert Provider.objects.get(code="P-AFR").sample is True
        assert DemandRule.objects.get(country__alpha3="SEN").languages == {"fr": 1.0}

    def test_a_csv_file_lists_one_offer_per_row_with_its_provider(self) -> None:
        result = self.load(CSV_TEXT, csv_format=True)
        assert (result.providers, result.offers) == (1, 2)
        assert Offer.objects.get(code="C-1").title == {"en": "Networks", "fr": "Réseaux"}
        assert Offer.objects.get(code="C-2").languages == ["en", "sw"]

    def test_every_problem_is_placed_and_nothing_is_written(self) -> None:
        bad = (
            OFFERS_YAML.replace("topics: [GOV]", "topics: [GOV, XYZ.9]")
            .replace("languages: [en, fr]\n    seats: 100", "languages: [en, xx]\n    seats: -5")
            .replace("cost: 10", "cost: -1")
            .replace("code: O-GOV-EN", "code: O-GOV-FR")
        )
        with pytest.raises(OfferCatalogueError) as caught:
            self.load(bad)
        problems = caught.value.errors
        assert any("offers[0] (O-GOV-FR), topics" in p and "'XYZ.9'" in p for p in problems)
        assert any("offers[0] (O-GOV-FR), cost" in p for p in problems)
        assert any("offers[1] (O-GOV-FR), code" in p and "duplicate" in p for p in problems)
        assert any("offers[1] (O-GOV-FR), languages" in p and "'xx'" in p for p in problems)
        assert any("offers[1] (O-GOV-FR), seats" in p for p in problems)
        assert Provider.objects.count() == Offer.objects.count() == DemandRule.objects.count() == 0

    def test_csv_problems_name_the_row_and_column(self) -> None:
        bad = CSV_TEXT.replace(",30,400,", ",thirty,400,").replace("KEN,en;sw,C-2", "FRA,en;sw,C-2")
        with pytest.raises(OfferCatalogueError) as caught:
            self.load(bad, csv_format=True)
        problems = caught.value.errors
        assert "row 3, provider P-CSV: details differ from row 2" in problems
        assert any(p.startswith("row 2 (C-1), column seats") for p in problems)
        assert Offer.objects.count() == 0

    def test_an_offer_of_an_unknown_provider_and_an_empty_file_are_refused(self) -> None:
        with pytest.raises(OfferCatalogueError, match="unknown provider 'NOPE'"):
            self.load(OFFERS_YAML.replace("provider: P-EUR", "provider: NOPE"))
        with pytest.raises(OfferCatalogueError, match="empty"):
            self.load("format: offer-catalogue/1\nframework: test_framework\n")
        assert Offer.objects.count() == 0

    def test_the_command_reports_problems_and_exits_with_an_error(self) -> None:
        make_framework()
        path = Path(self.id().replace(".", "-") + ".yaml")
        tmp = ROOT / "var" / "test" / path
        tmp.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(OFFERS_YAML.replace("seats: 60", "seats: -60"), encoding="utf-8")
        errors = StringIO()
        try:
            with pytest.raises(CommandError, match="nothing was written"):
                call_command("load_offers", str(tmp), stderr=errors, stdout=StringIO())
        finally:
            tmp.unlink()
        assert "offers[0] (O-GOV-FR), seats" in errors.getvalue()
        assert Offer.objects.count() == 0


class SampleCatalogueTests(TestCase):
    def test_the_sample_catalogue_loads_against_the_demo_framework_and_is_labelled(self) -> None:
        from surveys.frameworks.loader import load_framework_file
        from surveys.frameworks.persistence import framework_load

        framework_load(load_framework_file(ROOT / "frameworks" / "dcna-2026.yaml"), publish=True)
        out = StringIO()
        call_command("load_offers", str(ROOT / "frameworks" / "sample-offers.yaml"), stdout=out)
        assert "created" in out.getvalue()
        assert Provider.objects.exists()
        assert all(p.sample and "invented" in p.name for p in Provider.objects.all())


class AdminValidationTests(TestCase):
    def test_an_offer_edited_with_an_unknown_topic_is_refused(self) -> None:
        from django.core.exceptions import ValidationError

        load_offers()
        offer = Offer.objects.get(code="O-GOV-FR")
        offer.topics = ["NOPE"]
        with pytest.raises(ValidationError, match="'NOPE'"):
            offer.full_clean()

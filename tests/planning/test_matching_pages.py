"""Matching pages: what a planner sees and downloads, bad input, and who is refused."""

from __future__ import annotations

import csv
import io

from django.test import TestCase
from django.urls import reverse

from planning.models import Offer, Provider
from surveys.models import Role
from tests.factories import PASSWORD, give_role, make_focal_point, make_user
from tests.planning.offer_helpers import load_offers, make_round


class MatchingPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_offers()
        make_round()
        cls.planner = make_user("planner")
        give_role(cls.planner, Role.PLANNER)
        cls.stranger = make_focal_point("KEN", "stranger")

    def setUp(self) -> None:
        self.client.login(username="planner", password=PASSWORD)

    def test_the_plan_page_shows_placements_utilisation_and_what_binds(self) -> None:
        html = self.client.get(reverse("planning:matching-plan")).content.decode()
        assert "O-GOV-FR" in html and "[Sample] Dakar institute (invented)" in html
        assert "Seats are full on O-GOV-FR." in html
        assert "2000" in html  # total cost worked out in test_matching_plan

    def test_the_gaps_page_lists_demand_with_no_provider(self) -> None:
        html = self.client.get(reverse("planning:matching-gaps")).content.decode()
        assert "SKL.1" in html and "No compatible offer" in html
        response = self.client.get(reverse("planning:matching-gaps"), {"format": "csv"})
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows == [
            ["itu_region", "topic", "language", "participants", "reason"],
            ["Africa", "SKL.1", "fr", "40.0", "no_offer"],
        ]

    def test_the_placements_and_providers_download_as_csv(self) -> None:
        url = reverse("planning:matching-plan")
        response = self.client.get(url, {"format": "csv", "table": "providers"})
        rows = {
            row["provider"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))
        }
        assert rows["P-AFR"]["utilisation"] == "1.0"
        assert rows["P-EUR"]["used"] == "70.0"
        response = self.client.get(url, {"format": "csv", "table": "placements"})
        placed = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert sum(float(row["cost_usd"]) for row in placed) == 2000.0

    def test_the_provider_page_lists_its_offers_and_the_demand_they_meet(self) -> None:
        html = self.client.get(reverse("planning:provider-detail", args=["P-EUR"])).content
        html = html.decode()
        assert "Strategy course" in html and "Kenya" in html
        assert "not a real institution" in html
        missing = self.client.get(reverse("planning:provider-detail", args=["NOPE"]))
        assert missing.status_code == 404

    def test_the_pages_speak_french(self) -> None:
        response = self.client.get(
            reverse("planning:matching-gaps"), headers={"accept-language": "fr"}
        )
        html = response.content.decode()
        assert "Où de nouveaux centres ou partenaires sont nécessaires" in html
        assert "Aucune offre compatible" in html
        assert "Afrique" in html

    def test_bad_input_gets_a_message_not_an_error(self) -> None:
        url = reverse("planning:matching-plan")
        html = self.client.get(url, {"budget": "0"}).content.decode()
        assert "more than zero" in html
        response = self.client.get(url, {"language": "xx", "budget": "-5"})
        assert response.status_code == 200
        assert "Unknown language code." in response.content.decode()
        Offer.objects.update(active=False)
        assert "no active offer" in self.client.get(url).content.decode()

    def test_user_text_is_escaped(self) -> None:
        Provider.objects.filter(code="P-EUR").update(name="<script>alert(1)</script>")
        html = self.client.get(reverse("planning:matching-plan")).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;" in html

    def test_a_focal_point_is_refused(self) -> None:
        self.client.login(username="stranger", password=PASSWORD)
        for name, args in (
            ("planning:matching-plan", []),
            ("planning:matching-gaps", []),
            ("planning:provider-detail", ["P-AFR"]),
        ):
            assert self.client.get(reverse(name, args=args)).status_code == 403

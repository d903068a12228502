"""Matching pages: what a planner sees and downloads, bad input, and who is refused."""

from __future__ import annotations

import csv
import io

import openpyxl
from django.test import TestCase
from django.urls import reverse

from planning.models import Offer, Provider
from surveys.models import Role
from tests.factories import PASSWORD, give_role, make_focal_point, make_user
from tests.planning.helpers import load_test_catalogue
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
        assert "USD 2,000" in html  # total cost worked out in test_matching_plan

    def test_the_gaps_page_lists_demand_with_no_provider(self) -> None:
        html = self.client.get(reverse("planning:matching-gaps")).content.decode()
        assert "SKL.1" in html and "No compatible offer" in html
        response = self.client.get(reverse("planning:matching-gaps"), {"format": "csv"})
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows == [
            ["itu_region", "topic", "language", "year", "participants", "reason"],
            ["Africa", "SKL.1", "fr", "1", "40.0", "no_offer"],
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
        # No uncertainty intervals in these scores: every placement holds in every sample.
        assert {row["holds_share"] for row in placed} == {"1.0"}

    def test_demand_from_the_chosen_portfolio_is_chosen_on_the_page(self) -> None:
        load_test_catalogue()
        url = reverse("planning:matching-plan")
        html = self.client.get(url, {"source": "portfolio"}).content.decode()
        assert "portfolio budget per country" in html  # the message, nothing placed
        html = self.client.get(
            url, {"source": "portfolio", "portfolio_budget": "100000"}
        ).content.decode()
        assert "Each country&#x27;s chosen portfolio" in html
        assert "900" in html  # cost worked out in test_matching_plan (STRAT in both countries)

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


class MatchingDownloadTests(TestCase):
    """XLSX downloads and the REST API give the CSV's rows; formula-like names are defused."""

    @classmethod
    def setUpTestData(cls) -> None:
        load_offers()
        make_round()
        Provider.objects.filter(code="P-EUR").update(name='=HYPERLINK("http://evil")')
        cls.planner = make_user("planner")
        give_role(cls.planner, Role.PLANNER)
        cls.stranger = make_focal_point("KEN", "stranger")

    def setUp(self) -> None:
        self.client.login(username="planner", password=PASSWORD)

    def test_the_providers_table_downloads_as_xlsx_with_names_defused(self) -> None:
        response = self.client.get(
            reverse("planning:matching-plan"), {"format": "xlsx", "table": "providers"}
        )
        assert response["Content-Type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml"
        )
        sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert rows[0] == [
            "provider",
            "name",
            "itu_region",
            "sample",
            "seats",
            "used",
            "utilisation",
        ]
        by_code = {row[0]: row for row in rows[1:]}
        assert by_code["P-EUR"][1] == '\'=HYPERLINK("http://evil")'
        assert (by_code["P-AFR"][4], by_code["P-AFR"][6]) == (60, 1)

    def test_the_unmet_demand_downloads_as_xlsx(self) -> None:
        response = self.client.get(reverse("planning:matching-gaps"), {"format": "xlsx"})
        sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        assert list(sheet.iter_rows(values_only=True))[1] == (
            "Africa",
            "SKL.1",
            "fr",
            1,
            40,
            "no_offer",
        )

    def test_the_api_gives_the_plan_its_unmet_demand_and_a_providers_demand(self) -> None:
        answer = self.client.get(reverse("api-matching-plan")).json()
        assert (answer["round"], answer["cost_usd"], answer["unmet"]) == (2026, 2000.0, 40.0)
        assert answer["unmet_demand"] == [
            {
                "itu_region": "Africa",
                "topic": "SKL.1",
                "language": "fr",
                "year": 1,
                "participants": 40.0,
                "reason": "no_offer",
            }
        ]
        assert {p["provider"]: p["utilisation"] for p in answer["providers"]} == {
            "P-AFR": 1.0,
            "P-EUR": 0.7,
        }
        provider = self.client.get(reverse("api-matching-provider", args=["P-EUR"])).json()
        assert {row["country"] for row in provider["placements"]} == {"KEN", "SEN"}
        assert sum(row["participants"] for row in provider["placements"]) == 70.0

    def test_the_api_answers_bad_input_with_400_and_strangers_with_403(self) -> None:
        response = self.client.get(reverse("api-matching-plan"), {"budget": "0"})
        assert response.status_code == 400
        assert "more than zero" in response.json()["detail"]
        response = self.client.get(reverse("api-matching-plan"), {"language": "zz"})
        assert response.status_code == 400 and "language" in response.json()
        response = self.client.get(reverse("api-matching-provider", args=["NOPE"]))
        assert response.status_code == 404
        self.client.force_login(self.stranger)
        assert self.client.get(reverse("api-matching-plan")).status_code == 403

    def test_the_schema_describes_the_matching_api(self) -> None:
        schema = self.client.get(reverse("api-schema"), {"format": "json"}).json()
        assert "/api/matching/" in schema["paths"]
        assert "/api/matching/providers/{code}/" in schema["paths"]

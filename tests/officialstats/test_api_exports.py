"""The API and the exports carry the official values beside the answers, with source and flags."""

from __future__ import annotations

import csv
import io

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from exchange.exports import ExportSelection, export_stream, export_table
from surveys.models import Answer, Assessment, Country
from tests.factories import make_assessment, make_focal_point
from tests.officialstats.helpers import make_linked_framework, make_source
from tests.scoring.helpers import FULL_ANSWERS, add_answers


def export_rows(layout: str) -> list[dict[str, str]]:
    table = export_table(
        dataset="answers",
        layout=layout,
        assessments=Assessment.objects.all(),
        countries=Country.objects.all(),
        selection=ExportSelection(),
    )
    chunks, _type, _name = export_stream(table, file_format="csv")
    return list(csv.DictReader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))


class OfficialValuesInApiAndExportsTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        make_source()
        framework = make_linked_framework()
        cls.senegal = make_assessment("SEN", framework=framework)
        add_answers(cls.senegal, FULL_ANSWERS | {"NET.1.a": 80})
        cls.kenya = make_assessment("KEN", framework=framework)
        add_answers(cls.kenya, {"NET.1.a": 41})
        # alice is Senegal's focal point: she must not see Kenya's answers or their values.
        cls.alice = make_focal_point("SEN", "alice")

    def api(self) -> APIClient:
        client = APIClient()
        client.force_authenticate(self.alice)
        return client

    def test_an_answer_in_the_api_carries_the_official_value_source_and_flags(self) -> None:
        answers = self.api().get("/api/answers/", {"page_size": 100}).json()["results"]
        linked = next(a for a in answers if a["question_code"] == "NET.1.a")
        official = linked["official"]
        assert official["value"] == 60.6 and official["year"] == 2022
        assert official["estimate"] is True and official["lagged"] is False
        assert official["differs"] is True  # 80 against 60.6
        assert official["source"]["name"] == "Demo statistics"
        assert official["source"]["attribution"].startswith("Demo statistics office")
        other = next(a for a in answers if a["question_code"] == "GOV.1.a")
        assert other["official"] is None
        assert {a["assessment"] for a in answers} == {self.senegal.pk}

    def test_one_answer_read_alone_carries_it_too(self) -> None:
        answer = Answer.objects.get(assessment=self.senegal, question_code="NET.1.a")
        body = self.api().get(f"/api/answers/{answer.pk}/").json()
        assert body["official"]["value"] == 60.6

    def test_a_page_reads_official_values_in_one_query(self) -> None:
        with CaptureQueriesContext(connection) as captured:
            self.api().get("/api/answers/", {"page_size": 100})
        statistics = [q for q in captured.captured_queries if "officialstats_" in q["sql"]]
        assert len(statistics) == 1

    def test_the_long_export_puts_the_official_value_beside_the_answer(self) -> None:
        rows = export_rows("long")
        kenya = next(r for r in rows if r["country"] == "KEN" and r["question_code"] == "NET.1.a")
        assert kenya["value"] == "41" and kenya["official_value"] == "40.8"
        assert kenya["official_year"] == "2021" and kenya["official_flags"] == "lagged"
        assert kenya["official_source"].startswith("Demo statistics (Demo statistics office)")
        senegal = next(r for r in rows if r["country"] == "SEN" and r["question_code"] == "GOV.1.a")
        assert senegal["official_value"] == ""

    def test_the_wide_export_has_an_official_column_for_each_linked_question(self) -> None:
        rows = {row["country"]: row for row in export_rows("wide")}
        assert rows["SEN"]["NET.1.a"] == "80" and rows["SEN"]["NET.1.a (official)"] == "60.6"
        assert rows["KEN"]["NET.1.a (official)"] == "40.8"

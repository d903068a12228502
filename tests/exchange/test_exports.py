"""Streamed exports: layouts, formats, filters, visibility and formula neutralisation."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from typing import Any

from django.test import TestCase
from openpyxl import load_workbook

from exchange.exports import (
    ExportSelection,
    export_stream,
    export_table,
    neutralise,
)
from scoring.services import score_run_create
from surveys import permissions
from surveys.models import Answer, Assessment, Country, Framework
from tests.factories import make_assessment, make_focal_point, make_user
from tests.scoring.helpers import FULL_ANSWERS, add_answers


def export(dataset: str, layout: str = "long", file_format: str = "csv", **options: Any) -> bytes:
    user = options.pop("user", None)
    bom = options.pop("bom", False)
    selection = ExportSelection(**options)
    assessments = (
        Assessment.objects.all() if user is None else permissions.visible_assessments(user)
    )
    countries = Country.objects.all() if user is None else permissions.visible_countries(user)
    table = export_table(
        dataset=dataset,
        layout=layout,
        assessments=assessments,
        countries=countries,
        selection=selection,
    )
    chunks, _content_type, _name = export_stream(table, file_format=file_format, bom=bom)
    return b"".join(chunks)


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


class ExportTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.senegal = make_assessment("SEN")
        add_answers(cls.senegal, FULL_ANSWERS)
        Answer.objects.filter(assessment=cls.senegal, question_code="GOV.1.b").update(
            justification='=HYPERLINK("http://evil.example")'
        )
        cls.kenya = make_assessment("KEN", round=2025)
        add_answers(cls.kenya, {"GOV.1.a": 1, "NET.1.a": 20})
        score_run_create(assessment=cls.senegal, trigger="on_demand", seed=7)


class AnswersExportTests(ExportTestCase):
    def test_the_long_layout_has_one_row_per_answer_with_its_context(self) -> None:
        rows = csv_rows(export("answers"))
        assert len(rows) == len(FULL_ANSWERS) + 2
        strategy = next(
            r for r in rows if r["country"] == "SEN" and r["question_code"] == "GOV.1.a"
        )
        assert strategy | {"updated_at": ""} == {
            "country": "SEN",
            "country_name": "Senegal",
            "region": "Africa",
            "round": "2026",
            "framework": "test_framework",
            "framework_version": "1.0",
            "assessment_id": str(self.senegal.pk),
            "state": "draft",
            "pillar": "GOV",
            "question_code": "GOV.1.a",
            "status": "answered",
            "value": "3",
            "justification": "",
            "updated_at": "",
            "official_value": "",
            "official_year": "",
            "official_flags": "",
            "official_source": "",
        }
        choices = next(r for r in rows if r["question_code"] == "NET.2.b")
        assert choices["value"] == "fibre|satellite"

    def test_the_wide_layout_has_one_row_per_assessment_and_names_special_answers(self) -> None:
        rows = csv_rows(export("answers", "wide"))
        assert [row["country"] for row in rows] == ["KEN", "SEN"]
        senegal = rows[1]
        assert senegal["GOV.1.a"] == "3" and senegal["SKL.1.b"] == "dont_know"
        assert senegal["GOV.2.a"] == ""
        framework = Framework.objects.get()
        assert list(rows[0])[8:] == [q.code for q in framework.spec.questions]

    def test_round_country_and_region_filters_narrow_the_rows(self) -> None:
        assert {r["country"] for r in csv_rows(export("answers", round=2025))} == {"KEN"}
        assert {r["country"] for r in csv_rows(export("answers", countries=("sen",)))} == {"SEN"}
        assert csv_rows(export("answers", region="Europe")) == []
        assert {r["country"] for r in csv_rows(export("answers", region="Africa"))} == {
            "SEN",
            "KEN",
        }

    def test_users_only_export_what_they_may_see(self) -> None:
        kenyan = make_focal_point("KEN")
        assert {r["country"] for r in csv_rows(export("answers", user=kenyan))} == {"KEN"}
        assert csv_rows(export("answers", user=make_user())) == []


class FormatTests(ExportTestCase):
    def test_csv_is_utf8_with_an_optional_byte_order_mark(self) -> None:
        assert not export("answers").startswith(b"\xef\xbb\xbf")
        assert export("answers", bom=True).startswith(b"\xef\xbb\xbfcountry,")

    def test_formula_cells_are_neutralised_in_csv_and_xlsx_but_not_json(self) -> None:
        dangerous = '=HYPERLINK("http://evil.example")'
        row = next(r for r in csv_rows(export("answers")) if r["question_code"] == "GOV.1.b")
        assert row["justification"] == "'" + dangerous
        sheet = load_workbook(io.BytesIO(export("answers", file_format="xlsx")), read_only=True)
        cells = [c for row in sheet.worksheets[0].iter_rows(values_only=True) for c in row]
        assert "'" + dangerous in cells and dangerous not in cells
        records = json.loads(export("answers", file_format="json"))
        assert (
            next(r for r in records if r["question_code"] == "GOV.1.b")["justification"]
            == dangerous
        )

    def test_every_formula_prefix_is_neutralised_and_numbers_are_left_alone(self) -> None:
        for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
            assert neutralise(text) == "'" + text
        assert neutralise(-1.5) == -1.5 and neutralise("Dakar") == "Dakar"

    def test_xlsx_holds_the_same_rows_as_csv(self) -> None:
        sheet = load_workbook(io.BytesIO(export("answers", file_format="xlsx")), read_only=True)
        rows = list(sheet.worksheets[0].iter_rows(values_only=True))
        assert len(rows) == len(csv_rows(export("answers"))) + 1
        assert rows[0][:3] == ("country", "country_name", "region")

    def test_json_keeps_types_lists_and_nulls(self) -> None:
        records = json.loads(export("answers", file_format="json"))
        choices = next(r for r in records if r["question_code"] == "NET.2.b")
        assert choices["value"] == ["fibre", "satellite"] and choices["round"] == 2026
        wide = json.loads(export("answers", "wide", file_format="json"))
        assert wide[1]["GOV.2.a"] is None and wide[1]["GOV.1.a"] == 3


class ScoreExportTests(ExportTestCase):
    def test_scores_long_carry_intervals_from_the_latest_run(self) -> None:
        rows = csv_rows(export("scores"))
        assert {row["country"] for row in rows} == {"SEN"}
        overall = next(row for row in rows if row["level"] == "overall")
        assert (
            float(overall["interval_low"])
            <= float(overall["score"])
            <= float(overall["interval_high"])
        )

    def test_scores_wide_have_one_column_per_node(self) -> None:
        rows = csv_rows(export("scores", "wide"))
        senegal = next(row for row in rows if row["country"] == "SEN")
        assert {"overall", "GOV", "NET", "GOV.1", "NET.2"} <= set(senegal)
        kenya = next(row for row in rows if row["country"] == "KEN")
        assert kenya["overall"] == ""  # never scored

    def test_gaps_list_indicators_below_target_only(self) -> None:
        rows = csv_rows(export("gaps"))
        assert rows and {row["level"] for row in rows} == {"indicator"}
        assert all(float(row["gap"]) > 0 for row in rows)
        wide = csv_rows(export("gaps", "wide"))
        senegal = next(row for row in wide if row["country"] == "SEN")
        assert float(senegal["GOV.2"]) == 100.0

    def test_priorities_rank_each_countrys_gaps(self) -> None:
        rows = csv_rows(export("priorities"))
        assert [int(row["rank"]) for row in rows] == list(range(1, len(rows) + 1))
        assert {row["country"] for row in rows} == {"SEN"}
        wide = csv_rows(export("priorities", "wide"))
        assert len(wide) == 1 and wide[0]["country"] == "SEN"


class StreamingTests(TestCase):
    def peak_memory(self, assessments: Any) -> tuple[int, int, int]:
        """(peak bytes while exporting, bytes written, chunks) of a CSV export."""
        table = export_table(dataset="answers", layout="long", assessments=assessments)
        tracemalloc.start()
        sizes = [len(chunk) for chunk in export_stream(table, file_format="csv")[0]]
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return peak, sum(sizes), len(sizes)

    def test_export_memory_stays_flat_as_rows_grow_sixfold(self) -> None:
        framework = make_assessment("SEN").framework
        countries = list(Country.objects.exclude(alpha3="SEN")[:150])
        assessments = Assessment.objects.bulk_create(
            Assessment(country=c, framework=framework, round=year)
            for c in countries
            for year in range(2000, 2030)
        )
        codes = [q.code for q in framework.spec.questions if q.type.value == "percentage"]
        Answer.objects.bulk_create(
            (Answer(assessment=a, question_code=c, value=50) for a in assessments for c in codes),
            batch_size=2000,
        )
        small_peak, small_bytes, _ = self.peak_memory(Assessment.objects.filter(round__lt=2005))
        large_peak, large_bytes, chunks = self.peak_memory(Assessment.objects.all())
        assert large_bytes > 5 * small_bytes
        assert chunks > 5  # streamed in chunks, not one block
        assert large_peak < 2 * small_peak, (small_peak, large_peak)

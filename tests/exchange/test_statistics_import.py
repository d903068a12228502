"""Importing national indicator statistics (scoring's IndicatorStatistic) from CSV and XLSX."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.test import TestCase

from exchange.imports import ImportResult, statistic_questions, statistics_import
from scoring.models import IndicatorStatistic
from tests.exchange.helpers import csv_bytes, xlsx_bytes
from tests.factories import country, make_framework

HEADER = ["country", "code", "year", "value", "source"]


class StatisticsImportTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.framework = make_framework()

    def run_import(self, data: bytes, name: str = "stats.csv", **options: Any) -> ImportResult:
        options.setdefault("dry_run", False)
        return statistics_import(
            framework=self.framework, source=io.BytesIO(data), name=name, size=len(data), **options
        )

    def stored(self) -> set[tuple[str, str, int, float, str]]:
        return {
            (stat.country.alpha3, stat.code, stat.year, stat.value, stat.source)
            for stat in IndicatorStatistic.objects.select_related("country")
        }

    def reasons(self, result: ImportResult) -> list[tuple[int, str, str]]:
        return [(error.row, error.column, error.reason) for error in result.errors]

    def test_statistic_codes_are_numeric_questions_and_single_question_indicators(self) -> None:
        # NET.1 has two scored numeric questions, so only their own codes are accepted.
        assert sorted(statistic_questions(self.framework.spec)) == ["NET.1.a", "NET.1.b", "SKL.1.b"]

    def test_a_valid_file_creates_rows_for_the_framework(self) -> None:
        data = csv_bytes(
            [
                HEADER,
                ["SEN", "NET.1.a", "2024", "58.1", "ITU"],
                ["ken", "NET.1.b", "2023", "1.2", "ITU"],
            ]
        )
        result = self.run_import(data)
        assert result.ok and result.applied and result.created == 2
        assert self.stored() == {
            ("SEN", "NET.1.a", 2024, 58.1, "ITU"),
            ("KEN", "NET.1.b", 2023, 1.2, "ITU"),
        }
        assert set(IndicatorStatistic.objects.values_list("framework_code", flat=True)) == {
            "test_framework"
        }

    def test_importing_twice_changes_nothing_and_a_new_value_updates_the_row(self) -> None:
        data = csv_bytes([HEADER, ["SEN", "NET.1.a", "2024", "58.1", "ITU"]])
        self.run_import(data)
        again = self.run_import(data)
        assert again.ok and not again.applied and again.unchanged == 1
        changed = self.run_import(csv_bytes([HEADER, ["SEN", "NET.1.a", "2024", "60", "ITU 2025"]]))
        assert [(c.action, c.before["value"], c.after["value"]) for c in changed.changes] == [
            ("update", 58.1, 60.0)
        ]
        assert self.stored() == {("SEN", "NET.1.a", 2024, 60.0, "ITU 2025")}

    def test_a_dry_run_writes_nothing(self) -> None:
        result = self.run_import(
            csv_bytes([HEADER, ["SEN", "NET.1.a", "2024", "58", "ITU"]]), dry_run=True
        )
        assert result.ok and result.created == 1 and not result.applied
        assert not IndicatorStatistic.objects.exists()

    def test_every_bad_row_is_reported_and_nothing_is_written(self) -> None:
        data = csv_bytes(
            [
                HEADER,
                ["SEN", "NET.1.a", "2024", "58", "ITU"],
                ["XXX", "NET.1.a", "2024", "58", "ITU"],
                ["SEN", "GOV.1.a", "2024", "3", "ITU"],
                ["SEN", "NET.1.a", "24", "58", "ITU"],
                ["SEN", "NET.1.a", "2023", "140", "ITU"],
                ["SEN", "NET.1.b", "2023", "abc", "ITU"],
                ["SEN", "NET.1.a", "2024", "59", "ITU"],
                ["SEN", "NET.1.b", "2022", "5", ""],
            ]
        )
        result = self.run_import(data)
        assert self.reasons(result) == [
            (3, "country", "Unknown country code “XXX”: use ISO 3166 alpha-3, such as SEN."),
            (4, "code", "“GOV.1.a” is not a number or percentage question of test_framework 1.0."),
            (5, "year", "Enter a year such as 2024."),
            (6, "value", "Enter a number of at most 100."),
            (7, "value", "Enter a number, using digits and a decimal point."),
            (8, "", "SEN NET.1.a 2024 is already given in row 2."),
            (9, "source", "Say where the value comes from."),
        ]
        assert not IndicatorStatistic.objects.exists()

    def test_semicolons_and_decimal_commas_are_understood(self) -> None:
        data = csv_bytes(
            [HEADER, ["SEN", "NET.1.b", "2024", "12,75", "ITU"]], delimiter=";", bom=True
        )
        assert self.run_import(data).ok
        assert self.stored() == {("SEN", "NET.1.b", 2024, 12.75, "ITU")}

    def test_a_year_typed_into_a_date_formatted_excel_cell_is_read_as_that_year(self) -> None:
        # Excel shows 2024 in a date-formatted cell as 1905-07-16 (day 2024 after 1899-12-30).
        data = xlsx_bytes(
            [
                HEADER,
                ["SEN", "NET.1.a", 2024, 58.5, "ITU"],
                ["KEN", "NET.1.a", datetime.datetime(2023, 12, 31), 40, "ITU"],
            ],
            date_format={2: "yyyy-mm-dd"},
        )
        result = self.run_import(data, name="stats.xlsx")
        assert result.ok, result.errors
        assert self.stored() == {
            ("SEN", "NET.1.a", 2024, 58.5, "ITU"),
            ("KEN", "NET.1.a", 2023, 40.0, "ITU"),
        }

    def test_countries_outside_the_importers_remit_are_refused(self) -> None:
        data = csv_bytes([HEADER, ["KEN", "NET.1.a", "2024", "58", "ITU"]])
        result = self.run_import(data, allowed_country_ids={country("SEN").pk})
        assert self.reasons(result) == [(2, "country", "You may not import statistics for KEN.")]

    def test_a_default_source_fills_a_missing_source_column(self) -> None:
        data = csv_bytes([["country", "code", "year", "value"], ["SEN", "NET.1.a", "2024", "58"]])
        assert not self.run_import(data).ok
        assert self.run_import(data, default_source="World Bank WDI").ok
        assert self.stored() == {("SEN", "NET.1.a", 2024, 58.0, "World Bank WDI")}

    def test_unfilled_template_rows_are_skipped(self) -> None:
        data = csv_bytes(
            [HEADER, ["", "NET.1.a", "", "", ""], ["SEN", "NET.1.b", "2024", "3", "ITU"]]
        )
        result = self.run_import(data)
        assert result.ok and result.created == 1

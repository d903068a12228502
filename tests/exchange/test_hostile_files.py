"""Hostile uploads are refused before they are parsed, with a 400 naming the limit (issue 16, 1).

The attack this answers: a 1.4 MB XLSX whose shared strings unpack to 420 MB took 43 s and
900 MB on the answers import; a sheet of three million rows cost 57 s of CPU; 100,000-deep
JSON gave a 500. How fast each is refused is measured by ``benchmarks/bench_limits.py``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from exchange.imports import ImportFileError, answers_import
from exchange.limits import json_depth
from scoring.models import IndicatorStatistic
from surveys.models import Answer
from tests.exchange import hostile
from tests.exchange.helpers import csv_bytes, upload, xlsx_bytes
from tests.factories import PASSWORD, make_api_token, make_assessment, make_focal_point, make_user


class HostileUploadPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.focal = make_focal_point("SEN")
        cls.assessment = make_assessment("SEN")
        cls.admin = make_user(is_superuser=True, is_staff=True)

    def post(self, url: str, name: str, data: bytes) -> object:
        return self.client.post(url, {"file": SimpleUploadedFile(name, data), "dry_run": ""})

    def import_answers(self, data: bytes, name: str = "answers.xlsx") -> object:
        assert self.client.login(username=self.focal.username, password=PASSWORD)
        url = reverse("exchange:answers-import", kwargs={"pk": self.assessment.pk})
        return self.post(url, name, data)

    def assert_refused(self, response: object, *phrases: str) -> None:
        assert response.status_code == 400
        page = response.content.decode()
        for phrase in phrases:
            assert phrase in page, phrase
        assert not Answer.objects.exists()

    def test_a_shared_strings_bomb_is_refused_by_the_unpacked_part_limit(self) -> None:
        data = hostile.shared_strings_bomb(unpacked_mb=60)
        assert len(data) < 1024 * 1024
        self.assert_refused(
            self.import_answers(data),
            "xl/sharedStrings.xml",
            "unpacks to 59.5 MB",
            "the largest part accepted is 50.0 MB unpacked",
        )

    @override_settings(IMPORT_MAX_UNPACKED_BYTES=5 * 1024 * 1024)
    def test_a_workbook_larger_in_total_than_the_limit_once_unpacked_is_refused(self) -> None:
        self.assert_refused(
            self.import_answers(hostile.shared_strings_bomb(unpacked_mb=6)),
            "the largest accepted is 5.0 MB unpacked",
        )

    def test_a_sheet_declaring_three_million_rows_is_refused_by_its_dimension(self) -> None:
        self.assert_refused(
            self.import_answers(hostile.sheet_declaring(3_000_000)),
            "The sheet declares 3,000,000 rows and 2 columns",
            "at most 200,000 rows and 500 columns",
        )

    def test_a_sheet_declaring_columns_up_to_xfd_is_refused(self) -> None:
        self.assert_refused(
            self.import_answers(hostile.sheet_declaring(2, columns_ref="XFD")),
            "2 rows and 16,384 columns",
        )

    def test_a_row_numbered_past_the_limit_is_refused_without_reading_up_to_it(self) -> None:
        self.assert_refused(
            self.import_answers(hostile.sheet_with_row_number(3_000_000)),
            "The file has more than 200,000 rows, the most an import accepts.",
        )

    @override_settings(IMPORT_MAX_ROWS=1000)
    def test_a_sheet_understating_its_dimension_is_refused_by_its_row_count(self) -> None:
        self.assert_refused(
            self.import_answers(hostile.sheet_lying_about_its_size(1500)),
            "The file has more than 1,000 rows, the most an import accepts.",
        )

    def test_xml_entity_declarations_are_refused(self) -> None:
        self.assert_refused(
            self.import_answers(hostile.sheet_with_entities()),
            "The workbook contains XML entity declarations, which are refused for safety.",
        )

    def test_a_csv_cell_longer_than_the_limit_is_refused_with_its_place(self) -> None:
        rows = [["question_code", "value", "justification"], ["GOV.1.a", "3", "x" * 40_000]]
        self.assert_refused(
            self.import_answers(csv_bytes(rows), name="answers.csv"),
            "Row 2, column “justification” holds 40,000 characters",
            "a cell may hold at most 32,767",
        )

    @override_settings(IMPORT_MAX_CELL_CHARS=1000)
    def test_an_xlsx_cell_longer_than_the_limit_is_refused_with_its_place(self) -> None:
        # openpyxl itself cuts strings at Excel's 32,767 characters; a lower limit applies too.
        rows = [["question_code", "value", "justification"], ["GOV.1.a", "3", "x" * 1001]]
        self.assert_refused(
            self.import_answers(xlsx_bytes(rows)),
            "Row 2, column “justification” holds 1,001 characters",
            "a cell may hold at most 1,000",
        )

    def test_a_csv_of_three_million_rows_is_refused_by_its_line_count(self) -> None:
        data = b"question_code,value\r\n" + b"GOV.1.a,3\r\n" * 3_000_000
        self.assert_refused(
            self.import_answers(data, name="answers.csv"),
            "The file has more than 200,000 lines, the most an import accepts.",
        )

    @override_settings(IMPORT_MAX_ROWS=100)
    def test_rows_past_the_limit_are_refused_even_in_utf16(self) -> None:
        data = csv_bytes([["question_code", "value"], *[["GOV.1.a", "3"]] * 150], encoding="utf-16")
        self.assert_refused(
            self.import_answers(data, name="answers.csv"),
            "The file has more than 100 rows",
        )

    def test_a_csv_with_too_many_columns_is_refused(self) -> None:
        data = csv_bytes([["question_code", "value", *[f"c{i}" for i in range(600)]]])
        self.assert_refused(
            self.import_answers(data, name="answers.csv"),
            "A row has 602 columns; the most an import accepts is 500.",
        )

    def test_a_truncated_archive_gets_a_message_not_a_500(self) -> None:
        data = xlsx_bytes(hostile.ANSWER_ROWS)
        self.assert_refused(
            self.import_answers(data[: len(data) // 2]), "The workbook cannot be opened"
        )

    def test_the_statistics_import_refuses_a_bomb_too(self) -> None:
        assert self.client.login(username=self.admin.username, password=PASSWORD)
        response = self.post(
            reverse("exchange:statistics-import"),
            "statistics.xlsx",
            hostile.shared_strings_bomb(unpacked_mb=60),
        )
        assert response.status_code == 400
        assert "the largest part accepted is 50.0 MB unpacked" in response.content.decode()
        assert not IndicatorStatistic.objects.exists()

    def test_a_genuine_workbook_still_imports(self) -> None:
        response = self.import_answers(xlsx_bytes(hostile.ANSWER_ROWS))
        assert response.status_code == 302
        assert Answer.objects.get().value == 3


class HostileFileServiceAndCommandTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.assessment = make_assessment("SEN")
        cls.focal = make_focal_point("SEN")

    def test_the_service_raises_import_file_error_for_each_hostile_file(self) -> None:
        for data in (
            hostile.shared_strings_bomb(unpacked_mb=60),
            hostile.sheet_declaring(3_000_000),
            hostile.sheet_with_row_number(3_000_000),
            hostile.sheet_with_entities(),
        ):
            with self.assertRaises(ImportFileError):
                answers_import(
                    assessment=self.assessment,
                    actor=self.focal,
                    source=upload(data),
                    name="a.xlsx",
                    size=len(data),
                )
        assert not Answer.objects.exists()

    def test_the_import_command_refuses_with_the_message(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "answers.xlsx"
            path.write_bytes(hostile.sheet_declaring(3_000_000))
            with self.assertRaisesMessage(CommandError, "The sheet declares 3,000,000 rows"):
                call_command("import_answers", str(path), "--country", "SEN", "--round", "2026")
        assert not Answer.objects.exists()


class HostileJsonTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.focal = make_focal_point("SEN")
        cls.assessment = make_assessment("SEN")
        cls.token = make_api_token(cls.focal)

    def put(self, body: bytes) -> object:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {self.token}")
        return client.put(
            f"/api/assessments/{self.assessment.pk}/answers/",
            body,
            content_type="application/json",
        )

    def test_100000_deep_json_gets_a_400_naming_the_depth_limit(self) -> None:
        response = self.put(hostile.deep_json(100_000))
        assert response.status_code == 400
        assert response.json()["detail"] == (
            "The JSON nests 100,001 levels deep; the most accepted is 20 levels."
        )
        assert not Answer.objects.exists()

    @override_settings(API_JSON_MAX_BYTES=1024)
    def test_a_body_larger_than_the_limit_is_refused(self) -> None:
        body = b'{"base_revision": 0, "answers": [' + b'"x",' * 400 + b'"x"]}'
        response = self.put(body)
        assert response.status_code == 400
        assert response.json()["detail"] == "The request body is over 1 KB, the largest accepted."

    def test_a_well_formed_body_is_still_accepted(self) -> None:
        body = b'{"base_revision": 0, "answers": [{"question_code": "GOV.1.a", "value": 3}]}'
        assert self.put(body).status_code == 200
        assert Answer.objects.get().value == 3

    def test_brackets_inside_strings_do_not_count_as_nesting(self) -> None:
        assert json_depth(b'{"a": "[[[[[[", "b": ["\\"]]]"]}') == 2

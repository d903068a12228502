"""Importing an assessment's answers from CSV and XLSX files, including what users really send."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.test import TestCase, override_settings

from exchange.imports import ImportResult, answers_import
from exchange.reading import ImportFileError
from surveys.models import Answer, Assessment, AssessmentState, AuditEvent
from surveys.services.answers import AnswerInput, AssessmentLocked, RevisionConflict, answers_save
from tests.exchange.helpers import csv_bytes, xlsx_bytes
from tests.factories import make_assessment, make_focal_point

HEADER = ["question_code", "value", "status", "justification"]


class AnswersImportTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.focal_point = make_focal_point("SEN")

    def setUp(self) -> None:
        self.assessment = make_assessment("SEN")

    def run_import(self, data: bytes, name: str = "answers.csv", **options: Any) -> ImportResult:
        options.setdefault("dry_run", False)
        return answers_import(
            assessment=self.assessment,
            actor=self.focal_point,
            source=io.BytesIO(data),
            name=name,
            size=len(data),
            **options,
        )

    def stored(self) -> dict[str, Any]:
        return {
            row.question_code: row.value if row.status == "answered" else row.status
            for row in Answer.objects.filter(assessment=self.assessment)
        }

    def reasons(self, result: ImportResult) -> list[tuple[int, str, str]]:
        return [(error.row, error.column, error.reason) for error in result.errors]


class ValidFilesTests(AnswersImportTestCase):
    def test_a_valid_file_writes_every_answer_through_the_answers_service(self) -> None:
        data = csv_bytes(
            [
                HEADER,
                ["GOV.1.a", "3", "", "Adopted in 2021"],
                ["GOV.1.b", "yes", "", ""],
                ["NET.1.a", "42.5", "", ""],
                ["NET.2.b", "fibre|satellite", "", ""],
                ["SKL.1.b", "", "dont_know", ""],
            ]
        )
        result = self.run_import(data)
        assert result.ok and result.applied
        assert result.created == 5
        assert self.stored() == {
            "GOV.1.a": 3,
            "GOV.1.b": "yes",
            "NET.1.a": 42.5,
            "NET.2.b": ["fibre", "satellite"],
            "SKL.1.b": "dont_know",
        }
        assert Answer.objects.get(assessment=self.assessment, question_code="GOV.1.a").justification
        assert AuditEvent.objects.filter(
            assessment=self.assessment, action="answer_create"
        ).exists()

    def test_importing_the_same_file_twice_changes_nothing_the_second_time(self) -> None:
        data = csv_bytes([HEADER, ["GOV.1.a", "3", "", "x"], ["NET.1.b", "12", "", ""]])
        self.run_import(data)
        self.assessment.refresh_from_db()
        revision = self.assessment.revision
        events = AuditEvent.objects.count()
        again = self.run_import(data)
        self.assessment.refresh_from_db()
        assert again.ok and not again.applied and again.unchanged == 2 and not again.changes
        assert self.assessment.revision == revision
        assert AuditEvent.objects.count() == events

    def test_a_dry_run_shows_what_would_change_and_writes_nothing(self) -> None:
        answers_save(
            assessment=self.assessment,
            actor=self.focal_point,
            answers=[AnswerInput("GOV.1.a", 1), AnswerInput("GOV.1.b", "no")],
            base_revision=0,
        )
        data = csv_bytes(
            [HEADER, ["GOV.1.a", "4", "", ""], ["GOV.1.b", "no", "", ""], ["NET.1.a", "10", "", ""]]
        )
        result = self.run_import(data, dry_run=True)
        assert result.ok and not result.applied
        assert [(c.key, c.action) for c in result.changes] == [
            ("GOV.1.a", "update"),
            ("NET.1.a", "create"),
        ]
        assert result.changes[0].before["value"] == 1 and result.changes[0].after["value"] == 4
        assert result.unchanged == 1
        assert self.stored() == {"GOV.1.a": 1, "GOV.1.b": "no"}

    def test_empty_template_rows_leave_stored_answers_alone(self) -> None:
        answers_save(
            assessment=self.assessment,
            actor=self.focal_point,
            answers=[AnswerInput("GOV.1.a", 2, justification="kept")],
            base_revision=0,
        )
        result = self.run_import(
            csv_bytes([HEADER, ["GOV.1.a", "", "", ""], ["GOV.1.b", "yes", "", ""]])
        )
        assert result.ok
        assert self.stored() == {"GOV.1.a": 2, "GOV.1.b": "yes"}

    def test_without_a_justification_column_stored_justifications_are_kept(self) -> None:
        answers_save(
            assessment=self.assessment,
            actor=self.focal_point,
            answers=[AnswerInput("GOV.1.a", 2, justification="the reason")],
            base_revision=0,
        )
        result = self.run_import(csv_bytes([["question_code", "value"], ["GOV.1.a", "3"]]))
        row = Answer.objects.get(assessment=self.assessment, question_code="GOV.1.a")
        assert result.ok and row.value == 3 and row.justification == "the reason"

    def test_extra_columns_of_the_template_are_ignored_and_headers_match_loosely(self) -> None:
        data = csv_bytes(
            [["Question Code", "Question", "VALUE"], ["GOV.1.b", "Is there…?", "partial"]]
        )
        assert self.run_import(data).ok
        assert self.stored() == {"GOV.1.b": "partial"}


class EncodingTests(AnswersImportTestCase):
    def test_a_utf8_byte_order_mark_is_skipped(self) -> None:
        data = csv_bytes([HEADER, ["GOV.2.a", "Programme « Sénégal numérique »", "", ""]], bom=True)
        result = self.run_import(data)
        assert result.ok, result.errors
        assert self.stored() == {"GOV.2.a": "Programme « Sénégal numérique »"}

    def test_a_windows_1252_file_is_refused_with_the_line_and_what_to_do(self) -> None:
        data = csv_bytes(
            [HEADER, ["GOV.1.b", "yes", "", ""], ["GOV.2.a", "Société", "", ""]], encoding="cp1252"
        )
        with self.assertRaisesMessage(ImportFileError, "Line 3 is not valid UTF-8 (byte 0xE9)"):
            self.run_import(data)
        assert not Answer.objects.exists()

    def test_a_windows_1252_file_imports_when_its_encoding_is_named(self) -> None:
        data = csv_bytes([HEADER, ["GOV.2.a", "Société", "", ""]], encoding="cp1252")
        assert self.run_import(data, encoding="cp1252").ok
        assert self.stored() == {"GOV.2.a": "Société"}

    def test_a_utf16_file_with_its_byte_order_mark_is_detected(self) -> None:
        data = csv_bytes(
            [HEADER, ["GOV.2.a", "Économie", "", ""]], delimiter="\t", encoding="utf-16"
        )
        assert self.run_import(data).ok
        assert self.stored() == {"GOV.2.a": "Économie"}


class DelimiterAndNumberTests(AnswersImportTestCase):
    def test_semicolon_files_are_read_and_their_decimal_commas_understood(self) -> None:
        data = csv_bytes(
            [HEADER, ["NET.1.a", "42,5", "", ""], ["NET.1.b", "1,25", "", ""]], delimiter=";"
        )
        result = self.run_import(data)
        assert result.ok, result.errors
        assert self.stored() == {"NET.1.a": 42.5, "NET.1.b": 1.25}

    def test_a_decimal_comma_in_a_comma_separated_file_is_refused_clearly(self) -> None:
        result = self.run_import(csv_bytes([HEADER, ["NET.1.a", '"42,5"', "", ""]]))
        assert self.reasons(result) == [
            (2, "value", "Use a point as the decimal separator, for example 1.5 instead of 1,5.")
        ]

    def test_values_out_of_range_are_reported_with_row_and_column(self) -> None:
        result = self.run_import(
            csv_bytes([HEADER, ["NET.1.b", "500", "", ""], ["GOV.1.a", "9", "", ""]])
        )
        assert self.reasons(result) == [
            (2, "value", "Enter a number of at most 200."),
            (3, "value", "Choose one of the levels 0 to 5."),
        ]
        assert not Answer.objects.exists()


class ExcelTests(AnswersImportTestCase):
    def test_xlsx_cells_keep_their_types_including_date_cells(self) -> None:
        data = xlsx_bytes(
            [
                HEADER,
                ["GOV.1.a", 4, None, None],
                ["NET.1.a", 37.5, None, None],
                ["GOV.2.b", datetime.datetime(2021, 6, 30), None, None],
            ]
        )
        result = self.run_import(data, name="answers.xlsx")
        assert result.ok, result.errors
        assert self.stored() == {"GOV.1.a": 4, "NET.1.a": 37.5, "GOV.2.b": "2021-06-30"}

    def test_excel_serial_numbers_in_date_questions_become_dates(self) -> None:
        data = xlsx_bytes([HEADER, ["GOV.2.b", 45747, None, None]])
        assert self.run_import(data, name="answers.xlsx").ok
        assert self.stored() == {"GOV.2.b": "2025-03-31"}

    def test_a_csv_written_from_a_date_cell_as_a_serial_number_is_understood(self) -> None:
        assert self.run_import(csv_bytes([HEADER, ["GOV.2.b", "45747", "", ""]])).ok
        assert self.stored() == {"GOV.2.b": "2025-03-31"}

    def test_a_text_file_named_xlsx_is_refused(self) -> None:
        with self.assertRaisesMessage(ImportFileError, "not an Excel workbook"):
            self.run_import(b"question_code,value\n", name="answers.xlsx")

    def test_a_damaged_workbook_is_refused(self) -> None:
        with self.assertRaisesMessage(ImportFileError, "cannot be opened"):
            self.run_import(b"PK\x03\x04broken", name="answers.xlsx")


class RowErrorTests(AnswersImportTestCase):
    def test_every_bad_row_is_reported_and_nothing_is_written(self) -> None:
        data = csv_bytes(
            [
                HEADER,
                ["GOV.1.b", "yes", "", ""],
                ["XYZ.9", "1", "", ""],
                ["GOV.1.b", "no", "", ""],
                ["NET.2.a", "copper", "", ""],
                ["GOV.2.c", "", "dont_know", ""],
                ["NET.1.a", "5", "not_applicable", ""],
                ["NET.1.b", "", "maybe", ""],
                ["NET.2.c", "map.pdf", "", ""],
                ["", "1", "", ""],
            ]
        )
        result = self.run_import(data)
        assert not result.ok and not result.applied
        assert self.reasons(result) == [
            (3, "question_code", "There is no question XYZ.9 in test_framework 1.0."),
            (4, "question_code", "Question GOV.1.b is already given in row 2."),
            (5, "value", "Choose one of the options offered."),
            (6, "status", "This choice is not offered for this question."),
            (7, "value", "Leave the value empty when the status is “not_applicable”."),
            (8, "status", "Unknown status “maybe”: use answered, dont_know or not_applicable."),
            (9, "value", "Evidence cannot be imported; attach it on the assessment's pages."),
            (10, "question_code", "The question code is empty."),
        ]
        assert not Answer.objects.exists()
        assert "row 3, column “question_code”" in str(result.errors[0])

    def test_a_missing_required_column_is_reported_on_the_header_row(self) -> None:
        result = self.run_import(csv_bytes([["question_code", "answer"], ["GOV.1.b", "yes"]]))
        assert self.reasons(result) == [(1, "value", "This column is missing from the header row.")]

    def test_an_empty_file_is_refused(self) -> None:
        with self.assertRaisesMessage(ImportFileError, "The file is empty."):
            self.run_import(b"")
        with self.assertRaisesMessage(ImportFileError, "The file is empty."):
            self.run_import(b"\r\n\r\n")

    def test_a_file_with_only_a_header_is_reported(self) -> None:
        result = self.run_import(csv_bytes([HEADER]))
        assert self.reasons(result) == [(1, "", "The file has a header row but no data rows.")]

    def test_reported_errors_are_capped_but_all_counted(self) -> None:
        rows = [HEADER] + [[f"NOPE.{n}", "1", "", ""] for n in range(700)]
        result = self.run_import(csv_bytes(rows))
        assert result.error_count == 700 and len(result.errors) == 500 and result.more_errors == 200


class LockingTests(AnswersImportTestCase):
    def test_an_approved_assessment_refuses_imports_even_as_a_dry_run(self) -> None:
        Assessment.objects.filter(pk=self.assessment.pk).update(state=AssessmentState.APPROVED)
        data = csv_bytes([HEADER, ["GOV.1.b", "yes", "", ""]])
        for dry_run in (True, False):
            with self.assertRaises(AssessmentLocked):
                self.run_import(data, dry_run=dry_run)
        assert not Answer.objects.exists()

    def test_a_save_by_someone_else_since_the_preview_of_an_imported_answer_refuses_it(
        self,
    ) -> None:
        answers_save(
            assessment=self.assessment,
            actor=self.focal_point,
            answers=[AnswerInput("GOV.1.a", 1)],
            base_revision=0,
        )
        rows = [HEADER, ["GOV.1.a", "4", "", ""], ["GOV.1.b", "yes", "", ""]]
        with self.assertRaises(RevisionConflict):
            self.run_import(csv_bytes(rows), base_revision=0)
        assert self.stored() == {"GOV.1.a": 1}

    def test_a_save_since_the_preview_of_answers_the_file_leaves_alone_lets_it_through(
        self,
    ) -> None:
        answers_save(
            assessment=self.assessment,
            actor=self.focal_point,
            answers=[AnswerInput("GOV.1.a", 1)],
            base_revision=0,
        )
        self.run_import(csv_bytes([HEADER, ["GOV.1.b", "yes", "", ""]]), base_revision=0)
        assert self.stored() == {"GOV.1.a": 1, "GOV.1.b": "yes"}

    def test_an_answer_removed_since_the_preview_refuses_the_import(self) -> None:
        answers_save(
            assessment=self.assessment,
            actor=self.focal_point,
            answers=[AnswerInput("GOV.1.a", 1)],
            base_revision=0,
        )
        answers_save(
            assessment=self.assessment,
            actor=self.focal_point,
            answers=[AnswerInput("GOV.1.a", None)],
            base_revision=1,
        )
        with self.assertRaises(RevisionConflict):
            self.run_import(csv_bytes([HEADER, ["GOV.1.b", "yes", "", ""]]), base_revision=1)
        assert self.stored() == {}


@override_settings(IMPORT_MAX_BYTES=20 * 1024 * 1024)
class SizeLimitTests(AnswersImportTestCase):
    def test_a_50_mb_file_is_refused_by_the_size_limit_before_it_is_read(self) -> None:
        row = b"GOV.1.b,yes,," + b"x" * 100 + b"\r\n"
        data = b"question_code,value,status,justification\r\n" + row * (
            50 * 1024 * 1024 // len(row)
        )
        assert len(data) > 49 * 1024 * 1024

        class Unreadable(io.BytesIO):
            def read(self, *args: Any) -> bytes:
                raise AssertionError("a file over the limit must not be read")

        with self.assertRaisesMessage(ImportFileError, "the largest file accepted is 20 MB"):
            answers_import(
                assessment=self.assessment,
                actor=self.focal_point,
                source=Unreadable(data),
                name="big.csv",
                size=len(data),
                dry_run=False,
            )

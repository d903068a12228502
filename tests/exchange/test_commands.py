"""Management commands mirroring the exports and imports."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from openpyxl import load_workbook

from scoring.models import IndicatorStatistic
from surveys.models import Answer, Assessment, AssessmentState
from tests.exchange.helpers import csv_bytes
from tests.factories import make_assessment


class CommandTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.assessment = make_assessment("SEN")

    def setUp(self) -> None:
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.folder = Path(folder.name)

    def write(self, name: str, data: bytes) -> Path:
        path = self.folder / name
        path.write_bytes(data)
        return path

    def call(self, *args: str) -> str:
        out = io.StringIO()
        call_command(*args, stdout=out)
        return out.getvalue()

    def test_import_answers_dry_run_then_apply_then_again_changes_nothing(self) -> None:
        path = self.write("a.csv", csv_bytes([["question_code", "value"], ["GOV.1.a", "2"]]))
        where = ("--country", "sen", "--round", "2026")
        assert "1 would be created" in self.call("import_answers", str(path), *where, "--dry-run")
        assert not Answer.objects.exists()
        assert "1 were created" in self.call("import_answers", str(path), *where)
        assert "1 unchanged" in self.call("import_answers", str(path), *where)

    def test_import_answers_reports_each_error_and_fails(self) -> None:
        path = self.write("a.csv", csv_bytes([["question_code", "value"], ["GOV.1.a", "8"]]))
        out = io.StringIO()
        with self.assertRaisesMessage(CommandError, "1 errors; nothing was written."):
            call_command(
                "import_answers", str(path), "--assessment", str(self.assessment.pk), stdout=out
            )
        assert "row 2, column “value”: Choose one of the levels 0 to 5." in out.getvalue()

    def test_import_answers_refuses_a_locked_assessment(self) -> None:
        Assessment.objects.filter(pk=self.assessment.pk).update(state=AssessmentState.APPROVED)
        path = self.write("a.csv", csv_bytes([["question_code", "value"], ["GOV.1.a", "2"]]))
        with self.assertRaisesMessage(CommandError, "cannot be changed"):
            self.call("import_answers", str(path), "--assessment", str(self.assessment.pk))

    @override_settings(IMPORT_MAX_BYTES=1024)
    def test_import_refuses_files_over_the_size_limit(self) -> None:
        path = self.write("big.csv", b"question_code,value\n" + b"GOV.1.a,2\n" * 200)
        with self.assertRaisesMessage(CommandError, "the largest file accepted is 0 MB"):
            self.call("import_answers", str(path), "--assessment", str(self.assessment.pk))

    def test_import_statistics_writes_all_rows(self) -> None:
        path = self.write(
            "s.csv",
            csv_bytes([["country", "code", "year", "value"], ["SEN", "NET.1.a", "2024", "58"]]),
        )
        output = self.call(
            "import_statistics", str(path), "--framework", "test_framework", "--source", "ITU"
        )
        assert "1 were created" in output
        assert IndicatorStatistic.objects.get().source == "ITU"

    def test_templates_and_exports_round_trip_through_files(self) -> None:
        template = self.folder / "t.xlsx"
        self.call(
            "import_template", "test_framework", "answers", "--format", "xlsx", "-o", str(template)
        )
        sheet = load_workbook(template, read_only=True).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:2] == ("question_code", "pillar") and len(rows) == 14
        text = self.call("import_template", "test_framework", "statistics")
        assert text.startswith("\ufeffcountry,code,year,value,source")
        Answer.objects.create(assessment=self.assessment, question_code="GOV.1.a", value=4)
        exported = self.call("export_data", "answers", "--country", "SEN", "--round", "2026")
        assert [row["value"] for row in csv.DictReader(io.StringIO(exported))] == ["4"]
        target = self.folder / "scores.json"
        self.call("export_data", "scores", "--format", "json", "-o", str(target))
        assert target.read_text() == "[\n]\n"
        with self.assertRaisesMessage(CommandError, "give a file with --output"):
            self.call("export_data", "answers", "--format", "xlsx")

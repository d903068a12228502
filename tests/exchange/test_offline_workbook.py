"""The offline workbook (issue 20): download, fill in as in Excel, upload, dry run, conflicts."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from exchange.workbook import (
    SHEET_COLUMNS,
    offline_workbook,
    offline_workbook_import,
)
from surveys.models import Answer
from surveys.services.answers import AnswerInput, answers_save
from tests.factories import PASSWORD, make_assessment, make_focal_point

VALUE = SHEET_COLUMNS.index("value") + 1
STATUS = SHEET_COLUMNS.index("status") + 1


def _row(sheet, code: str) -> int:
    for number in range(2, sheet.max_row + 1):
        if sheet.cell(number, 1).value == code:
            return number
    raise AssertionError(f"no row for {code}")


def _edit(data: bytes, edit) -> bytes:
    """Change the workbook as a user does in a spreadsheet program, and save it."""
    workbook = load_workbook(io.BytesIO(data))
    edit(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _set(code: str, value, sheet_name: str | None = None):
    def edit(workbook) -> None:
        sheet = workbook[sheet_name or code.split(".")[0]]
        sheet.cell(_row(sheet, code), VALUE).value = value

    return edit


class OfflineWorkbookTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.focal = make_focal_point("SEN")
        cls.colleague = make_focal_point("SEN")

    def setUp(self) -> None:
        self.assessment = make_assessment("SEN")
        answers_save(
            assessment=self.assessment,
            actor=self.focal,
            answers=[
                AnswerInput("GOV.1.a", 2, "answered", ""),
                AnswerInput("NET.1.b", 40, "answered", "Regulator, 2025"),
            ],
            base_revision=self.assessment.revision,
        )
        self.assessment.refresh_from_db()

    def upload(self, data: bytes, *, dry_run: bool):
        return offline_workbook_import(
            assessment=self.assessment,
            actor=self.focal,
            source=io.BytesIO(data),
            name="offline.xlsx",
            size=len(data),
            dry_run=dry_run,
        )

    def answer(self, code: str):
        row = Answer.objects.filter(assessment=self.assessment, question_code=code).first()
        return None if row is None else row.value

    def test_the_workbook_has_a_sheet_per_pillar_dropdowns_bounds_answers_and_revision(
        self,
    ) -> None:
        workbook = load_workbook(io.BytesIO(offline_workbook(self.assessment, language="fr")))
        assert workbook.sheetnames == ["about", "GOV", "NET", "SKL"]
        about = {row[0]: row[1] for row in workbook["about"].iter_rows(min_row=2, values_only=True)}
        assert about["assessment"] == self.assessment.pk
        assert about["revision"] == self.assessment.revision
        sheet = workbook["GOV"]
        row = _row(sheet, "GOV.1.a")
        assert sheet.cell(row, VALUE).value == 2
        validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
        assert validations[f"F{row}"].formula1 == '"0,1,2,3,4,5"'
        assert sheet.protection.sheet is True
        assert sheet.cell(row, VALUE).protection.locked is False
        assert sheet.cell(row, 3).protection.locked is True
        net = workbook["NET"]
        bounds = {str(v.sqref): v for v in net.data_validations.dataValidation}
        number_row = _row(net, "NET.1.b")
        assert (bounds[f"F{number_row}"].formula1, bounds[f"F{number_row}"].formula2) == (
            "0",
            "200",
        )
        assert net.cell(number_row, VALUE).value == 40
        # Evidence travels as files on the platform, not in a cell.
        assert "NET.2.c" not in [net.cell(n, 1).value for n in range(2, net.max_row + 1)]

    def test_a_dry_run_lists_every_change_and_writes_nothing_then_the_upload_writes_it(
        self,
    ) -> None:
        data = offline_workbook(self.assessment, language="en")
        edited = _edit(data, lambda wb: (_set("GOV.1.a", 4)(wb), _set("NET.2.a", "fibre")(wb)))
        preview = self.upload(edited, dry_run=True)
        assert preview.ok, preview.problems
        assert sorted(change.question_code for change in preview.changes) == ["GOV.1.a", "NET.2.a"]
        assert self.answer("GOV.1.a") == 2
        assert self.answer("NET.2.a") is None
        applied = self.upload(edited, dry_run=False)
        assert applied.applied
        assert self.answer("GOV.1.a") == 4
        assert self.answer("NET.2.a") == "fibre"
        # The same workbook again: its base revision is now old, but nothing differs any more.
        again = self.upload(edited, dry_run=True)
        assert again.ok and again.changes == []

    def test_an_answer_a_colleague_changed_since_the_download_is_a_named_conflict(self) -> None:
        data = offline_workbook(self.assessment, language="en")
        answers_save(
            assessment=self.assessment,
            actor=self.colleague,
            answers=[
                AnswerInput("GOV.1.a", 3, "answered", ""),
                AnswerInput("SKL.1.a", "partial", "answered", ""),
            ],
            base_revision=self.assessment.revision,
        )
        edited = _edit(data, lambda wb: (_set("GOV.1.a", 5)(wb), _set("NET.1.b", 55)(wb)))
        result = self.upload(edited, dry_run=False)
        assert not result.ok
        assert result.conflicts == 1
        problem = result.problems[0]
        assert (problem.sheet, problem.column) == ("GOV", "value")
        assert problem.row == _row(load_workbook(io.BytesIO(edited))["GOV"], "GOV.1.a")
        assert (
            "Conflict" in problem.reason
            and "“Level 5" in problem.reason
            and "“Level 3" in problem.reason
        )
        assert self.answer("GOV.1.a") == 3
        assert self.answer("NET.1.b") == 40  # all or nothing

    def test_a_colleagues_change_to_another_question_does_not_stand_in_the_way(self) -> None:
        data = offline_workbook(self.assessment, language="en")
        answers_save(
            assessment=self.assessment,
            actor=self.colleague,
            answers=[AnswerInput("SKL.1.a", "partial", "answered", "")],
            base_revision=self.assessment.revision,
        )
        result = self.upload(_edit(data, _set("NET.1.b", 55)), dry_run=False)
        assert result.ok and result.applied
        assert self.answer("NET.1.b") == 55
        assert self.answer("SKL.1.a") == "partial"

    def test_every_problem_is_listed_with_sheet_row_and_column_and_nothing_is_written(self) -> None:
        data = offline_workbook(self.assessment, language="en")

        def damage(workbook) -> None:
            _set("NET.1.b", 500)(workbook)  # above the maximum of 200
            _set("GOV.1.a", 1)(workbook)
            gov = workbook["GOV"]
            gov.cell(_row(gov, "GOV.1.b"), 3).value = "A question rewritten outside the cells"
            workbook["NET"].cell(_row(workbook["NET"], "NET.2.a"), VALUE).value = "cable"

        result = self.upload(_edit(data, damage), dry_run=False)
        places = {(p.sheet, p.column) for p in result.problems}
        assert ("NET", "value") in places
        assert ("GOV", "question") in places
        assert len([p for p in result.problems if p.sheet == "NET"]) == 2
        assert self.answer("GOV.1.a") == 2

    def test_renamed_or_removed_sheets_and_another_assessments_workbook_are_refused(self) -> None:
        data = offline_workbook(self.assessment, language="en")

        def rename(workbook) -> None:
            workbook["NET"].title = "Network"
            del workbook["SKL"]

        result = self.upload(_edit(data, rename), dry_run=True)
        assert {(p.sheet, p.row) for p in result.problems} == {
            ("NET", 0),
            ("SKL", 0),
            ("Network", 0),
        }
        other = make_assessment("SEN", round=2027)
        foreign = offline_workbook(other, language="en")
        result = self.upload(foreign, dry_run=True)
        assert [(p.sheet, p.column) for p in result.problems] == [("about", "value")]


class OfflineWorkbookPageTests(TestCase):
    """The page a focal point uses: download, upload with a preview, apply; strangers refused."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.focal = make_focal_point("SEN")
        cls.stranger = make_focal_point("KEN")
        cls.assessment = make_assessment("SEN")

    def test_download_preview_and_apply(self) -> None:
        assert self.client.login(username=self.focal.username, password=PASSWORD)
        page = reverse("exchange:offline-workbook", args=[self.assessment.pk])
        download = reverse("exchange:offline-workbook-download", args=[self.assessment.pk])
        self.assertContains(self.client.get(page), download)
        data = self.client.get(download).content
        edited = _edit(data, _set("GOV.1.a", 3))
        upload = SimpleUploadedFile("offline.xlsx", edited)
        preview = self.client.post(page, {"file": upload, "dry_run": "on"})
        self.assertContains(preview, "GOV.1.a")
        token = preview.context["token"]
        assert token
        assert not Answer.objects.filter(assessment=self.assessment).exists()
        applied = self.client.post(page, {"token": token})
        assert applied.status_code == 302
        assert Answer.objects.get(assessment=self.assessment, question_code="GOV.1.a").value == 3

    def test_problems_are_listed_with_their_sheet(self) -> None:
        assert self.client.login(username=self.focal.username, password=PASSWORD)
        page = reverse("exchange:offline-workbook", args=[self.assessment.pk])
        data = offline_workbook(self.assessment, language="en")
        edited = _edit(data, _set("NET.1.b", 999))
        response = self.client.post(
            page, {"file": SimpleUploadedFile("offline.xlsx", edited), "dry_run": "on"}
        )
        assert response.status_code == 400
        self.assertContains(response, "<td>NET</td>", status_code=400)
        assert not Answer.objects.filter(assessment=self.assessment).exists()

    def test_a_focal_point_of_another_country_gets_404(self) -> None:
        assert self.client.login(username=self.stranger.username, password=PASSWORD)
        url = reverse("exchange:offline-workbook-download", args=[self.assessment.pk])
        assert self.client.get(url).status_code == 404

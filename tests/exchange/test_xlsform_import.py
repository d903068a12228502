"""An XLSForm as a new framework draft (issue 20)."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, TestCase
from django.urls import reverse
from openpyxl import Workbook

from exchange.xlsform import xlsform_workbook
from exchange.xlsform_import import xlsform_import, xpath_to_show_if
from surveys.frameworks.expressions import parse
from surveys.frameworks.loader import load_framework_file
from surveys.models import Framework, FrameworkStatus
from tests.exchange.test_xlsform_export import SHIPPED
from tests.factories import PASSWORD, make_user

EN, FR = "label::English (en)", "label::Français (fr)"


def workbook(survey: list[list], choices: list[list], settings: list[list]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in (("survey", survey), ("choices", choices), ("settings", settings)):
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


HAND_WRITTEN = {
    "survey": [
        [
            "type",
            "name",
            EN,
            FR,
            "hint::English (en)",
            "hint::Français (fr)",
            "relevant",
            "required",
            "constraint",
        ],
        ["start", "start", "", "", "", "", "", "", ""],
        ["begin_group", "GOV", "Governance", "Gouvernance", "", "", "", "", ""],
        ["begin_group", "GOV.1", "Leadership", "Pilotage", "", "", "", "", ""],
        [
            "select_one levels",
            "GOV.1.a",
            "How mature?",
            "Quelle maturité ?",
            "Look",
            "Voir",
            "",
            "yes",
            "",
        ],
        ["select_one ypn", "GOV.1.b", "A law?", "Une loi ?", "", "", "${GOV.1.a} >= 2", "", ""],
        ["integer", "GOV.1.c", "Staff?", "Effectif ?", "", "", "", "", ". >= 0 and . <= 500"],
        [
            "select_multiple groups",
            "GOV.1.d",
            "Who?",
            "Qui ?",
            "",
            "",
            "${GOV.1.b} != 'no'",
            "",
            "",
        ],
        ["end_group", "", "", "", "", "", "", "", ""],
        ["end_group", "", "", "", "", "", "", "", ""],
    ],
    "choices": [
        ["list_name", "name", EN, FR, "points"],
        *[["levels", str(n), f"Level {n}", f"Niveau {n}", ""] for n in range(6)],
        ["ypn", "yes", "Yes", "Oui", 100],
        ["ypn", "partial", "Partly", "En partie", 50],
        ["ypn", "no", "No", "Non", 0],
        ["groups", "women", "Women", "Femmes", 1],
        ["groups", "youth", "Youth", "Jeunes", 1],
    ],
    "settings": [["form_title", "form_id", "version"], ["Hand made", "handmade", "2027.1"]],
}


class XPathSubsetTests(SimpleTestCase):
    def test_the_subset_the_export_writes_reads_back(self) -> None:
        assert xpath_to_show_if("(${A.1} != '' and ${A.1} >= 2)") == "(answered(A.1) and A.1 >= 2)"
        assert xpath_to_show_if("selected(${B.2}, 'x')") == "'x' in B.2"
        assert xpath_to_show_if("not(${C} = 'no')") == "not (C == 'no')"

    def test_anything_else_is_refused(self) -> None:
        for source in ("count(${A}) > 1", "${A} + 1 > 2", "${A} >= "):
            with self.subTest(source=source), self.assertRaises(ValueError):
                xpath_to_show_if(source)


class XlsFormImportTests(TestCase):
    def run_import(self, data: bytes, *, dry_run: bool):
        return xlsform_import(
            source=io.BytesIO(data), name="form.xlsx", size=len(data), dry_run=dry_run
        )

    def test_every_shipped_framework_round_trips_through_its_xlsform(self) -> None:
        for path in SHIPPED:
            with self.subTest(framework=path.name):
                spec = load_framework_file(path)
                result = self.run_import(xlsform_workbook(spec), dry_run=True)
                assert result.ok, result.problems[:5]
                back = result.spec
                assert [q.code for q in back.questions] == [q.code for q in spec.questions]
                assert [p.code for p in back.pillars] == [p.code for p in spec.pillars]
                for question, returned in zip(spec.questions, back.questions, strict=True):
                    assert returned.text == question.text
                    assert (returned.show_if is None) == (question.show_if is None)
                    if question.type.has_choices or question.type.value == "maturity":
                        assert returned.type == question.type
                assert not Framework.objects.filter(code=spec.code).exists()

    def test_a_hand_written_xlsform_in_the_convention_imports_as_a_draft(self) -> None:
        result = self.run_import(workbook(**HAND_WRITTEN), dry_run=False)
        assert result.ok, result.problems
        framework = Framework.objects.get(code="handmade", version="2027.1")
        assert framework.status == FrameworkStatus.DRAFT
        spec = framework.spec
        assert spec.languages == ("en", "fr")
        types = {q.code: q.type.value for q in spec.questions}
        assert types == {
            "GOV.1.a": "maturity",
            "GOV.1.b": "yes_partial_no",
            "GOV.1.c": "number",
            "GOV.1.d": "multiple_choice",
        }
        number = spec.questions_by_code["GOV.1.c"]
        assert (number.minimum, number.maximum) == (0, 500)
        assert parse(spec.questions_by_code["GOV.1.b"].show_if) == parse("GOV.1.a >= 2")

    def test_every_problem_is_listed_with_its_place_and_nothing_is_written(self) -> None:
        survey = [list(row) for row in HAND_WRITTEN["survey"]]
        survey[0] = [*survey[0][:3], *survey[0][4:]]  # the French label column is gone
        survey = [row if index == 0 else [*row[:3], *row[4:]] for index, row in enumerate(survey)]
        survey.insert(5, ["calculate", "GOV.1.x", "Sum", "", "", "", "", ""])
        survey.insert(6, ["integer", "GOV.1.a", "Again", "", "", "", "", ""])
        bad = workbook(survey, HAND_WRITTEN["choices"], HAND_WRITTEN["settings"])
        result = self.run_import(bad, dry_run=False)
        places = {(p.sheet, p.row, p.column) for p in result.problems}
        assert ("survey", 1, "label::… (fr)") in places
        assert ("survey", 6, "type") in places  # calculate has no equivalent
        assert ("survey", 7, "name") in places  # GOV.1.a twice
        assert not Framework.objects.filter(code="handmade").exists()

    def test_a_cycle_in_relevance_is_refused(self) -> None:
        survey = [list(row) for row in HAND_WRITTEN["survey"]]
        survey[4][6] = "${GOV.1.b} = 'yes'"
        result = self.run_import(
            workbook(survey, HAND_WRITTEN["choices"], HAND_WRITTEN["settings"]), dry_run=True
        )
        assert not result.ok
        assert {(p.sheet, p.column) for p in result.problems} >= {("survey", "relevant")}


class XlsFormImportPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user(is_superuser=True, is_staff=True)

    def test_an_administrator_previews_then_stores_the_draft(self) -> None:
        assert self.client.login(username=self.admin.username, password=PASSWORD)
        url = reverse("exchange:xlsform-import")
        upload = SimpleUploadedFile("form.xlsx", workbook(**HAND_WRITTEN))
        preview = self.client.post(url, {"file": upload, "dry_run": "on"})
        self.assertContains(preview, "handmade 2027.1")
        assert not Framework.objects.filter(code="handmade").exists()
        stored = self.client.post(url, {"token": preview.context["token"]})
        assert stored.status_code == 302
        assert Framework.objects.get(code="handmade").status == FrameworkStatus.DRAFT

    def test_the_command_lists_problems_and_writes_nothing(self) -> None:
        survey = [list(row) for row in HAND_WRITTEN["survey"]]
        survey.insert(5, ["geopoint", "GOV.1.g", "Where?", "Où ?", "", "", "", "", ""])
        data = workbook(survey, HAND_WRITTEN["choices"], HAND_WRITTEN["settings"])
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "form.xlsx"
            path.write_bytes(data)
            errors = io.StringIO()
            with self.assertRaises(CommandError):
                call_command("import_xlsform", str(path), stderr=errors, stdout=io.StringIO())
        assert "survey, row 6, type" in errors.getvalue()
        assert not Framework.objects.filter(code="handmade").exists()

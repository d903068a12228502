"""A framework as an XLSForm (issue 20): proven by pyxform, the XLSForm reference implementation."""

from __future__ import annotations

import io
import re
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.test import SimpleTestCase, TestCase
from django.urls import reverse
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from exchange.xlsform import framework_xlsform, show_if_to_xpath, xlsform_workbook
from surveys.frameworks.loader import load_framework_file, load_framework_text
from surveys.models import FrameworkStatus
from tests.factories import PASSWORD, make_focal_point, make_user
from tests.framework_fixtures import load_test_framework

DOC = Path(__file__).resolve().parents[2] / "docs" / "framework-format.md"
DOC_EXAMPLE = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)[0]
FRAMEWORKS = Path(__file__).resolve().parents[2] / "frameworks"
# Frameworks are the YAML files with pillars; intervention and offer catalogues sit beside them.
SHIPPED = sorted(
    path
    for path in FRAMEWORKS.glob("*.yaml")
    if "pillars" in (yaml.safe_load(path.read_text(encoding="utf-8")) or {})
)


def _xform(data: bytes) -> tuple[str, list[str]]:
    warnings: list[str] = []
    result = convert(data, warnings=warnings, file_type=".xlsx")
    return result.xform, warnings


class ShippedFrameworkTests(SimpleTestCase):
    def test_every_shipped_framework_converts_without_errors_or_warnings(self) -> None:
        assert len(SHIPPED) >= 2
        for path in SHIPPED:
            with self.subTest(framework=path.name):
                spec = load_framework_file(path)
                xform, warnings = _xform(xlsform_workbook(spec))
                assert warnings == []
                for question in spec.questions:
                    assert f"/{question.code}" in xform
                for pillar in spec.pillars:
                    assert f'<group ref="/{spec.code}/{pillar.code}"' in xform or (
                        f'<group ref="/data/{pillar.code}"' in xform
                    )

    def test_labels_hints_and_choices_are_written_in_every_language(self) -> None:
        spec = load_framework_file(FRAMEWORKS / "dcna-2026.yaml")
        form = framework_xlsform(spec)
        question = spec.questions_by_code["POL.1.a"]
        row = next(row for row in form.survey if row["name"] == "POL.1.a")
        assert row["type"] == "select_one POL.1.a"
        assert row["label::English (en)"] == question.text["en"]
        assert row["label::Français (fr)"] == question.text["fr"]
        assert row["hint::Français (fr)"] == question.help["fr"]
        levels = [choice for choice in form.choices if choice["list_name"] == "POL.1.a"]
        assert [choice["name"] for choice in levels] == ["0", "1", "2", "3", "4", "5"]
        assert levels[3]["label::Français (fr)"].startswith("3 – ")
        assert form.settings["default_language"] == "English (en)"
        assert form.settings["version"] == spec.version

    def test_the_xform_carries_constraints_required_flags_and_relevance(self) -> None:
        spec = load_framework_text(DOC_EXAMPLE)
        xform, warnings = _xform(xlsform_workbook(spec))
        assert warnings == []
        assert 'constraint=". &gt;= 0 and . &lt;= 1000"' in xform
        assert 'required="true()"' in xform
        # CON.1.c is shown when CON.1.a is answered.
        assert "/CON.1.a  != ''" in xform
        assert "Saisissez un nombre entre 0 et 1000." in xform

    @pytest.mark.skipif(shutil.which("java") is None, reason="ODK Validate needs Java")
    def test_odk_validate_accepts_the_default_framework(self) -> None:
        spec = load_framework_file(FRAMEWORKS / "dcna-2026.yaml")
        warnings: list[str] = []
        convert(xlsform_workbook(spec), warnings=warnings, file_type=".xlsx", validate=True)
        assert warnings == []


class ShowIfTranslationTests(SimpleTestCase):
    """Known answers: the three-valued show_if logic (expressions.py) in two-valued XPath."""

    spec = load_framework_text(DOC_EXAMPLE)

    def xpath(self, source: str) -> str:
        return show_if_to_xpath(source, self.spec)

    def test_a_comparison_is_guarded_so_an_unanswered_question_hides_the_follow_up(self) -> None:
        assert self.xpath("POL.1.a >= 2") == "(${POL.1.a} != '' and ${POL.1.a} >= 2)"

    def test_not_is_pushed_down_so_it_stays_false_while_unanswered(self) -> None:
        assert self.xpath("not POL.1.a >= 2") == "(${POL.1.a} != '' and not(${POL.1.a} >= 2))"
        assert self.xpath("not (POL.1.a >= 2 and CON.1.a > 5)") == (
            "((${POL.1.a} != '' and not(${POL.1.a} >= 2))"
            " or (${CON.1.a} != '' and not(${CON.1.a} > 5)))"
        )

    def test_membership_in_a_list_and_in_a_multiple_choice_answer(self) -> None:
        assert self.xpath("POL.2.a in ['yes', 'partial']") == (
            "(${POL.2.a} != '' and (${POL.2.a} = 'yes' or ${POL.2.a} = 'partial'))"
        )
        assert self.xpath("'women' in POL.2.c") == (
            "(${POL.2.c} != '' and selected(${POL.2.c}, 'women'))"
        )

    def test_answered_is_total(self) -> None:
        assert self.xpath("answered(CON.1.a)") == "${CON.1.a} != ''"
        assert self.xpath("not answered(CON.1.a)") == "${CON.1.a} = ''"


class XlsformDownloadTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.framework = load_test_framework()
        cls.draft = load_test_framework(version="9.9-draft", status=FrameworkStatus.DRAFT)
        cls.focal = make_focal_point("SEN")
        cls.admin = make_user(is_superuser=True, is_staff=True)

    def test_the_framework_page_links_to_an_xlsform_that_pyxform_converts(self) -> None:
        assert self.client.login(username=self.focal.username, password=PASSWORD)
        url = reverse(
            "exchange:framework-xlsform", args=[self.framework.code, self.framework.version]
        )
        page = self.client.get(
            reverse("surveys:framework-detail", args=[self.framework.code, self.framework.version])
        )
        self.assertContains(page, url)
        response = self.client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].endswith('-xlsform.xlsx"')
        workbook = load_workbook(io.BytesIO(response.content))
        assert workbook.sheetnames == ["survey", "choices", "settings"]
        assert _xform(response.content)[1] == []

    def test_a_draft_is_hidden_from_members_and_shown_to_administrators(self) -> None:
        url = reverse("exchange:framework-xlsform", args=[self.draft.code, self.draft.version])
        assert self.client.login(username=self.focal.username, password=PASSWORD)
        assert self.client.get(url).status_code == 404
        assert self.client.login(username=self.admin.username, password=PASSWORD)
        assert self.client.get(url).status_code == 200

    def test_the_command_writes_the_workbook(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            output = Path(folder) / "form.xlsx"
            call_command(
                "export_xlsform",
                self.framework.code,
                self.framework.version,
                "-o",
                str(output),
                stdout=io.StringIO(),
            )
            assert _xform(output.read_bytes())[1] == []

"""Exports in the requester's language (issue 21, item 5): headings and choice values in Arabic
or Spanish when the reader asks for words, codes for scripts; XLSX sheets right to left in
Arabic (the export and the offline workbook)."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from exchange.workbook import offline_workbook
from surveys.models import Answer, AnswerStatus
from tests.factories import make_assessment, make_focal_point

URL = "exchange:export-download"


class ExportLanguageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.focal = make_focal_point("SEN")
        cls.assessment = make_assessment("SEN")
        Answer.objects.create(assessment=cls.assessment, question_code="GOV.1.a", value=2)
        Answer.objects.create(
            assessment=cls.assessment,
            question_code="GOV.1.b",
            status=AnswerStatus.DONT_KNOW,
        )

    def setUp(self) -> None:
        self.client.force_login(self.focal)

    def download(self, language: str, file_format: str, **extra: str) -> bytes:
        query = {"dataset": "answers", "file_format": file_format, "layout": "long", **extra}
        response = self.client.get(reverse(URL), query, HTTP_ACCEPT_LANGUAGE=language)
        self.assertEqual(response.status_code, 200)
        return b"".join(response.streaming_content)

    def test_the_export_page_offers_words_by_default(self) -> None:
        page = self.client.get(reverse("exchange:export"), HTTP_ACCEPT_LANGUAGE="ar")
        self.assertContains(page, '<option value="words" selected>')
        self.assertContains(page, "عناوين الأعمدة")

    def test_csv_headings_and_words_in_arabic(self) -> None:
        body = self.download("ar", "csv", headings="words").decode("utf-8")
        rows = list(csv.DictReader(io.StringIO(body)))
        self.assertIn("رمز البلد", rows[0])
        self.assertIn("حالة الإجابة", rows[0])
        self.assertEqual(rows[0]["رمز البلد"], "SEN")
        self.assertEqual(rows[0]["البلد"], "السّنغال")
        statuses = {row["رمز السؤال"]: row["حالة الإجابة"] for row in rows}
        self.assertEqual(
            statuses["GOV.1.b"], str(AnswerStatus.DONT_KNOW.label.__class__) and statuses["GOV.1.b"]
        )
        self.assertRegex(statuses["GOV.1.b"], r"[\u0621-\u064a]")
        self.assertNotEqual(statuses["GOV.1.b"], "dont_know")

    def test_json_keys_in_spanish(self) -> None:
        rows = json.loads(self.download("es", "json", headings="words"))
        self.assertEqual(rows[0]["Código del país"], "SEN")
        self.assertIn("Estado de la respuesta", rows[0])

    def test_without_the_choice_a_script_keeps_the_codes(self) -> None:
        rows = json.loads(self.download("ar", "json"))
        self.assertEqual(rows[0]["country"], "SEN")
        self.assertIn(rows[0]["status"], {"answered", "dont_know"})
        rows = json.loads(self.download("ar", "json", headings="codes"))
        self.assertIn("question_code", rows[0])

    def test_an_arabic_xlsx_reads_right_to_left_and_an_english_one_does_not(self) -> None:
        arabic = self.download("ar", "xlsx", headings="words")
        sheet = load_workbook(io.BytesIO(arabic)).active
        self.assertTrue(sheet.sheet_view.rightToLeft)
        self.assertEqual(sheet["A1"].value, "رمز البلد")
        with zipfile.ZipFile(io.BytesIO(arabic)) as package:
            self.assertIn(b'rightToLeft="1"', package.read("xl/worksheets/sheet1.xml"))
        english = load_workbook(io.BytesIO(self.download("en", "xlsx", headings="words"))).active
        self.assertFalse(english.sheet_view.rightToLeft)
        self.assertEqual(english["A1"].value, "Country code")

    def test_the_offline_workbook_reads_right_to_left_in_arabic(self) -> None:
        arabic = load_workbook(io.BytesIO(offline_workbook(self.assessment, language="ar")))
        self.assertTrue(all(sheet.sheet_view.rightToLeft for sheet in arabic.worksheets))
        french = load_workbook(io.BytesIO(offline_workbook(self.assessment, language="fr")))
        self.assertFalse(any(sheet.sheet_view.rightToLeft for sheet in french.worksheets))

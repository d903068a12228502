"""Export and import pages: streamed downloads, templates, upload → preview → apply."""

from __future__ import annotations

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import StreamingHttpResponse
from django.test import TestCase, override_settings
from django.urls import reverse

from scoring.models import IndicatorStatistic
from surveys.models import Answer, Assessment, AssessmentState, Role
from tests.exchange.helpers import csv_bytes
from tests.factories import PASSWORD, give_role, make_assessment, make_focal_point, make_user


class PageTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.focal = make_focal_point("SEN")
        cls.assessment = make_assessment("SEN")
        cls.admin = make_user(is_superuser=True, is_staff=True)
        cls.stranger = make_focal_point("KEN")

    def login(self, user: object) -> None:
        assert self.client.login(username=user.username, password=PASSWORD)


class ExportPageTests(PageTestCase):
    def test_the_download_is_streamed_as_an_attachment(self) -> None:
        Answer.objects.create(assessment=self.assessment, question_code="GOV.1.a", value=2)
        self.login(self.focal)
        response = self.client.get(
            reverse("exchange:export-download"),
            {"dataset": "answers", "file_format": "csv", "layout": "wide", "bom": "on"},
        )
        assert isinstance(response, StreamingHttpResponse)
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith('attachment; filename="answers-wide-')
        body = b"".join(response.streaming_content)
        assert body.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
        assert rows[0]["GOV.1.a"] == "2"

    def test_a_stranger_downloads_nothing_of_another_country(self) -> None:
        Answer.objects.create(assessment=self.assessment, question_code="GOV.1.a", value=2)
        self.login(self.stranger)
        response = self.client.get(
            reverse("exchange:export-download"),
            {"dataset": "answers", "file_format": "json", "layout": "long"},
        )
        assert b"".join(response.streaming_content) == b"[\n]\n"

    def test_priorities_are_refused_to_non_planners_and_bad_choices_are_400(self) -> None:
        self.login(self.focal)
        url = reverse("exchange:export-download")
        query = {"dataset": "priorities", "file_format": "csv", "layout": "long"}
        assert self.client.get(url, query).status_code == 403
        assert self.client.get(url, query | {"dataset": "passwords"}).status_code == 400


class TemplatePageTests(PageTestCase):
    def test_the_answers_template_can_carry_the_current_answers(self) -> None:
        Answer.objects.create(
            assessment=self.assessment, question_code="NET.2.b", value=["fibre", "microwave"]
        )
        self.login(self.focal)
        framework = self.assessment.framework
        url = reverse(
            "exchange:import-template",
            kwargs={
                "code": framework.code,
                "version": framework.version,
                "kind": "answers",
                "file_format": "csv",
            },
        )
        body = b"".join(self.client.get(url, {"assessment": self.assessment.pk}).streaming_content)
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
        assert (
            next(r for r in rows if r["question_code"] == "NET.2.b")["value"] == "fibre|microwave"
        )
        self.login(self.stranger)
        assert self.client.get(url, {"assessment": self.assessment.pk}).status_code == 404


class AnswersImportPageTests(PageTestCase):
    def url(self) -> str:
        return reverse("exchange:answers-import", kwargs={"pk": self.assessment.pk})

    def upload(self, data: bytes, **fields: str) -> object:
        return self.client.post(
            self.url(), {"file": SimpleUploadedFile("answers.csv", data), "dry_run": "on", **fields}
        )

    def test_upload_previews_then_applies_the_same_file(self) -> None:
        self.login(self.focal)
        response = self.upload(csv_bytes([["question_code", "value"], ["GOV.1.a", "3"]]))
        assert response.status_code == 200
        assert "Preview: nothing has been written yet" in response.content.decode()
        assert not Answer.objects.exists()
        token = response.context["token"]
        applied = self.client.post(self.url(), {"token": token})
        assert applied.status_code == 302
        assert Answer.objects.get().value == 3
        assert self.client.post(self.url(), {"token": token}).status_code == 404  # used once

    def test_errors_are_listed_with_row_column_and_reason(self) -> None:
        self.login(self.focal)
        response = self.upload(
            csv_bytes([["question_code", "value"], ["GOV.1.a", "9"], ["ZZZ", "1"]])
        )
        assert response.status_code == 400
        page = response.content.decode()
        assert "2 problems: nothing was written" in page
        assert "Choose one of the levels 0 to 5." in page and "There is no question ZZZ" in page

    def test_an_approved_assessment_shows_the_lock_and_refuses_uploads_with_409(self) -> None:
        Assessment.objects.filter(pk=self.assessment.pk).update(state=AssessmentState.APPROVED)
        self.login(self.focal)
        assert "cannot be changed" in self.client.get(self.url()).content.decode()
        response = self.upload(csv_bytes([["question_code", "value"], ["GOV.1.a", "3"]]))
        assert response.status_code == 409 and not Answer.objects.exists()

    def test_a_file_that_is_not_utf8_gets_a_clear_message(self) -> None:
        self.login(self.focal)
        data = csv_bytes([["question_code", "value"], ["GOV.2.a", "Télécom"]], encoding="cp1252")
        response = self.upload(data)
        assert response.status_code == 400
        assert "Line 2 is not valid UTF-8" in response.content.decode()
        assert self.upload(data, encoding="cp1252").status_code == 200

    @override_settings(IMPORT_MAX_BYTES=20 * 1024 * 1024)
    def test_a_50_mb_upload_is_refused_by_the_size_limit(self) -> None:
        self.login(self.focal)
        data = b"question_code,value\r\n" + b"GOV.1.a,3\r\n" * (50 * 1024 * 1024 // 11)
        response = self.upload(data)
        assert response.status_code == 400
        assert "the largest file accepted is 20 MB" in response.content.decode()
        assert not Answer.objects.exists()


class StatisticsImportPageTests(PageTestCase):
    def test_administrators_import_statistics_with_a_preview(self) -> None:
        give_role(self.focal, Role.REVIEWER, self.assessment.country)
        self.login(self.admin)
        url = reverse("exchange:statistics-import")
        data = csv_bytes(
            [
                ["country", "code", "year", "value", "source"],
                ["SEN", "NET.1.a", "2024", "58", "ITU"],
            ]
        )
        preview = self.client.post(
            url, {"file": SimpleUploadedFile("s.csv", data), "dry_run": "on"}
        )
        assert preview.status_code == 200 and not IndicatorStatistic.objects.exists()
        assert self.client.post(url, {"token": preview.context["token"]}).status_code == 302
        assert IndicatorStatistic.objects.get().value == 58

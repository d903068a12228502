"""The evidence form states its size limit and accepted types (issue 14, item 8)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse

from surveys.models import Evidence
from tests.factories import make_assessment, make_focal_point


@override_settings(EVIDENCE_MAX_BYTES=2 * 1024 * 1024)
class EvidenceLimitTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.alice = make_focal_point("SEN", "alice")

    def setUp(self) -> None:
        self.assessment = make_assessment("SEN")
        self.client.force_login(self.alice)
        self.url = reverse("surveys:evidence-list", args=[self.assessment.pk, "GOV.1.a"])

    def test_the_field_shows_the_limit_and_types_and_tells_the_browser(self) -> None:
        page = self.client.get(self.url)
        self.assertContains(page, "up to 2 MB")
        self.assertContains(page, 'accept=".doc,.docx,.gif,.jpeg,.jpg,.odp,.ods,.odt,.pdf,')
        self.assertContains(page, 'data-max-bytes="2097152"')
        self.assertContains(page, 'aria-describedby="id_file_help"')
        self.client.cookies["django_language"] = "fr"
        self.assertContains(self.client.get(self.url), "jusqu&#x27;à 2 Mo")

    def test_the_server_still_refuses_a_file_over_the_limit(self) -> None:
        upload = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024))
        response = self.client.post(self.url, {"file": upload})
        self.assertContains(response, "larger than the 2 MB allowed", status_code=400)
        assert not Evidence.objects.exists()

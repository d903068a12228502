"""Every page stays under 100 KB of HTML, CSS and JavaScript (images aside), on demo data.

Focal points work from ministries with slow links; the budget is issue 2's.
"""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import TestCase, override_settings

from demo.loader import DEMO_PASSWORD
from surveys.models import Assessment, AssessmentState, Framework

BUDGET_BYTES = 100 * 1024
STATIC_REFERENCE = re.compile(r'(?:href|src)="/static/([^"?#]+\.(?:css|js))"')


def page_weight(html: bytes) -> int:
    """HTML plus every local stylesheet and script it references."""
    weight = len(html)
    for path in set(STATIC_REFERENCE.findall(html.decode("utf-8"))):
        weight += (Path(settings.BASE_DIR) / "static" / path).stat().st_size
    return weight


@override_settings(DEBUG=True)
class PageWeightTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        with cls.captureOnCommitCallbacks(execute=True):
            call_command("seed_demo", stdout=StringIO())
        cls.approved = Assessment.objects.get(country__alpha3="SEN", round=2026)
        cls.in_review = Assessment.objects.get(
            state=AssessmentState.IN_REVIEW, country__alpha3="KEN"
        )
        cls.draft = Assessment.objects.get(country__alpha3="ALB")
        cls.framework = Framework.objects.get(code="dcna")

    def assert_within_budget(self, username: str, urls: list[str]) -> None:
        assert self.client.login(username=username, password=DEMO_PASSWORD)
        for url in urls:
            response = self.client.get(url, follow=True)
            assert response.status_code == 200, url
            weight = page_weight(response.content)
            assert weight < BUDGET_BYTES, f"{url} weighs {weight / 1024:.1f} KB"

    def test_planner_pages(self) -> None:
        self.assert_within_budget(
            "planner",
            [
                "/",
                "/assessments/",
                f"/assessments/{self.approved.pk}/",
                f"/assessments/{self.approved.pk}/scores/",
                f"/assessments/{self.approved.pk}/history/",
                "/reports/countries/SEN/",
                "/reports/regional/",
                "/planning/",
                "/planning/countries/SEN/",
                "/planning/demand/",
                "/planning/catalogue/",
                "/frameworks/",
                f"/frameworks/{self.framework.code}/{self.framework.version}/",
            ],
        )

    def test_reviewer_pages(self) -> None:
        self.assert_within_budget(
            "reviewer.ken", [f"/assessments/{self.in_review.pk}/review/", "/work-queue/"]
        )

    def test_focal_point_wizard_pages(self) -> None:
        self.assert_within_budget(
            "focal.alb",
            [f"/assessments/{self.draft.pk}/edit/", f"/assessments/{self.draft.pk}/edit/review/"],
        )

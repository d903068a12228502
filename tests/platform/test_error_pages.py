"""400/403/404/500 pages in the site's design and the user's language, without internals."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.test import RequestFactory, TestCase, override_settings
from django.utils import translation

from needs_assessment import errors
from tests.factories import make_assessment, make_focal_point


def failing_context_processor(request):
    raise RuntimeError("a context processor broke")


class ErrorPageTests(TestCase):
    def test_a_missing_page_is_in_the_site_design_and_the_users_language(self) -> None:
        self.client.cookies["django_language"] = "fr"
        response = self.client.get("/no/such/page/")
        assert response.status_code == 404
        self.assertContains(response, "Page introuvable", status_code=404)
        self.assertContains(response, 'class="site-header"', status_code=404)
        self.assertContains(response, '<html lang="fr"', status_code=404)

    def test_another_countrys_assessment_shows_no_internals(self) -> None:
        kim = make_focal_point("KEN", "kim")
        assessment = make_assessment("SEN")
        self.client.force_login(kim)
        response = self.client.get(f"/assessments/{assessment.pk}/")
        assert response.status_code == 404
        self.assertNotContains(response, "matches the given query", status_code=404)
        self.assertNotContains(response, "No Assessment", status_code=404)

    @override_settings(
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [__import__("django.conf").conf.settings.BASE_DIR / "templates"],
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "tests.platform.test_error_pages.failing_context_processor"
                    ]
                },
            }
        ]
    )
    def test_error_pages_render_even_when_context_processors_fail(self) -> None:
        request = RequestFactory().get("/somewhere/")
        with translation.override("fr"):
            pages = {
                400: errors.bad_request(request, ValueError("internal detail")),
                403: errors.permission_denied(request, PermissionDenied("internal detail")),
                404: errors.page_not_found(request, ValueError("internal detail")),
                500: errors.server_error(request),
            }
        for status, response in pages.items():
            with self.subTest(status=status):
                assert response.status_code == status
                page = response.content.decode()
                assert f"erreur {status}" in page
                assert "internal detail" not in page
                assert 'class="site-header"' in page

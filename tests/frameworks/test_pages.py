"""The public framework pages and the read-only admin."""

from __future__ import annotations

from django.contrib.admin.sites import site
from django.test import RequestFactory, TestCase
from django.urls import reverse

from surveys.frameworks.loader import load_framework_file
from surveys.frameworks.persistence import framework_load
from surveys.models import Framework
from tests.factories import PASSWORD, make_user
from tests.frameworks.helpers import DEFAULT_FRAMEWORK, FIXTURES


class FrameworkPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.published = framework_load(load_framework_file(DEFAULT_FRAMEWORK), publish=True)
        cls.draft = framework_load(load_framework_file(FIXTURES / "tiny-v1.yaml"), publish=False)
        # alice: a member without any role; staff: can see drafts too.
        cls.alice = make_user("alice")
        cls.staff = make_user("staff", is_staff=True)

    def detail_url(self, framework: Framework) -> str:
        return reverse("surveys:framework-detail", args=[framework.code, framework.version])

    def test_anonymous_visitors_are_sent_to_the_login_page(self) -> None:
        for url in [reverse("surveys:framework-list"), self.detail_url(self.published.framework)]:
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302)
            self.assertIn(reverse("login"), response["Location"])

    def test_members_see_published_frameworks_but_not_drafts(self) -> None:
        self.client.login(username="alice", password=PASSWORD)
        response = self.client.get(reverse("surveys:framework-list"))
        self.assertContains(response, "Digital Capacity Needs Assessment")
        self.assertNotContains(response, "Tiny framework")
        self.assertEqual(self.client.get(self.detail_url(self.draft.framework)).status_code, 404)

    def test_staff_see_drafts(self) -> None:
        self.client.login(username="staff", password=PASSWORD)
        self.assertContains(self.client.get(reverse("surveys:framework-list")), "Tiny framework")
        self.assertEqual(self.client.get(self.detail_url(self.draft.framework)).status_code, 200)

    def test_the_detail_page_shows_questions_levels_help_weights_and_methodology(self) -> None:
        self.client.login(username="alice", password=PASSWORD)
        response = self.client.get(self.detail_url(self.published.framework))
        self.assertContains(response, "How mature is the national digital transformation strategy?")
        self.assertContains(response, "A costed action plan with owners is being implemented.")
        self.assertContains(response, "Look for an adopted strategy")
        self.assertContains(response, "Weight: 60 % of the indicator")
        self.assertContains(response, "Lower is better: 2 or less scores 100, 25 or more scores 0.")
        self.assertContains(response, "ln(x + 1)")
        self.assertContains(response, "Target: 90 out of 100.")
        self.assertContains(response, "Each question is turned into a score from 0 to 100.")
        self.assertContains(response, "Transformational")
        self.assertContains(response, "<code>POL.1.a &gt;= 2</code>", html=False)

    def test_the_detail_page_follows_the_language_of_the_user(self) -> None:
        self.client.login(username="alice", password=PASSWORD)
        response = self.client.get(
            self.detail_url(self.published.framework), HTTP_ACCEPT_LANGUAGE="fr"
        )
        self.assertContains(response, "Évaluation des besoins en capacités numériques")
        self.assertContains(response, "Stratégie numérique nationale")

    def test_an_unknown_version_is_not_found(self) -> None:
        self.client.login(username="alice", password=PASSWORD)
        url = reverse("surveys:framework-detail", args=["dcna", "1999"])
        self.assertEqual(self.client.get(url).status_code, 404)


class FrameworkAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.published = framework_load(
            load_framework_file(FIXTURES / "tiny-v1.yaml"), publish=True
        ).framework
        cls.draft = framework_load(
            load_framework_file(FIXTURES / "tiny-v2.yaml"), publish=False
        ).framework
        cls.superuser = make_user("root", is_staff=True, is_superuser=True)

    def setUp(self) -> None:
        self.request = RequestFactory().get("/")
        self.request.user = self.superuser
        self.admin = site._registry[Framework]

    def test_published_frameworks_cannot_be_changed_or_deleted(self) -> None:
        self.assertFalse(self.admin.has_change_permission(self.request, self.published))
        self.assertFalse(self.admin.has_delete_permission(self.request, self.published))
        self.assertTrue(self.admin.has_view_permission(self.request, self.published))

    def test_drafts_can_be_deleted_but_frameworks_are_never_added_by_hand(self) -> None:
        self.assertTrue(self.admin.has_delete_permission(self.request, self.draft))
        self.assertFalse(self.admin.has_add_permission(self.request))

    def test_the_admin_pages_render_for_a_superuser(self) -> None:
        self.client.force_login(self.superuser)
        change_url = reverse("admin:surveys_framework_change", args=[self.published.pk])
        response = self.client.get(change_url)
        self.assertContains(response, "Tiny framework")
        self.assertEqual(
            self.client.get(reverse("admin:surveys_question_changelist")).status_code, 200
        )

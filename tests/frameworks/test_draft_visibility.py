"""Draft frameworks are visible only to administrators (and staff), on every path that shows a
framework: its page, the list, the XLSForm and import-template downloads and the REST API.

The rule is :func:`surveys.permissions.visible_frameworks`; before, the pages, the import
template and the API each wrote it themselves and the API and the template had drifted
(staff who are not administrators saw drafts on the pages only).
"""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from surveys import permissions
from surveys.models import FrameworkStatus
from tests.factories import PASSWORD, make_focal_point, make_framework, make_user


class DraftVisibilityTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.draft = make_framework(version="9.9-draft", status=FrameworkStatus.DRAFT)
        cls.focal_point = make_focal_point("SEN", "fatou")
        cls.staff = make_user("sam", is_staff=True)
        cls.administrator = make_user("ada", is_staff=True, is_superuser=True)

    def urls(self) -> list[str]:
        code, version = self.draft.code, self.draft.version
        return [
            reverse("surveys:framework-detail", args=[code, version]),
            reverse("exchange:framework-xlsform", args=[code, version]),
            reverse("exchange:import-template", args=[code, version, "statistics", "csv"]),
            f"/api/frameworks/{self.draft.pk}/",
        ]

    def status_codes(self, user: object) -> list[int]:
        client = APIClient()
        assert client.login(username=user.username, password=PASSWORD)
        return [client.get(url).status_code for url in self.urls()]

    def test_a_focal_point_gets_404_for_a_draft_on_every_path(self) -> None:
        assert self.status_codes(self.focal_point) == [404, 404, 404, 404]
        listed = self.client
        listed.force_login(self.focal_point)
        page = listed.get(reverse("surveys:framework-list")).content.decode()
        assert self.draft.version not in page

    def test_administrators_and_staff_see_the_draft_on_every_path(self) -> None:
        for user in (self.administrator, self.staff):
            with self.subTest(user=user.username):
                assert self.status_codes(user) == [200, 200, 200, 200]

    def test_the_rule_is_one_function(self) -> None:
        assert self.draft not in permissions.visible_frameworks(self.focal_point)
        assert self.draft in permissions.visible_frameworks(self.staff)

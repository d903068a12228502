"""Every permission question is answered by surveys/permissions.py, and nowhere else.

Views, services and the API ask it through named checks (``Action.CONTRIBUTE`` for answers,
evidence, imports and invitations) instead of repeating role or ``is_staff`` tests, which drift.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import TestCase

from surveys import permissions
from surveys.permissions import Action
from tests.factories import make_assessment, make_focal_point, make_reviewer, make_user

ROOT = Path(__file__).resolve().parents[2]
APPS = (
    "surveys",
    "scoring",
    "reports",
    "needs_assessment",
    "planning",
    "exchange",
    "charts",
    "api",
    "demo",
)
# Role tests written by hand outside the permissions module.
HAND_WRITTEN_CHECKS = re.compile(r"\.is_staff\b(?!\s*=)|is_focal_point_for\(")


def test_no_module_but_permissions_tests_staff_or_focal_point_roles_itself() -> None:
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if path == ROOT / "surveys" / "permissions.py" or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if HAND_WRITTEN_CHECKS.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


class ContributeActionTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.focal_point = make_focal_point("SEN")
        cls.reviewer = make_reviewer("SEN")
        cls.stranger = make_focal_point("KEN")
        cls.administrator = make_user(is_staff=True, is_superuser=True)
        cls.assessment = make_assessment("SEN")

    def test_only_the_countrys_focal_points_contribute_and_strangers_get_404(self) -> None:
        permissions.check_assessment_action(self.focal_point, self.assessment, Action.CONTRIBUTE)
        for person in (self.reviewer, self.administrator):
            with pytest.raises(PermissionDenied):
                permissions.check_assessment_action(person, self.assessment, Action.CONTRIBUTE)
        with pytest.raises(Http404):
            permissions.check_assessment_action(self.stranger, self.assessment, Action.CONTRIBUTE)

    def test_the_admin_site_check_is_active_staff(self) -> None:
        assert permissions.can_use_admin_site(self.administrator)
        assert not permissions.can_use_admin_site(self.focal_point)
        self.administrator.is_active = False
        assert not permissions.can_use_admin_site(self.administrator)

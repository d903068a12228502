"""Admin changes that decide who sees what are audited; assessments are read-only there.

ada is an administrator (superuser); alice becomes Senegal's focal point through the admin.
"""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from surveys.models import AuditEvent, Role, RoleAssignment
from tests.factories import country, make_user


class AdminAuditTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.ada = make_user("ada", is_staff=True, is_superuser=True)
        cls.alice = make_user("alice")

    def setUp(self) -> None:
        self.client.force_login(self.ada)

    def events(self, object_type: str) -> list[tuple[str, str, object, object]]:
        return list(
            AuditEvent.objects.filter(object_type=object_type)
            .order_by("pk")
            .values_list("action", "field", "old_value", "new_value")
        )

    def test_giving_changing_and_withdrawing_a_role_is_audited_with_who_did_it(self) -> None:
        senegal, kenya = country("SEN"), country("KEN")
        add = reverse("admin:surveys_roleassignment_add")
        fields = {"user": self.alice.pk, "role": Role.FOCAL_POINT, "country": senegal.pk}
        assert self.client.post(add, fields).status_code == 302
        assignment = RoleAssignment.objects.get(user=self.alice)
        change = reverse("admin:surveys_roleassignment_change", args=[assignment.pk])
        assert self.client.post(change, fields | {"country": kenya.pk}).status_code == 302
        delete = reverse("admin:surveys_roleassignment_delete", args=[assignment.pk])
        assert self.client.post(delete, {"post": "yes"}).status_code == 302
        assert not RoleAssignment.objects.exists()
        assert self.events("role_assignment") == [
            ("role_assign", "user", None, "alice"),
            ("role_assign", "role", None, "focal_point"),
            ("role_assign", "country", None, "SEN"),
            ("role_change", "country", "SEN", "KEN"),
            (
                "role_revoke",
                "role",
                {"user": "alice", "role": "focal_point", "country": "KEN"},
                None,
            ),
        ]
        assert set(AuditEvent.objects.values_list("actor", flat=True)) == {self.ada.pk}

    def test_withdrawing_roles_in_bulk_is_audited_for_each(self) -> None:
        for role in (Role.PLANNER, Role.ADMINISTRATOR):
            RoleAssignment.objects.create(user=self.alice, role=role)
        changelist = reverse("admin:surveys_roleassignment_changelist")
        response = self.client.post(
            changelist,
            {
                "action": "delete_selected",
                "_selected_action": list(RoleAssignment.objects.values_list("pk", flat=True)),
                "post": "yes",
            },
        )
        assert response.status_code == 302 and not RoleAssignment.objects.exists()
        revoked = [event[2]["role"] for event in self.events("role_assignment")]
        assert sorted(revoked) == ["administrator", "planner"]

    def test_making_an_account_staff_or_superuser_is_audited(self) -> None:
        change = reverse("admin:auth_user_change", args=[self.alice.pk])
        page = self.client.get(change)
        assert page.status_code == 200
        data = {
            "username": "alice",
            "email": "alice@example.org",
            "first_name": "Alice",
            "last_name": "",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
            "initial-date_joined_0": "2026-01-01",
            "initial-date_joined_1": "10:00:00",
        }
        assert self.client.post(change, data).status_code == 302
        assert self.events("user") == [
            ("account_change", "is_staff", False, True),
            ("account_change", "is_superuser", False, True),
        ]

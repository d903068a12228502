"""Who holds which role, and which account flags: changed through here, and audited.

The admin is the only place these change by hand, so its save and delete hooks call these
functions; each writes the change and one audit event per changed field in one transaction.
Role changes decide who reads and edits a country's assessments, so they belong in the same
trail as the assessments' own changes (with no assessment attached).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from surveys.audit import Change, audit_record
from surveys.models import RoleAssignment

__all__ = [
    "ACCOUNT_FLAGS",
    "account_save",
    "role_assignment_delete",
    "role_assignment_save",
]

#: Account fields that grant or withdraw access: changes to them are audited.
ACCOUNT_FLAGS = ("is_active", "is_staff", "is_superuser")


def _role_fields(assignment: RoleAssignment | None) -> dict[str, Any]:
    if assignment is None:
        return {"user": None, "role": None, "country": None}
    return {
        "user": assignment.user.get_username(),
        "role": assignment.role,
        "country": assignment.country.alpha3 if assignment.country_id else None,
    }


def role_assignment_save(
    *, assignment: RoleAssignment, actor: AbstractBaseUser | None
) -> RoleAssignment:
    """Create or change ``assignment`` and audit each changed field (user, role, country)."""
    with transaction.atomic():
        stored = (
            RoleAssignment.objects.select_related("user", "country")
            .filter(pk=assignment.pk)
            .first()
            if assignment.pk
            else None
        )
        before = _role_fields(stored)
        assignment.save()
        after = _role_fields(assignment)
        action = "role_assign" if stored is None else "role_change"
        changes = [
            Change(
                object_type="role_assignment",
                object_ref=str(assignment.pk),
                field=name,
                old_value=before[name],
                new_value=after[name],
                action=action,
            )
            for name in after
            if before[name] != after[name]
        ]
        audit_record(assessment=None, actor=actor, changes=changes)
    return assignment


def role_assignment_delete(*, assignment: RoleAssignment, actor: AbstractBaseUser | None) -> None:
    """Withdraw ``assignment``; the audit event keeps who held which role."""
    with transaction.atomic():
        before = _role_fields(assignment)
        reference = str(assignment.pk)
        assignment.delete()
        audit_record(
            assessment=None,
            actor=actor,
            changes=[
                Change(
                    object_type="role_assignment",
                    object_ref=reference,
                    field="role",
                    old_value=before,
                    new_value=None,
                    action="role_revoke",
                )
            ],
        )


def account_save(
    *, user: AbstractBaseUser, actor: AbstractBaseUser | None, created: bool = False
) -> AbstractBaseUser:
    """Save an account and audit changes to the flags that grant access (:data:`ACCOUNT_FLAGS`)."""
    model = type(user)
    with transaction.atomic():
        stored = None if created or not user.pk else model.objects.filter(pk=user.pk).first()
        user.save()
        changes = [
            Change(
                object_type="user",
                object_ref=user.get_username(),
                field=name,
                old_value=getattr(stored, name) if stored is not None else None,
                new_value=getattr(user, name),
                action="account_create" if stored is None else "account_change",
            )
            for name in ACCOUNT_FLAGS
            if stored is None or getattr(stored, name) != getattr(user, name)
        ]
        audit_record(assessment=None, actor=actor, changes=changes)
    return user

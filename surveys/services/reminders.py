"""Reminding stakeholders who have not answered yet.

Only the SHA-256 of a personal link's token is stored, so a reminder cannot repeat the old link:
it issues a new token (the old link stops working) and e-mails the new link. Each reminder is an
audit event (``stakeholder_remind``), which is also how the next run knows when the last
reminder went out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from surveys.audit import Change, audit_record
from surveys.models import AssessmentState, AuditEvent, StakeholderInvitation
from surveys.notifications import stakeholder_reminder_send

REMIND_ACTION = "stakeholder_remind"


def _token_hash(token: str) -> str:
    # The same digest surveys.services.stakeholders stores and looks links up by.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def stakeholder_remind(
    *, invitation: StakeholderInvitation, actor: AbstractBaseUser | None = None
) -> str:
    """Issue a new personal link for ``invitation`` and e-mail it after commit.

    Returns the new token (shown nowhere else). The previous link stops working.
    """
    from surveys.services.stakeholders import stakeholder_link

    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        StakeholderInvitation.objects.filter(pk=invitation.pk).update(token_hash=_token_hash(token))
        audit_record(
            assessment=invitation.assessment,
            actor=actor,
            actor_label="" if actor is not None else "reminders",
            changes=[
                Change(
                    "stakeholder_invitation",
                    str(invitation.pk),
                    "reminder",
                    None,
                    timezone.now().isoformat(),
                    REMIND_ACTION,
                )
            ],
        )
        transaction.on_commit(
            lambda: stakeholder_reminder_send(invitation=invitation, url=stakeholder_link(token))
        )
    return token


def invitations_due_for_reminder(
    *, after: dt.timedelta, now: dt.datetime | None = None
) -> list[StakeholderInvitation]:
    """Usable invitations without a response, invited (or last reminded) more than ``after``
    ago, whose assessment is still open to stakeholders (not approved)."""
    now = now or timezone.now()
    candidates = list(
        StakeholderInvitation.objects.filter(
            responded_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
            created_at__lte=now - after,
        )
        .exclude(assessment__state=AssessmentState.APPROVED)
        .select_related("assessment__country")
        .order_by("pk")
    )
    last_reminded = dict(
        AuditEvent.objects.filter(
            object_type="stakeholder_invitation",
            action=REMIND_ACTION,
            object_ref__in=[str(invitation.pk) for invitation in candidates],
        )
        .values("object_ref")
        .annotate(latest=Max("created_at"))
        .values_list("object_ref", "latest")
    )
    return [
        invitation
        for invitation in candidates
        if last_reminded.get(str(invitation.pk)) is None
        or last_reminded[str(invitation.pk)] <= now - after
    ]


def stakeholder_reminders_send(*, after: dt.timedelta, now: dt.datetime | None = None) -> int:
    """Remind every stakeholder due (see :func:`invitations_due_for_reminder`); returns how
    many were reminded."""
    due = invitations_due_for_reminder(after=after, now=now)
    for invitation in due:
        stakeholder_remind(invitation=invitation)
    return len(due)

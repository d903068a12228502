"""Stakeholder reminders: who is due, a fresh link that works, the old one that stops."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from surveys.models import AssessmentState, AuditEvent, StakeholderInvitation
from surveys.services.reminders import invitations_due_for_reminder, stakeholder_remind
from surveys.services.stakeholders import (
    InvitationUnusable,
    invitation_resolve,
    stakeholder_invite,
)
from tests.review.support import ReviewTestCase

WEEK = dt.timedelta(days=7)


class ReminderTests(ReviewTestCase):
    def _invite(self, name: str, days_ago: int = 10, **fields: object) -> tuple:
        invited = stakeholder_invite(
            assessment=self.draft,
            actor=self.alice,
            name=name,
            email=f"{name.lower()}@example.org",
            organisation_type="ministry",
            pillars=["GOV"],
            language="fr",
            send=False,
        )
        created = timezone.now() - dt.timedelta(days=days_ago)
        StakeholderInvitation.objects.filter(pk=invited.invitation.pk).update(
            created_at=created, **fields
        )
        return invited.invitation, invited.token

    def test_only_silent_usable_invitations_older_than_the_interval_are_due(self) -> None:
        due, _token = self._invite("Due")
        self._invite("Recent", days_ago=2)
        self._invite("Answered", responded_at=timezone.now())
        self._invite("Revoked", revoked_at=timezone.now())
        self._invite("Expired", expires_at=timezone.now() - dt.timedelta(days=1))
        assert [i.pk for i in invitations_due_for_reminder(after=WEEK)] == [due.pk]

    def test_a_reminder_sends_a_new_working_link_and_retires_the_old_one(self) -> None:
        invitation, old_token = self._invite("Awa")
        with self.captureOnCommitCallbacks(execute=True):
            new_token = stakeholder_remind(invitation=invitation)
        assert invitation_resolve(new_token).pk == invitation.pk
        with pytest.raises(InvitationUnusable):
            invitation_resolve(old_token)
        [message] = mail.outbox
        assert message.to == ["awa@example.org"]
        assert f"/s/{new_token}/" in message.body
        assert "Sénégal" in message.subject  # the stakeholder's language
        assert AuditEvent.objects.filter(action="stakeholder_remind").count() == 1

    def test_a_reminded_invitation_is_not_due_again_until_the_interval_passes(self) -> None:
        invitation, _token = self._invite("Awa")
        stakeholder_remind(invitation=invitation)
        assert invitations_due_for_reminder(after=WEEK) == []
        later = timezone.now() + WEEK + dt.timedelta(hours=1)
        assert [i.pk for i in invitations_due_for_reminder(after=WEEK, now=later)] == [
            invitation.pk
        ]

    def test_approved_assessments_send_no_reminders(self) -> None:
        self._invite("Awa")
        type(self.draft).objects.filter(pk=self.draft.pk).update(state=AssessmentState.APPROVED)
        assert invitations_due_for_reminder(after=WEEK) == []

    def test_the_command_reminds_everyone_due_and_has_a_dry_run(self) -> None:
        self._invite("Awa")
        self._invite("Omar")
        out = StringIO()
        call_command("send_stakeholder_reminders", "--dry-run", stdout=out)
        assert out.getvalue().count("@example.org") == 2
        with self.captureOnCommitCallbacks(execute=True):
            call_command("send_stakeholder_reminders", stdout=out)
        assert "Reminded 2" in out.getvalue()
        assert len(mail.outbox) == 2

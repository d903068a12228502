"""E-mails after workflow steps: recipients, language, link; sent only after commit."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from unittest import mock

from django.core import mail
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from surveys.models import AssessmentState, Query, QueryMessage, UserPreference
from surveys.notifications import (
    language_for,
    stakeholder_invitation_send,
    stakeholder_reminder_send,
)
from surveys.services.workflow import assessment_transition
from tests.factories import complete_answers, make_focal_point, make_reviewer
from tests.review.support import ReviewTestCase, make_in_state

SITE = "https://assess.example.org"


@override_settings(SITE_URL=SITE)
class TransitionNotificationTests(ReviewTestCase):
    def _transition(self, assessment: object, action: str, actor: object, **kw: object) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            assessment_transition(assessment=assessment, action=action, actor=actor, **kw)

    def test_submission_mails_the_reviewers_of_that_country_only(self) -> None:
        second = make_reviewer("SEN", "rosa")
        make_reviewer("KEN", "kim")
        complete_answers(self.draft)
        self._transition(self.draft, "submit", self.alice)
        assert sorted(m.to[0] for m in mail.outbox) == sorted([second.email, self.rita.email])
        message = mail.outbox[0]
        assert "Senegal 2026" in message.subject
        assert f"{SITE}/assessments/{self.draft.pk}/review/" in message.body

    def test_nothing_is_sent_when_the_transaction_does_not_commit(self) -> None:
        complete_answers(self.draft)
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            assessment_transition(assessment=self.draft, action="submit", actor=self.alice)
        assert callbacks  # notifications wait for the commit
        assert mail.outbox == []

    def test_return_mails_the_focal_points_with_the_open_queries(self) -> None:
        other_focal_point = make_focal_point("SEN", "omar")
        query = Query.objects.create(
            assessment=self.in_review, question_code="GOV.1.a", opened_by=self.rita
        )
        QueryMessage.objects.create(query=query, author=self.rita, text="Which strategy?")
        self._transition(self.in_review, "return", self.rita, message="See the queries.")
        assert sorted(m.to[0] for m in mail.outbox) == sorted(
            [self.alice.email, other_focal_point.email]
        )
        body = mail.outbox[0].body
        assert "GOV.1.a: Which strategy?" in body
        assert "See the queries." in body
        assert SITE in body

    def test_approval_mails_the_focal_points(self) -> None:
        self._transition(self.in_review, "approve", self.rita)
        assert [m.to for m in mail.outbox] == [[self.alice.email]]
        assert "approved" in mail.outbox[0].subject.lower()

    def test_starting_a_review_sends_nothing(self) -> None:
        submitted = make_in_state(AssessmentState.SUBMITTED, round=2031)
        self._transition(submitted, "start_review", self.rita)
        assert mail.outbox == []

    def test_each_recipient_reads_the_mail_in_their_last_language(self) -> None:
        UserPreference.objects.create(user=self.alice, language="fr")
        english = make_focal_point("SEN", "emma")
        self._transition(self.in_review, "approve", self.rita)
        by_recipient = {m.to[0]: m for m in mail.outbox}
        french = by_recipient[self.alice.email]
        # The country name comes from pycountry's French translation.
        assert "Sénégal" in french.subject and french.extra_headers["Content-Language"] == "fr"
        assert "Senegal" in by_recipient[english.email].subject

    def test_a_mail_server_failure_does_not_break_the_transition(self) -> None:
        complete_answers(self.draft)
        with mock.patch(
            "django.core.mail.backends.locmem.EmailBackend.send_messages",
            side_effect=OSError("connection refused"),
        ):
            with self.assertLogs("surveys.notifications", "ERROR"):
                self._transition(self.draft, "submit", self.alice)
        self.draft.refresh_from_db()
        assert self.draft.state == AssessmentState.SUBMITTED


class LanguagePreferenceTests(ReviewTestCase):
    def test_the_default_language_is_used_until_the_user_has_one(self) -> None:
        assert language_for(self.alice) == "en"
        UserPreference.objects.create(user=self.alice, language="fr")
        assert language_for(self.alice) == "fr"
        UserPreference.objects.filter(user=self.alice).update(language="xx")
        assert language_for(self.alice) == "en"

    def test_pages_remember_the_language_the_user_reads_in(self) -> None:
        self.client.force_login(self.rita)
        self.client.get("/work-queue/", headers={"accept-language": "fr"})
        assert UserPreference.objects.get(user=self.rita).language == "fr"
        self.client.get("/work-queue/", headers={"accept-language": "en"})
        assert UserPreference.objects.get(user=self.rita).language == "en"

    def test_remembering_costs_no_query_once_recorded(self) -> None:
        self.client.force_login(self.rita)
        self.client.get("/work-queue/")
        with CaptureQueriesContext(connection) as queries:
            self.client.get("/work-queue/")
        assert not any("userpreference" in q["sql"] for q in queries.captured_queries)


@override_settings(SITE_URL=SITE)
class StakeholderMailTests(ReviewTestCase):
    def _invitation(self, language: str = "en") -> SimpleNamespace:
        return SimpleNamespace(
            name="Awa Diop",
            email="awa@example.org",
            assessment=self.draft,
            language=language,
            expires_at=dt.datetime(2026, 12, 31, tzinfo=dt.UTC),
        )

    def test_an_invitation_carries_the_personal_link_and_expiry(self) -> None:
        assert stakeholder_invitation_send(invitation=self._invitation(), url="/s/abc123/") == 1
        message = mail.outbox[0]
        assert message.to == ["awa@example.org"]
        assert f"{SITE}/s/abc123/" in message.body
        assert "Awa Diop" in message.body and "2026" in message.body

    def test_a_reminder_is_written_in_the_stakeholders_language(self) -> None:
        stakeholder_reminder_send(invitation=self._invitation("fr"), url=f"{SITE}/s/xyz/")
        message = mail.outbox[0]
        assert "Sénégal" in message.subject
        assert f"{SITE}/s/xyz/" in message.body

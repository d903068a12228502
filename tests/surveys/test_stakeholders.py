"""Stakeholder contributions through personal links."""

from __future__ import annotations

import datetime
import hashlib
import re

from django.core import mail
from django.test import TestCase
from django.urls import reverse

from surveys.models import (
    Answer,
    AssessmentState,
    AuditEvent,
    OrganisationType,
    StakeholderAnswer,
    StakeholderInvitation,
)
from surveys.services.stakeholders import (
    InvitationError,
    stakeholder_expire,
    stakeholder_invite,
    stakeholder_revoke,
)
from tests.factories import make_assessment, make_focal_point, make_reviewer


class StakeholderTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.alice = make_focal_point("SEN", "alice")
        cls.carol = make_reviewer("SEN", "carol")

    def setUp(self) -> None:
        self.assessment = make_assessment("SEN")

    def invite(self, **overrides):
        fields = {
            "assessment": self.assessment,
            "actor": self.alice,
            "name": "Aminata Diop",
            "email": "aminata@example.org",
            "organisation_type": OrganisationType.REGULATOR,
            "pillars": ["GOV"],
            "language": "en",
        } | overrides
        with self.captureOnCommitCallbacks(execute=True):
            return stakeholder_invite(**fields)

    def link(self, token: str) -> str:
        return reverse("surveys:stakeholder-respond", args=[token])

    def test_the_invitation_e_mail_carries_the_only_copy_of_the_token(self) -> None:
        new = self.invite(language="fr")
        invitation = StakeholderInvitation.objects.get()
        assert invitation.token_hash == hashlib.sha256(new.token.encode()).hexdigest()
        assert new.token not in str(StakeholderInvitation.objects.values().get())
        assert len(new.token) >= 40
        [message] = mail.outbox
        assert message.to == ["aminata@example.org"]
        assert f"http://127.0.0.1:8000{self.link(new.token)}" in message.body
        # Written in the stakeholder's language (the French catalogue comes with integration).
        assert message.extra_headers["Content-Language"] == "fr"
        assert AuditEvent.objects.filter(action="stakeholder_invite").exists()

    def test_the_personal_link_shows_only_the_invited_pillars_in_the_chosen_language(
        self,
    ) -> None:
        new = self.invite(language="fr")
        opened = self.client.get(self.link(new.token))
        # The token leaves the address at once: the page itself is token-free.
        assert opened.status_code == 302
        assert opened["Location"] == reverse("surveys:stakeholder-page")
        assert opened["Referrer-Policy"] == "no-referrer"
        page = self.client.get(opened["Location"])
        assert page.status_code == 200
        self.assertContains(page, "Quelle est la maturité de la stratégie numérique nationale")
        self.assertNotContains(page, "NET.1.a")
        self.assertNotContains(page, "Quelle part de la population utilise Internet")
        assert new.token not in page.content.decode()
        # "no-referrer" would make browsers post with "Origin: null", refused by the CSRF check.
        assert page["Referrer-Policy"] == "same-origin"
        assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]

    def test_stakeholder_answers_are_separate_from_the_official_ones(self) -> None:
        new = self.invite()
        data = {
            "GOV-GOV.1.a-status": "answered",
            "GOV-GOV.1.a": "4",
            "GOV-GOV.1.a-justification": "<b>From the 2024 plan</b>",
            "GOV-GOV.1.b-status": "dont_know",
            "NET-NET.1.a-status": "answered",
            "NET-NET.1.a": "99",
        }
        response = self.client.post(self.link(new.token), data)
        assert response.status_code == 302
        rows = {row.question_code: row for row in StakeholderAnswer.objects.all()}
        assert set(rows) == {"GOV.1.a", "GOV.1.b"}
        assert rows["GOV.1.a"].value == 4
        assert rows["GOV.1.b"].status == "dont_know"
        assert not Answer.objects.exists()
        invitation = StakeholderInvitation.objects.get()
        assert invitation.responded_at is not None
        event = AuditEvent.objects.filter(action="stakeholder_answer").first()
        assert event.actor is None
        assert event.actor_label == "Aminata Diop (Regulator)"
        page = self.client.get(response["Location"])
        self.assertContains(page, "your answers were saved")
        self.assertContains(page, "&lt;b&gt;From the 2024 plan&lt;/b&gt;")

    def test_invalid_stakeholder_values_are_not_stored(self) -> None:
        new = self.invite(pillars=["NET"])
        data = {"NET-NET.1.a-status": "answered", "NET-NET.1.a": "9" * 400}
        response = self.client.post(self.link(new.token), data)
        self.assertContains(response, "This number is too large.")
        assert not StakeholderAnswer.objects.exists()

    def test_expired_revoked_and_unknown_links_get_a_clear_page(self) -> None:
        expired = self.invite()
        stakeholder_expire(invitation=expired.invitation, actor=self.alice)
        response = self.client.get(self.link(expired.token))
        self.assertContains(response, "has expired", status_code=410)
        response = self.client.post(
            self.link(expired.token), {"GOV-GOV.1.a-status": "answered", "GOV-GOV.1.a": "1"}
        )
        assert response.status_code == 410
        revoked = self.invite(email="other@example.org")
        stakeholder_revoke(invitation=revoked.invitation, actor=self.alice)
        self.assertContains(self.client.get(self.link(revoked.token)), "withdrawn", status_code=410)
        self.assertContains(
            self.client.get(self.link("x" * 43)), "do not recognise", status_code=404
        )
        assert not StakeholderAnswer.objects.exists()

    def test_links_close_once_the_assessment_is_approved(self) -> None:
        new = self.invite()
        self.assessment.state = AssessmentState.APPROVED
        self.assessment.save()
        self.assertContains(self.client.get(self.link(new.token)), "approved", status_code=410)

    def test_a_personal_link_opens_no_other_page(self) -> None:
        new = self.invite()
        self.client.get(self.link(new.token))
        detail = reverse("surveys:assessment-detail", args=[self.assessment.pk])
        response = self.client.get(detail)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
        page = self.client.get(self.link(new.token), follow=True).content.decode()
        hrefs = set(re.findall(r'href="([^"#]+)"', page))
        assert all(href.startswith("/static/") for href in hrefs), hrefs

    def test_the_page_needs_the_link_opened_in_this_session_and_stops_when_revoked(
        self,
    ) -> None:
        new = self.invite()
        page = reverse("surveys:stakeholder-page")
        self.assertContains(self.client.get(page), "Open the link from the e-mail", status_code=403)
        self.client.get(self.link(new.token))
        response = self.client.post(page, {"GOV-GOV.1.a-status": "answered", "GOV-GOV.1.a": "2"})
        assert response.status_code == 302
        assert StakeholderAnswer.objects.get().value == 2
        stakeholder_revoke(invitation=new.invitation, actor=self.alice)
        self.assertContains(self.client.get(page), "withdrawn", status_code=410)
        self.client.logout()
        response = self.client.get(page)
        self.assertContains(response, "they were not saved", status_code=403)

    def test_answers_sent_after_the_session_ended_are_saved_when_the_link_is_opened_again(
        self,
    ) -> None:
        new = self.invite()
        page = reverse("surveys:stakeholder-page")
        self.client.get(self.link(new.token))
        self.client.logout()  # the session ends while the page stays open
        response = self.client.post(page, {"GOV-GOV.1.a-status": "answered", "GOV-GOV.1.a": "3"})
        self.assertContains(response, "They are kept in this browser", status_code=403)
        assert not StakeholderAnswer.objects.exists()
        reopened = self.client.get(self.link(new.token))
        assert reopened.status_code == 302
        assert reopened["Location"] == page + "?saved=1"
        assert StakeholderAnswer.objects.get().value == 3
        # Kept once only.
        assert self.client.get(self.link(new.token))["Location"] == page

    def test_a_csrf_failure_on_the_stakeholder_page_points_back_to_the_e_mailed_link(
        self,
    ) -> None:
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        new = self.invite()
        client.get(self.link(new.token))
        response = client.post(
            reverse("surveys:stakeholder-page"),
            {"GOV-GOV.1.a-status": "answered", "GOV-GOV.1.a-justification": "Plan 2024"},
        )
        self.assertContains(response, "Open the personal link", status_code=403)
        self.assertContains(response, "Plan 2024", status_code=403)
        self.assertNotContains(response, "Sign in again", status_code=403)
        assert not StakeholderAnswer.objects.exists()

    def test_invitations_are_validated(self) -> None:
        for overrides in [
            {"pillars": []},
            {"pillars": ["NOPE"]},
            {"email": "not-an-address"},
            {"name": "  "},
            {"organisation_type": "cartel"},
            {"language": "xx"},
            {"valid_for": datetime.timedelta(days=365)},
        ]:
            with self.subTest(**{k: str(v) for k, v in overrides.items()}):
                with self.assertRaises(InvitationError):
                    self.invite(**overrides)
        assert not StakeholderInvitation.objects.exists()
        assert not mail.outbox

    def test_focal_points_invite_see_responses_and_revoke_from_the_page(self) -> None:
        self.client.force_login(self.alice)
        url = reverse("surveys:stakeholder-list", args=[self.assessment.pk])
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                url,
                {
                    "name": "Moussa Ba",
                    "email": "moussa@example.org",
                    "organisation_type": "academia",
                    "pillars": ["GOV", "NET"],
                    "language": "en",
                    "valid_days": "14",
                },
            )
        # The link is shown once on the answer (see test_invitation_link.py), not redirected.
        assert response.status_code == 200
        assert len(mail.outbox) == 1
        invitation = StakeholderInvitation.objects.get()
        assert invitation.pillars == ["GOV", "NET"]
        page = self.client.get(url)
        self.assertContains(page, "Moussa Ba")
        self.assertContains(page, "Not yet")
        revoke = reverse("surveys:stakeholder-revoke", args=[self.assessment.pk, invitation.pk])
        self.client.force_login(self.carol)
        assert self.client.post(revoke).status_code == 403
        assert self.client.post(url, {"name": "X"}).status_code == 403
        self.client.force_login(self.alice)
        self.client.post(revoke)
        invitation.refresh_from_db()
        assert invitation.revoked_at is not None

    def test_an_invitation_without_pillars_is_refused_by_the_form(self) -> None:
        self.client.force_login(self.alice)
        url = reverse("surveys:stakeholder-list", args=[self.assessment.pk])
        response = self.client.post(
            url,
            {
                "name": "X",
                "email": "x@example.org",
                "organisation_type": "other",
                "language": "en",
                "valid_days": "10",
            },
        )
        assert response.status_code == 400
        assert not StakeholderInvitation.objects.exists()

    def test_the_responses_page_shows_the_stakeholder_beside_the_official_answer(self) -> None:
        new = self.invite()
        self.client.post(
            self.link(new.token), {"GOV-GOV.1.a-status": "answered", "GOV-GOV.1.a": "4"}
        )
        self.client.force_login(self.carol)
        page = self.client.get(
            reverse("surveys:stakeholder-responses", args=[self.assessment.pk, new.invitation.pk])
        )
        self.assertContains(page, "Level 4")

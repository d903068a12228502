"""E-mails in the recipient's language, Arabic and Spanish included (issue 21, item 5): workflow
and query e-mails in each recipient's last language, invitations in the language chosen for the
stakeholder, password resets in the account holder's language. Plain text only: no HTML part
(so no ``dir`` to set), with ``Content-Language`` naming the language."""

from __future__ import annotations

from django.core import mail
from django.test import override_settings
from django.urls import reverse

from surveys.models import OrganisationType, Query, QueryMessage, UserPreference
from surveys.services.stakeholders import stakeholder_invite
from surveys.services.workflow import assessment_transition
from tests.factories import complete_answers, make_focal_point, make_reviewer
from tests.review.support import ReviewTestCase

SITE = "https://assess.example.org"


def plain_text_only(message: mail.EmailMessage) -> bool:
    return not getattr(message, "alternatives", None) and message.content_subtype == "plain"


@override_settings(SITE_URL=SITE)
class WorkflowMailLanguageTests(ReviewTestCase):
    def _transition(self, assessment: object, action: str, actor: object, **kw: object) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            assessment_transition(assessment=assessment, action=action, actor=actor, **kw)

    def test_a_returned_assessment_with_queries_is_mailed_in_arabic_and_in_spanish(self) -> None:
        UserPreference.objects.create(user=self.alice, language="ar")
        omar = make_focal_point("SEN", "omar")
        UserPreference.objects.create(user=omar, language="es")
        query = Query.objects.create(
            assessment=self.in_review, question_code="GOV.1.a", opened_by=self.rita
        )
        QueryMessage.objects.create(query=query, author=self.rita, text="أي استراتيجية؟")
        self._transition(self.in_review, "return", self.rita, message="انظر الاستفسارات.")
        by_recipient = {message.to[0]: message for message in mail.outbox}

        arabic = by_recipient[self.alice.email]
        self.assertEqual(arabic.extra_headers["Content-Language"], "ar")
        self.assertTrue(plain_text_only(arabic))
        self.assertIn("السّنغال", arabic.subject)  # the country's name, from pycountry
        self.assertIn("أعاد", arabic.body)  # "... has returned the ... assessment"
        self.assertIn("افتح التقييم:", arabic.body)
        self.assertIn("استفسار واحد مفتوح (1):", arabic.body)  # Arabic plural form for one
        self.assertIn("GOV.1.a: أي استراتيجية؟", arabic.body)
        self.assertIn(f"{SITE}/assessments/{self.in_review.pk}/", arabic.body)

        spanish = by_recipient[omar.email]
        self.assertEqual(spanish.extra_headers["Content-Language"], "es")
        self.assertIn("Senegal", spanish.subject)
        self.assertIn("Abra la evaluación:", spanish.body)

    def test_approval_and_submission_reach_arabic_readers_in_arabic(self) -> None:
        UserPreference.objects.create(user=self.alice, language="ar")
        UserPreference.objects.create(user=self.rita, language="ar")
        complete_answers(self.draft)
        self._transition(self.draft, "submit", self.alice)
        self._transition(self.in_review, "approve", self.rita)
        subjects = {message.to[0]: message.subject for message in mail.outbox}
        self.assertIn("السّنغال", subjects[self.rita.email])
        self.assertTrue(subjects[self.alice.email].startswith("اعتُمد التقييم"))
        self.assertTrue(all(plain_text_only(message) for message in mail.outbox))


@override_settings(SITE_URL=SITE)
class InvitationLanguageTests(ReviewTestCase):
    def test_an_invitation_is_written_in_the_language_chosen_for_the_stakeholder(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            invited = stakeholder_invite(
                assessment=self.draft,
                actor=self.alice,
                name="ليلى حسن",
                email="layla@example.org",
                organisation_type=OrganisationType.ACADEMIA,
                pillars=["GOV"],
                language="ar",
            )
        self.assertEqual(invited.invitation.language, "ar")
        message = mail.outbox[-1]
        self.assertEqual(message.to, ["layla@example.org"])
        self.assertEqual(message.extra_headers["Content-Language"], "ar")
        self.assertIn("السّنغال", message.subject)
        self.assertIn("ليلى حسن", message.body)
        self.assertRegex(message.body, r"[\u0621-\u064a]{4,}")
        self.assertIn(f"{SITE}/", message.body)


class PasswordResetLanguageTests(ReviewTestCase):
    def test_the_reset_mail_is_in_the_account_holders_language(self) -> None:
        UserPreference.objects.create(user=self.alice, language="ar")
        # Asked for from an English page (a shared computer, say).
        self.client.post(
            reverse("password_reset"), {"email": self.alice.email}, HTTP_ACCEPT_LANGUAGE="en"
        )
        message = mail.outbox[-1]
        self.assertEqual(
            message.subject,
            "إعادة تعيين كلمة المرور الخاصة بك في منصة تقييم احتياجات القدرات الرقمية",
        )
        self.assertRegex(message.body, r"[\u0621-\u064a]{4,}")
        self.assertIn("/reset/", message.body)

    def test_without_a_known_language_the_page_language_is_used(self) -> None:
        reviewer = make_reviewer("SEN", "ramon")
        self.client.post(
            reverse("password_reset"), {"email": reviewer.email}, HTTP_ACCEPT_LANGUAGE="es"
        )
        self.assertIn("contraseña", mail.outbox[-1].subject)

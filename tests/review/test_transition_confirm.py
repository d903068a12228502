"""Locking decisions are confirmed on a page that says what happens; approving and reopening are
signed by re-entering the password (REDCap's e-signature); a wrong password changes nothing."""

from __future__ import annotations

from django.urls import reverse

from surveys.models import AssessmentState, Query, QueryMessage
from surveys.services.signature import SignatureError, assessment_transition_signed
from tests.factories import PASSWORD
from tests.review.support import ReviewTestCase, make_in_state, transitions_of


def transition_url(assessment: object, action: str) -> str:
    return reverse("surveys:transition", kwargs={"pk": assessment.pk, "action": action})


class ConfirmationPageTests(ReviewTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.query = Query.objects.create(
            assessment=cls.in_review, question_code="GOV.1.a", opened_by=cls.rita
        )
        QueryMessage.objects.create(query=cls.query, author=cls.rita, text="Is it funded?")

    def test_the_approve_page_says_what_happens_and_counts_open_queries_without_approving(
        self,
    ) -> None:
        self.client.force_login(self.rita)
        page = self.client.get(transition_url(self.in_review, "approve")).content.decode()
        assert "Approving locks the assessment" in page
        assert 'data-open-queries="1"' in page and "1 query is open" in page
        assert "Is it funded?" in page
        assert 'type="password"' in page
        self.in_review.refresh_from_db()
        assert self.in_review.state == AssessmentState.IN_REVIEW

    def test_the_return_page_asks_no_password(self) -> None:
        self.client.force_login(self.rita)
        page = self.client.get(transition_url(self.in_review, "return")).content.decode()
        assert "goes back to the focal point" in page
        assert 'type="password"' not in page

    def test_the_confirmation_page_is_in_french(self) -> None:
        self.client.force_login(self.rita)
        self.client.cookies["django_language"] = "fr"
        page = self.client.get(transition_url(self.in_review, "approve")).content.decode()
        assert "verrouille l&#x27;évaluation" in page or "verrouille l'évaluation" in page
        assert "1 demande de précision est ouverte" in page

    def test_the_workspace_links_to_the_confirmation_above_and_below_the_answers(self) -> None:
        self.client.force_login(self.rita)
        page = self.client.get(reverse("surveys:review", kwargs={"pk": self.in_review.pk}))
        html = page.content.decode()
        approve = f'href="{transition_url(self.in_review, "approve")}"'
        assert html.count(approve) == 2
        assert html.rindex(approve) > html.index('id="q-GOV.1.a"')
        assert f'action="{transition_url(self.in_review, "approve")}"' not in html

    def test_a_wrong_password_refuses_with_a_message_keeps_the_reason_and_changes_nothing(
        self,
    ) -> None:
        self.client.force_login(self.rita)
        response = self.client.post(
            transition_url(self.in_review, "approve"),
            {"override": "on", "message": "Confirmed by phone.", "password": "wrong"},
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "The password is not correct: nothing was changed." in html
        assert "Confirmed by phone." in html
        self.in_review.refresh_from_db()
        assert self.in_review.state == AssessmentState.IN_REVIEW
        assert transitions_of(self.in_review) == []

    def test_the_right_password_approves_and_returns_to_the_workspace(self) -> None:
        self.client.force_login(self.rita)
        response = self.client.post(
            transition_url(self.in_review, "approve"),
            {"override": "on", "message": "Confirmed by phone.", "password": PASSWORD},
        )
        assert response["Location"] == reverse("surveys:review", kwargs={"pk": self.in_review.pk})
        self.in_review.refresh_from_db()
        assert self.in_review.state == AssessmentState.APPROVED

    def test_reopening_needs_the_administrators_own_password_and_a_reason(self) -> None:
        approved = make_in_state(AssessmentState.APPROVED, round=2071)
        self.client.force_login(self.ada)
        page = self.client.get(transition_url(approved, "reopen")).content.decode()
        assert "Reopening unlocks the approved assessment" in page
        self.client.post(
            transition_url(approved, "reopen"), {"message": "Wrong figure.", "password": "x"}
        )
        approved.refresh_from_db()
        assert approved.state == AssessmentState.APPROVED
        self.client.post(
            transition_url(approved, "reopen"), {"message": "Wrong figure.", "password": PASSWORD}
        )
        approved.refresh_from_db()
        assert approved.state == AssessmentState.RETURNED

    def test_returning_needs_no_password(self) -> None:
        self.client.force_login(self.rita)
        self.client.post(transition_url(self.in_review, "return"), {"message": "See query."})
        self.in_review.refresh_from_db()
        assert self.in_review.state == AssessmentState.RETURNED


class SignedTransitionServiceTests(ReviewTestCase):
    def test_the_service_refuses_an_unsigned_approval_on_every_path(self) -> None:
        for password in ["", "not the password"]:
            with self.assertRaises(SignatureError):
                assessment_transition_signed(
                    assessment=self.in_review, action="approve", actor=self.rita, password=password
                )
        self.in_review.refresh_from_db()
        assert self.in_review.state == AssessmentState.IN_REVIEW

    def test_another_users_password_does_not_sign(self) -> None:
        self.alice.set_password("alice's own")
        self.alice.save()
        with self.assertRaises(SignatureError):
            assessment_transition_signed(
                assessment=self.in_review, action="approve", actor=self.rita, password="alice's own"
            )

    def test_a_signed_approval_goes_through_the_workflow(self) -> None:
        assessment_transition_signed(
            assessment=self.in_review, action="approve", actor=self.rita, password=PASSWORD
        )
        assert transitions_of(self.in_review) == [
            ("approve", AssessmentState.IN_REVIEW, AssessmentState.APPROVED)
        ]

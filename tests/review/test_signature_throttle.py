"""The e-signature of approve and reopen holds on the web page and the REST API alike, and wrong
passwords are throttled like sign-in (issue 16, leftovers): after ``AXES_FAILURE_LIMIT`` wrong
ones within ``AXES_COOLOFF_TIME`` signing is refused — even with the right password — with a
message saying how long, and every wrong one is in the audit trail."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from surveys.models import AssessmentState, AuditEvent
from surveys.services.signature import (
    REFUSED_ACTION,
    SignatureError,
    SignatureLocked,
    SignatureMissing,
    assessment_transition_signed,
    signature_lockout_remaining,
    signature_verify,
)
from tests.factories import PASSWORD, make_api_token
from tests.review.support import ReviewTestCase, make_in_state, transitions_of

LIMIT = 3
COOLOFF = timedelta(minutes=15)


def transition_url(assessment: Any, action: str) -> str:
    return reverse("surveys:transition", kwargs={"pk": assessment.pk, "action": action})


def later(delta: timedelta) -> Any:
    """Move the throttle's clock (only its own: audit rows keep their real time)."""
    now = timezone.now() + delta
    return mock.patch("surveys.services.signature.timezone.now", return_value=now)


@override_settings(AXES_FAILURE_LIMIT=LIMIT, AXES_COOLOFF_TIME=COOLOFF)
class WebSignatureThrottleTests(ReviewTestCase):
    def approve(self, password: str) -> str:
        response = self.client.post(
            transition_url(self.in_review, "approve"), {"override": "on", "password": password}
        )
        return response.content.decode() if response.status_code == 200 else response["Location"]

    def test_past_the_limit_even_the_right_password_is_refused_saying_for_how_long(self) -> None:
        self.client.force_login(self.rita)
        for _attempt in range(LIMIT):
            assert "The password is not correct" in self.approve("wrong")
        page = self.approve(PASSWORD)
        assert "Too many wrong passwords: signing is refused for 15 more minutes." in page
        self.in_review.refresh_from_db()
        assert self.in_review.state == AssessmentState.IN_REVIEW
        assert transitions_of(self.in_review) == []
        refused = AuditEvent.objects.filter(action=REFUSED_ACTION)
        assert refused.count() == LIMIT  # attempts while locked out are not counted again
        assert {(event.actor_id, event.assessment_id, event.new_value) for event in refused} == {
            (self.rita.pk, self.in_review.pk, "approve")
        }

    def test_the_lockout_message_is_in_french(self) -> None:
        self.client.force_login(self.rita)
        self.client.cookies["django_language"] = "fr"
        for _attempt in range(LIMIT):
            self.approve("wrong")
        page = self.approve(PASSWORD)
        assert "la signature est refusée pendant encore 15 minutes" in page

    def test_after_the_cooloff_the_right_password_signs_again(self) -> None:
        self.client.force_login(self.rita)
        for _attempt in range(LIMIT):
            self.approve("wrong")
        with later(COOLOFF + timedelta(seconds=1)):
            target = self.approve(PASSWORD)
        assert target == reverse("surveys:review", kwargs={"pk": self.in_review.pk})
        self.in_review.refresh_from_db()
        assert self.in_review.state == AssessmentState.APPROVED

    def test_an_empty_password_asks_for_it_without_counting_a_failure(self) -> None:
        self.client.force_login(self.rita)
        for _attempt in range(LIMIT + 1):
            assert "Enter your password to sign: nothing was changed." in self.approve("")
        assert not AuditEvent.objects.filter(action=REFUSED_ACTION).exists()

    def test_the_history_page_names_a_refused_signature(self) -> None:
        self.client.force_login(self.rita)
        self.approve("wrong")
        page = self.client.get(reverse("surveys:history", kwargs={"pk": self.in_review.pk}))
        assert "Signature refused (wrong password)" in page.content.decode()


@override_settings(AXES_FAILURE_LIMIT=LIMIT, AXES_COOLOFF_TIME=COOLOFF)
class SignatureThrottleServiceTests(ReviewTestCase):
    def test_a_signed_decision_starts_the_count_afresh(self) -> None:
        for _attempt in range(LIMIT - 1):
            with self.assertRaises(SignatureError):
                signature_verify(user=self.rita, password="wrong", assessment=self.in_review)
        assessment_transition_signed(
            assessment=self.in_review,
            action="approve",
            actor=self.rita,
            password=PASSWORD,
            override=True,
        )
        with self.assertRaises(SignatureError) as refused:
            signature_verify(user=self.rita, password="wrong", assessment=self.in_review)
        assert not isinstance(refused.exception, SignatureLocked)
        assert signature_lockout_remaining(self.rita) == timedelta(0)

    def test_one_persons_failures_do_not_lock_another(self) -> None:
        for _attempt in range(LIMIT):
            with self.assertRaises(SignatureError):
                signature_verify(user=self.rita, password="wrong")
        with self.assertRaises(SignatureLocked):
            signature_verify(user=self.rita, password=PASSWORD)
        signature_verify(user=self.ada, password=PASSWORD)

    def test_the_window_slides_the_lock_ends_when_the_oldest_counted_failure_leaves_it(
        self,
    ) -> None:
        for _attempt in range(LIMIT):
            with self.assertRaises(SignatureError):
                signature_verify(user=self.rita, password="wrong")
        remaining = signature_lockout_remaining(self.rita)
        assert COOLOFF - timedelta(minutes=1) < remaining <= COOLOFF
        with later(COOLOFF - timedelta(seconds=30)), self.assertRaises(SignatureLocked) as locked:
            signature_verify(user=self.rita, password=PASSWORD)
        assert 0 < locked.exception.wait_seconds <= 30
        assert "1 more minute." in str(locked.exception)

    def test_a_missing_password_is_its_own_error(self) -> None:
        with self.assertRaises(SignatureMissing):
            signature_verify(user=self.rita, password="")


@override_settings(AXES_FAILURE_LIMIT=LIMIT, AXES_COOLOFF_TIME=COOLOFF)
class ApiSignatureTests(ReviewTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.approved = make_in_state(AssessmentState.APPROVED, round=2071)
        cls.rita_token = make_api_token(cls.rita)
        cls.ada_token = make_api_token(cls.ada)

    def post(self, token: str, assessment: Any, body: dict[str, Any]) -> Any:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client.post(f"/api/assessments/{assessment.pk}/transition/", body, format="json")

    def test_approving_without_a_password_is_400_naming_the_field(self) -> None:
        response = self.post(self.rita_token, self.in_review, {"action": "approve"})
        assert response.status_code == 400
        assert response.json() == {
            "password": ["Enter your password to sign: nothing was changed."]
        }
        self.in_review.refresh_from_db()
        assert self.in_review.state == AssessmentState.IN_REVIEW

    def test_a_wrong_password_is_403_and_changes_nothing(self) -> None:
        body = {"action": "approve", "override": True, "password": "wrong"}
        response = self.post(self.rita_token, self.in_review, body)
        assert response.status_code == 403
        assert "The password is not correct" in response.json()["detail"]
        assert transitions_of(self.in_review) == []

    def test_past_the_limit_the_api_answers_429_with_retry_after_even_to_the_right_password(
        self,
    ) -> None:
        body = {"action": "approve", "override": True, "password": "wrong"}
        for _attempt in range(LIMIT):
            assert self.post(self.rita_token, self.in_review, body).status_code == 403
        response = self.post(self.rita_token, self.in_review, {**body, "password": PASSWORD})
        assert response.status_code == 429
        assert 14 * 60 < int(response["Retry-After"]) <= 15 * 60
        assert "signing is refused for 15 more minutes" in response.json()["detail"]
        self.in_review.refresh_from_db()
        assert self.in_review.state == AssessmentState.IN_REVIEW

    def test_failures_on_the_page_and_the_api_count_together(self) -> None:
        self.client.force_login(self.rita)
        for _attempt in range(LIMIT):
            self.client.post(transition_url(self.in_review, "approve"), {"password": "wrong"})
        body = {"action": "approve", "override": True, "password": PASSWORD}
        assert self.post(self.rita_token, self.in_review, body).status_code == 429

    def test_the_right_password_approves_and_reopens(self) -> None:
        body = {"action": "approve", "override": True, "password": PASSWORD}
        assert self.post(self.rita_token, self.in_review, body).json()["state"] == "approved"
        reopen = {"action": "reopen", "message": "Wrong figure.", "password": PASSWORD}
        assert self.post(self.ada_token, self.approved, reopen).json()["state"] == "returned"

    def test_reopening_with_a_wrong_password_is_refused(self) -> None:
        reopen = {"action": "reopen", "message": "Wrong figure.", "password": "x"}
        assert self.post(self.ada_token, self.approved, reopen).status_code == 403
        self.approved.refresh_from_db()
        assert self.approved.state == AssessmentState.APPROVED

    def test_actions_that_lock_nothing_need_no_password(self) -> None:
        response = self.post(self.rita_token, self.in_review, {"action": "return", "message": "x"})
        assert response.status_code == 200 and response.json()["state"] == "returned"

    def test_the_schema_documents_the_password_field(self) -> None:
        client = APIClient()
        client.force_login(self.rita)
        schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
        fields = schema["components"]["schemas"]["Transition"]["properties"]
        assert "password" in fields and fields["password"]["writeOnly"] is True

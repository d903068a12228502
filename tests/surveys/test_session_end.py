"""Nothing typed is lost when the session ends (issue 14, item 2), without JavaScript.

The browser side (autosave offering to sign in again) is in tests/browser/test_session_end.py.
"""

from __future__ import annotations

from django.test import Client, TestCase
from django.urls import reverse

from surveys.models import Answer, AnswerStatus
from tests.factories import PASSWORD, make_assessment, make_focal_point
from tests.surveys.helpers import step_post, step_url


class SessionEndTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        # alice is Senegal's focal point; kim is Kenya's.
        cls.alice = make_focal_point("SEN", "alice")
        cls.kim = make_focal_point("KEN", "kim")

    def setUp(self) -> None:
        self.assessment = make_assessment("SEN")

    def test_a_step_saved_after_the_session_ended_is_saved_once_signed_in_again(self) -> None:
        url = step_url(self.assessment, "GOV")
        data = step_post(
            self.assessment,
            "GOV",
            {"GOV.1.a": "3"},
            justifications={"GOV.1.a": "Typed for an hour"},
            action="next",
        )
        response = self.client.post(url, data)
        assert response.status_code == 302
        assert response["Location"] == reverse("login") + "?next=" + url
        assert not Answer.objects.exists()
        login_page = self.client.get(response["Location"])
        self.assertContains(login_page, "They are kept: sign in again")
        signed_in = self.client.post(
            reverse("login"), {"username": "alice", "password": PASSWORD, "next": url}
        )
        assert signed_in["Location"] == url
        back = self.client.get(url)
        # Saved and kept on the same step ("next" is not replayed: the person sees the page).
        assert back.status_code == 302 and back["Location"] == url
        answer = Answer.objects.get(assessment=self.assessment, question_code="GOV.1.a")
        assert (answer.value, answer.justification) == (3, "Typed for an hour")
        assert answer.updated_by == self.alice
        self.assertContains(self.client.get(url), "they have been saved now")
        # Kept once: a later visit does not save it again.
        assert self.client.get(url).status_code == 200

    def test_a_kept_step_is_saved_only_for_someone_who_may_edit_the_assessment(self) -> None:
        url = step_url(self.assessment, "GOV")
        self.client.post(url, step_post(self.assessment, "GOV", {"GOV.1.a": "3"}))
        self.client.login(username="kim", password=PASSWORD)
        assert self.client.get(url).status_code == 404
        assert not Answer.objects.exists()

    def test_a_kept_step_meets_the_conflict_check_when_someone_saved_since(self) -> None:
        url = step_url(self.assessment, "GOV")
        self.client.post(url, step_post(self.assessment, "GOV", {"GOV.1.a": "3"}, revision=0))
        other = Client()
        other.force_login(self.alice)
        other.post(url, step_post(self.assessment, "GOV", {"GOV.1.a": "1"}, action="save"))
        self.client.login(username="alice", password=PASSWORD)
        response = self.client.get(url)
        assert response.status_code == 409
        assert Answer.objects.get(question_code="GOV.1.a").value == 1

    def test_autosave_without_a_session_says_so_with_a_sign_in_link(self) -> None:
        data = step_post(self.assessment, "GOV", {"GOV.1.a": "3"})
        response = self.client.post(reverse("surveys:autosave", args=[self.assessment.pk]), data)
        assert response.status_code == 401
        body = response.json()
        assert body["status_code"] == "signed_out"
        assert body["login_url"] == reverse("login") + "?next=%2Faccounts%2Fsigned-in%2F"
        assert not Answer.objects.exists()

    def test_a_csrf_failure_explains_in_french_and_shows_what_was_typed(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.alice)
        client.cookies["django_language"] = "fr"
        data = step_post(
            self.assessment,
            "GOV",
            {"GOV.1.a": "3"},
            justifications={"GOV.1.a": "<script>Plan 2024</script>"},
        )
        response = client.post(step_url(self.assessment, "GOV"), data)
        assert response.status_code == 403
        page = response.content.decode()
        assert '<html lang="fr"' in page
        assert "Votre page avait expiré" in page
        assert "&lt;script&gt;Plan 2024&lt;/script&gt;" in page
        assert "<script>Plan" not in page
        assert "CSRF" not in page and "Forbidden" not in page
        assert not Answer.objects.exists()

    def test_a_csrf_failure_of_autosave_answers_json(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.alice)
        response = client.post(
            reverse("surveys:autosave", args=[self.assessment.pk]),
            step_post(self.assessment, "GOV", {"GOV.1.a": "3"}),
            headers={"accept": "application/json"},
        )
        assert response.status_code == 403
        assert response.json()["status_code"] == "csrf"
        assert not Answer.objects.filter(status=AnswerStatus.ANSWERED).exists()

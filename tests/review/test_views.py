"""The reviewer workspace, query and transition views, the wizard's query partial, work queues."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from surveys.models import Assessment, AssessmentState, Evidence, Query, QueryStatus
from surveys.services.answers import AnswerInput, answers_save
from surveys.services.review import query_open
from surveys.services.stakeholders import stakeholder_answers_save, stakeholder_invite
from surveys.services.workflow import assessment_transition
from tests.factories import PASSWORD, complete_answers, make_focal_point
from tests.review.support import ReviewTestCase, make_in_state


def review_url(assessment: Assessment) -> str:
    return reverse("surveys:review", kwargs={"pk": assessment.pk})


def transition_url(assessment: Assessment, action: str) -> str:
    return reverse("surveys:transition", kwargs={"pk": assessment.pk, "action": action})


@override_settings(SITE_URL="https://assess.example.org")
class WorkspaceTests(ReviewTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        assessment = make_in_state(AssessmentState.DRAFT, round=2050)
        answers_save(
            assessment=assessment,
            actor=cls.alice,
            answers=[
                AnswerInput("GOV.1.a", 2, justification="Adopted by decree 2023-12."),
                AnswerInput("NET.2.a", "fibre"),
            ],
            base_revision=0,
        )
        Evidence.objects.create(
            assessment=assessment,
            question_code="GOV.1.a",
            kind="url",
            url="https://example.org/strategy",
            description="Strategy on the ministry site",
        )
        cls.budget = Evidence.objects.create(
            assessment=assessment,
            question_code="GOV.1.a",
            kind="file",
            stored_path="budget.pdf",
            original_name="budget-law-2024.pdf",
            size=2048,
        )
        invited = stakeholder_invite(
            assessment=assessment,
            actor=cls.alice,
            name="Awa Diop",
            email="awa@example.org",
            organisation_type="regulator",
            pillars=["GOV"],
            send=False,
        )
        stakeholder_answers_save(
            invitation=invited.invitation,
            answers=[AnswerInput("GOV.1.a", 1, justification="Not funded yet.")],
        )
        complete_answers(assessment)
        assessment_transition(assessment=assessment, action="submit", actor=cls.alice)
        assessment_transition(assessment=assessment, action="start_review", actor=cls.rita)
        cls.query = query_open(
            assessment=assessment, question_code="GOV.1.a", actor=cls.rita, text="Is it funded?"
        )
        cls.assessment = assessment

    def test_the_workspace_shows_answers_pillar_by_pillar_with_everything_beside_them(
        self,
    ) -> None:
        self.client.force_login(self.rita)
        response = self.client.get(review_url(self.assessment))
        assert response.status_code == 200
        page = response.content.decode()
        pillars = response.context["workspace"].pillars
        assert [p.code for p in pillars] == ["GOV", "NET", "SKL"]
        assert page.index('id="pillar-GOV"') < page.index('id="pillar-NET"')
        assert "Level 2: Adopted." in page  # the level's descriptor, not a bare number
        assert "Adopted by decree 2023-12." in page
        assert "Strategy on the ministry site" in page
        download = reverse("surveys:evidence-download", kwargs={"pk": self.budget.pk})
        assert f'href="{download}">budget-law-2024.pdf' in page
        assert "Awa Diop" in page and "Not funded yet." in page
        assert "Is it funded?" in page
        assert "Fibre" in page  # the choice's label

    def test_the_workspace_query_count_does_not_grow_with_answers_or_queries(self) -> None:
        self.client.force_login(self.rita)
        self.client.get(review_url(self.assessment))  # warm the framework cache and session
        with CaptureQueriesContext(connection) as before:
            self.client.get(review_url(self.assessment))
        for code in ("GOV.1.b", "NET.1.a", "NET.2.b"):
            query_open(assessment=self.assessment, question_code=code, actor=self.rita, text="?")
            Evidence.objects.create(
                assessment=self.assessment, question_code=code, kind="url", url="https://x.org"
            )
        with CaptureQueriesContext(connection) as after:
            self.client.get(review_url(self.assessment))
        assert len(after) == len(before) <= 12

    def test_the_focal_point_and_a_planner_are_refused_and_strangers_get_404(self) -> None:
        for person, status in [(self.alice, 403), (self.paul, 403), (self.ken, 404)]:
            self.client.force_login(person)
            assert self.client.get(review_url(self.assessment)).status_code == status

    def test_a_reviewer_opens_a_query_from_the_workspace(self) -> None:
        self.client.force_login(self.rita)
        response = self.client.post(
            reverse("surveys:query-open", kwargs={"pk": self.assessment.pk}),
            {"question_code": "NET.2.a", "text": "Which schools?"},
        )
        assert response.status_code == 302 and response["Location"].endswith("#q-NET.2.a")
        assert Query.objects.filter(assessment=self.assessment, question_code="NET.2.a").exists()

    def test_approving_with_an_open_query_needs_the_override_and_a_reason(self) -> None:
        self.client.force_login(self.rita)
        refused = self.client.post(
            transition_url(self.assessment, "approve"), {"password": PASSWORD}, follow=True
        )
        assert "still open" in refused.content.decode()
        self.assessment.refresh_from_db()
        assert self.assessment.state == AssessmentState.IN_REVIEW
        self.client.post(
            transition_url(self.assessment, "approve"),
            {
                "override": "on",
                "message": "Funding confirmed in the budget law.",
                "password": PASSWORD,
            },
        )
        self.assessment.refresh_from_db()
        assert self.assessment.state == AssessmentState.APPROVED

    def test_request_changes_returns_the_assessment_with_its_open_queries(self) -> None:
        self.client.force_login(self.rita)
        self.client.post(transition_url(self.assessment, "return"))
        self.assessment.refresh_from_db()
        assert self.assessment.state == AssessmentState.RETURNED
        assert self.query.status == QueryStatus.OPEN

    def test_a_focal_point_cannot_approve(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(transition_url(self.assessment, "approve"))
        assert response.status_code == 403

    def test_the_wizard_shows_open_queries_beside_the_question_without_nested_forms(
        self,
    ) -> None:
        self.client.force_login(self.rita)
        self.client.post(transition_url(self.assessment, "return"))
        self.client.force_login(self.alice)
        wizard = reverse("surveys:wizard-step", kwargs={"pk": self.assessment.pk, "step": "GOV"})
        page = self.client.get(wizard).content.decode()
        assert "Is it funded?" in page
        reply = reverse("surveys:query-reply", kwargs={"pk": self.query.pk})
        # The reply box sits beside the question, inside the wizard's form, and belongs to a
        # reply form rendered after it: forms cannot nest.
        wizard_form_end = page.index("</form>", page.index('<form method="post" class="wizard"'))
        assert page.index(f'form="reply-form-{self.query.pk}"') < wizard_form_end
        reply_form = page.index(f'id="reply-form-{self.query.pk}"')
        assert reply_form > wizard_form_end
        assert page.index(f'action="{reply}"') > wizard_form_end
        assert f'value="{wizard}#q-GOV.1.a"' in page

    def test_the_focal_point_replies_on_the_query_page_and_returns_to_the_wizard(self) -> None:
        self.client.force_login(self.alice)
        reply = reverse("surveys:query-reply", kwargs={"pk": self.query.pk})
        wizard = f"/assessments/{self.assessment.pk}/edit/GOV/"
        page = self.client.get(reply, {"next": wizard})
        assert page.status_code == 200 and "Is it funded?" in page.content.decode()
        response = self.client.post(reply, {"text": "Yes, since 2024.", "next": wizard})
        assert response["Location"] == wizard
        assert [m.text for m in self.query.messages.all()][-1] == "Yes, since 2024."

    def test_foreign_next_addresses_are_ignored(self) -> None:
        self.client.force_login(self.alice)
        reply = reverse("surveys:query-reply", kwargs={"pk": self.query.pk})
        page = self.client.get(reply, {"next": "javascript:alert(1)"})
        assert "javascript:" not in page.content.decode()
        response = self.client.post(reply, {"text": "Hi", "next": "https://evil.example/"})
        assert "evil" not in response["Location"]

    def test_a_stakeholder_link_does_not_open_the_review_pages(self) -> None:
        invited = stakeholder_invite(
            assessment=self.assessment,
            actor=self.alice,
            name="Moussa",
            email="moussa@example.org",
            organisation_type="academia",
            pillars=["NET"],
            send=False,
        )
        link = reverse("surveys:stakeholder-respond", kwargs={"token": invited.token})
        self.client.get(link)
        for url in (review_url(self.assessment), reverse("surveys:work-queue")):
            response = self.client.get(url)
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]


class WorkQueueTests(ReviewTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        now = timezone.now()
        cls.old = make_in_state(AssessmentState.SUBMITTED, round=2060)
        cls.recent = make_in_state(AssessmentState.RESUBMITTED, round=2061)
        Assessment.objects.filter(pk=cls.old.pk).update(state_changed_at=now - dt.timedelta(30))
        Assessment.objects.filter(pk=cls.recent.pk).update(state_changed_at=now)
        cls.kenya = make_in_state(AssessmentState.SUBMITTED, "KEN", round=2060)
        Query.objects.create(assessment=cls.in_review, question_code="GOV.1.a")

    def _context(self, user: object) -> dict:
        self.client.force_login(user)
        response = self.client.get(reverse("surveys:work-queue"))
        assert response.status_code == 200
        return response.context

    def test_reviewers_see_their_countries_waiting_assessments_oldest_first(self) -> None:
        groups = {g.state: g.assessments for g in self._context(self.rita)["to_review"]}
        assert [a.pk for a in groups[AssessmentState.SUBMITTED]] == [self.old.pk]
        assert [a.pk for a in groups[AssessmentState.RESUBMITTED]] == [self.recent.pk]
        assert [a.pk for a in groups[AssessmentState.IN_REVIEW]] == [self.in_review.pk]
        assert groups[AssessmentState.IN_REVIEW][0].open_query_count == 1
        kenya = [a.pk for g in self._context(self.ken)["to_review"] for a in g.assessments]
        assert kenya == [self.kenya.pk]

    def test_focal_points_see_their_assessments_with_open_queries_and_responses(self) -> None:
        mine = self._context(self.alice)["mine"]
        assert {a.pk for a in mine} == {
            self.draft.pk,
            self.in_review.pk,
            self.old.pk,
            self.recent.pk,
        }
        counts = {a.pk: (a.open_query_count, a.response_count, a.invitation_count) for a in mine}
        assert counts[self.in_review.pk] == (1, 0, 0)
        assert "to_review" not in self._context(self.alice)

    def test_administrators_see_everything_and_planners_nothing_to_do(self) -> None:
        everything = self._context(self.ada)["everything"]
        assert sum(len(g.assessments) for g in everything) == Assessment.objects.count()
        planner = self._context(self.paul)
        assert "everything" not in planner and "to_review" not in planner
        assert "mine" not in planner

    def test_a_second_focal_point_of_the_country_sees_the_same_queue(self) -> None:
        colleague = make_focal_point("SEN", "omar")
        assert {a.pk for a in self._context(colleague)["mine"]} == {
            a.pk for a in self._context(self.alice)["mine"]
        }


class TransitionViewTests(ReviewTestCase):
    def test_submitting_is_left_to_the_survey_which_validates_first(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(transition_url(self.draft, "submit"))
        assert response["Location"] == reverse("surveys:wizard", kwargs={"pk": self.draft.pk})
        self.draft.refresh_from_db()
        assert self.draft.state == AssessmentState.DRAFT

    def test_a_reviewer_starts_the_review_and_lands_on_the_workspace(self) -> None:
        submitted = make_in_state(AssessmentState.SUBMITTED, round=2070)
        self.client.force_login(self.rita)
        response = self.client.post(transition_url(submitted, "start_review"))
        assert response["Location"] == review_url(submitted)
        submitted.refresh_from_db()
        assert submitted.state == AssessmentState.IN_REVIEW

    def test_reopening_without_a_reason_shows_an_error_and_changes_nothing(self) -> None:
        approved = make_in_state(AssessmentState.APPROVED, round=2071)
        self.client.force_login(self.ada)
        page = self.client.post(transition_url(approved, "reopen"), {"password": PASSWORD})
        assert "written reason" in page.content.decode()
        approved.refresh_from_db()
        assert approved.state == AssessmentState.APPROVED

"""Open queries are found without opening the questionnaire: counted on the focal point's home
page, listed on the assessment page, counted per pillar in the step list; replies wait for the
reviewer in the work queue and at the top of the workspace."""

from __future__ import annotations

from django.urls import reverse

from surveys.models import AssessmentState, Query, QueryMessage
from surveys.services.review import open_query_counts, replied_query_counts
from tests.review.support import ReviewTestCase, make_in_state


def _query(assessment: object, code: str, opener: object, *texts: tuple[object, str]) -> Query:
    query = Query.objects.create(assessment=assessment, question_code=code, opened_by=opener)
    for author, text in texts:
        QueryMessage.objects.create(query=query, author=author, text=text)
    return query


class QueryVisibilityTests(ReviewTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.returned = make_in_state(AssessmentState.RETURNED, round=2030)
        cls.funded = _query(cls.returned, "GOV.1.a", cls.rita, (cls.rita, "Is it funded?"))
        cls.schools = _query(
            cls.returned,
            "NET.2.a",
            cls.rita,
            (cls.rita, "Which schools?"),
            (cls.alice, "All secondary schools."),
        )
        resolved = _query(cls.returned, "GOV.1.a", cls.rita, (cls.rita, "Old question"))
        Query.objects.filter(pk=resolved.pk).update(status="resolved")

    def test_the_services_count_open_and_answered_queries(self) -> None:
        assert open_query_counts([self.returned.pk, self.draft.pk]) == {self.returned.pk: 2}
        assert replied_query_counts([self.returned.pk]) == {self.returned.pk: 1}

    def test_the_focal_points_home_page_counts_open_queries_and_links_to_them(self) -> None:
        self.client.force_login(self.alice)
        page = self.client.get(reverse("home")).content.decode()
        detail = reverse("surveys:assessment-detail", kwargs={"pk": self.returned.pk})
        assert f'href="{detail}#open-queries">2 open queries</a>' in page

    def test_the_assessment_page_links_each_query_to_its_question_in_the_survey(self) -> None:
        self.client.force_login(self.alice)
        detail = reverse("surveys:assessment-detail", kwargs={"pk": self.returned.pk})
        page = self.client.get(detail).content.decode()
        step = reverse("surveys:wizard-step", kwargs={"pk": self.returned.pk, "step": "GOV"})
        assert f'href="{step}#q-GOV.1.a"' in page
        assert 'data-open-queries="2"' in page
        assert "All secondary schools." in page
        assert "Old question" not in page

    def test_the_step_list_counts_open_queries_per_pillar(self) -> None:
        self.client.force_login(self.alice)
        step = reverse("surveys:wizard-step", kwargs={"pk": self.returned.pk, "step": "GOV"})
        page = self.client.get(step).content.decode()
        # Both lists (the full one and the one collapsed for phones) carry the count.
        assert page.count('data-open-queries="1">1 open query<') == 4

    def test_the_focal_point_replies_beside_the_question_and_comes_back_to_it(self) -> None:
        self.client.force_login(self.alice)
        step = reverse("surveys:wizard-step", kwargs={"pk": self.returned.pk, "step": "GOV"})
        response = self.client.post(
            reverse("surveys:query-reply", kwargs={"pk": self.funded.pk}),
            {"text": "Yes, in the 2025 budget law.", "next": f"{step}#q-GOV.1.a"},
        )
        assert response["Location"] == f"{step}#q-GOV.1.a"
        assert replied_query_counts([self.returned.pk]) == {self.returned.pk: 2}

    def test_the_reviewers_queue_and_workspace_show_the_replies(self) -> None:
        in_review = make_in_state(AssessmentState.IN_REVIEW, round=2031)
        _query(in_review, "NET.2.a", self.rita, (self.rita, "Which?"), (self.alice, "Rural ones."))
        self.client.force_login(self.rita)
        queue = self.client.get(reverse("surveys:work-queue")).content.decode()
        review = reverse("surveys:review", kwargs={"pk": in_review.pk})
        assert f'href="{review}#decision-queries" class="tag">1 answered</a>' in queue
        workspace = self.client.get(review).content.decode()
        assert "Reply from Alice:" in workspace and "Rural ones." in workspace

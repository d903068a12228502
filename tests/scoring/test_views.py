"""The score page, recompute and the run record."""

from __future__ import annotations

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scoring.engine.constants import ENGINE_VERSION
from scoring.models import RunStatus, RunTrigger, ScoreRun
from scoring.services import score_run_create
from surveys.models import Role
from tests.factories import (
    PASSWORD,
    give_role,
    make_assessment,
    make_focal_point,
    make_reviewer,
    make_user,
)
from tests.scoring.helpers import FULL_ANSWERS, add_answers, large_framework


class ScorePageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.assessment = make_assessment("SEN")
        add_answers(cls.assessment, FULL_ANSWERS)
        cls.score_run = score_run_create(
            assessment=cls.assessment, trigger=RunTrigger.SUBMIT, seed=7
        )
        cls.reviewer = make_reviewer("SEN")
        cls.focal_point = make_focal_point("SEN")
        cls.planner = make_user()
        give_role(cls.planner, Role.PLANNER)
        cls.stranger = make_reviewer("KEN")
        cls.url = reverse("scoring:assessment-scores", kwargs={"pk": cls.assessment.pk})

    def get(self, user) -> str:
        self.client.login(username=user.username, password=PASSWORD)
        response = self.client.get(self.url)
        assert response.status_code == 200
        return response.content.decode()

    def test_the_page_shows_overall_and_pillar_scores_gaps_stages_and_coverage(self) -> None:
        page = self.get(self.reviewer)
        assert "46.7" in page  # overall, hand-computed in tests/scoring/helpers.py
        assert "Systematic" in page
        assert "Government" in page and "Connectivity" in page and "Skills" in page
        assert "35.0" in page  # GOV
        assert "65.0" in page  # GOV gap to 100
        # Overall coverage is the share of pillar weight with data: GOV and NET complete, SKL
        # half (one of its two equally weighted questions is "don't know"): 2.5 / 3.
        assert "83 %" in page

    def test_an_insufficient_pillar_reads_as_insufficient_not_a_number(self) -> None:
        page = self.get(self.reviewer)
        row = page[page.index('id="pillar-SKL"') :]
        row = row[: row.index("</tr>")]
        assert "Insufficient data" in row
        assert "50.0" not in row  # SKL.1.a alone would have said 100, the half-answered mean 50

    def test_each_indicator_explains_its_answers_and_weights(self) -> None:
        page = self.get(self.reviewer)
        details = page[page.index('id="indicator-GOV.1"') :]
        details = details[: details.index("</details>")]
        assert "How mature is the national digital strategy?" in details
        assert "Level 3" in details and "Partially" in details
        assert "70.0" in details

    def test_excluded_answers_and_intervals_are_explained_in_plain_words(self) -> None:
        page = self.get(self.reviewer)
        assert "Left out: 0 not applicable, 1 “don't know”, 0 unanswered" in page
        assert "likely between" in page
        assert "How to read these numbers" in page

    def test_the_method_choices_that_move_the_score_are_listed_largest_first(self) -> None:
        page = self.get(self.reviewer)
        section = page[page.index('id="influence-heading"') :]
        section = section[: section.index("</section>")]
        labels = [
            "Averaging within pillars (arithmetic or geometric)",
            "Averaging of the pillars (arithmetic or geometric)",
            "Weights of the pillars",
            "Weights of the questions",
            "Treatment of “don&#x27;t know” answers",  # autoescaped
        ]
        positions = [section.index(label) for label in labels]
        assert positions[0] < positions[1] < min(positions[2:])
        assert "recomputations, in independent replicates; 95 % intervals" in section

    def test_the_score_page_reads_in_french(self) -> None:
        self.client.login(username=self.reviewer.username, password=PASSWORD)
        page = self.client.get(self.url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert "Ce qui fait varier ce score" in page
        assert "Pondération des piliers" in page

    def test_radar_and_gap_charts_are_inline_svg(self) -> None:
        page = self.get(self.reviewer)
        assert 'id="radar-chart"' in page and 'id="gap-chart"' in page
        assert page.count("<svg") >= 2

    def test_planners_read_the_page_but_cannot_recompute(self) -> None:
        page = self.get(self.planner)
        assert "Recompute scores" not in page

    def test_a_stranger_from_another_country_gets_404(self) -> None:
        self.client.login(username=self.stranger.username, password=PASSWORD)
        assert self.client.get(self.url).status_code == 404

    def test_a_page_without_scores_says_so(self) -> None:
        other = make_assessment("SEN", round=2027)
        self.client.login(username=self.reviewer.username, password=PASSWORD)
        response = self.client.get(reverse("scoring:assessment-scores", kwargs={"pk": other.pk}))
        assert "No scores yet" in response.content.decode()

    def test_a_failed_run_is_shown_to_reviewers(self) -> None:
        ScoreRun.objects.create(
            assessment=self.assessment,
            framework=self.assessment.framework,
            framework_version="1.0",
            trigger=RunTrigger.APPROVE,
            status=RunStatus.FAILED,
            error="question 'GOV.1.b': 'perhaps' is not one of the choices",
            engine_version="1.0.0",
        )
        page = self.get(self.reviewer)
        assert "failed" in page and "perhaps" in page
        assert "46.7" in page  # the last complete run is still shown

    def test_the_page_reads_a_fixed_number_of_queries_whatever_the_framework_size(self) -> None:
        large = make_assessment("SEN", framework=large_framework(), round=2030)
        score_run_create(assessment=large, trigger=RunTrigger.SUBMIT, uncertainty=False)
        self.client.login(username=self.reviewer.username, password=PASSWORD)
        # The session's first request also checks for a second factor and stamps the idle
        # timeout: one-off work, not the page's.
        self.client.get(reverse("home"))
        counts = []
        for assessment in (self.assessment, large):
            url = reverse("scoring:assessment-scores", kwargs={"pk": assessment.pk})
            with CaptureQueriesContext(connection) as queries:
                assert self.client.get(url).status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1] <= 12, counts


class RescoreTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.assessment = make_assessment("SEN")
        add_answers(cls.assessment, FULL_ANSWERS)
        cls.url = reverse("scoring:assessment-rescore", kwargs={"pk": cls.assessment.pk})

    def test_a_reviewer_recomputes_scores(self) -> None:
        reviewer = make_reviewer("SEN")
        self.client.login(username=reviewer.username, password=PASSWORD)
        response = self.client.post(self.url)
        assert response.status_code == 302
        run = ScoreRun.objects.get(assessment=self.assessment)
        assert run.trigger == RunTrigger.ON_DEMAND and run.created_by == reviewer

    def test_a_planner_may_not_recompute(self) -> None:
        planner = make_user()
        give_role(planner, Role.PLANNER)
        self.client.login(username=planner.username, password=PASSWORD)
        assert self.client.post(self.url).status_code == 403
        assert not ScoreRun.objects.exists()

    def test_a_stranger_from_another_country_gets_404(self) -> None:
        stranger = make_focal_point("KEN")
        self.client.login(username=stranger.username, password=PASSWORD)
        assert self.client.post(self.url).status_code == 404

    def test_recompute_is_post_only(self) -> None:
        reviewer = make_reviewer("SEN")
        self.client.login(username=reviewer.username, password=PASSWORD)
        assert self.client.get(self.url).status_code == 405


class RunDetailTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.assessment = make_assessment("SEN")
        add_answers(cls.assessment, FULL_ANSWERS)
        cls.score_run = score_run_create(
            assessment=cls.assessment, trigger=RunTrigger.SUBMIT, seed=5
        )
        cls.reviewer = make_reviewer("SEN")
        cls.url = reverse("scoring:run-detail", kwargs={"pk": cls.score_run.pk})

    def test_the_record_shows_configuration_digests_versions_and_seed(self) -> None:
        self.client.login(username=self.reviewer.username, password=PASSWORD)
        page = self.client.get(self.url).content.decode()
        assert self.score_run.config_digest in page and self.score_run.inputs_digest in page
        assert ENGINE_VERSION in page and "<code>5</code>" in page
        assert "dont_know_rule" in page

    def test_recomputing_from_the_record_confirms_identical_numbers(self) -> None:
        self.client.login(username=self.reviewer.username, password=PASSWORD)
        page = self.client.get(self.url + "?verify=1").content.decode()
        assert "every number is identical" in page

    def test_a_stranger_from_another_country_gets_404(self) -> None:
        stranger = make_reviewer("KEN")
        self.client.login(username=stranger.username, password=PASSWORD)
        assert self.client.get(self.url).status_code == 404


class CohortOnScorePageTests(TestCase):
    def test_the_rank_range_from_the_latest_cohort_run_is_shown(self) -> None:
        from scoring.services import score_cohort_create
        from surveys.models import AssessmentState

        assessments = []
        for code, level in (("SEN", 1), ("KEN", 3), ("GHA", 5)):
            assessment = make_assessment(code, state=AssessmentState.APPROVED)
            add_answers(assessment, FULL_ANSWERS | {"GOV.1.a": level})
            score_run_create(assessment=assessment, trigger=RunTrigger.APPROVE, seed=1)
            assessments.append(assessment)
        score_cohort_create(framework=assessments[0].framework, round=2026, seed=1, samples=300)
        reviewer = make_reviewer("GHA")
        self.client.login(username=reviewer.username, password=PASSWORD)
        url = reverse("scoring:assessment-scores", kwargs={"pk": assessments[2].pk})
        page = self.client.get(url).content.decode()
        assert "Rank" in page and " of 3 (between " in page
        assert "compares this country with the others" in page

"""What people see while background work runs: progress, previous results, failures."""

from __future__ import annotations

from django.test import TestCase, override_settings
from django.urls import reverse

from background.models import Job, JobStatus
from scoring.models import RunTrigger
from scoring.services import score_run_create
from scoring.tasks import scoring_enqueue
from tests.factories import PASSWORD, make_assessment, make_focal_point, make_reviewer
from tests.scoring.helpers import FULL_ANSWERS, add_answers

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class ScorePageProgressTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.assessment = make_assessment("SEN")
        add_answers(cls.assessment, FULL_ANSWERS)
        cls.reviewer = make_reviewer("SEN")
        cls.focal_point = make_focal_point("SEN")
        cls.stranger = make_reviewer("KEN")
        cls.url = reverse("scoring:assessment-scores", kwargs={"pk": cls.assessment.pk})

    def page(self, user) -> str:
        self.client.login(username=user.username, password=PASSWORD)
        response = self.client.get(self.url)
        assert response.status_code == 200
        return response.content.decode()

    @override_settings(TASKS=DATABASE_QUEUE)
    def test_while_scores_are_computed_the_page_shows_progress_and_refreshes_itself(self) -> None:
        job = scoring_enqueue(assessment=self.assessment, trigger=RunTrigger.SUBMIT)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.RUNNING, progress_done=1, progress_total=4, message="Reading"
        )
        page = self.page(self.reviewer)
        assert "New scores are being computed." in page
        assert '<progress max="100" value="25"' in page
        assert '<meta http-equiv="refresh" content="5">' in page  # inside <noscript>
        assert "js/job-progress.js" in page
        assert reverse("background:job-status", kwargs={"pk": job.pk}) in page
        assert "the first scores are being computed" in page

    @override_settings(TASKS=DATABASE_QUEUE)
    def test_previous_results_stay_visible_and_are_marked_as_previous(self) -> None:
        score_run_create(assessment=self.assessment, trigger=RunTrigger.SUBMIT, seed=1)
        scoring_enqueue(assessment=self.assessment, trigger=RunTrigger.APPROVE)
        page = self.page(self.reviewer)
        assert "Previous results" in page
        assert "46.7" in page  # the previous overall score, still shown

    def test_once_done_the_page_neither_refreshes_nor_polls(self) -> None:
        scoring_enqueue(assessment=self.assessment, trigger=RunTrigger.SUBMIT)
        page = self.page(self.reviewer)
        assert 'http-equiv="refresh"' not in page
        assert "job-progress.js" not in page
        assert "Previous results" not in page

    def test_a_failed_job_tells_who_can_act_what_to_do(self) -> None:
        self.assessment.answers.filter(question_code="NET.1.a").update(value="not a number")
        scoring_enqueue(assessment=self.assessment, trigger=RunTrigger.SUBMIT)
        page = self.page(self.focal_point)
        assert "Correct the answer and recompute" in page

    @override_settings(TASKS=DATABASE_QUEUE)
    def test_the_status_is_json_for_the_progress_bar_and_hidden_from_strangers(self) -> None:
        job = scoring_enqueue(assessment=self.assessment, trigger=RunTrigger.SUBMIT, actor=None)
        Job.objects.filter(pk=job.pk).update(progress_done=2, progress_total=4, message="Step")
        url = reverse("background:job-status", kwargs={"pk": job.pk})
        self.client.login(username=self.reviewer.username, password=PASSWORD)
        data = self.client.get(url).json()
        assert data["active"] is True and data["percent"] == 50 and data["message"] == "Step"
        self.client.login(username=self.stranger.username, password=PASSWORD)
        assert self.client.get(url).status_code == 404

    @override_settings(TASKS=DATABASE_QUEUE)
    def test_recompute_returns_at_once_and_the_page_shows_the_work_queued(self) -> None:
        self.client.login(username=self.reviewer.username, password=PASSWORD)
        rescore = reverse("scoring:assessment-rescore", kwargs={"pk": self.assessment.pk})
        response = self.client.post(rescore, follow=True)
        page = response.content.decode()
        assert "being recomputed" in page
        assert "Waiting for a worker" in page
        assert not self.assessment.score_runs.exists()


class CountryDashboardProgressTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.assessment = make_assessment("SEN")
        add_answers(cls.assessment, FULL_ANSWERS)
        score_run_create(assessment=cls.assessment, trigger=RunTrigger.SUBMIT, seed=1)
        cls.reviewer = make_reviewer("SEN")
        cls.url = reverse("reports:country-dashboard", kwargs={"alpha3": "SEN"})

    @override_settings(TASKS=DATABASE_QUEUE)
    def test_the_dashboard_says_new_scores_are_coming_and_marks_what_it_shows(self) -> None:
        scoring_enqueue(assessment=self.assessment, trigger=RunTrigger.APPROVE)
        self.client.login(username=self.reviewer.username, password=PASSWORD)
        page = self.client.get(self.url).content.decode()
        assert "New scores are being computed." in page
        assert "Previous results" in page and "46.7" in page
        assert '<meta http-equiv="refresh" content="5">' in page

    def test_without_running_work_the_dashboard_is_plain(self) -> None:
        self.client.login(username=self.reviewer.username, password=PASSWORD)
        page = self.client.get(self.url).content.decode()
        assert "New scores are being computed." not in page and "job-progress.js" not in page

"""Background jobs: scoring off the request, joining the same work, failures, retries, recovery.

Tasks run at once here (the immediate backend) unless a test puts them on the database queue
to see what the request leaves behind; tests/background/test_killed_worker.py uses real workers.
"""

from __future__ import annotations

import io
from datetime import timedelta
from unittest import mock

from django.core.management import call_command
from django.db import OperationalError
from django.test import TestCase, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from background.models import Job, JobStatus
from background.services import jobs_prune, jobs_recover
from scoring.models import RunStatus, RunTrigger, ScoreRun
from scoring.tasks import cohort_enqueue, scoring_enqueue
from surveys.services.workflow import assessment_transition
from tests.factories import make_assessment, make_focal_point, make_reviewer
from tests.scoring.helpers import FULL_ANSWERS, add_answers

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class ScoringAfterTransitionTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.assessment = make_assessment("SEN")
        add_answers(cls.assessment, FULL_ANSWERS)
        cls.focal_point = make_focal_point("SEN")
        cls.reviewer = make_reviewer("SEN")

    @override_settings(TASKS=DATABASE_QUEUE)
    def test_submitting_queues_the_scoring_instead_of_computing_it_in_the_request(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            assessment_transition(
                assessment=self.assessment, action="submit", actor=self.focal_point
            )
        assert not ScoreRun.objects.filter(assessment=self.assessment).exists()
        job = Job.objects.get(assessment=self.assessment)
        assert job.status == JobStatus.WAITING
        assert job.parameters == {"assessment": self.assessment.pk, "trigger": "submit"}
        entry = DBTaskResult.objects.get(pk=job.task_result_id)
        assert entry.status == "READY"
        assert entry.task_path == "scoring.tasks.score_assessment"

    def test_with_tasks_run_at_once_the_submit_leaves_a_complete_run_and_a_done_job(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            assessment_transition(
                assessment=self.assessment, action="submit", actor=self.focal_point
            )
        run = ScoreRun.objects.get(assessment=self.assessment)
        job = Job.objects.get(assessment=self.assessment)
        assert job.status == JobStatus.DONE
        assert job.result == {"run": run.pk}
        assert run.job == job
        assert job.created_by == self.focal_point

    def test_scoring_the_same_unchanged_answers_again_reuses_the_latest_run(self) -> None:
        first = scoring_enqueue(assessment=self.assessment, trigger=RunTrigger.ON_DEMAND)
        second = scoring_enqueue(assessment=self.assessment, trigger=RunTrigger.ON_DEMAND)
        assert first.pk != second.pk  # the first had finished; the second checked the digests
        assert ScoreRun.objects.filter(assessment=self.assessment).count() == 1
        assert second.result == {"run": first.result["run"], "reused": True}

    def test_changed_answers_give_a_new_run(self) -> None:
        scoring_enqueue(assessment=self.assessment, trigger=RunTrigger.ON_DEMAND)
        self.assessment.answers.filter(question_code="GOV.2.c").update(value="yes")
        scoring_enqueue(assessment=self.assessment, trigger=RunTrigger.ON_DEMAND)
        assert ScoreRun.objects.filter(assessment=self.assessment).count() == 2

    @override_settings(TASKS=DATABASE_QUEUE)
    def test_asking_twice_while_the_work_waits_gives_one_job(self) -> None:
        first = scoring_enqueue(assessment=self.assessment, trigger=RunTrigger.SUBMIT)
        second = scoring_enqueue(assessment=self.assessment, trigger=RunTrigger.SUBMIT)
        assert first.pk == second.pk
        assert DBTaskResult.objects.count() == 1

    def test_an_answer_that_cannot_be_scored_fails_the_job_with_what_to_do(self) -> None:
        self.assessment.answers.filter(question_code="NET.1.a").update(value="not a number")
        job = scoring_enqueue(assessment=self.assessment, trigger=RunTrigger.SUBMIT)
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED
        assert "Correct the answer and recompute" in job.error
        failed = ScoreRun.objects.get(assessment=self.assessment)
        assert failed.status == RunStatus.FAILED and failed.error

    def test_a_temporary_database_error_is_retried_with_back_off(self) -> None:
        with override_settings(TASKS=DATABASE_QUEUE, TASKS_RETRY_BASE_SECONDS=10):
            job = scoring_enqueue(assessment=self.assessment, trigger=RunTrigger.SUBMIT)
        from scoring import tasks

        with mock.patch.object(
            tasks, "score_run_create", side_effect=OperationalError("server closed")
        ):
            with override_settings(TASKS=DATABASE_QUEUE, TASKS_RETRY_BASE_SECONDS=10):
                with self.assertRaises(OperationalError):
                    tasks.score_assessment.call(job.pk)
        job.refresh_from_db()
        assert job.status == JobStatus.WAITING
        assert job.attempts == 1
        assert timedelta(seconds=9) < job.run_after - timezone.now() <= timedelta(seconds=10)
        retry = DBTaskResult.objects.get(pk=job.task_result_id)
        assert retry.status == "READY" and retry.run_after == job.run_after

    def test_after_the_last_attempt_a_temporary_error_fails_the_job(self) -> None:
        with override_settings(TASKS=DATABASE_QUEUE):
            job = scoring_enqueue(assessment=self.assessment, trigger=RunTrigger.SUBMIT)
        Job.objects.filter(pk=job.pk).update(attempts=4)
        from scoring import tasks

        with mock.patch.object(tasks, "score_run_create", side_effect=OperationalError("gone")):
            with override_settings(TASKS=DATABASE_QUEUE, TASKS_MAX_ATTEMPTS=5):
                with self.assertRaises(OperationalError):
                    tasks.score_assessment.call(job.pk)
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED
        assert "5 times" in job.error


class CohortDebounceTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.senegal = make_assessment("SEN")
        cls.kenya = make_assessment("KEN", framework=cls.senegal.framework)
        for assessment in (cls.senegal, cls.kenya):
            add_answers(assessment, FULL_ANSWERS)

    @override_settings(TASKS=DATABASE_QUEUE)
    def test_a_burst_of_approvals_gives_one_cohort_job_started_after_the_last(self) -> None:
        first = cohort_enqueue(framework_id=self.senegal.framework_id, round=2026, delay_seconds=60)
        entry = DBTaskResult.objects.get(pk=first.task_result_id)
        start = entry.run_after
        second = cohort_enqueue(
            framework_id=self.senegal.framework_id, round=2026, delay_seconds=60
        )
        assert second.pk == first.pk
        assert DBTaskResult.objects.count() == 1
        entry.refresh_from_db()
        assert entry.run_after > start  # pushed back by the second approval

    def test_the_cohort_job_ranks_the_round_s_approved_assessments(self) -> None:
        from surveys.models import Assessment, AssessmentState

        Assessment.objects.filter(pk__in=[self.senegal.pk, self.kenya.pk]).update(
            state=AssessmentState.APPROVED
        )
        job = cohort_enqueue(framework_id=self.senegal.framework_id, round=2026)
        run = ScoreRun.objects.get(pk=job.result["run"])
        assert run.kind == "cohort" and run.job == job
        assert sorted(run.inputs["units"]) == sorted([self.senegal.pk, self.kenya.pk])

    @override_settings(COHORT_RUN_AFTER_APPROVAL=True, TASKS=DATABASE_QUEUE)
    def test_approval_queues_the_round_s_cohort_run(self) -> None:
        from surveys.models import AssessmentState

        reviewer = make_reviewer("SEN")
        self.senegal.state = AssessmentState.IN_REVIEW
        self.senegal.save(update_fields=["state"])
        with self.captureOnCommitCallbacks(execute=True):
            assessment_transition(assessment=self.senegal, action="approve", actor=reviewer)
        kinds = sorted(Job.objects.values_list("kind", flat=True))
        assert kinds == ["score_assessment", "score_cohort"]


class RecoveryAndPruneTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.assessment = make_assessment("SEN")
        add_answers(cls.assessment, FULL_ANSWERS)

    @override_settings(TASKS=DATABASE_QUEUE)
    def test_a_running_job_without_heartbeat_is_requeued_and_a_live_one_is_left_alone(self):
        stale = scoring_enqueue(assessment=self.assessment, trigger=RunTrigger.SUBMIT)
        live = scoring_enqueue(assessment=self.assessment, trigger=RunTrigger.APPROVE)
        old = timezone.now() - timedelta(minutes=10)
        Job.objects.filter(pk=stale.pk).update(status=JobStatus.RUNNING, heartbeat_at=old)
        Job.objects.filter(pk=live.pk).update(status=JobStatus.RUNNING, heartbeat_at=timezone.now())
        DBTaskResult.objects.update(status="RUNNING")
        assert jobs_recover(lease_seconds=60) == [stale.pk]
        stale.refresh_from_db()
        assert stale.status == JobStatus.WAITING
        assert DBTaskResult.objects.get(pk=stale.task_result_id).status == "READY"
        assert Job.objects.get(pk=live.pk).status == JobStatus.RUNNING

    @override_settings(TASKS=DATABASE_QUEUE, TASKS_MAX_ATTEMPTS=2)
    def test_a_job_that_keeps_killing_its_worker_fails_instead_of_looping(self) -> None:
        job = scoring_enqueue(assessment=self.assessment, trigger=RunTrigger.SUBMIT)
        old = timezone.now() - timedelta(minutes=10)
        Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, heartbeat_at=old, attempts=2)
        assert jobs_recover(lease_seconds=60) == []
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED and "administrator" in job.error

    def test_prune_deletes_old_finished_jobs_but_never_waiting_ones(self) -> None:
        done = scoring_enqueue(assessment=self.assessment, trigger=RunTrigger.SUBMIT)
        with override_settings(TASKS=DATABASE_QUEUE):
            waiting = scoring_enqueue(assessment=self.assessment, trigger=RunTrigger.APPROVE)
        long_ago = timezone.now() - timedelta(days=30)
        Job.objects.update(created_at=long_ago)
        assert jobs_prune(days=14, dry_run=True)["jobs"] == 1
        call_command("prune_jobs", "--days", "14", stdout=io.StringIO())
        assert list(Job.objects.values_list("pk", flat=True)) == [waiting.pk]
        assert not Job.objects.filter(pk=done.pk).exists()
        # The run outlives its job.
        assert ScoreRun.objects.filter(assessment=self.assessment).count() == 1

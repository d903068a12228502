"""Workflow e-mails are sent by a worker: the request that approves only queues them."""

from __future__ import annotations

from django.core import mail
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from surveys.models import AssessmentState
from surveys.services.workflow import assessment_transition
from surveys.tasks import transition_notify
from tests.review.support import ReviewTestCase, make_in_state

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@override_settings(SITE_URL="https://assess.example.org")
class QueuedNotificationTests(ReviewTestCase):
    def test_approving_queues_the_mail_and_the_worker_sends_it(self) -> None:
        with override_settings(TASKS=DATABASE_QUEUE):
            with self.captureOnCommitCallbacks(execute=True):
                assessment_transition(assessment=self.in_review, action="approve", actor=self.rita)
            assert mail.outbox == []
            queued = DBTaskResult.objects.get(task_path="surveys.tasks.transition_notify")
        # What the worker runs, with the queued arguments.
        assert transition_notify.call(*queued.args_kwargs["args"]) == 1
        assert [m.to for m in mail.outbox] == [[self.alice.email]]
        assert "approved" in mail.outbox[0].subject.lower()

    def test_starting_a_review_queues_nothing(self) -> None:
        submitted = make_in_state(AssessmentState.SUBMITTED, round=2024)
        with override_settings(TASKS=DATABASE_QUEUE):
            with self.captureOnCommitCallbacks(execute=True):
                assessment_transition(assessment=submitted, action="start_review", actor=self.rita)
        assert not DBTaskResult.objects.filter(task_path="surveys.tasks.transition_notify").exists()

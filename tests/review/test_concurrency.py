"""Two reviewers acting on one assessment at the same moment (issue 5, §8).

Real threads, real transactions (TransactionTestCase): on PostgreSQL ``select_for_update``
serialises them; on SQLite the IMMEDIATE transaction mode and the busy timeout do. Either way
exactly one action succeeds, the other gets ``TransitionError``, and the log stays consistent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test import TransactionTestCase

from surveys.models import Assessment, AssessmentState, StateTransition
from surveys.services.workflow import TransitionError, assessment_transition
from tests.factories import make_assessment, make_reviewer

ROUNDS = 5


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run ``calls`` at the same instant in threads; return each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - the test inspects what each thread got
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


class ConcurrentReviewTests(TransactionTestCase):
    # No serialized_rollback: the flush after each test emits post_migrate, which refills the
    # countries table; restoring a snapshot instead collides with content types recreated by an
    # earlier transactional test on the same worker.

    def setUp(self) -> None:
        self.first = make_reviewer("SEN", "reviewer_one")
        self.second = make_reviewer("SEN", "reviewer_two")

    def _in_review(self, round_: int) -> Assessment:
        return make_assessment("SEN", round=round_, state=AssessmentState.IN_REVIEW)

    def test_approve_and_return_at_once_exactly_one_wins(self) -> None:
        for round_ in range(2030, 2030 + ROUNDS):
            assessment = self._in_review(round_)
            # Each reviewer's page loaded the assessment before they clicked.
            seen_by_first = Assessment.objects.get(pk=assessment.pk)
            seen_by_second = Assessment.objects.get(pk=assessment.pk)
            outcomes = race(
                lambda a=seen_by_first: assessment_transition(
                    assessment=a, action="approve", actor=self.first
                ),
                lambda a=seen_by_second: assessment_transition(
                    assessment=a,
                    action="return",
                    actor=self.second,
                    message="Please source GOV.1.a.",
                ),
            )
            errors = [o for o in outcomes if isinstance(o, Exception)]
            successes = [o for o in outcomes if isinstance(o, Assessment)]
            assert len(successes) == 1, outcomes
            assert len(errors) == 1 and isinstance(errors[0], TransitionError), outcomes
            assessment.refresh_from_db()
            log = list(StateTransition.objects.filter(assessment=assessment))
            assert len(log) == 1
            assert log[0].from_state == AssessmentState.IN_REVIEW
            assert log[0].to_state == assessment.state
            assert assessment.state in {AssessmentState.APPROVED, AssessmentState.RETURNED}

    def test_two_approvals_at_once_record_one_transition(self) -> None:
        assessment = self._in_review(2040)
        pages = [Assessment.objects.get(pk=assessment.pk) for _ in range(2)]
        outcomes = race(
            *[
                lambda user=user, page=page: assessment_transition(
                    assessment=page, action="approve", actor=user
                )
                for user, page in zip((self.first, self.second), pages, strict=True)
            ]
        )
        assert sum(isinstance(o, Assessment) for o in outcomes) == 1, outcomes
        assert sum(isinstance(o, TransitionError) for o in outcomes) == 1, outcomes
        assert StateTransition.objects.filter(assessment=assessment).count() == 1

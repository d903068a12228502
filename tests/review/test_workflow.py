"""The state machine: who may do what from which state, approval with open queries, reopening."""

from __future__ import annotations

from itertools import count

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from surveys.models import AssessmentState as S
from surveys.models import AuditEvent, Query, StateTransition
from surveys.services.workflow import (
    TransitionError,
    assessment_transition,
    available_transitions,
)
from surveys.workflow import TRANSITIONS, transitions_from
from tests.factories import complete_answers
from tests.review.support import ReviewTestCase, make_in_state, transitions_of

# (state, action) → the state it leads to; every other pair must be refused.
ALLOWED = {
    (S.DRAFT, "submit"): S.SUBMITTED,
    (S.SUBMITTED, "start_review"): S.IN_REVIEW,
    (S.RESUBMITTED, "start_review"): S.IN_REVIEW,
    (S.IN_REVIEW, "return"): S.RETURNED,
    (S.IN_REVIEW, "approve"): S.APPROVED,
    (S.RETURNED, "resubmit"): S.RESUBMITTED,
    (S.APPROVED, "reopen"): S.RETURNED,
}
# Who may apply each action (as named people of ReviewTestCase).
ROLES = {
    "submit": {"alice"},
    "resubmit": {"alice"},
    "start_review": {"rita", "ada"},
    "return": {"rita", "ada"},
    "approve": {"rita", "ada"},
    "reopen": {"ada"},
}
PEOPLE = ["alice", "rita", "ken", "ada", "paul"]
_rounds = count(1000)


def test_the_transition_table_is_the_documented_workflow() -> None:
    table = {
        (source, action): t.target for action, t in TRANSITIONS.items() for source in t.sources
    }
    assert table == ALLOWED
    assert [t.action for t in transitions_from(S.IN_REVIEW)] == ["return", "approve"]


class StateMachineTests(ReviewTestCase):
    def _attempt(self, state: str, action: str, person: str) -> str:
        assessment = make_in_state(state, round=next(_rounds))
        complete_answers(assessment)
        user = getattr(self, person)
        message = "Reason given."
        try:
            assessment_transition(assessment=assessment, action=action, actor=user, message=message)
        except TransitionError:
            return "refused"
        return assessment.state

    def test_each_role_may_apply_exactly_its_transitions_from_the_right_states(self) -> None:
        failures = []
        for state in S.values:
            for action in TRANSITIONS:
                for person in PEOPLE:
                    with self.subTest(state=state, action=action, person=person):
                        got = self._attempt(state, action, person)
                        allowed = (state, action) in ALLOWED and person in ROLES[action]
                        expected = ALLOWED[(state, action)] if allowed else "refused"
                        if got != expected:
                            failures.append(f"{person} {action} from {state}: {got}")
        assert not failures, failures

    def test_a_transition_records_who_when_and_the_message(self) -> None:
        assessment = make_in_state(S.DRAFT, round=2001)
        complete_answers(assessment)
        assessment_transition(
            assessment=assessment, action="submit", actor=self.alice, message="Ready."
        )
        step = StateTransition.objects.get(assessment=assessment)
        assert (step.actor, step.action, step.from_state, step.to_state, step.message) == (
            self.alice,
            "submit",
            S.DRAFT,
            S.SUBMITTED,
            "Ready.",
        )
        assert step.created_at is not None
        assessment.refresh_from_db()
        assert assessment.state == S.SUBMITTED and assessment.state_changed_at is not None

    def test_a_transition_is_audited_with_old_and_new_state_and_the_message(self) -> None:
        assessment = make_in_state(S.DRAFT, round=2002)
        complete_answers(assessment)
        assessment_transition(
            assessment=assessment, action="submit", actor=self.alice, message="Ready."
        )
        events = {
            e.field: e for e in AuditEvent.objects.filter(assessment=assessment, action="submit")
        }
        assert (events["state"].old_value, events["state"].new_value) == (S.DRAFT, S.SUBMITTED)
        assert events["state"].actor == self.alice
        assert events["message"].new_value == "Ready."

    def test_available_transitions_follow_role_and_state(self) -> None:
        assert [t.action for t in available_transitions(self.rita, self.in_review)] == [
            "return",
            "approve",
        ]
        assert available_transitions(self.alice, self.in_review) == []
        assert available_transitions(self.ken, self.in_review) == []
        assert [t.action for t in available_transitions(self.alice, self.draft)] == ["submit"]


class ApprovalWithOpenQueriesTests(ReviewTestCase):
    def setUp(self) -> None:
        self.assessment = make_in_state(S.IN_REVIEW, round=2010)
        Query.objects.create(
            assessment=self.assessment, question_code="GOV.1.a", opened_by=self.rita
        )

    def test_approval_is_refused_while_a_query_is_open(self) -> None:
        with pytest.raises(TransitionError, match="1 query is still open"):
            assessment_transition(assessment=self.assessment, action="approve", actor=self.rita)
        self.assessment.refresh_from_db()
        assert self.assessment.state == S.IN_REVIEW
        assert transitions_of(self.assessment) == []

    def test_overriding_without_a_reason_is_refused(self) -> None:
        with pytest.raises(TransitionError, match="written reason"):
            assessment_transition(
                assessment=self.assessment, action="approve", actor=self.rita, override=True
            )
        assert transitions_of(self.assessment) == []

    def test_overriding_with_a_reason_approves_and_records_the_reason(self) -> None:
        assessment_transition(
            assessment=self.assessment,
            action="approve",
            actor=self.rita,
            override=True,
            message="Confirmed by phone with the ministry.",
        )
        assert self.assessment.state == S.APPROVED
        reason = AuditEvent.objects.get(assessment=self.assessment, field="override_reason")
        assert reason.new_value == "Confirmed by phone with the ministry."
        assert StateTransition.objects.get(assessment=self.assessment).message == (
            "Confirmed by phone with the ministry."
        )

    def test_approval_succeeds_once_queries_are_resolved(self) -> None:
        Query.objects.filter(assessment=self.assessment).update(status="resolved")
        assessment_transition(assessment=self.assessment, action="approve", actor=self.rita)
        assert self.assessment.state == S.APPROVED

    def test_returning_with_open_queries_needs_no_message(self) -> None:
        assessment_transition(assessment=self.assessment, action="return", actor=self.rita)
        assert self.assessment.state == S.RETURNED

    def test_returning_without_queries_or_message_is_refused(self) -> None:
        Query.objects.filter(assessment=self.assessment).delete()
        with pytest.raises(TransitionError, match="before returning"):
            assessment_transition(assessment=self.assessment, action="return", actor=self.rita)
        assessment_transition(
            assessment=self.assessment, action="return", actor=self.rita, message="See GOV."
        )
        assert self.assessment.state == S.RETURNED


class ReopenTests(ReviewTestCase):
    def test_reopening_requires_a_written_reason(self) -> None:
        approved = make_in_state(S.APPROVED, round=2020)
        for blank in ("", "   "):
            with pytest.raises(TransitionError, match="written reason"):
                assessment_transition(
                    assessment=approved, action="reopen", actor=self.ada, message=blank
                )
        assessment_transition(
            assessment=approved, action="reopen", actor=self.ada, message="Census revised."
        )
        assert approved.state == S.RETURNED
        assert StateTransition.objects.get(assessment=approved).message == "Census revised."

    def test_a_reviewer_cannot_reopen(self) -> None:
        approved = make_in_state(S.APPROVED, round=2021)
        with pytest.raises(TransitionError):
            assessment_transition(
                assessment=approved, action="reopen", actor=self.rita, message="Please."
            )

    def test_unknown_actions_are_refused(self) -> None:
        with pytest.raises(TransitionError, match="Unknown action"):
            assessment_transition(assessment=self.draft, action="publish", actor=self.ada)


class WorkflowInvariantTests(ReviewTestCase, HypothesisTestCase):
    @settings(max_examples=40, deadline=None)
    @given(
        steps=st.lists(
            st.tuples(st.sampled_from(sorted(TRANSITIONS)), st.sampled_from(PEOPLE)),
            max_size=12,
        )
    )
    def test_any_sequence_of_attempts_leaves_a_consistent_log(self, steps: list) -> None:
        assessment = make_in_state(S.DRAFT, round=next(_rounds))
        for action, person in steps:
            try:
                assessment_transition(
                    assessment=assessment,
                    action=action,
                    actor=getattr(self, person),
                    message="Reason.",
                    override=True,
                )
            except TransitionError:
                pass
        log = transitions_of(assessment)
        state = S.DRAFT
        for action, from_state, to_state in log:
            assert from_state == state
            assert ALLOWED[(from_state, action)] == to_state
            state = to_state
        assessment.refresh_from_db()
        assert assessment.state == state

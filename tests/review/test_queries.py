"""Per-answer queries: who may open, reply and resolve; threads; audit rows."""

from __future__ import annotations

import pytest

from surveys.models import AssessmentState, AuditEvent, QueryStatus
from surveys.services.review import (
    QueryError,
    open_queries_by_question,
    query_open,
    query_reply,
    query_resolve,
)
from tests.review.support import ReviewTestCase, make_in_state


class QueryServiceTests(ReviewTestCase):
    def _open(self, code: str = "GOV.1.a", text: str = "Which document?") -> object:
        return query_open(assessment=self.in_review, question_code=code, actor=self.rita, text=text)

    def test_a_reviewer_opens_a_query_with_its_first_message_and_it_is_audited(self) -> None:
        query = self._open()
        assert query.status == QueryStatus.OPEN and query.opened_by == self.rita
        assert [m.text for m in query.messages.all()] == ["Which document?"]
        events = AuditEvent.objects.filter(object_type="query", action="query_open")
        assert {(e.field, e.old_value, e.new_value) for e in events} == {
            ("status", None, "open"),
            ("message", None, "Which document?"),
        }
        assert all(e.actor == self.rita for e in events)

    def test_focal_points_planners_and_strangers_cannot_open_queries(self) -> None:
        for person in (self.alice, self.paul, self.ken):
            with pytest.raises(QueryError):
                query_open(
                    assessment=self.in_review, question_code="GOV.1.a", actor=person, text="?"
                )

    def test_queries_are_opened_only_during_review(self) -> None:
        submitted = make_in_state(AssessmentState.SUBMITTED, round=2030)
        with pytest.raises(QueryError, match="Start the review"):
            query_open(assessment=submitted, question_code="GOV.1.a", actor=self.rita, text="?")

    def test_unknown_questions_and_empty_or_oversize_texts_are_refused(self) -> None:
        with pytest.raises(QueryError, match="no question"):
            self._open(code="NOPE.1")
        with pytest.raises(QueryError, match="Write a message"):
            self._open(text="   ")
        with pytest.raises(QueryError, match="at most"):
            self._open(text="x" * 5001)

    def test_the_focal_point_replies_in_the_thread(self) -> None:
        query = self._open()
        query_reply(query=query, actor=self.alice, text="The 2024 strategy, page 3.")
        query_reply(query=query, actor=self.rita, text="Thanks, please upload it.")
        assert [(m.author, m.text) for m in query.messages.all()] == [
            (self.rita, "Which document?"),
            (self.alice, "The 2024 strategy, page 3."),
            (self.rita, "Thanks, please upload it."),
        ]
        reply = AuditEvent.objects.get(action="query_reply", actor=self.alice)
        assert reply.new_value == "The 2024 strategy, page 3."

    def test_planners_and_strangers_cannot_reply(self) -> None:
        query = self._open()
        for person in (self.paul, self.ken):
            with pytest.raises(QueryError):
                query_reply(query=query, actor=person, text="Hello")

    def test_resolving_records_who_and_when_once(self) -> None:
        query = self._open()
        query_resolve(query=query, actor=self.rita, text="Document received.")
        query.refresh_from_db()
        assert query.status == QueryStatus.RESOLVED
        assert query.resolved_by == self.rita and query.resolved_at is not None
        event = AuditEvent.objects.get(action="query_resolve", field="status")
        assert (event.old_value, event.new_value) == ("open", "resolved")
        with pytest.raises(QueryError, match="resolved"):
            query_resolve(query=query, actor=self.rita)
        with pytest.raises(QueryError, match="resolved"):
            query_reply(query=query, actor=self.alice, text="One more thing")

    def test_a_focal_point_cannot_resolve_a_query(self) -> None:
        query = self._open()
        with pytest.raises(QueryError):
            query_resolve(query=query, actor=self.alice)

    def test_open_queries_are_grouped_by_question_for_the_wizard(self) -> None:
        first = self._open("GOV.1.a")
        second = self._open("GOV.1.a", "And the date?")
        other = self._open("NET.1.a")
        query_resolve(query=other, actor=self.rita)
        grouped = open_queries_by_question(self.in_review)
        assert list(grouped) == ["GOV.1.a"]
        assert [q.pk for q in grouped["GOV.1.a"]] == [first.pk, second.pk]
        with self.assertNumQueries(2):
            grouped = open_queries_by_question(self.in_review)
            texts = [m.text for q in grouped["GOV.1.a"] for m in q.messages.all()]
        assert texts == ["Which document?", "And the date?"]

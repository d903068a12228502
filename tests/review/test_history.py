"""The audit trail: append-only rows, the history page's filters and pages, the CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from surveys.audit import Change, audit_record
from surveys.models import AuditEvent, AuditTrailIsAppendOnly
from surveys.services.answers import AnswerInput, answers_save
from surveys.services.review import query_open
from surveys.services.workflow import assessment_transition
from surveys.views.history import PAGE_SIZE, csv_safe
from tests.factories import complete_answers
from tests.review.support import ReviewTestCase


class AuditTrailTests(ReviewTestCase):
    def test_answers_states_and_queries_are_audited_with_old_and_new_values(self) -> None:
        answers_save(
            assessment=self.draft,
            actor=self.alice,
            answers=[AnswerInput("GOV.1.a", 1)],
            base_revision=0,
        )
        answers_save(
            assessment=self.draft,
            actor=self.alice,
            answers=[AnswerInput("GOV.1.a", 2)],
            base_revision=1,
        )
        complete_answers(self.draft)
        assessment_transition(assessment=self.draft, action="submit", actor=self.alice)
        assessment_transition(assessment=self.draft, action="start_review", actor=self.rita)
        query_open(assessment=self.draft, question_code="GOV.1.a", actor=self.rita, text="Why?")
        rows = {
            (e.object_type, e.field, repr(e.old_value), repr(e.new_value), e.actor_label)
            for e in AuditEvent.objects.filter(assessment=self.draft)
        }
        assert ("answer", "value", "1", "2", "alice") in rows
        assert ("assessment", "state", "'draft'", "'submitted'", "alice") in rows
        assert ("assessment", "state", "'submitted'", "'in_review'", "rita") in rows
        assert ("query", "status", "None", "'open'", "rita") in rows

    def test_audit_rows_cannot_be_changed_or_deleted(self) -> None:
        [event] = audit_record(
            assessment=self.draft,
            actor=self.alice,
            changes=[Change("answer", "GOV.1.a", "value", 1, 2)],
        )
        event = AuditEvent.objects.get(pk=event.pk)
        event.new_value = 3
        with pytest.raises(AuditTrailIsAppendOnly):
            event.save()
        with pytest.raises(AuditTrailIsAppendOnly):
            event.delete()
        assert AuditEvent.objects.get(pk=event.pk).new_value == 2

    @pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the database trigger exists on PostgreSQL only (CI runs the suite on both)",
    )
    def test_postgresql_refuses_deletes_and_updates_that_go_around_the_model(self) -> None:
        [event] = audit_record(
            assessment=self.draft,
            actor=self.alice,
            changes=[Change("answer", "GOV.1.a", "value", 1, 2)],
        )
        attempts = [
            lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
            lambda: AuditEvent.objects.filter(pk=event.pk).update(new_value=3),
            lambda: AuditEvent.objects.filter(pk=event.pk).update(actor=None, new_value=3),
        ]
        for attempt in attempts:
            with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
                attempt()
        with connection.cursor() as cursor, pytest.raises(IntegrityError), transaction.atomic():
            cursor.execute("DELETE FROM surveys_auditevent WHERE id = %s", [event.pk])
        assert AuditEvent.objects.get(pk=event.pk).new_value == 2

    def test_deleting_a_user_keeps_their_audit_rows_with_the_name_they_acted_under(self) -> None:
        [event] = audit_record(
            assessment=self.draft,
            actor=self.alice,
            changes=[Change("answer", "GOV.1.a", "value", 1, 2)],
        )
        self.alice.delete()
        kept = AuditEvent.objects.get(pk=event.pk)
        assert kept.actor is None and kept.actor_label == "alice" and kept.new_value == 2

    def test_the_admin_shows_audit_rows_but_cannot_add_change_or_delete_them(self) -> None:
        [event] = audit_record(
            assessment=self.draft,
            actor=self.alice,
            changes=[Change("answer", "GOV.1.a", "value", 1, 2)],
        )
        self.client.force_login(self.ada)
        changelist = reverse("admin:surveys_auditevent_changelist")
        page = self.client.get(changelist)
        assert page.status_code == 200
        assert b"delete_selected" not in page.content
        assert self.client.get(reverse("admin:surveys_auditevent_add")).status_code == 403
        change = reverse("admin:surveys_auditevent_change", args=[event.pk])
        assert self.client.post(change, {"new_value": "3"}).status_code == 403
        delete = reverse("admin:surveys_auditevent_delete", args=[event.pk])
        assert self.client.post(delete, {"post": "yes"}).status_code == 403
        bulk = self.client.post(
            changelist, {"action": "delete_selected", "_selected_action": [event.pk]}
        )
        assert bulk.status_code in {200, 302}
        assert AuditEvent.objects.filter(pk=event.pk).exists()


class HistoryPageTests(ReviewTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        audit_record(
            assessment=cls.draft,
            actor=cls.alice,
            changes=[
                Change("answer", "GOV.1.a", "value", 1, 2),
                Change("answer", "GOV.1.a", "justification", "", "=cmd|' /C calc'!A0"),
                Change("evidence", "7", "url", None, "https://example.org", "evidence_add"),
            ],
        )
        audit_record(
            assessment=cls.draft,
            actor=cls.rita,
            changes=[Change("query", "1:GOV.1.a", "status", None, "open", "query_open")],
        )
        # Another assessment's history never shows here.
        audit_record(
            assessment=cls.in_review,
            actor=cls.rita,
            changes=[Change("answer", "NET.1.a", "value", 10, 20)],
        )

    def _get(self, user: object, name: str = "surveys:history", **query: str) -> object:
        self.client.force_login(user)
        return self.client.get(reverse(name, kwargs={"pk": self.draft.pk}), query)

    def _rows(self, response: object) -> list[AuditEvent]:
        return list(response.context["page"].object_list)

    def test_the_history_lists_this_assessments_changes_newest_first(self) -> None:
        rows = self._rows(self._get(self.alice))
        assert [(e.object_type, e.field) for e in rows] == [
            ("query", "status"),
            ("evidence", "url"),
            ("answer", "justification"),
            ("answer", "value"),
        ]

    def test_filters_by_action_object_type_actor_and_dates(self) -> None:
        assert {e.action for e in self._rows(self._get(self.rita, action="evidence_add"))} == {
            "evidence_add"
        }
        assert len(self._rows(self._get(self.rita, object_type="answer"))) == 2
        assert {e.actor_label for e in self._rows(self._get(self.rita, actor="rita"))} == {"rita"}
        today = timezone.localdate()
        assert len(self._rows(self._get(self.rita, date_from=str(today)))) == 4
        yesterday = str(today - dt.timedelta(days=1))
        assert self._rows(self._get(self.rita, date_to=yesterday)) == []

    def test_invalid_filters_show_errors_and_no_rows(self) -> None:
        response = self._get(self.rita, action="no-such-action")
        assert response.status_code == 200
        assert response.context["form"].errors
        assert self._rows(response) == []
        reversed_dates = self._get(self.rita, date_from="2026-02-01", date_to="2026-01-01")
        assert "start date is after" in reversed_dates.content.decode()

    def test_long_histories_are_paginated(self) -> None:
        audit_record(
            assessment=self.draft,
            actor=self.alice,
            changes=[Change("answer", f"Q{i}", "value", i, i + 1) for i in range(PAGE_SIZE)],
        )
        first = self._get(self.alice)
        assert len(self._rows(first)) == PAGE_SIZE
        second = self._get(self.alice, page="2")
        assert len(self._rows(second)) == 4

    def test_the_csv_export_follows_the_filters(self) -> None:
        response = self._get(self.rita, "surveys:history-csv", object_type="answer")
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment;" in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0] == [
            "when",
            "actor",
            "action",
            "object_type",
            "object",
            "field",
            "old",
            "new",
        ]
        assert [(r[3], r[5], r[6], r[7]) for r in rows[1:]] == [
            ("answer", "justification", "", "'=cmd|' /C calc'!A0"),
            ("answer", "value", "1", "2"),
        ]

    def test_csv_cells_that_spreadsheets_would_run_are_neutralised(self) -> None:
        for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
            assert csv_safe(dangerous) == "'" + dangerous
        assert csv_safe("2026 census") == "2026 census"

"""The audit trail is a hash chain: ``manage.py verify_audit`` finds any edited, deleted or
inserted event, on SQLite and on PostgreSQL, and names the first broken link (issue 16 §8).

The tampering is done as a database owner would: raw SQL, with PostgreSQL's append-only
trigger disabled first (an owner may do that; the chain is what still catches them).
"""

from __future__ import annotations

import threading
import time
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import TestCase, TransactionTestCase

from surveys.audit import Change, audit_record
from surveys.audit_chain import chain_verify
from surveys.models import AuditChainHead, AuditEvent
from surveys.services.workflow import assessment_transition
from tests.factories import complete_answers, make_assessment, make_focal_point

TRIGGER = "surveys_auditevent_append_only"
COLUMNS = (
    "assessment_id, actor_id, actor_label, action, object_type, object_ref, field, "
    "old_value, new_value, created_at, previous_hash, chain_hash"
)


def as_database_owner(sql: str, params: list | None = None) -> None:
    """Run raw SQL on the audit table the way its owner could, trigger or not."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The test's transaction holds deferred foreign-key checks; ALTER TABLE needs none.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE surveys_auditevent DISABLE TRIGGER {TRIGGER}")
        cursor.execute(sql, params or [])
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE surveys_auditevent ENABLE TRIGGER {TRIGGER}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def verify() -> str:
    """Run the command; return what it printed, or raise the CommandError it exits with."""
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def broken_link_message() -> str:
    with pytest.raises(CommandError) as raised:
        verify()
    return str(raised.value)


class AuditChainTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.focal_point = make_focal_point("SEN", "chain_fp")
        cls.assessment = make_assessment("SEN")
        complete_answers(cls.assessment)
        assessment_transition(assessment=cls.assessment, action="submit", actor=cls.focal_point)
        for number in range(4):
            audit_record(
                assessment=cls.assessment,
                actor=cls.focal_point,
                changes=[
                    Change(
                        "answer",
                        f"GOV.{number}",
                        "value",
                        {"score": 0.1 * number, "é": ["ü", None]},
                        number,
                    )
                ],
            )
        cls.ids = list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True))

    def test_an_untouched_trail_verifies(self) -> None:
        output = verify()
        assert f"Audit trail intact: {len(self.ids)} events" in output
        assert len(self.ids) >= 5

    def test_every_event_links_to_the_one_before(self) -> None:
        events = list(AuditEvent.objects.order_by("pk"))
        assert events[0].previous_hash == "" or events[0].pk != self.ids[0]
        for before, after in zip(events, events[1:], strict=False):
            assert after.previous_hash == before.chain_hash
        head = AuditChainHead.objects.get()
        assert (head.last_event_id, head.last_hash) == (events[-1].pk, events[-1].chain_hash)

    def test_an_edited_value_is_found_and_named(self) -> None:
        target = self.ids[2]
        as_database_owner(
            "UPDATE surveys_auditevent SET object_ref = %s WHERE id = %s", ["GOV.99", target]
        )
        message = broken_link_message()
        assert f"event #{target} does not match its hash" in message

    def test_an_edited_date_is_found(self) -> None:
        target = self.ids[1]
        as_database_owner(
            "UPDATE surveys_auditevent SET created_at = %s WHERE id = %s",
            ["2020-01-01 00:00:00", target],
        )
        assert f"event #{target} does not match its hash" in broken_link_message()

    def test_a_deleted_event_is_found_at_its_successor(self) -> None:
        deleted, successor = self.ids[2], self.ids[3]
        as_database_owner("DELETE FROM surveys_auditevent WHERE id = %s", [deleted])
        message = broken_link_message()
        assert f"event #{successor} does not follow event #{self.ids[1]}" in message

    def test_deleting_the_newest_events_is_found(self) -> None:
        as_database_owner("DELETE FROM surveys_auditevent WHERE id >= %s", [self.ids[-2]])
        message = broken_link_message()
        assert f"the chain ends at event #{self.ids[-3]}" in message
        assert f"its head records event #{self.ids[-1]}" in message

    def test_an_exact_copy_inserted_is_found(self) -> None:
        as_database_owner(
            f"INSERT INTO surveys_auditevent ({COLUMNS}) "  # noqa: S608 - fixed column names
            f"SELECT {COLUMNS} FROM surveys_auditevent WHERE id = %s",
            [self.ids[1]],
        )
        inserted = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
        assert f"event #{inserted} does not follow event #{self.ids[-1]}" in broken_link_message()

    def test_a_forged_event_is_found(self) -> None:
        forged_columns = COLUMNS.replace("object_ref", "'forged'")
        as_database_owner(
            f"INSERT INTO surveys_auditevent ({COLUMNS}) "  # noqa: S608 - fixed column names
            f"SELECT {forged_columns} FROM surveys_auditevent WHERE id = %s",
            [self.ids[-1]],
        )
        inserted = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
        assert f"event #{inserted} does not match its hash" in broken_link_message()

    def test_a_deleted_head_is_found(self) -> None:
        AuditChainHead.objects.all().delete()
        assert "head is missing" in broken_link_message()

    def test_the_report_counts_further_breaks(self) -> None:
        for target in self.ids[1:3]:
            as_database_owner(
                "UPDATE surveys_auditevent SET field = %s WHERE id = %s", ["x", target]
            )
        report = chain_verify()
        assert [link.event_id for link in report.broken] == self.ids[1:3]
        assert "1 more broken link(s)" in broken_link_message()

    def test_deleting_an_account_keeps_the_chain_intact(self) -> None:
        get_user_model().objects.filter(pk=self.focal_point.pk).delete()
        assert AuditEvent.objects.filter(actor__isnull=True).count() == len(self.ids)
        assert "intact" in verify()

    def test_new_events_after_tampering_do_not_repair_it(self) -> None:
        as_database_owner("DELETE FROM surveys_auditevent WHERE id = %s", [self.ids[1]])
        audit_record(
            assessment=self.assessment,
            actor=self.focal_point,
            changes=[Change("answer", "GOV.1", "value", 1, 2)],
        )
        assert f"event #{self.ids[2]} does not follow" in broken_link_message()


def write_retrying_if_locked(write) -> None:
    """SQLite's in-memory test database (shared cache) refuses a locked table at once instead
    of waiting out the busy timeout as the file database of a deployment does: retry there."""
    for _attempt in range(200):
        try:
            with transaction.atomic():
                write()
            return
        except OperationalError as error:
            if connection.vendor != "sqlite" or "locked" not in str(error):
                raise
            time.sleep(0.01)
    raise AssertionError("the audit table stayed locked")


class ConcurrentAuditWritersTests(TransactionTestCase):
    """Writers at the same instant append one after another: the chain never forks."""

    WRITERS = 8

    def test_concurrent_writers_leave_one_unbroken_chain(self) -> None:
        assessment = make_assessment("SEN")
        barrier = threading.Barrier(self.WRITERS)
        errors: list[BaseException] = []

        def write(number: int) -> None:
            try:
                barrier.wait(timeout=10)
                for round_ in range(3):
                    changes = [Change("answer", f"Q{number}", "value", round_, round_ + 1)] * 2
                    write_retrying_if_locked(
                        lambda changes=changes: audit_record(
                            assessment=assessment,
                            actor=None,
                            actor_label=f"writer {number}",
                            changes=changes,
                        )
                    )
            except BaseException as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=write, args=(n,)) for n in range(self.WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        assert AuditEvent.objects.count() == self.WRITERS * 3 * 2
        hashes = list(AuditEvent.objects.values_list("previous_hash", flat=True))
        assert len(set(hashes)) == len(hashes), "two events follow the same event: a fork"
        assert "intact" in verify()


class ChainMigrationTests(TransactionTestCase):
    """The migration that introduced the chain chains the events written before it."""

    BEFORE = [("surveys", "0004_audit_append_only_in_postgresql")]
    AFTER = [("surveys", "0005_audit_hash_chain")]

    def test_existing_events_are_chained_in_id_order(self) -> None:
        assessment = make_assessment("SEN")
        executor = MigrationExecutor(connection)
        executor.migrate(self.BEFORE)
        try:
            old_state = executor.loader.project_state(self.BEFORE)
            OldEvent = old_state.apps.get_model("surveys", "AuditEvent")
            for number in range(3):
                OldEvent.objects.create(
                    assessment_id=assessment.pk,
                    actor_label="before the chain",
                    action="update",
                    object_type="answer",
                    object_ref=f"Q{number}",
                    field="value",
                    old_value={"n": number},
                    new_value=[number, 0.5],
                )
        finally:
            executor = MigrationExecutor(connection)
            executor.loader.build_graph()
            executor.migrate(executor.loader.graph.leaf_nodes())
        assert "intact: 3 events" in verify()
        as_database_owner(
            "UPDATE surveys_auditevent SET actor_label = %s WHERE object_ref = %s",
            ["someone else", "Q1"],
        )
        first_broken = AuditEvent.objects.get(object_ref="Q1").pk
        assert f"event #{first_broken} does not match its hash" in broken_link_message()

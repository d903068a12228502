"""Faults under load, on PostgreSQL (issue 16 §10): a gunicorn worker killed in the middle of a
save, database connections terminated while users save, 20 saves at once of one answer and of
different answers, and approvals and returns at once.

Afterwards the database is read back: no acknowledged save is lost, nothing is duplicated, no
answer is half-written (every stored answer has its audit event and the audit chain verifies),
and a contested state change happens once.

"In the middle of a save" is made exact, not left to timing: the test holds the lock on the
audit chain's head, which every save takes last, after it has written the answers and the new
revision in its transaction. The save is then provably mid-transaction when the worker or its
database connection is killed.

PostgreSQL only: SQLite's in-memory test database cannot be shared with a gunicorn process,
and it serialises writers without row locks. CI runs the suite on PostgreSQL too.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from django.core.management import call_command
from django.db import connection
from django.test import TransactionTestCase, override_settings

import needs_assessment.settings as production_settings
from surveys.models import Answer, Assessment, AssessmentState, AuditEvent, StateTransition
from surveys.services.answers import AnswerInput, RevisionConflict, answers_save, framework_spec
from surveys.services.workflow import TransitionError, assessment_transition
from tests.factories import PASSWORD, make_assessment, make_focal_point, make_reviewer
from tests.framework_fixtures import load_generated_framework

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="fault tests need PostgreSQL (a database a gunicorn process can share; row locks)",
)

ROOT = Path(__file__).resolve().parents[2]


def percentage_codes(assessment: Assessment) -> list[str]:
    spec = framework_spec(assessment.framework)
    return [code for code, q in spec.questions_by_code.items() if q.type == "percentage"]


def other_connection(*, autocommit: bool = False) -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        dbname=settings["NAME"],
        autocommit=autocommit,
    )


@contextmanager
def chain_head_held() -> Iterator[psycopg.Connection]:
    """Hold the audit chain's head locked: every save stops just before it commits."""
    holder = other_connection()
    try:
        holder.execute("SELECT id FROM surveys_auditchainhead WHERE id = 1 FOR UPDATE")
        yield holder
    finally:
        holder.rollback()
        holder.close()


def backends_waiting_for_the_head(count: int) -> list[int]:
    """The PIDs of database sessions blocked on the head lock, once there are ``count``."""
    deadline = time.monotonic() + 20
    # Autocommit: inside a transaction pg_stat_activity would show one frozen snapshot.
    with other_connection(autocommit=True) as watcher:
        while time.monotonic() < deadline:
            rows = watcher.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query ILIKE %s",
                ["%surveys_auditchainhead%"],
            ).fetchall()
            if len(rows) >= count:
                return [row[0] for row in rows]
            time.sleep(0.05)
    raise AssertionError(f"fewer than {count} saves reached the audit write")


def verify_audit_trail() -> None:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "intact" in out.getvalue()


def assert_every_answer_is_whole(assessment: Assessment) -> None:
    """Each stored answer is one row, with its revision recorded and its last audit event
    naming the stored value: never a row without its audit, or half of a save."""
    assessment.refresh_from_db()
    rows = list(Answer.objects.filter(assessment=assessment))
    codes = [row.question_code for row in rows]
    assert len(codes) == len(set(codes)), "duplicate answers"
    for row in rows:
        assert 0 < row.revision <= assessment.revision
        last = (
            AuditEvent.objects.filter(assessment=assessment, object_ref=row.question_code)
            .filter(field="value")
            .order_by("-pk")
            .first()
        )
        assert last is not None and last.new_value == row.value, row.question_code
    verify_audit_trail()


class Server:
    """gunicorn with two workers on the test database, with production settings."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        settings = connection.settings_dict
        database_url = (
            f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:"
            f"{settings['PORT']}/{settings['NAME']}"
        )
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "STATIC_MANIFEST": "0",
            "LOG_LEVEL": "CRITICAL",
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "needs_assessment.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--timeout",
                "60",
                "--log-level",
                "critical",
                # Workers fork from a loaded master: a killed worker is replaced in moments.
                "--preload",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        try:
            self.wait_until_up()
        except BaseException:
            self.stop()  # never leave a server behind
            raise

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/healthz", timeout=10).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise AssertionError("gunicorn did not start")

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=20)


class FocalPointClient:
    """A focal point saving answers through the API, signed in with the site's own form."""

    def __init__(self, server: Server, username: str, assessment: Assessment) -> None:
        self.server = server
        self.assessment = assessment
        self.session = requests.Session()
        login = f"{server.url}/accounts/login/"
        self.session.get(login, timeout=10)
        response = self.session.post(
            login,
            data={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.session.cookies["csrftoken"],
            },
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302, response.text[:500]
        self.revision = 0

    def save(self, code: str, value: float) -> int | None:
        """PATCH one answer; the HTTP status, or None when no response came back."""
        try:
            response = self.session.patch(
                f"{self.server.url}/api/assessments/{self.assessment.pk}/answers/",
                json={
                    "base_revision": self.revision,
                    "answers": [{"question_code": code, "value": value}],
                },
                headers={"X-CSRFToken": self.session.cookies["csrftoken"]},
                timeout=30,
            )
        except requests.ConnectionError:
            return None
        body = response.json() if response.headers.get("Content-Type") == "application/json" else {}
        if response.status_code == 200:
            self.revision = body["revision"]
        elif response.status_code == 409 and "current_revision" in body:
            self.revision = body["current_revision"]
        return response.status_code


def in_threads(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run ``calls`` at the same instant; each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=20)
            outcomes[index] = calls[index]()
        except Exception as error:  # noqa: BLE001 - the test inspects each outcome
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


@override_settings(PASSWORD_HASHERS=production_settings.PASSWORD_HASHERS)
class GunicornFaultTests(TransactionTestCase):
    server: Server

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        # One server for the class: it holds no state of its own between tests.
        cls.server = Server()
        cls.addClassCleanup(cls.server.stop)

    def setUp(self) -> None:
        self.focal_point = make_focal_point("SEN", "fault_fp")
        self.assessment = make_assessment("SEN", framework=load_generated_framework())
        self.codes = percentage_codes(self.assessment)
        self.server.wait_until_up()

    def client_for_fp(self) -> FocalPointClient:
        return FocalPointClient(self.server, "fault_fp", self.assessment)

    def test_a_worker_killed_in_the_middle_of_a_save_loses_nothing_acknowledged(self) -> None:
        client = self.client_for_fp()
        code = self.codes[0]
        assert client.save(code, 10) == 200  # acknowledged; also creates the chain's head
        outcome: list[int | None] = []
        with chain_head_held():
            saving = threading.Thread(target=lambda: outcome.append(client.save(code, 99)))
            saving.start()
            backends_waiting_for_the_head(1)  # answers written, not committed
            for worker in self.server.workers():
                os.kill(worker, signal.SIGKILL)
            saving.join(timeout=30)
        assert outcome == [None], "the killed save must not be acknowledged"
        self.server.wait_until_up()  # the master starts new workers
        assert self.client_for_fp().save(self.codes[1], 20) in (200, 409)
        stored = Answer.objects.get(assessment=self.assessment, question_code=code)
        assert stored.value == 10
        assert not AuditEvent.objects.filter(new_value=99).exists()
        assert_every_answer_is_whole(self.assessment)

    def test_database_connections_terminated_while_users_save(self) -> None:
        users = 2
        clients = [self.client_for_fp() for _ in range(users)]
        acknowledged: dict[str, list[int]] = {code: [] for code in self.codes[:users]}
        attempted: dict[str, list[int]] = {code: [] for code in self.codes[:users]}
        failures: list[int | None] = []
        stop = threading.Event()

        def keep_saving(client: FocalPointClient, code: str) -> None:
            value = 0
            # Until the three rounds are over (the cap only bounds a runaway loop): with a cap
            # of 60, two fast clients could finish before a round found a save to catch.
            while not stop.is_set() and value < 10_000:
                value += 1
                attempted[code].append(value)
                status = client.save(code, value)
                if status == 200:
                    acknowledged[code].append(value)
                else:
                    failures.append(status)

        threads = [
            threading.Thread(target=keep_saving, args=(client, code))
            for client, code in zip(clients, acknowledged, strict=True)
        ]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        # Three times: catch saves mid-transaction and terminate their database sessions,
        # as a PostgreSQL restart does.
        for _round in range(3):
            with chain_head_held() as holder:
                for pid in backends_waiting_for_the_head(1):
                    holder.execute("SELECT pg_terminate_backend(%s)", [pid])
            time.sleep(0.3)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        assert failures and set(failures) <= {503, 409}, failures
        for code, values in acknowledged.items():
            assert values, f"no save of {code} succeeded"
            stored = Answer.objects.get(assessment=self.assessment, question_code=code).value
            # The last acknowledged value, or a later one whose response was lost.
            assert stored >= values[-1] and stored in attempted[code], (code, stored, values)
        assert_every_answer_is_whole(self.assessment)


class ConcurrentSaveTests(TransactionTestCase):
    WRITERS = 20

    def setUp(self) -> None:
        self.focal_point = make_focal_point("SEN", "concurrent_fp")
        self.assessment = make_assessment("SEN", framework=load_generated_framework())
        self.codes = percentage_codes(self.assessment)

    def save_call(self, code: str, value: int, base_revision: int) -> Callable[[], Any]:
        def save() -> Any:
            page = Assessment.objects.get(pk=self.assessment.pk)
            return answers_save(
                assessment=page,
                actor=self.focal_point,
                answers=[AnswerInput(code, value)],
                base_revision=base_revision,
            )

        return save

    def test_twenty_saves_of_one_answer_at_once_one_wins_the_rest_are_told(self) -> None:
        code = self.codes[0]
        outcomes = in_threads([self.save_call(code, value, 0) for value in range(1, 21)])
        winners = [
            value
            for value, o in zip(range(1, 21), outcomes, strict=True)
            if not isinstance(o, Exception)
        ]
        refused = [o for o in outcomes if isinstance(o, Exception)]
        assert len(winners) == 1, outcomes
        assert all(isinstance(o, RevisionConflict) for o in refused), refused
        assert (
            Answer.objects.get(assessment=self.assessment, question_code=code).value == winners[0]
        )
        self.assessment.refresh_from_db()
        assert self.assessment.revision == 1
        assert AuditEvent.objects.filter(object_ref=code, field="value").count() == 1
        assert_every_answer_is_whole(self.assessment)

    def test_twenty_saves_of_different_answers_at_once_all_land(self) -> None:
        codes = self.codes[: self.WRITERS]
        outcomes = in_threads([self.save_call(code, n + 1, 0) for n, code in enumerate(codes)])
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        stored = dict(
            Answer.objects.filter(assessment=self.assessment).values_list("question_code", "value")
        )
        assert stored == {code: n + 1 for n, code in enumerate(codes)}
        self.assessment.refresh_from_db()
        assert self.assessment.revision == self.WRITERS
        revisions = sorted(Answer.objects.values_list("revision", flat=True))
        assert revisions == list(range(1, self.WRITERS + 1))
        assert_every_answer_is_whole(self.assessment)

    def test_ten_reviewers_approving_and_returning_at_once_make_one_change(self) -> None:
        reviewers = [make_reviewer("SEN", f"concurrent_reviewer{n}") for n in range(10)]
        assessment = make_assessment("SEN", round=2031, state=AssessmentState.IN_REVIEW)

        def act(n: int) -> Callable[[], Any]:
            def call() -> Any:
                page = Assessment.objects.get(pk=assessment.pk)
                if n % 2:
                    return assessment_transition(
                        assessment=page, action="return", actor=reviewers[n], message="Fix it."
                    )
                return assessment_transition(assessment=page, action="approve", actor=reviewers[n])

            return call

        outcomes = in_threads([act(n) for n in range(10)])
        successes = [o for o in outcomes if isinstance(o, Assessment)]
        assert len(successes) == 1, outcomes
        assert all(isinstance(o, TransitionError) for o in outcomes if o not in successes), outcomes
        log = list(StateTransition.objects.filter(assessment=assessment))
        assert len(log) == 1
        assessment.refresh_from_db()
        assert assessment.state == log[0].to_state == successes[0].state
        verify_audit_trail()

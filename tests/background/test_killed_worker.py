"""Exactly once in effect, with real worker processes: one is killed mid-task, another finishes.

The test database is handed to ``manage.py run_worker`` subprocesses: on PostgreSQL by name,
on SQLite (in memory during tests) through a file copy made with SQLite's backup API and read
back at the end.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django_tasks_db.models import DBTaskResult

from background.models import Job, JobStatus
from scoring.models import RunTrigger, ScoreRun
from scoring.services import score_run_verify
from scoring.tasks import scoring_enqueue
from tests.factories import make_assessment
from tests.scoring.helpers import FULL_ANSWERS, add_answers

ROOT = Path(__file__).resolve().parents[2]
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _database_url(sqlite_file: Path | None) -> str:
    if sqlite_file is not None:
        return f"sqlite:///{sqlite_file}"
    settings = connection.settings_dict
    return (
        f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


def _worker(database_url: str, *extra: str) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "TASKS_LEASE_SECONDS": "1",
    }
    return subprocess.Popen(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", "run_worker", "--interval", "0.05", *extra],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
@override_settings(TASKS=DATABASE_QUEUE)
class KilledWorkerTests(TransactionTestCase):
    def setUp(self) -> None:
        self.sqlite_file: Path | None = None
        if connection.vendor == "sqlite":
            directory = tempfile.mkdtemp(prefix="worker-test-")
            self.sqlite_file = Path(directory) / "queue.sqlite3"

    def _share(self) -> None:
        """Make what the test wrote visible to worker processes."""
        if self.sqlite_file is not None:
            connection.ensure_connection()
            target = sqlite3.connect(self.sqlite_file)
            connection.connection.backup(target)
            target.close()

    def _read_back(self) -> None:
        """Make what the workers wrote visible to the test."""
        if self.sqlite_file is not None:
            source = sqlite3.connect(self.sqlite_file)
            source.backup(connection.connection)
            source.close()

    def _job_message(self, job_id: int) -> str:
        if self.sqlite_file is not None:
            with sqlite3.connect(self.sqlite_file, timeout=5) as database:
                row = database.execute(
                    "SELECT message FROM background_job WHERE id = ?", (job_id,)
                ).fetchone()
            return row[0]
        return Job.objects.get(pk=job_id).message

    def test_a_killed_worker_s_job_is_finished_by_another_and_gives_one_whole_run(self) -> None:
        assessment = make_assessment("SEN")
        add_answers(assessment, FULL_ANSWERS)
        job = scoring_enqueue(assessment=assessment, trigger=RunTrigger.SUBMIT)
        # The same work asked for twice (two clicks, two hooks) is one job, one queue entry.
        again = scoring_enqueue(assessment=assessment, trigger=RunTrigger.SUBMIT)
        assert again.pk == job.pk
        assert DBTaskResult.objects.count() == 1
        self._share()
        url = _database_url(self.sqlite_file)

        first = _worker(url)
        try:
            _wait_for(
                lambda: self._job_message(job.pk).startswith("Computing"),
                60,
                "the first worker to start computing",
            )
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        finally:
            if first.poll() is None:
                first.kill()
        # The lease (1 s) runs out with no heartbeat; the next worker takes the job over.
        time.sleep(1.5)
        second = _worker(url, "--batch")
        output, _ = second.communicate(timeout=120)
        assert second.returncode == 0, output.decode()
        self._read_back()

        job.refresh_from_db()
        assert job.status == JobStatus.DONE, job.error
        assert job.attempts == 2
        runs = list(ScoreRun.objects.filter(assessment=assessment))
        assert len(runs) == 1
        assert runs[0].job_id == job.pk
        # Whole, not half-written: recomputing it from what is stored gives every number.
        assert score_run_verify(runs[0]).identical
        entries = sorted(DBTaskResult.objects.values_list("status", "exception_class_path"))
        assert entries == [("FAILED", "background.services.WorkerLost"), ("SUCCESSFUL", "")]

    def test_a_job_rerun_after_its_run_was_saved_does_not_add_a_second_run(self) -> None:
        assessment = make_assessment("SEN")
        add_answers(assessment, FULL_ANSWERS)
        job = scoring_enqueue(assessment=assessment, trigger=RunTrigger.SUBMIT)
        self._share()
        url = _database_url(self.sqlite_file)
        worker = _worker(url, "--batch")
        output, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0, output.decode()
        self._read_back()
        # As if the worker had died after saving the run but before marking the job done.
        Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, heartbeat_at=None)
        Job.objects.filter(pk=job.pk).update(heartbeat_at="2000-01-01T00:00:00Z")
        self._share()
        worker = _worker(url, "--batch")
        output, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0, output.decode()
        self._read_back()
        job.refresh_from_db()
        assert job.status == JobStatus.DONE
        assert ScoreRun.objects.filter(assessment=assessment).count() == 1
        assert job.result == {"run": ScoreRun.objects.get(assessment=assessment).pk}

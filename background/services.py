"""Starting background jobs, running them once in effect, reporting progress, recovering them.

The queue is Django's Tasks API (the ``django_tasks`` backport on Django 5.2) with the database
backend of ``django_tasks_db``: nothing but the database is needed, and several workers on
several machines share one PostgreSQL database. Each job runs through :func:`job_execute`:

* a job already finished is not run again (a queue entry delivered twice does nothing);
* while it runs, a heartbeat thread stamps ``heartbeat_at``; a worker killed mid-task stops
  stamping, and :func:`jobs_recover` (run by every worker between tasks) gives the job a new
  queue entry once the lease has expired;
* a failure a retry can help with (the database was unreachable or locked) is retried with
  exponential back-off; any other failure is shown to the person who started the job with what
  to do next, and the traceback stays in the queue for administrators.

What "once in effect" needs from a handler: write its result in one transaction keyed by the
job (``ScoreRun.job`` is unique), so a rerun after a kill finds the result or writes it whole.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import task_backends

from background.models import ACTIVE_STATUSES, Job, JobStatus

__all__ = [
    "JobFailure",
    "Progress",
    "job_enqueue",
    "job_execute",
    "jobs_prune",
    "jobs_recover",
    "latest_job",
]

logger = logging.getLogger(__name__)

#: Failures worth retrying: the database was unreachable, restarted or locked.
RETRYABLE = (OperationalError, InterfaceError)


class JobFailure(Exception):
    """The work cannot be done as asked; the message tells the person what to do next."""


def _lease_seconds() -> int:
    return int(settings.TASKS_LEASE_SECONDS)


def _backend_defers() -> bool:
    return bool(task_backends["default"].supports_defer)


def _dispatch(job: Job, *, run_after: Any = None) -> None:
    """Put one queue entry for ``job`` on the queue (in the caller's transaction)."""
    task = import_string(job.task_path)
    if run_after is not None and _backend_defers():
        task = task.using(run_after=run_after)
    result = task.enqueue(job.pk)
    # The immediate backend (tests) has already run the job by now; keep its outcome.
    Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id))
    job.task_result_id = str(result.id)


def job_enqueue(
    *,
    kind: str,
    key: str,
    task_path: str,
    parameters: dict[str, Any],
    actor: AbstractBaseUser | None = None,
    assessment: Any = None,
    delay_seconds: float = 0,
) -> Job:
    """Start ``kind`` work for ``key`` in the background, or join the same work already waiting.

    Parameters
    ----------
    key
        Identifies the work: while a job with this key waits or runs, asking again returns it
        (two approvals in a row give one cohort run, a double click one report batch).
    task_path
        Dotted path of the ``@task`` that runs it; it receives the job's id only.
    delay_seconds
        Debounce: wait this long before starting, and push the start back by as much when the
        same work is asked for again while it waits (where the backend can defer).
    """
    run_after = timezone.now() + timedelta(seconds=delay_seconds) if delay_seconds else None
    with transaction.atomic():
        existing = Job.objects.select_for_update().filter(key=key, status__in=ACTIVE_STATUSES)
        job = existing.first()
        if job is not None:
            if run_after is not None and job.status == JobStatus.WAITING:
                _postpone(job, run_after)
            return job
        try:
            with transaction.atomic():
                job = Job.objects.create(
                    kind=kind,
                    key=key,
                    task_path=task_path,
                    parameters=parameters,
                    created_by=actor if actor is not None and actor.is_authenticated else None,
                    assessment=assessment,
                    run_after=run_after,
                )
        except IntegrityError:
            # Another request created it between our read and our insert: join it.
            return Job.objects.get(key=key, status__in=ACTIVE_STATUSES)
        _dispatch(job, run_after=run_after)
    job.refresh_from_db()
    return job


def _postpone(job: Job, run_after: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    if not _backend_defers():
        return
    Job.objects.filter(pk=job.pk).update(run_after=run_after)
    DBTaskResult.objects.filter(pk=job.task_result_id, status="READY").update(run_after=run_after)


@dataclass
class Progress:
    """Handed to a job's handler: report steps done, and read the job's parameters."""

    job: Job
    _last_write: float = 0.0

    def __call__(self, done: int, total: int | None = None, message: str = "") -> None:
        """Record progress; a new step or the last one is written at once, counting within a
        step at most twice a second."""
        now = timezone.now().timestamp()
        changed = (message and message[:200] != self.job.message) or (
            total is not None and total != self.job.progress_total
        )
        self.job.progress_done = done
        if total is not None:
            self.job.progress_total = total
        if message:
            self.job.message = message[:200]
        finished = self.job.progress_total and done >= self.job.progress_total
        if not (changed or finished) and now - self._last_write < 0.5:
            return
        self._last_write = now
        Job.objects.filter(pk=self.job.pk).update(
            progress_done=self.job.progress_done,
            progress_total=self.job.progress_total,
            message=self.job.message,
            heartbeat_at=timezone.now(),
        )


class _Heartbeat(threading.Thread):
    """Stamps the job every third of the lease while the handler works (own DB connection)."""

    def __init__(self, job_id: int) -> None:
        super().__init__(daemon=True, name=f"heartbeat-{job_id}")
        self.job_id = job_id
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(max(_lease_seconds() / 3, 0.2)):
                try:
                    Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:
                    logger.warning("heartbeat of job %s not written", self.job_id)
        finally:
            connection.close()


Handler = Callable[[Job, Progress], dict[str, Any]]


def job_execute(job_id: int, handler: Handler) -> dict[str, Any]:
    """Run ``handler`` for job ``job_id`` (from inside its ``@task``); see the module docstring.

    Returns the job's result (JSON), which the queue also stores.
    """
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status__in=ACTIVE_STATUSES).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, error=""
    )
    job = Job.objects.get(pk=job_id)
    if not claimed:
        return job.result
    Job.objects.filter(pk=job_id).update(attempts=job.attempts + 1)
    job.attempts += 1
    heartbeat = _Heartbeat(job_id)
    # In tests (the immediate backend) the job runs inside a test transaction another
    # connection cannot see; the heartbeat only matters for real workers anyway.
    if not connection.in_atomic_block:
        heartbeat.start()
    try:
        result = handler(job, Progress(job))
    except RETRYABLE as error:
        _retry_or_fail(job, error)
        raise
    except JobFailure as error:
        _fail(job, str(error))
        raise
    except Exception as error:
        logger.exception("background job %s (%s) failed", job.pk, job.kind)
        _fail(
            job,
            _(
                "An unexpected error stopped this work. Try again; if it fails again, tell an "
                "administrator (the error is recorded in the task queue)."
            ),
        )
        raise error
    finally:
        heartbeat.stopped.set()
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.DONE,
        result=result,
        finished_at=timezone.now(),
        progress_done=max(job.progress_done, job.progress_total),
        message="",
    )
    return result


def _fail(job: Job, message: str) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, error=message, finished_at=timezone.now()
    )


def _retry_or_fail(job: Job, error: Exception) -> None:
    """Retry with exponential back-off (base × 2^(attempt − 1)), up to the attempt limit."""
    if job.attempts >= settings.TASKS_MAX_ATTEMPTS:
        _fail(
            job,
            _("The database could not be reached %(count)d times in a row. Try again later.")
            % {"count": job.attempts},
        )
        return
    delay = settings.TASKS_RETRY_BASE_SECONDS * 2 ** (job.attempts - 1)
    run_after = timezone.now() + timedelta(seconds=delay)
    logger.warning("job %s: %s; retrying in %s s", job.pk, error, delay)
    try:
        with transaction.atomic():
            Job.objects.filter(pk=job.pk).update(
                status=JobStatus.WAITING,
                run_after=run_after,
                message=_("Retrying after a temporary error."),
            )
            if _backend_defers():
                _dispatch(job, run_after=run_after)
    except DatabaseError:
        # Still unreachable: the job stays "running" without a heartbeat, and recovery
        # requeues it once the database is back.
        logger.warning("job %s could not be requeued yet", job.pk)


def jobs_recover(*, lease_seconds: float | None = None) -> list[int]:
    """Requeue running jobs whose worker stopped (no heartbeat within the lease).

    Their old queue entry is marked failed ("worker lost") so the admin shows what happened;
    a job that has already been attempted ``TASKS_MAX_ATTEMPTS`` times fails instead, so work
    that kills its worker (out of memory) does not loop for ever. Returns the requeued ids.
    """
    from django_tasks_db.models import DBTaskResult

    lease = _lease_seconds() if lease_seconds is None else lease_seconds
    cutoff = timezone.now() - timedelta(seconds=lease)
    requeued: list[int] = []
    with transaction.atomic():
        stale = list(
            Job.objects.select_for_update(skip_locked=connection.features.has_select_for_update)
            .filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff)
            .order_by("pk")
        )
        for job in stale:
            DBTaskResult.objects.filter(pk=job.task_result_id, status="RUNNING").update(
                status="FAILED",
                finished_at=timezone.now(),
                exception_class_path="background.services.WorkerLost",
                traceback=f"The worker stopped without finishing (no heartbeat for {lease} s).",
            )
            if job.attempts >= settings.TASKS_MAX_ATTEMPTS:
                _fail(job, _("The work stopped its worker several times; tell an administrator."))
                continue
            Job.objects.filter(pk=job.pk).update(
                status=JobStatus.WAITING, message=_("Restarted after an interruption.")
            )
            _dispatch(job)
            requeued.append(job.pk)
    if requeued:
        logger.warning("requeued jobs interrupted by a stopped worker: %s", requeued)
    return requeued


def latest_job(**filters: Any) -> Job | None:
    """The most recent job matching ``filters`` (``assessment=…, kind=…``)."""
    return Job.objects.filter(**filters).order_by("-created_at", "-pk").first()


def jobs_prune(*, days: int, dry_run: bool = False) -> dict[str, int]:
    """Delete finished jobs older than ``days`` and expired result files, and their queue rows.

    Waiting and running jobs are never pruned. Returns counts of what was (or would be) removed.
    """
    from django_tasks_db.models import DBTaskResult

    from background.files import result_file_delete

    cutoff = timezone.now() - timedelta(days=days)
    now = timezone.now()
    expired = Job.objects.filter(expires_at__lt=now).exclude(result={})
    old_jobs = Job.objects.exclude(status__in=ACTIVE_STATUSES).filter(created_at__lt=cutoff)
    old_results = DBTaskResult.objects.filter(
        status__in=["SUCCESSFUL", "FAILED"], finished_at__lt=cutoff
    )
    counts = {
        "files": sum(1 for job in expired if job.result.get("file")),
        "jobs": old_jobs.count(),
        "queue_entries": old_results.count(),
    }
    if dry_run:
        return counts
    for job in expired:
        if job.result.get("file"):
            result_file_delete(job.result["file"])
        Job.objects.filter(pk=job.pk).update(result={})
    # A job pruned before its file expired takes the file with it: nothing is left orphaned.
    for job in old_jobs.exclude(result={}):
        if job.result.get("file"):
            result_file_delete(job.result["file"])
    old_jobs.delete()
    old_results.delete()
    return counts

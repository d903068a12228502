"""Background jobs: one row per piece of long work a person (or the workflow) started.

A job is what people see (its state, progress, error and result) and what makes the work
happen once in effect: the task queue (``django_tasks_db``) holds the *attempts*, a job holds
the *work*. A killed worker leaves its attempt "running" for ever in the queue; the job's
heartbeat stops, so :func:`background.services.jobs_recover` hands the work to a new attempt.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


ACTIVE_STATUSES = (JobStatus.WAITING, JobStatus.RUNNING)


class Job(models.Model):
    kind = models.CharField(_("kind"), max_length=40)
    key = models.CharField(
        _("key"),
        max_length=200,
        help_text=_("Work with the same key is done once: a second request joins the first."),
    )
    task_path = models.CharField(_("task"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.WAITING
    )
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    progress_done = models.PositiveIntegerField(_("steps done"), default=0)
    progress_total = models.PositiveIntegerField(_("steps in all"), default=0)
    message = models.CharField(_("current step"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assessment = models.ForeignKey(
        "surveys.Assessment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="jobs",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    run_after = models.DateTimeField(_("run after"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    task_result_id = models.CharField(_("queue entry"), max_length=64, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    expires_at = models.DateTimeField(_("kept until"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        constraints = [
            # The database, not a check-then-insert, keeps one waiting or running job per key.
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(status__in=["waiting", "running"]),
                name="one_active_job_per_key",
            )
        ]
        indexes = [models.Index(fields=["assessment", "kind", "-created_at"], name="job_latest")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.get_status_display()})"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def percent(self) -> int | None:
        """Progress in whole percent, or None while the number of steps is unknown."""
        if not self.progress_total:
            return None
        return min(100, round(100 * self.progress_done / self.progress_total))

"""Queue entry points of the reports app (see :mod:`reports.batches`)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from background.services import job_execute
from reports.batches import report_batch_run


@task()
def report_batch(job_id: int) -> dict[str, Any]:
    """Render a report batch into one ZIP."""
    return job_execute(job_id, report_batch_run)

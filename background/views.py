"""A job's progress as JSON, polled by the progress bar of the page that started it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from background.models import Job
from surveys import permissions


def job_for_user(request: HttpRequest, pk: int) -> Job:
    """A job the user may follow: its assessment's viewers; for jobs of no assessment (report
    batches, cohort runs), the person who started it and those who read everything; else 404."""
    try:
        job = Job.objects.select_related("assessment__country").get(pk=pk)
    except Job.DoesNotExist:
        raise Http404("No job matches the given query.") from None
    if job.assessment is not None:
        permissions.check_assessment_action(request.user, job.assessment, permissions.Action.VIEW)
    elif job.created_by_id != request.user.pk and not permissions.reads_everything(request.user):
        raise Http404("No job matches the given query.")
    return job


@login_required
@require_GET
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = job_for_user(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "active": job.active,
            "done": job.progress_done,
            "total": job.progress_total,
            "percent": job.percent,
            "message": job.message,
            "error": job.error if job.created_by_id == request.user.pk else "",
        },
        headers={"Cache-Control": "no-store"},
    )

"""Report batches from the web: start one, follow its progress, download its ZIP (planners)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from background.files import result_path
from background.models import Job, JobStatus
from reports.batches import (
    BATCH_KIND,
    batch_choices,
    batch_file_name,
    recent_batches,
    report_batch_enqueue,
)
from reports.forms import ReportBatchForm
from surveys import permissions


def _batch_for_planner(request: HttpRequest, pk: int) -> Job:
    permissions.require_planner(request)
    try:
        return Job.objects.get(pk=pk, kind=BATCH_KIND)
    except Job.DoesNotExist:
        raise Http404("No report batch matches the given query.") from None


@login_required
@require_http_methods(["GET", "POST"])
def batch_create(request: HttpRequest) -> HttpResponse:
    permissions.require_planner(request)
    rounds, countries = batch_choices()
    form = ReportBatchForm(request.POST or None, rounds=rounds, countries=countries)
    if request.method == "POST" and form.is_valid():
        job = report_batch_enqueue(
            round=form.cleaned_data["round"],
            countries=form.cleaned_data["countries"],
            languages=form.cleaned_data["languages"],
            actor=request.user,
        )
        return HttpResponseRedirect(reverse("reports:batch-detail", kwargs={"pk": job.pk}))
    context = {"form": form, "rounds": rounds, "batches": recent_batches()}
    return render(request, "reports/batch_create.html", context)


@login_required
@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _batch_for_planner(request, pk)
    available = job.status == JobStatus.DONE and bool(job.result.get("file"))
    context = {"job": job, "available": available, "file_name": batch_file_name(job)}
    return render(request, "reports/batch_detail.html", context)


@login_required
@require_GET
def batch_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _batch_for_planner(request, pk)
    name = job.result.get("file") if job.status == JobStatus.DONE else None
    path = result_path(name) if name else None
    if path is None or not path.exists():
        # Expired and pruned, or not ready yet: the batch page says which and what to do.
        return HttpResponseRedirect(reverse("reports:batch-detail", kwargs={"pk": job.pk}))
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=batch_file_name(job),
        content_type="application/zip",
    )

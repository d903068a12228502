"""A background import's outcome: the page the import page hands over to for large files."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from background.views import job_for_user
from exchange.jobs import IMPORT_KIND


@login_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = job_for_user(request, pk)
    if job.kind != IMPORT_KIND:
        raise Http404("No import matches the given query.")
    return render(request, "background/import_detail.html", {"job": job})

"""Score pages: an assessment's scores with their explanations, recompute, and a run's record."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from background.services import latest_job
from scoring.models import RunTrigger, ScoreRun
from scoring.pages import score_page
from scoring.services import score_run_verify
from scoring.tasks import SCORE_KIND, scoring_enqueue
from surveys import permissions


def can_rescore(user: permissions.AnyUser, assessment: permissions.Assessment) -> bool:
    """Reviewers and focal points of the country, and administrators, may recompute scores."""
    return permissions.can_review_assessment(user, assessment) or permissions.can_contribute(
        user, assessment
    )


@login_required
@require_GET
def assessment_scores(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = permissions.get_assessment_for_user(request, pk)
    page = score_page(assessment, language=get_language())
    rescore = can_rescore(request.user, assessment)
    job = latest_job(assessment=assessment, kind=SCORE_KIND)
    context = {
        "assessment": assessment,
        "page": page,
        "can_rescore": rescore,
        "job": job,
        # A failed job's message is for whoever can act on it: who started it, or may rescore.
        "show_job_error": job is not None and (rescore or job.created_by_id == request.user.pk),
    }
    return render(request, "scoring/assessment_scores.html", context)


@login_required
@require_POST
def assessment_rescore(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = permissions.get_assessment_for_user(request, pk)
    if not can_rescore(request.user, assessment):
        raise PermissionDenied
    scoring_enqueue(assessment=assessment, trigger=RunTrigger.ON_DEMAND, actor=request.user)
    messages.success(request, _("The scores are being recomputed; this page shows the progress."))
    return HttpResponseRedirect(reverse("scoring:assessment-scores", kwargs={"pk": pk}))


def _run_for_user(request: HttpRequest, pk: int) -> ScoreRun:
    try:
        run = ScoreRun.objects.select_related("assessment__country", "framework", "created_by").get(
            pk=pk
        )
    except ScoreRun.DoesNotExist:
        raise Http404("No score run matches the given query.") from None
    if run.assessment is None:
        if not permissions.reads_everything(request.user):
            raise Http404("No score run matches the given query.")
    else:
        permissions.check_assessment_action(request.user, run.assessment, permissions.Action.VIEW)
    return run


@login_required
@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_for_user(request, pk)
    verification = score_run_verify(run) if request.GET.get("verify") == "1" else None
    context = {
        "run": run,
        "configuration": json.dumps(run.configuration, indent=2, ensure_ascii=False),
        "uncertainty": json.dumps(
            {key: value for key, value in run.uncertainty.items() if key != "probability_above"},
            indent=2,
            ensure_ascii=False,
        ),
        "verification": verification,
    }
    return render(request, "scoring/run_detail.html", context)

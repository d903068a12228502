"""The home page, which tells each role what it can do next, and a health check."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from surveys import permissions
from surveys.models import AssessmentState, Role
from surveys.services.review import open_query_counts


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "surveys/home_anonymous.html")
    roles = permissions.user_roles(request.user)
    assessments = list(
        permissions.visible_assessments(request.user).order_by("-round", "country__name")[:50]
    )
    open_queries = open_query_counts(a.pk for a in assessments)
    for assessment in assessments:
        assessment.open_query_count = open_queries.get(assessment.pk, 0)
    states = dict(AssessmentState.choices)
    context = {
        "roles": [label for value, label in Role.choices if value in roles],
        "is_focal_point": Role.FOCAL_POINT in roles,
        "is_reviewer": Role.REVIEWER in roles,
        "is_planner": Role.PLANNER in roles,
        "is_admin": permissions.is_administrator(request.user),
        "assessments": assessments,
        "to_edit": [a for a in assessments if permissions.can_edit_assessment(request.user, a)],
        "to_review": [
            a
            for a in assessments
            if a.state
            in {AssessmentState.SUBMITTED, AssessmentState.RESUBMITTED, AssessmentState.IN_REVIEW}
            and permissions.can_review_assessment(request.user, a)
        ],
        "state_labels": states,
    }
    return render(request, "surveys/home.html", context)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: answers 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})

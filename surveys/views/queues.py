"""Work queues: what is waiting for each person, oldest first."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from surveys import permissions
from surveys.models import Assessment, AssessmentState, QueryStatus, Role
from surveys.notifications import remember_language
from surveys.services.review import replied_query_counts

REVIEW_STATES = [AssessmentState.SUBMITTED, AssessmentState.RESUBMITTED, AssessmentState.IN_REVIEW]


@dataclass
class StateGroup:
    state: str
    label: str
    assessments: list[Assessment]


def _with_counts(assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
    """Each assessment with its open queries, stakeholder invitations and responses counted,
    and the time it entered its state (``waiting_since``), oldest first."""
    annotations = {
        "open_query_count": Count(
            "queries", filter=Q(queries__status=QueryStatus.OPEN), distinct=True
        ),
        "waiting_since": Coalesce(F("state_changed_at"), F("created_at")),
        "invitation_count": Count("stakeholder_invitations", distinct=True),
        "response_count": Count(
            "stakeholder_invitations",
            filter=Q(stakeholder_invitations__responded_at__isnull=False),
            distinct=True,
        ),
    }
    return (
        assessments.select_related("country", "framework")
        .annotate(**annotations)
        .order_by("waiting_since", "pk")
    )


def _by_state(assessments: QuerySet[Assessment], states: list[str]) -> list[StateGroup]:
    """The assessments grouped by state, each with ``replied_query_count``: open queries the
    focal point has answered, waiting for the reviewer."""
    grouped: dict[str, list[Assessment]] = {state: [] for state in states}
    listed = list(assessments)
    replied = replied_query_counts(a.pk for a in listed)
    for assessment in listed:
        assessment.replied_query_count = replied.get(assessment.pk, 0)
        grouped.setdefault(assessment.state, []).append(assessment)
    labels = dict(AssessmentState.choices)
    return [StateGroup(state, labels[state], grouped[state]) for state in states]


@login_required
@require_GET
def work_queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    remember_language(request)
    is_admin = permissions.is_administrator(user)
    review_countries = permissions.country_ids_with_role(user, Role.REVIEWER)
    focal_countries = permissions.country_ids_with_role(user, Role.FOCAL_POINT)
    all_states = list(AssessmentState.values)
    context: dict[str, object] = {"is_admin": is_admin}
    if is_admin:
        context["everything"] = _by_state(_with_counts(Assessment.objects.all()), all_states)
    elif review_countries:
        to_review = Assessment.objects.filter(
            country_id__in=review_countries, state__in=REVIEW_STATES
        )
        context["to_review"] = _by_state(_with_counts(to_review), REVIEW_STATES)
    if focal_countries:
        context["mine"] = list(
            _with_counts(Assessment.objects.filter(country_id__in=focal_countries))
        )
    return render(request, "surveys/work_queue.html", context)

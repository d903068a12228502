"""An assessment's audit trail: filterable, paginated, exportable as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import json
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from surveys import permissions
from surveys.models import AnswerStatus, Assessment, AssessmentState, AuditEvent, QueryStatus
from surveys.notifications import remember_language

PAGE_SIZE = 50
# Spreadsheet programs run cells starting with these as formulas (CSV injection, OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# The audit trail stores codes (machine-readable, and what the CSV export keeps); the page shows
# these labels. A code without a label is shown as it is.
ACTION_LABELS = {
    "update": _("Change"),
    "assessment_create": _("Assessment created"),
    "submit": _("Submitted for review"),
    "resubmit": _("Resubmitted for review"),
    "start_review": _("Review started"),
    "return": _("Changes requested"),
    "approve": _("Approved"),
    "reopen": _("Reopened"),
    "answer_create": _("Answer given"),
    "answer_update": _("Answer changed"),
    "answer_delete": _("Answer cleared"),
    "evidence_add": _("Evidence added"),
    "evidence_delete": _("Evidence removed"),
    "query_open": _("Query opened"),
    "query_reply": _("Reply to a query"),
    "query_resolve": _("Query resolved"),
    "stakeholder_invite": _("Stakeholder invited"),
    "stakeholder_revoke": _("Stakeholder link revoked"),
    "stakeholder_expire": _("Stakeholder link ended"),
    "stakeholder_remind": _("Stakeholder reminded"),
    "stakeholder_answer": _("Stakeholder answered"),
    "score": _("Scores computed"),
}
OBJECT_LABELS = {
    "assessment": _("Assessment"),
    "answer": _("Answer"),
    "evidence": _("Evidence"),
    "query": _("Query"),
    "stakeholder_answer": _("Stakeholder answer"),
    "stakeholder_invitation": _("Stakeholder invitation"),
    "score_run": _("Score run"),
}
FIELD_LABELS = {
    "state": _("State"),
    "status": _("Status"),
    "message": _("Message"),
    "override_reason": _("Reason for approving with open queries"),
    "created": _("Creation"),
    "value": _("Value"),
    "justification": _("Justification"),
    "evidence": _("Evidence"),
    "url": _("Web address"),
    "answer": _("Answer"),
    "invitation": _("Invitation"),
    "reminder": _("Reminder"),
    "scores": _("Scores"),
}
# Values that are codes of a choice list, by (object type, field).
VALUE_LABELS = {
    ("assessment", "state"): dict(AssessmentState.choices),
    ("answer", "status"): dict(AnswerStatus.choices),
    ("query", "status"): dict(QueryStatus.choices),
}


def code_label(labels: dict[str, Any], code: str) -> str:
    """The translated label of an audit code, or the code itself when it has none."""
    return str(labels.get(code, code))


def value_label(event: AuditEvent, value: Any) -> str | None:
    """The translated label of an old or new value that is a choice code, else None."""
    choices = VALUE_LABELS.get((event.object_type, event.field))
    if choices is None or not isinstance(value, str) or value not in choices:
        return None
    return str(choices[value])


def label_events(events: list[AuditEvent]) -> list[AuditEvent]:
    """The events with ``action_label``, ``object_label``, ``field_label``, ``old_label`` and
    ``new_label`` set for the page, in the active language."""
    for event in events:
        event.action_label = code_label(ACTION_LABELS, event.action)
        event.object_label = code_label(OBJECT_LABELS, event.object_type)
        event.field_label = code_label(FIELD_LABELS, event.field)
        event.old_label = value_label(event, event.old_value)
        event.new_label = value_label(event, event.new_value)
    return events


class HistoryFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False)
    object_type = forms.ChoiceField(label=_("Object"), required=False)
    actor = forms.ChoiceField(label=_("Who"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data: Any, *, events: QuerySet[AuditEvent]) -> None:
        super().__init__(data)
        everything = [("", _("All"))]
        labels = {"action": ACTION_LABELS, "object_type": OBJECT_LABELS, "actor_label": {}}
        for name in ("action", "object_type", "actor_label"):
            values = events.order_by(name).values_list(name, flat=True).distinct()
            field = self.fields["actor" if name == "actor_label" else name]
            field.choices = everything + [
                (value, code_label(labels[name], value)) for value in values if value
            ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return cleaned


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filtered_events(
    assessment: Assessment, data: Any
) -> tuple[HistoryFilterForm, QuerySet[AuditEvent]]:
    """The assessment's audit events narrowed by the filter form's valid values."""
    events = AuditEvent.objects.filter(assessment=assessment)
    form = HistoryFilterForm(data, events=events)
    if not form.is_bound:
        return form, events.order_by("-created_at", "-pk")
    if not form.is_valid():
        return form, events.none()
    wanted = form.cleaned_data
    if wanted["action"]:
        events = events.filter(action=wanted["action"])
    if wanted["object_type"]:
        events = events.filter(object_type=wanted["object_type"])
    if wanted["actor"]:
        events = events.filter(actor_label=wanted["actor"])
    if wanted["date_from"]:
        events = events.filter(created_at__gte=_day_start(wanted["date_from"]))
    if wanted["date_to"]:
        events = events.filter(created_at__lt=_day_start(wanted["date_to"] + dt.timedelta(1)))
    return form, events.order_by("-created_at", "-pk")


def value_text(value: Any) -> str:
    """An old or new value as text: strings as they are, anything else as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def csv_safe(text: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula, by a leading apostrophe.

    >>> csv_safe("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> csv_safe("-1"), csv_safe("plain")
    ("'-1", 'plain')
    """
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


@login_required
@require_GET
def history(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = permissions.get_assessment_for_user(request, pk)
    remember_language(request)
    form, events = filtered_events(assessment, request.GET or None)
    page = Paginator(events.select_related("actor"), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = label_events(list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "assessment": assessment,
        "form": form,
        "page": page,
        "filter_query": query.urlencode(),
    }
    return render(request, "surveys/history.html", context)


@login_required
@require_GET
def history_csv(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = permissions.get_assessment_for_user(request, pk)
    _form, events = filtered_events(assessment, request.GET or None)
    filename = f"history-{assessment.country.alpha3}-{assessment.round}-{assessment.pk}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so spreadsheet programs read the file as UTF-8
    writer = csv.writer(response)
    writer.writerow(["when", "actor", "action", "object_type", "object", "field", "old", "new"])
    for event in events.iterator(chunk_size=1000):
        cells = [
            event.created_at.isoformat(),
            event.actor_label,
            event.action,
            event.object_type,
            event.object_ref,
            event.field,
            value_text(event.old_value),
            value_text(event.new_value),
        ]
        writer.writerow([csv_safe(cell) for cell in cells])
    return response

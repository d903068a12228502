"""An assessment's audit trail: filterable, paginated, exportable as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import json
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from surveys import permissions
from surveys.answer_text import answer_text
from surveys.frameworks.spec import FrameworkSpec, QuestionSpec
from surveys.models import (
    AnswerStatus,
    Assessment,
    AssessmentState,
    AuditEvent,
    OrganisationType,
    QueryStatus,
)
from surveys.notifications import remember_language
from surveys.numbers import number_format
from surveys.services.answers import framework_spec
from surveys.spreadsheet import neutralise

PAGE_SIZE = 50
# Spreadsheet programs run cells starting with these as formulas (CSV injection, OWASP).

# The audit trail stores codes (machine-readable, and what the CSV export keeps); the page shows
# these labels. A code without a label is shown as it is. The "history" context keeps them apart
# from the same English words elsewhere ("Change" is a button there, a kind of event here).
ACTION_LABELS = {
    "update": pgettext_lazy("history", "Change"),
    "assessment_create": pgettext_lazy("history", "Assessment created"),
    "submit": pgettext_lazy("history", "Submitted for review"),
    "resubmit": pgettext_lazy("history", "Resubmitted for review"),
    "start_review": pgettext_lazy("history", "Review started"),
    "return": pgettext_lazy("history", "Changes requested"),
    "approve": pgettext_lazy("history", "Approved"),
    "reopen": pgettext_lazy("history", "Reopened"),
    "answer_create": pgettext_lazy("history", "Answer given"),
    "answer_update": pgettext_lazy("history", "Answer changed"),
    "answer_delete": pgettext_lazy("history", "Answer cleared"),
    "evidence_add": pgettext_lazy("history", "Evidence added"),
    "evidence_delete": pgettext_lazy("history", "Evidence removed"),
    "query_open": pgettext_lazy("history", "Query opened"),
    "query_reply": pgettext_lazy("history", "Reply to a query"),
    "query_resolve": pgettext_lazy("history", "Query resolved"),
    "stakeholder_invite": pgettext_lazy("history", "Stakeholder invited"),
    "stakeholder_revoke": pgettext_lazy("history", "Stakeholder link revoked"),
    "stakeholder_expire": pgettext_lazy("history", "Stakeholder link ended"),
    "stakeholder_remind": pgettext_lazy("history", "Stakeholder reminded"),
    "stakeholder_answer": pgettext_lazy("history", "Stakeholder answered"),
    "score": pgettext_lazy("history", "Scores computed"),
}
OBJECT_LABELS = {
    "assessment": pgettext_lazy("history", "Assessment"),
    "answer": pgettext_lazy("history", "Answer"),
    "evidence": pgettext_lazy("history", "Evidence"),
    "query": pgettext_lazy("history", "Query"),
    "stakeholder_answer": pgettext_lazy("history", "Stakeholder answer"),
    "stakeholder_invitation": pgettext_lazy("history", "Stakeholder invitation"),
    "score_run": pgettext_lazy("history", "Score run"),
}
FIELD_LABELS = {
    "state": pgettext_lazy("history", "State"),
    "status": pgettext_lazy("history", "Status"),
    "message": pgettext_lazy("history", "Message"),
    "override_reason": pgettext_lazy("history", "Reason for approving with open queries"),
    "created": pgettext_lazy("history", "Creation"),
    "value": pgettext_lazy("history", "Value"),
    "justification": pgettext_lazy("history", "Justification"),
    "evidence": pgettext_lazy("history", "Evidence"),
    "url": pgettext_lazy("history", "Web address"),
    "answer": pgettext_lazy("history", "Answer"),
    "invitation": pgettext_lazy("history", "Invitation"),
    "reminder": pgettext_lazy("history", "Reminder"),
    "scores": pgettext_lazy("history", "Scores"),
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


# Keys of the values recorded as small dictionaries (invitations, evidence, rounds, scores).
KEY_LABELS = {
    "value": pgettext_lazy("history", "Value"),
    "status": pgettext_lazy("history", "Status"),
    "justification": pgettext_lazy("history", "Justification"),
    "name": pgettext_lazy("history", "Name"),
    "email": pgettext_lazy("history", "E-mail"),
    "organisation": pgettext_lazy("history", "Organisation"),
    "organisation_type": pgettext_lazy("history", "Type of organisation"),
    "pillars": pgettext_lazy("history", "Pillars"),
    "language": pgettext_lazy("history", "Language"),
    "expires_at": pgettext_lazy("history", "Valid until"),
    "label": pgettext_lazy("history", "Name"),
    "url": pgettext_lazy("history", "Web address"),
    "kind": pgettext_lazy("history", "Kind"),
    "size": pgettext_lazy("history", "Size"),
    "country": pgettext_lazy("history", "Country"),
    "framework": pgettext_lazy("history", "Framework"),
    "round": pgettext_lazy("history", "Round"),
    "previous": pgettext_lazy("history", "Previous assessment"),
    "trigger": pgettext_lazy("history", "Reason"),
    "overall": pgettext_lazy("history", "Overall score"),
}

# Values of those keys that are codes of a choice list.
KEY_VALUE_LABELS = {
    "organisation_type": dict(OrganisationType.choices),
    "language": dict(settings.LANGUAGES),
}


def _plain_words(value: Any, language: str) -> str:
    """Any recorded value in words: no Python or JSON notation on the page."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, int | float):
        return number_format(value, language)
    if isinstance(value, list):
        return ", ".join(_plain_words(item, language) for item in value)
    if isinstance(value, dict):
        return "; ".join(
            _("%(name)s: %(value)s")
            % {
                "name": code_label(KEY_LABELS, str(key)),
                "value": code_label(KEY_VALUE_LABELS.get(str(key), {}), item)
                if isinstance(item, str)
                else _plain_words(item, language),
            }
            for key, item in value.items()
        )
    text = str(value)
    if len(text) >= 19 and text[10:11] == "T":
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return text
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    return text


def _answer_words(question: QuestionSpec | None, answer: Any, language: str) -> str:
    """A recorded answer ({value, status, justification}) as the review page reads it."""
    status = answer.get("status")
    if status in (AnswerStatus.DONT_KNOW, AnswerStatus.NOT_APPLICABLE):
        words = str(AnswerStatus(status).label)
    elif question is not None and answer.get("value") is not None:
        words = answer_text(question, answer["value"], language=language)
    else:
        words = _plain_words(answer.get("value"), language)
    if answer.get("justification"):
        words += " — " + _("justification: %(text)s") % {"text": answer["justification"]}
    return words


def value_words(event: AuditEvent, value: Any, spec: FrameworkSpec | None, language: str) -> str:
    """An old or new value of ``event`` in words (answers read as on the review page)."""
    label = value_label(event, value)
    if label is not None:
        return label
    code = event.object_ref.split("@")[0]
    question = spec.questions_by_code.get(code) if spec is not None else None
    if event.object_type == "answer" and event.field == "value" and question is not None:
        return answer_text(question, value, language=language) if value is not None else "—"
    if event.object_type == "stakeholder_answer" and isinstance(value, dict):
        if not any(value.values()):
            return "—"
        return _answer_words(question, value, language)
    return _plain_words(value, language)


def label_events(events: list[AuditEvent], spec: FrameworkSpec | None = None) -> list[AuditEvent]:
    """The events with ``action_label``, ``object_label``, ``field_label``, ``old_label`` and
    ``new_label`` (choice codes in words) and ``old_text``/``new_text`` (any value in words)
    set for the page, in the active language."""
    language = get_language() or "en"
    for event in events:
        event.action_label = code_label(ACTION_LABELS, event.action)
        event.object_label = code_label(OBJECT_LABELS, event.object_type)
        event.field_label = code_label(FIELD_LABELS, event.field)
        event.old_label = value_label(event, event.old_value)
        event.new_label = value_label(event, event.new_value)
        event.old_text = value_words(event, event.old_value, spec, language)
        event.new_text = value_words(event, event.new_value, spec, language)
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
    return neutralise(text)


@login_required
@require_GET
def history(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = permissions.get_assessment_for_user(request, pk)
    remember_language(request)
    form, events = filtered_events(assessment, request.GET or None)
    page = Paginator(events.select_related("actor"), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = label_events(list(page.object_list), framework_spec(assessment.framework))
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

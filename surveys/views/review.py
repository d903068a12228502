"""The reviewer workspace, per-answer queries and workflow transitions."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from surveys import permissions
from surveys.models import Assessment, Query
from surveys.notifications import remember_language
from surveys.permissions import Action
from surveys.review_workspace import build_workspace
from surveys.services.official import assessment_official_comparisons
from surveys.services.review import (
    MAX_MESSAGE_LENGTH,
    QUERY_OPEN_STATES,
    QueryError,
    queries_with_messages,
    query_open,
    query_reply,
    query_resolve,
)
from surveys.services.signature import assessment_transition_signed, signature_required
from surveys.services.workflow import TransitionError, actors_for, available_transitions
from surveys.workflow import TRANSITIONS

# Submitting goes through the survey's review step, which validates every answer first.
SURVEY_ACTIONS = frozenset({"submit", "resubmit"})


class QueryOpenForm(forms.Form):
    question_code = forms.CharField(max_length=64)
    text = forms.CharField(
        label=gettext_lazy("Query"), max_length=MAX_MESSAGE_LENGTH, widget=forms.Textarea
    )


class QueryMessageForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=MAX_MESSAGE_LENGTH,
        required=False,
        widget=forms.Textarea,
    )


class TransitionForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=MAX_MESSAGE_LENGTH,
        required=False,
        widget=forms.Textarea,
    )
    override = forms.BooleanField(
        label=gettext_lazy("Approve although queries are open"), required=False
    )
    password = forms.CharField(
        label=gettext_lazy("Your password (signature)"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def _review_url(assessment: Assessment, anchor: str = "") -> str:
    return reverse("surveys:review", kwargs={"pk": assessment.pk}) + (
        f"#q-{anchor}" if anchor else ""
    )


def _safe_next(request: HttpRequest) -> str:
    """The ``next`` page of the request when it is on this site, else ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Return to the page the form was on (``next``), when it is on this site."""
    return HttpResponseRedirect(_safe_next(request) or default)


def _report_errors(request: HttpRequest, form: forms.Form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _query_for_user(request: HttpRequest, pk: int, action: Action) -> Query:
    try:
        query = Query.objects.select_related("assessment__country", "assessment__framework").get(
            pk=pk
        )
    except Query.DoesNotExist:
        raise Http404("No query matches the given query.") from None
    permissions.check_assessment_action(request.user, query.assessment, action)
    return query


@login_required
@require_GET
def review(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = permissions.get_assessment_for_user(request, pk, Action.REVIEW)
    remember_language(request)
    context = {
        "assessment": assessment,
        "workspace": build_workspace(assessment, language=get_language()),
        "transitions": available_transitions(request.user, assessment),
        "can_open_queries": assessment.state in QUERY_OPEN_STATES,
        "official_comparisons": assessment_official_comparisons(
            assessment, language=get_language()
        ),
    }
    return render(request, "surveys/review_workspace.html", context)


@login_required
@require_POST
def query_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = permissions.get_assessment_for_user(request, pk, Action.REVIEW)
    form = QueryOpenForm(request.POST)
    if not form.is_valid():
        _report_errors(request, form)
        return HttpResponseRedirect(_review_url(assessment))
    code = form.cleaned_data["question_code"]
    try:
        query_open(
            assessment=assessment,
            question_code=code,
            actor=request.user,
            text=form.cleaned_data["text"],
        )
        messages.success(request, _("Query opened."))
    except QueryError as error:
        messages.error(request, str(error))
    return HttpResponseRedirect(_review_url(assessment, code))


@login_required
@require_http_methods(["GET", "POST"])
def query_reply_view(request: HttpRequest, pk: int) -> HttpResponse:
    query = _query_for_user(request, pk, Action.VIEW)
    assessment = query.assessment
    if not permissions.can_discuss_queries(request.user, assessment):
        raise PermissionDenied
    if request.method == "GET":
        # A page of its own for the wizard, whose questions sit inside the wizard's form.
        context = {"query": query, "next_url": _safe_next(request)}
        return render(request, "surveys/query_reply.html", context)
    form = QueryMessageForm(request.POST)
    if form.is_valid():
        try:
            query_reply(query=query, actor=request.user, text=form.cleaned_data["text"])
            messages.success(request, _("Reply added."))
        except QueryError as error:
            messages.error(request, str(error))
    else:
        _report_errors(request, form)
    if permissions.can_review_assessment(request.user, assessment):
        return _back(request, _review_url(assessment, query.question_code))
    return _back(request, reverse("surveys:work-queue"))


@login_required
@require_POST
def query_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    query = _query_for_user(request, pk, Action.REVIEW)
    form = QueryMessageForm(request.POST)
    if form.is_valid():
        try:
            query_resolve(query=query, actor=request.user, text=form.cleaned_data["text"])
            messages.success(request, _("Query resolved."))
        except QueryError as error:
            messages.error(request, str(error))
    else:
        _report_errors(request, form)
    return _back(request, _review_url(query.assessment, query.question_code))


@login_required
@require_http_methods(["GET", "POST"])
def transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """A page that says what the decision will do (and how many queries are open), then does it.

    Approving and reopening are signed: the form asks for the user's password again.
    """
    assessment = permissions.get_assessment_for_user(request, pk, Action.VIEW)
    workflow_step = TRANSITIONS.get(action)
    if workflow_step is None:
        raise Http404("No such action.")
    if not (workflow_step.actors & actors_for(request.user, assessment)):
        raise PermissionDenied
    if action in SURVEY_ACTIONS:
        messages.error(request, _("Submit from the last step of the survey, which checks it."))
        return HttpResponseRedirect(reverse("surveys:wizard", kwargs={"pk": assessment.pk}))
    form = TransitionForm(request.POST if request.method == "POST" else None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            assessment_transition_signed(
                assessment=assessment,
                action=action,
                actor=request.user,
                password=form.cleaned_data["password"],
                message=form.cleaned_data["message"],
                override=form.cleaned_data["override"],
            )
        except TransitionError as refused:
            error = str(refused)
        else:
            messages.success(
                request,
                _("Done: the assessment is now “%(state)s”.")
                % {"state": assessment.get_state_display()},
            )
            if permissions.can_review_assessment(request.user, assessment):
                return _back(request, _review_url(assessment))
            return _back(request, reverse("surveys:work-queue"))
    context = {
        "assessment": assessment,
        "step": workflow_step,
        "form": form,
        "error": error,
        "open_queries": queries_with_messages(assessment, only_open=True),
        "signed": signature_required(action),
        "next_url": _safe_next(request),
    }
    return render(request, "surveys/transition_confirm.html", context)

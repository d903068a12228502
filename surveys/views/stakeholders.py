"""Stakeholder invitations (focal points) and the public page a personal link opens."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from surveys import permissions
from surveys.frameworks.spec import translate
from surveys.links import site_url
from surveys.models import Assessment, OrganisationType, StakeholderInvitation
from surveys.services.answers import (
    AnswerValidationError,
    answers_for_conditions,
    framework_spec,
)
from surveys.services.stakeholders import (
    DEFAULT_VALIDITY,
    InvitationError,
    InvitationUnusable,
    invitation_resolve,
    invitation_resolve_by_id,
    stakeholder_answers_save,
    stakeholder_invite,
    stakeholder_questions,
    stakeholder_revoke,
)
from surveys.wizard.display import answer_display
from surveys.wizard.forms import StepForm, initial_for
from surveys.wizard.pending import pending_post_keep, pending_post_take
from surveys.wizard.saving import load_answers


class InvitationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    email = forms.EmailField(label=gettext_lazy("E-mail"))
    organisation = forms.CharField(
        label=gettext_lazy("Organisation"), max_length=200, required=False
    )
    organisation_type = forms.ChoiceField(
        label=gettext_lazy("Type of organisation"), choices=OrganisationType.choices
    )
    pillars = forms.MultipleChoiceField(
        label=gettext_lazy("Pillars to answer"), widget=forms.CheckboxSelectMultiple
    )
    language = forms.ChoiceField(label=gettext_lazy("Language of the invitation"))
    valid_days = forms.IntegerField(
        label=gettext_lazy("Link valid for (days)"),
        min_value=1,
        max_value=180,
        initial=DEFAULT_VALIDITY.days,
    )

    def __init__(self, *args: Any, pillars: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pillars"].choices = pillars
        self.fields["language"].choices = [(code, _(name)) for code, name in settings.LANGUAGES]
        self.fields["language"].initial = get_language() or settings.LANGUAGE_CODE


def _pillar_choices(assessment: Assessment) -> list[tuple[str, str]]:
    language = get_language() or "en"
    return [
        (pillar.code, translate(pillar.title, language))
        for pillar in framework_spec(assessment.framework).pillars
    ]


@login_required
@require_http_methods(["GET", "POST"])
def stakeholder_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Who was invited, who responded; focal points invite from here."""
    assessment = permissions.get_assessment_for_user(request, pk)
    is_focal_point = permissions.can_contribute(request.user, assessment)
    if request.method == "POST" and not is_focal_point:
        raise PermissionDenied
    pillars = _pillar_choices(assessment)
    form = InvitationForm(request.POST or None, pillars=pillars)
    created = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = stakeholder_invite(
                assessment=assessment,
                actor=request.user,
                name=data["name"],
                email=data["email"],
                organisation=data["organisation"],
                organisation_type=data["organisation_type"],
                pillars=data["pillars"],
                language=data["language"],
                valid_for=datetime.timedelta(days=data["valid_days"]),
                base_url=site_url(request),
            )
        except InvitationError as error:
            form.add_error(None, str(error))
        else:
            # Shown once, on this response: the token is stored only as a hash, so the page
            # cannot show the link again later (no redirect that would have to carry it).
            form = InvitationForm(pillars=pillars)
    invitations = StakeholderInvitation.objects.filter(assessment=assessment).annotate(
        answer_count=Count("answers")
    )
    titles = dict(pillars)
    context = {
        "assessment": assessment,
        "invitations": [
            {"invitation": item, "pillars": [titles.get(code, code) for code in item.pillars]}
            for item in invitations
        ],
        "form": form if is_focal_point else None,
        "created": created,
    }
    return render(
        request, "surveys/stakeholder_list.html", context, status=400 if form.errors else 200
    )


@login_required
@require_POST
def stakeholder_revoke_view(request: HttpRequest, pk: int, invitation: int) -> HttpResponse:
    assessment = permissions.get_assessment_for_user(request, pk, permissions.Action.CONTRIBUTE)
    item = get_object_or_404(StakeholderInvitation, pk=invitation, assessment=assessment)
    stakeholder_revoke(invitation=item, actor=request.user)
    messages.success(request, _("The link of %(name)s no longer works.") % {"name": item.name})
    return redirect("surveys:stakeholder-list", pk=assessment.pk)


@login_required
@require_GET
def stakeholder_responses(request: HttpRequest, pk: int, invitation: int) -> HttpResponse:
    """One stakeholder's answers beside the official ones."""
    assessment = permissions.get_assessment_for_user(request, pk)
    item = get_object_or_404(StakeholderInvitation, pk=invitation, assessment=assessment)
    language = get_language() or "en"
    official = load_answers(assessment)
    theirs = {row.question_code: row for row in item.answers.all()}
    rows = [
        {
            "theirs": answer_display(question, theirs.get(question.code), language),
            "official": answer_display(question, official.get(question.code), language),
        }
        for question in stakeholder_questions(item)
    ]
    context = {"assessment": assessment, "invitation": item, "rows": rows}
    return render(request, "surveys/stakeholder_responses.html", context)


_UNUSABLE_STATUS = {
    "unknown": 404,
    "expired": 410,
    "revoked": 410,
    "closed": 410,
    "session": 403,
    "session_kept": 403,
}
#: The session key under which a stakeholder's page remembers the invitation of their link.
SESSION_INVITATION = "stakeholder_invitation"


def _public(response: HttpResponse, *, referrer_policy: str = "same-origin") -> HttpResponse:
    # Pages of personal links are no business of search engines. The token-free page keeps
    # the site's same-origin policy: "no-referrer" would make Chromium post with
    # "Origin: null", which the CSRF check rightly refuses.
    response["Referrer-Policy"] = referrer_policy
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _unusable(request: HttpRequest, reason: str) -> HttpResponse:
    response = render(
        request,
        "surveys/stakeholder_link_invalid.html",
        {"reason": reason},
        status=_UNUSABLE_STATUS[reason],
    )
    return _public(response, referrer_policy="no-referrer")


def _stakeholder_forms(
    invitation: StakeholderInvitation, data: Any = None
) -> list[tuple[Any, StepForm]]:
    spec = framework_spec(invitation.assessment.framework)
    allowed = {question.code for question in stakeholder_questions(invitation)}
    theirs = {row.question_code: row for row in invitation.answers.all()}
    # Conditions read the stakeholder's own answers, falling back on the official ones, so a
    # follow-up question depending on another pillar can still be shown.
    known = answers_for_conditions(load_answers(invitation.assessment).values())
    known.update(answers_for_conditions(theirs.values()))
    forms_by_pillar = []
    for pillar in spec.pillars:
        questions = [question for question in pillar.questions if question.code in allowed]
        if not questions:
            continue
        form = StepForm(
            data=data,
            initial=None if data is not None else initial_for(questions, theirs),
            prefix=pillar.code,
            questions=questions,
            all_questions=spec.questions,
            known_answers=known,
        )
        forms_by_pillar.append((pillar, form))
    return forms_by_pillar


@never_cache
@require_http_methods(["GET", "POST"])
def stakeholder_respond(request: HttpRequest, token: str) -> HttpResponse:
    """The personal link: remembers the invitation in the session, then leaves the address.

    The token is moved out of the address at once (redirect to the token-free page), so it is
    not kept in the browser's history, shown over a shoulder or sent in a Referer header. A
    form posted to the old address (a page opened before this change) is still accepted.
    """
    try:
        invitation = invitation_resolve(token)
    except InvitationUnusable as unusable:
        return _unusable(request, unusable.reason)
    request.session[SESSION_INVITATION] = invitation.pk
    if request.method == "POST":
        return _respond(request, invitation, request.POST)
    # Answers sent after the session had ended are saved once the link is opened again.
    kept = pending_post_take(request, reverse("surveys:stakeholder-page"))
    if kept is not None:
        return _respond(request, invitation, kept)
    return _public(redirect("surveys:stakeholder-page"), referrer_policy="no-referrer")


@never_cache
@require_http_methods(["GET", "POST"])
def stakeholder_page(request: HttpRequest) -> HttpResponse:
    """The page a personal link leads to: no account, only the invited pillars, nothing else."""
    try:
        invitation = invitation_resolve_by_id(request.session.get(SESSION_INVITATION))
    except InvitationUnusable as unusable:
        if unusable.reason != "unknown":
            return _unusable(request, unusable.reason)
        if request.method == "POST":
            # The session ended while the page was open: keep what was sent (it passed the
            # CSRF check, so it comes from this page) until the link is opened again.
            pending_post_keep(request)
            return _unusable(request, "session_kept")
        return _unusable(request, "session")
    return _respond(request, invitation, request.POST if request.method == "POST" else None)


def _respond(
    request: HttpRequest, invitation: StakeholderInvitation, data: Any = None
) -> HttpResponse:
    """The stakeholder's form; with ``data`` (a posted or kept form), save it first."""
    with translation.override(invitation.language):
        language = invitation.language
        pillar_forms = _stakeholder_forms(invitation, data or None)
        if data is not None:
            inputs = []
            for _pillar, form in pillar_forms:
                form.is_valid()
                inputs.extend(form.answer_inputs())
            try:
                stakeholder_answers_save(invitation=invitation, answers=inputs)
            except InvitationUnusable as unusable:
                return _unusable(request, unusable.reason)
            except AnswerValidationError as error:
                pillar_forms[0][1].add_error(None, str(error))
            if not any(form.errors for _pillar, form in pillar_forms):
                return _public(redirect(reverse("surveys:stakeholder-page") + "?saved=1"))
        saved = request.method == "GET" and request.GET.get("saved") == "1"
        context = {
            "invitation": invitation,
            "assessment": invitation.assessment,
            "sections": [
                {"title": translate(pillar.title, language), "blocks": form.blocks(), "form": form}
                for pillar, form in pillar_forms
            ],
            "has_errors": any(form.errors for _pillar, form in pillar_forms),
            "saved": saved,
            "language": language,
        }
        response = render(request, "surveys/stakeholder_respond.html", context)
    return _public(response)

"""Assessment list, detail page and creation (including a new round pre-filled)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from surveys import permissions
from surveys.frameworks.spec import translate
from surveys.models import (
    Assessment,
    AssessmentState,
    Country,
    Framework,
    FrameworkStatus,
    Role,
    StakeholderInvitation,
)
from surveys.services.answers import framework_spec
from surveys.services.review import queries_with_messages
from surveys.services.rounds import AssessmentCreateError, assessment_create
from surveys.wizard.progress import pillar_progress
from surveys.wizard.saving import load_answers, load_evidence_codes


class AssessmentFilterForm(forms.Form):
    country = forms.ModelChoiceField(
        queryset=Country.objects.none(), required=False, label=gettext_lazy("Country")
    )
    round = forms.IntegerField(
        required=False, min_value=2000, max_value=2100, label=gettext_lazy("Round")
    )
    state = forms.ChoiceField(
        choices=[("", gettext_lazy("Any state")), *AssessmentState.choices],
        required=False,
        label=gettext_lazy("State"),
    )

    def __init__(self, *args: Any, countries: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = countries


@login_required
@require_GET
def assessment_list(request: HttpRequest) -> HttpResponse:
    assessments = permissions.visible_assessments(request.user).order_by("-round", "country__name")
    form = AssessmentFilterForm(
        request.GET or None, countries=permissions.visible_countries(request.user)
    )
    if form.is_valid():
        filters = form.cleaned_data
        if filters["country"]:
            assessments = assessments.filter(country=filters["country"])
        if filters["round"]:
            assessments = assessments.filter(round=filters["round"])
        if filters["state"]:
            assessments = assessments.filter(state=filters["state"])
    page = Paginator(assessments, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_create": _can_create(request.user),
    }
    return render(request, "surveys/assessment_list.html", context)


def _can_create(user: Any) -> bool:
    return permissions.is_administrator(user) or bool(
        permissions.country_ids_with_role(user, Role.FOCAL_POINT)
    )


def _optional_url(name: str, pk: int) -> str:
    try:
        return reverse(name, kwargs={"pk": pk})
    except NoReverseMatch:
        return ""


def _open_query_rows(
    assessment: Assessment, spec: Any, *, can_edit: bool, can_review: bool
) -> list[dict[str, Any]]:
    """The open queries, each with where to answer it: beside the question in the survey
    (when the focal point can edit), in the review workspace, or on the query's own page."""
    pillar_of = spec.pillar_of_question
    rows = []
    for query in queries_with_messages(assessment, only_open=True):
        pillar = pillar_of.get(query.question_code)
        if can_edit and pillar:
            url = reverse("surveys:wizard-step", kwargs={"pk": assessment.pk, "step": pillar})
            url += f"#q-{query.question_code}"
        elif can_review:
            url = reverse("surveys:review", kwargs={"pk": assessment.pk})
            url += f"#q-{query.question_code}"
        else:
            url = reverse("surveys:query-reply", kwargs={"pk": query.pk})
        rows.append({"query": query, "url": url, "reply": query.latest_reply})
    return rows


@login_required
@require_GET
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = permissions.get_assessment_for_user(request, pk)
    user = request.user
    spec = framework_spec(assessment.framework)
    answers = load_answers(assessment)
    progress = pillar_progress(spec, answers, load_evidence_codes(assessment))
    language = get_language() or "en"
    focal_point = permissions.can_contribute(user, assessment)
    can_edit = permissions.can_edit_assessment(user, assessment)
    can_review = permissions.can_review_assessment(user, assessment)
    context = {
        "assessment": assessment,
        "framework_title": translate(spec.title, language),
        "progress": [
            {
                "title": translate(item.pillar.title, language),
                "item": item,
            }
            for item in progress
        ],
        "answered": sum(item.answered for item in progress),
        "required": sum(item.required for item in progress),
        "answer_count": len(answers),
        "can_edit": can_edit,
        "is_focal_point": focal_point,
        "can_review": can_review,
        "open_queries": _open_query_rows(
            assessment, spec, can_edit=can_edit, can_review=can_review
        ),
        "transitions": assessment.transitions.select_related("actor").order_by("-created_at")[:10],
        "stakeholders": (
            StakeholderInvitation.objects.filter(assessment=assessment).count()
            if focal_point
            else None
        ),
        "links": {
            "review": _optional_url("surveys:review", assessment.pk),
            "history": _optional_url("surveys:history", assessment.pk),
            "scores": _optional_url("scoring:assessment-scores", assessment.pk),
            "import": _optional_url("exchange:answers-import", assessment.pk),
            "dashboard": reverse(
                "reports:country-dashboard", kwargs={"alpha3": assessment.country.alpha3}
            ),
        },
        "next_rounds": assessment.next_rounds.all(),
    }
    return render(request, "surveys/assessment_detail.html", context)


class AssessmentCreateForm(forms.Form):
    country = forms.ModelChoiceField(queryset=Country.objects.none(), label=gettext_lazy("Country"))
    framework = forms.ModelChoiceField(
        queryset=Framework.objects.filter(status=FrameworkStatus.PUBLISHED),
        label=gettext_lazy("Framework"),
    )
    round = forms.IntegerField(
        min_value=2000,
        max_value=2100,
        label=gettext_lazy("Round"),
        help_text=gettext_lazy("The year of the round, for example 2026."),
    )
    previous = forms.ModelChoiceField(
        queryset=Assessment.objects.none(),
        required=False,
        label=gettext_lazy("Pre-fill from an earlier round (optional)"),
        help_text=gettext_lazy(
            "Its answers and justifications are copied where the questions still match; "
            "you then update what changed."
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if permissions.is_administrator(user):
            countries = Country.objects.all()
        else:
            countries = Country.objects.filter(
                pk__in=permissions.country_ids_with_role(user, Role.FOCAL_POINT)
            )
        self.fields["country"].queryset = countries
        self.fields["previous"].queryset = Assessment.objects.filter(
            country__in=countries
        ).select_related("country", "framework")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        previous, country = cleaned.get("previous"), cleaned.get("country")
        if previous is not None and country is not None and previous.country_id != country.pk:
            self.add_error("previous", _("Choose an earlier round of the same country."))
        return cleaned


@login_required
@require_http_methods(["GET", "POST"])
def assessment_create_view(request: HttpRequest) -> HttpResponse:
    """Focal points (for their countries) and administrators start an assessment or a round."""
    if not _can_create(request.user):
        raise PermissionDenied
    initial = {}
    if previous_pk := request.GET.get("previous"):
        previous = permissions.visible_assessments(request.user).filter(pk=previous_pk).first()
        if previous is not None:
            initial = {
                "previous": previous,
                "country": previous.country,
                "framework": previous.framework,
                "round": previous.round + 1,
            }
    form = AssessmentCreateForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = assessment_create(actor=request.user, **form.cleaned_data)
        except AssessmentCreateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The assessment was created."))
            return redirect("surveys:assessment-detail", pk=assessment.pk)
    status = 400 if form.errors else 200
    return render(request, "surveys/assessment_create.html", {"form": form}, status=status)

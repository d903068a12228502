"""Evidence pages: list and add evidence for one question, delete it, download it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from surveys import permissions
from surveys.frameworks.spec import translate
from surveys.models import Assessment, Evidence, EvidenceKind
from surveys.services.answers import AssessmentLocked, framework_spec
from surveys.services.evidence import (
    ACCEPTED_EXTENSIONS,
    EvidenceError,
    evidence_add_file,
    evidence_add_url,
    evidence_delete,
    evidence_max_megabytes,
    evidence_path,
)


class EvidenceForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Document"), required=False)
    url = forms.CharField(label=gettext_lazy("Or a web address"), required=False, max_length=2000)
    description = forms.CharField(
        label=gettext_lazy("Short description (optional)"), required=False, max_length=300
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["file"]
        field.help_text = _(
            "PDF, images (PNG, JPEG, GIF, WebP) and office documents (Word, Excel, PowerPoint, "
            "OpenDocument), up to %(limit)s MB. The type is checked from the file's content."
        ) % {"limit": evidence_max_megabytes()}
        # The browser checks size and type before sending (evidence_upload.js), so nobody
        # waits for a large upload to be refused; the server checks again.
        field.widget.attrs.update(
            {
                "accept": ",".join(ACCEPTED_EXTENSIONS),
                "aria-describedby": "id_file_help",
                "data-max-bytes": str(settings.EVIDENCE_MAX_BYTES),
                "data-too-large": _(
                    "This file is larger than the %(limit)s MB allowed: it was not sent. "
                    "Choose a smaller file."
                )
                % {"limit": evidence_max_megabytes()},
                "data-wrong-type": _(
                    "This type of file is not accepted: it was not sent. Choose a PDF, an "
                    "image or an office document."
                ),
            }
        )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        if bool(cleaned.get("file")) == bool(cleaned.get("url")):
            raise forms.ValidationError(_("Attach one document or give one web address."))
        return cleaned


def _assessment_of_focal_point(request: HttpRequest, pk: int) -> Assessment:
    return permissions.get_assessment_for_user(request, pk, permissions.Action.CONTRIBUTE)


@login_required
@require_http_methods(["GET", "POST"])
def evidence_list(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """Evidence of one question, with the form to add more (focal points)."""
    assessment = _assessment_of_focal_point(request, pk)
    spec = framework_spec(assessment.framework)
    question = spec.questions_by_code.get(code)
    if question is None:
        raise Http404(_("There is no such question in this framework."))
    form = EvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["file"]:
                evidence_add_file(
                    assessment=assessment,
                    question_code=code,
                    upload=form.cleaned_data["file"],
                    actor=request.user,
                    description=form.cleaned_data["description"],
                )
            else:
                evidence_add_url(
                    assessment=assessment,
                    question_code=code,
                    url=form.cleaned_data["url"],
                    actor=request.user,
                    description=form.cleaned_data["description"],
                )
        except (EvidenceError, AssessmentLocked) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The evidence was added."))
            return redirect("surveys:evidence-list", pk=assessment.pk, code=code)
    step = spec.pillar_of_question[code]
    context = {
        "assessment": assessment,
        "question_code": code,
        "question_text": translate(question.text, get_language() or "en"),
        "evidence": Evidence.objects.filter(assessment=assessment, question_code=code),
        "form": form,
        "back_url": reverse("surveys:wizard-step", kwargs={"pk": assessment.pk, "step": step})
        + f"#q-{code}",
    }
    return render(
        request, "surveys/evidence_list.html", context, status=400 if form.errors else 200
    )


@login_required
@require_POST
def evidence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(Evidence.objects.select_related("assessment"), pk=pk)
    _assessment_of_focal_point(request, evidence.assessment_id)
    try:
        evidence_delete(evidence=evidence, actor=request.user)
    except AssessmentLocked as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The evidence was removed."))
    return redirect("surveys:evidence-list", pk=evidence.assessment_id, code=evidence.question_code)


@login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored file, as an attachment, to users allowed to see the assessment.

    A web address is shown as a link, never redirected to: this platform's address must not
    forward anyone to an outside site of a focal point's choosing (an open redirect).
    """
    evidence = get_object_or_404(Evidence.objects.select_related("assessment"), pk=pk)
    permissions.check_assessment_action(request.user, evidence.assessment, permissions.Action.VIEW)
    if evidence.kind != EvidenceKind.FILE:
        return render(request, "surveys/evidence_link.html", {"evidence": evidence})
    try:
        handle = evidence_path(evidence).open("rb")
    except (EvidenceError, OSError):
        raise Http404(_("The file of this evidence is missing.")) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name or f"evidence-{evidence.pk}",
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response

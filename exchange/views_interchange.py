"""Interchange with field-data tools (issue 20): a framework as an XLSForm, and the offline
workbook of an assessment (download, upload with a dry-run preview, then apply).

The three uploads share one flow (:func:`exchange.views.upload_flow`): a previewed file
is staged under a random token known only to the uploader's session, and applying re-reads it.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from exchange.submissions import submissions_import
from exchange.views import UploadFlow, UploadState, clean_import_file, upload_flow
from exchange.workbook import (
    offline_workbook,
    offline_workbook_file_name,
    offline_workbook_import,
)
from exchange.xlsform import xlsform_file_name, xlsform_workbook
from exchange.xlsform_import import xlsform_import
from surveys import permissions
from surveys.frameworks.presentation import framework_page
from surveys.models import OrganisationType
from surveys.services.answers import AssessmentLocked, RevisionConflict
from surveys.services.stakeholders import InvitationUnusable
from tabular.reading import ImportFileError

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def framework_xlsform(request: HttpRequest, code: str, version: str) -> HttpResponse:
    framework = permissions.get_framework_for_user(request, code, version)
    response = HttpResponse(xlsform_workbook(framework.spec), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{xlsform_file_name(framework.spec)}"'
    return response


# ---------------------------------------------------------------------------------------------
# The offline workbook of an assessment

_OFFLINE = "offline-workbook"


class OfflineWorkbookForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Offline workbook"),
        help_text=gettext_lazy("The .xlsx file downloaded from this page, filled in."),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Preview the changes before writing them"),
        required=False,
        initial=True,
    )

    def clean_file(self) -> UploadedFile:
        return clean_import_file(self.cleaned_data["file"])


@login_required
@require_GET
def offline_workbook_download(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = permissions.get_assessment_for_user(request, pk, permissions.Action.CONTRIBUTE)
    data = offline_workbook(assessment, language=get_language() or "en")
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    name = offline_workbook_file_name(assessment)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _checked(request: HttpRequest, assessment: Any, **kwargs: Any) -> tuple[Any, int]:
    """Run the upload; unreadable files, locks and late conflicts become messages."""
    try:
        result = offline_workbook_import(assessment=assessment, actor=request.user, **kwargs)
    except ImportFileError as error:
        messages.error(request, str(error))
        return None, 400
    except (AssessmentLocked, RevisionConflict) as error:
        messages.error(request, str(error))
        return None, 409
    return result, (200 if result.ok else 400)


def _summary_and_back(request: HttpRequest, result: Any) -> HttpResponse:
    messages.success(request, result.summary())
    return redirect(request.get_full_path())


@login_required
@require_http_methods(["GET", "POST"])
def offline_workbook_page(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = permissions.get_assessment_for_user(request, pk, permissions.Action.CONTRIBUTE)
    flow = UploadFlow(
        kind=_OFFLINE,
        target=assessment.pk,
        form_class=OfflineWorkbookForm,
        run=partial(_checked, request, assessment),
        applied=_summary_and_back,
        previewed=lambda result: bool(result.changes),
    )
    state = upload_flow(request, flow)
    if isinstance(state, HttpResponse):
        return state
    context = {"assessment": assessment, **_page_context(state)}
    return render(request, "surveys/assessment_offline.html", context, status=state.status)


def _page_context(state: UploadState) -> dict[str, Any]:
    return {"form": state.form, "result": state.result, "token": state.token}


# ---------------------------------------------------------------------------------------------
# ODK Central / KoboToolbox submissions as stakeholder responses

_SUBMISSIONS = "submissions"


class SubmissionsForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Submissions export"),
        help_text=gettext_lazy(
            "CSV, Excel (.xlsx) or JSON export of ODK Central or KoboToolbox, with XML names "
            "as headers and choice names as values."
        ),
    )
    organisation_type = forms.ChoiceField(
        label=gettext_lazy("Organisation type of the respondents"),
        help_text=gettext_lazy("Used where the export has no organisation_type column."),
        choices=OrganisationType.choices,
        initial=OrganisationType.OTHER,
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Preview the changes before writing them"),
        required=False,
        initial=True,
    )

    clean_file = OfflineWorkbookForm.clean_file


def _submissions(request: HttpRequest, assessment: Any, **kwargs: Any) -> tuple[Any, int]:
    try:
        result = submissions_import(assessment=assessment, actor=request.user, **kwargs)
    except ImportFileError as error:
        messages.error(request, str(error))
        return None, 400
    except InvitationUnusable:
        messages.error(request, _("This assessment is approved: it takes no more responses."))
        return None, 409
    return result, (200 if result.ok else 400)


@login_required
@require_http_methods(["GET", "POST"])
def submissions_import_page(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = permissions.get_assessment_for_user(request, pk, permissions.Action.CONTRIBUTE)
    flow = UploadFlow(
        kind=_SUBMISSIONS,
        target=assessment.pk,
        form_class=SubmissionsForm,
        run=partial(_submissions, request, assessment),
        applied=_summary_and_back,
        previewed=lambda result: bool(result.planned),
        options=("organisation_type",),
    )
    state = upload_flow(request, flow)
    if isinstance(state, HttpResponse):
        return state
    context = {"assessment": assessment, **_page_context(state)}
    return render(
        request, "surveys/assessment_submissions_import.html", context, status=state.status
    )


# ---------------------------------------------------------------------------------------------
# An XLSForm as a new framework draft (administrators)

_XLSFORM = "xlsform"


class XlsFormImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("XLSForm"),
        help_text=gettext_lazy("An .xlsx workbook with survey, choices and settings sheets."),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Preview the changes before writing them"),
        required=False,
        initial=True,
    )

    clean_file = OfflineWorkbookForm.clean_file


def _xlsform(request: HttpRequest, **kwargs: Any) -> tuple[Any, int]:
    try:
        result = xlsform_import(**kwargs)
    except ImportFileError as error:
        messages.error(request, str(error))
        return None, 400
    return result, (200 if result.ok else 400)


def _stored_draft(request: HttpRequest, result: Any) -> HttpResponse | None:
    framework = result.framework
    if framework is None:
        return None
    messages.success(request, _("Stored as a draft: %(framework)s.") % {"framework": framework})
    return redirect("surveys:framework-detail", framework.code, framework.version)


@login_required
@require_http_methods(["GET", "POST"])
def xlsform_import_page(request: HttpRequest) -> HttpResponse:
    if not permissions.is_administrator(request.user):
        raise PermissionDenied
    flow = UploadFlow(
        kind=_XLSFORM,
        target=0,
        form_class=XlsFormImportForm,
        run=partial(_xlsform, request),
        applied=_stored_draft,
    )
    state = upload_flow(request, flow)
    if isinstance(state, HttpResponse):
        return state
    result = state.result
    page = framework_page(result.spec, get_language() or "en") if result and result.spec else None
    context = {**_page_context(state), "page": page}
    return render(request, "surveys/framework_xlsform_import.html", context, status=state.status)

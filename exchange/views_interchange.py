"""Interchange with field-data tools (issue 20): a framework as an XLSForm, and the offline
workbook of an assessment (download, upload with a dry-run preview, then apply).

The upload flow is the one of the answers import (exchange/views.py): a previewed file
is staged under a random token known only to the uploader's session, and applying re-reads it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from exchange.reading import ImportFileError
from exchange.submissions import submissions_import
from exchange.views import _forget, _stage, _unstage
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
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s MB; the largest file accepted is %(limit)s MB.")
                % {
                    "size": f"{upload.size / 1048576:.1f}",
                    "limit": f"{settings.IMPORT_MAX_BYTES / 1048576:.0f}",
                }
            )
        return upload


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


@login_required
@require_http_methods(["GET", "POST"])
def offline_workbook_page(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = permissions.get_assessment_for_user(request, pk, permissions.Action.CONTRIBUTE)
    form, result, token, status = OfflineWorkbookForm(), None, "", 200
    if request.method == "POST" and request.POST.get("token"):
        path, details = _unstage(request, request.POST["token"], _OFFLINE, assessment.pk)
        with path.open("rb") as handle:
            result, status = _checked(
                request, assessment, source=handle, name=details["name"], dry_run=False
            )
        _forget(request, request.POST["token"])
        if result is not None and result.ok:
            messages.success(request, result.summary())
            return redirect(request.get_full_path())
    elif request.method == "POST":
        form = OfflineWorkbookForm(request.POST, request.FILES)
        if not form.is_valid():
            status = 400
        else:
            upload, dry_run = form.cleaned_data["file"], form.cleaned_data["dry_run"]
            result, status = _checked(
                request,
                assessment,
                source=upload,
                name=upload.name,
                size=upload.size,
                dry_run=dry_run,
            )
            if result is not None and result.ok and dry_run and result.changes:
                token = _stage(request, upload, {"kind": _OFFLINE, "target": assessment.pk})
            elif result is not None and result.ok and not dry_run:
                messages.success(request, result.summary())
                return redirect(request.get_full_path())
    context = {"assessment": assessment, "form": form, "result": result, "token": token}
    return render(request, "surveys/assessment_offline.html", context, status=status)


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
    form, result, token, status = SubmissionsForm(), None, "", 200
    if request.method == "POST" and request.POST.get("token"):
        path, details = _unstage(request, request.POST["token"], _SUBMISSIONS, assessment.pk)
        with path.open("rb") as handle:
            result, status = _submissions(
                request,
                assessment,
                source=handle,
                name=details["name"],
                organisation_type=details["extra"]["organisation_type"],
                dry_run=False,
            )
        _forget(request, request.POST["token"])
        if result is not None and result.ok:
            messages.success(request, result.summary())
            return redirect(request.get_full_path())
    elif request.method == "POST":
        form = SubmissionsForm(request.POST, request.FILES)
        if not form.is_valid():
            status = 400
        else:
            upload, dry_run = form.cleaned_data["file"], form.cleaned_data["dry_run"]
            extra = {"organisation_type": form.cleaned_data["organisation_type"]}
            result, status = _submissions(
                request,
                assessment,
                source=upload,
                name=upload.name,
                size=upload.size,
                dry_run=dry_run,
                **extra,
            )
            if result is not None and result.ok and dry_run and result.planned:
                details = {"kind": _SUBMISSIONS, "target": assessment.pk, "extra": extra}
                token = _stage(request, upload, details)
            elif result is not None and result.ok and not dry_run:
                messages.success(request, result.summary())
                return redirect(request.get_full_path())
    context = {"assessment": assessment, "form": form, "result": result, "token": token}
    return render(request, "surveys/assessment_submissions_import.html", context, status=status)


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


@login_required
@require_http_methods(["GET", "POST"])
def xlsform_import_page(request: HttpRequest) -> HttpResponse:
    if not permissions.is_administrator(request.user):
        raise PermissionDenied
    form, result, token, status = XlsFormImportForm(), None, "", 200
    if request.method == "POST" and request.POST.get("token"):
        path, details = _unstage(request, request.POST["token"], _XLSFORM, 0)
        with path.open("rb") as handle:
            result, status = _xlsform(request, source=handle, name=details["name"], dry_run=False)
        _forget(request, request.POST["token"])
        if result is not None and result.ok and result.framework is not None:
            messages.success(
                request, _("Stored as a draft: %(framework)s.") % {"framework": result.framework}
            )
            framework = result.framework
            return redirect("surveys:framework-detail", framework.code, framework.version)
    elif request.method == "POST":
        form = XlsFormImportForm(request.POST, request.FILES)
        if not form.is_valid():
            status = 400
        else:
            upload, dry_run = form.cleaned_data["file"], form.cleaned_data["dry_run"]
            result, status = _xlsform(
                request, source=upload, name=upload.name, size=upload.size, dry_run=dry_run
            )
            if result is not None and result.ok and dry_run:
                token = _stage(request, upload, {"kind": _XLSFORM, "target": 0})
            elif result is not None and result.ok and result.framework is not None:
                framework = result.framework
                return redirect("surveys:framework-detail", framework.code, framework.version)
    page = framework_page(result.spec, get_language() or "en") if result and result.spec else None
    context = {"form": form, "result": result, "token": token, "page": page}
    return render(request, "surveys/framework_xlsform_import.html", context, status=status)

"""Export and import pages: streamed downloads, templates, and uploads with a dry-run preview.

An upload is first checked as a dry run and shown as a preview (what would be created,
updated, left unchanged, or every error with its row and column). The file is kept in
``VAR_DIR/imports`` under a random name known only to the uploader's session until they apply
it or a day passes; applying re-reads it and writes all or nothing.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from exchange import exports, imports
from exchange.reading import ImportFileError, open_table
from exchange.templates import TEMPLATE_KINDS, template_stream
from surveys import permissions
from surveys.models import AssessmentState, Framework, FrameworkStatus, ItuRegion
from surveys.services.answers import AssessmentLocked, RevisionConflict

STAGED_MAX_AGE_SECONDS = 24 * 3600
_SESSION_KEY = "staged_imports"


class ExportForm(forms.Form):
    dataset = forms.ChoiceField(
        label=gettext_lazy("Data"),
        choices=[
            ("answers", gettext_lazy("Answers")),
            ("scores", gettext_lazy("Scores")),
            ("gaps", gettext_lazy("Gaps")),
            ("priorities", gettext_lazy("Priorities (planners)")),
        ],
    )
    file_format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[("csv", "CSV"), ("xlsx", "Excel (XLSX)"), ("json", "JSON")],
    )
    layout = forms.ChoiceField(
        label=gettext_lazy("Layout"),
        choices=[
            ("long", gettext_lazy("Long: one row per answer or score")),
            ("wide", gettext_lazy("Wide: one row per assessment")),
        ],
    )
    round = forms.IntegerField(
        label=gettext_lazy("Round"), required=False, min_value=1900, max_value=2100
    )
    country = forms.ChoiceField(label=gettext_lazy("Country"), required=False)
    region = forms.ChoiceField(
        label=gettext_lazy("ITU region"),
        required=False,
        choices=[("", gettext_lazy("All regions")), *ItuRegion.choices],
    )
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        required=False,
        choices=[("", gettext_lazy("Any state")), *AssessmentState.choices],
    )
    bom = forms.BooleanField(
        label=gettext_lazy("Add a byte-order mark (for Excel)"), required=False
    )

    def __init__(self, *args: Any, countries: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All countries"))] + [
            (country.alpha3, country.name) for country in countries.order_by("name")
        ]

    def selection(self) -> exports.ExportSelection:
        data = self.cleaned_data
        return exports.ExportSelection(
            round=data["round"],
            countries=(data["country"],) if data["country"] else (),
            region=data["region"],
            state=data["state"],
        )


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    form = ExportForm(
        initial={"dataset": "answers", "file_format": "csv", "layout": "long"},
        countries=permissions.visible_countries(request.user),
    )
    return render(request, "surveys/exchange_export.html", {"form": form})


@login_required
@require_GET
def export_download(request: HttpRequest) -> HttpResponse:
    form = ExportForm(request.GET, countries=permissions.visible_countries(request.user))
    if not form.is_valid():
        return render(request, "surveys/exchange_export.html", {"form": form}, status=400)
    dataset = form.cleaned_data["dataset"]
    if dataset == "priorities" and not permissions.can_plan(request.user):
        raise PermissionDenied
    table = exports.export_table(
        dataset=dataset,
        layout=form.cleaned_data["layout"],
        assessments=permissions.visible_assessments(request.user),
        countries=permissions.visible_countries(request.user),
        selection=form.selection(),
        language=get_language() or "en",
    )
    chunks, content_type, name = exports.export_stream(
        table, file_format=form.cleaned_data["file_format"], bom=form.cleaned_data["bom"]
    )
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def import_template(
    request: HttpRequest, code: str, version: str, kind: str, file_format: str
) -> HttpResponse:
    frameworks = Framework.objects.all()
    if not permissions.is_administrator(request.user):
        frameworks = frameworks.exclude(status=FrameworkStatus.DRAFT)
    framework = get_object_or_404(frameworks, code=code, version=version)
    if kind not in TEMPLATE_KINDS or file_format not in ("csv", "xlsx"):
        raise Http404("No such template.")
    assessment = None
    if request.GET.get("assessment", "").isdigit():
        assessment = permissions.get_assessment_for_user(request, int(request.GET["assessment"]))
        if assessment.framework_id != framework.pk:
            raise Http404("The assessment does not use this framework.")
    chunks, content_type, name = template_stream(
        framework,
        kind=kind,
        file_format=file_format,
        language=get_language() or "en",
        assessment=assessment,
    )
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV (UTF-8; comma or semicolon separated) or Excel (.xlsx)."),
    )
    encoding = forms.ChoiceField(
        label=gettext_lazy("Encoding of a CSV file"),
        required=False,
        choices=[
            ("", gettext_lazy("Detect (UTF-8 or UTF-16)")),
            ("cp1252", gettext_lazy("Windows-1252 (Western European Excel)")),
            ("latin-1", "ISO-8859-1 (Latin-1)"),
        ],
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


# Imports larger than IMPORT_BACKGROUND_BYTES are handed to the background (registered by the
# background app, which sits above surveys): called with the staged file's token and details,
# it queues the work and returns the URL of the page that follows it.
BACKGROUND_IMPORT: list[Callable[..., str]] = []


def _in_background(size: int) -> bool:
    return bool(BACKGROUND_IMPORT) and size > settings.IMPORT_BACKGROUND_BYTES


def _limits_refusal(upload: UploadedFile, encoding: str) -> str:
    """Why the upload breaks an import limit ("" when it keeps them), found before parsing.

    Checked in the request even when the work itself goes to the background, so a hostile or
    oversized file is refused at once, with its message, instead of failing later in a worker.
    """
    try:
        open_table(upload, name=upload.name or "", size=upload.size, encoding=encoding)
    except ImportFileError as error:
        return str(error)
    finally:
        upload.seek(0)
    return ""


def _staging_dir() -> Path:
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _stage(request: HttpRequest, upload: UploadedFile, details: dict[str, Any]) -> str:
    """Keep an uploaded file for the apply step; return its token (also forgets stale files)."""
    folder = _staging_dir()
    now = time.time()
    for old in folder.iterdir():
        if now - old.stat().st_mtime > STAGED_MAX_AGE_SECONDS:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    upload.seek(0)
    with (folder / token).open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    staged = request.session.get(_SESSION_KEY, {})
    staged[token] = details | {"name": upload.name, "size": upload.size}
    request.session[_SESSION_KEY] = staged
    return token


def _unstage(request: HttpRequest, token: str, kind: str, target: int) -> tuple[Path, dict]:
    staged = request.session.get(_SESSION_KEY, {})
    details = staged.get(token)
    path = _staging_dir() / token
    if (
        not details
        or details.get("kind") != kind
        or details.get("target") != target
        or not path.is_file()
    ):
        raise Http404("This preview has expired; upload the file again.")
    return path, details


def _forget(request: HttpRequest, token: str) -> None:
    staged = request.session.get(_SESSION_KEY, {})
    staged.pop(token, None)
    request.session[_SESSION_KEY] = staged
    (_staging_dir() / token).unlink(missing_ok=True)


def _run_import(kind: str, target: Any, request: HttpRequest, **kwargs: Any) -> Any:
    if kind == "answers":
        return imports.answers_import(assessment=target, actor=request.user, **kwargs)
    return imports.statistics_import(framework=target, **kwargs)


def _import_page(
    request: HttpRequest, *, kind: str, target: Any, template: str, context: dict[str, Any]
) -> HttpResponse:
    """The shared upload → preview → apply flow of both imports."""
    status = 200
    result = None
    token = ""  # nosec B105  # an empty preview token, not a password
    target_id = target.pk
    form = ImportForm()
    if request.method == "POST" and request.POST.get("token"):
        token = request.POST["token"]
        path, details = _unstage(request, token, kind, target_id)
        if _in_background(details["size"]):
            staged = request.session.get(_SESSION_KEY, {})
            staged.pop(token, None)  # applied once; the worker deletes the file afterwards
            request.session[_SESSION_KEY] = staged
            return redirect(
                BACKGROUND_IMPORT[0](
                    kind=kind,
                    target=target,
                    token=token,
                    details=details,
                    dry_run=False,
                    actor=request.user,
                    back=request.get_full_path(),
                )
            )
        with path.open("rb") as handle:
            result, status = _guarded_import(
                request,
                kind,
                target,
                source=handle,
                name=details["name"],
                size=details["size"],
                encoding=details.get("encoding", ""),
                dry_run=False,
                **details.get("extra", {}),
            )
        _forget(request, token)
        token = ""  # nosec B105  # an empty preview token, not a password
        if result is not None and result.ok:
            messages.success(request, result.summary())
            return redirect(request.get_full_path())
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            extra = {"base_revision": target.revision} if kind == "answers" else {}
            in_background = _in_background(upload.size)
            refusal = (
                _limits_refusal(upload, form.cleaned_data["encoding"]) if in_background else ""
            )
            if refusal:
                messages.error(request, refusal)
                status = 400
            elif in_background:
                details = {"kind": kind, "target": target_id, "extra": extra}
                details["encoding"] = form.cleaned_data["encoding"]
                token = _stage(request, upload, details)
                return redirect(
                    BACKGROUND_IMPORT[0](
                        kind=kind,
                        target=target,
                        token=token,
                        actor=request.user,
                        details=details | {"name": upload.name, "size": upload.size},
                        dry_run=form.cleaned_data["dry_run"],
                        back=request.get_full_path(),
                    )
                )
            else:
                result, status = _guarded_import(
                    request,
                    kind,
                    target,
                    source=upload,
                    name=upload.name,
                    size=upload.size,
                    encoding=form.cleaned_data["encoding"],
                    dry_run=form.cleaned_data["dry_run"],
                    **extra,
                )
                if result is not None and result.ok and result.dry_run and result.changes:
                    token = _stage(
                        request,
                        upload,
                        {
                            "kind": kind,
                            "target": target_id,
                            "encoding": form.cleaned_data["encoding"],
                            "extra": extra,
                        },
                    )
                elif result is not None and result.ok and not result.dry_run:
                    messages.success(request, result.summary())
                    return redirect(request.get_full_path())
        else:
            status = 400
    context |= {"form": form, "result": result, "token": token, "kind": kind}
    return render(request, template, context, status=status)


def _guarded_import(request: HttpRequest, kind: str, target: Any, **kwargs: Any) -> tuple[Any, int]:
    """Run an import; file-level problems, locks and conflicts become messages and statuses."""
    try:
        result = _run_import(kind, target, request, **kwargs)
    except ImportFileError as error:
        messages.error(request, str(error))
        return None, 400
    except AssessmentLocked as error:
        messages.error(request, str(error))
        return None, 409
    except RevisionConflict as error:
        messages.error(request, str(error))
        return None, 409
    return result, (200 if result.ok else 400)


@login_required
@require_http_methods(["GET", "POST"])
def answers_import(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = permissions.get_assessment_for_user(request, pk, permissions.Action.CONTRIBUTE)
    if not assessment.is_editable:
        if request.method == "POST":
            messages.error(request, str(AssessmentLocked(assessment)))
        context = {"assessment": assessment, "locked": AssessmentLocked(assessment)}
        status = 409 if request.method == "POST" else 200
        return render(request, "surveys/exchange_answers_import.html", context, status=status)
    return _import_page(
        request,
        kind="answers",
        target=assessment,
        template="surveys/exchange_answers_import.html",
        context={"assessment": assessment},
    )


class StatisticsFrameworkForm(forms.Form):
    framework = forms.ModelChoiceField(
        queryset=Framework.objects.exclude(status=FrameworkStatus.DRAFT).order_by(
            "code", "-version"
        ),
        label=gettext_lazy("Framework"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def statistics_import(request: HttpRequest) -> HttpResponse:
    if not permissions.is_administrator(request.user):
        raise PermissionDenied
    chooser = StatisticsFrameworkForm(request.GET or None)
    frameworks = chooser.fields["framework"].queryset
    framework = chooser.cleaned_data["framework"] if chooser.is_valid() else frameworks.first()
    if framework is None:
        return render(request, "surveys/exchange_statistics_import.html", {"chooser": chooser})
    return _import_page(
        request,
        kind="statistics",
        target=framework,
        template="surveys/exchange_statistics_import.html",
        context={"chooser": chooser, "framework": framework},
    )

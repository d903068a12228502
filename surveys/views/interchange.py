"""Interchange with field-data tools: a framework as an XLSForm (issue 20)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from surveys import permissions
from surveys.exchange.xlsform import xlsform_file_name, xlsform_workbook

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def framework_xlsform(request: HttpRequest, code: str, version: str) -> HttpResponse:
    framework = permissions.get_framework_for_user(request, code, version)
    response = HttpResponse(xlsform_workbook(framework.spec), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{xlsform_file_name(framework.spec)}"'
    return response

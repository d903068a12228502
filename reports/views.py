"""Dashboards and PDF downloads: a country's page and report, and the regional comparison.

Views stay short: permission helper → options form → one data call → render. The dashboards
draw the very charts of the PDF (:mod:`reports.figures`) as inline SVG, each with its data
table as the text alternative.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from background.models import ACTIVE_STATUSES
from background.services import latest_job
from charts.texts import dashboard_text
from planning import plan_cache
from reports.country_page import kept_country_page
from reports.data import (
    CountryReport,
    RegionalReport,
    ReportError,
    country_report_data,
)
from reports.forms import RegionalFilterForm, ReportOptionsForm
from reports.pdf import country_report_pdf, regional_report_pdf
from reports.regional_page import regional_page, regional_report_for
from reports.services import report_file_name
from scoring.tasks import SCORE_KIND
from surveys import permissions


def _language(form: ReportOptionsForm) -> str:
    return form.cleaned_data.get("lang") or get_language() or "en"


def _pdf_response(pdf: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


@login_required
@require_GET
def country_dashboard(request: HttpRequest, alpha3: str) -> HttpResponse:
    # Permission first: the kept page is only read for a country the reader may see.
    country = permissions.get_country_for_user(request, alpha3)
    form = ReportOptionsForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    page, computed_at = kept_country_page(
        country=country,
        round=form.cleaned_data["round"],
        language=get_language(),
        scope=plan_cache.visible_stamp(permissions.visible_country_ids(request.user)),
    )
    context: dict[str, object] = {
        "country": country,
        **page,
        "computed_at": computed_at,
        "pdf_languages": settings.LANGUAGES,
        "ui": dashboard_text(),
        # New scores on their way: the page says so and marks what it shows as previous.
        "job": latest_job(assessment__country=country, kind=SCORE_KIND, status__in=ACTIVE_STATUSES),
    }
    return render(request, "reports/country_dashboard.html", context)


@login_required
@require_GET
def country_pdf(request: HttpRequest, alpha3: str) -> HttpResponse:
    country = permissions.get_country_for_user(request, alpha3)
    form = ReportOptionsForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    try:
        report: CountryReport = country_report_data(
            country=country, language=_language(form), round=form.cleaned_data["round"]
        )
    except ReportError as error:
        raise Http404(str(error)) from None
    name = report_file_name(report.alpha3, report.round, report.language)
    return _pdf_response(country_report_pdf(report), name)


def _regional(request: HttpRequest, language: str | None) -> tuple[RegionalFilterForm, object]:
    form = RegionalFilterForm(request.GET)
    if not form.is_valid():
        return form, None
    countries = permissions.visible_countries(request.user)
    return form, regional_report_for(form, countries, language or _language(form))


@login_required
@require_GET
def regional_dashboard(request: HttpRequest) -> HttpResponse:
    form = RegionalFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    language = get_language()
    page = regional_page(
        query=request.GET,
        countries=permissions.visible_countries(request.user),
        scope=plan_cache.visible_stamp(permissions.visible_country_ids(request.user)),
        language=language,
    )
    context: dict[str, object] = {
        "form": form,
        **page.value,
        "computed_at": page.computed_at,
        "job": page.warming,
        "query": request.GET.urlencode(),
        "pdf_languages": settings.LANGUAGES,
        "ui": dashboard_text(),
    }
    return render(request, "reports/regional_dashboard.html", context)


@login_required
@require_GET
def regional_pdf(request: HttpRequest) -> HttpResponse:
    form, report = _regional(request, None)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    if not isinstance(report, RegionalReport):
        raise Http404("No scores to report.")
    name = f"regional-{report.round}-{report.language}.pdf"
    return _pdf_response(regional_report_pdf(report), name)

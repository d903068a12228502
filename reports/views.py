"""Dashboards and PDF downloads: a country's page and report, and the regional comparison.

Views stay short: permission helper → options form → one data call → render. The dashboards
draw the very charts of the PDF (:mod:`reports.figures`) as inline SVG, each with its data
table as the text alternative.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from background.models import ACTIVE_STATUSES
from background.services import latest_job
from charts import Chart
from charts.texts import dashboard_text
from planning import plan_cache
from reports.data import (
    CountryReport,
    RegionalReport,
    ReportError,
    country_report_data,
    regional_report_data,
    scored_rounds,
)
from reports.figures import country_charts, regional_charts
from reports.forms import RegionalFilterForm, ReportOptionsForm
from reports.pdf import country_report_pdf, regional_report_pdf
from reports.peers import region_distribution_data
from reports.services import report_file_name
from scoring.tasks import SCORE_KIND
from surveys import permissions


def _svg(chart: Chart | None, element_id: str) -> dict[str, object] | None:
    """A chart for the template: inline SVG (escaped by the serialiser) and its data table."""
    if chart is None:
        return None
    return {"svg": mark_safe(chart.svg(element_id=element_id)), "chart": chart}  # noqa: S308  # nosec B308 B703  # minidom escaped every text


def _language(form: ReportOptionsForm) -> str:
    return form.cleaned_data.get("lang") or get_language() or "en"


def _pdf_response(pdf: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


@login_required
@require_GET
def country_dashboard(request: HttpRequest, alpha3: str) -> HttpResponse:
    country = permissions.get_country_for_user(request, alpha3)
    form = ReportOptionsForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    context: dict[str, object] = {
        "country": country,
        "rounds": scored_rounds(country),
        "pdf_languages": settings.LANGUAGES,
        "ui": dashboard_text(),
        # New scores on their way: the page says so and marks what it shows as previous.
        "job": latest_job(assessment__country=country, kind=SCORE_KIND, status__in=ACTIVE_STATUSES),
    }
    try:
        report = country_report_data(
            country=country, language=get_language(), round=form.cleaned_data["round"]
        )
    except ReportError as error:
        context["error"] = str(error)
        return render(request, "reports/country_dashboard.html", context)
    charts = country_charts(report)
    context |= {
        "report": report,
        "radar": _svg(charts.radar, "radar-chart"),
        "gaps": _svg(charts.gaps, "gap-chart"),
        "intervals": _svg(charts.intervals, "interval-chart"),
        "trend": _svg(charts.trend, "trend-chart"),
        "indicator_gaps": [
            _svg(chart, "gaps-" + re.sub(r"[^A-Za-z0-9_-]", "-", code))
            for code, chart in charts.indicator_gaps.items()
        ],
        "peers": [_svg(chart, f"peers-{n}") for n, chart in enumerate(charts.peers, 1)],
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
    rounds = scored_rounds(countries=countries)
    chosen_round = form.cleaned_data["round"] or (rounds[0] if rounds else None)
    if chosen_round is None:
        return form, None
    report = regional_report_data(
        countries=countries,
        language=language or _language(form),
        round=chosen_round,
        region=form.cleaned_data["region"],
        income_group=form.cleaned_data["income_group"],
    )
    return form, report


def _regional_page(request: HttpRequest, language: str) -> dict[str, object]:
    """The regional dashboard's data and charts (kept by :func:`planning.plan_cache.kept`)."""
    _form, report = _regional(request, language)
    page: dict[str, object] = {
        "report": report,
        "rounds": scored_rounds(countries=permissions.visible_countries(request.user)),
    }
    if isinstance(report, RegionalReport):
        charts = regional_charts(report)
        page["heat_maps"] = [
            _svg(chart, f"heat-map-{number}") for number, chart in enumerate(charts.heat_maps, 1)
        ]
        page["ranks"] = _svg(charts.ranks, "rank-chart")
        distribution = region_distribution_data(
            region=report.region,
            framework_code=report.framework_code,
            framework_version=report.framework_version,
            language=report.language,
            chart_text=report.chart_text,
        )
        if distribution is not None:
            page["region_distribution"] = distribution
            page["region_peers"] = [
                _svg(chart, f"region-peers-{n}") for n, chart in enumerate(distribution.charts, 1)
            ]
    return page


@login_required
@require_GET
def regional_dashboard(request: HttpRequest) -> HttpResponse:
    form = RegionalFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    language = get_language()
    scope = plan_cache.visible_stamp(permissions.visible_country_ids(request.user))
    page, computed_at = plan_cache.kept(
        "regional-dashboard",
        [scope, sorted(request.GET.items()), language],
        lambda: _regional_page(request, language),
    )
    context: dict[str, object] = {
        "form": form,
        **page,
        "computed_at": computed_at,
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

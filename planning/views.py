"""Planner pages: countries' needs, a country's ranked needs and portfolio, demand, catalogue.

Planners and administrators only (``require_planner``); everyone else signed in gets 403.
Every table is exportable with ``?format=csv&table=<name>`` on the same URL and parameters.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from planning import plan_cache
from planning import services as planning
from planning.forms import CatalogueFilterForm, CountryPlanForm, DemandFilterForm
from planning.models import Intervention
from surveys import permissions
from surveys.frameworks.spec import translate
from surveys.spreadsheet import neutralise


def csv_cell(value: Any) -> Any:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe.

    Examples
    --------
    >>> csv_cell("=HYPERLINK(1)"), csv_cell("-x"), csv_cell(-2.5), csv_cell(None)
    ("'=HYPERLINK(1)", "'-x", -2.5, '')
    """
    return "" if value is None else neutralise(value)


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([csv_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return response


def export_query(request: HttpRequest, table: str) -> str:
    """The current query string with ``format=csv&table=<table>``."""
    query: QueryDict = request.GET.copy()
    query["format"] = "csv"
    query["table"] = table
    return query.urlencode()


def _wants_csv(request: HttpRequest) -> str | None:
    return request.GET.get("table", "") if request.GET.get("format") == "csv" else None


@login_required
@require_GET
def planner_home(request: HttpRequest) -> HttpResponse:
    permissions.require_planner(request)
    language = get_language() or "en"
    snapshots = planning.latest_snapshots(
        countries=permissions.visible_countries(request.user), language=language
    )
    if _wants_csv(request) is not None:
        return csv_response(
            "planning-countries.csv",
            [
                "country",
                "alpha3",
                "itu_region",
                "income_group",
                "framework",
                "round",
                "overall_score",
                "stage",
                "weighted_gap",
                "indicators_with_gap",
            ],
            (
                [
                    s.country.name,
                    s.country.alpha3,
                    s.country.itu_region,
                    s.country.income_group,
                    f"{s.spec.code} {s.spec.version}",
                    s.assessment.round,
                    _rounded(s.overall),
                    s.overall_stage,
                    round(s.weighted_gap, 3),
                    sum(1 for ind in s.indicators if ind.gap),
                ]
                for s in snapshots
            ),
        )
    rows = [
        {
            "snapshot": snap,
            "stage": planning.stage_label(snap.spec, snap.overall_stage, language),
            "gaps": sum(1 for ind in snap.indicators if ind.gap),
        }
        for snap in snapshots
    ]
    return render(
        request,
        "scoring/planner_home.html",
        {"rows": rows, "export": export_query(request, "countries")},
    )


@login_required
@require_GET
def planner_country(request: HttpRequest, alpha3: str) -> HttpResponse:
    permissions.require_planner(request)
    country = permissions.get_country_for_user(request, alpha3)
    language = get_language() or "en"
    snapshot = planning.latest_snapshot(country, language=language)
    if snapshot is None:
        return render(request, "scoring/planner_country.html", {"country": country})
    pillars = [(p.code, translate(p.title, language)) for p in snapshot.spec.pillars]
    form = CountryPlanForm(request.GET, pillars=pillars)
    context = {"country": country, "snapshot": snapshot, "form": form}
    if form.is_valid():
        context |= _country_plan(snapshot, form.cleaned_data, language)
    table = _wants_csv(request)
    if table is not None and form.is_valid():
        return _country_csv(country.alpha3, table, context)
    context["export_needs"] = export_query(request, "needs")
    context["export_portfolio"] = export_query(request, "portfolio")
    return render(request, "scoring/planner_country.html", context)


@login_required
@require_GET
def planner_demand(request: HttpRequest) -> HttpResponse:
    permissions.require_planner(request)
    language = get_language() or "en"
    codes = sorted(set(planning.framework_codes_with_scores()) | set(_catalogue_codes()))
    form = DemandFilterForm(request.GET, framework_codes=codes)
    demand = computed_at = None
    if form.is_valid() and form.cleaned_data["framework"]:
        demand, computed_at = plan_cache.demand(
            wanted=form.cleaned_data,
            countries=permissions.visible_countries(request.user),
            scope=plan_cache.visible_stamp(permissions.visible_country_ids(request.user)),
            language=language,
        )
    table = _wants_csv(request)
    if table is not None and demand is not None:
        return _demand_csv(table, demand)
    context = {
        "form": form,
        "demand": demand,
        "computed_at": computed_at,
        "export_groups": export_query(request, "groups"),
        "export_interventions": export_query(request, "interventions"),
    }
    return render(request, "scoring/planner_demand.html", context)


@login_required
@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    permissions.require_planner(request)
    language = get_language() or "en"
    form = CatalogueFilterForm(request.GET, framework_codes=_catalogue_codes())
    items = Intervention.objects.all()
    if form.is_valid():
        wanted = form.cleaned_data
        for name in ("kind", "channel"):
            if wanted[name]:
                items = items.filter(**{name: wanted[name]})
        if wanted["framework"]:
            items = items.filter(framework_code=wanted["framework"])
        if not wanted["include_inactive"]:
            items = items.filter(active=True)
    rows = [
        (item, translate(item.title, language), translate(item.description, language))
        for item in items
    ]
    if _wants_csv(request) is not None:
        return csv_response(
            "intervention-catalogue.csv",
            [
                "framework",
                "code",
                "title",
                "kind",
                "channel",
                "targets",
                "cost_usd",
                "duration_months",
                "prerequisites",
                "exclusions",
                "active",
            ],
            (
                [
                    item.framework_code,
                    item.code,
                    title,
                    item.kind,
                    item.channel,
                    "; ".join(f"{code}={points:g}" for code, points in item.targets.items()),
                    float(item.cost),
                    item.duration_months,
                    "; ".join(item.prerequisites),
                    "; ".join(item.exclusions),
                    item.active,
                ]
                for item, title, _description in rows
            ),
        )
    context = {"form": form, "rows": rows, "export": export_query(request, "catalogue")}
    return render(request, "scoring/planner_catalogue.html", context)


def _catalogue_codes() -> list[str]:
    return sorted(set(Intervention.objects.values_list("framework_code", flat=True)))


def _rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _country_plan(
    snapshot: planning.ScoreSnapshot, wanted: dict[str, Any], language: str
) -> dict[str, Any]:
    """Ranked needs and portfolio for the page (computed once per run, catalogue and
    parameters, then kept: :mod:`planning.plan_cache`); planning errors become messages."""
    return plan_cache.country_plan(snapshot=snapshot, wanted=wanted, language=language)


def _country_csv(alpha3: str, table: str, context: dict[str, Any]) -> HttpResponse:
    if table == "portfolio" and "portfolio" in context:
        portfolio = context["portfolio"]
        return csv_response(
            f"portfolio-{alpha3}.csv",
            [
                "code",
                "title",
                "kind",
                "channel",
                "cost_usd",
                "duration_months",
                "standalone_gain",
                "optimal",
                "greedy",
                "selection_frequency",
            ],
            (
                [
                    line.code,
                    line.title,
                    line.kind,
                    line.channel,
                    line.cost,
                    line.duration_months,
                    round(line.standalone_gain, 4),
                    line.optimal,
                    line.greedy,
                    _rounded(line.frequency, 3),
                ]
                for line in portfolio.lines
            ),
        )
    needs = context["needs"]
    return csv_response(
        f"needs-{alpha3}.csv",
        list(planning.NEED_COLUMNS),
        (list(planning.need_cells(row).values()) for row in needs.rows),
    )


def _demand_csv(table: str, demand: planning.Demand) -> HttpResponse:
    if table == "interventions":
        return csv_response(
            f"demand-interventions-{demand.framework_code}.csv",
            ["code", "title", "kind", "channel", "countries", "total_cost_usd"],
            (
                [row.code, row.title, row.kind, row.channel, row.countries, row.total_cost]
                for row in demand.interventions
            ),
        )
    pillar_codes = [code for code, _title in demand.pillars]
    return csv_response(
        f"demand-groups-{demand.framework_code}.csv",
        [
            "itu_region",
            "income_group",
            "countries",
            "weighted_need",
            "mean_weighted_need",
            *[f"need_{code}" for code in pillar_codes],
            "recommended_interventions",
            "recommended_cost_usd",
        ],
        (
            [
                group.region,
                group.income_group,
                group.countries,
                round(group.weighted_need, 3),
                round(group.mean_weighted_need, 3),
                *[round(group.pillar_needs.get(code, 0.0), 3) for code in pillar_codes],
                group.recommended,
                group.recommended_cost,
            ]
            for group in demand.groups
        ),
    )

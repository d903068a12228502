"""Matching pages: the plan for a round and region, where new centres or partners are needed,
and a provider's page. Planners and administrators only (``require_planner``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from planning import matching
from planning.catalogue import CatalogueError, framework_for_catalogue
from planning.forms_matching import MatchingForm
from planning.models import Offer, Provider
from planning.services import PlanningError
from planning.views import csv_response, export_query
from surveys import permissions
from surveys.frameworks.spec import translate


@login_required
@require_GET
def matching_plan(request: HttpRequest) -> HttpResponse:
    permissions.require_planner(request)
    context = _plan_context(request)
    table = request.GET.get("table") if request.GET.get("format") == "csv" else None
    if table and context["plan"] is not None:
        return _csv(table, context["plan"])
    return render(request, "scoring/matching_plan.html", context)


@login_required
@require_GET
def matching_gaps(request: HttpRequest) -> HttpResponse:
    permissions.require_planner(request)
    context = _plan_context(request)
    if request.GET.get("format") == "csv" and context["plan"] is not None:
        return _csv("unmet", context["plan"])
    return render(request, "scoring/matching_gaps.html", context)


@login_required
@require_GET
def provider_detail(request: HttpRequest, code: str) -> HttpResponse:
    permissions.require_planner(request)
    provider = Provider.objects.filter(code=code).select_related("country").first()
    if provider is None:
        raise Http404("No provider matches the given query.")
    context = _plan_context(request)
    plan = context["plan"]
    context |= {
        "provider": provider,
        "offers": [(o, o.title_in(context["language"])) for o in provider.offers.all()],
        "placements": [p for p in plan.placements if p.provider == code] if plan else [],
    }
    if request.GET.get("format") == "csv" and plan is not None:
        return _csv("placements", plan, provider=code)
    return render(request, "scoring/provider_detail.html", context)


def _plan_context(request: HttpRequest) -> dict[str, Any]:
    """The filter form and, when it is valid, the plan or the reason there is none."""
    language = get_language() or "en"
    codes = sorted(set(Offer.objects.values_list("framework_code", flat=True)))
    chosen = request.GET.get("framework") or next(iter(codes), "")
    topics: list[tuple[str, str]] = []
    try:
        spec = framework_for_catalogue(chosen).spec if chosen in codes else None
    except CatalogueError:
        spec = None
    if spec is not None:
        for pillar in spec.pillars:
            topics.append((pillar.code, f"{pillar.code} · {translate(pillar.title, language)}"))
            topics += [
                (ind.code, f"— {ind.code} · {translate(ind.title, language)}")
                for ind in pillar.all_indicators
            ]
    form = MatchingForm(
        request.GET,
        framework_codes=codes,
        rounds=matching.approved_rounds(chosen or None),
        topics=topics,
    )
    plan = problem = None
    if not codes:
        problem = str(matching.EMPTY_CATALOGUE)
    elif form.is_valid():
        wanted = form.cleaned_data
        try:
            plan = matching.matching_plan(
                round_=wanted["round"],
                framework_code=wanted["framework"],
                region=wanted["region"],
                topic=wanted["topic"],
                language=wanted["language"],
                mode=wanted["mode"],
                budget_per_country=None if wanted["budget"] is None else float(wanted["budget"]),
                prefer_same_region=wanted["same_region"],
                ui_language=language,
            )
        except PlanningError as error:
            problem = str(error)
    return {
        "form": form,
        "plan": plan,
        "problem": problem,
        "language": language,
        "query": request.GET.urlencode(),
        "export_placements": export_query(request, "placements"),
        "export_unmet": export_query(request, "unmet"),
        "export_providers": export_query(request, "providers"),
    }


def _csv(table: str, plan: matching.MatchingPlan, provider: str = "") -> HttpResponse:
    name = f"matching-{plan.round}-{table}.csv"
    if table == "unmet":
        return csv_response(
            name,
            ["itu_region", "topic", "language", "participants", "reason"],
            (
                [r.region, r.indicator, r.language, round(r.participants, 2), r.reason]
                for r in plan.unmet_rows
            ),
        )
    if table == "providers":
        return csv_response(
            name,
            ["provider", "name", "itu_region", "sample", "seats", "used", "utilisation"],
            (
                [
                    p.code,
                    p.name,
                    p.region,
                    p.sample,
                    p.seats,
                    round(p.used, 2),
                    None if p.utilisation is None else round(p.utilisation, 4),
                ]
                for p in plan.providers
            ),
        )
    return csv_response(
        name,
        [
            "country",
            "itu_region",
            "topic",
            "language",
            "offer",
            "provider",
            "participants",
            "cost_usd",
        ],
        (
            [
                p.country,
                p.region,
                p.indicator,
                p.language,
                p.offer,
                p.provider,
                round(p.participants, 2),
                round(p.cost, 2),
            ]
            for p in plan.placements
            if not provider or p.provider == provider
        ),
    )

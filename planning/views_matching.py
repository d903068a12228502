"""Matching pages: the plan for a round and region, where new centres or partners are needed,
and a provider's page. Planners and administrators only (``require_planner``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from planning import matching, plan_cache
from planning.catalogue import CatalogueError, framework_for_catalogue
from planning.forms_matching import MatchingForm
from planning.matching_exports import plan_table
from planning.models import Offer, Provider
from planning.services import PlanningError
from planning.views import csv_response, export_query
from surveys import permissions
from surveys.frameworks.spec import translate
from tabular.writing import CONTENT_TYPES, stream_xlsx


@login_required
@require_GET
def matching_plan(request: HttpRequest) -> HttpResponse:
    permissions.require_planner(request)
    context = _plan_context(request)
    table = request.GET.get("table") if _wants_download(request) else None
    if table and context["plan"] is not None:
        return _download(request, table, context["plan"])
    return render(request, "scoring/matching_plan.html", context)


@login_required
@require_GET
def matching_gaps(request: HttpRequest) -> HttpResponse:
    permissions.require_planner(request)
    context = _plan_context(request)
    if _wants_download(request) and context["plan"] is not None:
        return _download(request, "unmet", context["plan"])
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
    if _wants_download(request) and plan is not None:
        return _download(request, "placements", plan, provider=code)
    return render(request, "scoring/provider_detail.html", context)


def _wants_download(request: HttpRequest) -> bool:
    return request.GET.get("format") in ("csv", "xlsx")


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
        try:
            plan = plan_cache.matching_plan(form.parameters(ui_language=language))
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
        "xlsx_placements": export_query(request, "placements", "xlsx"),
        "xlsx_unmet": export_query(request, "unmet", "xlsx"),
        "xlsx_providers": export_query(request, "providers", "xlsx"),
    }


def _download(
    request: HttpRequest, table: str, plan: matching.MatchingPlan, provider: str = ""
) -> HttpResponse:
    """The table as CSV, or as XLSX with ``format=xlsx`` (same columns, cells neutralised)."""
    export = plan_table(plan, table, provider)
    if request.GET.get("format") == "xlsx":
        response = StreamingHttpResponse(stream_xlsx(export), content_type=CONTENT_TYPES["xlsx"])
        response["Content-Disposition"] = f'attachment; filename="{export.name}.xlsx"'
        return response
    return csv_response(f"{export.name}.csv", export.columns, export.rows)

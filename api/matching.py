"""REST API for the matching plan (issue 22): the plan with its unmet demand and providers'
utilisation, and one provider's demand. Planners and administrators, like the pages.

The query parameters are the matching page's filters (``planning.forms_matching.MatchingForm``)
and the rows are those of the CSV/XLSX downloads (``planning.matching_exports``), so the three
outputs never drift apart. Bad input answers 400 with the page's message; nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import IsPlanner
from planning import matching, plan_cache
from planning.catalogue import CatalogueError, framework_for_catalogue
from planning.forms_matching import MatchingForm
from planning.matching_exports import (
    PLACEMENT_COLUMNS,
    PROVIDER_COLUMNS,
    UNMET_COLUMNS,
    placement_rows,
    provider_rows,
    unmet_rows,
)
from planning.models import DeliveryMode, Offer, Provider
from planning.services import PlanningError
from surveys.models.countries import ItuRegion

_FIELD = {
    "country": serializers.CharField(),
    "itu_region": serializers.CharField(),
    "topic": serializers.CharField(),
    "language": serializers.CharField(),
    "year": serializers.IntegerField(),
    "offer": serializers.CharField(),
    "provider": serializers.CharField(),
    "participants": serializers.FloatField(),
    "cost_usd": serializers.FloatField(),
    "holds_share": serializers.FloatField(allow_null=True),
    "reason": serializers.ChoiceField(choices=["no_offer", "budget", "seats"]),
    "name": serializers.CharField(),
    "sample": serializers.BooleanField(),
    "seats": serializers.IntegerField(),
    "used": serializers.FloatField(),
    "utilisation": serializers.FloatField(allow_null=True),
}


def _row_serializer(name: str, columns: list[str]) -> serializers.Serializer:
    return inline_serializer(name, {column: _FIELD[column] for column in columns}, many=True)


PLAN_RESPONSE = inline_serializer(
    "MatchingPlan",
    {
        "round": serializers.IntegerField(),
        "framework": serializers.CharField(),
        "source": serializers.ChoiceField(choices=list(matching.SOURCES)),
        "years": serializers.IntegerField(),
        "countries": serializers.IntegerField(),
        "participants_wanted": serializers.IntegerField(),
        "placed": serializers.FloatField(),
        "unmet": serializers.FloatField(),
        "cost_usd": serializers.FloatField(),
        "placed_in_other_region": serializers.FloatField(),
        "greedy_cost_usd": serializers.FloatField(),
        "greedy_unmet": serializers.FloatField(),
        "robustness_samples": serializers.IntegerField(),
        "binding": serializers.ListField(child=serializers.CharField()),
        "placements": _row_serializer("MatchingPlacement", PLACEMENT_COLUMNS),
        "unmet_demand": _row_serializer("MatchingUnmet", UNMET_COLUMNS),
        "providers": _row_serializer("MatchingProviderUse", PROVIDER_COLUMNS),
    },
)
PROVIDER_RESPONSE = inline_serializer(
    "MatchingProviderDemand",
    {
        "provider": serializers.CharField(),
        "name": serializers.CharField(),
        "kind": serializers.CharField(),
        "itu_region": serializers.CharField(),
        "sample": serializers.BooleanField(),
        "round": serializers.IntegerField(),
        "placements": _row_serializer("MatchingProviderPlacement", PLACEMENT_COLUMNS),
    },
)
PARAMETERS = [
    OpenApiParameter("framework", str, description="framework code (default: the first)"),
    OpenApiParameter("round", int, description="default: the latest with approved scores"),
    OpenApiParameter("region", str, enum=list(ItuRegion.values)),
    OpenApiParameter("topic", str, description="indicator or pillar code"),
    OpenApiParameter("language", str, description="ISO 639-1 code"),
    OpenApiParameter("mode", str, enum=list(DeliveryMode.values)),
    OpenApiParameter("budget", float, description="USD per country; empty for no limit"),
    OpenApiParameter("same_region", bool, description="prefer providers of the same region"),
    OpenApiParameter("source", str, enum=list(matching.SOURCES)),
    OpenApiParameter("portfolio_budget", float, description="USD per country, with source"),
]


class IsPlannerForMatching(IsPlanner):
    message = "The matching plan is available to planners and administrators."


def _rows(columns: list[str], rows: list[list[Any]]) -> list[dict[str, Any]]:
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _plan(request: Request) -> matching.MatchingPlan:
    """The plan for the query's filters, or 400 with the reason there is none."""
    language = get_language() or "en"
    codes = sorted(set(Offer.objects.values_list("framework_code", flat=True)))
    if not codes:
        raise ValidationError({"detail": str(matching.EMPTY_CATALOGUE)})
    chosen = request.query_params.get("framework") or codes[0]
    topics: list[tuple[str, str]] = []
    try:
        spec = framework_for_catalogue(chosen).spec if chosen in codes else None
    except CatalogueError:
        spec = None
    if spec is not None:
        topics = [(pillar.code, pillar.code) for pillar in spec.pillars]
        topics += [(ind.code, ind.code) for ind in spec.indicators]
    form = MatchingForm(
        request.query_params,
        framework_codes=codes,
        rounds=matching.approved_rounds(chosen),
        topics=topics,
    )
    if not form.is_valid():
        raise ValidationError(form.errors)
    try:
        return plan_cache.matching_plan(form.parameters(ui_language=language))
    except PlanningError as error:
        raise ValidationError({"detail": str(error)}) from error


class MatchingPlanView(APIView):
    """The matching plan: placements, unmet demand (where new centres are needed), providers."""

    permission_classes = [IsPlannerForMatching]

    @extend_schema(parameters=PARAMETERS, responses=PLAN_RESPONSE)
    def get(self, request: Request) -> Response:
        plan = _plan(request)
        return Response(
            {
                "round": plan.round,
                "framework": plan.framework_code,
                "source": plan.source,
                "years": plan.periods,
                "countries": plan.countries,
                "participants_wanted": plan.demand,
                "placed": round(plan.placed, 2),
                "unmet": round(plan.unmet, 2),
                "cost_usd": round(plan.cost, 2),
                "placed_in_other_region": round(plan.other_region, 2),
                "greedy_cost_usd": round(plan.greedy_cost, 2),
                "greedy_unmet": round(plan.greedy_unmet, 2),
                "robustness_samples": plan.samples,
                "binding": list(plan.binding),
                "placements": _rows(PLACEMENT_COLUMNS, placement_rows(plan)),
                "unmet_demand": _rows(UNMET_COLUMNS, unmet_rows(plan)),
                "providers": _rows(PROVIDER_COLUMNS, provider_rows(plan)),
            }
        )


class ProviderDemandView(APIView):
    """The demand a provider's offers meet in the plan for the query's filters."""

    permission_classes = [IsPlannerForMatching]

    @extend_schema(parameters=PARAMETERS, responses=PROVIDER_RESPONSE)
    def get(self, request: Request, code: str) -> Response:
        provider = get_object_or_404(Provider, code=code)
        plan = _plan(request)
        return Response(
            {
                "provider": provider.code,
                "name": provider.name,
                "kind": provider.kind,
                "itu_region": provider.region,
                "sample": provider.sample,
                "round": plan.round,
                "placements": _rows(PLACEMENT_COLUMNS, placement_rows(plan, provider.code)),
            }
        )

"""The planner's country plan computed once per score run, catalogue and parameters, then kept.

Solving a country's portfolio takes one optimisation plus 40 robustness samples (about half a
second); under load that one page took a third of all server time. The plan depends only on
the country's score run, the intervention catalogue, the page's parameters and the language,
so it is computed on the first request and kept in Django's cache under a key made of exactly
those. A new score run or any change to the catalogue gives a new key: stale plans are never
read, and expire after ``PLAN_CACHE_SECONDS``. The page shows when the plan was computed.

Pages over many countries (the regional dashboard, the demand page) use :func:`kept`: their
content changes only when a score run is added or removed, so they are kept under a key made of
the score runs' state, the reader's visible countries, the page's parameters and the language.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone

from planning import services as planning
from planning.models import Intervention
from scoring.engine.constants import ENGINE_VERSION
from scoring.models import ScoreRun

__all__ = ["country_plan", "demand", "kept", "plan_key", "scores_stamp", "visible_stamp"]


def plan_key(
    snapshot: planning.ScoreSnapshot,
    interventions: Sequence[Intervention],
    wanted: dict[str, Any],
    language: str,
) -> str:
    """The cache key of a country plan: run, catalogue, parameters, language, engine version."""
    parameters = json.dumps(
        {name: wanted.get(name) for name in sorted(wanted)}, sort_keys=True, default=str
    )
    material = "|".join(
        [
            str(snapshot.run_id),
            str(snapshot.seed),
            planning.catalogue_stamp(interventions),
            parameters,
            language,
            ENGINE_VERSION,
        ]
    )
    return "planner-country:" + hashlib.sha256(material.encode()).hexdigest()


def _compute(
    snapshot: planning.ScoreSnapshot,
    interventions: Sequence[Intervention],
    wanted: dict[str, Any],
    language: str,
) -> dict[str, Any]:
    plan: dict[str, Any] = {
        "needs": planning.country_needs(
            snapshot=snapshot,
            interventions=interventions,
            criteria_weights=wanted["weights"],
            method=wanted["method"],
        )
    }
    try:
        plan["portfolio"] = planning.country_portfolio(
            snapshot=snapshot,
            interventions=interventions,
            budget=float(wanted["budget"]),
            horizon_months=wanted.get("horizon"),
            pillar_minimums=wanted["pillar_minimums"],
            language=language,
        )
    except planning.PlanningError as error:
        plan["portfolio_error"] = str(error)
    return plan


def country_plan(
    *, snapshot: planning.ScoreSnapshot, wanted: dict[str, Any], language: str
) -> dict[str, Any]:
    """Ranked needs and portfolio (or ``portfolio_error``) with ``plan_computed_at``.

    Kept in the cache; a hit costs one catalogue query and the cache read.
    """
    interventions = planning.active_interventions(snapshot.spec.code)
    key = plan_key(snapshot, interventions, wanted, language)
    plan = cache.get(key)
    if plan is None:
        plan = _compute(snapshot, interventions, wanted, language)
        computed_at: datetime = timezone.now()
        plan["plan_computed_at"] = computed_at
        cache.set(key, plan, timeout=settings.PLAN_CACHE_SECONDS)
    return plan


T = TypeVar("T")


def scores_stamp() -> str:
    """Changes whenever a score run is added or deleted (one aggregate query)."""
    state = ScoreRun.objects.aggregate(last=Max("pk"), count=Count("pk"))
    return f"{state['last']}:{state['count']}"


def kept(name: str, parts: Iterable[object], compute: Callable[[], T]) -> tuple[T, datetime]:
    """``compute()``'s value for the key ``name`` + ``parts`` + the scores' state, and when it
    was computed; computed on the first request and kept ``PLAN_CACHE_SECONDS``."""
    material = "|".join([scores_stamp(), *(str(part) for part in parts)])
    key = f"{name}:" + hashlib.sha256(material.encode()).hexdigest()
    found: tuple[T, datetime] | None = cache.get(key)
    if found is None:
        found = (compute(), timezone.now())
        cache.set(key, found, timeout=settings.PLAN_CACHE_SECONDS)
    return found


def visible_stamp(country_ids: Iterable[int] | None) -> str:
    """The reader's scope as part of a key: "all", or a digest of the country ids."""
    if country_ids is None:
        return "all"
    return hashlib.sha256(",".join(map(str, sorted(country_ids))).encode()).hexdigest()[:24]


def demand(
    *, wanted: dict[str, Any], countries: Any, scope: str, language: str
) -> tuple[planning.Demand, datetime]:
    """The demand page's aggregation (see :func:`planning.services.demand_build`), kept per
    state of the scores, catalogue, reader's scope, filters and language."""
    interventions = planning.active_interventions(wanted["framework"])
    parameters = json.dumps(wanted, sort_keys=True, default=str)
    return kept(
        "planner-demand",
        [scope, parameters, language, planning.catalogue_stamp(interventions)],
        lambda: planning.demand_build(
            framework_code=wanted["framework"],
            budget_per_country=float(wanted["budget"]),
            horizon_months=wanted.get("horizon"),
            region=wanted.get("region", ""),
            income_group=wanted.get("income_group", ""),
            countries=countries,
            language=language,
        ),
    )

"""The planner's country plan computed once per score run, catalogue and parameters, then kept.

Solving a country's portfolio takes one optimisation plus 40 robustness samples (about half a
second); under load that one page took a third of all server time. The plan depends only on
the country's score run, the intervention catalogue, the page's parameters and the language,
so it is computed on the first request and kept in Django's cache under a key made of exactly
those. A new score run or any change to the catalogue gives a new key: stale plans are never
read, and expire after ``PLAN_CACHE_SECONDS``. The page shows when the plan was computed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from scoring import planning
from scoring.engine.constants import ENGINE_VERSION
from scoring.models import Intervention

__all__ = ["country_plan", "plan_key"]


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

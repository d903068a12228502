"""The planner's country plan computed once per score run, catalogue and parameters, then kept.

Solving a country's portfolio takes one optimisation plus 40 robustness samples (about half a
second when each sample was solved; 0.1-0.2 s since one solve for the samples' envelope
certifies most of them, :func:`scoring.engine.portfolio.robust_portfolio`); under load that
one page took a third of all server time. The plan depends only on
the country's score run, the intervention catalogue, the page's parameters and the language,
so it is computed on the first request and kept in Django's cache under a key made of exactly
those. A new score run or any change to the catalogue gives a new key: stale plans are never
read, and expire after ``PLAN_CACHE_SECONDS``. The page shows when the plan was computed.

The matching page's plan (:func:`matching_plan`), with its robustness samples (ten more
solves), is kept the same way, under a key that also holds everything else it reads: the
offers, providers and demand rules, the intervention catalogue and the assessments' states.

Pages over many countries (the regional dashboard, the demand page) use :func:`kept`: their
content changes only when a score run is added or removed, so they are kept under a key made of
the score runs' state, the reader's visible countries, the page's parameters and the language.

After new scores, a worker computes these pages again (:mod:`reports.warmup`, queued when a
score run is stored). Until it is done, a reader who sees every country gets the page as it was
computed before, marked as previous results with the warm-up's progress, instead of waiting
seconds for 200 countries to be computed in the request.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Generic, NamedTuple, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from background.models import ACTIVE_STATUSES, Job, JobStatus
from background.services import Progress, job_enqueue
from planning import matching as matching_plans
from planning import services as planning
from planning.forms import CountryPlanForm, DemandFilterForm
from planning.models import DemandRule, Intervention, Offer, Provider
from scoring.engine.constants import ENGINE_VERSION
from scoring.models import ScoreRun
from surveys.frameworks.spec import text_languages_key, translate
from surveys.models import Assessment, Country

__all__ = [
    "after_assessment_run",
    "after_cohort_run",
    "PAGE_KIND",
    "WARMUP_KIND",
    "Kept",
    "country_plan",
    "country_plans_warm",
    "catalogue_codes",
    "demand",
    "demand_form",
    "kept",
    "matching_plan",
    "matching_stamp",
    "plan_key",
    "scores_stamp",
    "visible_stamp",
    "warmup_enqueue",
    "warmup_job",
]

#: The background job that computes the kept pages again after new scores.
WARMUP_KIND = "warm_pages"
#: The background job that computes one kept page a reader asked for (see :func:`kept`).
PAGE_KIND = "warm_page"


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
            # Framework texts in a language the interface lacks (surveys.framework_languages).
            text_languages_key(),
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


def country_plans_warm(*, country: Country) -> int:
    """Keep ``country``'s plan with the page's default parameters, in every interface language,
    for its latest run (the scoring job calls it once the run is stored, so the planner's first
    view reads it); returns how many were computed (0 when all were kept already)."""
    computed = 0
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            snapshot = planning.latest_snapshot(country, language=language)
            if snapshot is None:
                return computed
            pillars = [(p.code, translate(p.title, language)) for p in snapshot.spec.pillars]
            form = CountryPlanForm(QueryDict(), pillars=pillars)
            if not form.is_valid():  # pragma: no cover  # every field is optional
                return computed
            interventions = planning.active_interventions(snapshot.spec.code)
            if cache.has_key(plan_key(snapshot, interventions, form.cleaned_data, language)):
                continue
            country_plan(snapshot=snapshot, wanted=form.cleaned_data, language=language)
            computed += 1
    return computed


T = TypeVar("T")
#: :func:`visible_stamp` of a reader who sees every country.
ALL_COUNTRIES = "all"


def scores_stamp() -> str:
    """Changes whenever a score run is added or deleted (one aggregate query)."""
    state = ScoreRun.objects.aggregate(last=Max("pk"), count=Count("pk"))
    return f"{state['last']}:{state['count']}"


class Kept(NamedTuple, Generic[T]):
    """A kept page: its value, when it was computed, and the warm-up job computing the current
    one when ``value`` is the previous state's (``None`` when ``value`` is current)."""

    value: T
    computed_at: datetime
    warming: Job | None = None


def warmup_enqueue(*, framework_id: int, round: int | None) -> Job | None:
    """Queue the page warm-up (:mod:`reports.warmup`) after a score run of ``framework_id`` in
    ``round``: it joins, and pushes back, one already waiting for the same round, so a burst of
    runs gives one warm-up. Nothing when ``PAGE_WARMUP_AFTER_SCORING`` is off."""
    if not settings.PAGE_WARMUP_AFTER_SCORING:
        return None
    key = f"warm-pages:{framework_id}:{round}"
    running = Job.objects.filter(key=key, status=JobStatus.RUNNING).only("pk").first()
    if running is not None:
        # It may have read the scores before this run: one more warm-up after it, which the
        # runs that follow join.
        key = f"{key}:after:{running.pk}"
    return job_enqueue(
        kind=WARMUP_KIND,
        key=key,
        # By path: the pages it computes belong to the apps above this one.
        task_path="reports.warmup.warm_pages",
        parameters={"framework": framework_id, "round": round},
        delay_seconds=settings.PAGE_WARMUP_DELAY_SECONDS,
    )


def warmup_job() -> Job | None:
    """The page warm-up waiting or running, if any (one indexed query)."""
    return (
        Job.objects.filter(kind=WARMUP_KIND, status__in=ACTIVE_STATUSES)
        .order_by("-created_at", "-pk")
        .first()
    )


def kept(
    name: str,
    parts: Iterable[object],
    compute: Callable[[], T],
    *,
    previous_while_warming: bool = False,
    queue: Callable[[str], Job] | None = None,
    pending: T | None = None,
) -> Kept[T]:
    """``compute()``'s value for the key ``name`` + ``parts`` + the scores' state, and when it
    was computed; computed on the first request and kept ``PLAN_CACHE_SECONDS``.

    With ``previous_while_warming``, a miss while the page warm-up waits or runs returns the
    value last computed for the same ``name`` + ``parts`` (older scores), with the job, if
    there is one: the page says so and shows the job's progress.

    With ``queue`` (a page too slow to compute in a request), any other miss queues
    ``queue(digest)``, a job that computes this value (joined by the next requests for the
    same ``digest``, which changes with the scores' state) instead of computing it here, and
    returns the previous value with the job, or ``pending`` with the job when nothing was
    ever computed. A backend that runs the job at once (the immediate one, tests) has stored
    the value by then: it is returned. When ``queue`` returns a job that is no longer active
    (it failed), the value is computed here, as without a queue.
    """
    material = "|".join(str(part) for part in parts)
    key = f"{name}:" + hashlib.sha256(f"{scores_stamp()}|{material}".encode()).hexdigest()
    latest_key = f"{name}:latest:" + hashlib.sha256(material.encode()).hexdigest()
    found: tuple[T, datetime] | None = cache.get(key)
    if found is not None:
        return Kept(*found)
    if previous_while_warming:
        job = warmup_job()
        previous: tuple[T, datetime] | None = cache.get(latest_key) if job else None
        if previous is not None:
            return Kept(*previous, warming=job)
        if queue is not None:
            job = queue(key.rsplit(":", 1)[1][:32])
            found = cache.get(key)
            if found is not None:
                return Kept(*found)
            if job.active:
                previous = cache.get(latest_key)
                if previous is not None:
                    return Kept(*previous, warming=job)
                if pending is not None:
                    return Kept(pending, timezone.now(), warming=job)
            # A failed job: computed here, as without a queue.
    found = (compute(), timezone.now())
    cache.set_many({key: found, latest_key: found}, timeout=settings.PLAN_CACHE_SECONDS)
    return Kept(*found)


def matching_plan(parameters: matching_plans.MatchingParameters) -> matching_plans.MatchingPlan:
    """:func:`planning.matching.matching_plan`, computed once per state of its inputs and kept.

    The key is made of the parameters (round, region, filters, budget, language, countries,
    samples), :func:`matching_stamp` and the score runs' state (:func:`kept`); any change to
    one of them computes the plan again. Bad input raises :class:`PlanningError` as before and
    keeps nothing.
    """
    parts = [repr(parameters), matching_stamp(), text_languages_key(), ENGINE_VERSION]
    return kept("matching-plan", parts, lambda: matching_plans.matching_plan(parameters)).value


def matching_stamp() -> str:
    """Changes whenever an offer, a provider, a demand rule, an intervention or an assessment's
    state changes: a digest of every row of the first three (a few hundred; they have no
    ``updated_at``) and the last edits of the others."""
    digest = hashlib.sha256()
    for model in (Offer, Provider, DemandRule):
        names = [field.attname for field in model._meta.concrete_fields]
        for row in model.objects.order_by("pk").values_list(*names):
            digest.update(repr(row).encode())
    for model in (Intervention, Assessment):
        state = model.objects.aggregate(last=Max("updated_at"), count=Count("pk"))
        digest.update(f"{state['last']}:{state['count']}".encode())
    return digest.hexdigest()[:24]


def visible_stamp(country_ids: Iterable[int] | None) -> str:
    """The reader's scope as part of a key: "all", or a digest of the country ids."""
    if country_ids is None:
        return ALL_COUNTRIES
    return hashlib.sha256(",".join(map(str, sorted(country_ids))).encode()).hexdigest()[:24]


def catalogue_codes() -> list[str]:
    """Framework codes that have an intervention catalogue."""
    return sorted(set(Intervention.objects.values_list("framework_code", flat=True)))


def demand_form(query: Mapping[str, Any]) -> DemandFilterForm:
    """The demand page's filter form for ``query``, offering every framework with scores or a
    catalogue (a bare query chooses the first and the default budget)."""
    codes = sorted(set(planning.framework_codes_with_scores()) | set(catalogue_codes()))
    return DemandFilterForm(query, framework_codes=codes)


def demand(
    *,
    wanted: dict[str, Any],
    countries: Any,
    scope: str,
    language: str,
    current: bool = False,
) -> Kept[planning.Demand]:
    """The demand page's aggregation (see :func:`planning.services.demand_build`), kept per
    state of the scores, catalogue, reader's scope, filters and language (the previous one
    while the warm-up runs, for readers of every country; ``current``: never the previous
    one, for the warm-up itself)."""
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
        previous_while_warming=scope == ALL_COUNTRIES and not current,
    )


def after_assessment_run(assessment: Assessment, progress: Progress) -> None:
    """After an assessment's run is stored: keep its country's plan, then warm the kept pages.

    The planner's first view of the country then reads its plan instead of solving its
    portfolio and robustness samples in the request.
    """
    progress(3, 4, _("Planning the country's portfolio"))
    country_plans_warm(country=assessment.country)
    warmup_enqueue(framework_id=assessment.framework_id, round=assessment.round)


def after_cohort_run(framework_id: int, round: int) -> None:
    """After a round's cohort run is stored: warm the kept pages of that round."""
    warmup_enqueue(framework_id=framework_id, round=round)

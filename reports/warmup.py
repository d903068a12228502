"""After new scores, compute the kept pages again in the background, before anyone asks.

The regional dashboard and the demand page are kept per state of the scores
(:func:`planning.plan_cache.kept`), so every new score run makes them stale; with 200 countries
computing them again takes seconds. The scoring jobs therefore queue this warm-up
(:func:`planning.plan_cache.warmup_enqueue`, debounced per framework and round like the cohort
run, so a burst of approvals gives one warm-up), and it computes, in every interface language,
what a planner opens first:

1. the regional dashboard with no filter (its cache key is the one a bare request uses);
2. the demand page with no filter (first framework, default budget): each country's portfolio
   is solved once per score run and kept (:func:`planning.services.demand_build`), so after one
   country's new run only that country is solved again.

The planner's country page with default parameters is kept by the scoring job itself, for its
own country (:func:`planning.plan_cache.country_plans_warm`).

Meanwhile readers of every country see the previous page, marked as previous results, with
this job's progress (:class:`planning.plan_cache.Kept`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from background.models import Job
from background.services import Progress, job_execute
from planning import plan_cache
from reports.regional_page import regional_page
from surveys.models import Country

__all__ = ["page_warm", "pages_warm", "warm_page", "warm_pages"]

logger = logging.getLogger(__name__)


def pages_warm(progress: Callable[[int, int, str], None] | None = None) -> dict[str, Any]:
    """Compute the kept pages for readers of every country, in every language (see the module
    docstring)."""
    languages = [code for code, _name in settings.LANGUAGES]
    countries = Country.objects.all()
    empty = QueryDict()
    steps = len(languages) * 2
    done = 0
    for language in languages:
        with translation.override(language):
            if progress:
                progress(done, steps, _("Regional dashboard"))
            regional_page(
                query=empty,
                countries=countries,
                scope=plan_cache.ALL_COUNTRIES,
                language=language,
                current=True,
            )
            done += 1
            if progress:
                progress(done, steps, _("Cross-country demand"))
            form = plan_cache.demand_form(empty)
            if form.is_valid() and form.cleaned_data["framework"]:
                plan_cache.demand(
                    wanted=form.cleaned_data,
                    countries=countries,
                    scope=plan_cache.ALL_COUNTRIES,
                    language=language,
                    current=True,
                )
            done += 1
    if progress:
        progress(steps, steps, "")
    return {"languages": len(languages)}


def _warm_pages(job: Job, progress: Progress) -> dict[str, Any]:
    return pages_warm(progress)


@task()
def warm_pages(job_id: int) -> dict[str, Any]:
    """Queue entry point: the page warm-up (see :func:`warmup_enqueue`)."""
    return job_execute(job_id, _warm_pages)


def page_warm(parameters: dict[str, Any]) -> None:
    """Compute the one page a reader of every country asked for and found not kept
    (:func:`reports.regional_page.regional_page`): ``page``, ``query`` and ``language``."""
    if parameters.get("page") != "regional":
        raise ValueError(f"no such kept page: {parameters.get('page')!r}")
    language = parameters["language"]
    with translation.override(language):
        regional_page(
            query=QueryDict(parameters["query"]),
            countries=Country.objects.all(),
            scope=plan_cache.ALL_COUNTRIES,
            language=language,
            current=True,
        )


def _warm_page(job: Job, progress: Progress) -> dict[str, Any]:
    progress(0, 1, _("Regional dashboard"))
    page_warm(job.parameters)
    progress(1, 1, "")
    return {"page": job.parameters.get("page")}


@task()
def warm_page(job_id: int) -> dict[str, Any]:
    """Queue entry point: one kept page a reader asked for (see :func:`page_warm`)."""
    return job_execute(job_id, _warm_page)

"""The regional dashboard's content for a query, a reader's countries and a language, kept.

Out of the view so that the page warm-up (:mod:`reports.warmup`) computes exactly what a
request would: the same form, the same data, the same charts, under the same cache key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_bidi

from background.models import Job, JobStatus
from background.services import job_enqueue
from charts import Chart, DataTable
from planning import plan_cache
from reports.data import RegionalReport, regional_report_data, scored_rounds
from reports.figures import regional_charts
from reports.forms import RegionalFilterForm
from reports.peers import region_distribution_data
from surveys.models import Country

__all__ = ["ShownChart", "regional_page", "regional_report_for", "svg"]


@dataclass(frozen=True)
class ShownChart:
    """What a page shows of a chart besides its SVG: caption and data table, no drawing."""

    title: str
    description: str
    table: DataTable


def svg(chart: Chart | None, element_id: str) -> dict[str, object] | None:
    """A chart for the template: inline SVG (escaped by the serialiser) and its data table.

    The reportlab drawing is left out: a kept page is unpickled on every view, and the heat
    map of 200 countries is thousands of shapes.
    """
    if chart is None:
        return None
    shown = ShownChart(title=chart.title, description=chart.description, table=chart.table)
    svg_text = chart.svg(element_id=element_id, right_to_left=get_language_bidi())
    return {"svg": mark_safe(svg_text), "chart": shown}  # noqa: S308  # nosec B308 B703  # minidom escaped every text


def regional_report_for(
    form: RegionalFilterForm, countries: QuerySet[Country], language: str
) -> RegionalReport | None:
    """The report the valid ``form`` asks for among ``countries`` (None: no scored round)."""
    rounds = scored_rounds(countries=countries)
    chosen_round = form.cleaned_data["round"] or (rounds[0] if rounds else None)
    if chosen_round is None:
        return None
    return regional_report_data(
        countries=countries,
        language=language,
        round=chosen_round,
        region=form.cleaned_data["region"],
        income_group=form.cleaned_data["income_group"],
    )


def _compute(
    query: Mapping[str, str], countries: QuerySet[Country], language: str
) -> dict[str, object]:
    form = RegionalFilterForm(query)
    report = regional_report_for(form, countries, language) if form.is_valid() else None
    page: dict[str, object] = {"report": report, "rounds": scored_rounds(countries=countries)}
    if isinstance(report, RegionalReport):
        charts = regional_charts(report)
        page["heat_maps"] = [
            svg(chart, f"heat-map-{number}") for number, chart in enumerate(charts.heat_maps, 1)
        ]
        page["ranks"] = svg(charts.ranks, "rank-chart")
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
                svg(chart, f"region-peers-{n}") for n, chart in enumerate(distribution.charts, 1)
            ]
    return page


def regional_page(
    *,
    query: QueryDict,
    countries: QuerySet[Country],
    scope: str,
    language: str,
    current: bool = False,
) -> plan_cache.Kept[dict[str, object]]:
    """The page's report, rounds and charts, kept per state of the scores, reader's ``scope``
    (:func:`planning.plan_cache.visible_stamp`), query and language; for readers of every
    country, the previous one while the warm-up computes the current one (``current``: never
    the previous one, for the warm-up itself).

    For readers of every country a page that is not kept is not computed in the request
    (seconds for 200 countries: drawing the heat maps alone takes one): a job computes it
    (:func:`reports.warmup.warm_page`) and the reader gets the previous page, or
    ``{"pending": True}`` when there is none, with the job's progress. A reader of a few
    countries gets the page computed at once: it is quick.
    """
    every_country = scope == plan_cache.ALL_COUNTRIES and not current

    def queue(digest: str) -> Job:
        key = f"warm-page:regional:{digest}"
        last = Job.objects.filter(key=key).order_by("-pk").only("status").first()
        if last is not None and last.status in (JobStatus.FAILED, JobStatus.DONE):
            # The job for these scores already ran. Failed: the request computes the page (and
            # shows the error) rather than queueing the same failure on every view. Done, yet
            # the page is not in this machine's cache (a worker on another machine with a cache
            # of its own, or evicted): the request computes it rather than queueing forever.
            return last
        return job_enqueue(
            kind=plan_cache.PAGE_KIND,
            key=key,
            # By path: the task lives in the module that imports this one.
            task_path="reports.warmup.warm_page",
            parameters={"page": "regional", "query": query.urlencode(), "language": language},
        )

    return plan_cache.kept(
        "regional-dashboard",
        [scope, sorted(query.items()), language],
        lambda: _compute(query, countries, language),
        previous_while_warming=every_country,
        queue=queue if every_country else None,
        pending={"pending": True},
    )

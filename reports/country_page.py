"""The country dashboard computed once per state of what it shows, then kept.

Building the page costs about 400 ms of CPU and 22 queries: most of it redraws its seventeen
reportlab charts as SVG, the rest solves the recommended portfolio and reads the official
statistics of every peer. None of it changes between two views unless a score run, the
intervention catalogue, the country's assessments or the official statistics change, so the
page — the report data and the charts as finished SVG strings, never reportlab drawings — is
kept in Django's cache (:func:`planning.plan_cache.kept`) under a key made of those states, the
country, the round asked for, the reader's visible countries, the language (the Arabic charts
are drawn right to left) and the engine version. The view checks the reader's permission on
the country before it reads the cache.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Sum
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_bidi

from charts import Chart, DataTable
from officialstats.models import OfficialValue
from planning import plan_cache
from planning.models import Intervention
from reports.data import ReportError, country_report_data, scored_rounds
from reports.figures import country_charts
from scoring.engine.constants import ENGINE_VERSION
from surveys.models import Assessment, Country

__all__ = ["KeptChart", "country_page", "kept_country_page"]


@dataclass(frozen=True)
class ChartCaption:
    """What the page shows around a chart: its caption and its data table."""

    title: str
    description: str
    table: DataTable


@dataclass(frozen=True)
class KeptChart:
    """A chart as the template needs it: finished SVG and its caption, small to keep."""

    svg: SafeString
    chart: ChartCaption


def _kept_chart(chart: Chart | None, element_id: str) -> KeptChart | None:
    if chart is None:
        return None
    text = chart.svg(element_id=element_id, right_to_left=get_language_bidi())
    svg = mark_safe(text)  # noqa: S308  # nosec B308 B703  # minidom escaped every text
    return KeptChart(svg, ChartCaption(chart.title, chart.description, chart.table))


def country_page(*, country: Country, round: int | None, language: str) -> dict[str, object]:
    """The dashboard's data and charts for ``country`` (``error`` when nothing is scored).

    Call it with ``language`` active: the charts take their words and direction from it.
    """
    page: dict[str, object] = {"rounds": scored_rounds(country)}
    try:
        report = country_report_data(country=country, language=language, round=round)
    except ReportError as error:
        page["error"] = str(error)
        return page
    charts = country_charts(report)
    page |= {
        "report": report,
        "radar": _kept_chart(charts.radar, "radar-chart"),
        "gaps": _kept_chart(charts.gaps, "gap-chart"),
        "intervals": _kept_chart(charts.intervals, "interval-chart"),
        "trend": _kept_chart(charts.trend, "trend-chart"),
        "indicator_gaps": [
            _kept_chart(chart, "gaps-" + re.sub(r"[^A-Za-z0-9_-]", "-", code))
            for code, chart in charts.indicator_gaps.items()
        ],
        "peers": [_kept_chart(chart, f"peers-{n}") for n, chart in enumerate(charts.peers, 1)],
    }
    return page


def _inputs_stamp(country: Country) -> str:
    """What the page shows besides the score runs: the country's assessments (their state is
    on the page), the intervention catalogue (the portfolio) and the official statistics
    (the peers). Three small queries."""
    assessments = sorted(
        Assessment.objects.filter(country=country).values_list("pk", "state", "state_changed_at")
    )
    catalogue = Intervention.objects.aggregate(last=Max("updated_at"), count=Count("pk"))
    # Values have no timestamp and a reload updates them in place: their sums move with them.
    statistics = OfficialValue.objects.aggregate(
        last=Max("pk"), count=Count("pk"), values=Sum("value"), years=Sum("year")
    )
    return f"{assessments}|{catalogue}|{statistics}"


def kept_country_page(
    *, country: Country, round: int | None, language: str, scope: str
) -> tuple[dict[str, object], datetime]:
    """:func:`country_page`, computed on the first view and kept, and when it was computed.

    ``scope`` is the reader's visible countries (:func:`planning.plan_cache.visible_stamp`):
    readers who see different countries never share a kept page.
    """
    kept = plan_cache.kept(
        "country-dashboard",
        [country.pk, round, language, scope, ENGINE_VERSION, _inputs_stamp(country)],
        lambda: country_page(country=country, round=round, language=language),
    )
    return kept.value, kept.computed_at

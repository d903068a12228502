"""The reports' charts, built from the report dataclasses alone (no database, no language).

The PDF (:mod:`reports.pdf`) and the dashboards (:mod:`reports.views`) call the same functions,
so the web shows exactly the charts of the report: the PDF embeds each ``Chart.drawing`` and the
pages embed ``Chart.svg()`` with its data table as the text alternative.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from charts import (
    Chart,
    gap_bar_chart,
    heat_map,
    radar_chart,
    score_interval_chart,
    trend_chart,
)
from reports.data import CountryReport, RegionalReport
from reports.peers import peer_charts

__all__ = ["CountryCharts", "RegionalCharts", "country_charts", "regional_charts"]

MIN_RADAR_PILLARS = 3
# A heat-map row is 16 points high: 35 countries and the pillar labels fit one A4 page.
HEAT_MAP_ROWS = 35


@dataclass(frozen=True, eq=False)
class CountryCharts:
    """Radar, pillar gaps, pillar intervals, trend, and one indicator-gap chart per pillar."""

    radar: Chart | None
    gaps: Chart | None
    intervals: Chart | None
    trend: Chart | None
    indicator_gaps: dict[str, Chart] = field(default_factory=dict)
    #: The country among its peers in official statistics, one chart per indicator.
    peers: tuple[Chart, ...] = ()


@dataclass(frozen=True, eq=False)
class RegionalCharts:
    """The heat map in parts of at most ``HEAT_MAP_ROWS`` countries (one page each)."""

    heat_maps: tuple[Chart, ...]
    ranks: Chart | None


def country_charts(report: CountryReport, *, width: float = 460.0) -> CountryCharts:
    """The country report's charts, built from the report data alone."""
    text = report.chart_text
    pillars = [section.pillar for section in report.pillars]
    radar = None
    if len(pillars) >= MIN_RADAR_PILLARS:
        with_interval = all(
            line.interval_low is not None or line.score is None for line in pillars
        ) and any(line.interval_low is not None for line in pillars)
        radar = radar_chart(
            [line.title for line in pillars],
            [line.score for line in pillars],
            [line.target for line in pillars],
            interval_low=[line.interval_low for line in pillars] if with_interval else None,
            interval_high=[line.interval_high for line in pillars] if with_interval else None,
            text=text,
            width=width,
        )
    gaps = (
        gap_bar_chart(
            [line.title for line in pillars],
            [line.gap for line in pillars],
            text=text,
            width=width,
        )
        if pillars
        else None
    )
    indicator_gaps = {
        section.pillar.code: gap_bar_chart(
            [line.title for line in section.indicators],
            [line.gap for line in section.indicators],
            label_header=report.text["indicator"],
            title=report.text.get("pillar_gaps_title", "Gaps to target: {pillar}").format(
                pillar=section.pillar.title
            ),
            text=text,
            width=width,
        )
        for section in report.pillars
        if section.indicators
    }
    intervals = None
    if any(line.interval_low is not None for line in pillars):
        intervals = score_interval_chart(
            [line.title for line in pillars],
            [line.score for line in pillars],
            [line.interval_low for line in pillars],
            [line.interval_high for line in pillars],
            text=text,
            width=width,
        )
    trend = None
    if len(report.trend_rounds) >= 1 and report.trend_series:
        trend = trend_chart(
            list(report.trend_rounds),
            dict(report.trend_series),
            text=text,
            width=width,
        )
    return CountryCharts(
        radar=radar,
        gaps=gaps,
        intervals=intervals,
        trend=trend,
        indicator_gaps=indicator_gaps,
        peers=tuple(peer_charts(report.peers, width=width)) if report.peers else (),
    )


def regional_charts(report: RegionalReport, *, width: float = 460.0) -> RegionalCharts:
    """The regional report's charts, built from the report data alone."""
    text = report.chart_text
    heat_maps = []
    if report.pillar_titles:
        rows = report.rows
        parts = range(0, len(rows), HEAT_MAP_ROWS)
        for number, start in enumerate(parts, start=1):
            chunk = rows[start : start + HEAT_MAP_ROWS]
            title = text.heat_map_title
            if len(parts) > 1:
                title = f"{title} ({number}/{len(parts)})"
            heat_maps.append(
                heat_map(
                    [row.name for row in chunk],
                    list(report.pillar_titles),
                    [list(row.pillar_scores) for row in chunk],
                    title=title,
                    text=text,
                    width=width,
                )
            )
    ranked = [row for row in report.rows if row.rank_median is not None]
    ranks = None
    if ranked:
        ranked.sort(key=lambda row: (row.rank_median, row.name))
        ranks = score_interval_chart(
            [row.name for row in ranked],
            [row.rank_median for row in ranked],
            [row.rank_low for row in ranked],
            [row.rank_high for row in ranked],
            axis_min=1,
            axis_max=max(2.0, *(row.rank_high or 1.0 for row in ranked)),
            digits=0,
            label_header=text.country,
            axis_caption=report.text["rank"],
            title=report.text["ranking"],
            text=text,
            width=width,
        )
    return RegionalCharts(heat_maps=tuple(heat_maps), ranks=ranks)

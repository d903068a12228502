"""A country among its peers in official statistics: rank, percentile and distribution.

For every official indicator the framework links a question to, and for the published index
and pillar scores of the same source (its indicators in the unit ``score``, e.g. the ITU IDI
and its two pillars), the country is placed among the economies of its region and of its
income group as the source groups them. Values are each economy's latest.

"Fetch, then present": :func:`country_peers_data` and :func:`region_distribution_data` read
the values in one query and return plain dataclasses of translated text and numbers, from which
:func:`peer_charts` draws strip charts (:func:`charts.strip_chart`) with no database.

Rank and percentile
    rank 1 is the best value of the group (the highest, or the lowest for a question whose
    goalposts say ``lower_is_better``, such as a price); ties share the better rank. The
    percentile is the share of the *other* members the country does better than, ties counting
    half, so 100 means better than every peer and 50 the middle (the "percentile rank" of
    Crocker & Algina (1986), *Introduction to Classical and Modern Test Theory*, ch. 19).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from charts import Chart, ChartText, strip_chart
from charts.texts import format_number
from officialstats.models import OfficialValue, SourceEconomy
from reports.data.shared import shared
from surveys.frameworks.spec import Direction, FrameworkSpec
from surveys.models import Framework

__all__ = [
    "CountryPeers",
    "PeerGroup",
    "PeerIndicator",
    "RegionDistribution",
    "country_peers_data",
    "peer_charts",
    "placement",
    "region_distribution_data",
]

SCORE_UNIT = "score"


def placement(
    value: float, values: Sequence[float], *, higher_is_better: bool
) -> tuple[int, float]:
    """``(rank, percentile)`` of ``value`` among ``values`` (which include it).

    Examples
    --------
    >>> placement(60.6, [40.8, 60.6, 69.8, 85.3], higher_is_better=True)
    (3, 33.3...)
    >>> placement(1.5, [1.5, 3.0, 12.0], higher_is_better=False)  # a price: lowest is best
    (1, 100.0)
    >>> placement(5.0, [5.0], higher_is_better=True)  # alone in its group
    (1, 100.0)
    """
    sign = 1.0 if higher_is_better else -1.0
    better = sum(1 for other in values if sign * other > sign * value)
    worse = sum(1 for other in values if sign * other < sign * value)
    ties = len(values) - better - worse - 1
    others = len(values) - 1
    percentile = 100.0 if others <= 0 else 100.0 * (worse + 0.5 * ties) / others
    return better + 1, percentile


@dataclass(frozen=True)
class PeerGroup:
    """The country's place in one group (a region or an income group)."""

    label: str
    values: tuple[float, ...]
    rank: int | None
    percentile: float | None
    median: float

    @property
    def size(self) -> int:
        return len(self.values)


@dataclass(frozen=True)
class PeerIndicator:
    code: str
    name: str
    unit: str
    unit_label: str
    higher_is_better: bool
    value: float | None
    year: int | None
    groups: tuple[PeerGroup, ...]
    source: str


@dataclass(frozen=True)
class CountryPeers:
    """Everything the peer charts show, already translated; ``source`` names the data."""

    country_name: str
    indicators: tuple[PeerIndicator, ...]
    chart_text: ChartText
    text: dict[str, str]


def _peer_indicators(spec: FrameworkSpec) -> dict[tuple[str, str], bool]:
    """(source, indicator) → higher is better, for linked indicators in questionnaire order."""
    wanted: dict[tuple[str, str], bool] = {}
    for question in spec.questions:
        link = question.official
        if link is None:
            continue
        direction = question.normalisation.direction if question.normalisation else None
        wanted.setdefault((link.source, link.indicator), direction is not Direction.LOWER_IS_BETTER)
    return wanted


def _latest_values(
    wanted: dict[tuple[str, str], bool],
) -> tuple[dict[tuple[str, str], dict[str, tuple[float, int]]], dict[tuple[str, str], tuple]]:
    """Each economy's latest value of the wanted indicators and of their sources' scores."""
    sources = {source for source, _indicator in wanted}
    chosen = Q(indicator__source__code__in=sources, indicator__unit=SCORE_UNIT)
    for source, indicator in wanted:
        chosen |= Q(indicator__source__code=source, indicator__code=indicator)
    rows = (
        OfficialValue.objects.filter(chosen)
        .select_related("indicator__source", "economy")
        .order_by("-year")
    )
    values: dict[tuple[str, str], dict[str, tuple[float, int]]] = {}
    meta: dict[tuple[str, str], tuple] = {}
    for row in rows:
        indicator = row.indicator
        key = (indicator.source.code, indicator.code)
        if key not in wanted and indicator.unit != SCORE_UNIT:
            continue
        meta.setdefault(key, (indicator, row.indicator.source))
        values.setdefault(key, {}).setdefault(row.economy.iso3, (row.value, row.year))
    return values, meta


def _ordered_keys(
    wanted: dict[tuple[str, str], bool], meta: dict[tuple[str, str], tuple]
) -> list[tuple[str, str]]:
    linked = [key for key in wanted if key in meta]
    scores = sorted(
        (key for key in meta if key not in wanted), key=lambda key: (key[0], key[1] != "idi_score")
    )
    return linked + scores


def _source_line(source: object) -> str:
    return _("Source: %(name)s, %(publisher)s.") % {
        "name": source.name,  # type: ignore[attr-defined]
        "publisher": source.publisher,  # type: ignore[attr-defined]
    }


def _unit_label(unit: str) -> str:
    """The unit codes of the statistics file format, in words (unknown codes as written)."""
    labels = {
        "percent": _("per cent"),
        "per_100_inhabitants": _("per 100 inhabitants"),
        "gb_per_subscription": _("GB per subscription"),
        "percent_of_gni_per_capita": _("per cent of GNI per capita"),
        "score": _("score (0–100)"),
    }
    return labels.get(unit, unit.replace("_", " "))


def _peers_text() -> dict[str, str]:
    return {
        "heading": _("Peers in official statistics"),
        "intro": _(
            "Where the country stands among the economies of its region and of its income "
            "group, on the official indicators its questions are linked to and on the "
            "published index and pillar scores."
        ),
        "region": _("Region: %(name)s (%(count)s)"),
        "income_group": _("Income group: %(name)s (%(count)s)"),
        "rank": _("rank %(rank)s of %(count)s"),
        "group": _("Group"),
        "value": _("Value"),
        "rank_header": _("Rank"),
        "percentile": _("Percentile"),
        "median": _("Median"),
        "economies": _("Economies"),
        "description": _(
            "Each dot is an economy of the group; the diamond is %(country)s (%(value)s, "
            "%(year)s). Percentile: share of the other economies it does better than. %(source)s"
        ),
        "no_value": _("%(country)s has no value for this indicator. %(source)s"),
        "region_heading": _("Distribution in official statistics"),
        "region_intro": _(
            "The economies of the region as the source groups them, on the official "
            "indicators the framework's questions are linked to and on the published index "
            "and pillar scores."
        ),
        "region_description": _(
            "Each dot is an economy of the region; the median is printed beside. %(source)s"
        ),
    }


def _groups(
    values: dict[str, tuple[float, int]],
    members: Sequence[tuple[str, str, Sequence[str]]],
    own: float | None,
    higher_is_better: bool,
) -> tuple[PeerGroup, ...]:
    """Placement in each ``(label template, group name, member codes)``; the count in the
    label is of the members with a value, the number the rank is out of."""
    groups = []
    for template, name, member_codes in members:
        group_values = tuple(values[iso3][0] for iso3 in member_codes if iso3 in values)
        if not group_values:
            continue
        label = template % {"name": name, "count": len(group_values)}
        rank = percentile = None
        if own is not None:
            rank, percentile = placement(own, group_values, higher_is_better=higher_is_better)
        groups.append(
            PeerGroup(
                label=label,
                values=group_values,
                rank=rank,
                percentile=percentile,
                median=statistics.median(group_values),
            )
        )
    return tuple(groups)


def country_peers_data(
    *, alpha3: str, spec: FrameworkSpec, language: str, chart_text: ChartText
) -> CountryPeers | None:
    """The country among its region and income group; None when nothing is linked or known."""
    wanted = _peer_indicators(spec)
    if not wanted:
        return None
    with translation.override(language):
        text = _peers_text()
        # The same for every country of a batch: read once per batch (reports.data.shared).
        values, meta = shared(
            ("peer-values", tuple(sorted(wanted.items()))), lambda: _latest_values(wanted)
        )
        indicators = []
        country_name = alpha3
        for key in _ordered_keys(wanted, meta):
            indicator, source = meta[key]
            indicators.append((key, indicator, source, values.get(key, {}).get(alpha3)))
        if not indicators:
            return None
        source_ids = {source.pk for _k, _i, source, _o in indicators}
        economies_by_source = shared(
            ("peer-economies", tuple(sorted(source_ids))), lambda: _economies(source_ids)
        )
        result = []
        for key, indicator, source, own in indicators:
            economies = economies_by_source.get(source.pk, {})
            me = economies.get(alpha3)
            if me is None:
                continue
            country_name = me.name
            members = []
            if me.region:
                region = [iso3 for iso3, e in economies.items() if e.region == me.region]
                members.append((text["region"], _(me.region), region))
            if me.income_group:
                income = [
                    iso3 for iso3, e in economies.items() if e.income_group == me.income_group
                ]
                members.append((text["income_group"], _(me.income_group), income))
            higher = wanted.get(key, True)
            result.append(
                PeerIndicator(
                    code=indicator.code,
                    name=indicator.name,
                    unit=indicator.unit,
                    unit_label=_unit_label(indicator.unit),
                    higher_is_better=higher,
                    value=own[0] if own else None,
                    year=own[1] if own else None,
                    groups=_groups(values.get(key, {}), members, own[0] if own else None, higher),
                    source=_source_line(source),
                )
            )
        if not result:
            return None
        return CountryPeers(
            country_name=country_name,
            indicators=tuple(result),
            chart_text=chart_text,
            text=text,
        )


def _economies(source_ids: set[int]) -> dict[int, dict[str, SourceEconomy]]:
    found: dict[int, dict[str, SourceEconomy]] = {}
    for economy in SourceEconomy.objects.filter(source_id__in=source_ids):
        found.setdefault(economy.source_id, {})[economy.iso3] = economy
    return found


def peer_charts(peers: CountryPeers, *, width: float = 460.0) -> list[Chart]:
    """One strip chart per indicator: a row per group, the country marked."""
    text, chart_text = peers.text, peers.chart_text
    charts = []
    for indicator in peers.indicators:
        if not indicator.groups:
            continue
        labels = [group.label for group in indicator.groups]
        value = indicator.value
        notes = [
            text["rank"] % {"rank": group.rank, "count": group.size} if group.rank else ""
            for group in indicator.groups
        ]
        rows = [
            (
                group.label,
                format_number(value, text | {"decimal_separator": chart_text.decimal_separator}),
                str(group.rank) if group.rank else "—",
                format_number(
                    group.percentile, {"decimal_separator": chart_text.decimal_separator}, 0
                ),
                format_number(group.median, {"decimal_separator": chart_text.decimal_separator}),
                str(group.size),
            )
            for group in indicator.groups
        ]
        if value is None:
            description = text["no_value"] % {
                "country": peers.country_name,
                "source": indicator.source,
            }
        else:
            description = text["description"] % {
                "country": peers.country_name,
                "value": format_number(value, {"decimal_separator": chart_text.decimal_separator}),
                "year": indicator.year,
                "source": indicator.source,
            }
        charts.append(
            strip_chart(
                labels,
                [group.values for group in indicator.groups],
                [value] * len(labels),
                notes,
                title=indicator.name,
                description=description,
                table_header=(
                    text["group"],
                    text["value"],
                    text["rank_header"],
                    text["percentile"],
                    text["median"],
                    text["economies"],
                ),
                table_rows=rows,
                axis_caption=indicator.unit_label,
                axis_max=100.0 if indicator.unit in ("percent", SCORE_UNIT) else None,
                text=chart_text,
                width=width,
            )
        )
    return charts


@dataclass(frozen=True, eq=False)
class RegionDistribution:
    heading: str
    intro: str
    charts: tuple[Chart, ...]


def region_distribution_data(
    *,
    region: str,
    framework_code: str,
    framework_version: str,
    language: str,
    chart_text: ChartText,
) -> RegionDistribution | None:
    """Strip charts of a region (all regions when ``region`` is empty) on the peer indicators.

    The indicators are those the framework of the regional report links its questions to.
    """
    framework = Framework.objects.filter(code=framework_code, version=framework_version).first()
    if framework is None:
        return None
    wanted = _peer_indicators(framework.spec)
    if not wanted:
        return None
    with translation.override(language):
        text = _peers_text()
        # The same for every country of a batch: read once per batch (reports.data.shared).
        values, meta = shared(
            ("peer-values", tuple(sorted(wanted.items()))), lambda: _latest_values(wanted)
        )
        keys = _ordered_keys(wanted, meta)
        economies_by_source = _economies({meta[key][1].pk for key in keys})
        charts = []
        for key in keys:
            indicator, source = meta[key]
            economies = economies_by_source.get(source.pk, {})
            regions = sorted({e.region for e in economies.values() if e.region})
            shown = [region] if region else regions
            labels, groups, rows, notes = [], [], [], []
            for name in shown:
                members = [
                    values[key][iso3][0]
                    for iso3, e in economies.items()
                    if e.region == name and iso3 in values.get(key, {})
                ]
                if not members:
                    continue
                label = text["region"] % {"name": _(name), "count": len(members)}
                median = statistics.median(members)
                separator = {"decimal_separator": chart_text.decimal_separator}
                labels.append(label)
                groups.append(members)
                notes.append(f"{text['median']} {format_number(median, separator)}")
                rows.append(
                    (
                        label,
                        format_number(min(members), separator),
                        format_number(median, separator),
                        format_number(max(members), separator),
                        str(len(members)),
                    )
                )
            if not labels:
                continue
            charts.append(
                strip_chart(
                    labels,
                    groups,
                    [None] * len(labels),
                    notes,
                    title=indicator.name,
                    description=text["region_description"] % {"source": _source_line(source)},
                    table_header=(
                        text["group"],
                        chart_text.low,
                        text["median"],
                        chart_text.high,
                        text["economies"],
                    ),
                    table_rows=rows,
                    axis_caption=_unit_label(indicator.unit),
                    axis_max=100.0 if indicator.unit in ("percent", SCORE_UNIT) else None,
                    text=chart_text,
                )
            )
        if not charts:
            return None
        return RegionDistribution(
            heading=text["region_heading"], intro=text["region_intro"], charts=tuple(charts)
        )

"""The radar chart of pillar scores against their targets, with intervals."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from reportlab.graphics.shapes import (
    Drawing,
    Group,
    Line,
    Polygon,
    Shape,
)
from reportlab.lib.colors import Color

from charts.base import (
    DEFAULT_WIDTH,
    GRID_COLOUR,
    MUTED_TEXT_COLOUR,
    SCORE_COLOUR,
    SCORE_FILL_COLOUR,
    TARGET_COLOUR,
    TEXT_COLOUR,
    Chart,
    ChartText,
    DataTable,
    _as_labels,
    _as_values,
    _fit,
    _format,
    _legend,
    _LegendEntry,
    _line_sample,
    _marker,
    _new_drawing,
    _string,
    _wrap,
)
from charts.fonts import register_fonts, safe_text


def radar_chart(
    labels: Sequence[str],
    scores: Sequence[float | None],
    targets: Sequence[float | None],
    *,
    interval_low: Sequence[float | None] | None = None,
    interval_high: Sequence[float | None] | None = None,
    title: str | None = None,
    description: str | None = None,
    text: ChartText | None = None,
    width: float = DEFAULT_WIDTH,
    digits: int = 1,
) -> Chart:
    """Spider chart of pillar scores against targets on a 0–100 scale.

    The score polygon is solid and filled, the target polygon dashed with square markers;
    optional intervals are drawn as whiskers along each spoke. Each spoke is labelled with the
    pillar name and "score (target t)". A pillar with a NaN score breaks the score outline and
    is labelled "insufficient data".

    Parameters
    ----------
    labels : sequence of str
        Pillar names, at least three (a radar of fewer axes misleads; use
        :func:`gap_bar_chart`).
    scores, targets : sequence of float
        Values in [0, 100]; NaN or None for insufficient data.
    interval_low, interval_high : sequence of float, optional
        Bounds of each score's uncertainty interval, given together.

    Examples
    --------
    >>> chart = radar_chart(["A", "B", "C"], [50, 60, 70], [80, 80, 80])
    >>> chart.table.header
    ('Pillar', 'Score', 'Target')
    """
    text = text or ChartText()
    place = "radar_chart"
    labels = _as_labels(labels, name="labels", place=place)
    count = len(labels)
    if count < 3:
        raise ValueError(f"{place}: needs at least 3 pillars, got {count}; use gap_bar_chart")
    scores = _as_values(scores, name="scores", place=place, length=count, lower=0, upper=100)
    targets = _as_values(targets, name="targets", place=place, length=count, lower=0, upper=100)
    if (interval_low is None) != (interval_high is None):
        raise ValueError(f"{place}: give both interval_low and interval_high, or neither")
    lows = highs = None
    if interval_low is not None and interval_high is not None:
        lows = _as_values(
            interval_low, name="interval_low", place=place, length=count, lower=0, upper=100
        )
        highs = _as_values(
            interval_high, name="interval_high", place=place, length=count, lower=0, upper=100
        )
        for index, (low, high) in enumerate(zip(lows, highs, strict=True)):
            if low > high:
                raise ValueError(f"{place}: interval_low[{index}] > interval_high[{index}]")

    fonts = register_fonts()
    font = fonts.regular
    label_size = 7.5
    label_width = width * 0.22
    radius = min(width * 0.24, 120.0)
    # Room above and below the outer ring for labels of up to four lines (two for the name,
    # one for the values, one for the interval), placed at 112% of the radius.
    label_room = 0.12 * radius + 4 * (label_size + 1.5) + 6
    chart_height = 2 * (radius + label_room)
    legend_entries = [
        _LegendEntry(text.score, _line_sample(SCORE_COLOUR, None, "circle")),
        _LegendEntry(text.target, _line_sample(TARGET_COLOUR, (4, 2), "square")),
    ]
    if lows is not None:
        legend_entries.append(_LegendEntry(text.interval, _whisker_sample()))
    legend, legend_height = _legend(legend_entries, x=10, top=0, width=width - 20, font=font)
    height = chart_height + legend_height + 6
    drawing = _new_drawing(width, height)
    centre_x, centre_y = width / 2, legend_height + 6 + chart_height / 2

    def point(index: int, value: float) -> tuple[float, float]:
        angle = math.pi / 2 - 2 * math.pi * index / count
        distance = radius * value / 100
        return centre_x + distance * math.cos(angle), centre_y + distance * math.sin(angle)

    for level in (20, 40, 60, 80, 100):
        ring: list[float] = []
        for index in range(count):
            ring.extend(point(index, level))
        drawing.add(Polygon(ring, fillColor=None, strokeColor=GRID_COLOUR, strokeWidth=0.5))
        scale_x, scale_y = point(0, level)
        drawing.add(
            _string(
                scale_x - 3,
                scale_y + 1,
                str(level),
                font=font,
                size=6,
                anchor="end",
                colour=MUTED_TEXT_COLOUR,
            )
        )
    for index in range(count):
        drawing.add(
            Line(centre_x, centre_y, *point(index, 100), strokeColor=GRID_COLOUR, strokeWidth=0.5)
        )

    all_scores_known = not any(math.isnan(score) for score in scores)
    if all_scores_known:
        outline: list[float] = []
        for index, score in enumerate(scores):
            outline.extend(point(index, score))
        drawing.add(Polygon(outline, fillColor=SCORE_FILL_COLOUR, strokeColor=None))

    if lows is not None and highs is not None:
        for index, (low, high) in enumerate(zip(lows, highs, strict=True)):
            if not (math.isnan(low) or math.isnan(high)):
                drawing.add(_radial_whisker(point, index, low, high, count))

    _add_closed_series(
        drawing,
        [point(i, t) if not math.isnan(t) else None for i, t in enumerate(targets)],
        colour=TARGET_COLOUR,
        dash=(4, 2),
        shape="square",
    )
    _add_closed_series(
        drawing,
        [point(i, s) if not math.isnan(s) else None for i, s in enumerate(scores)],
        colour=SCORE_COLOUR,
        dash=None,
        shape="circle",
    )

    for index, label in enumerate(labels):
        angle = math.pi / 2 - 2 * math.pi * index / count
        anchor_x, anchor_y = point(index, 112)
        cosine, sine = math.cos(angle), math.sin(angle)
        anchor = "start" if cosine > 0.25 else "end" if cosine < -0.25 else "middle"
        name_lines = _wrap(safe_text(label, font), font, label_size, label_width, 2)
        if math.isnan(scores[index]):
            value_line = text.insufficient_data
        else:
            value_line = text.score_and_target.format(
                score=_format(scores[index], text, digits),
                target=_format(targets[index], text, digits),
            )
        value_line = _fit(safe_text(value_line, font), font, label_size, label_width)
        lines = [*name_lines, value_line]
        if lows is not None and highs is not None and not math.isnan(scores[index]):
            interval_line = f"[{_interval_text(lows[index], highs[index], text, digits)}]"
            lines.append(_fit(safe_text(interval_line, font), font, label_size, label_width))
        line_height = label_size + 1.5
        block_height = line_height * len(lines)
        if sine > 0.25:
            top = anchor_y + block_height - line_height + 2
        elif sine < -0.25:
            top = anchor_y - 4
        else:
            top = anchor_y + block_height / 2 - line_height + 1
        for line_index, line in enumerate(lines):
            is_value = line_index == len(name_lines)
            drawing.add(
                _string(
                    anchor_x,
                    top - line_index * line_height,
                    line,
                    font=fonts.bold if is_value else font,
                    size=label_size,
                    anchor=anchor,
                )
            )
    drawing.add(Group(legend, transform=(1, 0, 0, 1, 0, legend_height + 3)))

    header = [text.pillar, text.score, text.target]
    if lows is not None:
        header.append(text.interval)
    rows = []
    for index, label in enumerate(labels):
        row = [label, _format(scores[index], text, digits), _format(targets[index], text, digits)]
        if lows is not None and highs is not None:
            row.append(_interval_text(lows[index], highs[index], text, digits))
        rows.append(tuple(row))
    return Chart(
        drawing=drawing,
        title=title if title is not None else text.radar_title,
        description=description
        if description is not None
        else text.radar_description.format(count=count),
        table=DataTable(header=tuple(header), rows=tuple(rows)),
    )


def _interval_text(low: float, high: float, text: ChartText, digits: int) -> str:
    if math.isnan(low) or math.isnan(high):
        return text.insufficient_data
    return f"{_format(low, text, digits)}–{_format(high, text, digits)}"


def _whisker_sample() -> Callable[[float, float], list[Shape]]:
    def draw(x: float, y: float) -> list[Shape]:
        return [
            Line(x + 2, y, x + 20, y, strokeColor=TEXT_COLOUR, strokeWidth=1),
            Line(x + 2, y - 3, x + 2, y + 3, strokeColor=TEXT_COLOUR, strokeWidth=1),
            Line(x + 20, y - 3, x + 20, y + 3, strokeColor=TEXT_COLOUR, strokeWidth=1),
        ]

    return draw


def _radial_whisker(
    point: Callable[[int, float], tuple[float, float]],
    index: int,
    low: float,
    high: float,
    count: int,
) -> Group:
    angle = math.pi / 2 - 2 * math.pi * index / count
    # Caps run perpendicular to the spoke.
    cap_x, cap_y = -math.sin(angle) * 3, math.cos(angle) * 3
    start, end = point(index, low), point(index, high)
    group = Group()
    group.add(Line(*start, *end, strokeColor=TEXT_COLOUR, strokeWidth=1))
    for x, y in (start, end):
        group.add(
            Line(x - cap_x, y - cap_y, x + cap_x, y + cap_y, strokeColor=TEXT_COLOUR, strokeWidth=1)
        )
    return group


def _add_closed_series(
    drawing: Drawing,
    points: list[tuple[float, float] | None],
    *,
    colour: Color,
    dash: tuple[float, ...] | None,
    shape: str,
) -> None:
    """Outline a closed series, leaving a gap on each side of a missing point."""
    count = len(points)
    for index in range(count):
        start, end = points[index], points[(index + 1) % count]
        if start is not None and end is not None:
            drawing.add(
                Line(*start, *end, strokeColor=colour, strokeWidth=1.5, strokeDashArray=dash)
            )
    for known in points:
        if known is not None:
            drawing.add(_marker(shape, *known, 5, colour))

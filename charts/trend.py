"""Scores across assessment rounds, one line per series."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from reportlab.graphics.shapes import (
    Group,
    Line,
)

from charts.base import (
    AXIS_COLOUR,
    DASH_PATTERNS,
    DEFAULT_WIDTH,
    GRID_COLOUR,
    MARKER_SHAPES,
    MUTED_TEXT_COLOUR,
    SERIES_COLOURS,
    Chart,
    ChartText,
    DataTable,
    _as_labels,
    _as_values,
    _fit,
    _format,
    _labelled_rows,
    _legend,
    _LegendEntry,
    _line_sample,
    _marker,
    _new_drawing,
    _string,
)
from charts.fonts import covering_face, register_fonts, safe_text


def trend_chart(
    rounds: Sequence[str | int],
    series: Mapping[str, Sequence[float | None]],
    *,
    title: str | None = None,
    description: str | None = None,
    text: ChartText | None = None,
    width: float = DEFAULT_WIDTH,
    height: float = 220.0,
    digits: int = 1,
) -> Chart:
    """Line chart of one or more 0–100 series across assessment rounds.

    Series differ by colour, marker shape and dash pattern, in the mapping's order; each point
    prints its value. A NaN leaves a gap in the line, explained by a note under the chart.

    Parameters
    ----------
    rounds : sequence of str or int
        Round labels on the horizontal axis, oldest first.
    series : mapping of str to sequence of float
        Series name → one value in [0, 100] per round (NaN or None for insufficient data).

    Examples
    --------
    >>> chart = trend_chart([2024, 2026], {"Overall": [41.0, 47.5]})
    >>> chart.table.header, chart.table.rows
    (('Series', '2024', '2026'), (('Overall', '41.0', '47.5'),))
    """
    text = text or ChartText()
    place = "trend_chart"
    rounds = _as_labels(rounds, name="rounds", place=place)
    if not series:
        raise ValueError(f"{place}: series is empty; give at least one series")
    names = tuple(str(name) for name in series)
    values = tuple(
        _as_values(
            series[name],
            name=f"series[{name!r}]",
            place=place,
            length=len(rounds),
            lower=0,
            upper=100,
        )
        for name in series
    )
    has_missing = any(math.isnan(value) for row in values for value in row)

    fonts = register_fonts()
    font = fonts.regular
    styles = [
        (
            SERIES_COLOURS[index % len(SERIES_COLOURS)],
            MARKER_SHAPES[index % len(MARKER_SHAPES)],
            DASH_PATTERNS[index % len(DASH_PATTERNS)],
        )
        for index in range(len(names))
    ]
    legend_entries = [
        _LegendEntry(name, _line_sample(colour, dash, shape))
        for name, (colour, shape, dash) in zip(names, styles, strict=True)
    ]
    legend, legend_height = _legend(legend_entries, x=30, top=0, width=width - 34, font=font)
    note_height = 12.0 if has_missing else 0.0
    total_height = height + legend_height + note_height
    drawing = _new_drawing(width, total_height)
    plot_left, plot_right = 30.0, width - 20
    plot_bottom = legend_height + note_height + 22
    plot_top = total_height - 10

    def to_y(value: float) -> float:
        return plot_bottom + value / 100 * (plot_top - plot_bottom)

    def to_x(index: int) -> float:
        if len(rounds) == 1:
            return (plot_left + plot_right) / 2
        return plot_left + 20 + index * (plot_right - plot_left - 40) / (len(rounds) - 1)

    for level in range(0, 101, 20):
        drawing.add(
            Line(
                plot_left,
                to_y(level),
                plot_right,
                to_y(level),
                strokeColor=GRID_COLOUR if level else AXIS_COLOUR,
                strokeWidth=0.4,
            )
        )
        drawing.add(
            _string(
                plot_left - 4,
                to_y(level) - 2.5,
                str(level),
                font=font,
                size=6.5,
                anchor="end",
                colour=MUTED_TEXT_COLOUR,
            )
        )
    for index, round_label in enumerate(rounds):
        shown = _fit(
            safe_text(round_label, font),
            font,
            7.5,
            max(30.0, (plot_right - plot_left) / len(rounds) - 4),
        )
        drawing.add(
            _string(to_x(index), plot_bottom - 12, shown, font=font, size=7.5, anchor="middle")
        )
    for row, (colour, shape, dash) in zip(values, styles, strict=True):
        for index in range(len(row) - 1):
            if not (math.isnan(row[index]) or math.isnan(row[index + 1])):
                drawing.add(
                    Line(
                        to_x(index),
                        to_y(row[index]),
                        to_x(index + 1),
                        to_y(row[index + 1]),
                        strokeColor=colour,
                        strokeWidth=1.5,
                        strokeDashArray=dash,
                    )
                )
        for index, value in enumerate(row):
            if not math.isnan(value):
                drawing.add(_marker(shape, to_x(index), to_y(value), 5, colour))
                drawing.add(
                    _string(
                        to_x(index) + 4,
                        to_y(value) + 4,
                        _format(value, text, digits),
                        font=font,
                        size=6.5,
                        colour=colour,
                    )
                )
    if has_missing:
        drawing.add(
            _string(
                plot_left,
                legend_height + 4,
                safe_text(
                    text.missing_points_note,
                    covering_face(text.missing_points_note, fonts.italic, fonts.regular),
                ),
                font=covering_face(text.missing_points_note, fonts.italic, fonts.regular),
                size=7,
                colour=MUTED_TEXT_COLOUR,
            )
        )
    drawing.add(Group(legend, transform=(1, 0, 0, 1, 0, legend_height + 1)))

    rows = _labelled_rows(names, values, text, digits)
    return Chart(
        drawing=drawing,
        title=title if title is not None else text.trend_title,
        description=description
        if description is not None
        else text.trend_description.format(count=len(names)),
        table=DataTable(header=(text.series, *rounds), rows=rows),
    )

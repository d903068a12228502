"""Distribution strips: every member of a group as a dot on one line, one country marked."""

from __future__ import annotations

import math
from collections.abc import Sequence

from reportlab.graphics.shapes import Circle, Polygon
from reportlab.lib.colors import HexColor, white

from charts.bars import _add_row_labels, _add_value_axis, _row_layout
from charts.base import (
    DEFAULT_WIDTH,
    MUTED_TEXT_COLOUR,
    SCORE_COLOUR,
    Chart,
    ChartText,
    DataTable,
    _as_labels,
    _as_values,
    _fit,
    _format,
    _new_drawing,
    _nice_step,
    _string,
)
from charts.fonts import register_fonts, safe_text

__all__ = ["strip_chart"]

#: Peers: mid grey, 4.5:1 against white (WCAG 1.4.11 asks 3:1 of marks); the country's own
#: mark differs by shape and size too, not by colour alone.
PEER_COLOUR = HexColor("#767676")


def _axis_bounds(values: Sequence[float]) -> tuple[float, float]:
    finite = [value for value in values if not math.isnan(value)]
    if not finite:
        return 0.0, 100.0
    low, high = min(0.0, min(finite)), max(finite)
    if high <= low:
        high = low + 1.0
    step = _nice_step(high - low)
    return math.floor(low / step) * step, math.ceil(high / step) * step


def strip_chart(
    labels: Sequence[str],
    groups: Sequence[Sequence[float]],
    marked: Sequence[float | None],
    marked_notes: Sequence[str],
    *,
    title: str,
    description: str,
    table_header: Sequence[str],
    table_rows: Sequence[Sequence[str]],
    axis_caption: str,
    axis_max: float | None = None,
    text: ChartText | None = None,
    width: float = DEFAULT_WIDTH,
    digits: int = 1,
) -> Chart:
    """One row per group: a dot per member, and the marked country as a larger diamond.

    ``groups[i]`` are the values of every member of group ``i``; ``marked[i]`` is the country's
    value in that row (None: no mark, e.g. a regional view) and ``marked_notes[i]`` the text
    printed beside it (its rank). The data table is given by the caller (it knows the ranks
    and percentiles), so the chart prints exactly what the table says.

    Examples
    --------
    >>> chart = strip_chart(
    ...     ["Africa (3)"], [[40.8, 60.6, 69.8]], [60.6], ["2 of 3"],
    ...     title="Internet use", description="Senegal among African economies.",
    ...     table_header=("Group", "Senegal", "Rank"), table_rows=[("Africa (3)", "60.6", "2")],
    ...     axis_caption="%", axis_max=100,
    ... )
    >>> chart.table.rows
    (('Africa (3)', '60.6', '2'),)
    """
    text = text or ChartText()
    place = "strip_chart"
    labels = _as_labels(labels, name="labels", place=place)
    if len(groups) != len(labels) or len(marked_notes) != len(labels):
        raise ValueError(f"{place}: give one group, mark and note per label")
    rows = [
        _as_values(list(group), name=f"groups[{index}]", place=place, length=len(group))
        for index, group in enumerate(groups)
    ]
    marks = _as_values(marked, name="marked", place=place, length=len(labels))
    everything = [value for row in rows for value in row] + list(marks)
    axis_min, natural_max = _axis_bounds(everything)
    axis_max = axis_max if axis_max is not None and axis_max > natural_max else natural_max

    fonts = register_fonts()
    layout = _row_layout(len(labels), width, value_width=92)
    drawing = _new_drawing(width, layout.height)
    _add_row_labels(drawing, layout, labels, fonts)
    to_x = _add_value_axis(
        drawing,
        layout,
        low=axis_min,
        high=axis_max,
        step=_nice_step(axis_max - axis_min),
        caption=axis_caption,
        fonts=fonts,
        text=text,
    )
    for index, (row, mark, note) in enumerate(zip(rows, marks, marked_notes, strict=True)):
        centre = layout.row_centre(index)
        for value in row:
            if not math.isnan(value):
                drawing.add(
                    Circle(
                        to_x(value),
                        centre,
                        2.2,
                        fillColor=PEER_COLOUR,
                        strokeColor=None,
                    )
                )
        if not math.isnan(mark):
            x, half = to_x(mark), 4.5
            drawing.add(
                Polygon(
                    [x, centre - half, x + half, centre, x, centre + half, x - half, centre],
                    fillColor=SCORE_COLOUR,
                    strokeColor=white,
                    strokeWidth=0.5,
                )
            )
            shown = f"{_format(mark, text, digits)} · {note}" if note else _format(mark, text, 1)
            drawing.add(
                _string(
                    layout.plot_right + 6,
                    centre - 3,
                    _fit(safe_text(shown, fonts.regular), fonts.regular, 8, 88),
                    font=fonts.regular,
                )
            )
        elif note:
            drawing.add(
                _string(
                    layout.plot_right + 6,
                    centre - 3,
                    _fit(safe_text(note, fonts.regular), fonts.regular, 8, 88),
                    font=fonts.regular,
                    colour=MUTED_TEXT_COLOUR,
                )
            )
    return Chart(
        drawing=drawing,
        title=title,
        description=description,
        table=DataTable(header=tuple(table_header), rows=tuple(tuple(row) for row in table_rows)),
    )

"""The heat map of scores by country and pillar."""

from __future__ import annotations

import math
from collections.abc import Sequence

from reportlab.graphics.shapes import (
    Group,
    Rect,
)
from reportlab.lib.colors import Color, white

from charts.base import (
    DEFAULT_WIDTH,
    GRID_COLOUR,
    HEAT_MAP_PALETTE,
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
    _new_drawing,
    _readable_text_colour,
    _string,
    _swatch_sample,
)
from charts.fonts import register_fonts, safe_text


def _heat_colour(value: float) -> Color:
    return HEAT_MAP_PALETTE[min(int(value // 20), len(HEAT_MAP_PALETTE) - 1)]


def heat_map(
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    matrix: Sequence[Sequence[float | None]],
    *,
    row_header: str | None = None,
    title: str | None = None,
    description: str | None = None,
    text: ChartText | None = None,
    width: float = DEFAULT_WIDTH,
    digits: int = 0,
) -> Chart:
    """Countries × pillars heat map on 0–100, each cell printing its value.

    Cells are coloured by five 20-point classes of a colour-blind-safe sequential blue scheme,
    darker meaning higher; the text colour (near-black or white) is whichever contrasts more
    with the cell. NaN cells are white with a dash, explained in the legend as insufficient data.
    Each row is 16 points high: split long country lists into several charts so that one
    fits on a page.

    Parameters
    ----------
    row_labels : sequence of str
        Countries (rows).
    column_labels : sequence of str
        Pillars (columns), drawn at 45 degrees.
    matrix : sequence of sequences of float
        ``len(row_labels)`` rows of ``len(column_labels)`` values in [0, 100]; NaN or None for
        insufficient data. A numpy array works too.

    Examples
    --------
    >>> chart = heat_map(["Chad", "Fiji"], ["People", "Policy"], [[10, 90], [55, None]])
    >>> chart.table.rows[1]
    ('Fiji', '55', 'insufficient data')
    """
    text = text or ChartText()
    place = "heat_map"
    row_labels = _as_labels(row_labels, name="row_labels", place=place)
    column_labels = _as_labels(column_labels, name="column_labels", place=place)
    if isinstance(matrix, str | bytes) or len(matrix) != len(row_labels):
        raise ValueError(f"{place}: matrix needs one row per row label ({len(row_labels)})")
    values = tuple(
        _as_values(
            row,
            name=f"matrix[{index}]",
            place=place,
            length=len(column_labels),
            lower=0,
            upper=100,
        )
        for index, row in enumerate(matrix)
    )

    fonts = register_fonts()
    font = fonts.regular
    label_width = width * 0.28
    header_height = 78.0
    row_height = 16.0
    # Column labels are rotated 45 degrees: the last one reaches about 0.7 of its length to
    # the right of its cell, so keep that much room free.
    column_label_width = header_height * 1.2
    cell_width = (width - label_width - 8 - column_label_width * 0.72) / len(column_labels)
    value_size = min(7.5, max(5.0, cell_width / 4.5))
    legend_entries = [
        _LegendEntry(f"{low}–{low + 20}", _swatch_sample(colour, GRID_COLOUR))
        for low, colour in zip(range(0, 100, 20), HEAT_MAP_PALETTE, strict=True)
    ]
    legend_entries.append(
        _LegendEntry(
            f"{text.insufficient_data_short} {text.insufficient_data}",
            _swatch_sample(white, GRID_COLOUR),
        )
    )
    legend, legend_height = _legend(legend_entries, x=4, top=0, width=width - 8, font=font)
    grid_height = len(row_labels) * row_height
    height = header_height + grid_height + legend_height + 10
    drawing = _new_drawing(width, height)
    grid_left = label_width + 8
    grid_top = height - header_height

    for column, label in enumerate(column_labels):
        shown = _fit(safe_text(label, font), font, 7.5, column_label_width)
        rotated = Group(_string(0, 0, shown, font=font, size=7.5))
        rotated.translate(grid_left + (column + 0.5) * cell_width - 2, grid_top + 4)
        rotated.rotate(45)
        drawing.add(rotated)
    for row, label in enumerate(row_labels):
        top = grid_top - row * row_height
        shown = _fit(safe_text(label, font), font, 8, label_width)
        drawing.add(_string(label_width, top - row_height / 2 - 3, shown, font=font, anchor="end"))
        for column, value in enumerate(values[row]):
            left = grid_left + column * cell_width
            fill = white if math.isnan(value) else _heat_colour(value)
            drawing.add(
                Rect(
                    left,
                    top - row_height,
                    cell_width,
                    row_height,
                    fillColor=fill,
                    strokeColor=GRID_COLOUR if math.isnan(value) else white,
                    strokeWidth=0.5,
                )
            )
            cell_text = (
                text.insufficient_data_short if math.isnan(value) else _format(value, text, digits)
            )
            drawing.add(
                _string(
                    left + cell_width / 2,
                    top - row_height / 2 - value_size / 3,
                    safe_text(cell_text, font),
                    font=font,
                    size=value_size,
                    anchor="middle",
                    colour=_readable_text_colour(fill),
                )
            )
    drawing.add(Group(legend, transform=(1, 0, 0, 1, 0, legend_height + 3)))

    rows = _labelled_rows(row_labels, values, text, digits)
    return Chart(
        drawing=drawing,
        title=title if title is not None else text.heat_map_title,
        description=description
        if description is not None
        else text.heat_map_description.format(count=len(row_labels)),
        table=DataTable(header=(row_header or text.country, *column_labels), rows=rows),
    )

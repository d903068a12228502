"""One row per item: gaps to target (bars) and scores with intervals (dots, whiskers)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.graphics.shapes import (
    Circle,
    Drawing,
    Line,
    Rect,
)
from reportlab.lib.colors import white

from charts.base import (
    AXIS_COLOUR,
    DEFAULT_WIDTH,
    GAP_ABOVE_TARGET_COLOUR,
    GAP_BELOW_TARGET_COLOUR,
    GRID_COLOUR,
    MUTED_TEXT_COLOUR,
    SCORE_COLOUR,
    TEXT_COLOUR,
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
from charts.fonts import FontFamily, covering_face, register_fonts, safe_text


@dataclass(frozen=True)
class _RowLayout:
    """Shared geometry of the one-row-per-item charts (gap bars, dot and whisker)."""

    width: float
    height: float
    label_width: float
    plot_left: float
    plot_right: float
    row_height: float
    axis_height: float
    top_padding: float

    def row_centre(self, index: int) -> float:
        return self.height - self.top_padding - (index + 0.5) * self.row_height


def _row_layout(count: int, width: float, value_width: float) -> _RowLayout:
    row_height = 18.0
    axis_height = 30.0
    top_padding = 6.0
    label_width = width * 0.34
    return _RowLayout(
        width=width,
        height=top_padding + count * row_height + axis_height,
        label_width=label_width,
        plot_left=label_width + 8,
        plot_right=width - value_width - 6,
        row_height=row_height,
        axis_height=axis_height,
        top_padding=top_padding,
    )


def _add_row_labels(
    drawing: Drawing, layout: _RowLayout, labels: Sequence[str], fonts: FontFamily
) -> None:
    for index, label in enumerate(labels):
        shown = _fit(safe_text(label, fonts.regular), fonts.regular, 8, layout.label_width)
        drawing.add(
            _string(
                layout.label_width,
                layout.row_centre(index) - 3,
                shown,
                font=fonts.regular,
                anchor="end",
            )
        )


def _add_value_axis(
    drawing: Drawing,
    layout: _RowLayout,
    *,
    low: float,
    high: float,
    step: float,
    caption: str,
    fonts: FontFamily,
    text: ChartText,
) -> Callable[[float], float]:
    """Draw gridlines, ticks and caption; return the value → x mapping."""

    def to_x(value: float) -> float:
        return layout.plot_left + (value - low) / (high - low) * (
            layout.plot_right - layout.plot_left
        )

    axis_y = layout.axis_height - 6
    plot_top = layout.height - layout.top_padding
    drawing.add(
        Line(
            layout.plot_left,
            axis_y,
            layout.plot_right,
            axis_y,
            strokeColor=AXIS_COLOUR,
            strokeWidth=0.5,
        )
    )
    first_tick = math.ceil(low / step - 1e-9) * step
    tick_count = math.floor((high - first_tick) / step + 1e-9)
    tick_digits = 0 if float(step).is_integer() else 1
    for tick_index in range(tick_count + 1):
        value = first_tick + tick_index * step
        x = to_x(value)
        drawing.add(Line(x, axis_y, x, plot_top, strokeColor=GRID_COLOUR, strokeWidth=0.4))
        drawing.add(
            _string(
                x,
                axis_y - 9,
                _format(value, text, tick_digits),
                font=fonts.regular,
                size=6.5,
                anchor="middle",
                colour=MUTED_TEXT_COLOUR,
            )
        )
    caption = _fit(
        safe_text(caption, fonts.regular), fonts.regular, 7, layout.plot_right - layout.plot_left
    )
    drawing.add(
        _string(
            (layout.plot_left + layout.plot_right) / 2,
            3,
            caption,
            font=fonts.regular,
            size=7,
            anchor="middle",
            colour=MUTED_TEXT_COLOUR,
        )
    )
    return to_x


def gap_bar_chart(
    labels: Sequence[str],
    gaps: Sequence[float | None],
    *,
    sort: bool = True,
    label_header: str | None = None,
    title: str | None = None,
    description: str | None = None,
    text: ChartText | None = None,
    width: float = DEFAULT_WIDTH,
    digits: int = 1,
) -> Chart:
    """Horizontal bars of the gap between target and score, value printed at each bar's end.

    A positive gap (score below target) extends right of zero; a negative gap (target
    exceeded) extends left in another colour, and its printed value carries the minus sign.
    Items with a NaN gap are listed last and labelled "insufficient data".

    Parameters
    ----------
    labels : sequence of str
        Item names (pillars, sub-pillars, indicators).
    gaps : sequence of float
        Target minus score, in [-100, 100]; NaN or None for insufficient data.
    sort : bool
        Largest gap first (ties keep input order); False keeps input order.

    Examples
    --------
    >>> gap_bar_chart(["A", "B"], [5, 20]).table.rows
    (('B', '20.0'), ('A', '5.0'))
    """
    text = text or ChartText()
    place = "gap_bar_chart"
    labels = _as_labels(labels, name="labels", place=place)
    gaps = _as_values(gaps, name="gaps", place=place, length=len(labels), lower=-100, upper=100)
    order = list(range(len(labels)))
    if sort:
        order.sort(
            key=lambda index: (
                math.isnan(gaps[index]),
                -gaps[index] if not math.isnan(gaps[index]) else 0,
            )
        )
    labels = tuple(labels[index] for index in order)
    gaps = tuple(gaps[index] for index in order)
    known = [gap for gap in gaps if not math.isnan(gap)]
    low = min([0.0, *known])
    high = max([0.0, *known])
    # A span of a few subnormal floats has no usable tick step (log10 of 0): draw 0 to 10.
    if high - low < 1e-9:
        high = low + 10.0
    step = _nice_step(high - low)
    low = math.floor(low / step) * step
    high = math.ceil(high / step) * step

    fonts = register_fonts()
    layout = _row_layout(len(labels), width, value_width=48)
    drawing = _new_drawing(width, layout.height)
    _add_row_labels(drawing, layout, labels, fonts)
    to_x = _add_value_axis(
        drawing, layout, low=low, high=high, step=step, caption=text.gap, fonts=fonts, text=text
    )
    zero_x = to_x(0)
    for index, gap in enumerate(gaps):
        centre = layout.row_centre(index)
        if math.isnan(gap):
            drawing.add(
                _string(
                    zero_x + 3,
                    centre - 3,
                    safe_text(
                        text.insufficient_data,
                        covering_face(text.insufficient_data, fonts.italic, fonts.regular),
                    ),
                    font=covering_face(text.insufficient_data, fonts.italic, fonts.regular),
                    colour=MUTED_TEXT_COLOUR,
                )
            )
            continue
        end_x = to_x(gap)
        colour = GAP_BELOW_TARGET_COLOUR if gap >= 0 else GAP_ABOVE_TARGET_COLOUR
        drawing.add(
            Rect(
                min(zero_x, end_x),
                centre - 5.5,
                abs(end_x - zero_x),
                11,
                fillColor=colour,
                strokeColor=None,
            )
        )
        value_text = _format(gap, text, digits)
        if gap >= 0:
            drawing.add(_string(end_x + 3, centre - 3, value_text, font=fonts.bold))
        else:
            drawing.add(_string(zero_x + 3, centre - 3, value_text, font=fonts.bold))
    drawing.add(
        Line(
            zero_x,
            layout.axis_height - 6,
            zero_x,
            layout.height - layout.top_padding,
            strokeColor=AXIS_COLOUR,
            strokeWidth=0.8,
        )
    )

    rows = tuple(
        (label, _format(gap, text, digits)) for label, gap in zip(labels, gaps, strict=True)
    )
    return Chart(
        drawing=drawing,
        title=title if title is not None else text.gap_title,
        description=description
        if description is not None
        else text.gap_description.format(count=len(labels)),
        table=DataTable(header=(label_header or text.pillar, text.gap), rows=rows),
    )


def score_interval_chart(
    labels: Sequence[str],
    medians: Sequence[float | None],
    lows: Sequence[float | None],
    highs: Sequence[float | None],
    *,
    axis_min: float = 0.0,
    axis_max: float = 100.0,
    axis_caption: str | None = None,
    label_header: str | None = None,
    title: str | None = None,
    description: str | None = None,
    text: ChartText | None = None,
    width: float = DEFAULT_WIDTH,
    digits: int = 1,
) -> Chart:
    """Dot-and-whisker chart: a dot at each median, a whisker from low to high.

    The dot is usually inside its whisker, but need not be: the country report draws each
    published score with its Monte Carlo interval, and a published score can lie outside it.

    Serves both uncertainty intervals of scores (axis 0–100) and rank intervals (pass
    ``axis_min=1, axis_max=number_of_countries, digits=0``). Rows keep the input order, so
    sort beforehand for a ranking. Each row prints "median (low–high)"; a row with any NaN is
    labelled "insufficient data".

    Examples
    --------
    >>> chart = score_interval_chart(["Kenya"], [61.2], [55.0], [66.8])
    >>> chart.table.rows
    (('Kenya', '61.2', '55.0', '66.8'),)
    """
    text = text or ChartText()
    place = "score_interval_chart"
    if not axis_min < axis_max:
        raise ValueError(f"{place}: axis_min {axis_min:g} must be below axis_max {axis_max:g}")
    labels = _as_labels(labels, name="labels", place=place)
    bounds = {"length": len(labels), "lower": axis_min, "upper": axis_max, "place": place}
    medians = _as_values(medians, name="medians", **bounds)
    lows = _as_values(lows, name="lows", **bounds)
    highs = _as_values(highs, name="highs", **bounds)
    # The dot may lie outside its whisker: a published score can sit above its own interval
    # when most method variations score lower (issue 17), and the chart must still draw it.
    for index, (low, high) in enumerate(zip(lows, highs, strict=True)):
        if not (math.isnan(low) or math.isnan(high)) and low > high:
            raise ValueError(f"{place}: row {index} needs lows <= highs, got ({low}, {high})")

    fonts = register_fonts()
    layout = _row_layout(len(labels), width, value_width=92)
    drawing = _new_drawing(width, layout.height)
    _add_row_labels(drawing, layout, labels, fonts)
    step = _nice_step(axis_max - axis_min)
    to_x = _add_value_axis(
        drawing,
        layout,
        low=axis_min,
        high=axis_max,
        step=step,
        caption=axis_caption or text.score,
        fonts=fonts,
        text=text,
    )
    for index, (median, low, high) in enumerate(zip(medians, lows, highs, strict=True)):
        centre = layout.row_centre(index)
        if any(math.isnan(value) for value in (median, low, high)):
            drawing.add(
                _string(
                    layout.plot_right + 6,
                    centre - 3,
                    safe_text(
                        text.insufficient_data,
                        covering_face(text.insufficient_data, fonts.italic, fonts.regular),
                    ),
                    font=covering_face(text.insufficient_data, fonts.italic, fonts.regular),
                    colour=MUTED_TEXT_COLOUR,
                )
            )
            continue
        low_x, median_x, high_x = to_x(low), to_x(median), to_x(high)
        drawing.add(Line(low_x, centre, high_x, centre, strokeColor=TEXT_COLOUR, strokeWidth=1))
        for cap_x in (low_x, high_x):
            drawing.add(
                Line(cap_x, centre - 4, cap_x, centre + 4, strokeColor=TEXT_COLOUR, strokeWidth=1)
            )
        drawing.add(
            Circle(
                median_x, centre, 3.5, fillColor=SCORE_COLOUR, strokeColor=white, strokeWidth=0.5
            )
        )
        value_text = text.value_and_interval.format(
            median=_format(median, text, digits),
            low=_format(low, text, digits),
            high=_format(high, text, digits),
        )
        drawing.add(
            _string(
                layout.plot_right + 6,
                centre - 3,
                _fit(safe_text(value_text, fonts.regular), fonts.regular, 8, 88),
                font=fonts.regular,
            )
        )

    rows = tuple(
        (
            label,
            _format(median, text, digits),
            _format(low, text, digits),
            _format(high, text, digits),
        )
        for label, median, low, high in zip(labels, medians, lows, highs, strict=True)
    )
    return Chart(
        drawing=drawing,
        title=title if title is not None else text.interval_title,
        description=description
        if description is not None
        else text.interval_description.format(count=len(labels)),
        table=DataTable(
            header=(label_header or text.pillar, text.median, text.low, text.high), rows=rows
        ),
    )

"""Charts drawn once with ``reportlab.graphics``, shown in the PDF reports and on the web pages.

Each chart function takes plain Python data (sequences of labels and floats; ``NaN`` or
``None`` means "insufficient data") and returns a :class:`Chart`: a reportlab ``Drawing``
(itself a Platypus flowable, so it goes straight into a PDF story), a title, a description and a
data table that serves as the text alternative in both the HTML page and the PDF.
:func:`drawing_to_svg` turns the same drawing into accessible SVG for the dashboards, so the web
shows exactly the charts of the report.

Design rules, for legibility and accessibility:

- every value is printed next to its mark, so no information depends on colour alone, and
  series also differ by marker shape and dash pattern;
- text colours have a WCAG 2 contrast ratio of at least 4.5:1 against their background, and
  lines and marks at least 3:1 against white;
- the heat map uses a five-class ColorBrewer "Blues" sequential scheme (colour-blind safe),
  with one class darkened so that black or white text reaches 4.5:1 on every class;
- user text is passed through :func:`reports.fonts.safe_text`, so glyphs the font lacks
  become a visible replacement character; reportlab draws graphics strings literally and the
  SVG serialiser escapes them, so markup-like labels stay text.

Words drawn on the charts come from :class:`ChartText`; pass a translated instance for French.

References
----------
W3C, Web Content Accessibility Guidelines 2.1, success criteria 1.4.1 (use of colour),
1.4.3 (contrast, minimum) and 1.4.11 (non-text contrast); relative luminance and contrast ratio
as defined there. C. Brewer, ColorBrewer 2.0, sequential scheme "Blues".

Examples
--------
>>> chart = gap_bar_chart(["Infrastructure", "People"], [12.5, float("nan")])
>>> chart.table.rows
(('Infrastructure', '12.5'), ('People', 'insufficient data'))
>>> svg = drawing_to_svg(chart.drawing, title=chart.title, description=chart.description)
>>> svg.startswith("<svg") and 'role="img"' in svg
True
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.graphics import renderPDF, renderSVG
from reportlab.graphics.shapes import (
    Circle,
    Drawing,
    Group,
    Line,
    Polygon,
    Rect,
    Shape,
    String,
)
from reportlab.lib.colors import Color, HexColor, white
from reportlab.pdfbase.pdfmetrics import stringWidth

from reports.fonts import FontFamily, register_fonts, safe_text

__all__ = [
    "HEAT_MAP_PALETTE",
    "SERIES_COLOURS",
    "Chart",
    "ChartText",
    "DataTable",
    "contrast_ratio",
    "drawing_to_pdf",
    "drawing_to_svg",
    "gap_bar_chart",
    "heat_map",
    "radar_chart",
    "score_interval_chart",
    "trend_chart",
]

DEFAULT_WIDTH = 460.0
TEXT_COLOUR = HexColor("#1a1a1a")
MUTED_TEXT_COLOUR = HexColor("#595959")
GRID_COLOUR = HexColor("#c8c8c8")
AXIS_COLOUR = HexColor("#595959")
SCORE_COLOUR = HexColor("#0072B2")
SCORE_FILL_COLOUR = HexColor("#d4e6f4")
TARGET_COLOUR = HexColor("#B34700")
GAP_BELOW_TARGET_COLOUR = HexColor("#B34700")
GAP_ABOVE_TARGET_COLOUR = HexColor("#0072B2")
# Okabe–Ito hues, darkened where needed so each reaches 4.5:1 on white and can colour text.
SERIES_COLOURS = tuple(
    HexColor(code)
    for code in ("#0072B2", "#B34700", "#00785A", "#A8417E", "#5E3C99", "#7A5C00", "#4D4D4D")
)
# ColorBrewer Blues, 5 classes, with the fourth class (#3182bd) darkened to #2171b5: on the
# original neither black nor white text reaches 4.5:1.
HEAT_MAP_PALETTE = tuple(
    HexColor(code) for code in ("#eff3ff", "#bdd7e7", "#6baed6", "#2171b5", "#08306b")
)
MARKER_SHAPES = ("circle", "square", "triangle", "diamond")
DASH_PATTERNS: tuple[tuple[float, ...] | None, ...] = (None, (4, 2), (1.5, 1.5), (6, 2, 1.5, 2))

_ELEMENT_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
# Characters XML 1.0 forbids; they would make the SVG unparseable.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class ChartText:
    """Words the charts draw, with English defaults; pass a translated copy for French.

    Templates use ``str.format`` fields: ``{count}``, ``{score}``, ``{target}``,
    ``{median}``, ``{low}``, ``{high}``.
    """

    pillar: str = "Pillar"
    country: str = "Country"
    score: str = "Score"
    target: str = "Target"
    interval: str = "Interval"
    gap: str = "Gap to target"
    median: str = "Median"
    low: str = "Low"
    high: str = "High"
    round: str = "Round"
    series: str = "Series"
    insufficient_data: str = "insufficient data"
    insufficient_data_short: str = "—"
    missing_points_note: str = "Gaps in a line: insufficient data"
    score_and_target: str = "{score} (target {target})"
    value_and_interval: str = "{median} ({low}–{high})"
    decimal_separator: str = "."
    radar_title: str = "Pillar scores against targets"
    radar_description: str = (
        "Radar chart of {count} pillar scores against their targets on a 0 to 100 scale."
    )
    gap_title: str = "Gaps to target"
    gap_description: str = (
        "Horizontal bars of the gap between target and score for {count} items, largest first."
    )
    interval_title: str = "Scores with uncertainty intervals"
    interval_description: str = "Dot and whisker chart of the median and interval of {count} items."
    heat_map_title: str = "Scores by country and pillar"
    heat_map_description: str = (
        "Heat map of {count} countries by pillar on a 0 to 100 scale, darker meaning higher; "
        "each cell shows its value."
    )
    trend_title: str = "Scores across rounds"
    trend_description: str = "Line chart of {count} series across assessment rounds."


@dataclass(frozen=True)
class DataTable:
    """The numbers behind a chart as text: a header row and body rows of strings.

    Cells hold raw user text (unescaped): let Django's autoescaping or
    ``xml.sax.saxutils.escape`` handle it where it is rendered.
    """

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, eq=False)
class Chart:
    """A chart drawn once for both the PDF and the web.

    Attributes
    ----------
    drawing : reportlab.graphics.shapes.Drawing
        A Platypus flowable; append it to a story, or render it with :func:`drawing_to_svg`.
    title, description : str
        Short title and one-sentence description: the SVG ``<title>`` and ``<desc>``, and
        the caption in the PDF.
    table : DataTable
        The values shown, as the text alternative.
    """

    drawing: Drawing
    title: str
    description: str
    table: DataTable

    def svg(self, *, element_id: str | None = None) -> str:
        """This chart as accessible inline SVG (see :func:`drawing_to_svg`)."""
        return drawing_to_svg(
            self.drawing, title=self.title, description=self.description, element_id=element_id
        )


def contrast_ratio(first: Color, second: Color) -> float:
    """WCAG 2 contrast ratio between two opaque colours, from 1 (same) to 21 (black on white).

    Examples
    --------
    >>> from reportlab.lib.colors import black, white
    >>> round(contrast_ratio(black, white), 1)
    21.0
    """

    def luminance(colour: Color) -> float:
        def channel(value: float) -> float:
            if value <= 0.04045:
                return value / 12.92
            return ((value + 0.055) / 1.055) ** 2.4

        return (
            0.2126 * channel(colour.red)
            + 0.7152 * channel(colour.green)
            + 0.0722 * channel(colour.blue)
        )

    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _readable_text_colour(background: Color) -> Color:
    if contrast_ratio(TEXT_COLOUR, background) >= contrast_ratio(white, background):
        return TEXT_COLOUR
    return white


def _as_labels(labels: Sequence[object], *, name: str, place: str) -> tuple[str, ...]:
    if isinstance(labels, str | bytes):
        raise ValueError(f"{place}: {name} must be a sequence of labels, not one string")
    result = tuple("" if label is None else str(label) for label in labels)
    if not result:
        raise ValueError(f"{place}: {name} is empty; give at least one label")
    return result


def _as_values(
    values: Sequence[object],
    *,
    name: str,
    place: str,
    length: int,
    lower: float | None = None,
    upper: float | None = None,
) -> tuple[float, ...]:
    if isinstance(values, str | bytes):
        raise ValueError(f"{place}: {name} must be a sequence of numbers, not a string")
    result: list[float] = []
    for index, value in enumerate(values):
        if value is None:
            result.append(math.nan)
            continue
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ValueError(f"{place}: {name}[{index}] = {value!r} is not a number") from None
        if math.isinf(number):
            raise ValueError(f"{place}: {name}[{index}] is infinite; use NaN for missing data")
        if not math.isnan(number) and (
            (lower is not None and number < lower) or (upper is not None and number > upper)
        ):
            raise ValueError(
                f"{place}: {name}[{index}] = {number:g} is outside [{lower:g}, {upper:g}]"
            )
        result.append(number)
    if len(result) != length:
        raise ValueError(f"{place}: {name} has {len(result)} values for {length} labels")
    return tuple(result)


def _format(value: float, text: ChartText, digits: int) -> str:
    if math.isnan(value):
        return text.insufficient_data
    formatted = f"{value:.{digits}f}"
    if formatted.startswith("-") and float(formatted) == 0:
        formatted = formatted[1:]
    return formatted.replace(".", text.decimal_separator)


def _fit(text: str, font: str, size: float, max_width: float) -> str:
    """Shorten ``text`` with an ellipsis until it fits ``max_width`` points."""
    if stringWidth(text, font, size) <= max_width:
        return text
    ellipsis = "…"
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if stringWidth(text[:middle].rstrip() + ellipsis, font, size) <= max_width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + ellipsis


def _wrap(text: str, font: str, size: float, max_width: float, max_lines: int) -> list[str]:
    """Break ``text`` into at most ``max_lines`` lines at spaces, the last one shortened."""
    words = text.split(" ")
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if stringWidth(candidate, font, size) <= max_width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    lines.append(current)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], " ".join(lines[max_lines - 1 :])]
    return [_fit(line, font, size, max_width) for line in lines]


def _string(
    x: float,
    y: float,
    text: str,
    *,
    font: str,
    size: float = 8,
    anchor: str = "start",
    colour: Color = TEXT_COLOUR,
) -> String:
    return String(x, y, text, fontName=font, fontSize=size, textAnchor=anchor, fillColor=colour)


def _marker(shape: str, x: float, y: float, size: float, colour: Color) -> Shape:
    half = size / 2
    if shape == "square":
        return Rect(x - half, y - half, size, size, fillColor=colour, strokeColor=None)
    if shape == "triangle":
        points = [x - half, y - half, x + half, y - half, x, y + half]
        return Polygon(points, fillColor=colour, strokeColor=None)
    if shape == "diamond":
        points = [x, y - half * 1.2, x + half * 1.2, y, x, y + half * 1.2, x - half * 1.2, y]
        return Polygon(points, fillColor=colour, strokeColor=None)
    return Circle(x, y, half, fillColor=colour, strokeColor=None)


@dataclass(frozen=True)
class _LegendEntry:
    label: str
    sample: Callable[[float, float], list[Shape]]


def _legend(entries: Sequence[_LegendEntry], *, x: float, top: float, width: float, font: str):
    """Lay out legend entries left to right, wrapping lines; return the group and its height."""
    group = Group()
    size = 8.0
    line_height = 13.0
    sample_width = 22.0
    cursor_x, cursor_y = x, top - line_height + 3
    for entry in entries:
        label = _fit(safe_text(entry.label, font), font, size, width - sample_width - 4)
        entry_width = sample_width + 4 + stringWidth(label, font, size) + 14
        if cursor_x > x and cursor_x + entry_width > x + width:
            cursor_x = x
            cursor_y -= line_height
        for shape in entry.sample(cursor_x, cursor_y + 3):
            group.add(shape)
        group.add(_string(cursor_x + sample_width + 4, cursor_y, label, font=font, size=size))
        cursor_x += entry_width
    return group, top - cursor_y + 3


def _line_sample(
    colour: Color, dash: tuple[float, ...] | None, shape: str | None
) -> Callable[[float, float], list[Shape]]:
    def draw(x: float, y: float) -> list[Shape]:
        shapes: list[Shape] = [
            Line(x, y, x + 22, y, strokeColor=colour, strokeWidth=1.5, strokeDashArray=dash)
        ]
        if shape is not None:
            shapes.append(_marker(shape, x + 11, y, 5, colour))
        return shapes

    return draw


def _swatch_sample(fill: Color, stroke: Color | None = None) -> Callable[[float, float], list]:
    def draw(x: float, y: float) -> list[Shape]:
        return [Rect(x + 4, y - 4, 14, 8, fillColor=fill, strokeColor=stroke, strokeWidth=0.5)]

    return draw


def _nice_step(span: float, target_ticks: int = 5) -> float:
    raw = span / target_ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * magnitude:
            return multiple * magnitude
    return 10 * magnitude


def _new_drawing(width: float, height: float) -> Drawing:
    drawing = Drawing(width, height)
    drawing.hAlign = "CENTER"
    return drawing


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
                    safe_text(text.insufficient_data, fonts.italic),
                    font=fonts.italic,
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
    for index, triple in enumerate(zip(lows, medians, highs, strict=True)):
        if not any(math.isnan(value) for value in triple) and not (
            triple[0] <= triple[1] <= triple[2]
        ):
            raise ValueError(f"{place}: row {index} needs lows <= medians <= highs, got {triple}")

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
                    safe_text(text.insufficient_data, fonts.italic),
                    font=fonts.italic,
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

    rows = tuple(
        (label, *(_format(value, text, digits) for value in row_values))
        for label, row_values in zip(row_labels, values, strict=True)
    )
    return Chart(
        drawing=drawing,
        title=title if title is not None else text.heat_map_title,
        description=description
        if description is not None
        else text.heat_map_description.format(count=len(row_labels)),
        table=DataTable(header=(row_header or text.country, *column_labels), rows=rows),
    )


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
                safe_text(text.missing_points_note, fonts.italic),
                font=fonts.italic,
                size=7,
                colour=MUTED_TEXT_COLOUR,
            )
        )
    drawing.add(Group(legend, transform=(1, 0, 0, 1, 0, legend_height + 1)))

    rows = tuple(
        (name, *(_format(value, text, digits) for value in row))
        for name, row in zip(names, values, strict=True)
    )
    return Chart(
        drawing=drawing,
        title=title if title is not None else text.trend_title,
        description=description
        if description is not None
        else text.trend_description.format(count=len(names)),
        table=DataTable(header=(text.series, *rounds), rows=rows),
    )


def _clean_for_xml(value: str) -> str:
    return _XML_INVALID.sub("\ufffd", str(value))


def drawing_to_svg(
    drawing: Drawing,
    *,
    title: str,
    description: str,
    element_id: str | None = None,
) -> str:
    """Render a drawing as an accessible, self-contained ``<svg>`` element for inline HTML.

    The result has no XML declaration or DOCTYPE, so it can be placed in a page as is or
    served as ``image/svg+xml``. The ``<svg>`` carries ``role="img"`` and
    ``aria-labelledby`` pointing at its ``<title>`` and ``<desc>``, whose text is escaped.
    Internal ids (the clip path, the drawing group) are prefixed with ``element_id`` so several
    charts on one page do not capture each other's clip path. Output is deterministic.

    Parameters
    ----------
    drawing : Drawing
        Usually ``chart.drawing``.
    title, description : str
        Accessible name and description (any text; escaped here).
    element_id : str, optional
        Id of the ``<svg>`` element and prefix of its internal ids; default ``chart-`` plus a
        hash of the content, so identical charts share ids and different ones do not.

    Examples
    --------
    >>> chart = gap_bar_chart(["A & B"], [3.0])
    >>> svg = drawing_to_svg(chart.drawing, title="<Gaps>", description="d", element_id="g1")
    >>> '<title id="g1-title">&lt;Gaps&gt;</title>' in svg, "A &amp; B" in svg
    (True, True)
    """
    if element_id is not None and not _ELEMENT_ID.match(element_id):
        raise ValueError(
            f"drawing_to_svg: element_id {element_id!r} must start with a letter and contain "
            "only letters, digits, '-' and '_'"
        )
    fonts = register_fonts()
    weights = {
        fonts.regular: ("normal", "normal"),
        fonts.bold: ("bold", "normal"),
        fonts.italic: ("normal", "italic"),
        fonts.bold_italic: ("bold", "italic"),
    }
    font_hacks = {
        name: {"family": fonts.css_font_family, "weight": weight, "style": style}
        for name, (weight, style) in weights.items()
    }
    canvas = renderSVG.SVGCanvas((drawing.width, drawing.height), fontHacks=font_hacks)
    renderSVG.draw(drawing, canvas, 0, 0, showBoundary=False)
    svg = canvas.svg
    title_text, description_text = _clean_for_xml(title), _clean_for_xml(description)
    if element_id is None:
        content = "\0".join((title_text, description_text, canvas.groupTree.toxml()))
        element_id = "chart-" + hashlib.sha256(content.encode("utf-8", "replace")).hexdigest()[:12]

    title_element = svg.getElementsByTagName("title")[0]
    description_element = svg.getElementsByTagName("desc")[0]
    for element, value, suffix in (
        (title_element, title_text, "title"),
        (description_element, description_text, "desc"),
    ):
        element.firstChild.data = value
        element.setAttribute("id", f"{element_id}-{suffix}")
    for clip_path in svg.getElementsByTagName("clipPath"):
        old_id = clip_path.getAttribute("id")
        clip_path.setAttribute("id", f"{element_id}-{old_id}")
    for group in svg.getElementsByTagName("g"):
        style = group.getAttribute("style")
        if "url(#" in style:
            group.setAttribute("style", style.replace("url(#", f"url(#{element_id}-"))
        if group.getAttribute("id") == "group":
            group.setAttribute("id", f"{element_id}-group")
    svg.setAttribute("id", element_id)
    svg.setAttribute("role", "img")
    svg.setAttribute("aria-labelledby", f"{element_id}-title {element_id}-desc")
    _compact_svg(svg, fonts.css_font_family)
    return svg.toxml()


# Declarations renderSVG writes on every element that equal what the element inherits or the
# SVG default; dropping them (and rounding coordinates to 0.01 pt) halves a chart's size, which
# keeps dashboards with several inline charts inside the page-weight budget.
_DEFAULT_DECLARATIONS = frozenset(
    {
        "font-weight: normal",
        "font-style: normal",
        "stroke-linecap: butt",
        "fill-rule: evenodd",
        "stroke:none",
        "stroke: none",
    }
)
_LONG_DECIMAL = re.compile(r"(-?\d+\.\d\d)\d+")
_TRAILING_ZEROS = re.compile(r"(\d+)\.0+(?!\d)")


def _round_numbers(text: str) -> str:
    return _TRAILING_ZEROS.sub(r"\1", _LONG_DECIMAL.sub(r"\1", text))


def _compact_svg(svg: Any, font_family: str) -> None:
    """Shrink renderSVG's verbose output in place without changing what is drawn."""
    svg.setAttribute("style", f"font-family: {font_family}")
    for element in svg.getElementsByTagName("*"):
        style = element.getAttribute("style")
        if style:
            declarations = [d.strip() for d in style.split(";") if d.strip()]
            kept = [
                d
                for d in declarations
                if d not in _DEFAULT_DECLARATIONS and not d.startswith("font-family")
            ]
            if kept:
                element.setAttribute("style", _round_numbers("; ".join(kept)))
            else:
                element.removeAttribute("style")
        for name in (
            "points",
            "d",
            "x",
            "y",
            "x1",
            "y1",
            "x2",
            "y2",
            "cx",
            "cy",
            "r",
            "width",
            "height",
            "transform",
        ):
            value = element.getAttribute(name)
            if value:
                element.setAttribute(name, _round_numbers(value))
        if element.hasAttribute("transform") and not element.getAttribute("transform"):
            element.removeAttribute("transform")


def drawing_to_pdf(drawing: Drawing) -> bytes:
    """A one-page PDF of the drawing, byte-identical for identical drawings (invariant mode).

    Examples
    --------
    >>> pdf = drawing_to_pdf(gap_bar_chart(["A"], [1.0]).drawing)
    >>> pdf.startswith(b"%PDF") and pdf == drawing_to_pdf(gap_bar_chart(["A"], [1.0]).drawing)
    True
    """
    return renderPDF.drawToString(drawing, invariant=1)

"""What every chart shares: the chart and text types, colours and drawing helpers.

The design rules are in :mod:`charts`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

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

from charts.fonts import safe_text
from charts.svg import drawing_to_svg

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


def _labelled_rows(
    labels: Sequence[str], values: Sequence[Sequence[float]], text: ChartText, digits: int
) -> tuple[tuple[str, ...], ...]:
    """Data-table rows: each label followed by its values as printed on the chart."""
    return tuple(
        (label, *(_format(value, text, digits) for value in row))
        for label, row in zip(labels, values, strict=True)
    )


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

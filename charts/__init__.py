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
- user text is passed through :func:`charts.fonts.safe_text`, so glyphs the font lacks
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

The package: :mod:`~charts.base` (types, colours, drawing helpers),
:mod:`~charts.radar`, :mod:`~charts.bars` (gap bars; dots and whiskers),
:mod:`~charts.heat`, :mod:`~charts.trend`, and :mod:`~charts.svg`
(drawings to SVG and PDF). Import from ``charts``.
"""

from charts.bars import gap_bar_chart, score_interval_chart
from charts.base import (
    HEAT_MAP_PALETTE,
    SERIES_COLOURS,
    Chart,
    ChartText,
    DataTable,
    contrast_ratio,
)
from charts.heat import heat_map
from charts.radar import radar_chart
from charts.strip import strip_chart
from charts.svg import drawing_to_pdf, drawing_to_svg
from charts.trend import trend_chart

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
    "strip_chart",
    "trend_chart",
]

"""A drawing as accessible SVG for the web pages, or as PDF bytes."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from reportlab.graphics import renderPDF, renderSVG
from reportlab.graphics.shapes import (
    Drawing,
)

from charts.fonts import register_fonts

_ELEMENT_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
# Characters XML 1.0 forbids; they would make the SVG unparseable.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


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
    >>> from charts import gap_bar_chart
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
    """Shrink renderSVG's verbose output in place without changing what is drawn.

    Declarations of ``style`` attributes become SVG presentation attributes (``fill="…"``):
    the pages' Content-Security-Policy has no ``'unsafe-inline'`` for styles, under which a
    browser ignores every ``style`` attribute, while presentation attributes are part of the
    drawing and always apply (SVG 1.1, §6.4).
    """
    svg.setAttribute("font-family", font_family)
    for element in svg.getElementsByTagName("*"):
        style = element.getAttribute("style")
        if style:
            element.removeAttribute("style")
            for declaration in style.split(";"):
                declaration = declaration.strip()
                if (
                    not declaration
                    or declaration in _DEFAULT_DECLARATIONS
                    or declaration.startswith("font-family")
                ):
                    continue
                name, _colon, value = declaration.partition(":")
                element.setAttribute(name.strip(), _round_numbers(value.strip()))
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
    >>> from charts import gap_bar_chart
    >>> pdf = drawing_to_pdf(gap_bar_chart(["A"], [1.0]).drawing)
    >>> pdf.startswith(b"%PDF") and pdf == drawing_to_pdf(gap_bar_chart(["A"], [1.0]).drawing)
    True
    """
    return renderPDF.drawToString(drawing, invariant=1)

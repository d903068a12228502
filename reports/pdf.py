"""PDF reports drawn with reportlab Platypus from the plain dataclasses of :mod:`reports.data`.

No database access here: :func:`country_report_pdf` and :func:`regional_report_pdf` take a
:class:`~reports.data.CountryReport` or :class:`~reports.data.RegionalReport` (already
translated) and return the PDF bytes, so the batch command can render in worker processes.

- **Deterministic.** Documents are built in reportlab's invariant mode (fixed creation date and
  document id) and print only dates taken from the data (the score run's date), so the same
  data gives byte-identical files that can be archived and compared.
- **Safe text.** Every piece of user or framework text goes through
  :func:`charts.fonts.safe_text` (characters the font lacks become a visible replacement
  character) and then ``xml.sax.saxutils.escape`` before it enters a ``Paragraph``, so input
  such as ``<font>``, ``<para>``, ``&`` or unbalanced tags is printed as typed and can neither
  break the layout nor inject markup.
- **Right to left.** Reportlab neither joins Arabic letters nor reorders right-to-left text, so
  Arabic is shaped (:func:`charts.fonts.shape`) before paragraphs are wrapped, in logical
  order, and each wrapped line is put in display order (:func:`charts.fonts.display_line`,
  the Unicode bidirectional algorithm) only when it is drawn. In an Arabic report paragraphs
  are right-aligned, tables read from right to left and the running header is on the right.
- **Navigation.** A table of contents with page numbers (laid out in one build pass, see
  :class:`_Contents`), PDF bookmarks for every heading, a running header and a "Page n of N"
  footer; title, author, subject, keywords and the document language (catalog ``/Lang``) are
  set in the document's metadata.

Layout follows reportlab's ``demos/odyssey``: a story list, styles derived from
``getSampleStyleSheet()`` and page callbacks for the header and footer.
"""

from __future__ import annotations

import copy
import functools
import io
from ast import literal_eval
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar
from xml.sax.saxutils import escape  # nosec B406  # escape() writes reportlab markup, parses nothing

from reportlab.graphics.shapes import String
from reportlab.lib import colors
from reportlab.lib.enums import TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import Paragraph as _PlatypusParagraph
from reportlab.platypus.paragraph import FragLine
from reportlab.platypus.tableofcontents import TableOfContents, drawPageNumbers

from charts import Chart
from charts.fonts import (
    FontFamily,
    display_line,
    is_right_to_left,
    register_fonts,
    safe_text,
    shape,
)
from charts.texts import format_money, format_number, format_points
from reports.data import CountryReport, PillarSection, RegionalReport
from reports.figures import CountryCharts, country_charts, regional_charts
from reports.matching_section import matching_section_story
from scoring.influence import InfluenceLine

__all__ = ["country_report_pdf", "regional_report_pdf"]

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
HEADER_COLOUR = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#595959")
RULE = colors.HexColor("#c8c8c8")
TABLE_HEADER_BACKGROUND = colors.HexColor("#e8eef5")
CREATOR = "needs-assessment reports"
CELL_PADDING = 3.0
MAX_CHART_HEIGHT = PAGE_HEIGHT - 2 * MARGIN - 40 * mm
HEADING_STYLES = {"Heading1": 0, "Heading2": 1}

# Whether the report being built is in a right-to-left language; set for the duration of one
# country_report_pdf / regional_report_pdf call (batches render reports in several threads).
_RIGHT_TO_LEFT: ContextVar[bool] = ContextVar("right_to_left", default=False)


_Report = TypeVar("_Report", CountryReport, RegionalReport)


def _laid_out_for_language(render: Callable[[_Report], bytes]) -> Callable[[_Report], bytes]:
    """Build the report's PDF with the writing direction of ``report.language``."""

    @functools.wraps(render)
    def wrapper(report: _Report) -> bytes:
        token = _RIGHT_TO_LEFT.set(is_right_to_left(report.language))
        try:
            return render(report)
        finally:
            _RIGHT_TO_LEFT.reset(token)

    return wrapper


def _visual_line(line: object) -> object:
    """A wrapped line of a right-to-left paragraph in display order (a new object).

    Simple paragraphs (one font) hold lines as ``(extra_space, words)``; paragraphs with
    markup hold ``FragLine`` objects whose words are style fragments. Fragments are laid out
    from right to left and each one's text is put in display order; a run of Latin text split
    over several fragments (e.g. part bold) therefore reads fragment by fragment from the
    right, which the reports never produce for Latin text inside Arabic.
    """
    if isinstance(line, tuple):
        extra_space, words = line
        text = display_line(" ".join(words), right_to_left=True)
        return (extra_space, text.split(" "))
    if isinstance(line, FragLine):
        visual = copy.copy(line)
        words = []
        for fragment in reversed(line.words):
            if hasattr(fragment, "text"):
                fragment = copy.copy(fragment)
                fragment.text = display_line(fragment.text, right_to_left=True)
            words.append(fragment)
        visual.words = words
        return visual
    return line


class Paragraph(_PlatypusParagraph):
    """A Platypus paragraph that, in a right-to-left report, is shaped and right-aligned.

    Wrapping happens on the logical (shaped) text, so the first words are on the first line;
    each line is reordered for display only while drawing, so that splitting a paragraph over
    two pages, which rebuilds paragraphs from the wrapped lines, still sees logical text.
    """

    def __init__(
        self,
        text: str,
        style: ParagraphStyle,
        bulletText: str | None = None,  # noqa: N803
        frags: list | None = None,
        **kwargs: Any,
    ) -> None:
        self.right_to_left = _RIGHT_TO_LEFT.get()
        if self.right_to_left:
            if text is not None:
                text = shape(text)
            if style.alignment in (TA_LEFT, TA_JUSTIFY):
                style = _right_aligned(style)
        # Parsing the markup is a good part of a report's time and the same texts (headings,
        # questions, column titles, fixed sentences) come back in every report of a batch, in
        # the same shared styles (_styles): the parser's result is reused. Wrapping builds new
        # objects from the fragments and never changes them, so paragraphs can share them.
        key = (text, id(style), bulletText)
        parsed = None if frags is not None or kwargs else _PARSED.get(key)
        if frags is not None or kwargs:
            # The parts of a paragraph split across pages come with their fragments.
            super().__init__(text, style, bulletText, frags=frags, **kwargs)
        elif parsed is None:
            super().__init__(text, style, bulletText)
            if len(_PARSED) + len(_LINES) >= _CACHE_LIMIT:
                _PARSED.clear()
                _LINES.clear()
            _PARSED[key] = (self.text, self.style, self.frags, self.bulletText, style)
        else:
            text, parsed_style, frags, bullet, _style = parsed
            super().__init__(text, parsed_style, bullet, frags=list(frags))
        self._key = None if frags is not None and parsed is None else key
        self._wrapped: tuple[float, object, tuple[float, float]] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        # A table wraps each cell's paragraph several times at the same width (measuring its
        # rows, again for each part when it splits across pages, and before drawing); the
        # lines depend on the width only, so the last result is reused while it stands.
        wrapped = self._wrapped
        if (
            wrapped is not None
            and wrapped[0] == availWidth
            and wrapped[1] is vars(self).get("blPara")
        ):
            self.width = availWidth
            return wrapped[2]
        # The same text in the same style at the same width breaks into the same lines in
        # every report: the lines (read, never changed, by drawing and splitting) are shared.
        memo_key = None if self._key is None else (self._key, availWidth)
        lines = _LINES.get(memo_key) if memo_key is not None else None
        if lines is not None:
            vars(self).update(lines)
            size = (self.width, self.height)
        else:
            size = super().wrap(availWidth, availHeight)
            if memo_key is not None:
                _LINES[memo_key] = {name: vars(self)[name] for name in _WRAP_STATE}
        self._wrapped = (availWidth, vars(self).get("blPara"), size)
        return size

    def drawPara(self, debug: int = 0) -> None:  # noqa: N802 (reportlab's method name)
        if not self.right_to_left:
            super().drawPara(debug)
            return
        logical: Any = vars(self)["blPara"]  # ParaLines, set by wrap() before drawing
        visual = copy.copy(logical)
        visual.lines = [_visual_line(line) for line in logical.lines]
        self.blPara = visual
        try:
            super().drawPara(debug)
        finally:
            self.blPara = logical


#: (text, id(style), bullet) → the parser's (text, style, fragments, bullet) and the style
#: itself (kept alive so that its id is not reused); emptied when it reaches the limit.
_PARSED: dict[tuple[str, int, str | None], tuple[Any, ...]] = {}
#: Entries of _PARSED and _LINES together before both are emptied: a few kilobytes each, so
#: a long-lived process (the web's, the task worker's) keeps some tens of megabytes at most,
#: while a batch worker keeps the texts that recur from report to report.
_CACHE_LIMIT = 20_000
#: (the _PARSED key, width) → what Paragraph.wrap and breakLines set on the paragraph.
_LINES: dict[tuple[tuple[str, int, str | None], float], dict[str, Any]] = {}
_WRAP_STATE = (
    "width",
    "height",
    "blPara",
    "frags",
    "_wrapWidths",
    "_width_max",
    "_splitLongWordCount",
    "_hyphenations",
)


@functools.cache
def _right_aligned(style: ParagraphStyle) -> ParagraphStyle:
    """``style`` aligned right, for right-to-left text (one copy per style)."""
    return ParagraphStyle(style.name, parent=style, alignment=TA_RIGHT)


@functools.cache
def _styles(fonts: FontFamily) -> _Styles:
    """The report styles, made once per process and font family: reports share them (styles
    are never changed once made), which lets paragraphs share parsed text (:class:`Paragraph`).
    """
    return _Styles(fonts)


class _Styles:
    """Paragraph styles on the registered Unicode family (so <b> and <i> find their faces)."""

    def __init__(self, fonts: FontFamily) -> None:
        sheet: StyleSheet1 = getSampleStyleSheet()
        family = fonts.family
        self.fonts = fonts
        self.body = ParagraphStyle(
            "Body", parent=sheet["BodyText"], fontName=family, fontSize=9.5, leading=13
        )
        self.small = ParagraphStyle("Small", parent=self.body, fontSize=8, leading=10)
        self.muted = ParagraphStyle("Muted", parent=self.small, textColor=MUTED)
        self.cell = ParagraphStyle("Cell", parent=self.body, fontSize=8, leading=10, spaceAfter=0)
        self.header_cell = ParagraphStyle("HeaderCell", parent=self.cell, fontName=fonts.bold)
        self.cell_right = ParagraphStyle("CellRight", parent=self.cell, alignment=TA_RIGHT)
        self.header_cell_right = ParagraphStyle(
            "HeaderRight", parent=self.header_cell, alignment=TA_RIGHT
        )
        self.heading1 = ParagraphStyle(
            "Heading1",
            parent=sheet["Heading1"],
            fontName=fonts.bold,
            fontSize=16,
            leading=20,
            spaceBefore=6,
            spaceAfter=8,
            keepWithNext=1,
        )
        self.heading2 = ParagraphStyle(
            "Heading2",
            parent=sheet["Heading2"],
            fontName=fonts.bold,
            fontSize=12.5,
            leading=16,
            spaceBefore=10,
            spaceAfter=4,
            keepWithNext=1,
        )
        self.heading3 = ParagraphStyle(
            "Heading3",
            parent=sheet["Heading3"],
            fontName=fonts.bold,
            fontSize=10,
            leading=13,
            spaceBefore=6,
            spaceAfter=3,
            keepWithNext=1,
        )
        self.contents_title = ParagraphStyle("ContentsTitle", parent=self.heading1)
        self.cover_title = ParagraphStyle(
            "CoverTitle",
            parent=self.heading1,
            fontSize=24,
            leading=30,
            alignment=TA_LEFT,
            spaceAfter=14,
        )
        self.cover_subtitle = ParagraphStyle(
            "CoverSubtitle", parent=self.body, fontSize=14, leading=18, textColor=MUTED
        )
        self.caption = ParagraphStyle(
            "Caption", parent=self.small, textColor=MUTED, spaceBefore=2, spaceAfter=10
        )
        self.toc_levels = [
            ParagraphStyle(
                "TOC1", parent=self.body, fontSize=10, leading=14, leftIndent=0, firstLineIndent=0
            ),
            ParagraphStyle(
                "TOC2",
                parent=self.body,
                fontSize=9,
                leading=12,
                leftIndent=12,
                firstLineIndent=0,
                textColor=MUTED,
            ),
        ]


def _safe(text: object, font: str) -> str:
    """User text ready for a Paragraph: drawable characters only, markup escaped, lines kept."""
    lines = str(text if text is not None else "").splitlines() or [""]
    return "<br/>".join(escape(safe_text(line, font)) for line in lines)


class _Document(BaseDocTemplate):
    """Cover page without header, body pages with header and footer, and a live TOC."""

    def __init__(self, buffer: io.BytesIO, *, header: str, footer: str, **kwargs: object) -> None:
        super().__init__(buffer, pagesize=A4, **kwargs)
        self.header_text = header
        self.footer_text = footer
        frame = Frame(
            MARGIN, MARGIN + 6 * mm, CONTENT_WIDTH, PAGE_HEIGHT - 2 * MARGIN - 12 * mm, id="body"
        )
        cover_frame = Frame(MARGIN, MARGIN, CONTENT_WIDTH, PAGE_HEIGHT - 2 * MARGIN, id="cover")
        self.addPageTemplates(
            [
                PageTemplate(id="cover", frames=[cover_frame]),
                PageTemplate(id="body", frames=[frame], onPage=self._decorate),
            ]
        )
        self._heading_number = 0
        self.right_to_left = _RIGHT_TO_LEFT.get()
        # Looked up once per document, not on every page (it checks the font files).
        self.fonts = register_fonts()

    def _decorate(self, canvas: Canvas, document: BaseDocTemplate) -> None:
        fonts = self.fonts
        canvas.saveState()
        canvas.setFont(fonts.regular, 8)
        canvas.setFillColor(MUTED)
        header = safe_text(self.header_text, fonts.regular)
        footer = safe_text(self.footer_text, fonts.regular)
        if self.right_to_left:
            # Mirrored: header and footer start at the right margin.
            draw = functools.partial(canvas.drawRightString, PAGE_WIDTH - MARGIN)
            header = display_line(header, right_to_left=True)
            footer = display_line(footer, right_to_left=True)
        else:
            draw = functools.partial(canvas.drawString, MARGIN)
        draw(PAGE_HEIGHT - MARGIN + 2 * mm, header)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, PAGE_HEIGHT - MARGIN, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - MARGIN)
        canvas.line(MARGIN, MARGIN + 2 * mm, PAGE_WIDTH - MARGIN, MARGIN + 2 * mm)
        draw(MARGIN - 2 * mm, footer)
        canvas.restoreState()

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 (reportlab's hook name)
        level = _heading_level(flowable)
        if level is None:
            return
        self._heading_number += 1
        key = f"h{self._heading_number}"
        text = _toc_text(flowable)
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(flowable.getPlainText(), key, level=level, closed=level > 0)
        self.headings.append((level, text, key))
        self.canv.heading_pages[key] = self.page
        self.notify("TOCEntry", (level, text, self.page, key))

    def beforeDocument(self) -> None:  # noqa: N802 (reportlab's hook name)
        # multiBuild runs the story several times; bookmark keys must restart each pass.
        self._heading_number = 0
        self.headings: list[tuple[int, str, str]] = []


def _heading_level(flowable: object) -> int | None:
    """The table-of-contents level of a heading paragraph, None for any other flowable."""
    if not isinstance(flowable, Paragraph):
        return None
    return HEADING_STYLES.get(getattr(getattr(flowable, "style", None), "name", ""))


def _toc_text(heading: Paragraph) -> str:
    return getattr(heading, "toc_text", None) or heading.getPlainText()


class _Contents(TableOfContents):
    """A table of contents laid out in a single build pass (reportlab's needs two or more).

    Reportlab's table of contents learns its entries while the document is built and draws them
    in the next pass, so every report was laid out and drawn twice. Here the entries (level,
    text, bookmark key) are read from the story before the build (:meth:`seed`): the headings
    are known, only their pages are not, so the table takes its final size in the one pass. The
    dots and page number ending each entry (reportlab's ``drawPageNumbers``, unchanged) are
    drawn when the document is saved and every heading's page is known
    (:func:`_numbered_canvas`). :func:`_build` checks that the headings met during the build
    are the seeded ones and otherwise builds again the multi-pass way, so the numbers are
    always exact.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seeded = False

    def seed(self, entries: Sequence[tuple[int, str, str]]) -> None:
        """Lay out these (level, text, key) entries; their page numbers come at the end."""
        self._lastEntries = [(level, text, 0, key) for level, text, key in entries]
        self.seeded = True

    def unseed(self) -> None:
        """Back to reportlab's own passes (for :func:`_build`'s fallback)."""
        self._lastEntries = []
        self._entries: list[tuple[int, str, int, str | None]] = []
        self.seeded = False

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        size = super().wrap(availWidth, availHeight)
        if self.seeded:
            self.canv.setNamedCB("drawTOCEntryEnd", self._entry_end_later)
            self._available = (availWidth, availHeight)
        return size

    def _entry_end_later(self, canvas: Canvas, kind: str, label: str) -> None:
        """Note where this entry's dots and page number go; :func:`_numbered_canvas` draws
        them (``label`` is reportlab's "page,level,key", the key as a Python literal)."""
        _page, level, key = label.split(",", 2)
        where = canvas._curr_tx_info  # noqa: SLF001 (set by reportlab around the callback)
        canvas.toc_ends.append(
            _EntryEnd(
                page=canvas.getPageNumber(),
                position=len(canvas._code),  # noqa: SLF001
                link_position=len(canvas._annotationrefs),  # noqa: SLF001
                matrix=canvas._currentMatrix,  # noqa: SLF001
                x=where["cur_x"],
                y=where["cur_y"],
                key=literal_eval(key),
                style=self.getLevelStyle(int(level)),
                dots=self.dotsMinLevel >= 0 and int(level) >= self.dotsMinLevel,
                available=self._available,
            )
        )


@dataclass(frozen=True)
class _EntryEnd:
    """Where one table-of-contents entry ends, to draw its dots and page number at the end.

    ``position`` is the length of the page's content stream when the entry was drawn and
    ``matrix`` the transformation then in force: the numbers are drawn into the stream at that
    very place, so the page reads exactly as if they had been drawn with the entry (and
    ``link_position`` puts the page number's link among the page's links in the same order).
    """

    page: int
    position: int
    link_position: int
    matrix: tuple[float, ...]
    x: float
    y: float
    key: str
    style: ParagraphStyle
    dots: bool
    available: tuple[float, float]

    def draw(self, canvas: Canvas, number: int) -> None:
        """Insert the dots and ``number`` as reportlab's table of contents draws them."""
        code, matrix = canvas._code, canvas._currentMatrix  # noqa: SLF001
        links = canvas._annotationrefs  # noqa: SLF001
        canvas._code, canvas._currentMatrix = [], self.matrix  # noqa: SLF001
        canvas._annotationrefs = []  # noqa: SLF001
        canvas._curr_tx_info = {"cur_x": self.x, "cur_y": self.y}  # noqa: SLF001
        try:
            drawPageNumbers(
                canvas,
                self.style,
                [(number, self.key)],
                *self.available,
                " . " if self.dots else "",
            )
            code[self.position : self.position] = canvas._code  # noqa: SLF001
            links[self.link_position : self.link_position] = canvas._annotationrefs  # noqa: SLF001
        finally:
            del canvas._curr_tx_info  # noqa: SLF001
            canvas._code, canvas._currentMatrix = code, matrix  # noqa: SLF001
            canvas._annotationrefs = links  # noqa: SLF001


def _story_headings(story: Iterable[Flowable]) -> list[tuple[int, str, str]]:
    """The (level, text, key) of each heading in the story, as :class:`_Document` numbers them."""
    headings: list[tuple[int, str, str]] = []
    for flowable in story:
        level = _heading_level(flowable)
        if level is not None:
            headings.append((level, _toc_text(flowable), f"h{len(headings) + 1}"))
    return headings


def _numbered_canvas(page_label: str) -> type[Canvas]:
    """A canvas that prints "Page n of N" once the number of pages is known.

    The label goes in the outer corner opposite the footer text: bottom right, or bottom left
    in a right-to-left report.
    """
    right_to_left = _RIGHT_TO_LEFT.get()

    class NumberedCanvas(Canvas):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []
            # Filled during the build: each heading's page, and the table-of-contents entry
            # ends waiting for those pages (see _Contents).
            self.heading_pages: dict[str, int] = {}
            self.toc_ends: list[_EntryEnd] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's method name)
            self._pages.append(dict(self.__dict__))
            self._startPage()
            # The pages reach the document only in save(); meanwhile bookmarks (outline and
            # table-of-contents links) name the page by the document's page counter, which
            # must therefore move on here too, or every link would lead to the first page.
            self._doc.pageCounter += 1

        def save(self) -> None:
            total = len(self._pages)
            self._doc.pageCounter = 1
            fonts = register_fonts()
            heading_pages, toc_ends = self.heading_pages, self.toc_ends
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                # Last first, so that each insertion leaves the earlier positions valid.
                for end in reversed(toc_ends):
                    if end.page == number:
                        end.draw(self, heading_pages[end.key])
                if number > 1:
                    self.setFont(fonts.regular, 8)
                    self.setFillColor(MUTED)
                    label = page_label.format(page=number, pages=total)
                    if right_to_left:
                        self.drawString(
                            MARGIN, MARGIN - 2 * mm, display_line(label, right_to_left=True)
                        )
                    else:
                        self.drawRightString(PAGE_WIDTH - MARGIN, MARGIN - 2 * mm, label)
                super().showPage()
            super().save()

    return NumberedCanvas


def _heading(text: str, style: ParagraphStyle, font: str) -> Paragraph:
    paragraph = Paragraph(_safe(text, font), style)
    toc_text = _safe(text, font)
    if paragraph.right_to_left:
        # The table of contents draws plain Platypus paragraphs: give it the display order.
        toc_text = display_line(toc_text, right_to_left=True)
    paragraph.toc_text = toc_text  # type: ignore[attr-defined]
    return paragraph


def _table(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    widths: Sequence[float],
    styles: _Styles,
    *,
    numeric_columns: Iterable[int] = (),
) -> Table:
    """A table that wraps long cells, repeats its header and splits across pages.

    A cell that fits its column on one line is drawn as a plain string (Table draws strings
    literally, no markup parsing, and much faster than a Paragraph); longer cells become
    escaped Paragraphs that wrap. In a right-to-left report the columns are mirrored (the
    first column on the right) and every cell is right-aligned.
    """
    numeric = set(numeric_columns)
    right_to_left = _RIGHT_TO_LEFT.get()
    if right_to_left:
        header = list(reversed(header))
        rows = [list(reversed(row)) for row in rows]
        widths = list(reversed(widths))
        numeric = set(range(len(widths)))
    scale = CONTENT_WIDTH / sum(widths)
    column_widths = [w * scale for w in widths]
    right = styles.cell_right
    right_header = styles.header_cell_right

    def cell(value: str, column: int, *, header: bool) -> str | Paragraph:
        font = styles.fonts.bold if header else styles.fonts.regular
        style = styles.header_cell if header else styles.cell
        if column in numeric:
            style = right_header if header else right
        drawable = safe_text(value, font)
        if right_to_left:
            drawable = display_line(drawable, right_to_left=True)
        room = column_widths[column] - 2 * CELL_PADDING
        if stringWidth(drawable, font, style.fontSize) <= room:
            return drawable
        return Paragraph(_safe(value, font), style)

    data = [[cell(value, i, header=True) for i, value in enumerate(header)]]
    data += [[cell(value, i, header=False) for i, value in enumerate(row)] for row in rows]
    table = Table(data, colWidths=column_widths, repeatRows=1)
    alignment = [("ALIGN", (i, 0), (i, -1), "RIGHT") for i in sorted(numeric)]
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), styles.fonts.bold),
                ("FONTNAME", (0, 1), (-1, -1), styles.fonts.regular),
                ("FONTSIZE", (0, 0), (-1, -1), styles.cell.fontSize),
                ("LEADING", (0, 0), (-1, -1), styles.cell.leading),
                *alignment,
            ]
        )
    )
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), TABLE_HEADER_BACKGROUND),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
            ]
        )
    )
    return table


def _display_labels(node: object) -> None:
    """Put every label of a chart drawing in display order, for a right-to-left report.

    Charts are drawn once for the web (SVG, where the browser shapes Arabic) and for PDF, so
    the PDF copy's strings are reordered here rather than where the charts are made. The
    charts' geometry is not mirrored.
    """
    if isinstance(node, String):
        node.text = display_line(node.text, right_to_left=True)
    for child in getattr(node, "contents", ()):
        _display_labels(child)


def _chart_block(chart: Chart | None, styles: _Styles) -> list[Flowable]:
    if chart is None:
        return []
    font = styles.fonts.regular
    caption = Paragraph(
        f"<b>{_safe(chart.title, font)}.</b> {_safe(chart.description, font)}", styles.caption
    )
    drawing = chart.drawing
    if _RIGHT_TO_LEFT.get():
        _display_labels(drawing)
    if drawing.height > MAX_CHART_HEIGHT:
        # Shrink rather than fail: a chart taller than the frame cannot be split.
        factor = MAX_CHART_HEIGHT / drawing.height
        drawing.scale(factor, factor)
        drawing.width *= factor
        drawing.height *= factor
    return [KeepTogether([drawing, caption])]


def _build(
    story: list[Flowable],
    *,
    title: str,
    author: str,
    subject: str,
    keywords: Sequence[str],
    language: str,
    header: str,
    footer: str,
    page_label: str,
) -> bytes:
    buffer = io.BytesIO()
    document = _Document(
        buffer,
        header=header,
        footer=footer,
        title=title,
        author=author,
        subject=subject,
        keywords=list(keywords),
        creator=CREATOR,
        producer=CREATOR,
        lang=language,
        displayDocTitle=True,
        invariant=1,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
    )
    canvas = _numbered_canvas(page_label)
    contents = [flowable for flowable in story if isinstance(flowable, _Contents)]
    headings = _story_headings(story)
    for toc in contents:
        toc.seed(headings)
    document.build(story[:], canvasmaker=canvas)
    if contents and document.headings != headings:
        # A heading the story scan did not see (e.g. inside another flowable): number the
        # pages the multi-pass way rather than print a wrong table of contents.
        for toc in contents:
            toc.unseed()
        buffer.seek(0)
        buffer.truncate()
        document.multiBuild(story, canvasmaker=canvas)
    return buffer.getvalue()


def _toc(styles: _Styles, heading: str) -> list[Flowable]:
    toc = _Contents(levelStyles=styles.toc_levels, dotsMinLevel=0)
    title_style = styles.contents_title
    return [Paragraph(_safe(heading, styles.fonts.bold), title_style), toc]


def _cover(styles: _Styles, title: str, subtitle: str, lines: Sequence[str]) -> list[Flowable]:
    font = styles.fonts.regular
    story: list[Flowable] = [
        Spacer(1, 50 * mm),
        Paragraph(_safe(subtitle, font), styles.cover_subtitle),
        Spacer(1, 6 * mm),
        Paragraph(_safe(title, styles.fonts.bold), styles.cover_title),
        Spacer(1, 10 * mm),
    ]
    story += [Paragraph(_safe(line, font), styles.body) for line in lines if line]
    return story


def _range(low: float | None, high: float | None, text: Mapping[str, str], digits: int = 1) -> str:
    if low is None or high is None:
        return "—"
    return f"{format_number(low, text, digits)}–{format_number(high, text, digits)}"


def _percent(value: float | None, text: Mapping[str, str]) -> str:
    return "—" if value is None else f"{format_number(value * 100, text, 0)} %"


def _share(value: float | None, text: Mapping[str, str]) -> str:
    """A Sobol index as a percentage; estimates a little outside [0, 1] show as 0 or 100 %."""
    return "—" if value is None else _percent(min(max(value, 0.0), 1.0), text)


def _influence(
    lines: Sequence[InfluenceLine],
    heading: str,
    intro: str,
    text: Mapping[str, str],
    styles: _Styles,
) -> list[Flowable]:
    """What moves a score or the ranking: one row per method choice, largest first."""
    if not lines:
        return []
    font = styles.fonts.regular
    return [
        CondPageBreak(50 * mm),
        _heading(heading, styles.heading2, font),
        Paragraph(_safe(intro, font), styles.body),
        _table(
            [
                text["influence_choice"],
                text["influence_alone"],
                text["influence_total"],
                text["influence_interval"],
            ],
            [
                (
                    line.label,
                    _share(line.first, text),
                    _share(line.total, text),
                    f"{_share(line.total_low, text)}–{_share(line.total_high, text)}",
                )
                for line in lines
            ],
            [52, 14, 16, 18],
            styles,
            numeric_columns=(1, 2, 3),
        ),
    ]


def _executive_summary(report: CountryReport, styles: _Styles) -> list[Flowable]:
    text = report.text
    font = styles.fonts.regular
    overall = report.overall
    story: list[Flowable] = [_heading(text["executive_summary"], styles.heading1, font)]
    if overall.insufficient or overall.score is None:
        sentence = text["summary_insufficient"].format(country=report.country_name)
    else:
        sentence = text["summary_sentence"].format(
            country=report.country_name,
            score=format_number(overall.score, text),
            target=format_number(overall.target, text),
            stage=overall.stage or "—",
        )
        if overall.interval_low is not None and overall.interval_high is not None:
            sentence += (
                " "
                + text["likely_between"]
                .format(
                    low=format_number(overall.interval_low, text),
                    high=format_number(overall.interval_high, text),
                )
                .capitalize()
                + "."
            )
            if overall.outside_interval:
                sentence += " " + text[f"outside_{overall.outside_interval}"]
    story.append(Paragraph(_safe(sentence, font), styles.body))
    if report.rank_median is not None:
        story.append(
            Paragraph(
                _safe(
                    text["rank_sentence"].format(
                        median=format_number(report.rank_median, text, 0),
                        count=report.cohort_size,
                        low=format_number(report.rank_low, text, 0),
                        high=format_number(report.rank_high, text, 0),
                    ),
                    font,
                ),
                styles.body,
            )
        )
    if report.counts:
        story.append(
            Paragraph(
                _safe(
                    text["counts"].format(
                        not_applicable=report.counts.get("not_applicable", 0),
                        dont_know=report.counts.get("dont_know", 0),
                        missing=report.counts.get("missing", 0),
                    ),
                    font,
                ),
                styles.body,
            )
        )
    story.append(_heading(text["top_gaps"], styles.heading2, font))
    if report.top_gaps:
        story.append(
            _table(
                [text["indicator"], text["pillar"], text["score"], text["target"], text["gap"]],
                [
                    (
                        line.title,
                        line.pillar_title,
                        format_number(line.score, text),
                        format_number(line.target, text),
                        format_number(line.gap, text),
                    )
                    for line in report.top_gaps
                ],
                [46, 30, 12, 12, 12],
                styles,
                numeric_columns=(2, 3, 4),
            )
        )
    else:
        story.append(Paragraph(_safe(text["none"], font), styles.body))
    story.append(_heading(text["recommended_portfolio"], styles.heading2, font))
    chosen = [line for line in report.portfolio if line.selected]
    if chosen:
        story.append(
            Paragraph(
                _safe(
                    text["portfolio_sentence"].format(
                        budget=format_money(report.budget, text),
                        cost=format_money(report.portfolio_cost, text),
                        gain=format_points(report.portfolio_gain, text),
                    ),
                    font,
                ),
                styles.body,
            )
        )
        story.append(_portfolio_table(chosen, report, styles))
    else:
        story.append(Paragraph(_safe(text["portfolio_empty"], font), styles.body))
    for note in report.portfolio_notes:
        story.append(Paragraph(_safe(note, font), styles.muted))
    return story


def _portfolio_table(lines: Sequence, report: CountryReport, styles: _Styles) -> Table:
    text = report.text
    return _table(
        [text["intervention"], text["kind"], text["cost"], text["months"], text["expected_gain"]],
        [
            (
                line.title,
                line.kind,
                format_money(line.cost, text),
                str(line.duration_months),
                format_number(line.gain, text, 2),
            )
            for line in lines
        ],
        [50, 24, 20, 10, 10],
        styles,
        numeric_columns=(2, 3, 4),
    )


def _pillar_section(
    section: PillarSection, report: CountryReport, charts: CountryCharts, styles: _Styles
) -> list[Flowable]:
    text = report.text
    font = styles.fonts.regular
    pillar = section.pillar
    story: list[Flowable] = [
        CondPageBreak(60 * mm),
        _heading(pillar.title, styles.heading2, font),
        Paragraph(
            _safe(
                text["pillar_summary"].format(
                    score=format_number(pillar.score, text)
                    if not pillar.insufficient
                    else text["insufficient"],
                    interval=(
                        f"{format_number(pillar.interval_low, text)}–"
                        f"{format_number(pillar.interval_high, text)}"
                    )
                    if pillar.interval_low is not None
                    else "—",
                    stage=pillar.stage or "—",
                    coverage=_percent(pillar.coverage, text),
                )
                + (
                    " " + text[f"outside_{pillar.outside_interval}"]
                    if pillar.outside_interval
                    else ""
                ),
                font,
            ),
            styles.body,
        ),
        Paragraph(_safe(text["indicators"], font), styles.heading3),
        _table(
            [
                text["indicator"],
                text["score"],
                text["target"],
                text["gap"],
                text["coverage"],
                text["stage"],
            ],
            [
                (
                    f"{line.code} {line.title}",
                    text["insufficient"] if line.insufficient else format_number(line.score, text),
                    format_number(line.target, text),
                    format_number(line.gap, text),
                    _percent(line.coverage, text),
                    line.stage,
                )
                for line in section.indicators
            ],
            [44, 13, 10, 10, 12, 18],
            styles,
            numeric_columns=(1, 2, 3, 4),
        ),
    ]
    story += _chart_block(charts.indicator_gaps.get(pillar.code), styles)
    story.append(Paragraph(_safe(text["answers"], font), styles.heading3))
    if section.answers:
        story.append(
            _table(
                [text["question"], text["answer"], text["score"], text["justification"]],
                [
                    (
                        f"{line.question_code} {line.question}",
                        line.answer if line.answer else line.status,
                        format_number(line.score, text, 0),
                        line.justification,
                    )
                    for line in section.answers
                ],
                [38, 22, 8, 32],
                styles,
                numeric_columns=(2,),
            )
        )
    else:
        story.append(Paragraph(_safe(text["none"], font), styles.body))
    story.append(Paragraph(_safe(text["evidence"], font), styles.heading3))
    if section.evidence:
        for item in section.evidence:
            label = item.label if item.label == item.location else f"{item.label} — {item.location}"
            story.append(
                Paragraph(
                    text.get("evidence_line", "{code}: {label}").format(
                        code=_safe(item.question_code, font), label=_safe(label, font)
                    ),
                    styles.small,
                    bulletText="•",
                )
            )
    else:
        story.append(Paragraph(_safe(text["none"], font), styles.body))
    story.append(Paragraph(_safe(text["agreement"], font), styles.heading3))
    agreement = section.agreement
    if agreement is None or not agreement.respondents:
        story.append(Paragraph(_safe(text["agreement_none"], font), styles.body))
    else:
        story.append(
            Paragraph(
                _safe(
                    text["agreement_sentence"].format(
                        respondents=agreement.respondents,
                        alpha=format_number(agreement.alpha, text, 2),
                        rwg=format_number(agreement.rwg, text, 2),
                    ),
                    font,
                ),
                styles.body,
            )
        )
    if section.low_agreement_questions:
        story.append(
            Paragraph(
                _safe(
                    text["agreement_low"].format(
                        questions=", ".join(section.low_agreement_questions)
                    ),
                    font,
                ),
                styles.body,
            )
        )
    return story


def _priorities(report: CountryReport, styles: _Styles) -> list[Flowable]:
    text = report.text
    font = styles.fonts.regular
    story: list[Flowable] = [
        PageBreak(),
        _heading(text["priorities"], styles.heading1, font),
        Paragraph(_safe(text["priorities_intro"], font), styles.body),
    ]
    if report.priorities:
        story.append(
            _table(
                [
                    "#",
                    text["indicator"],
                    text["pillar"],
                    text["gap"],
                    text["priority"],
                    text["intervention"],
                ],
                [
                    (
                        str(line.rank),
                        line.indicator,
                        line.pillar,
                        format_number(line.gap, text),
                        format_number(line.priority, text, 3),
                        line.intervention or "—",
                    )
                    for line in report.priorities
                ],
                [5, 32, 20, 9, 10, 34],
                styles,
                numeric_columns=(0, 3, 4),
            )
        )
    else:
        story.append(Paragraph(_safe(text["none"], font), styles.body))
    if report.portfolio:
        story.append(_heading(text["catalogue"], styles.heading2, font))
        story.append(
            _table(
                [
                    text["intervention"],
                    text["kind"],
                    text["cost"],
                    text["months"],
                    text["expected_gain"],
                    text["recommended"],
                ],
                [
                    (
                        line.title,
                        line.kind,
                        format_money(line.cost, text),
                        str(line.duration_months),
                        format_number(line.gain, text, 2),
                        text["yes"] if line.selected else "",
                    )
                    for line in report.portfolio
                ],
                [42, 22, 18, 9, 9, 12],
                styles,
                numeric_columns=(2, 3, 4),
            )
        )
    return story


def _methodology(report: CountryReport, styles: _Styles) -> list[Flowable]:
    text = report.text
    font = styles.fonts.regular
    story: list[Flowable] = [PageBreak(), _heading(text["methodology"], styles.heading1, font)]
    if report.methodology_text:
        story.append(Paragraph(_safe(report.methodology_text, font), styles.body))
    story.append(_table(["", ""], report.methodology, [28, 72], styles))
    story += _influence(
        report.influence,
        text["influence"],
        text["influence_intro"].format(evaluations=report.influence_evaluations),
        text,
        styles,
    )
    story.append(_heading(text["weights"], styles.heading2, font))
    story.append(
        _table(
            [text["pillar"], text["weight"], text["share_of_overall"], text["minimum_coverage"]],
            report.pillar_weights,
            [46, 14, 20, 20],
            styles,
            numeric_columns=(1, 2, 3),
        )
    )
    story.append(Spacer(1, 4 * mm))
    story.append(
        _table(
            [text["indicator"], "", text["weight"], text["target"]],
            report.indicator_weights,
            [12, 62, 13, 13],
            styles,
            numeric_columns=(2, 3),
        )
    )
    if report.annex:
        story.append(_heading(text["annex"], styles.heading2, font))
        story.append(Paragraph(_safe(text["annex_intro"], font), styles.body))
        story.append(
            _table(
                [text["annex_choice"], text["annex_done"], text["annex_reference"]],
                report.annex,
                [18, 52, 30],
                styles,
            )
        )
    return story


@_laid_out_for_language
def country_report_pdf(report: CountryReport) -> bytes:
    """The country report as PDF bytes; identical data gives identical bytes.

    Parameters
    ----------
    report : CountryReport
        From :func:`reports.data.country_report_data` (already translated).
    """
    fonts = register_fonts()
    styles = _styles(fonts)
    font = fonts.regular
    text = report.text
    charts = country_charts(report, width=CONTENT_WIDTH * 0.92)
    run_date = report.run_date_text or report.run_date
    story: list[Flowable] = _cover(
        styles,
        report.title,
        text["cover_subtitle"],
        [
            f"{report.framework_title} {report.framework_version}",
            text["cover_run"].format(run=report.run_id, date=run_date),
            text["cover_state"].format(state=report.assessment_state),
            report.author,
        ],
    )
    story += [NextPageTemplate("body"), PageBreak()]
    story += _toc(styles, text["contents"])
    story.append(PageBreak())
    story += _executive_summary(report, styles)
    story += [PageBreak(), _heading(text["charts"], styles.heading1, font)]
    story += _chart_block(charts.radar, styles)
    story += _chart_block(charts.intervals, styles)
    story += _chart_block(charts.gaps, styles)
    if charts.trend is not None and len(report.trend_rounds) > 1:
        story += _chart_block(charts.trend, styles)
    if report.peers is not None and charts.peers:
        story += [
            CondPageBreak(90 * mm),
            _heading(report.peers.text["heading"], styles.heading1, font),
        ]
        story.append(Paragraph(_safe(report.peers.text["intro"], font), styles.body))
        for chart in charts.peers:
            story += _chart_block(chart, styles)
    story += [PageBreak(), _heading(text["pillars"], styles.heading1, font)]
    for section in report.pillars:
        story += _pillar_section(section, report, charts, styles)
    story += _priorities(report, styles)
    story += _methodology(report, styles)
    return _build(
        story,
        title=report.title,
        author=report.author,
        subject=report.subject,
        keywords=report.keywords,
        language=report.language,
        header=report.title,
        footer=f"{text['score_run']} {report.run_id} · {run_date}",
        page_label=text["page"],
    )


@_laid_out_for_language
def regional_report_pdf(report: RegionalReport) -> bytes:
    """The regional (portfolio) report as PDF bytes; identical data gives identical bytes."""
    fonts = register_fonts()
    styles = _styles(fonts)
    font = fonts.regular
    text = report.text
    charts = regional_charts(report, width=CONTENT_WIDTH * 0.92)
    story: list[Flowable] = _cover(
        styles,
        report.title,
        text["cover_subtitle"],
        [
            report.subject,
            f"{report.framework_title} {report.framework_version}".strip(),
            report.date_text or report.date,
            report.author,
        ],
    )
    story += [NextPageTemplate("body"), PageBreak()]
    story += _toc(styles, text["contents"])
    story.append(PageBreak())
    story.append(_heading(text["heat_map"], styles.heading1, font))
    if not report.rows:
        story.append(Paragraph(_safe(text["no_countries"], font), styles.body))
    for chart in charts.heat_maps:
        story += _chart_block(chart, styles)
    story += [CondPageBreak(90 * mm), _heading(text["ranking"], styles.heading1, font)]
    story.append(Paragraph(_safe(text["ranking_intro"], font), styles.body))
    story += _chart_block(charts.ranks, styles)
    if report.cohort_run_id is None:
        story.append(Paragraph(_safe(text["no_ranks"], font), styles.muted))
    else:
        story.append(
            Paragraph(
                _safe(text["cohort_run"].format(run=report.cohort_run_id), font), styles.muted
            )
        )
    story.append(
        _table(
            [
                text["rank"],
                text["country"],
                text["region"],
                text["income_group"],
                text["score"],
                text["interval"],
                text["rank_interval"],
            ],
            [
                (
                    format_number(row.rank_median, text, 0),
                    row.name,
                    row.region,
                    row.income_group,
                    text["insufficient"]
                    if row.overall.insufficient
                    else format_number(row.overall.score, text),
                    _range(row.overall.interval_low, row.overall.interval_high, text),
                    _range(row.rank_low, row.rank_high, text, 0),
                )
                for row in report.rows
            ],
            [8, 22, 16, 18, 10, 14, 12],
            styles,
            numeric_columns=(0, 4, 5, 6),
        )
    )
    if report.unranked:
        reasons = "; ".join(f"{row.name}: {row.unranked_reason}" for row in report.unranked)
        story.append(Paragraph(_safe(f"{text['unranked_title']}: {reasons}.", font), styles.muted))
    story += _influence(
        report.ranking_influence,
        text["ranking_influence"],
        text["ranking_influence_intro"].format(evaluations=report.ranking_influence_evaluations),
        text,
        styles,
    )
    story += [CondPageBreak(60 * mm), _heading(text["demand"], styles.heading1, font)]
    story.append(
        Paragraph(
            _safe(text["demand_intro"].format(budget=format_money(report.budget, text)), font),
            styles.body,
        )
    )
    story.append(
        _table(
            [
                text["region"],
                text["income_group"],
                text["countries"],
                text["need"],
                text["recommended_count"],
                text["cost"],
            ],
            [
                (
                    line.region,
                    line.income_group,
                    str(line.countries),
                    format_number(line.need, text),
                    str(line.recommended),
                    format_money(line.cost, text),
                )
                for line in report.demand
            ],
            [17, 21, 11, 13, 20, 18],
            styles,
            numeric_columns=(2, 3, 4, 5),
        )
    )
    if report.demand_interventions:
        story.append(Spacer(1, 4 * mm))
        story.append(
            _table(
                [text["intervention"], text["countries"], text["total_cost"]],
                [
                    (title, str(count), format_money(cost, text))
                    for title, count, cost in report.demand_interventions
                ],
                [60, 15, 25],
                styles,
                numeric_columns=(1, 2),
            )
        )
    for note in report.notes:
        story.append(Paragraph(_safe(note, font), styles.muted))
    story += matching_section_story(report.matching, styles=styles, font=font, text=text)
    return _build(
        story,
        title=report.title,
        author=report.author,
        subject=report.subject,
        keywords=(report.framework_code, report.framework_version, str(report.round)),
        language=report.language,
        header=f"{report.title} · {report.subject}",
        footer=report.date_text or report.date,
        page_label=text["page"],
    )

"""The country report in Arabic: shaped, in display order, right-aligned and mirrored (issue 21).

Reportlab draws one glyph per character from left to right. The Arabic report is therefore
checked the way a reader would see it: the text read back from the PDF gives the Arabic words
(after NFKC normalisation, which maps the presentation forms drawn back to the letters), and
the first pages rendered by poppler's ``pdftoppm`` have their ink against the right margin.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata

import numpy as np
import pytest
from django.test import TestCase
from pypdf import PdfReader

from charts.fonts import display_line, register_fonts, shape
from reports.data import country_report_data
from reports.pdf import MARGIN, PAGE_WIDTH, country_report_pdf
from tests.factories import country
from tests.reports.support import scored_world

RESOLUTION = 72  # dots per inch: one pixel per PDF point
PDFTOPPM = shutil.which("pdftoppm") or "pdftoppm"


def pypdf_lines(pdf: bytes) -> list[str]:
    """Every extracted line, NFKC-normalised (presentation forms back to plain letters)."""
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return [unicodedata.normalize("NFKC", line) for line in text.splitlines()]


def rendered_page(pdf: bytes, page: int) -> np.ndarray:
    """Page ``page`` rendered in grey levels (0 black, 255 white), one pixel per point."""
    result = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
        [PDFTOPPM, "-gray", "-r", str(RESOLUTION), "-f", str(page), "-l", str(page), "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    data = result.stdout
    # PGM (P5): magic, width, height, maximum value, then the pixels.
    header, rest = [], data
    while len(header) < 4:
        token, rest = rest.split(maxsplit=1)
        header.append(token)
    width, height = int(header[1]), int(header[2])
    return np.frombuffer(rest[: width * height], dtype=np.uint8).reshape(height, width)


def ink_rows(image: np.ndarray) -> list[tuple[int, int]]:
    """(leftmost, rightmost) inked column of every band of text lines on the page."""
    inked = image < 128
    rows = np.flatnonzero(inked.any(axis=1))
    bands: list[list[int]] = []
    for row in rows:
        if bands and row - bands[-1][-1] <= 2:
            bands[-1].append(row)
        else:
            bands.append([row])
    edges = []
    for band in bands:
        columns = np.flatnonzero(inked[band[0] : band[-1] + 1].any(axis=0))
        edges.append((int(columns[0]), int(columns[-1])))
    return edges


class ArabicTextTests(TestCase):
    def test_shaping_joins_letters_and_display_order_keeps_latin_runs(self) -> None:
        shaped = shape("تقييم")
        self.assertTrue(all("\ufe70" <= c <= "\ufeff" for c in shaped))
        self.assertEqual(unicodedata.normalize("NFKC", shaped), "تقييم")
        line = display_line("رمز ISO 3166 للبلد", right_to_left=True)
        # The Latin run and the number stay left to right in the middle; the first Arabic
        # word is at the right end, the last at the left, each reversed for display.
        self.assertIn("ISO 3166", line)
        self.assertTrue(line.endswith(shape("رمز")[::-1]))
        self.assertTrue(line.startswith(shape("للبلد")[::-1]))
        # A URL and numbers keep their characters in order; brackets around Arabic are
        # mirrored, so that they open on the right.
        source = display_line(
            "المصدر: https://www.itu.int/ict، 2024 (الهدف 100.0)", right_to_left=True
        )
        self.assertIn("https://www.itu.int/ict", source)
        self.assertTrue(source.startswith("(100.0 " + shape("الهدف")[::-1] + ")"))
        self.assertTrue(source.endswith(shape("المصدر:")[::-1]))

    def test_dejavu_has_every_presentation_form_the_reports_draw(self) -> None:
        from charts.fonts import font_covers

        fonts = register_fonts()
        if fonts.latin_only:
            pytest.skip("DejaVu Sans is not installed")
        self.assertTrue(font_covers(shape("الركيزة الفجوة المؤشر لا أعرف"), fonts.regular))


@pytest.mark.skipif(shutil.which(PDFTOPPM) is None, reason="poppler-utils is not installed")
class ArabicCountryReportTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = scored_world()
        senegal = country("SEN")
        cls.pdf_ar = country_report_pdf(country_report_data(country=senegal, language="ar"))
        cls.pdf_en = country_report_pdf(country_report_data(country=senegal, language="en"))
        cls.lines = pypdf_lines(cls.pdf_ar)

    def test_the_report_reads_back_as_arabic_words(self) -> None:
        text = "\n".join(self.lines)
        for words in (
            "التقرير القطري",
            "الموجز التنفيذي",
            "أكبر الفجوات",
            "الحافظة الموصى بها",
            "درجات الركائز والفجوات",
            "المنهجية",
            "تبلغ درجة السنغال",
        ):
            self.assertIn(words, text)
        self.assertNotIn("Executive summary", text)
        # Latin names from the data stay readable, left to right, inside the Arabic report.
        self.assertIn("Strategy support", text)

    def test_italic_chart_notes_in_arabic_are_drawn_not_replaced(self) -> None:
        # DejaVu's oblique face has no Arabic: the charts' italic "insufficient data" notes fall
        # back to the upright face instead of replacement characters. Page 4 holds the radar,
        # interval and gap charts, each with a note for the pillar without enough answers.
        page = PdfReader(io.BytesIO(self.pdf_ar)).pages[3].extract_text()
        page = unicodedata.normalize("NFKC", page)
        self.assertEqual(page.count("بيانات غير كافية"), 3)
        self.assertNotIn("\ufffd", page)

    def test_arabic_is_drawn_in_joined_forms_not_isolated_letters(self) -> None:
        reader = PdfReader(io.BytesIO(self.pdf_ar))
        raw = reader.pages[2].extract_text()
        self.assertTrue(any("\ufe70" <= c <= "\ufeff" for c in raw))
        self.assertNotIn("الموجز", raw)  # only after NFKC: the letters are presentation forms

    def test_a_wrapped_paragraph_keeps_its_lines_in_reading_order(self) -> None:
        # The portfolio sentence wraps: its beginning must be on the first line and its end on
        # the next one (reversing the whole paragraph would swap them).
        first = next(i for i, line in enumerate(self.lines) if "في حدود ميزانية" in line)
        last = next(i for i, line in enumerate(self.lines) if "بمقدار" in line)
        self.assertIn("1,000,000", self.lines[first])
        self.assertEqual(last, first + 1)
        self.assertNotIn("في حدود ميزانية", self.lines[last])

    def test_the_cover_is_right_aligned_in_arabic_and_left_aligned_in_english(self) -> None:
        arabic = ink_rows(rendered_page(self.pdf_ar, 1))
        english = ink_rows(rendered_page(self.pdf_en, 1))
        self.assertGreaterEqual(len(arabic), 5)
        # English lines share their left edge, Arabic lines their right edge...
        english_left = [left for left, _right in english]
        arabic_right = [right for _left, right in arabic]
        self.assertLessEqual(max(english_left) - min(english_left), 3)
        self.assertLessEqual(max(arabic_right) - min(arabic_right), 3)
        # ...and the Arabic edge mirrors the English one (the frame's padding included).
        self.assertAlmostEqual(PAGE_WIDTH - max(arabic_right), min(english_left), delta=4)
        # Lines shorter than the page end (English) or start (Arabic) away from the margin.
        self.assertTrue(any(right < PAGE_WIDTH / 2 for _left, right in english))
        self.assertTrue(any(left > PAGE_WIDTH / 2 for left, _right in arabic))

    def test_tables_read_from_right_to_left(self) -> None:
        # The gaps table's first column (indicator) is on the right in Arabic, left in English.
        def x_of(pdf: bytes, word: str) -> float:
            found: list[float] = []

            def visit(text: str, cm: list, tm: list, font: object, size: float) -> None:
                if text.strip() == word:
                    found.append(cm[4] + tm[4])

            PdfReader(io.BytesIO(pdf)).pages[2].extract_text(visitor_text=visit)
            self.assertTrue(found, word)
            return found[0]

        self.assertGreater(x_of(self.pdf_ar, "Context"), x_of(self.pdf_ar, "Government"))
        self.assertLess(x_of(self.pdf_en, "Context"), x_of(self.pdf_en, "Government"))

    def test_the_running_header_is_on_the_right(self) -> None:
        page = rendered_page(self.pdf_ar, 3)
        header_band = page[: int(MARGIN)]  # above the top rule
        columns = np.flatnonzero((header_band < 128).any(axis=0))
        self.assertAlmostEqual(columns[-1], PAGE_WIDTH - MARGIN, delta=4)
        self.assertGreater(columns[0], PAGE_WIDTH / 3)

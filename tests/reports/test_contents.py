"""The table of contents, read back from the PDF: every entry prints the page its heading is on.

The reports lay the table out in a single build pass (:class:`reports.pdf._Contents`) and draw
the page numbers once the pages are known; these tests read the printed numbers back and
compare them with the page each heading is actually printed on.
"""

from __future__ import annotations

import io

from django.test import SimpleTestCase, TestCase
from pypdf import PdfReader
from reportlab.platypus import KeepTogether, PageBreak

from charts.fonts import register_fonts
from reports.data import country_report_data, regional_report_data
from reports.pdf import (
    Paragraph,
    _build,
    _heading,
    _laid_out_for_language,
    _safe,
    _Styles,
    _toc,
    country_report_pdf,
    regional_report_pdf,
)
from surveys.models import Country
from tests.factories import country
from tests.reports.support import (
    contents_page_numbers,
    outline_pages,
    scored_world,
    squeeze,
)


def page_texts(pdf: bytes) -> list[str]:
    return [squeeze(page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages]


class ContentsPageNumberChecks:
    """What every report's table of contents must satisfy (mixed into the test cases)."""

    def assert_contents_match_the_pages(self, pdf: bytes) -> None:
        printed = contents_page_numbers(pdf)
        bookmarks = outline_pages(pdf)
        # One line per heading, in order, each with the page its bookmark opens.
        assert printed == bookmarks
        assert len(printed) >= 5 and len({page for _title, page in printed}) > 1, printed
        # The heading is printed on that page.
        texts = page_texts(pdf)
        for title, page in printed:
            assert squeeze(title) in texts[page - 1], (title, page)


class CountryReportContentsTests(ContentsPageNumberChecks, TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        scored_world()
        senegal = country("SEN")
        cls.pdfs = {
            language: country_report_pdf(country_report_data(country=senegal, language=language))
            for language in ("en", "fr", "ar")
        }

    def test_english_contents_print_the_page_of_each_heading(self) -> None:
        self.assert_contents_match_the_pages(self.pdfs["en"])
        titles = [title for title, _page in contents_page_numbers(self.pdfs["en"])]
        assert titles[:2] == ["Executive summary", "Largest gaps"]
        assert "Methodology" in titles

    def test_french_contents_print_the_page_of_each_heading(self) -> None:
        self.assert_contents_match_the_pages(self.pdfs["fr"])

    def test_arabic_contents_print_the_page_of_each_heading(self) -> None:
        printed = contents_page_numbers(self.pdfs["ar"])
        # Arabic titles read back in display order: compare the numbers with the bookmarks.
        assert [page for _t, page in printed] == [
            page for _t, page in outline_pages(self.pdfs["ar"])
        ]
        assert len(printed) == len(outline_pages(self.pdfs["en"]))


class RegionalReportContentsTests(ContentsPageNumberChecks, TestCase):
    def test_regional_contents_print_the_page_of_each_heading(self) -> None:
        scored_world()
        report = regional_report_data(countries=Country.objects.all(), language="en", round=2026)
        self.assert_contents_match_the_pages(regional_report_pdf(report))


@_laid_out_for_language
def _hidden_heading_pdf(report: object) -> bytes:
    """A document whose second heading sits inside another flowable, where the scan of the
    story before the build cannot see it."""
    styles = _Styles(register_fonts())
    font = styles.fonts.regular
    story = [PageBreak(), *_toc(styles, "Contents")]
    story += [PageBreak(), _heading("First", styles.heading1, font), PageBreak()]
    story += [KeepTogether([_heading("Hidden", styles.heading1, font)]), PageBreak()]
    story += [_heading("Last", styles.heading2, font)]
    return _build(
        story,
        title="t",
        author="a",
        subject="s",
        keywords=(),
        language="en",
        header="h",
        footer="f",
        page_label="Page {page} of {pages}",
    )


class ContentsFallbackTests(SimpleTestCase):
    def test_a_heading_the_scan_misses_still_gets_its_right_page_number(self) -> None:
        class Report:
            language = "en"

        pdf = _hidden_heading_pdf(Report())
        printed = contents_page_numbers(pdf)
        assert printed == [("First", 3), ("Hidden", 4), ("Last", 5)]
        assert outline_pages(pdf) == printed


@_laid_out_for_language
def _long_paragraph_pdf(report: object) -> bytes:
    """A document whose one paragraph (``report.text``) is longer than a page, so it splits
    across pages."""
    text = report.text  # type: ignore[attr-defined]
    styles = _Styles(register_fonts())
    font = styles.fonts.regular
    story = [PageBreak(), *_toc(styles, "Contents"), PageBreak()]
    story += [_heading("Long", styles.heading1, font), Paragraph(_safe(text, font), styles.body)]
    return _build(
        story,
        title="t",
        author="a",
        subject="s",
        keywords=(),
        language=report.language,  # type: ignore[attr-defined]
        header="h",
        footer="f",
        page_label="Page {page} of {pages}",
    )


class SplitParagraphTests(SimpleTestCase):
    def test_a_paragraph_longer_than_a_page_continues_on_the_next_pages(self) -> None:
        for language, word in (("en", "capacity"), ("ar", "القدرات")):
            with self.subTest(language=language):

                class Report:
                    pass

                Report.language = language  # type: ignore[attr-defined]
                words = [f"{word}{number}" for number in range(1500)]
                Report.text = " ".join(words)  # type: ignore[attr-defined]
                pdf = _long_paragraph_pdf(Report())
                pages = PdfReader(io.BytesIO(pdf)).pages
                assert len(pages) >= 5
                text = " ".join(page.extract_text() or "" for page in pages[2:])
                # Every word is printed once, whichever page it falls on.
                for number in (0, 700, 1499):
                    assert text.count(f"{number}") >= 1, (language, number)
                if language == "en":
                    assert squeeze(text).count("capacity1499") == 1

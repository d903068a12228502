"""Every CSV path reads files the same way: imports, the scoring command line, the
intervention catalogue and the offer catalogue all go through ``read_csv_rows``.

What Excel writes in much of Europe and Africa — a UTF-8 byte-order mark and semicolons — is
accepted by each path, and a cell longer than the import bound is refused by each with the
same message naming its row and column.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from django.test import TestCase, override_settings

from planning.catalogue import CatalogueError, catalogue_load, read_catalogue_file
from planning.models import Intervention, Offer
from planning.offers import OfferCatalogueError, offers_load, read_offers_file
from scoring.cli import TableError, score_table
from tabular.reading import ImportFileError, open_table
from tests.factories import make_framework
from tests.framework_fixtures import SMALL_FRAMEWORK
from tests.planning.test_catalogue import GOOD_CSV as CATALOGUE_CSV
from tests.planning.test_offers import CSV_TEXT as OFFERS_CSV

IMPORT_CSV = "question_code,value,justification\nGOV.1.a,3,Adopted in 2024\n"
SCORING_CSV = "country,NET.1.a,GOV.1.a\nKenya,50,3\n"
CELL_LIMIT = 40
LONG = "x" * (CELL_LIMIT + 5)


def excel_european(text: str) -> bytes:
    """``text`` (comma CSV) as Excel saves "CSV UTF-8" with a semicolon list separator."""
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(csv.reader(io.StringIO(text)))
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def with_long_cell(text: str, column: int) -> str:
    """``text`` with the first data row's cell ``column`` (0-based) past the cell bound."""
    rows = list(csv.reader(io.StringIO(text)))
    rows[1][column] = LONG
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def long_cell_message(column: str) -> str:
    return (
        f"Row 2, column “{column}” holds {len(LONG)} characters; a cell may hold at most "
        f"{CELL_LIMIT}."
    )


class OneCsvReaderTests(TestCase):
    def setUp(self) -> None:
        self.folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        make_framework()

    def write(self, name: str, data: bytes | str) -> Path:
        path = self.folder / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    def test_an_import_reads_a_semicolon_file_with_a_byte_order_mark(self) -> None:
        data = excel_european(IMPORT_CSV)
        table = open_table(io.BytesIO(data), name="answers.csv", size=len(data))
        assert table.delimiter == ";"
        assert [row.cells for row in table.rows] == [
            {"question_code": "GOV.1.a", "value": "3", "justification": "Adopted in 2024"}
        ]

    def test_the_scoring_command_line_reads_a_semicolon_file_with_a_byte_order_mark(self) -> None:
        path = self.write("data.csv", excel_european(SCORING_CSV))
        summary = score_table(SMALL_FRAMEWORK, path, self.folder / "out.csv")
        assert (summary.units, summary.columns) == (1, 2)

    def test_the_catalogue_reads_a_semicolon_file_with_a_byte_order_mark(self) -> None:
        path = self.write("catalogue.csv", excel_european(CATALOGUE_CSV))
        result = catalogue_load(catalogue=read_catalogue_file(path))
        assert result.created == 2
        skills = Intervention.objects.get(code="SKILLS")
        # The semicolon inside a quoted cell still separates the targets' list items.
        assert skills.targets == {"SKL": 25.0, "NET.1": 5.0}
        assert skills.prerequisites == ["STRAT"]

    def test_the_offer_catalogue_reads_a_semicolon_file_with_a_byte_order_mark(self) -> None:
        path = self.write("offers.csv", excel_european(OFFERS_CSV))
        result = offers_load(catalogue=read_offers_file(path))
        assert (result.providers, result.offers) == (1, 2)
        assert Offer.objects.get(code="C-2").languages == ["en", "sw"]

    @override_settings(IMPORT_MAX_CELL_CHARS=CELL_LIMIT)
    def test_every_path_refuses_an_oversized_cell_with_the_same_message(self) -> None:
        data = with_long_cell(IMPORT_CSV, 2).encode()
        with pytest.raises(ImportFileError) as imported:
            list(open_table(io.BytesIO(data), name="answers.csv", size=len(data)).rows)
        assert str(imported.value) == long_cell_message("justification")

        path = self.write("data.csv", with_long_cell(SCORING_CSV, 1))
        with pytest.raises(TableError) as scored:
            score_table(SMALL_FRAMEWORK, path, self.folder / "out.csv")
        assert scored.value.errors == [long_cell_message("net.1.a")]

        path = self.write("catalogue.csv", with_long_cell(CATALOGUE_CSV, 2))
        with pytest.raises(CatalogueError) as catalogue:
            read_catalogue_file(path)
        assert catalogue.value.errors == [f"file: {long_cell_message('title_en')}"]

        path = self.write("offers.csv", with_long_cell(OFFERS_CSV, 2))
        with pytest.raises(OfferCatalogueError) as offers:
            read_offers_file(path)
        assert offers.value.errors == [f"file: {long_cell_message('provider_name')}"]
        assert not Intervention.objects.exists() and not Offer.objects.exists()

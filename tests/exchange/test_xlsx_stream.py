"""The streamed XLSX writer: valid workbooks, delivered while rows are still being read."""

from __future__ import annotations

import io
from collections.abc import Iterator

from openpyxl import load_workbook

from exchange.xlsx_stream import stream_workbook


def read_back(data: bytes, width: int = 0) -> list[tuple]:
    """Rows as openpyxl reads them, padded to ``width`` (empty trailing cells are not stored)."""
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    return [row + (None,) * (width - len(row)) for row in rows]


def test_values_round_trip_through_openpyxl() -> None:
    rows = [
        ["Sénégal", 61.25, 3, True, None],
        ['<b>bold</b> & "quoted"', -0.5, 0, False, "  spaced  "],
        ["Кыргызстан 中文 🙂", float("nan"), 10**12, False, ""],
    ]
    data = b"".join(
        stream_workbook(sheet_name="answers", header=["a", "b", "c", "d", "e"], rows=rows)
    )
    got = read_back(data, width=5)
    assert got[0] == ("a", "b", "c", "d", "e")
    assert got[1] == ("Sénégal", 61.25, 3, True, None)
    assert got[2] == ('<b>bold</b> & "quoted"', -0.5, 0, False, "  spaced  ")
    assert got[3][0] == "Кыргызстан 中文 🙂"
    assert got[3][1] == "nan"  # a non-finite number is written as text, never as a broken cell
    assert got[3][2] == 10**12


def test_the_first_bytes_leave_before_the_rows_are_read() -> None:
    produced = []

    def rows() -> Iterator[list[int]]:
        for number in range(5_000):
            produced.append(number)
            yield [number, number * 2]

    chunks = stream_workbook(sheet_name="big", header=["n", "double"], rows=rows())
    first = next(chunks)
    assert first.startswith(b"PK")  # the ZIP's first entry is out
    assert produced == []  # ...before any row was asked for
    second = next(chunks)
    assert second and len(produced) < 5_000  # rows are sent in batches, not all at the end
    data = first + second + b"".join(chunks)
    got = read_back(data)
    assert len(got) == 5_001
    assert got[-1] == (4_999, 9_998)


def test_sheet_names_are_escaped() -> None:
    data = b"".join(stream_workbook(sheet_name='a "&<b>', header=["x"], rows=[[1]]))
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    assert workbook.sheetnames == ['a "&<b>']

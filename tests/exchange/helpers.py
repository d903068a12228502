"""Building import files the way spreadsheet programs write them."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook


def csv_bytes(
    rows: Sequence[Sequence[Any]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    bom: bool = False,
) -> bytes:
    """A CSV file; cells are written as given (quote them yourself where needed)."""
    text = "\r\n".join(delimiter.join(str(cell) for cell in row) for row in rows) + "\r\n"
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(
    rows: Sequence[Sequence[Any]], *, date_format: dict[int, str] | None = None
) -> bytes:
    """An XLSX workbook with typed cells; ``date_format`` maps a column index to a number format."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    for column, number_format in (date_format or {}).items():
        for cells in sheet.iter_rows(min_row=2, min_col=column + 1, max_col=column + 1):
            for cell in cells:
                cell.number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)

"""Tables written as spreadsheets: CSV, XLSX (streamed, see :mod:`tabular.xlsx_stream`) and JSON.

Every cell a person may have typed is neutralised (:func:`tabular.spreadsheet.neutralise`) so a
spreadsheet program never runs it as a formula. Used by the exports and by every page that
offers a download.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tabular.spreadsheet import neutralise
from tabular.xlsx_stream import stream_workbook

__all__ = ["CONTENT_TYPES", "ExportTable", "flat_cell", "stream_csv", "stream_json", "stream_xlsx"]

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_ROWS_PER_CHUNK = 1000
_XLSX_MAX_TEXT = 32_767
_XLSX_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")
# Characters Excel refuses in a sheet name.
_XLSX_SHEET_NAME = re.compile(r"[\\/?*\[\]:]")


@dataclass
class ExportTable:
    """Column names and a lazy iterator of rows (lists in column order)."""

    columns: list[str]
    rows: Iterator[list[Any]]
    name: str = "export"
    notes: list[str] = field(default_factory=list)


def flat_cell(value: Any) -> Any:
    """A JSON value as one spreadsheet cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "|".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def stream_csv(table: ExportTable, *, bom: bool = False) -> Iterator[bytes]:
    """UTF-8 CSV in chunks of rows; ``bom`` adds the byte-order mark Excel needs."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        yield "\ufeff".encode()
    writer.writerow([neutralise(name) for name in table.columns])
    count = 0
    for row in table.rows:
        writer.writerow([neutralise(flat_cell(value)) for value in row])
        count += 1
        if count % _ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    raise TypeError(f"cannot export {type(value).__name__}")


def stream_json(table: ExportTable) -> Iterator[bytes]:
    """A JSON array of objects, one per row, encoded in chunks."""
    parts: list[str] = ["["]
    first = True
    for row in table.rows:
        record = json.dumps(
            dict(zip(table.columns, row, strict=True)),
            ensure_ascii=False,
            default=_json_default,
        )
        parts.append(("\n" if first else ",\n") + record)
        first = False
        if len(parts) >= _ROWS_PER_CHUNK:
            yield "".join(parts).encode()
            parts = []
    parts.append("\n]\n")
    yield "".join(parts).encode()


def _xlsx_cell(value: Any) -> Any:
    value = flat_cell(value)
    if isinstance(value, str):
        # Control characters are not allowed in XLSX; openpyxl would refuse the whole file.
        value = _XLSX_ILLEGAL.sub("", value)[:_XLSX_MAX_TEXT]
        return neutralise(value)
    return value


def stream_xlsx(table: ExportTable, *, right_to_left: bool = False) -> Iterator[bytes]:
    """An XLSX workbook streamed while the rows are read (see xlsx_stream); ``right_to_left``
    for a reader of Arabic."""
    yield from stream_workbook(
        sheet_name=_XLSX_SHEET_NAME.sub(" ", table.name)[:31] or "export",
        header=[_xlsx_cell(name) for name in table.columns],
        rows=([_xlsx_cell(value) for value in row] for row in table.rows),
        right_to_left=right_to_left,
    )

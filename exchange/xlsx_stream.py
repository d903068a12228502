"""A single-sheet XLSX workbook written as a stream, row by row.

openpyxl (used for reading and for templates) assembles a workbook only when it is saved, so
the first byte of a 100,000-row export would leave after the last row was built. Here the
package is written through :mod:`zipfile` onto an unseekable sink (entries carry data
descriptors), and the sheet's XML is produced while rows arrive: the download starts at once
and memory stays bounded by one chunk. Cells are plain values (numbers, booleans, inline
strings), which is all an export needs; the result opens in Excel, LibreOffice and openpyxl.

Reference: ECMA-376 Part 1, §18.3 (worksheets), §18.3.1.53 (inline strings).
"""

from __future__ import annotations

import math
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from xml.sax.saxutils import escape  # nosec B406  # escape() writes XML, parses nothing

__all__ = ["column_name", "stream_workbook"]

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    "</Relationships>"
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
    'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>'
)
_SHEET_END = "</sheetData></worksheet>"
_ROWS_PER_WRITE = 500


def column_name(index: int) -> str:
    """The spreadsheet letters of a 0-based column index.

    >>> column_name(0), column_name(25), column_name(26), column_name(701), column_name(702)
    ('A', 'Z', 'AA', 'ZZ', 'AAA')
    """
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _cell(reference: str, value: Any, style: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{reference}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float) and math.isfinite(value):
        return f'<c r="{reference}"{style}><v>{value!r}</v></c>'
    text = escape(str(value))
    return (
        f'<c r="{reference}"{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    )


def _row(number: int, values: Sequence[Any], columns: Sequence[str], style: str = "") -> str:
    cells = "".join(
        _cell(f"{column}{number}", value, style)
        for column, value in zip(columns, values, strict=False)
    )
    return f'<row r="{number}">{cells}</row>'


class _Sink:
    """An unseekable file that keeps what was written until it is drained."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: data waits in memory until drained."""

    def drain(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def stream_workbook(
    *, sheet_name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Iterator[bytes]:
    """Yield the bytes of an XLSX workbook with one sheet: a bold header row, then ``rows``.

    Values must already be safe to show (formula-like text neutralised, control characters
    removed); numbers that are not finite are written as text.
    """
    sink = _Sink()
    columns = [column_name(index) for index in range(len(header))]
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{escape(sheet_name, {chr(34): "&quot;"})}" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    )
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as package:
        for name, content in (
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _ROOT_RELS),
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
            ("xl/styles.xml", _STYLES),
        ):
            package.writestr(name, content)
        yield sink.drain()
        with package.open("xl/worksheets/sheet1.xml", mode="w", force_zip64=True) as sheet:
            sheet.write(_SHEET_START.encode())
            sheet.write(_row(1, header, columns, ' s="1"').encode())
            batch: list[str] = []
            for number, values in enumerate(rows, start=2):
                batch.append(_row(number, values, columns))
                if len(batch) >= _ROWS_PER_WRITE:
                    sheet.write("".join(batch).encode())
                    batch.clear()
                    yield sink.drain()
            sheet.write(("".join(batch) + _SHEET_END).encode())
        yield sink.drain()
    yield sink.drain()

"""Reading uploaded tables (CSV or XLSX) row by row, with every problem placed in the file.

What spreadsheet users actually send is handled here, once, for every import:

- **encodings**: UTF-8 with or without a byte-order mark, and UTF-16 with a BOM (Excel's
  "Unicode text") are detected; anything else that is not valid UTF-8 is refused with the line
  of the first bad byte, unless the caller names the encoding (``cp1252``, ``latin-1``...);
- **delimiters**: comma, semicolon (Excel in most European locales) or tab, sniffed from the
  header line; a semicolon file is taken to use decimal commas too (``1,5`` means 1.5);
- **XLSX**: read with openpyxl in read-only mode (streamed, bounded memory), first sheet,
  typed cells (numbers stay numbers, date cells arrive as ``datetime``);
- **size**: files larger than ``settings.IMPORT_MAX_BYTES`` are refused before anything is read.

Rows are produced lazily, so a large file is never held in memory as a whole.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

__all__ = [
    "ENCODINGS",
    "ImportFileError",
    "RowError",
    "Table",
    "TableRow",
    "excel_serial_to_date",
    "normalise_header",
    "open_table",
]

#: Encodings a user may choose for a CSV file that is not UTF-8.
ENCODINGS = ("utf-8", "cp1252", "latin-1", "utf-16")
_XLSX_MAGIC = b"PK\x03\x04"
# Excel counts days from 1899-12-30 (so that its fictitious 1900-02-29 lines up).
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_HEADER_SPACES = re.compile(r"[\s\-]+")


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message says why and what to do."""


@dataclass(frozen=True)
class RowError:
    """One problem in one cell (or row, when ``column`` is empty) of an imported file."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = _("row %(row)s") % {"row": self.row}
        if self.column:
            where += ", " + _("column “%(column)s”") % {"column": self.column}
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class TableRow:
    """A data row: its number as a spreadsheet shows it (header is row 1) and its cells."""

    number: int
    cells: dict[str, Any]


@dataclass
class Table:
    """An opened file: normalised column names and a lazy iterator over its data rows."""

    columns: list[str]
    rows: Iterator[TableRow]
    file_format: str
    encoding: str = ""
    delimiter: str = ""

    @property
    def decimal_comma(self) -> bool:
        """Semicolon-separated files come from locales that write 1,5 for one and a half."""
        return self.delimiter == ";"


def normalise_header(name: Any) -> str:
    """Column names compare case- and space-insensitively.

    >>> normalise_header(" Question Code ")
    'question_code'
    >>> normalise_header(None)
    ''
    """
    if name is None:
        return ""
    return _HEADER_SPACES.sub("_", str(name).strip().lower())


def excel_serial_to_date(serial: float) -> datetime.date:
    """The date of an Excel serial day number (1900 date system).

    Raises ``ValueError`` outside Excel's range (1 to 2958465, i.e. up to 9999-12-31).

    >>> excel_serial_to_date(45747)
    datetime.date(2025, 3, 31)
    """
    if not 1 <= serial <= 2_958_465:
        raise ValueError("not an Excel date serial number")
    return _EXCEL_EPOCH + datetime.timedelta(days=int(serial))


def open_table(
    source: IO[bytes],
    *,
    name: str,
    size: int | None = None,
    encoding: str = "",
) -> Table:
    """Open an uploaded or local file as a :class:`Table`.

    Parameters
    ----------
    source
        A binary file object positioned at its start (an ``UploadedFile`` or an open file).
    name
        The file's name; ``.xlsx`` selects the XLSX reader, anything else is read as CSV
        (the content is checked too: a ZIP archive is never read as text).
    size
        The size in bytes when known; larger than ``settings.IMPORT_MAX_BYTES`` is refused.
    encoding
        For CSV only: force an encoding instead of detecting UTF-8/UTF-16.

    Raises
    ------
    ImportFileError
        Too large, empty, unreadable, not UTF-8, or without a header row.
    """
    limit = settings.IMPORT_MAX_BYTES
    if size is not None and size > limit:
        raise ImportFileError(
            _(
                "The file is %(size)s MB; the largest file accepted is %(limit)s MB. Split it "
                "into smaller files."
            )
            % {"size": f"{size / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"}
        )
    head = source.read(4)
    source.seek(0)
    if not head:
        raise ImportFileError(_("The file is empty."))
    is_zip = head == _XLSX_MAGIC
    if name.lower().endswith((".xlsx", ".xlsm")) or is_zip:
        if not is_zip:
            raise ImportFileError(_("The file is not an Excel workbook (.xlsx)."))
        return _open_xlsx(source)
    if encoding and encoding not in ENCODINGS:
        raise ImportFileError(_("Unknown encoding “%(encoding)s”.") % {"encoding": encoding})
    return _open_csv(source, encoding)


def _detect_encoding(head: bytes, forced: str) -> tuple[str, int]:
    """(encoding, bytes of BOM to skip)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", len(codecs.BOM_UTF8)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", 0
    return forced or "utf-8", 0


def _decoded_lines(source: IO[bytes], encoding: str, skip: int) -> Iterator[str]:
    """The file's physical lines, decoded one by one so a bad byte is placed exactly."""
    if encoding == "utf-16":
        # Lines cannot be split on b"\n" in UTF-16; decode as a stream (the BOM says the order).
        source.seek(0)
        reader = codecs.getreader("utf-16")(source)
        try:
            yield from reader
        except UnicodeError:
            raise ImportFileError(
                _("The file is not valid UTF-16. Save it as “CSV UTF-8” from your spreadsheet.")
            ) from None
        return
    source.seek(skip)
    for number, raw in enumerate(source, start=1):
        try:
            yield raw.decode(encoding)
        except UnicodeDecodeError as error:
            raise ImportFileError(
                _(
                    "Line %(line)s is not valid %(encoding)s (byte 0x%(byte)02X). Save the file "
                    "as “CSV UTF-8” from your spreadsheet, or choose its encoding (for example "
                    "Windows-1252 for Western European Excel files)."
                )
                % {
                    "line": number,
                    "encoding": encoding.upper(),
                    "byte": raw[error.start],
                }
            ) from None


def _sniff_delimiter(header_line: str) -> str:
    counts = {delimiter: header_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _open_csv(source: IO[bytes], forced_encoding: str) -> Table:
    head = source.read(4)
    encoding, skip = _detect_encoding(head, forced_encoding)
    lines = _decoded_lines(source, encoding, skip)
    first = ""
    for line in lines:
        if line.strip():
            first = line
            break
    if not first:
        raise ImportFileError(_("The file is empty."))
    delimiter = _sniff_delimiter(first)

    def all_lines() -> Iterator[str]:
        yield first
        yield from lines

    reader = csv.reader(all_lines(), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as error:
        raise ImportFileError(
            _("The header row cannot be read: %(error)s") % {"error": error}
        ) from None
    columns = _columns(header)

    def rows() -> Iterator[TableRow]:
        try:
            for cells in reader:
                if not any(cell.strip() for cell in cells):
                    continue
                yield TableRow(reader.line_num, _cells(columns, cells))
        except csv.Error as error:
            raise ImportFileError(
                _("Line %(line)s cannot be read: %(error)s")
                % {"line": reader.line_num, "error": error}
            ) from None

    return Table(columns, rows(), "csv", encoding=encoding, delimiter=delimiter)


def _open_xlsx(source: IO[bytes]) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ImportFileError(
            _("The workbook cannot be opened (%(error)s).") % {"error": error}
        ) from None
    sheet = workbook.worksheets[0]
    # Dimensions written by other programs can be wrong (too small or absurdly large).
    sheet.reset_dimensions()
    iterator = enumerate(sheet.iter_rows(values_only=True), start=1)
    header: tuple[Any, ...] | None = None
    for _number, values in iterator:
        if any(value is not None and str(value).strip() for value in values):
            header = values
            break
    if header is None:
        workbook.close()
        raise ImportFileError(_("The file is empty."))
    columns = _columns(header)

    def rows() -> Iterator[TableRow]:
        try:
            for number, values in iterator:
                if not any(value is not None and str(value).strip() for value in values):
                    continue
                yield TableRow(number, _cells(columns, values))
        finally:
            workbook.close()

    return Table(columns, rows(), "xlsx")


def _columns(header: Any) -> list[str]:
    columns = [normalise_header(name) for name in header]
    while columns and not columns[-1]:
        columns.pop()
    if not any(columns):
        raise ImportFileError(_("The first row must name the columns."))
    seen: set[str] = set()
    for name in columns:
        if name and name in seen:
            raise ImportFileError(
                _("The column “%(column)s” appears twice in the header.") % {"column": name}
            )
        seen.add(name)
    return columns


def _cells(columns: list[str], values: Any) -> dict[str, Any]:
    cells: dict[str, Any] = {}
    for name, value in zip(columns, values, strict=False):
        if name:
            cells[name] = value.strip() if isinstance(value, str) else value
    return cells

"""Reading uploaded tables (CSV or XLSX) row by row, with every problem placed in the file.

What spreadsheet users actually send is handled here, once, for every import:

- **encodings**: UTF-8 with or without a byte-order mark, and UTF-16 with a BOM (Excel's
  "Unicode text") are detected; anything else that is not valid UTF-8 is refused with the line
  of the first bad byte, unless the caller names the encoding (``cp1252``, ``latin-1``...);
- **delimiters**: comma, semicolon (Excel in most European locales) or tab, sniffed from the
  header line; a semicolon file is taken to use decimal commas too (``1,5`` means 1.5);
- **XLSX**: read with openpyxl in read-only mode (streamed, bounded memory), first sheet,
  typed cells (numbers stay numbers, date cells arrive as ``datetime``);
- **size**: files larger than ``settings.IMPORT_MAX_BYTES`` are refused before anything is read;
- **bounds** (:mod:`exchange.limits`): an XLSX whose parts unpack past the limits, or
  whose sheet declares more rows or columns than accepted, is refused before it is parsed; XML
  entity declarations are refused by defusedxml, which openpyxl uses for every XML part; rows,
  columns and cell lengths are counted as rows are read, so no file costs more than the limits.

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
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from exchange.limits import (
    ImportLimits,
    LimitExceeded,
    check_archive,
    count_row_elements,
    count_text,
)

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


def _too_many_rows(limit: int) -> ImportFileError:
    return ImportFileError(
        _("The file has more than %(limit)s rows, the most an import accepts. Split it.")
        % {"limit": count_text(limit)}
    )


def _too_many_columns(count: int, limit: int) -> ImportFileError:
    return ImportFileError(
        _("A row has %(count)s columns; the most an import accepts is %(limit)s.")
        % {"count": count_text(count), "limit": count_text(limit)}
    )


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
    sheet: str | None = None,
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
    sheet
        For XLSX only: the sheet to read (default: the first).

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
    limits = ImportLimits.from_settings()
    if name.lower().endswith((".xlsx", ".xlsm")) or is_zip:
        if not is_zip:
            raise ImportFileError(_("The file is not an Excel workbook (.xlsx)."))
        return _open_xlsx(source, limits, sheet)
    if encoding and encoding not in ENCODINGS:
        raise ImportFileError(_("Unknown encoding “%(encoding)s”.") % {"encoding": encoding})
    return _open_csv(source, encoding, limits)


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


def _count_line_breaks(source: IO[bytes]) -> int:
    """Line breaks in the file, counted a megabyte at a time at C speed (then rewound)."""
    source.seek(0)
    count = sum(chunk.count(b"\n") for chunk in iter(lambda: source.read(1 << 20), b""))
    source.seek(0)
    return count


def _open_csv(source: IO[bytes], forced_encoding: str, limits: ImportLimits) -> Table:
    head = source.read(4)
    encoding, skip = _detect_encoding(head, forced_encoding)
    # Reading rows up to the limit would take seconds; counting line breaks takes milliseconds.
    # A cell may hold line breaks, so a file refused here has more lines than the limit, if
    # perhaps fewer rows. (In UTF-16 a 0x0A byte is not always a line break: not counted.)
    if encoding != "utf-16" and _count_line_breaks(source) > limits.max_rows:
        raise ImportFileError(
            _("The file has more than %(limit)s lines, the most an import accepts. Split it.")
            % {"limit": count_text(limits.max_rows)}
        )
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
    columns = _columns(header, limits)

    def rows() -> Iterator[TableRow]:
        try:
            for count, cells in enumerate(reader, start=2):
                if count > limits.max_rows:
                    raise _too_many_rows(limits.max_rows)
                if not any(cell.strip() for cell in cells):
                    continue
                yield TableRow(reader.line_num, _cells(columns, cells, reader.line_num, limits))
        except csv.Error as error:
            raise ImportFileError(
                _("Line %(line)s cannot be read: %(error)s")
                % {"line": reader.line_num, "error": error}
            ) from None

    return Table(columns, rows(), "csv", encoding=encoding, delimiter=delimiter)


def _open_xlsx(source: IO[bytes], limits: ImportLimits, sheet_name: str | None = None) -> Table:
    from xml.etree.ElementTree import ParseError  # nosec B405  # only the exception class; defusedxml parses

    import openpyxl
    from defusedxml import DefusedXmlException

    if not openpyxl.DEFUSEDXML:
        # openpyxl falls back to the standard library's parser, which expands entities, when
        # defusedxml is missing or OPENPYXL_DEFUSEDXML=False: never read uploads that way.
        raise ImproperlyConfigured("openpyxl must parse XML with defusedxml (see README).")
    unreadable = (zipfile.BadZipFile, KeyError, OSError, ValueError, ParseError, EOFError)
    try:
        check_archive(source, limits)
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
        sheet = workbook[sheet_name] if sheet_name else workbook.worksheets[0]
    except LimitExceeded as error:
        raise ImportFileError(str(error)) from None
    except (*unreadable, IndexError) as error:
        if _caused_by(error, DefusedXmlException):
            raise _entities_refused() from None
        raise ImportFileError(
            _("The workbook cannot be opened (%(error)s).") % {"error": error}
        ) from None
    # The dimension the sheet declares is read from its first bytes: a sheet that says it is
    # larger than the limits is refused before its rows are parsed.
    declared_rows, declared_columns = sheet.max_row or 0, sheet.max_column or 0
    if declared_rows > limits.max_rows or declared_columns > limits.max_columns:
        workbook.close()
        raise ImportFileError(
            _(
                "The sheet declares %(rows)s rows and %(columns)s columns; an import accepts "
                "at most %(max_rows)s rows and %(max_columns)s columns. If the sheet is really "
                "smaller, copy its data into a new workbook."
            )
            % {
                "rows": count_text(declared_rows),
                "columns": count_text(declared_columns),
                "max_rows": count_text(limits.max_rows),
                "max_columns": count_text(limits.max_columns),
            }
        )
    # A dimension can also understate the sheet: its row elements are counted too.
    try:
        with sheet._get_source() as part:  # openpyxl's own handle on the sheet's part
            written_rows = count_row_elements(part, stop_after=limits.max_rows)
    except unreadable as error:
        workbook.close()
        raise ImportFileError(
            _("The workbook cannot be read (%(error)s).") % {"error": error}
        ) from None
    if written_rows > limits.max_rows:
        workbook.close()
        raise _too_many_rows(limits.max_rows)
    # Dimensions written by other programs can be wrong (too small or absurdly large).
    sheet.reset_dimensions()
    iterator = enumerate(sheet.iter_rows(values_only=True), start=1)

    def bounded() -> Iterator[tuple[int, tuple[Any, ...]]]:
        try:
            for number, values in iterator:
                # Rows missing from the file are produced empty up to the next row number,
                # so a single row numbered 3,000,000 is refused here, not iterated to.
                if number > limits.max_rows:
                    raise _too_many_rows(limits.max_rows)
                if len(values) > limits.max_columns:
                    raise _too_many_columns(len(values), limits.max_columns)
                yield number, values
        except ImportFileError:
            raise
        except unreadable as error:
            if _caused_by(error, DefusedXmlException):
                raise _entities_refused() from None
            raise ImportFileError(
                _("The workbook cannot be read (%(error)s).") % {"error": error}
            ) from None

    rows_read = bounded()
    header: tuple[Any, ...] | None = None
    try:
        for _number, values in rows_read:
            if any(value is not None and str(value).strip() for value in values):
                header = values
                break
    except ImportFileError:
        workbook.close()
        raise
    if header is None:
        workbook.close()
        raise ImportFileError(_("The file is empty."))
    columns = _columns(header, limits)

    def rows() -> Iterator[TableRow]:
        try:
            for number, values in rows_read:
                if not any(value is not None and str(value).strip() for value in values):
                    continue
                yield TableRow(number, _cells(columns, values, number, limits))
        finally:
            workbook.close()

    return Table(columns, rows(), "xlsx")


def _caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    """Whether ``error`` or an exception it was raised from is a ``kind``.

    openpyxl re-raises parser errors as a generic ``ValueError`` while handling them.
    """
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _entities_refused() -> ImportFileError:
    return ImportFileError(
        _(
            "The workbook contains XML entity declarations, which are refused for safety. "
            "Save the data in a new workbook from your spreadsheet program."
        )
    )


def _columns(header: Any, limits: ImportLimits) -> list[str]:
    if len(header) > limits.max_columns:
        raise _too_many_columns(len(header), limits.max_columns)
    for name in header:
        if isinstance(name, str) and len(name) > limits.max_cell_chars:
            raise _cell_too_long(1, "", len(name), limits.max_cell_chars)
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


def _cell_too_long(row: int, column: str, length: int, limit: int) -> ImportFileError:
    return ImportFileError(
        _(
            "Row %(row)s, column “%(column)s” holds %(length)s characters; a cell may hold at "
            "most %(limit)s."
        )
        % {"row": row, "column": column, "length": count_text(length), "limit": count_text(limit)}
    )


def _cells(columns: list[str], values: Any, row: int, limits: ImportLimits) -> dict[str, Any]:
    if len(values) > limits.max_columns:
        raise _too_many_columns(len(values), limits.max_columns)
    cells: dict[str, Any] = {}
    for name, value in zip(columns, values, strict=False):
        if isinstance(value, str) and len(value) > limits.max_cell_chars:
            raise _cell_too_long(row, name, len(value), limits.max_cell_chars)
        if name:
            cells[name] = value.strip() if isinstance(value, str) else value
    return cells

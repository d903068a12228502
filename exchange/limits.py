"""Bounds on what an uploaded file may make the server do, checked before anything is parsed.

A small upload can ask for a great deal of work: an XLSX is a ZIP archive whose 1.4 MB can
unpack to 420 MB of shared strings (a "zip bomb"), a sheet can declare three million rows, a
JSON body can nest 100,000 arrays deep (Python's parser then overflows its stack). Each
import therefore checks cheap facts first — the sizes the archive declares, the dimension the
sheet declares, the nesting of the JSON text — and refuses past the limits with a message that
names the limit, before the expensive parser runs.

The limits come from settings (``IMPORT_MAX_*`` and ``API_JSON_MAX_*``, documented in
``.env.example``) so a deployment with unusual files can raise them.
"""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass
from itertools import accumulate
from typing import IO

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

__all__ = [
    "ImportLimits",
    "LimitExceeded",
    "check_archive",
    "check_json_text",
    "count_row_elements",
    "count_text",
]

# The end-of-central-directory record: signature, then at offset 10 the total number of
# entries (APPNOTE.TXT 4.3.16). It sits in the last 22 bytes plus an optional comment of at
# most 65,535 bytes.
_END_OF_DIRECTORY = b"PK\x05\x06"
_END_OF_DIRECTORY_SEARCH = 22 + 65_535
# A sheet's <row> elements, with or without a namespace prefix (<x:row ...>).
_ROW_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


class LimitExceeded(ValueError):
    """A file goes past one of the configured limits; the message names the limit."""


@dataclass(frozen=True)
class ImportLimits:
    """The configured bounds of one import (see ``.env.example``)."""

    max_rows: int
    max_columns: int
    max_cell_chars: int
    max_member_bytes: int
    max_unpacked_bytes: int
    max_archive_members: int

    @classmethod
    def from_settings(cls) -> ImportLimits:
        return cls(
            max_rows=settings.IMPORT_MAX_ROWS,
            max_columns=settings.IMPORT_MAX_COLUMNS,
            max_cell_chars=settings.IMPORT_MAX_CELL_CHARS,
            max_member_bytes=settings.IMPORT_MAX_UNPACKED_PART_BYTES,
            max_unpacked_bytes=settings.IMPORT_MAX_UNPACKED_BYTES,
            max_archive_members=settings.IMPORT_MAX_ARCHIVE_PARTS,
        )


def count_text(count: int) -> str:
    """A count with the reader's thousands separator (3,000,000 in English, 3 000 000 in French)."""
    return number_format(count, force_grouping=True)


def _megabytes(size: int) -> str:
    return f"{size / 1048576:.1f}"


def _declared_entries(source: IO[bytes]) -> int | None:
    """The entry count of the archive's end record, read without building the directory."""
    source.seek(0, 2)
    length = source.tell()
    start = max(0, length - _END_OF_DIRECTORY_SEARCH)
    source.seek(start)
    tail = source.read(length - start)
    source.seek(0)
    position = tail.rfind(_END_OF_DIRECTORY)
    if position < 0 or position + 12 > len(tail):
        return None
    (entries,) = struct.unpack_from("<H", tail, position + 10)
    return int(entries)


def check_archive(source: IO[bytes], limits: ImportLimits) -> None:
    """Refuse an XLSX archive whose parts would unpack past the limits.

    Only the central directory is read (a few kilobytes), never a part's content. The sizes
    it declares are binding: Python's ``zipfile`` stops inflating a part at its declared size
    and then fails its CRC check, so an archive that understates a part's size cannot unpack
    more than it declared.

    Raises
    ------
    LimitExceeded
        Too many parts, a part or the whole larger than the limits once unpacked.
    zipfile.BadZipFile
        Not a readable ZIP archive.
    """
    entries = _declared_entries(source)
    # 0xFFFF means "see the ZIP64 record": no spreadsheet program needs that many parts.
    if entries is not None and entries > limits.max_archive_members:
        raise LimitExceeded(
            _(
                "The workbook is made of %(count)s parts; the most accepted is %(limit)s. "
                "Save the data in a new, plain workbook."
            )
            % {"count": entries, "limit": limits.max_archive_members}
        )
    with zipfile.ZipFile(source) as archive:
        parts = archive.infolist()
        if len(parts) > limits.max_archive_members:
            raise LimitExceeded(
                _(
                    "The workbook is made of %(count)s parts; the most accepted is %(limit)s. "
                    "Save the data in a new, plain workbook."
                )
                % {"count": len(parts), "limit": limits.max_archive_members}
            )
        total = 0
        for part in parts:
            if part.file_size > limits.max_member_bytes:
                raise LimitExceeded(
                    _(
                        "The part “%(part)s” of the workbook unpacks to %(size)s MB; the "
                        "largest part accepted is %(limit)s MB unpacked. Split the data into "
                        "smaller files."
                    )
                    % {
                        "part": part.filename[:100],
                        "size": _megabytes(part.file_size),
                        "limit": _megabytes(limits.max_member_bytes),
                    }
                )
            total += part.file_size
        if total > limits.max_unpacked_bytes:
            raise LimitExceeded(
                _(
                    "The workbook unpacks to %(size)s MB; the largest accepted is %(limit)s MB "
                    "unpacked. Split the data into smaller files."
                )
                % {"size": _megabytes(total), "limit": _megabytes(limits.max_unpacked_bytes)}
            )
    source.seek(0)


def count_row_elements(part: IO[bytes], *, stop_after: int) -> int:
    """How many ``<row>`` elements a sheet's XML holds, counted without parsing it.

    Inflating and scanning the part costs a small fraction of parsing it (openpyxl), so a sheet
    whose declared dimension understates its rows is still refused quickly. Counting stops
    once it passes ``stop_after``.
    """
    count = 0
    carry = b""
    for chunk in iter(lambda: part.read(1 << 20), b""):
        # Keep from the last "<" on for the next chunk, so no element is split between two.
        buffer = carry + chunk
        cut = buffer.rfind(b"<")
        if cut < 0:
            cut = len(buffer)
        count += len(_ROW_ELEMENT.findall(buffer, 0, cut))
        carry = buffer[cut:]
        if count > stop_after:
            return count
    return count + len(_ROW_ELEMENT.findall(carry))


def json_depth(text: bytes) -> int:
    """How deeply arrays and objects nest in a JSON text, counted without parsing it.

    Strings are blanked out first (a bracket inside a string does not nest), then the
    brackets are counted, all at C speed: a 100,000-deep text is measured in milliseconds
    where ``json.loads`` would exhaust the interpreter's stack.

    >>> json_depth(b'{"a": [1, [2, "]]]"]]}')
    3
    >>> json_depth(b'"plain"')
    0
    """
    brackets = _JSON_BRACKET.findall(_JSON_STRING.sub(b'""', text))
    steps = (1 if bracket in (b"[", b"{") else -1 for bracket in brackets)
    return max(accumulate(steps, initial=0))


def check_json_text(text: bytes, *, max_bytes: int, max_depth: int) -> None:
    """Refuse a JSON body larger or more deeply nested than the limits, before parsing it."""
    if len(text) > max_bytes:
        raise LimitExceeded(
            _("The request body is over %(limit)s KB, the largest accepted.")
            % {"limit": count_text(max_bytes // 1024)}
        )
    depth = json_depth(text)
    if depth > max_depth:
        raise LimitExceeded(
            _("The JSON nests %(depth)s levels deep; the most accepted is %(limit)s levels.")
            % {"depth": count_text(depth), "limit": max_depth}
        )

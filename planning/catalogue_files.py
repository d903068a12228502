"""Reading catalogue files — interventions and offers — as YAML or CSV, problems placed.

Both catalogues are written by hand or exported from a spreadsheet, as YAML (a mapping of
sections holding lists of entries) or CSV (one entry per row). What they share is read here,
once: the file's name and size, YAML parsed safely into a mapping, and CSV read by the import
reader (:func:`tabular.reading.read_csv_rows`: UTF-8 with or without byte-order
mark, UTF-16, comma/semicolon/tab, the import bounds) with its header checked against the
catalogue's columns. Every problem names its place: ``file: …``, ``header, column 'x': …``,
``row 4: …``. Each catalogue then checks its own values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from surveys.frameworks.reading import FrameworkError, parse_yaml
from tabular.reading import ImportFileError, normalise_header, read_csv_rows

__all__ = [
    "MAX_FILE_BYTES",
    "SUFFIXES",
    "CatalogueFileText",
    "CsvEntries",
    "check_file_size",
    "csv_entries",
    "read_catalogue_file_text",
    "yaml_mapping",
]

#: Largest catalogue file accepted (bytes), YAML or CSV.
MAX_FILE_BYTES = 5 * 1024 * 1024
SUFFIXES = (".yaml", ".yml", ".csv")

#: Builds the catalogue's own error from its list of problems (e.g. ``CatalogueError``).
ErrorClass = Callable[[list[str]], Exception]


@dataclass(frozen=True)
class CatalogueFileText:
    """A catalogue file's content, not parsed yet: bytes for CSV (the reader detects the
    encoding), text for YAML."""

    content: bytes | str
    is_csv: bool


@dataclass(frozen=True)
class CsvEntries:
    """The data rows of a catalogue CSV, keyed by normalised column name.

    ``rows`` holds ``(place, cells)`` with ``place`` "row 4" (the row's line in the file);
    ``problems`` lists rows that could not be read (more cells than columns, several
    framework codes), for the catalogue to report with its value problems.
    """

    rows: tuple[tuple[str, dict[str, str]], ...]
    framework_code: str | None
    problems: tuple[str, ...]


def read_catalogue_file_text(path: str | Path, *, error_class: ErrorClass) -> CatalogueFileText:
    """The content of a ``.yaml``/``.yml`` or ``.csv`` file, or ``error_class`` saying why not."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise error_class(
            [_("file: %(name)s must end in .yaml, .yml or .csv") % {"name": path.name}]
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise error_class(
            [
                _("file: cannot read %(path)s: %(reason)s")
                % {"path": path, "reason": error.strerror or error}
            ]
        ) from error
    if suffix == ".csv":
        return CatalogueFileText(data, is_csv=True)
    try:
        return CatalogueFileText(data.decode("utf-8-sig"), is_csv=False)
    except UnicodeDecodeError as error:
        raise error_class([_("file: %(name)s is not UTF-8 text") % {"name": path.name}]) from error


def check_file_size(content: bytes | str, *, error_class: ErrorClass) -> None:
    """Refuse a catalogue larger than :data:`MAX_FILE_BYTES`."""
    size = len(content if isinstance(content, bytes) else content.encode("utf-8", "replace"))
    if size > MAX_FILE_BYTES:
        raise error_class([_("file: larger than %(limit)s bytes") % {"limit": MAX_FILE_BYTES}])


def yaml_mapping(text: str, *, error_class: ErrorClass, expected: str) -> dict[str, Any]:
    """The YAML text as a mapping; ``expected`` says what the top level should hold."""
    try:
        data = parse_yaml(text)
    except FrameworkError as error:
        raise error_class([str(issue) for issue in error.issues]) from error
    if not isinstance(data, dict):
        raise error_class([expected])
    return data


def csv_entries(
    content: bytes | str,
    *,
    error_class: ErrorClass,
    allowed: Collection[str],
    allowed_pattern: str,
    required: Sequence[str],
) -> CsvEntries:
    """Read a catalogue CSV and check its header (``allowed`` names or ``allowed_pattern``).

    Raises ``error_class`` for an unreadable file or a header with unknown or missing
    columns; blank rows are skipped.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        table = read_csv_rows(data)
        header = [normalise_header(name) for name in table.header]
        _check_header(header, error_class, allowed, allowed_pattern, required)
        rows, problems, frameworks = [], [], set()
        for line, cells in table.rows:
            if any(cells[len(header) :]):
                problems.append(
                    _("row %(number)s: more cells than columns in the header") % {"number": line}
                )
                continue
            values = dict(zip(header, [*cells, *[""] * (len(header) - len(cells))], strict=True))
            if values.get("framework"):
                frameworks.add(values["framework"])
            rows.append((_("row %(number)s") % {"number": line}, values))
    except ImportFileError as error:
        raise error_class([_("file: %(problem)s") % {"problem": error}]) from error
    if len(frameworks) > 1:
        problems.append(
            _("column 'framework': several frameworks in one file: %(codes)s")
            % {"codes": sorted(frameworks)}
        )
    return CsvEntries(tuple(rows), next(iter(frameworks), None), tuple(problems))


def _check_header(
    header: Sequence[str],
    error_class: ErrorClass,
    allowed: Collection[str],
    allowed_pattern: str,
    required: Sequence[str],
) -> None:
    """Refuse unknown and missing columns, all listed at once."""
    errors = [
        _("header, column %(column)s: unknown column") % {"column": repr(column)}
        for column in header
        if column not in allowed and not re.fullmatch(allowed_pattern, column)
    ]
    for column in required:
        if column not in header:
            errors.append(_("header: missing column %(column)s") % {"column": repr(column)})
    if errors:
        raise error_class(errors)

"""Read and check a statistics file (the format is documented in ``docs/official-statistics.md``).

A statistics file is UTF-8 CSV: a few ``# key: value`` lines describing the source, then a
header row and one row per value (long format)::

    # source: itu-idi-2024
    # name: ICT Development Index 2024
    # ...
    iso3,economy,region,income_group,indicator,indicator_name,unit,year,value,estimate,lagged
    ALB,Albania,EUR,UMI,internet_users_pct,Individuals using the Internet,percent,2022,82.6,,

:func:`read_statistics_file` checks everything and raises :class:`StatisticsFileError` listing
every problem with its row (the line of the file, counting from 1) and column; nothing here
touches the database, so the same check runs before any write.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pycountry

__all__ = [
    "COLUMNS",
    "REQUIRED_COLUMNS",
    "SOURCE_KEYS",
    "LinkedUnit",
    "ParsedEconomy",
    "ParsedIndicator",
    "ParsedSource",
    "ParsedValue",
    "StatisticsFile",
    "StatisticsFileError",
    "parse_statistics_text",
    "read_statistics_file",
]

#: Keys of the ``# key: value`` lines; every one is required (a source must be citable).
SOURCE_KEYS = ("source", "name", "publisher", "edition", "year", "licence", "attribution", "url")
COLUMNS = (
    "iso3",
    "economy",
    "region",
    "income_group",
    "indicator",
    "indicator_name",
    "unit",
    "year",
    "value",
    "estimate",
    "lagged",
)
REQUIRED_COLUMNS = ("iso3", "economy", "indicator", "unit", "year", "value")
#: Errors listed in full; more are counted.
MAX_LISTED_ERRORS = 200

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_SOURCE_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_TRUE = frozenset({"1", "yes", "true", "y"})
_FALSE = frozenset({"", "0", "no", "false", "n"})
_ISO3 = frozenset(country.alpha_3 for country in pycountry.countries)


@dataclass(frozen=True)
class ParsedSource:
    code: str
    name: str
    publisher: str
    edition: str
    year: int
    licence: str
    attribution: str
    url: str


@dataclass(frozen=True)
class ParsedIndicator:
    code: str
    name: str
    unit: str


@dataclass(frozen=True)
class ParsedEconomy:
    iso3: str
    name: str
    region: str
    income_group: str


@dataclass(frozen=True)
class ParsedValue:
    iso3: str
    indicator: str
    year: int
    value: float
    estimate: bool
    lagged: bool


@dataclass(frozen=True)
class StatisticsFile:
    """A checked statistics file."""

    source: ParsedSource
    indicators: tuple[ParsedIndicator, ...]
    economies: tuple[ParsedEconomy, ...]
    values: tuple[ParsedValue, ...]


@dataclass(frozen=True)
class LinkedUnit:
    """A framework question linked to a source indicator, and the unit it expects."""

    place: str
    unit: str


class StatisticsFileError(ValueError):
    """Problems in a statistics file; ``errors`` lists each as ``row N, column C: reason``."""

    def __init__(self, errors: Sequence[str], total: int | None = None) -> None:
        self.errors = list(errors)
        self.total = total if total is not None else len(self.errors)
        more = self.total - len(self.errors)
        tail = f"\n… and {more} more" if more > 0 else ""
        super().__init__("\n".join(self.errors) + tail)


@dataclass
class _Errors:
    listed: list[str] = field(default_factory=list)
    total: int = 0

    def add(self, row: int, column: str, reason: str) -> None:
        self.total += 1
        if len(self.listed) < MAX_LISTED_ERRORS:
            place = f"row {row}, column {column}" if column else f"row {row}"
            self.listed.append(f"{place}: {reason}")


def _flag(text: str, row: int, column: str, errors: _Errors) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered not in _FALSE:
        errors.add(row, column, f"{text!r} is not a flag; use 1 (yes) or leave it empty (no)")
    return False


def _year(text: str, row: int, column: str, errors: _Errors) -> int:
    try:
        year = int(text.strip())
    except ValueError:
        errors.add(row, column, f"{text!r} is not a year")
        return 0
    if not 1900 <= year <= 2100:
        errors.add(row, column, f"{year} is not a plausible year (1900–2100)")
        return 0
    return year


def _read_source(lines: list[tuple[int, str]], errors: _Errors) -> ParsedSource | None:
    found: dict[str, tuple[int, str]] = {}
    for number, line in lines:
        key, colon, value = line.lstrip("#").partition(":")
        key = key.strip()
        if not colon:
            errors.add(number, "", "expected '# key: value' describing the source")
        elif key not in SOURCE_KEYS:
            errors.add(number, key, f"unknown source key; expected one of {', '.join(SOURCE_KEYS)}")
        elif key in found:
            errors.add(number, key, f"already given on row {found[key][0]}")
        else:
            found[key] = (number, value.strip())
    first_data_row = lines[-1][0] + 1 if lines else 1
    for key in SOURCE_KEYS:
        if not found.get(key, (0, ""))[1]:
            row = found[key][0] if key in found else first_data_row
            errors.add(row, key, f"the source needs '# {key}: …' (every source must be citable)")
    if any(not found.get(key, (0, ""))[1] for key in SOURCE_KEYS):
        return None
    code_row, code = found["source"]
    if not _SOURCE_CODE.match(code):
        errors.add(code_row, "source", f"{code!r}: use lower-case letters, digits and '-'")
    year_row, year_text = found["year"]
    url_row, url = found["url"]
    if not url.startswith(("https://", "http://")):
        errors.add(url_row, "url", f"{url!r} is not a web address (https://…)")
    return ParsedSource(
        code=code,
        name=found["name"][1][:200],
        publisher=found["publisher"][1][:200],
        edition=found["edition"][1][:100],
        year=_year(year_text, year_row, "year", errors),
        licence=found["licence"][1][:300],
        attribution=found["attribution"][1],
        url=url,
    )


def _source_code(lines: list[tuple[int, str]]) -> str:
    """The ``# source:`` code, even when other keys are wrong (to check linked units anyway)."""
    for _number, line in lines:
        key, _colon, value = line.lstrip("#").partition(":")
        if key.strip() == "source":
            return value.strip()
    return ""


def parse_statistics_text(
    text: str, *, linked_units: Mapping[tuple[str, str], Sequence[LinkedUnit]] | None = None
) -> StatisticsFile:
    """Check a statistics file's text; raise :class:`StatisticsFileError` with every problem.

    ``linked_units`` maps ``(source code, indicator code)`` to the framework questions linked
    to that indicator: a file whose unit for the indicator differs from a question's is refused,
    since its values would land in the question in the wrong unit.

    Examples
    --------
    >>> text = '''# source: demo
    ... # name: Demo statistics
    ... # publisher: Demo office
    ... # edition: 1
    ... # year: 2024
    ... # licence: CC BY 4.0
    ... # attribution: Demo office (2024)
    ... # url: https://example.org/demo
    ... iso3,economy,indicator,unit,year,value
    ... SEN,Senegal,internet_users_pct,percent,2022,60.6
    ... XXX,Nowhere,internet_users_pct,percent,2022,many
    ... '''
    >>> try:
    ...     parse_statistics_text(text)
    ... except StatisticsFileError as error:
    ...     for line in error.errors:
    ...         print(line)
    row 11, column iso3: 'XXX' is not an ISO 3166-1 alpha-3 code
    row 11, column value: 'many' is not a number (use '.' as decimal separator)
    """
    errors = _Errors()
    text = text.removeprefix("\ufeff")
    lines = text.splitlines()
    preamble: list[tuple[int, str]] = []
    index = 0
    while index < len(lines) and (lines[index].startswith("#") or not lines[index].strip()):
        if lines[index].strip():
            preamble.append((index + 1, lines[index]))
        index += 1
    source = _read_source(preamble, errors)
    header_row = index + 1
    reader = csv.reader(io.StringIO("\n".join(lines[index:])))
    header = [name.strip() for name in next(reader, [])]
    before_header = errors.total
    if not header:
        errors.add(header_row, "", "the header row is missing")
        raise StatisticsFileError(errors.listed, errors.total)
    for name in header:
        if name not in COLUMNS:
            errors.add(header_row, name, f"unknown column; expected some of {', '.join(COLUMNS)}")
    for name in REQUIRED_COLUMNS:
        if name not in header:
            errors.add(header_row, name, "this required column is missing")
    if len(set(header)) != len(header):
        errors.add(header_row, "", "a column is named twice")
    if errors.total != before_header:
        raise StatisticsFileError(errors.listed, errors.total)

    indicators: dict[str, tuple[int, ParsedIndicator]] = {}
    economies: dict[str, tuple[int, ParsedEconomy]] = {}
    values: list[ParsedValue] = []
    seen: dict[tuple[str, str, int], int] = {}
    for cells in reader:
        row = header_row + reader.line_num - 1
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            errors.add(row, "", f"{len(cells)} cells but the header has {len(header)} columns")
            continue
        cell = {name: value.strip() for name, value in zip(header, cells, strict=True)}
        before = errors.total
        iso3 = cell["iso3"]
        if iso3 not in _ISO3:
            errors.add(row, "iso3", f"{iso3!r} is not an ISO 3166-1 alpha-3 code")
        if not cell["economy"]:
            errors.add(row, "economy", "the economy's name is empty")
        code = cell["indicator"]
        if not _CODE.match(code):
            errors.add(row, "indicator", f"{code!r}: use lower-case letters, digits and '_'")
        unit = cell["unit"]
        if not _CODE.match(unit):
            errors.add(row, "unit", f"{unit!r}: use a unit code such as percent or per_100")
        year = _year(cell["year"], row, "year", errors)
        try:
            value = float(cell["value"])
        except ValueError:
            errors.add(
                row, "value", f"{cell['value']!r} is not a number (use '.' as decimal separator)"
            )
            value = math.nan
        else:
            if not math.isfinite(value):
                errors.add(row, "value", f"{cell['value']!r} is not a finite number")
        estimate = _flag(cell.get("estimate", ""), row, "estimate", errors)
        lagged = _flag(cell.get("lagged", ""), row, "lagged", errors)
        if errors.total != before:
            continue
        indicator = ParsedIndicator(code, cell.get("indicator_name", "") or code, unit)
        if code in indicators and indicators[code][1] != indicator:
            first = indicators[code][0]
            errors.add(row, "unit", f"indicator {code!r} has another unit or name on row {first}")
            continue
        indicators.setdefault(code, (row, indicator))
        economy = ParsedEconomy(
            iso3, cell["economy"], cell.get("region", ""), cell.get("income_group", "")
        )
        if iso3 in economies and economies[iso3][1] != economy:
            first = economies[iso3][0]
            errors.add(row, "economy", f"{iso3} has another name, region or group on row {first}")
            continue
        economies.setdefault(iso3, (row, economy))
        key = (iso3, code, year)
        if key in seen:
            errors.add(row, "", f"{iso3} {code} {year} is already given on row {seen[key]}")
            continue
        seen[key] = row
        values.append(ParsedValue(iso3, code, year, value, estimate, lagged))
    source_code = _source_code(preamble)
    if source_code:
        for (linked_source, code), links in (linked_units or {}).items():
            if linked_source != source_code or code not in indicators:
                continue
            row, indicator = indicators[code]
            for link in links:
                if link.unit != indicator.unit:
                    errors.add(
                        row,
                        "unit",
                        f"{code!r} is in {indicator.unit!r} but {link.place} expects {link.unit!r}",
                    )
    if not values and not errors.total:
        errors.add(header_row + 1, "", "the file has no values")
    if errors.total or source is None:
        raise StatisticsFileError(errors.listed, errors.total)
    return StatisticsFile(
        source=source,
        indicators=tuple(item for _row, item in indicators.values()),
        economies=tuple(item for _row, item in economies.values()),
        values=tuple(values),
    )


def read_statistics_file(
    path: str, *, linked_units: Mapping[tuple[str, str], Sequence[LinkedUnit]] | None = None
) -> StatisticsFile:
    """Read and check ``path`` (UTF-8); see :func:`parse_statistics_text`."""
    with open(path, encoding="utf-8") as handle:
        try:
            text = handle.read()
        except UnicodeDecodeError as error:
            raise StatisticsFileError([f"{path}: not UTF-8 ({error.reason})"]) from None
    return parse_statistics_text(text, linked_units=linked_units)

"""Streamed exports of answers, scores, gaps and priorities as CSV, XLSX or JSON.

Each dataset comes in two layouts: **long** (one row per answer or score, with the country and
round repeated) for BI tools, and **wide** (one row per assessment or country, one column per
question or framework node) for spreadsheets.

Memory stays bounded whatever the number of rows: assessments are read in batches of
:data:`BATCH_SIZE` with their answers or scores, rows are produced lazily, CSV and JSON are
encoded in chunks as they go, and XLSX is written as a stream too: the sheet's XML is produced
row by row into a ZIP with data descriptors (exchange/xlsx_stream.py), so every format's
download starts at once.

Text cells beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return are prefixed
with an apostrophe in CSV and XLSX, so spreadsheets never run them as formulas (OWASP "CSV
injection"); JSON keeps values as they are.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.db.models import Max, QuerySet
from django.utils import timezone

from exchange.xlsx_stream import stream_workbook
from officialstats.figures import OfficialFigure
from planning.services import NEED_COLUMNS
from scoring.models import SCORE_VALUE_FIELDS, RunKind, RunStatus, Score, ScoreLevel
from surveys.frameworks.spec import FrameworkSpec, translate
from surveys.models import Answer, Assessment, Country
from surveys.services.official import assessments_official_figures
from surveys.spreadsheet import neutralise

__all__ = [
    "BATCH_SIZE",
    "DATASETS",
    "FORMATS",
    "LAYOUTS",
    "ExportSelection",
    "ExportTable",
    "assessments_select",
    "export_file_name",
    "export_stream",
    "export_table",
    "neutralise",
    "stream_csv",
    "stream_json",
    "stream_xlsx",
]

DATASETS = ("answers", "scores", "gaps", "priorities")
FORMATS = ("csv", "xlsx", "json")
LAYOUTS = ("long", "wide")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BATCH_SIZE = 100
_ROWS_PER_CHUNK = 1000
_XLSX_MAX_TEXT = 32_767
_XLSX_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")
# Characters Excel refuses in a sheet name.
_XLSX_SHEET_NAME = re.compile(r"[\\/?*\[\]:]")

ASSESSMENT_COLUMNS = [
    "country",
    "country_name",
    "region",
    "round",
    "framework",
    "framework_version",
    "assessment_id",
    "state",
]


@dataclass(frozen=True)
class ExportSelection:
    """Which assessments to export; empty fields do not filter."""

    round: int | None = None
    countries: tuple[str, ...] = ()
    region: str = ""
    framework: str = ""
    state: str = ""


@dataclass
class ExportTable:
    """Column names and a lazy iterator of rows (lists in column order)."""

    columns: list[str]
    rows: Iterator[list[Any]]
    name: str = "export"
    notes: list[str] = field(default_factory=list)


def assessments_select(
    assessments: QuerySet[Assessment], selection: ExportSelection
) -> QuerySet[Assessment]:
    """Narrow ``assessments`` (already limited to what the user may see) by ``selection``."""
    if selection.round is not None:
        assessments = assessments.filter(round=selection.round)
    if selection.countries:
        assessments = assessments.filter(
            country__alpha3__in=[code.upper() for code in selection.countries]
        )
    if selection.region:
        assessments = assessments.filter(country__itu_region=selection.region)
    if selection.framework:
        assessments = assessments.filter(framework__code=selection.framework)
    if selection.state:
        assessments = assessments.filter(state=selection.state)
    # The framework's definition is large; it is read once per framework (_Specs), not per row.
    return (
        assessments.select_related("country", "framework")
        .defer("framework__definition", "framework__description", "framework__methodology")
        .order_by("country__name", "round", "framework__code", "pk")
    )


def _flat(value: Any) -> Any:
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


def _batches(assessments: QuerySet[Assessment]) -> Iterator[list[Assessment]]:
    iterator = assessments.iterator(chunk_size=BATCH_SIZE)
    while batch := list(islice(iterator, BATCH_SIZE)):
        yield batch


class _Specs:
    """Framework specs by framework id, built once per export."""

    def __init__(self) -> None:
        self._specs: dict[int, FrameworkSpec] = {}

    def __call__(self, assessment: Assessment) -> FrameworkSpec:
        spec = self._specs.get(assessment.framework_id)
        if spec is None:
            spec = self._specs[assessment.framework_id] = assessment.framework.spec
        return spec


def _assessment_cells(assessment: Assessment) -> list[Any]:
    return [
        assessment.country.alpha3,
        assessment.country.name,
        assessment.country.itu_region,
        assessment.round,
        assessment.framework.code,
        assessment.framework.version,
        assessment.pk,
        assessment.state,
    ]


def _framework_specs(assessments: QuerySet[Assessment]) -> list[FrameworkSpec]:
    """The specs of the frameworks in the selection, for wide columns (one small query)."""
    from surveys.models import Framework

    ids = assessments.order_by().values_list("framework_id", flat=True).distinct()
    return [framework.spec for framework in Framework.objects.filter(pk__in=ids).order_by("pk")]


def _union(codes: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(codes))


#: Beside each answer: the official value of a linked question (in the question's unit), its
#: year, flags (``estimate``, ``lagged``, ``;``-separated) and source with attribution.
OFFICIAL_COLUMNS = ["official_value", "official_year", "official_flags", "official_source"]
OFFICIAL_SUFFIX = "(official)"


def _official_cells(figure: OfficialFigure | None) -> list[Any]:
    if figure is None:
        return [None, None, "", ""]
    flags = ";".join(
        name
        for name, present in (("estimate", figure.estimate), ("lagged", figure.lagged))
        if present
    )
    source = f"{figure.source_name} ({figure.publisher}); {figure.attribution} {figure.url}"
    return [figure.value, figure.year, flags, source]


def _answers_by_assessment(batch: Sequence[Assessment]) -> dict[int, list[tuple]]:
    grouped: dict[int, list[tuple]] = defaultdict(list)
    rows = (
        Answer.objects.filter(assessment_id__in=[a.pk for a in batch])
        .order_by("assessment_id", "question_code")
        .values_list(
            "assessment_id", "question_code", "status", "value", "justification", "updated_at"
        )
    )
    for row in rows:
        grouped[row[0]].append(row[1:])
    return grouped


def _answers_long(assessments: QuerySet[Assessment], language: str) -> ExportTable:
    columns = ASSESSMENT_COLUMNS + [
        "pillar",
        "question_code",
        "status",
        "value",
        "justification",
        "updated_at",
        *OFFICIAL_COLUMNS,
    ]
    specs = _Specs()

    def rows() -> Iterator[list[Any]]:
        for batch in _batches(assessments):
            answers = _answers_by_assessment(batch)
            official = assessments_official_figures(batch)
            for assessment in batch:
                pillars = specs(assessment).pillar_of_question
                base = _assessment_cells(assessment)
                figures = official.get(assessment.pk, {})
                for code, status, value, justification, updated in answers.get(assessment.pk, []):
                    yield base + [
                        pillars.get(code, ""),
                        code,
                        status,
                        value,
                        justification,
                        updated.isoformat() if updated else "",
                        *_official_cells(figures.get(code)),
                    ]

    return ExportTable(columns, rows(), "answers-long")


def _answers_wide(assessments: QuerySet[Assessment], language: str) -> ExportTable:
    specs_in_selection = _framework_specs(assessments)
    codes = _union(q.code for spec in specs_in_selection for q in spec.questions)
    position = {code: index for index, code in enumerate(codes)}
    # Linked questions get a column with the official value beside the answers' columns.
    linked = _union(
        q.code for spec in specs_in_selection for q in spec.questions if q.official is not None
    )
    columns = ASSESSMENT_COLUMNS + codes + [f"{code} {OFFICIAL_SUFFIX}" for code in linked]

    def rows() -> Iterator[list[Any]]:
        for batch in _batches(assessments):
            answers = _answers_by_assessment(batch)
            official = assessments_official_figures(batch) if linked else {}
            for assessment in batch:
                cells: list[Any] = [None] * len(codes)
                for code, status, value, _justification, _updated in answers.get(assessment.pk, []):
                    if code in position:
                        # Special answers are named, never left blank (blank = unanswered).
                        cells[position[code]] = value if status == "answered" else status
                figures = official.get(assessment.pk, {})
                official_cells = [
                    figures[code].value if code in figures else None for code in linked
                ]
                yield _assessment_cells(assessment) + cells + official_cells

    return ExportTable(columns, rows(), "answers-wide")


SCORE_FIELDS = list(SCORE_VALUE_FIELDS)


def latest_run_ids(assessment_ids: Sequence[int]) -> dict[int, int]:
    """Assessment id → id of its latest complete single-assessment score run."""
    from scoring.models import ScoreRun

    return dict(
        ScoreRun.objects.filter(
            assessment_id__in=assessment_ids, kind=RunKind.SINGLE, status=RunStatus.COMPLETE
        )
        .values("assessment_id")
        .annotate(latest=Max("pk"))
        .values_list("assessment_id", "latest")
    )


def _scores_by_assessment(
    batch: Sequence[Assessment], levels: Sequence[str] | None
) -> dict[int, list[tuple]]:
    runs = latest_run_ids([a.pk for a in batch])
    grouped: dict[int, list[tuple]] = defaultdict(list)
    if not runs:
        return grouped
    scores = Score.objects.filter(run_id__in=list(runs.values()))
    if levels is not None:
        scores = scores.filter(level__in=levels)
    for row in scores.order_by("assessment_id", "position", "pk").values_list(
        "assessment_id", "run_id", "level", "code", *SCORE_FIELDS
    ):
        if runs.get(row[0]) == row[1]:
            grouped[row[0]].append(row[1:])
    return grouped


def _titles(spec: FrameworkSpec, language: str) -> dict[tuple[str, str], str]:
    titles = {(ScoreLevel.OVERALL.value, ""): translate(spec.title, language)}
    for pillar in spec.pillars:
        titles[(ScoreLevel.PILLAR.value, pillar.code)] = translate(pillar.title, language)
        for sub in pillar.sub_pillars:
            titles[(ScoreLevel.SUB_PILLAR.value, sub.code)] = translate(sub.title, language)
    for indicator in spec.indicators:
        titles[(ScoreLevel.INDICATOR.value, indicator.code)] = translate(indicator.title, language)
    for question in spec.questions:
        titles[(ScoreLevel.ITEM.value, question.code)] = translate(question.text, language)
    return titles


def _scores_long(
    assessments: QuerySet[Assessment], language: str, *, gaps_only: bool = False
) -> ExportTable:
    columns = ASSESSMENT_COLUMNS + ["run_id", "level", "code", "title"] + SCORE_FIELDS
    levels = [ScoreLevel.INDICATOR.value] if gaps_only else None
    titles: dict[int, dict[tuple[str, str], str]] = {}

    def rows() -> Iterator[list[Any]]:
        for batch in _batches(assessments):
            scores = _scores_by_assessment(batch, levels)
            for assessment in batch:
                if assessment.framework_id not in titles:
                    titles[assessment.framework_id] = _titles(assessment.framework.spec, language)
                names = titles[assessment.framework_id]
                base = _assessment_cells(assessment)
                for run_id, level, code, *values in scores.get(assessment.pk, []):
                    gap = values[SCORE_FIELDS.index("gap")]
                    if gaps_only and not gap:
                        continue
                    title = names.get((level, "" if level == ScoreLevel.OVERALL else code), "")
                    yield base + [run_id, level, code, title] + list(values)

    return ExportTable(columns, rows(), "gaps-long" if gaps_only else "scores-long")


def _node_codes(spec: FrameworkSpec) -> list[tuple[str, str]]:
    nodes = [(ScoreLevel.OVERALL.value, "overall")]
    for pillar in spec.pillars:
        nodes.append((ScoreLevel.PILLAR.value, pillar.code))
        nodes.extend((ScoreLevel.SUB_PILLAR.value, sub.code) for sub in pillar.sub_pillars)
    nodes.extend((ScoreLevel.INDICATOR.value, ind.code) for ind in spec.indicators)
    return nodes


def _scores_wide(
    assessments: QuerySet[Assessment], language: str, *, gaps_only: bool = False
) -> ExportTable:
    specs = _framework_specs(assessments)
    if gaps_only:
        nodes = _union(
            (ScoreLevel.INDICATOR.value, ind.code) for spec in specs for ind in spec.indicators
        )
    else:
        nodes = _union(node for spec in specs for node in _node_codes(spec))
    position = {node: index for index, node in enumerate(nodes)}
    columns = ASSESSMENT_COLUMNS + ["run_id"] + [code for _level, code in nodes]
    field_index = SCORE_FIELDS.index("gap" if gaps_only else "score")
    levels = [ScoreLevel.INDICATOR.value] if gaps_only else [level for level, _ in set(nodes)]

    def rows() -> Iterator[list[Any]]:
        for batch in _batches(assessments):
            scores = _scores_by_assessment(batch, levels)
            for assessment in batch:
                cells: list[Any] = [None] * len(nodes)
                run_id = None
                for run, level, code, *values in scores.get(assessment.pk, []):
                    run_id = run
                    key = (level, "overall" if level == ScoreLevel.OVERALL else code)
                    if key in position:
                        cells[position[key]] = values[field_index]
                yield _assessment_cells(assessment) + [run_id] + cells

    return ExportTable(columns, rows(), "gaps-wide" if gaps_only else "scores-wide")


PRIORITY_COLUMNS = [
    "country",
    "country_name",
    "region",
    "round",
    "framework",
    "assessment_id",
    "run_id",
    *NEED_COLUMNS,
]


def priority_rows(
    *,
    countries: QuerySet[Country],
    selection: ExportSelection,
    language: str,
    method: str = "weighted_sum",
) -> Iterator[dict[str, Any]]:
    """Each country's ranked gaps (planning.services.country_needs) as flat dictionaries.

    Uses each country's latest scored assessment; with ``selection.round`` only countries whose
    latest scored assessment is of that round are listed.
    """
    from planning import services as planning

    if selection.countries:
        countries = countries.filter(alpha3__in=[c.upper() for c in selection.countries])
    if selection.region:
        countries = countries.filter(itu_region=selection.region)
    snapshots = planning.latest_snapshots(
        countries=countries, framework_code=selection.framework or None, language=language
    )
    catalogues: dict[str, list[Any]] = {}
    for snapshot in snapshots:
        assessment = snapshot.assessment
        if selection.round is not None and assessment.round != selection.round:
            continue
        code = assessment.framework.code
        if code not in catalogues:
            catalogues[code] = planning.active_interventions(code)
        needs = planning.country_needs(
            snapshot=snapshot, interventions=catalogues[code], method=method
        )
        for need in needs.rows:
            yield {
                "country": snapshot.country.alpha3,
                "country_name": snapshot.country.name,
                "region": snapshot.country.itu_region,
                "round": assessment.round,
                "framework": code,
                "assessment_id": assessment.pk,
                "run_id": snapshot.run_id,
                **planning.need_cells(need),
            }


def _priorities_long(countries: QuerySet[Country], selection: ExportSelection, language: str):
    rows = priority_rows(countries=countries, selection=selection, language=language)
    return ExportTable(
        PRIORITY_COLUMNS,
        ([row[name] for name in PRIORITY_COLUMNS] for row in rows),
        "priorities-long",
    )


def _priorities_wide(countries: QuerySet[Country], selection: ExportSelection, language: str):
    # One row per country, the priority rank of each indicator; the rows are few (one per
    # country), so they are gathered before the columns are known.
    by_country: dict[str, dict[str, Any]] = {}
    for row in priority_rows(countries=countries, selection=selection, language=language):
        entry = by_country.setdefault(
            row["country"],
            {name: row[name] for name in ("country", "country_name", "region", "round")}
            | {"framework": row["framework"], "ranks": {}},
        )
        entry["ranks"][row["indicator"]] = row["rank"]
    indicators = sorted({code for entry in by_country.values() for code in entry["ranks"]})
    base = ["country", "country_name", "region", "round", "framework"]
    rows = (
        [entry[name] for name in base] + [entry["ranks"].get(code) for code in indicators]
        for entry in by_country.values()
    )
    return ExportTable(base + indicators, rows, "priorities-wide")


def export_table(
    *,
    dataset: str,
    layout: str,
    assessments: QuerySet[Assessment],
    countries: QuerySet[Country] | None = None,
    selection: ExportSelection = ExportSelection(),
    language: str = "en",
) -> ExportTable:
    """The rows of ``dataset`` in ``layout`` for the selected, visible assessments.

    ``assessments`` must already be limited to what the user may see
    (:func:`surveys.permissions.visible_assessments`); priorities read ``countries`` instead
    (planners only: the caller checks).
    """
    if dataset not in DATASETS:
        raise ValueError(f"Unknown dataset {dataset!r}; choose one of {', '.join(DATASETS)}.")
    if layout not in LAYOUTS:
        raise ValueError(f"Unknown layout {layout!r}; choose long or wide.")
    if dataset == "priorities":
        chosen = Country.objects.all() if countries is None else countries
        build = _priorities_long if layout == "long" else _priorities_wide
        return build(chosen, selection, language)
    selected = assessments_select(assessments, selection)
    builders: dict[tuple[str, str], Callable[..., ExportTable]] = {
        ("answers", "long"): _answers_long,
        ("answers", "wide"): _answers_wide,
        ("scores", "long"): _scores_long,
        ("scores", "wide"): _scores_wide,
        ("gaps", "long"): lambda a, lang: _scores_long(a, lang, gaps_only=True),
        ("gaps", "wide"): lambda a, lang: _scores_wide(a, lang, gaps_only=True),
    }
    return builders[(dataset, layout)](selected, language)


def stream_csv(table: ExportTable, *, bom: bool = False) -> Iterator[bytes]:
    """UTF-8 CSV in chunks of rows; ``bom`` adds the byte-order mark Excel needs."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        yield "\ufeff".encode()
    writer.writerow([neutralise(name) for name in table.columns])
    count = 0
    for row in table.rows:
        writer.writerow([neutralise(_flat(value)) for value in row])
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
    value = _flat(value)
    if isinstance(value, str):
        # Control characters are not allowed in XLSX; openpyxl would refuse the whole file.
        value = _XLSX_ILLEGAL.sub("", value)[:_XLSX_MAX_TEXT]
        return neutralise(value)
    return value


def stream_xlsx(table: ExportTable) -> Iterator[bytes]:
    """An XLSX workbook streamed while the rows are read (see xlsx_stream)."""
    yield from stream_workbook(
        sheet_name=_XLSX_SHEET_NAME.sub(" ", table.name)[:31] or "export",
        header=[_xlsx_cell(name) for name in table.columns],
        rows=([_xlsx_cell(value) for value in row] for row in table.rows),
    )


def export_file_name(table: ExportTable, file_format: str) -> str:
    return f"{table.name}-{timezone.now():%Y%m%d-%H%M}.{file_format}"


def export_stream(
    table: ExportTable, *, file_format: str, bom: bool = False
) -> tuple[Iterator[bytes], str, str]:
    """(byte chunks, content type, file name) of ``table`` in ``file_format``."""
    if file_format not in FORMATS:
        raise ValueError(f"Unknown format {file_format!r}; choose csv, xlsx or json.")
    if file_format == "csv":
        chunks = stream_csv(table, bom=bom)
    elif file_format == "json":
        chunks = stream_json(table)
    else:
        chunks = stream_xlsx(table)
    return chunks, CONTENT_TYPES[file_format], export_file_name(table, file_format)

"""Score a table of indicator values against a framework file, without a database.

Planners bring secondary statistics as a CSV file: one row per unit (a country, a region), the
first column naming the unit, the other columns named by question codes, or by indicator codes
for indicators with a single scored question. :func:`score_table` scores every row with the same
engine as the platform and writes, per unit, the overall score, every pillar, sub-pillar and
indicator score, their gaps to target and stages.

Cells
    numbers for number and percentage questions (a dot as decimal separator); the level for
    maturity questions; the choice code for yes/partial/no and single choice; choice codes
    separated by ``|`` for multiple choice. An empty cell is missing (counts against coverage);
    ``NA`` / ``N/A`` / ``not applicable`` is not applicable (left out); ``DK`` / ``don't know``
    is "don't know" (the framework's rule applies). A scored question without a column is
    missing for every unit.

Every problem in the table is collected and reported together, each naming its row (as
numbered in a spreadsheet: the header is row 1) and its column.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np

from scoring.adapter import (
    AnswerError,
    FrameworkLayout,
    RawAnswer,
    answer_arrays,
    framework_layout,
    question_value,
    scored_questions,
)
from scoring.engine.pipeline import ScoreResult, score
from scoring.imputation_bounds import ImputationBounds, imputation_bounds
from surveys.frameworks.loader import load_framework_file
from surveys.frameworks.spec import FrameworkSpec, QuestionSpec, QuestionType, translate
from tabular.reading import ImportFileError, read_csv_rows

__all__ = ["TableError", "TableSummary", "read_table", "score_table", "write_scores"]

NOT_APPLICABLE_CELLS = frozenset({"na", "n/a", "not applicable", "not_applicable"})
DONT_KNOW_CELLS = frozenset({"dk", "don't know", "dont know", "dont_know"})
MULTIPLE_CHOICE_SEPARATOR = "|"
#: Errors listed in full; more are counted.
MAX_LISTED_ERRORS = 50
INSUFFICIENT = "insufficient data"
#: A node with no score that is not flagged: nothing below it applied or was answered.
NO_DATA = "no data"


class TableError(ValueError):
    """Problems in a data table; ``errors`` lists each, naming its row and column."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        listed = self.errors[:MAX_LISTED_ERRORS]
        more = len(self.errors) - len(listed)
        lines = [f"{len(self.errors)} problem(s) in the data table:", *listed]
        if more:
            lines.append(f"... and {more} more")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class TableSummary:
    units: int
    columns: int
    missing_questions: tuple[str, ...]


@dataclass(frozen=True)
class _Table:
    units: list[str]
    answers: list[dict[str, RawAnswer]]
    columns: list[str]


def _column_questions(spec: FrameworkSpec, header: Sequence[str]) -> tuple[list, list[str]]:
    """The question behind each data column (None for the unit column), and header errors."""
    errors: list[str] = []
    questions: list[QuestionSpec | None] = [None]
    by_code = spec.questions_by_code
    indicators = spec.indicators_by_code
    seen: dict[str, int] = {}
    for index, raw_name in enumerate(header[1:], start=2):
        name = raw_name.strip()
        place = f"row 1, column {index}"
        question: QuestionSpec | None = None
        if not name:
            errors.append(f"{place}: the column has no name; name it by a question code")
        elif name in by_code:
            question = by_code[name]
            if not question.scored:
                errors.append(f"{place} ({name!r}): question {name!r} is not scored")
                question = None
        elif name in indicators:
            scored = scored_questions(indicators[name])
            if len(scored) == 1:
                question = scored[0]
            else:
                codes = ", ".join(q.code for q in scored)
                errors.append(
                    f"{place} ({name!r}): indicator {name!r} has {len(scored)} scored questions "
                    f"({codes}); name the columns by question code"
                )
        else:
            errors.append(
                f"{place} ({name!r}): not a question or indicator code of framework "
                f"{spec.code!r} {spec.version}"
            )
        if question is not None:
            if question.code in seen:
                errors.append(
                    f"{place} ({name!r}): question {question.code!r} is already given by "
                    f"column {seen[question.code]}"
                )
                question = None
            else:
                seen[question.code] = index
        questions.append(question)
    return questions, errors


def _cell_value(question: QuestionSpec, cell: str) -> object:
    if question.type is QuestionType.MULTIPLE_CHOICE:
        return [code.strip() for code in cell.split(MULTIPLE_CHOICE_SEPARATOR) if code.strip()]
    if question.type.numeric or question.type is QuestionType.MATURITY:
        try:
            number = float(cell)
        except ValueError:
            kind = "a level" if question.type is QuestionType.MATURITY else "a number"
            raise AnswerError(f"{cell!r} is not {kind}") from None
        if question.type is QuestionType.MATURITY and number.is_integer():
            return int(number)
        return number
    return cell


def read_table(spec: FrameworkSpec, data: bytes | str) -> _Table:
    """Parse and check a data table; raises :class:`TableError` listing every problem.

    The bytes are read by the platform's one CSV reader
    (:func:`tabular.reading.read_csv_rows`): UTF-8 with or without byte-order mark
    or UTF-16, comma, semicolon or tab, within the import bounds. Column names are question
    or indicator codes, matched exactly.
    """
    content = data.encode("utf-8") if isinstance(data, str) else data
    if not content.strip():
        raise TableError(["row 1: the table is empty; expected a header row"])
    try:
        table = read_csv_rows(content)
        header = table.header
        rows = list(table.rows)
    except ImportFileError as error:
        raise TableError([str(error)]) from error
    if not any(header):
        raise TableError(["row 1: the table is empty; expected a header row"])
    if len(header) < 2:
        raise TableError(["row 1: expected a unit column and at least one indicator column"])
    questions, errors = _column_questions(spec, header)
    units: list[str] = []
    answers: list[dict[str, RawAnswer]] = []
    first_row_of: dict[str, int] = {}
    for row_number, row in rows:
        if len(row) != len(header):
            errors.append(
                f"row {row_number}: {len(row)} cells but the header has {len(header)} columns"
            )
            continue
        unit = row[0].strip()
        if not unit:
            errors.append(f"row {row_number}, column 1: the unit name is empty")
        elif unit in first_row_of:
            errors.append(
                f"row {row_number}, column 1: unit {unit!r} is already on row {first_row_of[unit]}"
            )
        else:
            first_row_of[unit] = row_number
        unit_answers: dict[str, RawAnswer] = {}
        for index, (question, raw_cell) in enumerate(zip(questions, row, strict=True), start=1):
            if question is None:
                continue
            cell = raw_cell.strip()
            if not cell:
                continue
            lowered = cell.lower().replace("’", "'")
            if lowered in NOT_APPLICABLE_CELLS:
                unit_answers[question.code] = RawAnswer("not_applicable")
                continue
            if lowered in DONT_KNOW_CELLS:
                unit_answers[question.code] = RawAnswer("dont_know")
                continue
            place = f"row {row_number}, column {index} ({header[index - 1].strip()!r})"
            try:
                value = _cell_value(question, cell)
                question_value(question, value)
            except AnswerError as error:
                message = str(error).removeprefix(f"question {question.code!r}: ")
                errors.append(f"{place}: {message}")
                continue
            unit_answers[question.code] = RawAnswer("answered", value)
        units.append(unit)
        answers.append(unit_answers)
    if not units and not errors:
        errors.append("row 2: the table has no data rows")
    if errors:
        raise TableError(errors)
    columns = [question.code for question in questions if question is not None]
    return _Table(units=units, answers=answers, columns=columns)


def _number(value: float) -> str:
    if np.isnan(value):
        return ""
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _stage_labels(spec: FrameworkSpec) -> dict[str, str]:
    language = spec.languages[0] if spec.languages else "en"
    return {stage.code: translate(stage.label, language) for stage in spec.scoring.stages}


def write_scores(
    layout: FrameworkLayout,
    units: Sequence[str],
    result: ScoreResult,
    out: TextIO,
    bounds: ImputationBounds | None = None,
) -> None:
    """Write one row per unit: overall, then every pillar, sub-pillar and indicator.

    With ``bounds``, three groups of columns follow: the missing values of the unit, and the
    lowest and highest overall and pillar scores over the imputations of those values
    (:mod:`scoring.imputation_bounds`).
    """
    labels = _stage_labels(layout.spec)

    def stage(index: int, insufficient: bool) -> str:
        if insufficient:
            return INSUFFICIENT
        if index < 0:
            return NO_DATA
        name = result.stage_names[index]
        return labels.get(name, name)

    header = ["unit", "overall", "overall gap", "overall stage", "overall coverage", "notes"]
    shown: list[tuple[int, int, str]] = []
    for level_index in reversed(range(len(result.levels))):
        level = result.levels[level_index]
        for node_index, code in enumerate(level.codes):
            if layout.is_shown(level.name, code):
                shown.append((level_index, node_index, code))
                header += [code, f"{code} gap", f"{code} stage"]
    pillars = result.levels[-1]
    if bounds is not None:
        header += ["missing values", "overall low", "overall high"]
        for code in pillars.codes:
            header += [f"{code} low", f"{code} high"]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for unit_index, unit in enumerate(units):
        notes = []
        for level_index, node_index, code in shown:
            if result.levels[level_index].insufficient[unit_index, node_index]:
                notes.append(f"{code}: {INSUFFICIENT}")
        counts = (
            (result.not_applicable_count[unit_index], "not applicable"),
            (result.dont_know_count[unit_index], "don't know"),
            (result.missing_count[unit_index], "missing"),
        )
        notes += [f"{int(count)} {label}" for count, label in counts if count]
        row = [
            unit,
            _number(result.overall[unit_index]),
            _number(result.overall_gap[unit_index]),
            stage(
                int(result.overall_stage[unit_index]),
                bool(result.overall_insufficient[unit_index]),
            ),
            _number(result.overall_coverage[unit_index]),
            "; ".join(notes),
        ]
        for level_index, node_index, _code in shown:
            level = result.levels[level_index]
            insufficient = bool(level.insufficient[unit_index, node_index])
            row += [
                _number(level.scores[unit_index, node_index]),
                _number(level.gaps[unit_index, node_index]),
                stage(int(level.stages[unit_index, node_index]), insufficient),
            ]
        if bounds is not None:
            row += [
                " ".join(bounds.missing[unit_index]),
                _number(bounds.low.overall[unit_index]),
                _number(bounds.high.overall[unit_index]),
            ]
            for node_index in range(len(pillars.codes)):
                row += [
                    _number(bounds.low.levels[-1].scores[unit_index, node_index]),
                    _number(bounds.high.levels[-1].scores[unit_index, node_index]),
                ]
        writer.writerow(row)


def score_table(
    framework_path: str | Path,
    data_path: str | Path,
    out_path: str | Path,
    *,
    with_bounds: bool = False,
) -> TableSummary:
    """Score a CSV table against a framework file and write the scores as CSV.

    ``out_path`` ``"-"`` writes to standard output. Nothing touches a database.

    Raises
    ------
    surveys.frameworks.reading.FrameworkError
        The framework file is invalid (every problem listed with its place).
    TableError
        The data table has problems (every one listed with its row and column).
    OSError
        A file cannot be read or written.
    """
    spec = load_framework_file(framework_path)
    layout = framework_layout(spec)
    table = read_table(spec, Path(data_path).read_bytes())
    values, status = answer_arrays(layout, table.answers)
    result = score(layout.config, values, status)
    bounds = imputation_bounds(layout, values, status) if with_bounds else None
    if str(out_path) == "-":
        write_scores(layout, table.units, result, sys.stdout, bounds)
    else:
        with Path(out_path).open("w", encoding="utf-8", newline="") as out:
            write_scores(layout, table.units, result, out, bounds)
    missing = tuple(code for code in layout.item_codes if code not in table.columns)
    return TableSummary(
        units=len(table.units), columns=len(table.columns), missing_questions=missing
    )

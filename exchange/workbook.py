"""The offline workbook: an assessment to fill in without a connection, and back (issue 20).

Download: an XLSX with an ``about`` sheet (assessment, framework, the revision it was taken
from, the language) and one sheet per pillar, named by the pillar code, one row per question:
code, indicator, question, help, what may be entered, then the three cells a focal point fills
in (``value``, ``status``, ``justification``) with the current answers. Levels and choices are
dropdowns, numeric bounds are data validation, and every other cell is locked (sheet
protection without a password: it guards against slips, not against intent). Hidden columns
keep the answers as they were at download, so an upload knows what the focal point changed.

Upload (:func:`offline_workbook_import`) checks everything before writing anything:

- the sheets are all there and none was added or renamed, and the workbook belongs to this
  assessment and framework version;
- no locked cell was edited and no row or column was added or removed;
- every changed answer is valid for its question (the rules of the answers import);
- an answer the focal point changed that a colleague also changed on the platform since the
  download is a **conflict**, named with who changed it, when and to what: nothing is written
  until the workbook is downloaded again (never silently overwritten).

Then the changes are written all or nothing through
:func:`surveys.services.answers.answers_save`, with the workbook's revision as the base
revision, so the service's own revision rules apply as for every other path. Emptying a cell
leaves the stored answer as it is (answers are removed on the platform).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import IO, Any

import openpyxl
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Font, Protection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from exchange.imports import ImportResult, _answer_from_row, _text
from exchange.reading import Table, TableRow, open_table
from exchange.templates import accepted_values
from surveys.answer_text import answer_text
from surveys.frameworks.spec import FrameworkSpec, QuestionSpec, QuestionType, translate
from surveys.models import Answer, AnswerStatus, Assessment
from surveys.services.answers import (
    AnswerInput,
    AssessmentLocked,
    allowed_statuses,
    answer_changes_since,
    answers_save,
)
from surveys.spreadsheet import neutralise

__all__ = [
    "ABOUT_SHEET",
    "SHEET_COLUMNS",
    "WorkbookChange",
    "WorkbookImportResult",
    "WorkbookProblem",
    "offline_workbook",
    "offline_workbook_file_name",
    "offline_workbook_import",
]

ABOUT_SHEET = "about"
#: Columns of a pillar sheet, in order; only ``EDITABLE_COLUMNS`` may be changed.
SHEET_COLUMNS = (
    "question_code",
    "indicator",
    "question",
    "help",
    "accepted_values",
    "value",
    "status",
    "justification",
    "downloaded_value",
    "downloaded_status",
    "downloaded_justification",
)
EDITABLE_COLUMNS = ("value", "status", "justification")
LOCKED_TEXT_COLUMNS = ("question_code", "indicator", "question", "help", "accepted_values")
ABOUT_FIELDS = ("assessment", "country", "framework", "version", "revision", "language")
MULTIPLE_CHOICE_SEPARATOR = "|"
# Excel's inline list of a dropdown holds at most 255 characters.
_INLINE_LIST_LIMIT = 255


@dataclass(frozen=True)
class WorkbookProblem:
    """One problem, placed in the workbook: sheet, row (1-based, 0: the sheet), column."""

    sheet: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = [self.sheet]
        if self.row:
            where.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            where.append(_("column “%(column)s”") % {"column": self.column})
        return f"{', '.join(where)}: {self.reason}"


@dataclass(frozen=True)
class WorkbookChange:
    """An answer the upload writes (or would write): before and after, in words."""

    sheet: str
    row: int
    question_code: str
    before: str
    after: str


@dataclass
class WorkbookImportResult:
    problems: list[WorkbookProblem] = field(default_factory=list)
    changes: list[WorkbookChange] = field(default_factory=list)
    unchanged: int = 0
    conflicts: int = 0
    dry_run: bool = True
    applied: bool = False
    base_revision: int | None = None
    revision: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, sheet: str, row: int, column: str, reason: str) -> None:
        self.problems.append(WorkbookProblem(sheet, row, column, reason))

    def summary(self) -> str:
        if not self.ok:
            return _("%(count)s problems; nothing was written.") % {"count": len(self.problems)}
        if self.dry_run:
            return _("%(changed)s answers would change, %(unchanged)s are unchanged.") % {
                "changed": len(self.changes),
                "unchanged": self.unchanged,
            }
        return _("%(changed)s answers were saved, %(unchanged)s are unchanged.") % {
            "changed": len(self.changes),
            "unchanged": self.unchanged,
        }


# ---------------------------------------------------------------------------------------------
# Download


def _workbook_questions(spec: FrameworkSpec) -> dict[str, list[tuple[str, QuestionSpec]]]:
    """Pillar code → (indicator title key, question) for every question a workbook carries.

    Evidence is attached on the platform (a file cannot travel in a cell), so it is left out.
    """
    sheets: dict[str, list[tuple[str, QuestionSpec]]] = {}
    for pillar, _sub, indicator in spec.iter_indicators_with_parents():
        rows = sheets.setdefault(pillar.code, [])
        for question in indicator.questions:
            if question.type is not QuestionType.EVIDENCE:
                rows.append((indicator.code, question))
    return sheets


def _cell_values(answer: Answer | AnswerInput | None) -> tuple[Any, str, str]:
    """An answer as the three editable cells: value, status, justification."""
    if answer is None:
        return None, "", ""
    value = answer.value
    if answer.status != AnswerStatus.ANSWERED:
        value = None
    elif isinstance(value, list):
        value = MULTIPLE_CHOICE_SEPARATOR.join(value)
    return neutralise(value), str(answer.status), neutralise(answer.justification or "")


def _locked_texts(spec: FrameworkSpec, question: QuestionSpec, indicator: str, language: str):
    indicator_title = translate(spec.indicators_by_code[indicator].title, language)
    return {
        "question_code": question.code,
        "indicator": f"{indicator} {indicator_title}",
        "question": translate(question.text, language),
        "help": translate(question.help, language),
        "accepted_values": accepted_values(question, language),
    }


def _dropdown(options: list[str]) -> DataValidation | None:
    formula = '"' + ",".join(options) + '"'
    if len(formula) - 2 > _INLINE_LIST_LIMIT or any("," in option for option in options):
        return None
    return DataValidation(type="list", formula1=formula, allow_blank=True)


def _value_validation(question: QuestionSpec) -> DataValidation | None:
    kind = question.type
    if kind is QuestionType.MATURITY:
        return _dropdown([str(level.value) for level in question.levels])
    if kind.has_choices and kind is not QuestionType.MULTIPLE_CHOICE:
        return _dropdown([choice.code for choice in question.choices])
    if kind.numeric:
        low = question.minimum if question.minimum is not None else None
        high = question.maximum if question.maximum is not None else None
        if kind is QuestionType.PERCENTAGE:
            low = 0.0 if low is None else low
            high = 100.0 if high is None else high
        if low is not None and high is not None:
            return DataValidation(
                type="decimal", operator="between", formula1=f"{low:g}", formula2=f"{high:g}"
            )
        if low is not None:
            return DataValidation(
                type="decimal", operator="greaterThanOrEqual", formula1=f"{low:g}"
            )
        if high is not None:
            return DataValidation(type="decimal", operator="lessThanOrEqual", formula1=f"{high:g}")
        return DataValidation(
            type="decimal", operator="between", formula1="-1E+300", formula2="1E+300"
        )
    return None


def _pillar_sheet(
    sheet: Worksheet,
    spec: FrameworkSpec,
    rows: list[tuple[str, QuestionSpec]],
    stored: dict[str, Answer],
    language: str,
) -> None:
    sheet.append(list(SHEET_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    editable = [SHEET_COLUMNS.index(name) + 1 for name in EDITABLE_COLUMNS]
    for number, (indicator, question) in enumerate(rows, start=2):
        answer = stored.get(question.code)
        cells = _cell_values(answer)
        texts = _locked_texts(spec, question, indicator, language)
        sheet.append(
            [neutralise(texts[name]) for name in LOCKED_TEXT_COLUMNS] + [*cells] + [*cells]
        )
        for column in editable:
            sheet.cell(number, column).protection = Protection(locked=False)
        value_cell = f"F{number}"
        validation = _value_validation(question)
        if validation is not None:
            validation.error = _("This value is not accepted here: %(accepted)s") % {
                "accepted": texts["accepted_values"]
            }
            validation.showErrorMessage = True
            sheet.add_data_validation(validation)
            validation.add(value_cell)
        statuses = _dropdown(allowed_statuses(question))
        if statuses is not None:
            sheet.add_data_validation(statuses)
            statuses.add(f"G{number}")
    widths = {"A": 12, "B": 28, "C": 60, "D": 50, "E": 28, "F": 18, "G": 16, "H": 40}
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width
    for letter in ("I", "J", "K"):
        sheet.column_dimensions[letter].hidden = True
    sheet.freeze_panes = "B2"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False


def offline_workbook(assessment: Assessment, *, language: str) -> bytes:
    """The offline workbook of ``assessment`` in ``language`` as XLSX bytes."""
    spec: FrameworkSpec = assessment.framework.spec
    stored = {answer.question_code: answer for answer in assessment.answers.all()}
    workbook = openpyxl.Workbook()
    about = workbook.active
    about.title = ABOUT_SHEET
    about.append(["field", "value", "note"])
    note = _(
        "Fill in the value, status and justification columns of each pillar sheet, then "
        "upload the workbook on the assessment's offline page. Do not rename or remove "
        "sheets. Answers changed on the platform after %(date)s are shown as conflicts."
    ) % {"date": timezone.now().strftime("%Y-%m-%d %H:%M UTC")}
    values = {
        "assessment": assessment.pk,
        "country": assessment.country.name,
        "framework": spec.code,
        "version": spec.version,
        "revision": assessment.revision,
        "language": language,
    }
    for index, name in enumerate(ABOUT_FIELDS):
        about.append([name, neutralise(values[name]), note if index == 0 else None])
    about.column_dimensions["C"].width = 100
    about.protection.sheet = True
    for pillar_code, rows in _workbook_questions(spec).items():
        _pillar_sheet(workbook.create_sheet(pillar_code), spec, rows, stored, language)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def offline_workbook_file_name(assessment: Assessment) -> str:
    return f"offline-{assessment.country.alpha3}-{assessment.pk}-r{assessment.revision}.xlsx"


# ---------------------------------------------------------------------------------------------
# Upload


def _sheet_names(source: IO[bytes]) -> list[str]:
    # Called after open_table() has read the first sheet, so the archive's bounds and XML
    # entities are already checked.
    source.seek(0)
    workbook = openpyxl.load_workbook(source, read_only=True)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def _read_about(table: Table, assessment: Assessment, result: WorkbookImportResult) -> dict:
    about: dict[str, tuple[int, str]] = {}
    for row in table.rows:
        about[_text(row.cells.get("field"))] = (row.number, _text(row.cells.get("value")))
    spec: FrameworkSpec = assessment.framework.spec
    for name in ("assessment", "framework", "version", "revision", "language"):
        if name not in about:
            result.add(
                ABOUT_SHEET, 0, "field", _("The line “%(name)s” is missing.") % {"name": name}
            )
    if not result.ok:
        return {}
    row, text = about["assessment"]
    if text != str(assessment.pk):
        result.add(
            ABOUT_SHEET,
            row,
            "value",
            _("This workbook is for assessment %(other)s, not for this one (%(this)s).")
            % {"other": text, "this": assessment.pk},
        )
    for name, expected in (("framework", spec.code), ("version", spec.version)):
        row, text = about[name]
        if text != expected:
            result.add(
                ABOUT_SHEET,
                row,
                "value",
                _("The workbook was made for %(name)s “%(got)s”; this assessment uses “%(want)s”.")
                % {"name": name, "got": text, "want": expected},
            )
    row, text = about["revision"]
    if not text.isdigit() or int(text) > assessment.revision:
        result.add(
            ABOUT_SHEET, row, "value", _("The revision was changed; download the workbook again.")
        )
        return {}
    return {"revision": int(text), "revision_row": row, "language": about["language"][1]}


def _stored_input(answer: Answer | None) -> AnswerInput | None:
    if answer is None:
        return None
    return AnswerInput(answer.question_code, answer.value, answer.status, answer.justification)


def _same(left: AnswerInput | None, right: AnswerInput | None) -> bool:
    def fields(answer: AnswerInput | None) -> tuple[Any, ...] | None:
        if answer is None:
            return None
        return (answer.value, str(answer.status), answer.justification or "")

    return fields(left) == fields(right)


def _words(question: QuestionSpec, answer: AnswerInput | None, language: str) -> str:
    if answer is None:
        return "—"
    return answer_text(question, answer.value, answer.status, language=language)


def _parse(
    row: TableRow, question: QuestionSpec, table: Table, prefix: str
) -> tuple[AnswerInput | None, list[tuple[int, str, str]]]:
    """The answer held by the ``value``/``status``/``justification`` cells (or ``prefix``ed)."""
    scratch = ImportResult()
    cells = {name: row.cells.get(prefix + name) for name in EDITABLE_COLUMNS}
    answer = _answer_from_row(TableRow(row.number, cells), question, table, scratch, True, True)
    return answer, [(error.row, error.column, error.reason) for error in scratch.errors]


def _read_pillar_sheet(
    table: Table,
    sheet: str,
    rows: list[tuple[str, QuestionSpec]],
    spec: FrameworkSpec,
    language: str,
    result: WorkbookImportResult,
) -> dict[str, tuple[int, AnswerInput | None, AnswerInput | None]]:
    """Code → (row, answer at download, answer in the workbook), for rows that are intact."""
    problems_before = len(result.problems)
    for column in SHEET_COLUMNS:
        if column not in table.columns:
            result.add(sheet, 1, column, _("This column was removed or renamed."))
    for column in table.columns:
        if column and column not in SHEET_COLUMNS:
            result.add(sheet, 1, column, _("This column is not part of the workbook."))
    if len(result.problems) > problems_before:
        return {}
    expected = {number: item for number, item in enumerate(rows, start=2)}
    seen: set[int] = set()
    answers: dict[str, tuple[int, AnswerInput | None, AnswerInput | None]] = {}
    for row in table.rows:
        item = expected.get(row.number)
        if item is None:
            result.add(sheet, row.number, "", _("This row is not part of the workbook."))
            continue
        seen.add(row.number)
        indicator, question = item
        texts = _locked_texts(spec, question, indicator, language)
        damaged = False
        for column in LOCKED_TEXT_COLUMNS:
            if _text(row.cells.get(column)) != _text(neutralise(texts[column])).strip():
                result.add(
                    sheet,
                    row.number,
                    column,
                    _(
                        "This cell is locked and was changed; only value, status and "
                        "justification may be edited."
                    ),
                )
                damaged = True
        if damaged:
            continue
        before, before_errors = _parse(row, question, table, "downloaded_")
        if before_errors:
            result.add(sheet, row.number, "downloaded_value", _("A hidden cell was changed."))
            continue
        after, errors = _parse(row, question, table, "")
        for number, column, reason in errors:
            result.add(sheet, number, column, reason)
        answers[question.code] = (row.number, before, after)
    for number, (_indicator, question) in expected.items():
        if number not in seen:
            result.add(
                sheet,
                number,
                "",
                _("The row of question %(code)s was deleted or emptied.") % {"code": question.code},
            )
    return answers


def offline_workbook_import(
    *,
    assessment: Assessment,
    actor: AbstractBaseUser | None,
    source: IO[bytes],
    name: str,
    size: int | None = None,
    dry_run: bool = True,
) -> WorkbookImportResult:
    """Check an offline workbook against ``assessment`` and write its changes all or nothing.

    Raises
    ------
    ImportFileError
        The file is not a readable workbook or goes past the import limits.
    AssessmentLocked
        The assessment no longer accepts changes.
    RevisionConflict
        From :func:`answers_save`, when the platform changed between the check and the write.
    """
    assessment.refresh_from_db(fields=["state", "revision", "answers_removed_revision"])
    if not assessment.is_editable:
        raise AssessmentLocked(assessment)
    result = WorkbookImportResult(dry_run=dry_run)
    spec: FrameworkSpec = assessment.framework.spec

    def open_sheet(sheet: str) -> Table:
        source.seek(0)
        return open_table(source, name=name, size=size, sheet=sheet)

    # The import limits and safety checks (size, archive bounds, XML entities) come first.
    if open_table(source, name=name, size=size).file_format != "xlsx":
        result.add(name, 0, "", _("The offline workbook is an Excel file (.xlsx)."))
        return result
    names = _sheet_names(source)
    layout = _workbook_questions(spec)
    for sheet in [ABOUT_SHEET, *layout]:
        if sheet not in names:
            result.add(sheet, 0, "", _("This sheet is missing (removed or renamed)."))
    for sheet in names:
        if sheet != ABOUT_SHEET and sheet not in layout:
            result.add(sheet, 0, "", _("This sheet is not part of the workbook."))
    if not result.ok:
        return result
    about = _read_about(open_sheet(ABOUT_SHEET), assessment, result)
    if not result.ok:
        return result
    result.base_revision = about["revision"]
    workbook_answers: dict[str, tuple[str, int, AnswerInput | None, AnswerInput | None]] = {}
    for sheet, rows in layout.items():
        found = _read_pillar_sheet(open_sheet(sheet), sheet, rows, spec, about["language"], result)
        for code, (row, before, after) in found.items():
            workbook_answers[code] = (sheet, row, before, after)
    if not result.ok:
        return result
    if assessment.answers_removed_revision > result.base_revision:
        result.add(
            ABOUT_SHEET,
            about["revision_row"],
            "value",
            _(
                "Answers were removed on the platform after this workbook was downloaded; "
                "download it again."
            ),
        )
        return result

    _plan(assessment, spec, workbook_answers, about["language"], result)
    if not result.ok or dry_run or not result.changes:
        result.revision = assessment.revision
        return result
    inputs = [workbook_answers[change.question_code][3] for change in result.changes]
    saved = answers_save(
        assessment=assessment,
        actor=actor,
        answers=[answer for answer in inputs if answer is not None],
        base_revision=result.base_revision,
        actor_label=_("offline workbook"),
    )
    result.applied = bool(saved.changed_codes)
    result.revision = saved.revision
    return result


def _plan(
    assessment: Assessment,
    spec: FrameworkSpec,
    workbook_answers: dict[str, tuple[str, int, AnswerInput | None, AnswerInput | None]],
    language: str,
    result: WorkbookImportResult,
) -> None:
    """Sort the workbook's answers into unchanged, changes and conflicts (named one by one)."""
    stored = {
        answer.question_code: answer
        for answer in Answer.objects.filter(
            assessment=assessment, question_code__in=list(workbook_answers)
        )
    }
    changed_since = {
        change.question_code: change
        for change in answer_changes_since(assessment, result.base_revision or 0)
    }
    for code, (sheet, row, before, after) in workbook_answers.items():
        question = spec.questions_by_code[code]
        current = _stored_input(stored.get(code))
        if after is None or _same(before, after) or _same(current, after):
            # Not edited in the workbook (or edited to what the platform already holds).
            result.unchanged += 1
            continue
        change = changed_since.get(code)
        if change is not None:
            result.conflicts += 1
            result.add(
                sheet,
                row,
                "value",
                _(
                    "Conflict: %(who)s changed this answer on the platform on %(when)s to "
                    "“%(current)s” after your download; your workbook says “%(yours)s”. "
                    "Nothing was written: agree on the answer, download the workbook again "
                    "and enter it there."
                )
                % {
                    "who": change.changed_by or _("someone"),
                    "when": timezone.localtime(change.changed_at).strftime("%Y-%m-%d %H:%M")
                    if change.changed_at
                    else "?",
                    "current": _words(question, current, language),
                    "yours": _words(question, after, language),
                },
            )
            continue
        result.changes.append(
            WorkbookChange(
                sheet,
                row,
                code,
                _words(question, current, language),
                _words(question, after, language),
            )
        )

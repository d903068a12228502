"""Bulk imports: an assessment's answers, and national indicator statistics.

Both imports follow the same contract:

1. the whole file is read and **every row validated before anything is written**; every
   problem is reported with its row, column and reason (the first :data:`MAX_REPORTED_ERRORS`
   in full, the rest counted);
2. with any error, nothing is written; otherwise the changes are applied **all or nothing**
   in one transaction;
3. a **dry run** computes the same plan (what would be created, updated, left unchanged) and
   writes nothing;
4. only differences are written, so importing the same file twice changes nothing the second
   time.

Answers are written through :func:`surveys.services.answers.answers_save`, the one write path
for answers, so imports obey the same locking, revision and audit rules as the wizard.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from exchange.reading import (
    ImportFileError,
    RowError,
    Table,
    TableRow,
    excel_serial_to_date,
    open_table,
)
from scoring.models import IndicatorStatistic
from surveys.frameworks.spec import FrameworkSpec, QuestionSpec, QuestionType
from surveys.models import Answer, AnswerStatus, Assessment, Country, Framework
from surveys.services.answers import (
    AnswerInput,
    AnswerValueError,
    AssessmentLocked,
    allowed_statuses,
    answer_input_clean,
    answer_value_clean,
    answers_save,
)
from surveys.spreadsheet import FORMULA_PREFIXES

__all__ = [
    "ANSWER_COLUMNS",
    "MAX_REPORTED_ERRORS",
    "STATISTIC_COLUMNS",
    "ImportFileError",
    "ImportResult",
    "PlannedChange",
    "RowError",
    "answers_import",
    "statistic_questions",
    "statistics_import",
]

MAX_REPORTED_ERRORS = 500
#: Columns read by the answers import (others, such as the question text, are ignored).
ANSWER_COLUMNS = ("question_code", "value", "status", "justification")
STATISTIC_COLUMNS = ("country", "code", "year", "value", "source")
MULTIPLE_CHOICE_SEPARATOR = "|"

_STATUS_WORDS = {
    "": "",
    "answered": AnswerStatus.ANSWERED,
    "dont_know": AnswerStatus.DONT_KNOW,
    "don't know": AnswerStatus.DONT_KNOW,
    "dont know": AnswerStatus.DONT_KNOW,
    "dk": AnswerStatus.DONT_KNOW,
    "not_applicable": AnswerStatus.NOT_APPLICABLE,
    "not applicable": AnswerStatus.NOT_APPLICABLE,
    "n/a": AnswerStatus.NOT_APPLICABLE,
    "na": AnswerStatus.NOT_APPLICABLE,
}
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_SPACES = re.compile(r"[\s\u202f\xa0]")
_DIGITS = re.compile(r"^\d+(?:\.0+)?$")


@dataclass(frozen=True)
class PlannedChange:
    """What the import does (or would do, in a dry run) to one stored row."""

    row: int
    key: str
    action: str  # "create" or "update"
    before: Any
    after: Any


@dataclass
class ImportResult:
    """The outcome of an import or dry run. ``applied`` is true only when rows were written."""

    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    changes: list[PlannedChange] = field(default_factory=list)
    unchanged: int = 0
    rows: int = 0
    dry_run: bool = True
    applied: bool = False
    revision: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def created(self) -> int:
        return sum(1 for change in self.changes if change.action == "create")

    @property
    def updated(self) -> int:
        return sum(1 for change in self.changes if change.action == "update")

    @property
    def more_errors(self) -> int:
        return self.error_count - len(self.errors)

    def add_error(self, row: int, column: str, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row, column, reason))

    def summary(self) -> str:
        """One line for messages and command output."""
        if not self.ok:
            return _("%(count)s errors; nothing was written.") % {"count": self.error_count}
        verb = _("would be") if self.dry_run else _("were")
        return _(
            "%(rows)s rows read: %(created)s %(verb)s created, %(updated)s %(verb)s updated, "
            "%(unchanged)s unchanged."
        ) % {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "verb": verb,
        }


def _missing_columns(table: Table, required: Iterable[str], result: ImportResult) -> bool:
    missing = [name for name in required if name not in table.columns]
    for name in missing:
        result.add_error(1, name, _("This column is missing from the header row."))
    return bool(missing)


def _text(raw: Any) -> str:
    """A cell as text: numbers typed into spreadsheets lose their spurious ``.0``, and the
    apostrophe our exports put before formula characters is taken off again."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime.datetime | datetime.date):
        return raw.isoformat()
    text = str(raw).strip()
    if text.startswith("'") and text[1:2] and text[1] in FORMULA_PREFIXES:
        return text[1:]
    return text


def _number_text(raw: Any, decimal_comma: bool) -> Any:
    """Spreadsheet numbers pass through; text loses spaces and, where allowed, decimal commas."""
    if not isinstance(raw, str):
        return raw
    text = _SPACES.sub("", raw)
    if decimal_comma and _DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    return text


def _answer_value(question: QuestionSpec, raw: Any, decimal_comma: bool) -> Any:
    """A cell converted to what :func:`answer_value_clean` accepts for ``question``."""
    kind = question.type
    if raw is None or (isinstance(raw, str) and not raw):
        return None
    if kind.numeric:
        return _number_text(raw, decimal_comma)
    if kind is QuestionType.MATURITY:
        return raw
    if kind is QuestionType.MULTIPLE_CHOICE:
        text = _text(raw)
        return [part.strip() for part in text.split(MULTIPLE_CHOICE_SEPARATOR) if part.strip()]
    if kind is QuestionType.DATE:
        if isinstance(raw, datetime.datetime | datetime.date):
            return raw
        if isinstance(raw, int | float) or _DIGITS.match(str(raw)):
            # A date cell saved as a plain number, or a CSV written from one: Excel's serial.
            try:
                return excel_serial_to_date(float(raw))
            except ValueError:
                raise AnswerValueError(
                    _("Enter a date as year-month-day, for example 2025-03-31.")
                ) from None
        return str(raw)
    return _text(raw)


def answers_import(
    *,
    assessment: Assessment,
    actor: AbstractBaseUser | None,
    source: IO[bytes],
    name: str,
    size: int | None = None,
    encoding: str = "",
    dry_run: bool = True,
    base_revision: int | None = None,
) -> ImportResult:
    """Import answers of ``assessment`` from a CSV or XLSX file (see :mod:`templates`).

    Columns: ``question_code`` and ``value`` (required), ``status`` (``answered``,
    ``dont_know``, ``not_applicable``; empty means answered) and ``justification`` (when the
    column is absent, stored justifications are kept). A row with an empty value and status
    leaves the stored answer as it is. Multiple choices are separated by ``|``.

    Parameters
    ----------
    base_revision
        The assessment revision the user previewed; if someone saved answers since, the
        import is refused (:class:`~surveys.services.answers.RevisionConflict`). Defaults to
        the current revision.

    Raises
    ------
    ImportFileError
        The file cannot be read at all.
    AssessmentLocked
        The assessment is not editable (submitted, in review, approved...); also in dry runs.
    RevisionConflict
        Someone saved answers after ``base_revision`` (nothing is written).
    """
    assessment.refresh_from_db(fields=["state", "revision"])
    if not assessment.is_editable:
        raise AssessmentLocked(assessment)
    result = ImportResult(dry_run=dry_run)
    table = open_table(source, name=name, size=size, encoding=encoding)
    if _missing_columns(table, ("question_code", "value"), result):
        return result
    spec: FrameworkSpec = assessment.framework.spec
    wanted = _read_answer_rows(table, spec, result, assessment)
    if not result.ok:
        return result

    existing = {
        row.question_code: row
        for row in Answer.objects.filter(assessment=assessment, question_code__in=list(wanted))
    }
    inputs: list[AnswerInput] = []
    for code, (row_number, answer) in wanted.items():
        stored = existing.get(code)
        if answer.justification is None:
            answer = AnswerInput(
                code, answer.value, answer.status, stored.justification if stored else ""
            )
        after = {
            "value": answer.value,
            "status": answer.status,
            "justification": answer.justification,
        }
        before = (
            None
            if stored is None
            else {
                "value": stored.value,
                "status": stored.status,
                "justification": stored.justification,
            }
        )
        if before == after:
            result.unchanged += 1
            continue
        action = "create" if stored is None else "update"
        result.changes.append(PlannedChange(row_number, code, action, before, after))
        inputs.append(answer)

    result.revision = assessment.revision
    if dry_run or not inputs:
        return result
    saved = answers_save(
        assessment=assessment,
        actor=actor,
        answers=inputs,
        base_revision=assessment.revision if base_revision is None else base_revision,
        actor_label=_("import"),
    )
    result.applied = bool(saved.changed_codes)
    result.revision = saved.revision
    return result


def _read_answer_rows(
    table: Table, spec: FrameworkSpec, result: ImportResult, assessment: Assessment
) -> dict[str, tuple[int, AnswerInput]]:
    has_status = "status" in table.columns
    has_justification = "justification" in table.columns
    seen: dict[str, int] = {}
    wanted: dict[str, tuple[int, AnswerInput]] = {}
    for row in _counted(table, result):
        cells = row.cells
        code = _text(cells.get("question_code"))
        if not code:
            result.add_error(row.number, "question_code", _("The question code is empty."))
            continue
        if code in seen:
            result.add_error(
                row.number,
                "question_code",
                _("Question %(code)s is already given in row %(row)s.")
                % {"code": code, "row": seen[code]},
            )
            continue
        seen[code] = row.number
        question = spec.questions_by_code.get(code)
        if question is None:
            result.add_error(
                row.number,
                "question_code",
                _("There is no question %(code)s in %(framework)s.")
                % {"code": code, "framework": f"{spec.code} {spec.version}"},
            )
            continue
        answer = _answer_from_row(row, question, table, result, has_status, has_justification)
        if answer is not None:
            wanted[code] = (row.number, answer)
    return wanted


def _answer_from_row(
    row: TableRow,
    question: QuestionSpec,
    table: Table,
    result: ImportResult,
    has_status: bool,
    has_justification: bool,
) -> AnswerInput | None:
    cells = row.cells
    raw_value = cells.get("value")
    status_text = _text(cells.get("status")).lower() if has_status else ""
    justification = _text(cells.get("justification")) if has_justification else None
    value_given = raw_value is not None and _text(raw_value) != ""
    if status_text not in _STATUS_WORDS:
        result.add_error(
            row.number,
            "status",
            _("Unknown status “%(status)s”: use answered, dont_know or not_applicable.")
            % {"status": status_text},
        )
        return None
    status = _STATUS_WORDS[status_text] or AnswerStatus.ANSWERED
    if not value_given and not status_text and not justification:
        return None  # a blank line of the template: leave the stored answer alone
    if question.type is QuestionType.EVIDENCE:
        result.add_error(
            row.number,
            "value",
            _("Evidence cannot be imported; attach it on the assessment's pages."),
        )
        return None
    if status not in allowed_statuses(question):
        result.add_error(row.number, "status", _("This choice is not offered for this question."))
        return None
    if status != AnswerStatus.ANSWERED and value_given:
        result.add_error(
            row.number,
            "value",
            _("Leave the value empty when the status is “%(status)s”.") % {"status": status},
        )
        return None
    value = None
    if status == AnswerStatus.ANSWERED:
        try:
            value = answer_value_clean(
                question, _answer_value(question, raw_value, table.decimal_comma)
            )
        except AnswerValueError as error:
            result.add_error(row.number, "value", str(error))
            return None
    try:
        cleaned = answer_input_clean(
            question, AnswerInput(question.code, value, status, justification or "")
        )
    except AnswerValueError as error:
        result.add_error(row.number, "justification", str(error))
        return None
    if justification is None:
        # Keep the stored justification (resolved against the database by the caller).
        return AnswerInput(cleaned.question_code, cleaned.value, cleaned.status, None)  # type: ignore[arg-type]
    return cleaned


def _counted(table: Table, result: ImportResult) -> Iterable[TableRow]:
    for row in table.rows:
        result.rows += 1
        yield row
    if result.rows == 0:
        result.add_error(1, "", _("The file has a header row but no data rows."))


def statistic_questions(spec: FrameworkSpec) -> dict[str, QuestionSpec]:
    """Codes a statistic may carry → the question it fills in.

    Every scored number or percentage question, by its own code, and by its indicator's code
    when it is the indicator's only scored question (the rule of the scoring service).
    """
    codes: dict[str, QuestionSpec] = {}
    for indicator in spec.indicators:
        scored = [question for question in indicator.questions if question.scored]
        for question in scored:
            if question.type.numeric:
                codes[question.code] = question
                if len(scored) == 1:
                    codes.setdefault(indicator.code, question)
    return codes


def _year(raw: Any) -> int:
    if isinstance(raw, datetime.datetime | datetime.date):
        day = raw.date() if isinstance(raw, datetime.datetime) else raw
        serial = (day - datetime.date(1899, 12, 30)).days
        # A year typed into a date-formatted cell reads back as that many days after 1899-12-30.
        return serial if 1900 <= serial <= 2100 else day.year
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, str) and re.fullmatch(r"\d{4}(?:\.0+)?", raw):
        raw = int(float(raw))
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ValueError(_("Enter a year such as 2024."))
    if not 1900 <= raw <= 2100:
        raise ValueError(_("Enter a year between 1900 and 2100."))
    return raw


def _statistic_value(question: QuestionSpec, raw: Any, decimal_comma: bool) -> float:
    text = _number_text(raw, decimal_comma)
    try:
        cleaned = answer_value_clean(question, text)
    except AnswerValueError as error:
        raise ValueError(str(error)) from None
    if cleaned is None:
        raise ValueError(_("The value is empty."))
    value = float(cleaned)
    if question.type is QuestionType.PERCENTAGE and not 0 <= value <= 100:
        raise ValueError(_("A percentage must be between 0 and 100."))
    if not math.isfinite(value):
        raise ValueError(_("This number is too large."))
    return value


def statistics_import(
    *,
    framework: Framework,
    source: IO[bytes],
    name: str,
    size: int | None = None,
    encoding: str = "",
    dry_run: bool = True,
    allowed_country_ids: set[int] | None = None,
    default_source: str = "",
) -> ImportResult:
    """Import national statistics (scoring's ``IndicatorStatistic``) for ``framework``.

    Columns: ``country`` (ISO alpha-3), ``code`` (a number or percentage question, or an
    indicator with a single such question), ``year``, ``value`` and ``source`` (may be empty
    when ``default_source`` is given). A row for a country, code and year already stored
    updates it; equal rows are left unchanged.

    Parameters
    ----------
    allowed_country_ids
        When given, rows for other countries are errors (``None``: every country).

    Raises
    ------
    ImportFileError
        The file cannot be read at all.
    """
    result = ImportResult(dry_run=dry_run)
    table = open_table(source, name=name, size=size, encoding=encoding)
    if _missing_columns(table, ("country", "code", "year", "value"), result):
        return result
    if "source" not in table.columns and not default_source:
        result.add_error(1, "source", _("This column is missing from the header row."))
        return result
    spec = framework.spec
    questions = statistic_questions(spec)
    countries = dict(Country.objects.values_list("alpha3", "pk"))
    seen: dict[tuple[int, str, int], int] = {}
    wanted: dict[tuple[int, str, int], tuple[int, float, str]] = {}
    for row in _counted(table, result):
        cells = row.cells
        if not any(_text(cells.get(name)) for name in ("country", "year", "value")):
            continue  # an unfilled line of the template
        problems = result.error_count
        alpha3 = _text(cells.get("country")).upper()
        country_id = countries.get(alpha3)
        if country_id is None:
            result.add_error(
                row.number,
                "country",
                _("Unknown country code “%(code)s”: use ISO 3166 alpha-3, such as SEN.")
                % {"code": alpha3},
            )
        elif allowed_country_ids is not None and country_id not in allowed_country_ids:
            result.add_error(
                row.number,
                "country",
                _("You may not import statistics for %(code)s.") % {"code": alpha3},
            )
        code = _text(cells.get("code"))
        question = questions.get(code)
        if question is None:
            result.add_error(
                row.number,
                "code",
                _("“%(code)s” is not a number or percentage question of %(framework)s.")
                % {"code": code, "framework": f"{spec.code} {spec.version}"},
            )
        try:
            year = _year(cells.get("year"))
        except ValueError as error:
            result.add_error(row.number, "year", str(error))
            year = 0
        value = 0.0
        if question is not None:
            try:
                value = _statistic_value(question, cells.get("value"), table.decimal_comma)
            except ValueError as error:
                result.add_error(row.number, "value", str(error))
        source_text = _text(cells.get("source")) or default_source
        if not source_text:
            result.add_error(row.number, "source", _("Say where the value comes from."))
        elif len(source_text) > 200:
            result.add_error(row.number, "source", _("Keep the source under 200 characters."))
        if result.error_count != problems or country_id is None or question is None or not year:
            continue
        key = (country_id, code, year)
        if key in seen:
            result.add_error(
                row.number,
                "",
                _("%(country)s %(code)s %(year)s is already given in row %(row)s.")
                % {"country": alpha3, "code": code, "year": year, "row": seen[key]},
            )
            continue
        seen[key] = row.number
        wanted[key] = (row.number, value, source_text)
    if not result.ok:
        return result
    _plan_statistics(framework, wanted, result)
    if not dry_run and result.changes:
        _apply_statistics(framework, wanted, result)
    return result


def _plan_statistics(
    framework: Framework,
    wanted: dict[tuple[int, str, int], tuple[int, float, str]],
    result: ImportResult,
) -> None:
    existing = {
        (stat.country_id, stat.code, stat.year): stat
        for stat in IndicatorStatistic.objects.filter(
            country_id__in={key[0] for key in wanted}, code__in={key[1] for key in wanted}
        ).only("country_id", "code", "year", "value", "source", "framework_code")
    }
    alpha3 = dict(
        Country.objects.filter(pk__in={key[0] for key in wanted}).values_list("pk", "alpha3")
    )
    for key, (row_number, value, source_text) in wanted.items():
        after = {"value": value, "source": source_text, "framework_code": framework.code}
        stored = existing.get(key)
        label = f"{alpha3[key[0]]} {key[1]} {key[2]}"
        if stored is None:
            result.changes.append(PlannedChange(row_number, label, "create", None, after))
            continue
        before = {
            "value": stored.value,
            "source": stored.source,
            "framework_code": stored.framework_code,
        }
        if before == after:
            result.unchanged += 1
        else:
            result.changes.append(PlannedChange(row_number, label, "update", before, after))


def _apply_statistics(
    framework: Framework,
    wanted: dict[tuple[int, str, int], tuple[int, float, str]],
    result: ImportResult,
) -> None:
    with transaction.atomic():
        existing = {
            (stat.country_id, stat.code, stat.year): stat
            for stat in IndicatorStatistic.objects.select_for_update().filter(
                country_id__in={key[0] for key in wanted}, code__in={key[1] for key in wanted}
            )
        }
        to_create: list[IndicatorStatistic] = []
        to_update: list[IndicatorStatistic] = []
        for key, (_row, value, source_text) in wanted.items():
            stored = existing.get(key)
            if stored is None:
                to_create.append(
                    IndicatorStatistic(
                        country_id=key[0],
                        code=key[1],
                        year=key[2],
                        value=value,
                        source=source_text,
                        framework_code=framework.code,
                    )
                )
            elif (stored.value, stored.source, stored.framework_code) != (
                value,
                source_text,
                framework.code,
            ):
                stored.value = value
                stored.source = source_text
                stored.framework_code = framework.code
                to_update.append(stored)
        IndicatorStatistic.objects.bulk_create(to_create, batch_size=1000)
        IndicatorStatistic.objects.bulk_update(
            to_update, ["value", "source", "framework_code"], batch_size=1000
        )
    result.applied = bool(to_create or to_update)

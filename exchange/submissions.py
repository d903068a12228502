"""ODK Central and KoboToolbox submission exports as stakeholder responses (issue 20).

A consultation run with the framework's XLSForm (exchange/xlsform.py) in KoboToolbox,
ODK Collect or Enketo ends as an export of submissions: one row (CSV, XLSX) or one object
(JSON) per submission. Each submission becomes one stakeholder response of the assessment
(a closed ``StakeholderInvitation`` with its ``StakeholderAnswer`` rows), so it feeds the
agreement statistics exactly like answers given through an invitation link.

Columns are matched by question name, whatever the group path in front of it: Kobo writes
``CON/CON.A/CON.1/CON.1.a``, ODK Central ``CON-CON.A-CON.1-CON.1.a``, both may write just
``CON.1.a``. The instance ID (``meta/instanceID``, ``KEY``, ``_uuid`` or ``__id``) recognises
a submission imported before, which is skipped. The respondent's organisation type comes from
an ``organisation_type`` column when there is one, else from the importer's choice.

Everything is checked first; any problem (unknown column, value outside the choices, another
form version, missing instance ID...) is listed with its row and column and nothing is
written. Otherwise all new submissions are written in one transaction.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext as _

from exchange.imports import MULTIPLE_CHOICE_SEPARATOR, _answer_value, _text
from exchange.limits import LimitExceeded, check_json_text
from exchange.reading import ImportFileError, RowError, normalise_header, open_table
from surveys.frameworks.spec import FrameworkSpec, QuestionSpec, QuestionType
from surveys.models import (
    AnswerStatus,
    Assessment,
    OrganisationType,
    StakeholderInvitation,
)
from surveys.services.answers import AnswerInput, AnswerValueError, answer_input_clean
from surveys.services.stakeholders import (
    InvitationUnusable,
    SubmissionResponse,
    stakeholder_links_open,
    stakeholder_submissions_record,
)

__all__ = ["PlannedSubmission", "SubmissionsResult", "submissions_import"]

#: Columns that carry the instance ID, normalised (ODK Central, Kobo, OData JSON).
INSTANCE_COLUMNS = ("meta/instanceid", "meta_instanceid", "instanceid", "key", "__id", "_uuid")
#: Columns that carry the form version the submission was made with (ODK Central).
VERSION_COLUMNS = ("formversion", "meta/formversion", "_version_")
#: Columns that carry the form ID (Kobo JSON).
FORM_ID_COLUMNS = ("_xform_id_string", "formid")
ORGANISATION_TYPE = "organisation_type"
ORGANISATION = "organisation"
#: Metadata columns of ODK Central and Kobo exports: read, never reported as unknown.
METADATA = re.compile(
    r"^(_.*|submissiondate|submitterid|submittername|attachmentspresent|attachmentsexpected"
    r"|status|reviewstate|deviceid|edits|start|end|today|username|phonenumber|simserial"
    r"|subscriberid|audit|instancename|meta(/.*|_.*)?|formhub(/.*|_.*)?|key|formversion"
    r"|__version__)$"
)
_SUBMITTED_COLUMNS = ("_submission_time", "submissiondate", "__system/submissiondate")
_SEPARATORS = "/_"


@dataclass(frozen=True)
class PlannedSubmission:
    """One new response: its row, instance ID, organisation type and number of answers."""

    row: int
    instance_id: str
    organisation_type: str
    organisation: str
    answers: tuple[AnswerInput, ...]
    submitted_at: datetime.datetime | None


@dataclass
class SubmissionsResult:
    errors: list[RowError] = field(default_factory=list)
    planned: list[PlannedSubmission] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)
    rows: int = 0
    dry_run: bool = True
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def add_error(self, row: int, column: str, reason: str) -> None:
        self.errors.append(RowError(row, column, reason))

    def summary(self) -> str:
        if not self.ok:
            return _("%(count)s problems; nothing was written.") % {"count": len(self.errors)}
        values = {
            "rows": self.rows,
            "new": len(self.planned),
            "answers": sum(len(item.answers) for item in self.planned),
            "duplicates": len(self.duplicates),
        }
        if self.dry_run:
            return (
                _(
                    "%(rows)s submissions read: %(new)s new responses with %(answers)s answers "
                    "would be added; %(duplicates)s already imported."
                )
                % values
            )
        return (
            _(
                "%(rows)s submissions read: %(new)s new responses with %(answers)s answers were "
                "added; %(duplicates)s already imported."
            )
            % values
        )


# ---------------------------------------------------------------------------------------------
# Reading


def _flatten(item: Any, prefix: str = "") -> dict[str, Any]:
    """A nested OData / Kobo JSON submission as ``group/sub/name`` keys."""
    flat: dict[str, Any] = {}
    for key, value in item.items():
        name = f"{prefix}/{key}" if prefix else str(key)
        if isinstance(value, dict):
            flat |= _flatten(value, name)
        else:
            flat[name] = value
    return flat


def _json_rows(source: IO[bytes]) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    data = source.read(settings.IMPORT_MAX_BYTES + 1)
    try:
        check_json_text(
            data, max_bytes=settings.IMPORT_MAX_BYTES, max_depth=settings.API_JSON_MAX_DEPTH
        )
        parsed = json.loads(data)
    except LimitExceeded as error:
        raise ImportFileError(str(error)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportFileError(
            _("The JSON file cannot be read (%(error)s).") % {"error": error}
        ) from None
    if isinstance(parsed, dict):
        parsed = parsed.get("value", parsed.get("results"))
    if not isinstance(parsed, list) or not all(isinstance(item, dict) for item in parsed):
        raise ImportFileError(
            _("A JSON export is a list of submissions (or an object with “value” or “results”).")
        )
    if len(parsed) > settings.IMPORT_MAX_ROWS:
        raise ImportFileError(_("The file has too many submissions."))
    rows = [
        (number, {normalise_header(key): value for key, value in _flatten(item).items()})
        for number, item in enumerate(parsed, start=1)
    ]
    columns: list[str] = []
    for _number, cells in rows:
        columns.extend(name for name in cells if name not in columns)
    return columns, rows


def _table_rows(
    source: IO[bytes], name: str, size: int | None
) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    if name.lower().endswith(".json"):
        if size is not None and size > settings.IMPORT_MAX_BYTES:
            raise ImportFileError(_("The file is too large."))
        return _json_rows(source)
    table = open_table(source, name=name, size=size)
    return table.columns, [(row.number, row.cells) for row in table.rows]


def _column_questions(columns: list[str], spec: FrameworkSpec) -> dict[str, QuestionSpec]:
    """Column → question, matching the question code at the end of the group path."""
    codes = {normalise_header(question.code): question for question in spec.questions}
    matched: dict[str, QuestionSpec] = {}
    for column in columns:
        best = None
        for code, question in codes.items():
            if column == code or (
                column.endswith(code) and column[-len(code) - 1] in _SEPARATORS + "-"
            ):
                if best is None or len(code) > len(normalise_header(best.code)):
                    best = question
        if best is not None:
            matched[column] = best
    return matched


def _split_select_column(column: str, spec: FrameworkSpec) -> bool:
    """``CON.4.b/fibre``: the one-column-per-option copy of a multiple choice (ignored)."""
    head, _sep, option = column.rpartition("/")
    for question in spec.questions:
        code = normalise_header(question.code)
        if question.type is QuestionType.MULTIPLE_CHOICE and (
            head == code or head.endswith("/" + code)
        ):
            return option in {normalise_header(choice.code) for choice in question.choices}
    return False


def _first(cells: dict[str, Any], names: tuple[str, ...]) -> str:
    for name in names:
        text = _text(cells.get(name))
        if text:
            return text
    return ""


def _instance_id(cells: dict[str, Any]) -> str:
    text = _first(cells, INSTANCE_COLUMNS)
    return text if text.startswith("uuid:") or not text else f"uuid:{text}"


def _submitted_at(cells: dict[str, Any]) -> datetime.datetime | None:
    for name in _SUBMITTED_COLUMNS:
        raw = cells.get(name)
        if isinstance(raw, datetime.datetime):
            moment = raw
        elif isinstance(raw, str) and raw:
            try:
                moment = datetime.datetime.fromisoformat(raw.replace("Z", "+00:00"))
            except ValueError:
                continue
        else:
            continue
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment, datetime.UTC)
    return None


def _submission_value(question: QuestionSpec, raw: Any) -> Any:
    """XForm values: a select_multiple is space-separated, the rest reads as in our imports."""
    if question.type is QuestionType.MULTIPLE_CHOICE and isinstance(raw, str):
        raw = MULTIPLE_CHOICE_SEPARATOR.join(raw.split())
    return _answer_value(question, raw, False)


# ---------------------------------------------------------------------------------------------
# Import


def submissions_import(
    *,
    assessment: Assessment,
    actor: AbstractBaseUser | None,
    source: IO[bytes],
    name: str,
    size: int | None = None,
    organisation_type: str = OrganisationType.OTHER,
    dry_run: bool = True,
) -> SubmissionsResult:
    """Import an ODK Central / KoboToolbox export as stakeholder responses of ``assessment``.

    Raises
    ------
    ImportFileError
        The file cannot be read at all or goes past the import limits.
    InvitationUnusable
        The assessment no longer takes stakeholder responses (it is approved).
    """
    if not stakeholder_links_open(assessment):
        raise InvitationUnusable("closed")
    spec: FrameworkSpec = assessment.framework.spec
    result = SubmissionsResult(dry_run=dry_run)
    columns, rows = _table_rows(source, name, size)
    questions = _column_questions(columns, spec)
    for column in columns:
        if column in questions or column in (ORGANISATION_TYPE, ORGANISATION):
            continue
        if METADATA.match(column) or _split_select_column(column, spec):
            continue
        result.add_error(
            1,
            column,
            _("No question of %(framework)s has this name.")
            % {"framework": f"{spec.code} {spec.version}"},
        )
    if not any(name in columns for name in INSTANCE_COLUMNS):
        result.add_error(
            1, "", _("No instance ID column (meta/instanceID, KEY or _uuid): it is needed.")
        )
    if not result.ok:
        return result
    known = set(
        StakeholderInvitation.objects.filter(assessment=assessment)
        .exclude(instance_id="")
        .values_list("instance_id", flat=True)
    )
    for number, cells in rows:
        result.rows += 1
        _read_submission(number, cells, questions, spec, organisation_type, known, result)
    if not result.ok or dry_run or not result.planned:
        return result
    stakeholder_submissions_record(
        assessment=assessment,
        actor=actor,
        submissions=[
            SubmissionResponse(
                instance_id=item.instance_id,
                organisation_type=item.organisation_type,
                organisation=item.organisation,
                answers=item.answers,
                submitted_at=item.submitted_at,
            )
            for item in result.planned
        ],
    )
    result.applied = True
    return result


def _read_submission(
    number: int,
    cells: dict[str, Any],
    questions: dict[str, QuestionSpec],
    spec: FrameworkSpec,
    default_type: str,
    known: set[str],
    result: SubmissionsResult,
) -> None:
    instance_id = _instance_id(cells)
    if not instance_id:
        result.add_error(number, "meta/instanceid", _("The submission has no instance ID."))
        return
    if instance_id in known:
        result.duplicates.append((number, instance_id))
        return
    known.add(instance_id)
    version = _first(cells, VERSION_COLUMNS)
    if version and version != spec.version:
        result.add_error(
            number,
            "formversion",
            _("Made with form version %(got)s; this assessment uses %(want)s.")
            % {"got": version, "want": spec.version},
        )
    form_id = _first(cells, FORM_ID_COLUMNS)
    if form_id and form_id != spec.code:
        result.add_error(
            number,
            "_xform_id_string",
            _("Made with form %(got)s, not %(want)s.") % {"got": form_id, "want": spec.code},
        )
    kind = _text(cells.get(ORGANISATION_TYPE)) or default_type
    if kind not in OrganisationType.values:
        result.add_error(
            number,
            ORGANISATION_TYPE,
            _("Unknown organisation type “%(type)s”: use one of %(types)s.")
            % {"type": kind, "types": ", ".join(OrganisationType.values)},
        )
    answers: list[AnswerInput] = []
    for column, question in questions.items():
        raw = cells.get(column)
        if question.type is QuestionType.EVIDENCE or raw is None or _text(raw) == "":
            continue
        try:
            value = _submission_value(question, raw)
            answers.append(
                answer_input_clean(
                    question, AnswerInput(question.code, value, AnswerStatus.ANSWERED, "")
                )
            )
        except AnswerValueError as error:
            result.add_error(number, column, str(error))
    result.planned.append(
        PlannedSubmission(
            number,
            instance_id,
            kind,
            _text(cells.get(ORGANISATION))[:200],
            tuple(answers),
            _submitted_at(cells),
        )
    )

"""Official answers: the one validation of answer values and the one write path.

Every writer of ``Answer`` rows — the wizard, autosave, the API, imports and the carry-over
of a new round — calls :func:`answers_save`. It refuses writes to locked assessments and saves
based on an outdated revision, writes only what changed, bumps the assessment's revision once
and audits every changed field with its old and new value.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.audit import Change, audit_record
from surveys.frameworks.spec import FrameworkSpec, Missing, QuestionSpec, QuestionType
from surveys.models import Answer, AnswerStatus, Assessment, Framework

__all__ = [
    "MAX_JUSTIFICATION_LENGTH",
    "MAX_TEXT_LENGTH",
    "AnswerChange",
    "AnswerInput",
    "AnswerValidationError",
    "AnswerValueError",
    "AnswersSaveResult",
    "AssessmentLocked",
    "RevisionConflict",
    "allowed_statuses",
    "answer_input_clean",
    "answer_changes_since",
    "answer_value_clean",
    "answers_for_conditions",
    "answers_save",
    "framework_spec",
]

MAX_TEXT_LENGTH = 10_000
MAX_JUSTIFICATION_LENGTH = 5_000
# Digits with an optional point and exponent: no thousands separators, no decimal commas, no
# "NaN"/"inf" words that float() would otherwise accept.
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


def framework_spec(framework: Framework) -> FrameworkSpec:
    """The framework's questionnaire (``Framework.spec``, rebuilt from its stored definition
    and cached by the frameworks package)."""
    return framework.spec


class AnswerValueError(ValueError):
    """A value that cannot be an answer to its question; the message is for the respondent."""


@dataclass(frozen=True)
class AnswerInput:
    """One answer as a writer submits it. ``value`` is None when unanswered or special."""

    question_code: str
    value: Any = None
    status: str = AnswerStatus.ANSWERED
    justification: str = ""

    @property
    def is_blank(self) -> bool:
        return (
            self.status == AnswerStatus.ANSWERED and self.value is None and not self.justification
        )


def _clean_number(question: QuestionSpec, raw: Any) -> float | int:
    if isinstance(raw, bool):
        raise AnswerValueError(_("Enter a number."))
    if isinstance(raw, int | float):
        number = float(raw)
    elif isinstance(raw, str):
        text = raw.strip().replace("\u202f", "").replace("\xa0", "")
        if _DECIMAL_COMMA.match(text):
            raise AnswerValueError(
                _("Use a point as the decimal separator, for example 1.5 instead of 1,5.")
            )
        if not _NUMBER.match(text):
            raise AnswerValueError(_("Enter a number, using digits and a decimal point."))
        number = float(text)
    else:
        raise AnswerValueError(_("Enter a number."))
    if not math.isfinite(number):
        raise AnswerValueError(_("This number is too large."))
    if question.minimum is not None and number < question.minimum:
        raise AnswerValueError(
            _("Enter a number of at least %(minimum)s.") % {"minimum": f"{question.minimum:g}"}
        )
    if question.maximum is not None and number > question.maximum:
        raise AnswerValueError(
            _("Enter a number of at most %(maximum)s.") % {"maximum": f"{question.maximum:g}"}
        )
    # Whole numbers are stored as integers so that exports read 12, not 12.0.
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _clean_level(question: QuestionSpec, raw: Any) -> int:
    levels = [level.value for level in question.levels]
    if isinstance(raw, str) and re.fullmatch(r"\s*\d{1,2}\s*", raw):
        raw = int(raw)
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int) or raw not in levels:
        raise AnswerValueError(
            _("Choose one of the levels %(lowest)s to %(highest)s.")
            % {"lowest": min(levels), "highest": max(levels)}
        )
    return raw


def _clean_choice(question: QuestionSpec, raw: Any) -> str:
    if not isinstance(raw, str) or question.choice(raw) is None:
        raise AnswerValueError(_("Choose one of the options offered."))
    return raw


def _clean_choices(question: QuestionSpec, raw: Any) -> list[str] | None:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list | tuple) or not all(isinstance(item, str) for item in raw):
        raise AnswerValueError(_("Choose among the options offered."))
    chosen = set(raw)
    unknown = chosen - {choice.code for choice in question.choices}
    if unknown:
        raise AnswerValueError(_("Choose among the options offered."))
    ordered = [choice.code for choice in question.choices if choice.code in chosen]
    return ordered or None


def _clean_text(raw: Any) -> str | None:
    if not isinstance(raw, str):
        raise AnswerValueError(_("Enter a text."))
    if "\x00" in raw:
        raise AnswerValueError(_("The text contains a character that is not allowed."))
    text = raw.strip()
    if len(text) > MAX_TEXT_LENGTH:
        raise AnswerValueError(
            _("Keep the answer under %(limit)s characters.") % {"limit": MAX_TEXT_LENGTH}
        )
    return text or None


def _clean_date(raw: Any) -> str:
    if isinstance(raw, datetime.datetime):
        raw = raw.date()
    if isinstance(raw, datetime.date):
        day = raw
    elif isinstance(raw, str):
        try:
            day = datetime.date.fromisoformat(raw.strip())
        except ValueError:
            raise AnswerValueError(
                _("Enter a date as year-month-day, for example 2025-03-31.")
            ) from None
    else:
        raise AnswerValueError(_("Enter a date as year-month-day, for example 2025-03-31."))
    if not 1900 <= day.year <= 2100:
        raise AnswerValueError(_("Enter a date between 1900 and 2100."))
    return day.isoformat()


def answer_value_clean(question: QuestionSpec, raw: Any) -> Any:
    """Check ``raw`` against ``question`` and return the value to store, or None when empty.

    The one validation of answer values, used by the wizard's forms, the stakeholder forms,
    :func:`answers_save` (so the API and imports too). It accepts what a form posts
    (strings) and what JSON carries (numbers, lists), and is idempotent: cleaning a cleaned
    value returns it unchanged.

    Raises
    ------
    AnswerValueError
        With a message the respondent can act on.

    Examples
    --------
    >>> from surveys.frameworks.spec import QuestionSpec, QuestionType
    >>> share = QuestionSpec("Q", QuestionType.PERCENTAGE, {"en": "?"}, minimum=0, maximum=100)
    >>> answer_value_clean(share, " 42.5 "), answer_value_clean(share, "40"), answer_value_clean(share, "")
    (42.5, 40, None)
    >>> answer_value_clean(share, "1,5")
    Traceback (most recent call last):
    ...
    surveys.services.answers.AnswerValueError: Use a point as the decimal separator, for example 1.5 instead of 1,5.
    >>> answer_value_clean(share, "NaN")
    Traceback (most recent call last):
    ...
    surveys.services.answers.AnswerValueError: Enter a number, using digits and a decimal point.
    """  # noqa: E501
    if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
        return None
    kind = question.type
    if kind.numeric:
        return _clean_number(question, raw)
    if kind is QuestionType.MATURITY:
        return _clean_level(question, raw)
    if kind is QuestionType.MULTIPLE_CHOICE:
        return _clean_choices(question, raw)
    if kind.has_choices:
        return _clean_choice(question, raw)
    if kind is QuestionType.TEXT:
        return _clean_text(raw)
    if kind is QuestionType.DATE:
        return _clean_date(raw)
    # Evidence questions are answered by attaching evidence, not by a value.
    raise AnswerValueError(_("Attach evidence instead of typing a value."))


def allowed_statuses(question: QuestionSpec) -> list[str]:
    """The statuses a respondent may choose for ``question``, "answered" first."""
    statuses = [AnswerStatus.ANSWERED.value]
    if question.allow_dont_know:
        statuses.append(AnswerStatus.DONT_KNOW.value)
    if question.allow_not_applicable:
        statuses.append(AnswerStatus.NOT_APPLICABLE.value)
    return statuses


def answer_input_clean(question: QuestionSpec, answer: AnswerInput) -> AnswerInput:
    """Validate a whole answer (status, value, justification); return its storable form."""
    if answer.status not in allowed_statuses(question):
        raise AnswerValueError(_("This choice is not offered for this question."))
    justification = answer.justification or ""
    if not isinstance(justification, str) or "\x00" in justification:
        raise AnswerValueError(_("The justification must be a text."))
    justification = justification.strip()
    if len(justification) > MAX_JUSTIFICATION_LENGTH:
        raise AnswerValueError(
            _("Keep the justification under %(limit)s characters.")
            % {"limit": MAX_JUSTIFICATION_LENGTH}
        )
    value = None
    if answer.status == AnswerStatus.ANSWERED:
        value = answer_value_clean(question, answer.value)
    return AnswerInput(question.code, value, answer.status, justification)


class AnswerValidationError(ValueError):
    """Some submitted answers are invalid; ``errors`` maps question code → message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{code}: {message}" for code, message in self.errors.items()))


def answers_for_conditions(answers: Iterable[Any]) -> dict[str, object]:
    """Question code → value as the show_if language reads it, from Answer-like rows."""
    mapping: dict[str, object] = {}
    for answer in answers:
        if answer.status == AnswerStatus.DONT_KNOW:
            mapping[answer.question_code] = Missing.DONT_KNOW
        elif answer.status == AnswerStatus.NOT_APPLICABLE:
            mapping[answer.question_code] = Missing.NOT_APPLICABLE
        elif answer.value is not None:
            mapping[answer.question_code] = answer.value
    return mapping


class AssessmentLocked(Exception):
    """The assessment is not editable in its current state."""

    def __init__(self, assessment: Assessment) -> None:
        self.state = assessment.state
        super().__init__(
            _(
                "This assessment is “%(state)s”: its answers and evidence cannot be changed "
                "until it is returned for revision."
            )
            % {"state": assessment.get_state_display()}
        )


@dataclass(frozen=True)
class AnswerChange:
    """An answer changed by someone else since the revision a save was based on."""

    question_code: str
    value: Any
    status: str
    changed_by: str
    changed_at: datetime.datetime | None
    revision: int


class RevisionConflict(Exception):
    """The save was based on an outdated revision; nothing was written."""

    def __init__(
        self, *, base_revision: int, current_revision: int, changes: Sequence[AnswerChange]
    ) -> None:
        self.base_revision = base_revision
        self.current_revision = current_revision
        self.changes = list(changes)
        super().__init__(
            _(
                "Someone else saved this assessment after you opened it (your version "
                "%(base)s, now %(current)s). Nothing was saved; review their changes and save "
                "again."
            )
            % {"base": base_revision, "current": current_revision}
        )


@dataclass(frozen=True)
class AnswersSaveResult:
    revision: int
    changed_codes: tuple[str, ...]
    saved_at: datetime.datetime
    conflicts: tuple[AnswerChange, ...] = field(default=())


_FIELDS = ("value", "status", "justification")


def _snapshot(answer: Answer | None) -> dict[str, Any]:
    if answer is None:
        return {"value": None, "status": None, "justification": ""}
    return {
        "value": answer.value,
        "status": answer.status,
        "justification": answer.justification,
    }


def answer_changes_since(assessment: Assessment, base_revision: int) -> list[AnswerChange]:
    """Answers changed after ``base_revision``, newest first, with who changed them and when."""
    rows = (
        Answer.objects.filter(assessment=assessment, revision__gt=base_revision)
        .select_related("updated_by")
        .order_by("-revision", "question_code")
    )
    return [
        AnswerChange(
            question_code=row.question_code,
            value=row.value,
            status=row.status,
            changed_by=(
                (row.updated_by.get_full_name() or row.updated_by.get_username())
                if row.updated_by
                else ""
            ),
            changed_at=row.updated_at,
            revision=row.revision,
        )
        for row in rows
    ]


def answers_save(
    *,
    assessment: Assessment,
    actor: AbstractBaseUser | None,
    answers: Sequence[AnswerInput],
    base_revision: int,
    actor_label: str = "",
) -> AnswersSaveResult:
    """Write official answers of ``assessment`` on behalf of ``actor``.

    Only answers that differ from the stored ones are written; a blank answer (answered, no
    value, no justification) removes the stored one. Everything happens in one transaction
    with the assessment row locked.

    Parameters
    ----------
    base_revision
        The assessment revision the submitter's page was built from. If someone saved
        since, changing one of the ``answers`` sent (whether this save changes it or not:
        the sender's copy is outdated) or removing any answer, and this save would change
        anything, nothing is written. Saves since of other answers do not stand in the way.

    Raises
    ------
    AssessmentLocked
        When the assessment is not in an editable state (submitted, in review, approved…).
    RevisionConflict
        When ``base_revision`` is outdated; it lists the answers changed since, by whom, when.
    AnswerValidationError
        When a question code is unknown or a value is invalid (nothing is written).
    """
    spec = framework_spec(assessment.framework)
    errors: dict[str, str] = {}
    cleaned: dict[str, AnswerInput] = {}
    for answer in answers:
        question = spec.questions_by_code.get(answer.question_code)
        if question is None:
            errors[answer.question_code] = _("There is no such question in this framework.")
            continue
        try:
            cleaned[question.code] = answer_input_clean(question, answer)
        except AnswerValueError as error:
            errors[question.code] = str(error)
    if errors:
        raise AnswerValidationError(errors)

    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if not locked.is_editable:
            raise AssessmentLocked(locked)
        existing = {
            row.question_code: row
            for row in Answer.objects.filter(assessment=locked, question_code__in=list(cleaned))
        }
        now = timezone.now()
        to_create: list[Answer] = []
        to_update: list[Answer] = []
        to_delete: list[Answer] = []
        audit_changes: list[Change] = []
        for code, answer in cleaned.items():
            row = existing.get(code)
            before = _snapshot(row)
            if answer.is_blank:
                if row is None:
                    continue
                after = _snapshot(None)
                to_delete.append(row)
                action = "delete"
            else:
                after = {
                    "value": answer.value,
                    "status": answer.status,
                    "justification": answer.justification,
                }
                if row is not None and before == after:
                    continue
                action = "create" if row is None else "update"
            for name in _FIELDS:
                if before[name] != after[name]:
                    audit_changes.append(
                        Change(
                            object_type="answer",
                            object_ref=code,
                            field=name,
                            old_value=before[name],
                            new_value=after[name],
                            action=f"answer_{action}",
                        )
                    )
            if action == "delete":
                continue
            if row is None:
                row = Answer(assessment=locked, question_code=code)
                to_create.append(row)
            else:
                to_update.append(row)
            row.value = answer.value
            row.status = answer.status
            row.justification = answer.justification
            row.updated_by = actor
            row.updated_at = now

        changed_codes = tuple(
            sorted({row.question_code for row in to_create + to_update + to_delete})
        )
        if not changed_codes:
            return AnswersSaveResult(revision=locked.revision, changed_codes=(), saved_at=now)
        if base_revision != locked.revision:
            changes = answer_changes_since(locked, base_revision)
            if (
                base_revision > locked.revision
                or locked.answers_removed_revision > base_revision
                or any(change.question_code in cleaned for change in changes)
            ):
                raise RevisionConflict(
                    base_revision=base_revision,
                    current_revision=locked.revision,
                    changes=changes,
                )

        revision = locked.revision + 1
        for row in to_create + to_update:
            row.revision = revision
        if to_create:
            Answer.objects.bulk_create(to_create)
        if to_update:
            Answer.objects.bulk_update(
                to_update,
                ["value", "status", "justification", "updated_by", "updated_at", "revision"],
            )
        if to_delete:
            Answer.objects.filter(pk__in=[row.pk for row in to_delete]).delete()
        Assessment.objects.filter(pk=locked.pk).update(
            revision=revision,
            updated_at=now,
            answers_removed_revision=revision if to_delete else locked.answers_removed_revision,
        )
        audit_record(assessment=locked, actor=actor, changes=audit_changes, actor_label=actor_label)
    assessment.revision = revision
    return AnswersSaveResult(revision=revision, changed_codes=changed_codes, saved_at=now)

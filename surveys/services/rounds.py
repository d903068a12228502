"""Creating assessments and starting a new round pre-filled from the previous one."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from surveys.audit import Change, audit_record
from surveys.frameworks.spec import FrameworkSpec, Missing
from surveys.models import Answer, AnswerStatus, Assessment, Country, Framework, FrameworkStatus
from surveys.services.answers import (
    AnswerInput,
    AnswerValueError,
    answer_input_clean,
    answers_save,
    framework_spec,
)

__all__ = ["AssessmentCreateError", "assessment_create", "carried_over_answers"]


class AssessmentCreateError(ValueError):
    """The assessment cannot be created; the message is for the user."""


_STATUS_OF_MISSING = {
    Missing.DONT_KNOW: AnswerStatus.DONT_KNOW,
    Missing.NOT_APPLICABLE: AnswerStatus.NOT_APPLICABLE,
}


def carried_over_answers(
    rows: list[Answer], *, source: FrameworkSpec, target: FrameworkSpec
) -> list[AnswerInput]:
    """Answers of a previous round re-keyed for ``target``, dropping those that no longer fit.

    Uses the frameworks' declared version mapping when the versions differ; without one, an
    answer is kept only where the same code exists and its value is still valid.
    """
    values: dict[str, object] = {}
    for row in rows:
        if row.status == AnswerStatus.DONT_KNOW:
            values[row.question_code] = Missing.DONT_KNOW
        elif row.status == AnswerStatus.NOT_APPLICABLE:
            values[row.question_code] = Missing.NOT_APPLICABLE
        else:
            values[row.question_code] = row.value
    justifications = {row.question_code: row.justification for row in rows}
    old_code_of = {code: code for code in values}
    if (source.code, source.version) != (target.code, target.version):
        from surveys.frameworks.mapping import map_answers_between_versions, question_code_map

        try:
            values = map_answers_between_versions(values, source=source, target=target)
            old_code_of = {
                new: old for old, new in question_code_map(source, target).items() if new
            }
        except ValueError:
            pass  # no declared mapping between the versions: same codes only, checked below
    inputs = []
    for code, value in values.items():
        question = target.questions_by_code.get(code)
        if question is None:
            continue
        status = _STATUS_OF_MISSING[value] if isinstance(value, Missing) else AnswerStatus.ANSWERED
        answer = AnswerInput(
            question_code=code,
            value=None if isinstance(value, Missing) else value,
            status=status,
            justification=justifications.get(old_code_of.get(code, code), ""),
        )
        try:
            inputs.append(answer_input_clean(question, answer))
        except AnswerValueError:
            continue
    return inputs


def assessment_create(
    *,
    country: Country,
    framework: Framework,
    round: int,  # noqa: A002 - the domain's word
    actor: AbstractBaseUser,
    previous: Assessment | None = None,
) -> Assessment:
    """Create a draft assessment; with ``previous``, pre-fill it with that round's answers.

    The carried-over answers are written through ``answers_save`` (so they are validated and
    audited like any other change) and keep their justifications; evidence is not copied.

    Raises
    ------
    AssessmentCreateError
        When the framework is not published, ``previous`` belongs to another country, or the
        country already has an assessment of this framework for this round.
    """
    if framework.status != FrameworkStatus.PUBLISHED:
        raise AssessmentCreateError(_("Only a published framework can be used."))
    if previous is not None and previous.country_id != country.pk:
        raise AssessmentCreateError(_("The previous round must be of the same country."))
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                country=country,
                framework=framework,
                round=round,
                previous=previous,
                created_by=actor,
            )
            audit_record(
                assessment=assessment,
                actor=actor,
                changes=[
                    Change(
                        object_type="assessment",
                        object_ref=str(assessment.pk),
                        field="created",
                        old_value=None,
                        new_value={
                            "country": country.alpha3,
                            "framework": f"{framework.code} {framework.version}",
                            "round": round,
                            "previous": previous.pk if previous else None,
                        },
                        action="assessment_create",
                    )
                ],
            )
            if previous is not None:
                answers = carried_over_answers(
                    list(previous.answers.all()),
                    source=framework_spec(previous.framework),
                    target=framework_spec(framework),
                )
                if answers:
                    answers_save(
                        assessment=assessment, actor=actor, answers=answers, base_revision=0
                    )
    except IntegrityError:
        raise AssessmentCreateError(
            _("%(country)s already has an assessment of this framework for %(round)s.")
            % {"country": country.name, "round": round}
        ) from None
    return assessment

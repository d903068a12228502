"""Saving one wizard step: shared by the wizard's buttons and the autosave endpoint."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from surveys.frameworks.spec import FrameworkSpec, PillarSpec
from surveys.models import Answer, Assessment, Evidence
from surveys.services.answers import (
    AnswersSaveResult,
    RevisionConflict,
    answers_for_conditions,
    answers_save,
)
from surveys.wizard.forms import StepForm
from surveys.wizard.progress import answers_by_code
from surveys.wizard.storage import DatabaseWizardStorage


def load_answers(assessment: Assessment) -> dict[str, Answer]:
    """The assessment's saved answers by question code (one query)."""
    return answers_by_code(
        Answer.objects.filter(assessment=assessment).select_related("updated_by")
    )


def load_evidence_codes(assessment: Assessment) -> set[str]:
    """Questions with evidence attached (one query)."""
    return set(
        Evidence.objects.filter(assessment=assessment).values_list("question_code", flat=True)
    )


def pillar_for_step(spec: FrameworkSpec, step: str) -> PillarSpec | None:
    return next((pillar for pillar in spec.pillars if pillar.code == step), None)


def build_step_form(
    *,
    spec: FrameworkSpec,
    pillar: PillarSpec,
    answers: Mapping[str, Answer],
    evidence_codes: set[str],
    data: Any = None,
    initial: Mapping[str, Any] | None = None,
    strict: bool = False,
) -> StepForm:
    return StepForm(
        data=data,
        initial=initial,
        prefix=pillar.code,
        questions=pillar.questions,
        all_questions=spec.questions,
        known_answers=answers_for_conditions(answers.values()),
        evidence_codes=evidence_codes,
        strict=strict,
    )


@dataclass
class StepSaveOutcome:
    form: StepForm
    result: AnswersSaveResult | None = None
    conflict: RevisionConflict | None = None


def step_save(
    *,
    assessment: Assessment,
    spec: FrameworkSpec,
    pillar: PillarSpec,
    data: Any,
    actor: AbstractBaseUser,
    base_revision: int,
    storage: DatabaseWizardStorage,
    answers: Mapping[str, Answer],
    evidence_codes: set[str],
) -> StepSaveOutcome:
    """Save what is valid on a posted step and keep everything typed in the draft.

    Valid answers go to ``Answer`` rows through ``answers_save``; values that fail validation
    stay in the draft envelope (with their messages shown on the next render). On a revision
    conflict nothing is written to ``Answer`` and the whole step stays in the draft.

    Raises ``AssessmentLocked`` (from ``answers_save``) when the assessment is not editable.
    """
    form = build_step_form(
        spec=spec, pillar=pillar, answers=answers, evidence_codes=evidence_codes, data=data
    )
    form.is_valid()
    try:
        result = answers_save(
            assessment=assessment,
            actor=actor,
            answers=form.answer_inputs(),
            base_revision=base_revision,
        )
    except RevisionConflict as conflict:
        storage.set_step_draft(pillar.code, form.raw_data(), base_revision)
        return StepSaveOutcome(form=form, conflict=conflict)
    storage.set_step_draft(pillar.code, form.raw_data() if form.errors else None, result.revision)
    return StepSaveOutcome(form=form, result=result)

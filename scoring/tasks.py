"""Scoring in the background: one assessment after the workflow moves it, a round's cohort.

The workflow's after-commit hook only *enqueues* (:func:`score_after_transition`), so submit,
resubmit and approve return at once; a worker computes the run (Monte Carlo and Sobol included)
and the score page shows its progress meanwhile.

Once in effect:

* a job's run is written in one transaction with ``ScoreRun.job`` unique, so a job rerun after
  its worker was killed either finds its run or writes it whole, never twice or half;
* asking again while the same work waits joins it (one active job per key);
* a job whose inputs and method have the same digests as the assessment's latest run for the
  same trigger reuses that run instead of adding an identical one.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError
from django.utils.translation import gettext as _
from django_tasks import task

from background.models import Job
from background.services import JobFailure, Progress, job_enqueue, job_execute
from scoring.engine.constants import ENGINE_VERSION
from scoring.extensions import AFTER_ASSESSMENT_RUN, AFTER_COHORT_RUN
from scoring.models import RunKind, RunStatus, RunTrigger, ScoreRun
from scoring.services import (
    ScoringError,
    cohort_assessments,
    score_cohort_create,
    score_inputs_digests,
    score_run_create,
)
from surveys.models import Assessment, Framework

__all__ = [
    "cohort_enqueue",
    "score_after_transition",
    "score_assessment",
    "score_cohort",
    "scoring_enqueue",
]

logger = logging.getLogger(__name__)

SCORE_KIND = "score_assessment"
COHORT_KIND = "score_cohort"

_TRIGGER_OF_ACTION = {
    "submit": RunTrigger.SUBMIT,
    "resubmit": RunTrigger.SUBMIT,
    "approve": RunTrigger.APPROVE,
}


def scoring_enqueue(
    *, assessment: Assessment, trigger: str, actor: AbstractBaseUser | None = None
) -> Job:
    """Score ``assessment`` in the background (joins the same work if it is already waiting)."""
    return job_enqueue(
        kind=SCORE_KIND,
        key=f"score:{assessment.pk}:{trigger}",
        task_path="scoring.tasks.score_assessment",
        parameters={"assessment": assessment.pk, "trigger": trigger},
        actor=actor,
        assessment=assessment,
    )


def cohort_enqueue(*, framework_id: int, round: int, delay_seconds: float = 0) -> Job:
    """Score a round's approved assessments together, after ``delay_seconds`` of quiet.

    Takes the framework's id: loading the Framework row (its whole definition, decoded)
    only for its key cost the approve request several milliseconds.
    """
    return job_enqueue(
        kind=COHORT_KIND,
        key=f"cohort:{framework_id}:{round}",
        task_path="scoring.tasks.score_cohort",
        parameters={"framework": framework_id, "round": round},
        delay_seconds=delay_seconds,
    )


def score_after_transition(
    assessment: Assessment, transition: Any, actor: AbstractBaseUser, message: str
) -> None:
    """Workflow hook (after commit): queue scoring on submit, resubmit and approval, and on
    approval the round's cohort run (debounced, so a burst of approvals gives one run)."""
    trigger = _TRIGGER_OF_ACTION.get(transition.action)
    if trigger is None:
        return
    scoring_enqueue(assessment=assessment, trigger=trigger, actor=actor)
    if trigger == RunTrigger.APPROVE and settings.COHORT_RUN_AFTER_APPROVAL:
        cohort_enqueue(
            framework_id=assessment.framework_id,
            round=assessment.round,
            delay_seconds=settings.COHORT_RUN_DELAY_SECONDS,
        )


def _same_as_latest(assessment: Assessment, trigger: str) -> ScoreRun | None:
    """The latest complete run when scoring now would repeat it (same method, same inputs)."""
    latest = (
        ScoreRun.objects.filter(
            assessment=assessment, kind=RunKind.SINGLE, status=RunStatus.COMPLETE
        )
        .order_by("-created_at", "-pk")
        .only("pk", "trigger", "config_digest", "inputs_digest", "engine_version", "uncertainty")
        .first()
    )
    if latest is None or latest.trigger != trigger or latest.engine_version != ENGINE_VERSION:
        return None
    same = score_inputs_digests(assessment) == (latest.config_digest, latest.inputs_digest)
    return latest if same and latest.uncertainty else None


def _score_assessment(job: Job, progress: Progress) -> dict[str, Any]:
    done = ScoreRun.objects.filter(job=job).only("pk").first()
    if done is not None:
        return {"run": done.pk}
    parameters = job.parameters
    assessment = Assessment.objects.select_related("framework", "country").get(
        pk=parameters["assessment"]
    )
    trigger = parameters["trigger"]
    progress(1, 3, _("Reading the answers"))
    try:
        reused = _same_as_latest(assessment, trigger)
        if reused is not None:
            return {"run": reused.pk, "reused": True}
        progress(2, 3, _("Computing scores, uncertainty and sensitivity"))
        run = score_run_create(
            assessment=assessment, trigger=trigger, actor=job.created_by, job=job
        )
    except IntegrityError:
        # The same job ran twice at once (a worker thought dead was alive): one run stands.
        return {"run": ScoreRun.objects.get(job=job).pk}
    except (ScoringError, ValueError) as error:
        logger.warning("scoring assessment %s after %s failed: %s", assessment.pk, trigger, error)
        ScoreRun.objects.create(
            assessment=assessment,
            framework=assessment.framework,
            framework_version=assessment.framework.version,
            round=assessment.round,
            kind=RunKind.SINGLE,
            trigger=trigger,
            status=RunStatus.FAILED,
            error=str(error),
            created_by=job.created_by,
            engine_version=ENGINE_VERSION,
        )
        raise JobFailure(
            _("The scores could not be computed: %(error)s Correct the answer and recompute.")
            % {"error": error}
        ) from error
    if settings.PAGE_WARMUP_AFTER_SCORING:
        # The run is stored and shown already; the floors above keep what they compute from it.
        for after_run in AFTER_ASSESSMENT_RUN:
            after_run(assessment, progress)
    return {"run": run.pk}


def _score_cohort(job: Job, progress: Progress) -> dict[str, Any]:
    done = ScoreRun.objects.filter(job=job).only("pk").first()
    if done is not None:
        return {"run": done.pk}
    framework = Framework.objects.get(pk=job.parameters["framework"])
    round_ = int(job.parameters["round"])
    progress(1, 2, _("Scoring the round's approved assessments together"))
    assessments = cohort_assessments(framework=framework, round=round_)
    if len(assessments) < 2:
        # Ranks need at least two countries; nothing to do yet.
        return {"run": None, "assessments": len(assessments)}
    try:
        run = score_cohort_create(
            framework=framework,
            round=round_,
            trigger=RunTrigger.APPROVE,
            assessments=assessments,
            job=job,
        )
    except IntegrityError:
        return {"run": ScoreRun.objects.get(job=job).pk}
    except ScoringError as error:
        raise JobFailure(str(error)) from error
    if settings.PAGE_WARMUP_AFTER_SCORING:
        for after_run in AFTER_COHORT_RUN:
            after_run(framework.pk, round_)
    return {"run": run.pk, "assessments": len(assessments)}


@task()
def score_assessment(job_id: int) -> dict[str, Any]:
    """Queue entry point: score one assessment (see :func:`scoring_enqueue`)."""
    return job_execute(job_id, _score_assessment)


@task()
def score_cohort(job_id: int) -> dict[str, Any]:
    """Queue entry point: a round's cohort run (see :func:`cohort_enqueue`)."""
    return job_execute(job_id, _score_cohort)

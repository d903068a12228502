"""Scoring in the platform: fetch answers, compute with the engine, save one ScoreRun.

"Fetch, then compute": each public function first loads what it needs in a bounded number of
queries (the framework spec is one row; answers, statistics and stakeholder answers are one
query each, whatever the number of questions or assessments), then builds arrays with
:mod:`scoring.adapter`, calls the pure engine, and finally writes the run and all its rows in
ONE ``transaction.atomic()``.

Reproducibility: a run stores the engine's complete configuration, its exact inputs, both
digests, the engine and framework versions and the seed; :func:`score_run_verify` recomputes
the run from what is stored and compares every number.

Statistics: where an assessment has no answer at all to a scored number or percentage question,
the latest :class:`~scoring.models.IndicatorStatistic` of the country for that question (or its
indicator) not later than the assessment's round is used. Any answer, including "don't know"
and "not applicable", takes precedence over a statistic.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from background.models import Job
from scoring.adapter import (
    AnswerError,
    FrameworkLayout,
    RawAnswer,
    answer_arrays,
    framework_layout,
    scored_questions,
)
from scoring.engine.config import EngineConfig, config_digest, inputs_digest
from scoring.engine.constants import ENGINE_VERSION
from scoring.engine.pipeline import ScoreResult, score
from scoring.engine.uncertainty import (
    DirichletWeights,
    InputSpec,
    UncertaintyResult,
    UniformWeights,
    run_uncertainty,
    uncertainty_sensitivity,
)
from scoring.influence import RANK_SHIFT, sensitivity_json
from scoring.models import (
    AgreementResult,
    IndicatorStatistic,
    RunKind,
    RunStatus,
    RunTrigger,
    Score,
    ScoreLevel,
    ScoreRun,
)
from scoring.results import UnitInputs, build_score_rows, number_or_none
from surveys.audit import Change, audit_record
from surveys.frameworks.spec import FrameworkSpec
from surveys.models import Answer, Assessment, AssessmentState, Framework, StakeholderAnswer

__all__ = [
    "COHORT_SAMPLES",
    "SINGLE_SAMPLES",
    "ScoringError",
    "VerificationResult",
    "cohort_assessments",
    "framework_spec",
    "latest_cohort_score",
    "latest_score_run",
    "score_cohort_create",
    "score_inputs_digests",
    "score_run_create",
    "score_run_verify",
    "uncertainty_inputs",
]

#: Monte Carlo samples for one assessment (intervals only) and for a cohort (ranks too).
SINGLE_SAMPLES = 2000
COHORT_SAMPLES = 10_000
#: Weight vectors in the perturbed pool (see scoring.engine.uncertainty).
WEIGHT_SETS = 256
#: Base points per replicate of the Sobol sensitivity analysis: the model runs
#: ``DEFAULT_REPLICATES (8) n (choices + 2)`` times.
SENSITIVITY_SINGLE = 64
SENSITIVITY_COHORT = 128
#: Largest seed stored (fits a signed 64-bit column).
_SEED_LIMIT = 2**62


class ScoringError(Exception):
    """The assessment cannot be scored as it stands; the message says why, for people."""


def framework_spec(framework: Framework) -> FrameworkSpec:
    """The validated spec of a stored framework (``framework.spec`` when the model has it)."""
    spec = getattr(framework, "spec", None)
    if spec is not None:
        return spec
    from surveys.frameworks.loader import load_framework_data

    return load_framework_data(framework.definition)


def uncertainty_inputs(config: EngineConfig, *, cohort: bool) -> dict[str, InputSpec]:
    """The method choices varied by the Monte Carlo analysis of a run.

    Weights at every level are perturbed (Dirichlet around the nominal shares, concentration
    50); pillars and the overall score are aggregated arithmetically or geometrically; a "don't
    know" is excluded or scored lowest. A cohort also varies the normalisation of numeric
    items (the framework's goalposts, or min–max over the countries scored together).
    """
    inputs: dict[str, InputSpec] = {"weights:item": DirichletWeights(50.0)}
    for name in config.level_names:
        inputs[f"weights:{name}"] = DirichletWeights(50.0)
    inputs["aggregation:pillar"] = ("arithmetic", "geometric")
    inputs["aggregation:overall"] = ("arithmetic", "geometric")
    inputs["dont_know_rule"] = ("exclude", "lowest")
    if cohort:
        inputs["normalisation"] = ("nominal", "min_max")
    # Sampling follows the inputs' order; PostgreSQL's jsonb does not keep key order, so a
    # canonical order is what makes a stored run reproducible on every database.
    return dict(sorted(inputs.items()))


def _inputs_to_json(inputs: Mapping[str, InputSpec]) -> dict[str, Any]:
    stored: dict[str, Any] = {}
    for name, spec in inputs.items():
        if isinstance(spec, DirichletWeights):
            stored[name] = {"dirichlet": spec.concentration}
        elif isinstance(spec, UniformWeights):
            stored[name] = {"uniform": spec.spread}
        else:
            stored[name] = list(spec)
    return stored


def _inputs_from_json(stored: Mapping[str, Any]) -> dict[str, InputSpec]:
    inputs: dict[str, InputSpec] = {}
    for name, spec in sorted(stored.items()):
        if isinstance(spec, dict) and "dirichlet" in spec:
            inputs[name] = DirichletWeights(spec["dirichlet"])
        elif isinstance(spec, dict) and "uniform" in spec:
            inputs[name] = UniformWeights(spec["uniform"])
        else:
            inputs[name] = tuple(spec)
    return inputs


def _answers_by_assessment(assessment_ids: Sequence[int]) -> dict[int, dict[str, RawAnswer]]:
    answers: dict[int, dict[str, RawAnswer]] = {pk: {} for pk in assessment_ids}
    rows = Answer.objects.filter(assessment_id__in=assessment_ids).values_list(
        "assessment_id", "question_code", "status", "value"
    )
    for assessment_id, code, status, value in rows:
        answers[assessment_id][code] = RawAnswer(status=status, value=value)
    return answers


def _statistic_codes(spec: FrameworkSpec) -> dict[str, str]:
    """Statistic code → question code, for every scored numeric question.

    A question is matched by its own code, and by its indicator's code when it is the
    indicator's only scored question.
    """
    codes: dict[str, str] = {}
    for indicator in spec.indicators:
        scored = scored_questions(indicator)
        for question in scored:
            if question.type.numeric:
                codes[question.code] = question.code
                if len(scored) == 1:
                    codes.setdefault(indicator.code, question.code)
    return codes


def _merge_statistics(
    spec: FrameworkSpec,
    assessments: Sequence[Assessment],
    answers: dict[int, dict[str, RawAnswer]],
) -> dict[int, dict[str, dict[str, Any]]]:
    """Fill unanswered numeric questions from national statistics (one query); return sources."""
    sources: dict[int, dict[str, dict[str, Any]]] = {a.pk: {} for a in assessments}
    codes = _statistic_codes(spec)
    if not codes or not assessments:
        return sources
    latest_round = max(a.round for a in assessments)
    rows = (
        IndicatorStatistic.objects.filter(
            country_id__in={a.country_id for a in assessments},
            code__in=list(codes),
            year__lte=latest_round,
            framework_code__in=[spec.code, ""],
        )
        .order_by("year", "pk")
        .values_list("country_id", "code", "year", "value", "source")
    )
    by_country: dict[int, list[tuple[str, int, float, str]]] = {}
    for country_id, code, year, value, source in rows:
        by_country.setdefault(country_id, []).append((code, year, value, source))
    for assessment in assessments:
        unit_answers = answers[assessment.pk]
        chosen: dict[str, tuple[int, bool, str, float, str]] = {}
        for code, year, value, source in by_country.get(assessment.country_id, []):
            if year > assessment.round:
                continue
            question_code = codes[code]
            existing = unit_answers.get(question_code)
            if existing is not None and not (
                existing.status == "answered" and existing.value is None
            ):
                continue
            # Latest year first; in a tie, the question's own code beats its indicator's.
            rank = (year, code == question_code, code, value, source)
            if question_code not in chosen or rank[:2] > chosen[question_code][:2]:
                chosen[question_code] = rank
        for question_code, (year, _own_code, code, value, source) in chosen.items():
            unit_answers[question_code] = RawAnswer(status="answered", value=value)
            sources[assessment.pk][question_code] = {
                "code": code,
                "year": year,
                "source": source,
                "value": value,
            }
    return sources


@dataclass
class _Fetched:
    spec: FrameworkSpec
    layout: FrameworkLayout
    assessments: list[Assessment]
    units: list[UnitInputs]
    values: np.ndarray
    status: np.ndarray
    groups: list[str] | None = None


def _fetch(framework: Framework, assessments: Sequence[Assessment]) -> _Fetched:
    try:
        spec = framework_spec(framework)
        layout = framework_layout(spec)
    except ValueError as error:
        raise ScoringError(
            _("The framework %(framework)s cannot be scored: %(error)s")
            % {"framework": framework, "error": error}
        ) from error
    ids = [assessment.pk for assessment in assessments]
    answers = _answers_by_assessment(ids)
    sources = _merge_statistics(spec, assessments, answers)
    units = [
        UnitInputs(assessment_id=pk, answers=answers[pk], statistics=sources[pk]) for pk in ids
    ]
    try:
        values, status = answer_arrays(layout, [unit.answers for unit in units])
    except AnswerError as error:
        raise ScoringError(str(error)) from error
    return _Fetched(
        spec=spec,
        layout=layout,
        assessments=list(assessments),
        units=units,
        values=values,
        status=status,
    )


def _inputs_json(fetched: _Fetched) -> dict[str, Any]:
    return {
        "units": [unit.assessment_id for unit in fetched.units],
        "labels": [str(assessment) for assessment in fetched.assessments],
        "items": list(fetched.layout.item_codes),
        "values": [
            [None if np.isnan(value) else float(value) for value in row] for row in fetched.values
        ],
        "status": fetched.status.astype(int).tolist(),
        "groups": fetched.groups,
    }


def _arrays_from_json(inputs: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    values = np.array(
        [[np.nan if value is None else value for value in row] for row in inputs["values"]],
        dtype=float,
    ).reshape(len(inputs["values"]), len(inputs["items"]))
    status = np.array(inputs["status"], dtype=np.int8).reshape(values.shape)
    return values, status


@dataclass
class _Computed:
    result: ScoreResult
    uncertainty: UncertaintyResult | None
    inputs: dict[str, InputSpec] = field(default_factory=dict)
    sensitivity: dict[str, Any] = field(default_factory=dict)


def _compute(
    config: EngineConfig,
    values: np.ndarray,
    status: np.ndarray,
    *,
    groups: Sequence[str] | None,
    uncertainty: bool,
    cohort: bool,
    seed: int,
    unit_codes: Sequence[str],
    samples: int,
    inputs: Mapping[str, InputSpec] | None = None,
) -> _Computed:
    result = score(config, values, status, groups=groups)
    if not uncertainty:
        return _Computed(result=result, uncertainty=None)
    chosen = dict(inputs) if inputs is not None else uncertainty_inputs(config, cohort=cohort)
    analysis = run_uncertainty(
        config,
        values,
        status,
        inputs=chosen,
        n_samples=samples,
        seed=seed,
        groups=groups,
        unit_codes=unit_codes,
        n_weight_sets=WEIGHT_SETS,
    )
    # Which choice moves each score most (and, for a cohort, the ranking): Sobol indices over
    # the same choices, seed and weight pool.
    indices = uncertainty_sensitivity(
        config,
        values,
        status,
        inputs=chosen,
        n_base_samples=SENSITIVITY_COHORT if cohort else SENSITIVITY_SINGLE,
        seed=seed,
        groups=groups,
        unit_codes=unit_codes,
        n_weight_sets=WEIGHT_SETS,
    )
    outputs = [*unit_codes, RANK_SHIFT] if cohort else list(unit_codes)
    return _Computed(
        result=result,
        uncertainty=analysis,
        inputs=chosen,
        sensitivity=sensitivity_json(indices, outputs=outputs),
    )


def _new_seed(seed: int | None) -> int:
    if seed is None:
        return secrets.randbelow(_SEED_LIMIT)
    if not 0 <= seed < _SEED_LIMIT:
        raise ValueError(f"seed must lie in [0, 2**62), got {seed}")
    return int(seed)


def _save_run(
    *,
    fetched: _Fetched,
    computed: _Computed,
    framework: Framework,
    assessment: Assessment | None,
    kind: str,
    trigger: str,
    actor: AbstractBaseUser | None,
    seed: int,
    samples: int,
    round_: int | None,
    job: Job | None = None,
) -> ScoreRun:
    config = fetched.layout.config
    uncertainty_json: dict[str, Any] = {}
    if computed.uncertainty is not None:
        analysis = computed.uncertainty
        uncertainty_json = {
            "inputs": _inputs_to_json(computed.inputs),
            "n_samples": samples,
            "n_weight_sets": WEIGHT_SETS,
            "interval": list(analysis.interval),
            "sensitivity": computed.sensitivity,
        }
        if kind == RunKind.COHORT:
            uncertainty_json["probability_above"] = [
                [number_or_none(value) for value in row] for row in analysis.probability_above
            ]
    with transaction.atomic():
        run = ScoreRun.objects.create(
            assessment=assessment,
            framework=framework,
            framework_version=fetched.spec.version,
            round=round_,
            kind=kind,
            trigger=trigger,
            status=RunStatus.COMPLETE,
            created_by=actor,
            configuration=config.to_dict(),
            config_digest=config_digest(config),
            inputs=_inputs_json(fetched),
            inputs_digest=inputs_digest(fetched.values, fetched.status, fetched.groups),
            engine_version=ENGINE_VERSION,
            seed=seed if computed.uncertainty is not None else None,
            uncertainty=uncertainty_json,
            warnings=list(computed.result.warnings),
            job=job,
        )
        Score.objects.bulk_create(
            build_score_rows(
                run=run,
                layout=fetched.layout,
                result=computed.result,
                units=fetched.units,
                status=fetched.status,
                uncertainty=computed.uncertainty,
                with_ranks=kind == RunKind.COHORT,
            ),
            batch_size=500,
        )
        if assessment is not None:
            AgreementResult.objects.bulk_create(
                _agreement_rows(run, assessment, fetched.layout, seed)
            )
            audit_record(
                assessment=assessment,
                actor=actor,
                changes=[
                    Change(
                        object_type="score_run",
                        object_ref=str(run.pk),
                        field="scores",
                        old_value=None,
                        new_value={
                            "trigger": trigger,
                            "overall": number_or_none(computed.result.overall[0]),
                            "config_digest": run.config_digest,
                            "inputs_digest": run.inputs_digest,
                        },
                        action="score",
                    )
                ],
            )
    return run


def _agreement_rows(
    run: ScoreRun, assessment: Assessment, layout: FrameworkLayout, seed: int
) -> list[AgreementResult]:
    """Agreement among the assessment's stakeholders."""
    from scoring.agreement import stakeholder_agreement

    rows = StakeholderAnswer.objects.filter(
        invitation__assessment=assessment, status="answered"
    ).values_list("invitation_id", "question_code", "value")
    summary = stakeholder_agreement(layout, list(rows), seed=seed)
    return [AgreementResult(run=run, assessment=assessment, **entry) for entry in summary]


def score_run_create(
    *,
    assessment: Assessment,
    trigger: str,
    actor: AbstractBaseUser | None = None,
    uncertainty: bool = True,
    seed: int | None = None,
    job: Job | None = None,
) -> ScoreRun:
    """Score one assessment and save the run, its Score rows and agreement in one transaction.

    Parameters
    ----------
    assessment : the assessment (its framework's spec is read from the framework row).
    trigger : a :class:`~scoring.models.RunTrigger` value.
    actor : who asked (None for the workflow hook's system runs).
    uncertainty : also run the Monte Carlo analysis over method choices (intervals).
    seed : seed of the random generator; a fresh one is drawn and stored when None.
    job : the background job computing it (``ScoreRun.job`` is unique: a rerun cannot duplicate).

    Raises
    ------
    ScoringError
        When the framework or a stored answer cannot be scored (the message names it).
    """
    if trigger not in RunTrigger.values:
        raise ValueError(f"unknown trigger {trigger!r}; expected one of {RunTrigger.values}")
    seed = _new_seed(seed)
    # One query for the row and its framework and country, whatever the caller loaded.
    assessment = Assessment.objects.select_related("framework", "country").get(pk=assessment.pk)
    fetched = _fetch(assessment.framework, [assessment])
    computed = _compute(
        fetched.layout.config,
        fetched.values,
        fetched.status,
        groups=None,
        uncertainty=uncertainty,
        cohort=False,
        seed=seed,
        unit_codes=[str(assessment.pk)],
        samples=SINGLE_SAMPLES,
    )
    return _save_run(
        fetched=fetched,
        computed=computed,
        framework=assessment.framework,
        assessment=assessment,
        kind=RunKind.SINGLE,
        trigger=trigger,
        actor=actor,
        seed=seed,
        samples=SINGLE_SAMPLES,
        round_=assessment.round,
        job=job,
    )


def cohort_assessments(
    *, framework: Framework, round: int, states: Iterable[str] = (AssessmentState.APPROVED,)
) -> list[Assessment]:
    """The assessments of one framework version and round in the given states (approved)."""
    return list(
        Assessment.objects.filter(framework=framework, round=round, state__in=list(states))
        .select_related("country")
        .order_by("country__name", "pk")
    )


def score_cohort_create(
    *,
    framework: Framework,
    round: int,
    trigger: str = RunTrigger.ON_DEMAND,
    actor: AbstractBaseUser | None = None,
    assessments: Sequence[Assessment] | None = None,
    uncertainty: bool = True,
    seed: int | None = None,
    samples: int = COHORT_SAMPLES,
    imputation: str | None = None,
    job: Job | None = None,
) -> ScoreRun:
    """Score the approved assessments of a round together: scores, intervals, ranks, P(i > j).

    Countries are scored with the same configuration; the Monte Carlo analysis then also gives
    each country's 5–95 % rank interval and ``run.uncertainty["probability_above"][i][j]``, the
    share of samples in which unit ``i`` (``run.inputs["units"][i]``) scores above unit ``j``.
    ``imputation`` ("mean" or "median") fills missing values within the country's World Bank
    income group, and every imputed value is flagged.

    Raises
    ------
    ScoringError
        When there is nothing to score or an answer cannot be scored.
    """
    if trigger not in RunTrigger.values:
        raise ValueError(f"unknown trigger {trigger!r}; expected one of {RunTrigger.values}")
    chosen = (
        list(assessments)
        if assessments is not None
        else cohort_assessments(framework=framework, round=round)
    )
    if not chosen:
        raise ScoringError(
            _("No approved assessment of %(framework)s in round %(round)s to score.")
            % {"framework": framework, "round": round}
        )
    if any(a.framework_id != framework.pk for a in chosen):
        raise ScoringError(_("Every assessment of a cohort must use the same framework version."))
    seed = _new_seed(seed)
    fetched = _fetch(framework, chosen)
    config = fetched.layout.config
    if imputation is not None:
        config = dataclasses.replace(config, imputation=imputation)
        fetched.layout = dataclasses.replace(fetched.layout, config=config)
        fetched.groups = [a.country.income_group or "unknown" for a in chosen]
    computed = _compute(
        config,
        fetched.values,
        fetched.status,
        groups=fetched.groups,
        uncertainty=uncertainty and len(chosen) > 1,
        cohort=True,
        seed=seed,
        unit_codes=[str(a.pk) for a in chosen],
        samples=samples,
    )
    return _save_run(
        fetched=fetched,
        computed=computed,
        framework=framework,
        assessment=None,
        kind=RunKind.COHORT,
        trigger=trigger,
        actor=actor,
        seed=seed,
        samples=samples,
        round_=round,
        job=job,
    )


@dataclass(frozen=True)
class VerificationResult:
    """Outcome of :func:`score_run_verify`: ``identical`` or a list of what differs."""

    identical: bool
    differences: tuple[str, ...]


_COMPARED_FIELDS = (
    "score",
    "coverage",
    "gap",
    "relative_gap",
    "stage",
    "insufficient",
    "imputed",
    "effective_weight",
    "marginal_gain",
    "interval_low",
    "interval_median",
    "interval_high",
    "rank_low",
    "rank_median",
    "rank_high",
)


def score_run_verify(run: ScoreRun) -> VerificationResult:
    """Recompute a run from its stored configuration, inputs and seed; compare every number.

    Checks that the stored digests match the stored configuration and inputs, that the engine
    version is the current one, and that every Score row and the stored sensitivity indices
    come out identical (exact float equality, no tolerance).
    """
    differences: list[str] = []
    if run.status != RunStatus.COMPLETE:
        return VerificationResult(False, (f"run {run.pk} did not complete",))
    if run.engine_version != ENGINE_VERSION:
        differences.append(f"engine version {run.engine_version} ≠ current {ENGINE_VERSION}")
    config = EngineConfig.from_dict(run.configuration)
    if config_digest(config) != run.config_digest:
        differences.append("the stored configuration does not match its digest")
    values, status = _arrays_from_json(run.inputs)
    groups = run.inputs.get("groups")
    if inputs_digest(values, status, groups) != run.inputs_digest:
        differences.append("the stored inputs do not match their digest")
    layout = dataclasses.replace(framework_layout(framework_spec(run.framework)), config=config)
    if list(layout.item_codes) != list(run.inputs["items"]):
        differences.append("the framework's scored questions differ from the stored items")
        return VerificationResult(False, tuple(differences))
    units = [UnitInputs(assessment_id=pk, answers={}, statistics={}) for pk in run.inputs["units"]]
    computed = _compute(
        config,
        values,
        status,
        groups=groups,
        uncertainty=bool(run.uncertainty),
        cohort=run.kind == RunKind.COHORT,
        seed=run.seed or 0,
        unit_codes=[str(pk) for pk in run.inputs["units"]],
        samples=int(run.uncertainty.get("n_samples", SINGLE_SAMPLES)),
        inputs=_inputs_from_json(run.uncertainty.get("inputs", {})) if run.uncertainty else None,
    )
    stored_sensitivity = (run.uncertainty or {}).get("sensitivity")
    if stored_sensitivity is not None and stored_sensitivity != computed.sensitivity:
        differences.append("the sensitivity indices differ from the stored ones")
    fresh = build_score_rows(
        run=run,
        layout=layout,
        result=computed.result,
        units=units,
        status=status,
        uncertainty=computed.uncertainty,
        with_ranks=run.kind == RunKind.COHORT,
    )
    stored = {
        (row.assessment_id, row.level, row.code): row
        for row in Score.objects.filter(run=run).only(
            "assessment_id", "level", "code", *_COMPARED_FIELDS
        )
    }
    if len(stored) != len(fresh):
        differences.append(f"{len(stored)} stored scores, {len(fresh)} recomputed")
    for row in fresh:
        key = (row.assessment_id, row.level, row.code)
        saved = stored.get(key)
        if saved is None:
            differences.append(f"{row.level} {row.code}: not stored")
            continue
        for name in _COMPARED_FIELDS:
            old, new = getattr(saved, name), getattr(row, name)
            if old != new:
                differences.append(f"{row.level} {row.code} {name}: stored {old!r}, now {new!r}")
    return VerificationResult(not differences, tuple(differences))


def latest_score_run(assessment: Assessment) -> ScoreRun | None:
    """The assessment's most recent complete single-assessment run."""
    return (
        ScoreRun.objects.filter(
            assessment=assessment, kind=RunKind.SINGLE, status=RunStatus.COMPLETE
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def latest_cohort_score(assessment: Assessment) -> Score | None:
    """The assessment's overall row in the latest cohort run that included it (ranks)."""
    return (
        Score.objects.filter(
            assessment=assessment,
            level=ScoreLevel.OVERALL,
            run__kind=RunKind.COHORT,
            run__status=RunStatus.COMPLETE,
        )
        .select_related("run")
        .order_by("-run__created_at", "-run__pk")
        .first()
    )


def score_inputs_digests(assessment: Assessment) -> tuple[str, str]:
    """The configuration and inputs digests a run of ``assessment`` would store if made now."""
    fetched = _fetch(assessment.framework, [assessment])
    return (
        config_digest(fetched.layout.config),
        inputs_digest(fetched.values, fetched.status, fetched.groups),
    )

"""The methodology annex: every choice behind a published score, in words, with its reference.

One function, :func:`methodology_annex`, writes the annex for both places a reviewer reads it:
the framework page (the framework's own choices and the platform's defaults for every run) and
the country PDF (the same, with the run's own sample sizes and seed). An auditor following the
OECD–JRC Handbook's checklist finds each step here: normalisation, coverage rule, missing data,
aggregation, zero handling, stages and their tolerance, weights (and the AHP random index),
uncertainty inputs, sample sizes and seeds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from scoring.engine.constants import ENGINE_VERSION, SAATY_RANDOM_INDEX
from scoring.engine.gaps import SCORE_TOLERANCE
from scoring.engine.sensitivity import DEFAULT_REPLICATES
from scoring.influence import input_label
from scoring.services import COHORT_SAMPLES, SENSITIVITY_SINGLE, SINGLE_SAMPLES
from surveys.frameworks.spec import FrameworkSpec, ZeroRemedy, translate

__all__ = ["AnnexEntry", "methodology_annex"]

HANDBOOK = (
    "OECD & JRC (2008), Handbook on Constructing Composite Indicators: Methodology and User "
    "Guide, OECD Publishing"
)


@dataclass(frozen=True)
class AnnexEntry:
    """One methodological choice: what it is about, what is done, and where it comes from."""

    topic: str
    choice: str
    reference: str


def _percent(share: float) -> str:
    return f"{share * 100:.0f} %"


def _number(value: float) -> str:
    return f"{value:g}"


def _mean_name(method: str) -> str:
    names = {
        "arithmetic": pgettext("mean", "arithmetic"),
        "geometric": pgettext("mean", "geometric"),
        "harmonic": pgettext("mean", "harmonic"),
        "power": pgettext("mean", "power"),
    }
    return names.get(method, method)


def _aggregation(spec: FrameworkSpec) -> str:
    methods: dict[str, list[str]] = {}
    for pillar in spec.pillars:
        methods.setdefault(str(pillar.aggregation), []).append(pillar.code)
        for sub in pillar.sub_pillars:
            methods.setdefault(str(sub.aggregation), []).append(sub.code)
        indicators = [
            *pillar.indicators,
            *(i for sub in pillar.sub_pillars for i in sub.indicators),
        ]
        for indicator in indicators:
            methods.setdefault(str(indicator.aggregation), []).append(indicator.code)
    # The usual method in words, the exceptions by code: a list of 38 codes reads as noise.
    usual = max(methods, key=lambda method: len(methods[method]))
    exceptions = "; ".join(
        _("{method} mean: {codes}").format(method=_mean_name(method), codes=", ".join(codes))
        for method, codes in sorted(methods.items())
        if method != usual
    )
    text = _(
        "Overall score: weighted {method} mean of the pillars. Pillars, sub-pillars and "
        "indicators combine their parts by weighted {usual} means{exceptions}. Weights are "
        "relative: they are rescaled over the parts that have data."
    ).format(
        method=_mean_name(str(spec.scoring.aggregation)),
        usual=_mean_name(usual),
        exceptions=f" ({exceptions})" if exceptions else "",
    )
    return text


def _zeros(spec: FrameworkSpec) -> str:
    value = _number(spec.scoring.zeros_value)
    if spec.scoring.zeros == ZeroRemedy.FLOOR:
        return _(
            "Question scores below {value} count as {value} before any aggregation, so that one "
            "zero does not make a geometric or harmonic mean 0."
        ).format(value=value)
    if spec.scoring.zeros == ZeroRemedy.SHIFT:
        return _(
            "Every question score x becomes {value} + (100 − {value}) × x / 100 before any "
            "aggregation (the scale moved onto [{value}, 100]), so that one zero does not make "
            "a geometric or harmonic mean 0."
        ).format(value=value)
    return _(
        "Kept: one question score of 0 makes any geometric or harmonic mean above it 0 "
        "(arithmetic means are not affected)."
    )


def _uncertainty(run: Any | None) -> tuple[str, str, str]:
    """(inputs, sample sizes, seeds) in words: the run's own, or the defaults of every run."""
    if run is None:
        inputs = _(
            "Every score run varies: the weights at every level (Dirichlet noise around the "
            "declared shares, concentration 50); arithmetic or geometric means for pillars and "
            "for the overall score; “don't know” excluded or scored lowest; and, when several "
            "countries are scored together, goalposts or min–max scaling of statistics."
        )
        sizes = _(
            "{single} Monte Carlo recomputations for one country, {cohort} for a cohort; the "
            "interval is their 5th to 95th percentile. Sobol indices: {replicates} independent "
            "replicates of {base} base points each, (choices + 2) recomputations per point."
        ).format(
            single=SINGLE_SAMPLES,
            cohort=COHORT_SAMPLES,
            replicates=DEFAULT_REPLICATES,
            base=SENSITIVITY_SINGLE,
        )
        seeds = _(
            "Each run draws a seed and stores it with its configuration and inputs; replaying "
            "the run with that seed gives the same numbers bit for bit (checked by "
            "score_run_verify)."
        )
        return inputs, sizes, seeds
    uncertainty: Mapping[str, Any] = run.uncertainty or {}
    if not uncertainty:
        none = _("No uncertainty analysis was run.")
        return none, none, _("Seed {seed}.").format(seed="—" if run.seed is None else run.seed)
    varied = "; ".join(input_label(name) for name in sorted(uncertainty.get("inputs", {})))
    inputs = _("This run varies: {varied}.").format(varied=varied)
    low, high = uncertainty.get("interval", [5.0, 95.0])
    sensitivity: Mapping[str, Any] = uncertainty.get("sensitivity") or {}
    sizes = _(
        "{samples} Monte Carlo recomputations; the interval is their {low}th to {high}th "
        "percentile."
    ).format(samples=uncertainty.get("n_samples", "—"), low=_number(low), high=_number(high))
    if sensitivity.get("n_replicates"):
        sizes += " " + _(
            "Sobol indices: {evaluations} recomputations in {replicates} independent "
            "replicates of {base} base points."
        ).format(
            evaluations=sensitivity.get("n_evaluations"),
            replicates=sensitivity.get("n_replicates"),
            base=sensitivity.get("n_base_samples"),
        )
    seeds = _(
        "Seed {seed}, stored with the run; replaying it gives the same numbers bit for bit."
    ).format(seed="—" if run.seed is None else run.seed)
    return inputs, sizes, seeds


def methodology_annex(
    spec: FrameworkSpec, language: str, *, run: Any | None = None
) -> tuple[AnnexEntry, ...]:
    """Every methodological choice of ``spec`` (and of ``run``, when given) with its reference.

    ``run`` is a :class:`scoring.models.ScoreRun`; without it the annex gives the defaults every
    run uses. Texts are in the active language; stage labels in ``language``.
    """
    scoring = spec.scoring
    overrides = [
        f"{pillar.code} {_percent(pillar.min_coverage)}"
        for pillar in spec.pillars
        if abs(pillar.min_coverage - scoring.min_coverage) > 1e-12
    ]
    coverage = _(
        "A pillar is reported only when at least {share} of its indicator weight has data "
        "(an indicator counts in proportion to its question weight with answers; questions of "
        "weight 0 do not count). Otherwise it shows “insufficient data” and is left out of the "
        "overall score, whose other weights are rescaled."
    ).format(share=_percent(scoring.min_coverage))
    if overrides:
        coverage += " " + _("Pillars with their own minimum: {list}.").format(
            list=", ".join(overrides)
        )
    dont_know = (
        _("“Don't know” answers count as the lowest score of the question.")
        if str(scoring.dont_know) == "lowest"
        else _("“Don't know” answers are left out like missing answers.")
    )
    stages = ", ".join(
        f"{translate(stage.label, language)} ≥ {_number(stage.min_score)}"
        for stage in scoring.stages
    )
    random_index = ", ".join(
        f"n = {order}: {index:.2f}" for order, index in SAATY_RANDOM_INDEX.items() if order >= 3
    )
    inputs, sizes, seeds = _uncertainty(run)
    return (
        AnnexEntry(
            _("Normalisation"),
            _(
                "Every scored question is turned into 0–100: maturity levels by their declared "
                "scores (equally spaced by default), choices by their points over the maximum "
                "points, numbers between a threshold (0) and a target (100), capped, optionally "
                "on a logarithmic scale and reversed where lower is better."
            ),
            "ITU (2023), ICT Development Index methodology; " + HANDBOOK + ", section 5",
        ),
        AnnexEntry(
            _("Coverage rule"),
            coverage,
            HANDBOOK + ", section 4; COINr (JRC), data availability screening",
        ),
        AnnexEntry(
            _("Missing data"),
            " ".join(
                [
                    _(
                        "“Not applicable” answers are left out of the denominator, never "
                        "counted as zero."
                    ),
                    dont_know,
                    _("Missing values are not estimated: the remaining weights are rescaled."),
                ]
            ),
            HANDBOOK + ", section 4 (case deletion with reweighting)",
        ),
        AnnexEntry(_("Aggregation"), _aggregation(spec), HANDBOOK + ", section 6.2"),
        AnnexEntry(
            _("Zero scores"),
            _zeros(spec),
            HANDBOOK + ", section 6.2 (geometric aggregation needs positive values); COINr",
        ),
        AnnexEntry(
            _("Stages and tolerance"),
            _(
                "Stages from the score: {stages}. A score reaches a stage threshold or a target "
                "when it is at most {tolerance} points below it, so that floating-point rounding "
                "(the geometric mean of two 80s is 79.99999999999997) never moves a score shown "
                "as 80 into the stage below; gaps use the same tolerance."
            ).format(stages=stages or "—", tolerance=f"{SCORE_TOLERANCE:g}"),
            "UNDP Digital Readiness Assessment (stages); Goldberg (1991), ACM Computing "
            "Surveys 23(1) (floating-point comparison)",
        ),
        AnnexEntry(
            _("Weights"),
            _(
                "Weights are declared by the framework (their shares are listed with it). Where "
                "weights are derived from pairwise comparisons (AHP), the principal eigenvector "
                "gives them and the consistency ratio CR = CI / RI is flagged above 0.10, with "
                "Saaty's random index: {table}."
            ).format(table=random_index),
            HANDBOOK + ", section 6.1; Saaty (1980), The Analytic Hierarchy Process",
        ),
        AnnexEntry(
            _("Uncertainty inputs"),
            inputs,
            HANDBOOK + ", section 7; Saisana, Saltelli & Tarantola (2005), JRSS A 168(2)",
        ),
        AnnexEntry(
            _("Sample sizes"),
            sizes,
            "Saltelli et al. (2010), Computer Physics Communications 181(2); Owen (1997), "
            "Annals of Statistics 25(4) (independent scrambled replicates)",
        ),
        AnnexEntry(
            _("Seeds and reproducibility"),
            seeds
            + " "
            + _("Engine version {version}.").format(
                version=ENGINE_VERSION if run is None else run.engine_version
            ),
            "numpy.random.Generator (PCG64), SeedSequence",
        ),
    )

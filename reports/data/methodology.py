"""The country report's methodology: how the run scored, the weights, the annex, the influence.

Everything is read from the run's stored configuration and uncertainty settings, so the text
describes the run that produced the numbers, not the framework's current defaults.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from charts.texts import format_number
from reports.data.common import CountryContext, day_text, run_evaluations
from reports.data.lines import PillarSection
from scoring.influence import InfluenceLine, influence_lines, input_label
from scoring.methodology import methodology_annex
from scoring.models import ScoreRun
from surveys.answer_text import localized_number
from surveys.frameworks.spec import FrameworkSpec, translate

__all__ = ["CountryMethodology", "country_methodology"]


@dataclass(frozen=True)
class CountryMethodology:
    """The fields of :class:`~reports.data.CountryReport` the methodology section shows."""

    methodology: tuple[tuple[str, str], ...]
    methodology_text: str
    annex: tuple[tuple[str, str, str], ...]
    pillar_weights: tuple[tuple[str, str, str, str], ...]
    indicator_weights: tuple[tuple[str, str, str, str], ...]
    influence: tuple[InfluenceLine, ...]
    influence_evaluations: int


def country_methodology(
    context: CountryContext, sections: Sequence[PillarSection]
) -> CountryMethodology:
    """The run's method in words, the weights tables, the annex and what moves the score."""
    run, spec, language = context.run, context.spec, context.language
    return CountryMethodology(
        methodology=_method_lines(run, spec, language, context.text),
        methodology_text=translate(spec.methodology, language),
        annex=tuple(
            (entry.topic, entry.choice, entry.reference)
            for entry in methodology_annex(spec, language, run=run)
        ),
        pillar_weights=_pillar_weights(run, sections, context.text),
        indicator_weights=tuple(
            (
                indicator.code,
                translate(indicator.title, language),
                localized_number(indicator.weight),
                localized_number(indicator.target),
            )
            for indicator in spec.indicators
        ),
        influence=tuple(influence_lines(run.uncertainty, str(context.assessment.pk))),
        influence_evaluations=run_evaluations(run.uncertainty),
    )


def _pillar_weights(
    run: ScoreRun, sections: Sequence[PillarSection], text: Mapping[str, str]
) -> tuple[tuple[str, str, str, str], ...]:
    """(pillar, declared weight, share of the overall score, minimum coverage) per pillar."""
    configuration = run.configuration or {}
    pillar_nodes = {
        node["code"]: node
        for level in configuration.get("levels", [])
        for node in level.get("nodes", [])
    }

    def row(section: PillarSection) -> tuple[str, str, str, str]:
        node = pillar_nodes.get(section.pillar.code, {})
        weight = section.pillar.effective_weight
        coverage = node.get("min_coverage") or configuration.get("min_coverage") or 0
        return (
            section.pillar.title,
            localized_number(node.get("weight", 1.0)),
            format_number(None if weight is None else weight * 100, text) + " %",
            f"{coverage * 100:.0f} %",
        )

    return tuple(row(section) for section in sections)


def _method_lines(
    run: ScoreRun, spec: FrameworkSpec, language: str, text: Mapping[str, str]
) -> tuple[tuple[str, str], ...]:
    """(label, value) lines naming every choice the run made, in the report's order."""
    configuration: Mapping[str, Any] = run.configuration or {}
    stages = ", ".join(
        f"{translate(stage.label, language)} ≥ {localized_number(stage.min_score)}"
        for stage in spec.scoring.stages
    )
    return (
        (text["framework_version"], f"{translate(spec.title, language)} {spec.version}"),
        (text["score_run"], str(run.pk)),
        (text["seed"], "—" if run.seed is None else str(run.seed)),
        (text["run_date"], day_text(run.created_at.date())),
        (text["engine_version"], run.engine_version),
        (text["aggregation"], _aggregation_text(configuration)),
        (text["normalisation"], _normalisation_text(configuration) or "—"),
        (text["missing_data"], _missing_data_text(configuration)),
        (text["uncertainty"], _uncertainty_text(run.uncertainty or {})),
        (text["stages"], stages or "—"),
        (text["config_digest"], run.config_digest or "—"),
        (text["inputs_digest"], run.inputs_digest or "—"),
    )


def _normalisation_text(configuration: Mapping[str, Any]) -> str:
    """How many questions each normalisation turned into 0–100 ("" when none)."""
    kinds: dict[str, int] = defaultdict(int)
    for item in configuration.get("items", []):
        kinds[item.get("normalisation", {}).get("kind", "?")] += 1
    kind_names = {
        "goalposts": _("scaled between a threshold and a target (goalposts), capped at 100"),
        "levels": _("maturity levels mapped to fixed scores"),
        "points": _("points of the chosen answers over the maximum points"),
    }
    # Translators: separates the items of a list inside a sentence (" ; " in French).
    return _("; ").join(
        ngettext("{what}: {count} question", "{what}: {count} questions", count).format(
            what=kind_names.get(kind, kind), count=count
        )
        for kind, count in sorted(kinds.items())
    )


def _missing_data_text(configuration: Mapping[str, Any]) -> str:
    """The rules for "not applicable", "don't know", coverage and imputation, as sentences."""
    dont_know = {
        "exclude": _("“Don't know” answers are left out like missing answers."),
        "lowest": _("“Don't know” answers count as the lowest score of the question."),
        "zero": _("“Don't know” answers count as zero."),
    }.get(configuration.get("dont_know_rule", ""), "")
    coverage = configuration.get("min_coverage")
    imputation = configuration.get("imputation")
    parts = (
        _("“Not applicable” answers are left out of the denominator, never counted as zero."),
        dont_know,
        _(
            "A pillar with answers for less than {share} of its indicator weight (an "
            "indicator counting in proportion to its question weight with answers) shows "
            "“insufficient data” and is left out of the overall score, whose other weights "
            "are rescaled."
        ).format(share=f"{(coverage or 0) * 100:.0f} %" if coverage is not None else "—"),
        _("Missing values are estimated from countries of the same income group ({how}).").format(
            how=imputation
        )
        if imputation
        else _("Missing values are not estimated."),
    )
    return " ".join(part for part in parts if part)


def _aggregation_text(configuration: Mapping[str, Any]) -> str:
    """Which mean combines the pillars into the overall score."""
    mean_names = {
        "arithmetic": pgettext("mean", "arithmetic"),
        "geometric": pgettext("mean", "geometric"),
        "harmonic": pgettext("mean", "harmonic"),
        "power": pgettext("mean", "power"),
    }
    overall_method = configuration.get("overall_aggregation", "—")
    return _("{overall} mean of pillars; pillars and indicators: see the weights table.").format(
        overall=mean_names.get(overall_method, overall_method)
    )


def _uncertainty_text(uncertainty: Mapping[str, Any]) -> str:
    """The Monte Carlo interval, its sample size and what it varies (or that none was run)."""
    if not uncertainty:
        return _("No uncertainty analysis was run.")
    low, high = uncertainty.get("interval", [5.0, 95.0])
    varied = _("; ").join(input_label(name) for name in sorted(uncertainty.get("inputs", {})))
    return _(
        "Intervals are the {low}th to {high}th percentiles of {samples} Monte Carlo "
        "recomputations that vary: {varied}."
    ).format(
        low=localized_number(low),
        high=localized_number(high),
        samples=uncertainty.get("n_samples", "—"),
        varied=varied,
    )

"""What moves a score: the Sobol indices of a run, as lines people can read.

The Monte Carlo analysis of a run varies the method choices a methodologist could reasonably
make (weights, averaging, scaling of statistics, treatment of "don't know"). The sensitivity
analysis, :func:`scoring.engine.uncertainty.uncertainty_sensitivity`, then says how much of
the spread of a score each choice explains: alone (the first-order Sobol index) and with
its interactions with the other choices (the total index), each with a 95 % t interval over
independent replicates. For a cohort it says the same of the mean absolute rank shift, i.e.
what moves the ranking.

:func:`sensitivity_json` stores the indices with the run (``run.uncertainty["sensitivity"]``);
:func:`influence_lines` reads them back for the score page, the dashboards, the PDF reports
and the API, largest total index first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from scoring.engine.sensitivity import SobolIndices
from scoring.results import number_or_none

__all__ = [
    "RANK_SHIFT",
    "InfluenceLine",
    "influence_lines",
    "input_label",
    "sensitivity_json",
]

#: The output of a cohort's analysis that describes the ranking rather than one country.
RANK_SHIFT = "mean absolute rank shift"

_FIELDS = ("first", "first_low", "first_high", "total", "total_low", "total_high")


def input_label(name: str) -> str:
    """A method choice of the analysis in words, e.g. "Weights of the pillars"."""
    labels = {
        "weights:item": _("Weights of the questions"),
        "weights:indicator": _("Weights of the indicators"),
        "weights:sub_pillar": _("Weights of the sub-pillars"),
        "weights:pillar": _("Weights of the pillars"),
        "aggregation:indicator": _("Averaging within indicators (arithmetic or geometric)"),
        "aggregation:sub_pillar": _("Averaging within sub-pillars (arithmetic or geometric)"),
        "aggregation:pillar": _("Averaging within pillars (arithmetic or geometric)"),
        "aggregation:overall": _("Averaging of the pillars (arithmetic or geometric)"),
        "normalisation": _("Scaling of statistics (goalposts or min–max)"),
        "dont_know_rule": _("Treatment of “don't know” answers"),
        "imputation": _("Estimation of missing values"),
    }
    return labels.get(name, name)


@dataclass(frozen=True)
class InfluenceLine:
    """One method choice and the share of a score's variance it explains (0–1)."""

    input: str
    label: str
    first: float | None
    first_low: float | None
    first_high: float | None
    total: float | None
    total_low: float | None
    total_high: float | None


def sensitivity_json(indices: SobolIndices, *, outputs: Sequence[str]) -> dict[str, Any]:
    """The indices of the named ``outputs`` as stored with a run (NaN becomes None).

    Outputs the analysis left out (a unit with "insufficient data" in some sample has no
    variance to share out) are skipped.
    """
    stored: dict[str, dict[str, dict[str, float | None]]] = {}
    for output in outputs:
        if output not in indices.output_names:
            continue
        stored[output] = {
            name: {key: number_or_none(value) for key, value in values.items()}
            for name, values in indices.for_output(output).items()
        }
    return {
        "inputs": list(indices.input_names),
        "n_base_samples": indices.n_base_samples,
        "n_evaluations": indices.n_evaluations,
        "n_replicates": indices.n_replicates,
        "confidence_level": indices.confidence_level,
        "outputs": stored,
    }


def influence_lines(uncertainty: Mapping[str, Any] | None, output: str) -> list[InfluenceLine]:
    """What moves ``output`` (a unit code or :data:`RANK_SHIFT`) in a run's ``uncertainty``.

    Empty when the run has no sensitivity analysis or left the output out. Largest total
    index first; choices without an index last.
    """
    sensitivity = (uncertainty or {}).get("sensitivity") or {}
    indices = (sensitivity.get("outputs") or {}).get(output)
    if not indices:
        return []
    lines = [
        InfluenceLine(
            input=name,
            label=input_label(name),
            **{key: _number(values.get(key)) for key in _FIELDS},
        )
        for name, values in indices.items()
    ]
    return sorted(lines, key=lambda line: (line.total is None, -(line.total or 0.0), line.label))


def _number(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]

"""Score rows and catalogues for planner tests, written directly (no scoring engine run)."""

from __future__ import annotations

from typing import Any

from planning.catalogue import catalogue_load, read_catalogue_text
from scoring.models import Score, ScoreLevel, ScoreRun
from surveys.models import Assessment

# The small test framework (tests/fixtures/small-framework.yaml): pillar of each indicator.
PILLAR_OF = {"GOV.1": "GOV", "GOV.2": "GOV", "NET.1": "NET", "NET.2": "NET", "SKL.1": "SKL"}

CATALOGUE_YAML = """
format: intervention-catalogue/1
framework: test_framework
interventions:
  - code: STRAT
    title: {en: "Strategy support", fr: "Appui à la stratégie"}
    kind: policy_support
    channel: country_programme
    targets: {GOV.1: 30}
    cost: 100000
    duration_months: 6
  - code: NET-BUILD
    title: {en: "Network build", fr: "Construction du réseau"}
    kind: infrastructure
    channel: other_partner
    targets: {NET.1: 20, NET.2: 10}
    cost: 800000
    duration_months: 24
    prerequisites: [STRAT]
  - code: SKILLS
    title: {en: "Skills course", fr: "Cours de compétences"}
    kind: training_course
    channel: training_institute
    targets: {SKL: 25}
    cost: 150000
    duration_months: 12
  - code: SKILLS-LITE
    title: {en: "Skills webinar", fr: "Webinaire de compétences"}
    kind: training_course
    channel: training_institute
    targets: {SKL.1: 10}
    cost: 20000
    duration_months: 2
    exclusions: [SKILLS]
"""


def load_test_catalogue(text: str = CATALOGUE_YAML) -> None:
    """Store the small test framework (if needed) and this catalogue for it."""
    from tests.factories import make_framework

    make_framework()
    catalogue_load(catalogue=read_catalogue_text(text, csv_format=False))


def make_scores(
    assessment: Assessment,
    indicators: dict[str, float | None],
    *,
    weights: dict[str, float] | None = None,
    target: float = 100.0,
    pillar_intervals: dict[str, tuple[float, float, float]] | None = None,
    **run_fields: Any,
) -> ScoreRun:
    """A complete run with indicator, pillar and overall rows; gaps are target − score."""
    run = ScoreRun.objects.create(
        assessment=assessment,
        framework=assessment.framework,
        framework_version=assessment.framework.version,
        trigger="on_demand",
        engine_version="test",
        **run_fields,
    )
    weights = weights or {code: 1 / len(indicators) for code in indicators}
    rows = []
    for position, (code, score) in enumerate(indicators.items()):
        rows.append(
            Score(
                run=run,
                assessment=assessment,
                level=ScoreLevel.INDICATOR,
                code=code,
                position=position,
                score=score,
                target=target,
                gap=None if score is None else max(0.0, target - score),
                effective_weight=weights.get(code, 0.0),
                insufficient=score is None,
            )
        )
    for pillar in sorted(set(PILLAR_OF.values())):
        members = [s for c, s in indicators.items() if PILLAR_OF.get(c) == pillar and s is not None]
        low, median, high = (pillar_intervals or {}).get(pillar, (None, None, None))
        rows.append(
            Score(
                run=run,
                assessment=assessment,
                level=ScoreLevel.PILLAR,
                code=pillar,
                score=sum(members) / len(members) if members else None,
                interval_low=low,
                interval_median=median,
                interval_high=high,
            )
        )
    known = [s for s in indicators.values() if s is not None]
    rows.append(
        Score(
            run=run,
            assessment=assessment,
            level=ScoreLevel.OVERALL,
            code="overall",
            score=sum(known) / len(known) if known else None,
        )
    )
    Score.objects.bulk_create(rows)
    return run

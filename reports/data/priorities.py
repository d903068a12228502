"""The country report's priorities and recommended portfolio, as the planner pages compute them.

The report reads the run's stored scores into a :class:`planning.services.ScoreSnapshot` and asks
:func:`planning.services.country_needs` and :func:`planning.services.country_portfolio`, so the
report and the planner page recommend the same thing for the same budget.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from planning.models import Intervention
from planning.services import (
    CountryNeeds,
    IndicatorGap,
    PillarScore,
    PlanningError,
    PortfolioLine,
    ScoreSnapshot,
    catalogue_stamp,
    country_needs,
    country_portfolio,
)
from reports.data.common import CountryContext
from reports.data.lines import InterventionLine, PriorityLine
from reports.data.shared import shared
from scoring.engine.constants import ENGINE_VERSION
from scoring.models import ScoreLevel
from surveys.frameworks.spec import translate

__all__ = ["CountryPriorities", "country_priorities"]


@dataclass(frozen=True)
class CountryPriorities:
    """The fields of :class:`~reports.data.CountryReport` the priorities section shows."""

    priorities: tuple[PriorityLine, ...]
    portfolio: tuple[InterventionLine, ...]
    budget: float
    portfolio_cost: float
    portfolio_gain: float
    #: Why there is no portfolio, or what the optimiser noted about it.
    portfolio_notes: tuple[str, ...]


def country_priorities(context: CountryContext, budget: float) -> CountryPriorities:
    """Ranked gaps with their cheapest intervention, and the best portfolio within ``budget``."""
    language = context.language
    pillar_titles = {
        pillar.code: translate(pillar.title, language) for pillar in context.spec.pillars
    }
    snapshot = _score_snapshot(context, pillar_titles)
    code = context.spec.code
    interventions = shared(
        ("interventions", code),
        lambda: list(Intervention.objects.filter(framework_code=code, active=True)),
    )
    titles = {item.code: translate(item.title, language) for item in interventions}
    needs = country_needs(snapshot=snapshot, interventions=interventions)
    priorities = _priority_lines(needs, pillar_titles, titles)
    if not interventions:
        return _without_portfolio(priorities, budget, _("The intervention catalogue is empty."))
    kept = _kept_portfolio(context, snapshot, interventions, budget)
    if isinstance(kept, str):
        return _without_portfolio(priorities, budget, kept)
    lines, gain, notes = kept
    return CountryPriorities(
        priorities=priorities,
        portfolio=lines,
        budget=float(budget),
        portfolio_cost=sum(line.cost for line in lines if line.selected),
        portfolio_gain=gain,
        portfolio_notes=notes,
    )


def _kept_portfolio(
    context: CountryContext,
    snapshot: ScoreSnapshot,
    interventions: list[Intervention],
    budget: float,
) -> tuple[tuple[InterventionLine, ...], float, tuple[str, ...]] | str:
    """The best portfolio within ``budget`` (its lines, gain and notes), or why there is none.

    The plan depends only on the assessment's run, the catalogue, the budget and the language:
    it is solved once and kept, so the dashboard, the PDF and report batches do not solve it
    again (a new score run elsewhere makes the dashboard recompute, but not this country's plan).
    """
    material = "|".join(
        [
            str(context.assessment.pk),
            str(snapshot.run_id),
            catalogue_stamp(interventions),
            repr(budget),
            context.language,
            ENGINE_VERSION,
        ]
    )
    key = "report-portfolio:" + hashlib.sha256(material.encode()).hexdigest()
    kept = cache.get(key)
    if kept is None:
        try:
            portfolio = country_portfolio(
                snapshot=snapshot,
                interventions=interventions,
                budget=budget,
                samples=0,
                language=context.language,
                compare_greedy=False,
            )
        except PlanningError as error:
            return str(error)
        kept = (
            tuple(_intervention_line(line) for line in portfolio.lines),
            float(portfolio.result.expected_gain),
            tuple(portfolio.notes),
        )
        cache.set(key, kept, timeout=settings.PLAN_CACHE_SECONDS)
    return kept


def _without_portfolio(
    priorities: tuple[PriorityLine, ...], budget: float, note: str
) -> CountryPriorities:
    """The priorities alone, with the note that says why no portfolio is recommended."""
    return CountryPriorities(
        priorities=priorities,
        portfolio=(),
        budget=float(budget),
        portfolio_cost=0.0,
        portfolio_gain=0.0,
        portfolio_notes=(note,),
    )


def _score_snapshot(context: CountryContext, pillar_titles: Mapping[str, str]) -> ScoreSnapshot:
    """The run's stored scores in the shape the planner computes from."""
    overall = context.by_key.get((ScoreLevel.OVERALL, "overall"))
    return ScoreSnapshot(
        country=context.assessment.country,
        assessment=context.assessment,
        run_id=context.scores[0].run_id if context.scores else 0,
        seed=None,
        spec=context.spec,
        overall=None if overall is None else overall.score,
        overall_stage="" if overall is None else overall.stage,
        indicators=_indicator_gaps(context),
        pillars=_pillar_scores(context, pillar_titles),
    )


def _indicator_gaps(context: CountryContext) -> tuple[IndicatorGap, ...]:
    """Each indicator's score, target and gap (never negative) from the run's rows.

    The gap is the stored one, else target − score; the relative gap divides it by the target.
    """
    gaps = []
    for pillar, _sub, indicator in context.spec.iter_indicators_with_parents():
        row = context.by_key.get((ScoreLevel.INDICATOR, indicator.code))
        score = None if row is None else row.score
        target = indicator.target if row is None or row.target is None else row.target
        gap = None if score is None else (row.gap if row.gap is not None else target - score)
        gaps.append(
            IndicatorGap(
                code=indicator.code,
                title=translate(indicator.title, context.language),
                pillar_code=pillar.code,
                score=score,
                target=target,
                gap=None if gap is None else max(0.0, gap),
                relative_gap=None if gap is None or target <= 0 else max(0.0, gap) / target,
                effective_weight=(row.effective_weight or 0.0) if row is not None else 0.0,
                stage=row.stage if row is not None else "",
            )
        )
    return tuple(gaps)


def _pillar_scores(
    context: CountryContext, pillar_titles: Mapping[str, str]
) -> tuple[PillarScore, ...]:
    """Each pillar's score and gap from the run's rows (None where it has none)."""
    return tuple(
        PillarScore(
            code=pillar.code,
            title=pillar_titles[pillar.code],
            score=getattr(context.by_key.get((ScoreLevel.PILLAR, pillar.code)), "score", None),
            gap=getattr(context.by_key.get((ScoreLevel.PILLAR, pillar.code)), "gap", None),
        )
        for pillar in context.spec.pillars
    )


def _priority_lines(
    needs: CountryNeeds, pillar_titles: Mapping[str, str], titles: Mapping[str, str]
) -> tuple[PriorityLine, ...]:
    """The ranked needs, each with its pillar's and cheapest intervention's titles."""
    return tuple(
        PriorityLine(
            rank=row.rank,
            indicator=row.indicator.title,
            pillar=pillar_titles.get(row.indicator.pillar_code, row.indicator.pillar_code),
            gap=float(row.indicator.gap or 0.0),
            priority=row.priority,
            intervention=titles.get(row.cheapest, row.cheapest),
        )
        for row in needs.rows
    )


def _intervention_line(line: PortfolioLine) -> InterventionLine:
    """One line of the planner's portfolio table as the report shows it."""
    return InterventionLine(
        code=line.code,
        title=line.title,
        kind=line.kind,
        cost=line.cost,
        duration_months=line.duration_months,
        gain=line.standalone_gain,
        selected=line.optimal,
    )

"""The regional report's data, assembled section by section (see :mod:`reports.data`)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import translation

from charts.texts import regional_text
from reports.data.common import check_language, latest_cohort_rows, section_fields, stage_labels
from reports.data.countries import country_rows, round_assessments, round_scores
from reports.data.cover import regional_cover, regional_scope
from reports.data.demand import regional_demand
from reports.data.lines import DEFAULT_BUDGET, RegionalReport
from reports.data.matching import regional_matching
from reports.data.ranking import regional_ranking
from surveys.models import Country

__all__ = ["regional_report_data"]


def regional_report_data(
    *,
    countries: QuerySet[Country],
    language: str,
    round: int,
    region: str = "",
    income_group: str = "",
    framework_code: str | None = None,
    budget: float = DEFAULT_BUDGET,
) -> RegionalReport:
    """Countries × pillars, rank intervals and demand for one round, among ``countries``.

    ``countries`` is what the user may see (:func:`surveys.permissions.visible_countries`);
    ``region`` and ``income_group`` narrow it. The framework is ``framework_code`` or, when
    None, the one most assessments of the round use. Demand comes from
    :func:`planning.services.demand_build` (each country's latest scores).
    """
    check_language(language)
    with translation.override(language):
        return _regional_report(
            countries, language, round, region, income_group, framework_code, budget
        )


def _regional_report(
    countries: QuerySet[Country],
    language: str,
    round: int,
    region: str,
    income_group: str,
    framework_code: str | None,
    budget: float,
) -> RegionalReport:
    """Each section of the PDF, built from the round's chosen assessments, in the PDF's order."""
    text = regional_text()
    scope = regional_scope(countries, region, income_group)
    chosen = round_assessments(scope, round, framework_code)
    stages = stage_labels(chosen.spec, language) if chosen.spec else {}
    scores = round_scores(chosen)
    cohorts = latest_cohort_rows([a.pk for a in chosen.assessments])
    cover = regional_cover(
        text=text,
        language=language,
        round=round,
        region=region,
        income_group=income_group,
        spec=chosen.spec,
        scores=scores,
    )
    demand = regional_demand(
        framework_code=chosen.framework_code,
        budget=budget,
        region=region,
        income_group=income_group,
        countries=countries,
        language=language,
    )
    return RegionalReport(
        **section_fields(cover),
        rows=country_rows(chosen, scores, cohorts, stages, text),
        **section_fields(demand),
        budget=float(budget),
        **section_fields(regional_ranking(cohorts)),
        **section_fields(
            regional_matching(
                round=round,
                framework_code=chosen.framework_code,
                region=region,
                scope=scope,
                language=language,
            )
        ),
    )

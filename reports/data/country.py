"""The country report's data, assembled section by section (see :mod:`reports.data`)."""

from __future__ import annotations

from django.utils import translation

from charts.texts import chart_text
from reports.data.common import check_language, country_context, section_fields
from reports.data.cover import country_cover
from reports.data.lines import DEFAULT_BUDGET, CountryReport
from reports.data.methodology import country_methodology
from reports.data.pillars import pillar_sections
from reports.data.priorities import country_priorities
from reports.data.summary import country_summary
from reports.data.trend import country_trend
from reports.peers import country_peers_data
from surveys.models import Country

__all__ = ["country_report_data"]


def country_report_data(
    *,
    country: Country,
    language: str,
    round: int | None = None,
    budget: float = DEFAULT_BUDGET,
) -> CountryReport:
    """Everything the country report shows, for the country's assessment of ``round``.

    The latest round with a complete score run is used when ``round`` is None; within it, the
    latest complete single-assessment run. About a dozen queries whatever the framework's size.

    Raises
    ------
    ReportError
        When the country has no scored assessment (in that round), or the language is unknown.
    """
    check_language(language)
    with translation.override(language):
        return _country_report(country, language, round, budget)


def _country_report(
    country: Country, language: str, round: int | None, budget: float
) -> CountryReport:
    """Each section of the PDF, built from one context, in the PDF's order."""
    context = country_context(country, language, round)
    sections = pillar_sections(context)
    return CountryReport(
        **section_fields(country_cover(context)),
        **section_fields(country_summary(context, sections)),
        **section_fields(country_trend(context)),
        peers=country_peers_data(
            alpha3=country.alpha3, spec=context.spec, language=language, chart_text=chart_text()
        ),
        pillars=sections,
        **section_fields(country_priorities(context, budget)),
        **section_fields(country_methodology(context, sections)),
    )

"""Number formatting of the dashboards, with the separators of the report's language."""

from __future__ import annotations

from django import template
from django.http import QueryDict

from charts.texts import format_money, format_number
from reports.data import CountryReport, RegionalReport

register = template.Library()


@register.filter
def report_number(value: float | None, report: CountryReport | RegionalReport) -> str:
    """One decimal with the report's decimal separator; "—" for no value."""
    return format_number(value, report.text)


@register.filter
def report_percent(value: float | None, report: CountryReport | RegionalReport) -> str:
    """A share (0–1) as a whole percentage."""
    return "—" if value is None else f"{format_number(value * 100, report.text, 0)} %"


@register.filter
def report_share(value: float | None, report: CountryReport | RegionalReport) -> str:
    """A Sobol index as a whole percentage; estimates a little outside [0, 1] show as 0 or 100."""
    return "—" if value is None else report_percent(min(max(value, 0.0), 1.0), report)


@register.filter
def report_money(value: float, report: CountryReport | RegionalReport) -> str:
    return format_money(value, report.text)


@register.simple_tag
def query_with(query: str, **changes: object) -> str:
    """The query string ``query`` with ``changes`` applied (autoescaped by the template)."""
    params = QueryDict(query, mutable=True)
    for key, value in changes.items():
        params[key] = str(value)
    return params.urlencode()


@register.simple_tag
def fill(template_text: str, **values: object) -> str:
    """``template_text.format(**values)``; the result is autoescaped like any variable."""
    return template_text.format(**values)

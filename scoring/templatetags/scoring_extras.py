"""Formatting of scores, shares and ranks for the score pages (localised by Django)."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def score(value: float | None) -> str:
    """A 0–100 score with one decimal; an en dash when there is none."""
    return "–" if value is None else floatformat(value, 1)


@register.filter
def percent(value: float | None) -> str:
    """A share in [0, 1] as a percentage."""
    return "–" if value is None else f"{floatformat(value * 100, 0)} %"


@register.filter
def rank(value: float | None) -> str:
    return "–" if value is None else floatformat(value, 0)


@register.filter
def aggregation_label(method: str) -> str:
    return {
        "arithmetic": _("the weighted average"),
        "geometric": _("the weighted geometric mean"),
        "harmonic": _("the weighted harmonic mean"),
        "power": _("a weighted power mean"),
    }.get(method, method)


@register.filter
def variance_share(value: float | None) -> str:
    """A Sobol index as a percentage; estimates a little outside [0, 1] show as 0 % or 100 %."""
    if value is None:
        return "–"
    return f"{floatformat(min(max(value, 0.0), 1.0) * 100, 0)} %"

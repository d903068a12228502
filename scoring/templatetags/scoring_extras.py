"""Formatting of scores, shares and ranks for the score pages (:mod:`surveys.figures`)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from surveys import figures

register = template.Library()


@register.filter
def score(value: float | None) -> str:
    """A 0–100 score with one decimal; "—" when there is none."""
    return figures.score_text(value)


@register.filter
def percent(value: float | None) -> str:
    """A share in [0, 1] as a percentage."""
    return figures.percent_text(value)


@register.filter
def rank(value: float | None) -> str:
    return figures.number_text(value, 0)


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
        return figures.NO_VALUE
    return figures.percent_text(min(max(value, 0.0), 1.0))

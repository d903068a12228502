"""Template filters for figures; each calls its formatter in :mod:`surveys.figures`.

``{% load figures %}`` then ``{{ gap|points }}``, ``{{ cost|money }}``, ``{{ value|score }}``,
``{{ share|percent }}``, ``{{ n|open_queries }}``, ``{{ n|countries }}``,
``{{ n|participants }}``, ``{{ value|number:0 }}`` and ``{% answered done total %}``.
"""

from __future__ import annotations

from django import template

from surveys import figures

register = template.Library()

register.filter("score", figures.score_text)
register.filter("points", figures.points_text)
register.filter("money", figures.money_text)
register.filter("open_queries", figures.open_queries_text)
register.filter("countries", figures.countries_text)
register.filter("participants", figures.participants_text)


@register.filter
def percent(share: float | None) -> str:
    return figures.percent_text(share)


@register.filter
def number(value: float | None, digits: int = 1) -> str:
    """A bare number with ``digits`` decimals (table cells under a header naming the unit)."""
    return figures.number_text(value, int(digits))


@register.simple_tag
def answered(done: int, total: int) -> str:
    return figures.answered_text(done, total)

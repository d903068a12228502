"""Official values beside a country's answers: what the survey, reviewers and exports show.

Every function reads the values it needs in one query, whatever the number of questions.
Questions are anything with a ``code`` and an ``official`` link (``surveys.frameworks.spec
.QuestionSpec``); this app does not import the survey app, which imports it.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from officialstats.models import OfficialValue

__all__ = [
    "RELATIVE_THRESHOLD",
    "OfficialComparison",
    "OfficialFigure",
    "official_comparisons",
    "official_figures",
    "official_figures_many",
]

#: An answer "differs" from the official value when it is further from it than this share of
#: the official value (10%: beyond the revisions and rounding usual between a national figure
#: and the ITU's harmonised one); at least 0.1 in absolute terms, for values near zero.
RELATIVE_THRESHOLD = 0.10
ABSOLUTE_FLOOR = 0.1


@dataclass(frozen=True)
class OfficialFigure:
    """The official value of one linked question for one country, ready to show and use."""

    question_code: str
    #: In the question's unit (the link's factor applied).
    value: float
    published_value: float
    unit: str
    year: int
    estimate: bool
    lagged: bool
    source_code: str
    source_name: str
    publisher: str
    attribution: str
    url: str
    indicator_code: str
    indicator_name: str

    @property
    def value_text(self) -> str:
        """The value as a form field accepts it (a dot, no exponent for ordinary numbers)."""
        return f"{self.value:.10g}"

    @property
    def flag_labels(self) -> list[str]:
        labels = []
        if self.estimate:
            labels.append(_("estimate by %(publisher)s") % {"publisher": self.publisher})
        if self.lagged:
            labels.append(_("value of an earlier year"))
        return labels

    @property
    def justification(self) -> str:
        """The justification written with an answer taken from the official value."""
        text = _(
            "Official value from %(source)s (%(publisher)s): %(indicator)s, %(value)s in %(year)s."
        ) % {
            "source": self.source_name,
            "publisher": self.publisher,
            "indicator": self.indicator_name,
            "value": self.value_text,
            "year": self.year,
        }
        if self.flag_labels:
            text += " " + _("Flags: %(flags)s.") % {"flags": ", ".join(self.flag_labels)}
        return f"{text} {self.url}"

    def differs_from(self, answer: float) -> bool:
        """Whether ``answer`` is further from the official value than the threshold."""
        allowed = max(RELATIVE_THRESHOLD * abs(self.value), ABSOLUTE_FLOOR)
        return abs(answer - self.value) > allowed


def _linked(questions: Iterable[Any]) -> dict[tuple[str, str], list[Any]]:
    links: dict[tuple[str, str], list[Any]] = {}
    for question in questions:
        link = getattr(question, "official", None)
        if link is not None:
            links.setdefault((link.source, link.indicator), []).append(question)
    return links


def official_figures(
    *, iso3: str, questions: Iterable[Any], up_to_year: int | None = None
) -> dict[str, OfficialFigure]:
    """The latest official value (not after ``up_to_year``) of every linked question; one query.

    Examples
    --------
    Questions without an ``official`` link need no query at all:

    >>> official_figures(iso3="SEN", questions=[])
    {}
    """
    return official_figures_many([(None, iso3, list(questions), up_to_year)]).get(None, {})


def official_figures_many(
    requests: Sequence[tuple[Hashable, str, Sequence[Any], int | None]],
) -> dict[Hashable, dict[str, OfficialFigure]]:
    """:func:`official_figures` for several ``(key, iso3, questions, up_to_year)`` at once.

    One query whatever the number of requests (an export batch, a page of the API), returning
    the figures of each request under its key.
    """
    links_by_key = {key: _linked(questions) for key, _iso3, questions, _year in requests}
    wanted = Q()
    anything = False
    for key, iso3, _questions, _year in requests:
        for source, indicator in links_by_key[key]:
            wanted |= Q(
                economy__iso3=iso3, indicator__source__code=source, indicator__code=indicator
            )
            anything = True
    found: dict[Hashable, dict[str, OfficialFigure]] = {key: {} for key, *_rest in requests}
    if not anything:
        return found
    rows = list(
        OfficialValue.objects.filter(wanted)
        .select_related("indicator__source", "economy")
        .order_by("-year")
    )
    for key, iso3, _questions, up_to_year in requests:
        figures = found[key]
        links = links_by_key[key]
        for row in rows:
            if row.economy.iso3 != iso3 or (up_to_year is not None and row.year > up_to_year):
                continue
            indicator, source = row.indicator, row.indicator.source
            for question in links.get((source.code, indicator.code), []):
                if question.code in figures:
                    continue  # a later year is already there
                figures[question.code] = OfficialFigure(
                    question_code=question.code,
                    value=question.official.answer_value(row.value),
                    published_value=row.value,
                    unit=indicator.unit,
                    year=row.year,
                    estimate=row.estimate,
                    lagged=row.lagged,
                    source_code=source.code,
                    source_name=source.name,
                    publisher=source.publisher,
                    attribution=source.attribution,
                    url=source.url,
                    indicator_code=indicator.code,
                    indicator_name=indicator.name,
                )
    return found


@dataclass(frozen=True)
class OfficialComparison:
    """An answer side by side with the official value."""

    question_code: str
    question_text: str
    figure: OfficialFigure
    #: The answered number, or None (no answer, "don't know", "not applicable").
    answer: float | None
    answer_display: str

    @property
    def threshold_percent(self) -> float:
        return RELATIVE_THRESHOLD * 100

    @property
    def difference(self) -> float | None:
        return None if self.answer is None else self.answer - self.figure.value

    @property
    def differs(self) -> bool:
        return self.answer is not None and self.figure.differs_from(self.answer)


def official_comparisons(
    *,
    iso3: str,
    questions: Sequence[Any],
    answers: dict[str, tuple[float | None, str]],
    texts: dict[str, str],
    up_to_year: int | None = None,
) -> list[OfficialComparison]:
    """Every linked question with an official value, beside its answer, in questionnaire order.

    ``answers`` maps question codes to ``(number or None, how the answer reads)``.
    """
    figures = official_figures(iso3=iso3, questions=questions, up_to_year=up_to_year)
    comparisons = []
    for question in questions:
        figure = figures.get(question.code)
        if figure is None:
            continue
        number, display = answers.get(question.code, (None, ""))
        if number is not None and not math.isfinite(number):
            number = None
        comparisons.append(
            OfficialComparison(
                question_code=question.code,
                question_text=texts.get(question.code, question.code),
                figure=figure,
                answer=number,
                answer_display=display,
            )
        )
    return comparisons

"""The regional report's section "Matching demand to providers" (issue 22): data and drawing.

:func:`matching_section_data` runs the matching plan (:func:`planning.matching.matching_plan`)
for the report's round, framework, region and visible countries, and keeps the plain rows the
section shows: a summary, unmet demand by topic and language, where new centres or partners
are needed (demand with no provider or beyond the seats, by region and language) and each
provider's utilisation. :func:`matching_section_story` draws them with the report's own
table and heading helpers; it reads no database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from charts.texts import common_text, format_money, format_number
from planning.matching import REASON_LABELS, MatchingParameters
from planning.plan_cache import matching_plan
from planning.services import PlanningError
from surveys.models.countries import ItuRegion

# Rows drawn per table: the section summarises; the downloads and the page have every row.
MAX_ROWS = 25


@dataclass(frozen=True)
class MatchingSection:
    """What the section shows, already translated (``text``) and formatted by the drawing."""

    text: dict[str, str]
    summary: str = ""
    unmet: tuple[tuple[str, str, float, str], ...] = ()
    new_centres: tuple[tuple[str, str, float], ...] = ()
    providers: tuple[tuple[str, str, int, float, float | None], ...] = ()
    note: str = ""


def matching_section_text() -> dict[str, str]:
    """The section's fixed words in the active language."""
    return {
        "title": _("Matching demand to providers"),
        "intro": _(
            "Demand follows the indicator gaps of the round's approved assessments (docs/"
            "offers.md); the plan places as many participants as the offers' seats, languages "
            "and modes allow, at least cost."
        ),
        "unmet": _("Unmet demand by topic and language"),
        "new_centres": _("Where new centres or partners are needed"),
        "new_centres_intro": _(
            "Demand with no provider in its topic, language and mode, or beyond the seats of "
            "the providers there are, by region and language."
        ),
        "providers": _("Providers' utilisation"),
        "topic": _("Topic"),
        "language": _("Language"),
        "region": _("ITU region"),
        "participants": _("Participants"),
        "why": _("Why"),
        "provider": _("Provider"),
        "seats": _("Seats"),
        "used": _("Used"),
        "utilisation": _("Utilisation"),
        "all_met": _("Every participant of this selection can be placed."),
        "more_rows": _("{shown} of {total} rows; the matching page and its downloads list all."),
    }


def matching_section_data(
    *, round_: int, framework_code: str, region: str, countries: Sequence[str], language: str
) -> MatchingSection:
    """The section for the report's scope; a note instead when no plan can be made.

    Call under ``translation.override(language)``, as the report's data builder does.
    """
    text = matching_section_text()
    try:
        plan = matching_plan(
            MatchingParameters(
                round_=round_,
                framework_code=framework_code,
                region=region,
                ui_language=language,
                countries=tuple(countries),
                # The report summarises the plan; the page shows how often each line holds.
                samples=0,
            )
        )
    except PlanningError as error:
        return MatchingSection(text=text, note=str(error))
    summary = _(
        "Countries: {countries}. Participants wanted: {demand}; placed: {placed}, for {cost}; "
        "unmet: {unmet}."
    )
    reasons = {code: str(label) for code, label in REASON_LABELS.items()}
    numbers = common_text()
    unmet: dict[tuple[str, str], list[Any]] = defaultdict(lambda: [0.0, set()])
    centres: dict[tuple[str, str], float] = defaultdict(float)
    regions = dict(ItuRegion.choices)
    for row in plan.unmet_rows:
        line = unmet[(f"{row.indicator} · {row.indicator_title}", row.language)]
        line[0] += row.participants
        line[1].add(reasons[row.reason])
        if row.reason in ("no_offer", "seats"):
            centres[(str(regions.get(row.region, row.region)), row.language)] += row.participants
    return MatchingSection(
        text=text,
        summary=summary.format(
            countries=plan.countries,
            demand=format_number(plan.demand, numbers, 0),
            placed=format_number(plan.placed, numbers, 0),
            cost=format_money(plan.cost, numbers),
            unmet=format_number(plan.unmet, numbers, 0),
        ),
        unmet=tuple(
            (topic, lang, amount, ", ".join(sorted(why)))
            for (topic, lang), (amount, why) in sorted(
                unmet.items(), key=lambda item: (-item[1][0], item[0])
            )
        ),
        new_centres=tuple(
            (name, lang, amount)
            for (name, lang), amount in sorted(centres.items(), key=lambda item: -item[1])
        ),
        providers=tuple(
            (p.name, str(regions.get(p.region, p.region)), p.seats, p.used, p.utilisation)
            for p in plan.providers
        ),
    )


def matching_section_story(
    section: MatchingSection | None, *, styles: Any, font: str, text: dict[str, str]
) -> list[Any]:
    """The section's flowables (a heading, the summary and three tables), or none."""
    if section is None:
        return []
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak, Paragraph, Spacer

    from reports.pdf import _heading, _safe, _table

    words = section.text
    story: list[Any] = [CondPageBreak(60 * mm), _heading(words["title"], styles.heading1, font)]
    if section.note:
        story.append(Paragraph(_safe(section.note, font), styles.muted))
        return story
    story.append(Paragraph(_safe(words["intro"], font), styles.body))
    story.append(Paragraph(_safe(section.summary, font), styles.body))

    def more(total: int) -> list[Any]:
        if total <= MAX_ROWS:
            return []
        return [
            Paragraph(
                _safe(words["more_rows"].format(shown=MAX_ROWS, total=total), font), styles.muted
            )
        ]

    story.append(_heading(words["unmet"], styles.heading2, font))
    if section.unmet:
        story.append(
            _table(
                [words["topic"], words["language"], words["participants"], words["why"]],
                [
                    (topic, lang, format_number(amount, text, 0), why)
                    for topic, lang, amount, why in section.unmet[:MAX_ROWS]
                ],
                [46, 14, 16, 24],
                styles,
                numeric_columns=(2,),
            )
        )
        story += more(len(section.unmet))
    else:
        story.append(Paragraph(_safe(words["all_met"], font), styles.body))
    story.append(_heading(words["new_centres"], styles.heading2, font))
    story.append(Paragraph(_safe(words["new_centres_intro"], font), styles.body))
    if section.new_centres:
        story.append(
            _table(
                [words["region"], words["language"], words["participants"]],
                [
                    (name, lang, format_number(amount, text, 0))
                    for name, lang, amount in section.new_centres[:MAX_ROWS]
                ],
                [50, 25, 25],
                styles,
                numeric_columns=(2,),
            )
        )
        story += more(len(section.new_centres))
    story.append(_heading(words["providers"], styles.heading2, font))
    story.append(
        _table(
            [
                words["provider"],
                words["region"],
                words["seats"],
                words["used"],
                words["utilisation"],
            ],
            [
                (
                    name,
                    region,
                    str(seats),
                    format_number(used, text, 0),
                    "—" if share is None else f"{format_number(100 * share, text, 0)} %",
                )
                for name, region, seats, used, share in section.providers[:MAX_ROWS]
            ],
            [40, 20, 13, 13, 14],
            styles,
            numeric_columns=(2, 3, 4),
        )
    )
    story += more(len(section.providers))
    story.append(Spacer(1, 2 * mm))
    return story

"""Every fixed word of the reports, translated with Django's gettext, and number formatting.

The functions returning texts read the active language: call them under
``translation.override(language)`` (as :mod:`reports.data` does), and hand the resulting plain
dicts to code that runs without Django (:mod:`reports.pdf`, the batch workers).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from charts import ChartText
from surveys.answer_text import localized_number  # defined once, beside the answers in words
from surveys.figures import number_text, points_text

__all__ = [
    "chart_text",
    "common_text",
    "country_text",
    "dashboard_text",
    "format_money",
    "format_number",
    "format_points",
    "localized_number",
    "regional_text",
    "report_languages",
]


def format_number(value: float | None, text: Mapping[str, str], digits: int = 1) -> str:
    """``value`` with ``digits`` decimals as the pages write it, in the report's language
    (``text["language"]``, else the active one); "—" for None (:mod:`surveys.figures`).

    Examples
    --------
    >>> format_number(54.87, {"language": "fr"})
    '54,9'
    >>> format_number(None, {"language": "en"})
    '—'
    """
    language = text.get("language")
    if language and type(value) is float:
        return _float_text(value, digits, language)
    return number_text(value, digits, language)


@functools.lru_cache(maxsize=16_384)
def _float_text(value: float, digits: int, language: str) -> str:
    # A report prints thousands of numbers through babel (about 20 µs each), most of them
    # scores with one decimal that recur from table to table and report to report.
    return number_text(value, digits, language)


def format_points(value: float | None, text: Mapping[str, str]) -> str:
    """A gap or gain in points, worded as on the pages: ``5.6 points``, ``5,6 points``."""
    return points_text(value, text.get("language"))


def format_money(value: float, text: Mapping[str, str]) -> str:
    """Whole US dollars as the pages write them (:func:`surveys.figures.money_text`): the
    report's wording of the currency (``text["money"]``) around the amount in its language.

    Examples
    --------
    >>> format_money(1250000, {"language": "en", "money": "USD {amount}"})
    'USD 1,250,000'
    """
    amount = number_text(value, 0, text.get("language"))
    return text.get("money", "USD {amount}").format(amount=amount)


def report_languages() -> tuple[str, ...]:
    from django.conf import settings

    return tuple(code for code, _name in settings.LANGUAGES)


def chart_text() -> ChartText:
    """The charts' words in the active language."""
    return ChartText(
        pillar=_("Pillar"),
        country=_("Country"),
        score=_("Score"),
        target=_("Target"),
        interval=_("Interval"),
        gap=_("Gap to target"),
        median=_("Median"),
        low=_("Low"),
        high=_("High"),
        round=_("Round"),
        series=_("Series"),
        insufficient_data=_("insufficient data"),
        missing_points_note=_("Gaps in a line: insufficient data"),
        score_and_target=_("{score} (target {target})"),
        decimal_separator=_("."),
        radar_title=_("Pillar scores against targets"),
        radar_description=_(
            "Radar chart of {count} pillar scores against their targets on a 0 to 100 scale."
        ),
        gap_title=_("Gaps to target"),
        gap_description=_(
            "Horizontal bars of the gap between target and score for {count} items, largest first."
        ),
        interval_title=_("Scores with uncertainty intervals"),
        interval_description=_(
            "Dot and whisker chart of the median and interval of {count} items."
        ),
        heat_map_title=_("Scores by country and pillar"),
        heat_map_description=_(
            "Heat map of {count} countries by pillar on a 0 to 100 scale, darker meaning higher; "
            "each cell shows its value."
        ),
        trend_title=_("Scores across rounds"),
        trend_description=_("Line chart of {count} series across assessment rounds."),
    )


def common_text() -> dict[str, str]:
    return {
        # The report's language: its figures are written by surveys.figures in it, as on the
        # pages, even where the PDF is rendered with no active language (batch workers).
        "language": get_language() or "en",
        "decimal_separator": _("."),
        # Translators: thousands separator in amounts of money (a no-break space in French).
        "thousands_separator": _(","),
        "money": _("USD {amount}"),
        "author": _("ITU–UNDP facility for digital capacity development"),
        "contents": _("Contents"),
        "page": _("Page {page} of {pages}"),
        "score": _("Score"),
        "target": _("Target"),
        "gap": _("Gap"),
        "coverage": _("Coverage"),
        "stage": _("Stage"),
        "interval": _("Likely range"),
        "pillar": _("Pillar"),
        "indicator": _("Indicator"),
        "country": _("Country"),
        "overall": _("Overall"),
        "rank": _("Rank"),
        "insufficient": _("insufficient data"),
        "framework": _("Framework"),
        "round": _("Round"),
        "none": _("None."),
        "table_of_values": _("Values shown in the chart"),
        "influence_choice": _("Method choice"),
        "influence_alone": _("Alone"),
        "influence_total": _("With interactions"),
        "influence_interval": _("Interval (95 %)"),
    }


def dashboard_text() -> dict[str, str]:
    """Words of the dashboard pages (kept here, not in templates, so that the reports app's
    own catalogue carries them)."""
    return {
        "country_title": _("Dashboard: {country}"),
        "regional_title": _("Regional dashboard"),
        "show": _("Show"),
        "filter": _("Filter"),
        "no_scores": _(
            "No scores to show yet: scores are computed when an assessment is submitted and "
            "when it is approved."
        ),
        "no_scores_visible": _("No scores to show yet for the countries you may see."),
        "run_line": _("score run {run} of {date}"),
        "download": _("Download the report (PDF):"),
        "rank_of": _("{median} of {count} (between {low} and {high})"),
        "values_shown": _("Values shown in the chart"),
        "indicator_gaps": _("Gaps to target by indicator"),
        "round": _("Round"),
    }


def country_text() -> dict[str, str]:
    return common_text() | {
        "report_title": _("Digital capacity needs assessment: {country}, {round}"),
        "cover_subtitle": _("Country report"),
        "cover_run": _("Scores of run {run} computed on {date}"),
        "cover_state": _("Assessment state: {state}"),
        "executive_summary": _("Executive summary"),
        "overall_score": _("Overall score"),
        "summary_sentence": _(
            "{country} scores {score} out of 100 (target {target}), at the “{stage}” stage."
        ),
        "summary_insufficient": _(
            "Too few questions were answered to compute an overall score for {country}."
        ),
        "likely_between": _("likely between {low} and {high}"),
        "outside_above": _(
            "The published score lies above this range: most of the method variations give a "
            "lower score than the framework's own method."
        ),
        "outside_below": _(
            "The published score lies below this range: most of the method variations give a "
            "higher score than the framework's own method."
        ),
        "rank_sentence": _(
            "Rank {median} of {count} countries scored in the same round "
            "(between {low} and {high} when the method varies)."
        ),
        "top_gaps": _("Largest gaps"),
        "recommended_portfolio": _("Recommended portfolio"),
        "portfolio_sentence": _(
            "Within a budget of {budget}, the portfolio below costs {cost} and is expected to "
            "raise the overall score by {gain}."
        ),
        "portfolio_empty": _("No intervention can be recommended within the budget."),
        "intervention": _("Intervention"),
        "kind": _("Kind"),
        "cost": _("Cost"),
        "months": _("Months"),
        "expected_gain": _("Gain"),
        "recommended": _("Recommended"),
        "yes": _("yes"),
        "charts": _("Pillar scores and gaps"),
        "pillars": _("Pillars"),
        "pillar_summary": _("Score {score} ({interval}), stage {stage}, coverage {coverage}."),
        "indicators": _("Indicators"),
        "answers": _("Answers and justifications"),
        "question": _("Question"),
        "answer": _("Answer"),
        "justification": _("Justification"),
        "evidence": _("Evidence"),
        "evidence_line": _("{code}: {label}"),
        "pillar_gaps_title": _("Gaps to target: {pillar}"),
        "agreement": _("Stakeholder agreement"),
        "agreement_sentence": _(
            "{respondents} stakeholders answered; Krippendorff's alpha {alpha}, r_wg {rwg}."
        ),
        "agreement_none": _("No stakeholder answered questions of this pillar."),
        "agreement_low": _("Low agreement on: {questions}."),
        "priorities": _("Prioritised interventions"),
        "priorities_intro": _(
            "Gaps ranked by size, importance, urgency and feasibility, with the cheapest "
            "intervention that addresses each."
        ),
        "priority": _("Priority"),
        "catalogue": _("All interventions considered"),
        "methodology": _("Methodology"),
        "annex": _("Methodology annex"),
        "annex_intro": _(
            "Every choice behind the scores of this report, with the reference it follows."
        ),
        "annex_choice": _("Choice"),
        "annex_done": _("What is done"),
        "annex_reference": _("Reference"),
        "framework_version": _("Framework version"),
        "score_run": _("Score run"),
        "seed": _("Random seed"),
        "engine_version": _("Scoring engine version"),
        "run_date": _("Computed on"),
        "config_digest": _("Configuration digest (SHA-256)"),
        "inputs_digest": _("Inputs digest (SHA-256)"),
        "aggregation": _("Aggregation"),
        "normalisation": _("Normalisation"),
        "missing_data": _("Missing-data rules"),
        "uncertainty": _("Uncertainty"),
        "stages": _("Stages"),
        "weights": _("Weights"),
        "weight": _("Weight"),
        "share_of_overall": _("Share of overall"),
        "minimum_coverage": _("Minimum coverage"),
        "trend": _("Scores across rounds"),
        "counts": _(
            "Left out: {not_applicable} not applicable, {dont_know} “don't know”, "
            "{missing} unanswered."
        ),
        "influence": _("What moves the overall score"),
        "influence_intro": _(
            "When the method varies, the overall score moves. Each line is the share of that "
            "variation a method choice explains alone and with its interactions with the other "
            "choices (first-order and total Sobol indices; each figure rests on {evaluations} "
            "recomputations, in independent replicates; intervals (95 %) from the spread between "
            "replicates). A share near 0 % means the choice hardly matters."
        ),
    }


def regional_text() -> dict[str, str]:
    return common_text() | {
        "report_title": _("Digital capacity needs: regional comparison, {round}"),
        "cover_subtitle": _("Regional and portfolio report"),
        "scope": _("Scope: {scope}"),
        "all_countries": _("all countries"),
        "heat_map": _("Scores by country and pillar"),
        "ranking": _("Ranking with rank intervals"),
        "ranking_intro": _(
            "Countries ordered by overall score. The rank interval shows the best and worst "
            "ranks each country reached when the method varied (5th to 95th percentile)."
        ),
        "rank_interval": _("Rank interval"),
        "unranked_title": _("Countries without a rank (—)"),
        "unranked_insufficient": _("too little data for an overall score"),
        "unranked_not_approved": _("only approved assessments are ranked; this one is “{state}”"),
        "unranked_after_ranking": _(
            "approved after the round's ranking was computed; it is ranked at the next one"
        ),
        "demand": _("Demand for interventions by region and income group"),
        "demand_intro": _(
            "Need is the number of overall-score points lost to gaps, summed over countries; "
            "recommendations are each country's optimal portfolio within {budget}."
        ),
        "region": _("Region"),
        "income_group": _("Income group"),
        "countries": _("Countries"),
        "need": _("Need (points)"),
        "recommended_count": _("Recommended interventions"),
        "cost": _("Cost"),
        "intervention": _("Intervention"),
        "total_cost": _("Total cost"),
        "no_countries": _("No country in this scope has scores for this round."),
        "cohort_run": _("Ranks from score run {run}."),
        "no_ranks": _("No cohort run with rank intervals exists for this round yet."),
        "ranking_influence": _("What moves the ranking"),
        "ranking_influence_intro": _(
            "When the method varies, countries move away from their nominal ranks. Each line "
            "is the share of the variation of that mean rank shift a method choice explains "
            "alone and with its interactions with the other choices (first-order and total "
            "Sobol indices; each figure rests on {evaluations} recomputations, in independent "
            "replicates; intervals (95 %) from the spread between replicates)."
        ),
    }

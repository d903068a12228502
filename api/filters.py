"""Query-string filters of the REST API: round, country, region, state, framework and more.

Every filter validates its value (bounded numbers, ISO codes, known choices), so a bad query
string is a 400 with a message, never a database error.
"""

from __future__ import annotations

import django_filters
from django.core.validators import RegexValidator

from scoring.models import Score, ScoreLevel
from surveys.models import Answer, AnswerStatus, Assessment, AssessmentState, Country, ItuRegion

_ALPHA3 = RegexValidator(r"^[A-Za-z]{3}$", "Use an ISO 3166 alpha-3 code, such as SEN.")
_CODE = RegexValidator(r"^[A-Za-z0-9_.\-]{1,64}$", "Use a code of letters, digits, . _ or -.")
_LARGEST_ID = 2**62


def _round_filter(field_name: str) -> django_filters.NumberFilter:
    return django_filters.NumberFilter(
        field_name=field_name, min_value=1900, max_value=2100, label="Round (year)"
    )


def _id_filter(field_name: str, label: str) -> django_filters.NumberFilter:
    return django_filters.NumberFilter(
        field_name=field_name, min_value=1, max_value=_LARGEST_ID, label=label
    )


def _country_filter(field_name: str) -> django_filters.CharFilter:
    return django_filters.CharFilter(
        field_name=field_name, lookup_expr="iexact", validators=[_ALPHA3], label="Country (alpha-3)"
    )


def _code_filter(field_name: str, label: str) -> django_filters.CharFilter:
    return django_filters.CharFilter(field_name=field_name, validators=[_CODE], label=label)


class CountryFilter(django_filters.FilterSet):
    region = django_filters.ChoiceFilter(field_name="itu_region", choices=ItuRegion.choices)

    class Meta:
        model = Country
        fields = ["region"]


class AssessmentFilter(django_filters.FilterSet):
    round = _round_filter("round")
    country = _country_filter("country__alpha3")
    region = django_filters.ChoiceFilter(
        field_name="country__itu_region", choices=ItuRegion.choices
    )
    state = django_filters.ChoiceFilter(field_name="state", choices=AssessmentState.choices)
    framework = _code_filter("framework__code", "Framework code")

    class Meta:
        model = Assessment
        fields = ["round", "country", "region", "state", "framework"]


class _ThroughAssessment(django_filters.FilterSet):
    """Filters of rows that belong to an assessment (answers, scores, gaps)."""

    assessment = _id_filter("assessment_id", "Assessment id")
    round = _round_filter("assessment__round")
    country = _country_filter("assessment__country__alpha3")
    region = django_filters.ChoiceFilter(
        field_name="assessment__country__itu_region", choices=ItuRegion.choices
    )
    state = django_filters.ChoiceFilter(
        field_name="assessment__state", choices=AssessmentState.choices
    )
    framework = _code_filter("assessment__framework__code", "Framework code")


class AnswerFilter(_ThroughAssessment):
    question_code = _code_filter("question_code", "Question code")
    status = django_filters.ChoiceFilter(field_name="status", choices=AnswerStatus.choices)

    class Meta:
        model = Answer
        fields = ["assessment", "round", "country", "region", "state", "framework"]


class ScoreFilter(_ThroughAssessment):
    level = django_filters.ChoiceFilter(field_name="level", choices=ScoreLevel.choices)
    code = _code_filter("code", "Framework node code")

    class Meta:
        model = Score
        fields = ["assessment", "round", "country", "region", "state", "framework"]


class GapFilter(_ThroughAssessment):
    indicator = _code_filter("code", "Indicator code")

    class Meta:
        model = Score
        fields = ["assessment", "round", "country", "region", "state", "framework"]

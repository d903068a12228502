"""The covers and document properties of the reports: who, which round, which run or scope."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from charts import ChartText
from charts.texts import chart_text
from reports.data.common import CountryContext, day_text
from scoring.models import Score
from surveys.frameworks.spec import FrameworkSpec, translate
from surveys.models import Country
from surveys.models.countries import IncomeGroup, ItuRegion

__all__ = ["CountryCover", "RegionalCover", "country_cover", "regional_cover", "regional_scope"]


@dataclass(frozen=True)
class CountryCover:
    """The fields of :class:`~reports.data.CountryReport` the cover and metadata show."""

    language: str
    text: Mapping[str, str]
    chart_text: ChartText
    title: str
    subject: str
    author: str
    keywords: tuple[str, ...]
    country_name: str
    alpha3: str
    round: int
    framework_title: str
    framework_code: str
    framework_version: str
    run_id: int
    run_date: str
    run_date_text: str
    seed: int | None
    engine_version: str
    config_digest: str
    inputs_digest: str
    assessment_state: str


def country_cover(context: CountryContext) -> CountryCover:
    """Title, subject, keywords and the identity of the framework and score run."""
    country, assessment, run, spec = (
        context.country,
        context.assessment,
        context.run,
        context.spec,
    )
    text = context.text
    country_name = country.display_name
    return CountryCover(
        language=context.language,
        text=text,
        chart_text=chart_text(),
        title=text["report_title"].format(country=country_name, round=assessment.round),
        subject=_(
            "Scores, gaps and recommended support for {country}, framework {framework}"
        ).format(country=country_name, framework=f"{spec.code} {spec.version}"),
        author=text["author"],
        keywords=(country.alpha3, str(assessment.round), spec.code, spec.version),
        country_name=country_name,
        alpha3=country.alpha3,
        round=assessment.round,
        framework_title=translate(spec.title, context.language),
        framework_code=spec.code,
        framework_version=spec.version,
        run_id=run.pk,
        run_date=run.created_at.date().isoformat(),
        run_date_text=day_text(run.created_at.date()),
        seed=run.seed,
        engine_version=run.engine_version,
        config_digest=run.config_digest,
        inputs_digest=run.inputs_digest,
        assessment_state=assessment.get_state_display(),
    )


@dataclass(frozen=True)
class RegionalCover:
    """The fields of :class:`~reports.data.RegionalReport` the cover and metadata show."""

    language: str
    text: Mapping[str, str]
    chart_text: ChartText
    title: str
    subject: str
    author: str
    round: int
    framework_title: str
    framework_code: str
    framework_version: str
    date: str
    #: ``date`` written the report language's way.
    date_text: str
    region: str
    income_group: str
    pillar_titles: tuple[str, ...]


def regional_scope(
    countries: QuerySet[Country], region: str, income_group: str
) -> QuerySet[Country]:
    """``countries`` narrowed to ``region`` and ``income_group`` when they are given."""
    scope = countries
    if region:
        scope = scope.filter(itu_region=region)
    if income_group:
        scope = scope.filter(income_group=income_group)
    return scope


def regional_cover(
    *,
    text: Mapping[str, str],
    language: str,
    round: int,
    region: str,
    income_group: str,
    spec: FrameworkSpec | None,
    scores: Mapping[int, Mapping[tuple[str, str], Score]],
) -> RegionalCover:
    """Title, scope in words, the framework and the day of the newest run shown."""
    dates = [row.run.created_at for found in scores.values() for row in found.values()]
    scope_parts = [
        str(dict(ItuRegion.choices).get(region, region)) if region else "",
        str(dict(IncomeGroup.choices).get(income_group, income_group)) if income_group else "",
    ]
    scope_text = " · ".join(part for part in scope_parts if part) or text["all_countries"]
    return RegionalCover(
        language=language,
        text=text,
        chart_text=chart_text(),
        title=text["report_title"].format(round=round),
        subject=text["scope"].format(scope=scope_text),
        author=text["author"],
        round=round,
        framework_title=translate(spec.title, language) if spec else "",
        framework_code=spec.code if spec else "",
        framework_version=spec.version if spec else "",
        date=max(dates).date().isoformat() if dates else "",
        date_text=day_text(max(dates).date()) if dates else "",
        region=scope_parts[0],
        income_group=scope_parts[1],
        pillar_titles=tuple(translate(pillar.title, language) for pillar in spec.pillars)
        if spec
        else (),
    )

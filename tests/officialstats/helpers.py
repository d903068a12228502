"""Statistics sources and linked frameworks for tests, written through the real load path."""

from __future__ import annotations

import dataclasses

from officialstats.files import parse_statistics_text
from officialstats.models import StatisticsSource
from officialstats.services import statistics_load
from surveys.frameworks.loader import load_framework_file
from surveys.frameworks.spec import OfficialLinkSpec
from surveys.models import Framework
from tests.framework_fixtures import SMALL_FRAMEWORK, _store

HEAD = """# source: demo-stats
# name: Demo statistics
# publisher: Demo statistics office
# edition: First edition
# year: 2024
# licence: CC BY 4.0
# attribution: Demo statistics office, Demo statistics (2024)
# url: https://example.org/demo
"""
COLUMNS = (
    "iso3,economy,region,income_group,indicator,indicator_name,unit,year,value,estimate,lagged\n"
)


def statistics_text(rows: str, *, head: str = HEAD) -> str:
    return head + COLUMNS + rows


#: Internet use (the linked indicator of NET.1.a below) for Senegal and three peers.
DEMO_ROWS = (
    "SEN,Senegal,Africa,Lower-middle income,internet_use,Internet use,percent,2022,60.6,1,\n"
    "SEN,Senegal,Africa,Lower-middle income,internet_use,Internet use,percent,2021,58.0,,\n"
    "GHA,Ghana,Africa,Lower-middle income,internet_use,Internet use,percent,2022,69.8,,\n"
    "KEN,Kenya,Africa,Lower-middle income,internet_use,Internet use,percent,2021,40.8,,1\n"
    "FRA,France,Europe,High income,internet_use,Internet use,percent,2022,85.3,,\n"
)


def make_source(rows: str = DEMO_ROWS) -> StatisticsSource:
    return statistics_load(parsed=parse_statistics_text(statistics_text(rows))).source


def make_linked_framework(code: str = "linked_framework") -> Framework:
    """The small test framework with NET.1.a (a percentage) linked to demo-stats internet_use."""
    spec = load_framework_file(SMALL_FRAMEWORK)
    link = OfficialLinkSpec(source="demo-stats", indicator="internet_use", unit="percent")
    pillars = []
    for pillar in spec.pillars:
        indicators = []
        for indicator in pillar.indicators:
            questions = tuple(
                dataclasses.replace(q, official=link) if q.code == "NET.1.a" else q
                for q in indicator.questions
            )
            indicators.append(dataclasses.replace(indicator, questions=questions))
        pillars.append(dataclasses.replace(pillar, indicators=tuple(indicators)))
    spec = dataclasses.replace(spec, code=code, pillars=tuple(pillars))
    return _store(spec, "published")

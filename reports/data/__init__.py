"""Everything a report or dashboard shows, as plain frozen dataclasses built from the database.

"Fetch, then render": :func:`country_report_data` and :func:`regional_report_data` read the
database in a bounded number of queries and return a :class:`CountryReport` or
:class:`RegionalReport` holding only plain values (strings, floats, tuples). Every fixed string
is translated here, under ``translation.override(language)``, so :mod:`reports.pdf` and the
batch workers need neither the ORM nor an active language: the dataclasses pickle and render
anywhere. The charts of both the PDF and the dashboards come from :mod:`reports.figures`,
which reads the dataclasses only; the words come from :mod:`charts.texts`.

One module per section of the PDF (:mod:`reports.pdf`), each with one function building that
section's fields:

========================  ============================================================
``cover``                 covers and document properties (both reports)
``summary``               country: executive summary (overall, rank, largest gaps)
``trend``                 country: scores over the rounds (charts section)
``pillars``               country: pillar sections (indicators, answers, evidence)
``priorities``            country: prioritised gaps and recommended portfolio
``methodology``           country: method, weights, annex, what moves the score
``countries``             regional: chosen assessments, heat map and ranking rows
``ranking``               regional: the cohort run and what moves the ranks
``demand``                regional: demand by region and income group
========================  ============================================================

:mod:`~reports.data.country` and :mod:`~reports.data.regional` assemble them; the dataclasses
are in :mod:`~reports.data.lines`, what several sections read in :mod:`~reports.data.common`,
and what every report of a batch reads alike is read once per batch (:mod:`~reports.data.shared`).
A new section is a module whose function returns a dataclass named like the report's fields,
added with one ``**section_fields(...)`` line to the assembler.

Numbers stay floats; :func:`charts.texts.format_number` and ``format_money`` print them with
the report's separators (``54.9`` in English, ``54,9`` in French).

Examples
--------
>>> import datetime
>>> from django.utils import translation
>>> with translation.override("fr"):
...     day_text(datetime.date(2026, 11, 28))
'28 novembre 2026'
"""

from __future__ import annotations

from reports.data.common import day_text, scored_rounds
from reports.data.country import country_report_data
from reports.data.lines import (
    DEFAULT_BUDGET,
    AgreementLine,
    AnswerLine,
    CountryReport,
    CountryRow,
    DemandLine,
    EvidenceLine,
    InterventionLine,
    PillarSection,
    PriorityLine,
    RegionalReport,
    ReportError,
    ScoreLine,
)
from reports.data.regional import regional_report_data

__all__ = [
    "DEFAULT_BUDGET",
    "AgreementLine",
    "AnswerLine",
    "CountryReport",
    "CountryRow",
    "DemandLine",
    "EvidenceLine",
    "InterventionLine",
    "PillarSection",
    "PriorityLine",
    "RegionalReport",
    "ReportError",
    "ScoreLine",
    "country_report_data",
    "day_text",
    "regional_report_data",
    "scored_rounds",
]

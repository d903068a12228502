"""Outputs pinned before the long functions were split into named steps (issue 15, item 9).

The country and regional report data, the radar chart's SVG, portfolio problems, stakeholder
agreement and loaded framework specs were written to ``tests/fixtures/pinned/`` by the code as
it stood before the split; these tests rebuild them with today's code and compare them value by
value (floats by ``repr``, so bit for bit). A difference means behaviour changed: if that was
intended, rewrite the files with ``PIN_OUTPUTS=write`` and say why in the commit.

Values that differ from one test run to the next (primary keys, the day a run was made, the
time a solver took) are replaced by a marker before the comparison; everything else must be
identical.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from django.test import SimpleTestCase, TestCase

from charts.radar import radar_chart
from planning.catalogue import catalogue_load, read_catalogue_file
from planning.models import Intervention
from planning.services import country_portfolio, latest_snapshot
from reports.data import CountryReport, country_report_data, regional_report_data
from scoring.adapter import framework_layout
from scoring.agreement import stakeholder_agreement
from scoring.engine import build_portfolio_problem
from scoring.services import score_run_create
from surveys.frameworks.loader import load_framework_file
from surveys.frameworks.persistence import framework_load
from surveys.frameworks.reading import FrameworkError
from surveys.models import AssessmentState, Country
from tests.factories import complete_answers, country, make_assessment
from tests.framework_fixtures import SMALL_FRAMEWORK, load_generated_framework
from tests.reports.support import scored_world

PINNED = Path(__file__).resolve().parent / "fixtures" / "pinned"
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FRAMEWORK = ROOT / "frameworks" / "dcna-2026.yaml"
DEFAULT_CATALOGUE = ROOT / "frameworks" / "dcna-2026-interventions.yaml"
BAD_QUESTIONS = Path(__file__).resolve().parent / "fixtures" / "bad-questions-framework.yaml"
#: Fields holding database keys, the day of the run or the time a solver took: they differ
#: from one run of the tests to the next.
VOLATILE_FIELDS = {
    "run_id",
    "cohort_run_id",
    "run_date",
    "run_date_text",
    "date",
    "date_text",
    "solver_seconds",
}
VOLATILE = "<differs between test runs>"


def _plain(value: Any) -> Any:
    """``value`` as JSON-ready lists, dicts and strings (floats by repr, so bit for bit)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            item.name: VOLATILE
            if item.name in VOLATILE_FIELDS
            else _plain(getattr(value, item.name))
            for item in dataclasses.fields(value)
        }
    if isinstance(value, np.ndarray):
        return [_plain(item) for item in value.tolist()]
    if isinstance(value, Mapping):
        return {
            str(key): VOLATILE if key in VOLATILE_FIELDS else _plain(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, float | np.floating):
        return "nan" if math.isnan(value) else repr(float(value))
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return VOLATILE
    return value


def assert_pinned(name: str, value: Any) -> None:
    """Compare ``value`` with the pinned file ``name`` (or write it with PIN_OUTPUTS=write)."""
    path = PINNED / f"{name}.json"
    plain = _plain(value)
    if os.environ.get("PIN_OUTPUTS") == "write":
        PINNED.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(plain, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert plain == expected, f"{name}: output differs from {path.relative_to(ROOT)}"


def _stable(report: CountryReport) -> CountryReport:
    """``report`` with the methodology lines that name the run's key and day masked."""
    masked = {report.text["score_run"], report.text["run_date"]}
    methodology = tuple(
        (label, VOLATILE if label in masked else value) for label, value in report.methodology
    )
    return dataclasses.replace(report, methodology=methodology)


class ReportDataPinTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = scored_world()
        framework = load_generated_framework(pillars=3, questions_per_pillar=12)
        cls.generated = make_assessment(
            "KEN", framework=framework, round=2025, state=AssessmentState.APPROVED
        )
        complete_answers(cls.generated)
        score_run_create(assessment=cls.generated, trigger="on_demand", seed=11)

    def test_country_report_data_is_unchanged_in_every_language(self):
        for language in ("en", "fr", "ar"):
            with self.subTest(language=language):
                report = country_report_data(country=country("SEN"), language=language)
                assert_pinned(f"country-report-SEN-{language}", _stable(report))

    def test_country_report_data_of_a_generated_framework_is_unchanged(self):
        report = country_report_data(country=country("KEN"), language="en", round=2025)
        assert_pinned("country-report-generated-KEN", _stable(report))

    def test_country_portfolios_are_unchanged(self):
        snapshot = latest_snapshot(country("SEN"))
        interventions = list(Intervention.objects.filter(framework_code=snapshot.spec.code))
        for name, options in (
            ("nominal", {"samples": 0, "compare_greedy": True}),
            ("sampled", {"samples": 60, "seed": 5, "horizon_months": 18}),
            ("minimums", {"samples": 0, "pillar_minimums": {"SKL": 1}, "language": "fr"}),
        ):
            with self.subTest(name):
                portfolio = country_portfolio(
                    snapshot=snapshot, interventions=interventions, budget=400_000, **options
                )
                assert_pinned(f"country-portfolio-{name}", portfolio)

    def test_regional_report_data_is_unchanged(self):
        senegal_group = country("SEN").income_group
        for language, income_group in (("en", ""), ("fr", ""), ("en", senegal_group)):
            with self.subTest(language=language, income_group=income_group):
                report = regional_report_data(
                    countries=Country.objects.all(),
                    language=language,
                    round=2026,
                    income_group=income_group,
                )
                scope = "income-group" if income_group else "all"
                assert_pinned(f"regional-report-{language}-{scope}", report)


class DefaultFrameworkReportPinTests(TestCase):
    """The shipped framework and catalogue: two countries with generated answers, scored."""

    @classmethod
    def setUpTestData(cls) -> None:
        framework = framework_load(load_framework_file(DEFAULT_FRAMEWORK), publish=True).framework
        catalogue_load(catalogue=read_catalogue_file(DEFAULT_CATALOGUE))
        for alpha3, seed in (("GHA", 13), ("NPL", 14)):
            assessment = make_assessment(
                alpha3, framework=framework, round=2024, state=AssessmentState.APPROVED
            )
            complete_answers(assessment)
            score_run_create(assessment=assessment, trigger="on_demand", seed=seed)

    def test_country_and_regional_report_data_are_unchanged(self):
        for language in ("en", "fr"):
            with self.subTest(language=language):
                report = country_report_data(country=country("GHA"), language=language)
                assert_pinned(f"country-report-dcna-GHA-{language}", _stable(report))
        regional = regional_report_data(countries=Country.objects.all(), language="en", round=2024)
        assert_pinned("regional-report-dcna-en", regional)


class EnginePinTests(SimpleTestCase):
    def test_radar_chart_svg_is_unchanged(self):
        rng = np.random.default_rng(20261204)
        for pillars in (3, 5, 8):
            scores = [float(x) for x in rng.uniform(0, 100, pillars)]
            scores[1] = float("nan")
            targets = [float(x) for x in rng.uniform(40, 100, pillars)]
            low = [None if math.isnan(s) else max(0.0, s - 7.5) for s in scores]
            high = [None if math.isnan(s) else min(100.0, s + 6.25) for s in scores]
            chart = radar_chart(
                [f"Pillar {i} <&> «{i}»" for i in range(pillars)],
                scores,
                targets,
                interval_low=low,
                interval_high=high,
                title="Scores & targets",
                description="A test radar",
            )
            assert_pinned(f"radar-{pillars}", {"svg": chart.svg(), "table": chart.table})

    def test_portfolio_problems_are_unchanged(self):
        rng = np.random.default_rng(7)
        for case in range(4):
            n, m = 6 + case, 4 + case
            improvements = rng.uniform(0, 10, (n, m)) * (rng.uniform(size=(n, m)) < 0.6)
            codes = [f"I{j}" for j in range(n)]
            pillars = [f"P{i % 3}" for i in range(m)]
            problem = build_portfolio_problem(
                rng.uniform(1, 50, n),
                float(rng.uniform(40, 120)),
                improvements=improvements,
                gaps=rng.uniform(0, 30, m),
                indicator_weights=rng.uniform(0, 1, m),
                durations=rng.integers(1, 36, n),
                horizon=24.0,
                prerequisites=[("I1", "I0"), (2, 0)],
                exclusion_groups=[("I3", "I4"), (4, 3, 5)],
                indicator_pillars=pillars,
                pillar_minimum_count={"P0": 1},
                pillar_minimum_spend={"P1": 5.0},
                intervention_codes=codes,
            )
            assert_pinned(f"portfolio-problem-{case}", problem)
        additive = build_portfolio_problem([2, 3, 1], 5, benefits=[4, 5, 3])
        assert_pinned("portfolio-problem-additive", additive)

    def test_stakeholder_agreement_is_unchanged(self):
        spec = load_framework_file(SMALL_FRAMEWORK)
        layout = framework_layout(spec)
        rng = np.random.default_rng(15)
        rows = []
        for question in layout.questions:
            values = _possible_values(question)
            if not values:
                continue
            for respondent in range(int(rng.integers(2, 7))):
                rows.append((respondent, question.code, values[rng.integers(len(values))]))
        rows.append((99, "UNKNOWN.Q", "yes"))
        assert_pinned("stakeholder-agreement", stakeholder_agreement(layout, rows, seed=3))

    def test_loaded_frameworks_are_unchanged(self):
        for path in (SMALL_FRAMEWORK, ROOT / "frameworks" / "dcna-2026.yaml"):
            with self.subTest(path=path.name):
                assert_pinned(f"framework-{path.stem}", load_framework_file(path))


class LoaderIssuePinTests(SimpleTestCase):
    def test_the_issues_of_a_framework_full_of_question_mistakes_are_unchanged(self):
        with self.assertRaises(FrameworkError) as caught:
            load_framework_file(BAD_QUESTIONS)
        assert_pinned("framework-bad-questions-issues", [str(i) for i in caught.exception.issues])


def _possible_values(question: Any) -> list[Any]:
    """Answers a stakeholder may give to ``question`` (none for free text)."""
    if question.levels:
        return [level.value for level in question.levels]
    if question.choices:
        return [choice.code for choice in question.choices]
    if question.type.value == "number":
        return [0, 12.5, 40, 100]
    return []

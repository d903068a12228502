"""Benchmark of the country dashboard: computed on every view (before) against kept (after).

Builds a throwaway database (a temporary SQLite file, or ``BENCH_DATABASE_URL``) with the
default framework, ``--countries`` approved and scored countries (generated answers, as the
demo; the first with its uncertainty analysis, so every chart is drawn), the default
intervention catalogue and the ITU IDI 2024 statistics (the peer charts). Then a planner opens
Senegal's dashboard through Django's test client:

- **computed**: the cache is emptied before each view, so every view builds the report data,
  solves the portfolio and draws the charts as SVG (what every view cost before the page was
  kept);
- **kept**: the page is read from the cache (what every view after the first costs now).

Medians of wall-clock and CPU time, queries per view, and the ratio, measured in the same run.

Run: ``.venv/bin/python benchmarks/bench_country_dashboard.py [--countries 30] [--repeat 15]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

_DATABASE_DIR = tempfile.mkdtemp(prefix="bench-country-dashboard-")
# Never the platform's own database: a temporary SQLite file, or BENCH_DATABASE_URL.
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"sqlite:///{_DATABASE_DIR}/bench.sqlite3"
)
os.environ["CACHE_BACKEND"] = "django.core.cache.backends.locmem.LocMemCache"
os.environ.setdefault("VAR_DIR", _DATABASE_DIR)

import needs_assessment.testenv  # noqa: E402, F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "needs_assessment.settings")

import django  # noqa: E402

django.setup()

from _timing import time_callable  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from demo.loader import demo_framework, generated_answers  # noqa: E402
from planning.catalogue import catalogue_load, read_catalogue_file  # noqa: E402
from scoring.services import score_cohort_create, score_run_create  # noqa: E402
from surveys.models import (  # noqa: E402
    Answer,
    Assessment,
    AssessmentState,
    Country,
    Role,
    RoleAssignment,
)

CATALOGUE = ROOT / "frameworks" / "dcna-2026-interventions.yaml"
STATISTICS = ROOT / "data" / "itu-idi-2024" / "idi2024.statistics.csv"


def build(countries: int) -> None:
    """``countries`` approved, scored assessments of round 2026, Senegal first."""
    framework = demo_framework()
    spec = framework.spec
    others = list(Country.objects.exclude(alpha3="SEN").order_by("alpha3")[: countries - 1])
    assessments = []
    for number, country in enumerate([Country.objects.get(alpha3="SEN"), *others]):
        assessment = Assessment.objects.create(
            country=country, framework=framework, round=2026, state=AssessmentState.APPROVED
        )
        capacity = 0.25 + 0.6 * ((number * 37) % 100) / 100
        Answer.objects.bulk_create(
            Answer(
                assessment=assessment,
                question_code=answer.question_code,
                value=answer.value,
                status=answer.status,
            )
            for answer in generated_answers(spec, country.alpha3, capacity, 2026)
        )
        score_run_create(
            assessment=assessment, trigger="on_demand", uncertainty=number == 0, seed=number
        )
        assessments.append(assessment)
    score_cohort_create(
        framework=framework, round=2026, assessments=assessments, seed=1, samples=500
    )
    catalogue_load(catalogue=read_catalogue_file(CATALOGUE))
    call_command("load_statistics", str(STATISTICS), verbosity=0)


def queries_of(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--countries", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    setup_test_environment()
    print(f"Database: {connection.vendor}")
    call_command("migrate", verbosity=0)
    build(args.countries)
    planner = django.contrib.auth.get_user_model().objects.create_user("bench_planner")
    RoleAssignment.objects.create(user=planner, role=Role.PLANNER)
    client = Client()
    client.force_login(planner)
    url = reverse("reports:country-dashboard", args=["SEN"])

    def computed() -> None:
        cache.clear()
        assert client.get(url).status_code == 200

    def kept() -> None:
        assert client.get(url).status_code == 200

    before = time_callable(computed, repeat=args.repeat, warmup=2)
    cache.clear()
    queries_computed = queries_of(client, url)
    after = time_callable(kept, repeat=args.repeat * 4, warmup=2)
    queries_kept = queries_of(client, url)
    print(f"Country dashboard of SEN with {args.countries} scored countries (ms per view)")
    print("  " + before.describe("computed (every view before)") + f", {queries_computed} queries")
    print("  " + after.describe("kept (every view after the first)") + f", {queries_kept} queries")
    print(
        f"  kept against computed: wall {before.median / after.median:.1f}× faster, "
        f"CPU {before.cpu_median / after.cpu_median:.1f}× less"
    )


if __name__ == "__main__":
    main()

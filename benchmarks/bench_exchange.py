"""Benchmark of data exchange (issue 10, §7): a 100,000-row export and a 60,000-row import.

A temporary test database gets a generated framework of 300 indicators (one percentage
question each), 200 countries × 2 rounds of assessments and 250 answers per assessment
(100,000 answers). It then times:

- exports of every answer (long CSV, long JSON, long XLSX, wide CSV), consuming the stream as
  a client would, with the peak Python memory while streaming (tracemalloc, in a second pass
  because tracing slows the run);
- imports of national statistics for 200 countries × 300 indicators (60,000 rows, CSV): dry
  run, the real import, and the same file again (which changes nothing).

Run: ``.venv/bin/python benchmarks/bench_exchange.py [--countries 200] [--indicators 300]``.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The test-run environment (throwaway key, local e-mail, no HTTPS redirect).
import needs_assessment.testenv  # noqa: E402, F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "needs_assessment.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

from exchange.exports import export_stream, export_table  # noqa: E402
from exchange.imports import statistics_import  # noqa: E402
from scoring.models import IndicatorStatistic  # noqa: E402
from surveys.frameworks.loader import load_framework_data  # noqa: E402
from surveys.frameworks.persistence import framework_load  # noqa: E402
from surveys.models import Answer, Assessment, Country, Framework  # noqa: E402

MB = 1024 * 1024


def framework_data(indicators: int) -> dict[str, Any]:
    """A framework of ``indicators`` indicators in 10 pillars, one percentage question each."""
    per_pillar = max(1, indicators // 10)
    pillars = []
    for p in range(10):
        items = []
        for i in range(per_pillar):
            code = f"P{p}.I{i}"
            question = {
                "code": f"{code}.q",
                "type": "percentage",
                "text": {"en": f"Share {p}.{i}?"},
                "normalisation": {"method": "goalposts", "lower": 0, "upper": 100},
            }
            items.append(
                {"code": code, "title": {"en": f"Indicator {p}.{i}"}, "questions": [question]}
            )
        pillars.append({"code": f"P{p}", "title": {"en": f"Pillar {p}"}, "indicators": items})
    return {
        "format": 1,
        "code": "bench",
        "version": "1",
        "languages": ["en"],
        "title": {"en": "Benchmark framework"},
        "pillars": pillars,
    }


def measure(label: str, work: Callable[[], int]) -> None:
    """Time ``work`` (returns bytes or rows handled), then measure its peak memory separately."""
    started = time.perf_counter()
    amount = work()
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    work()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<42} {elapsed:8.2f} s   peak {peak / MB:7.1f} MB   {amount:>12,}")


def exporter(assessments: Any, dataset: str, layout: str, file_format: str) -> Callable[[], int]:
    def run() -> int:
        table = export_table(dataset=dataset, layout=layout, assessments=assessments)
        chunks, _type, _name = export_stream(table, file_format=file_format)
        return sum(len(chunk) for chunk in chunks)

    return run


def statistics_file(countries: list[Country], codes: list[str], year: int) -> bytes:
    lines = ["country,code,year,value,source"]
    for number, country in enumerate(countries):
        for index, code in enumerate(codes):
            value = (number * 7 + index * 3) % 1000 / 10
            lines.append(f"{country.alpha3},{code},{year},{value},Benchmark office")
    return ("\r\n".join(lines) + "\r\n").encode()


def importer(framework: Framework, data: bytes, *, dry_run: bool) -> Callable[[], int]:
    def run() -> int:
        result = statistics_import(
            framework=framework,
            source=io.BytesIO(data),
            name="statistics.csv",
            size=len(data),
            dry_run=dry_run,
        )
        assert result.ok, result.errors[:5]
        return result.rows

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--countries", type=int, default=200)
    parser.add_argument("--indicators", type=int, default=300)
    parser.add_argument("--answers-per-assessment", type=int, default=250)
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        spec = load_framework_data(framework_data(args.indicators))
        framework = framework_load(spec, publish=True).framework
        countries = list(Country.objects.order_by("alpha3")[: args.countries])
        assessments = Assessment.objects.bulk_create(
            Assessment(country=country, framework=framework, round=year)
            for country in countries
            for year in (2025, 2026)
        )
        codes = [question.code for question in spec.questions][: args.answers_per_assessment]
        Answer.objects.bulk_create(
            (
                Answer(assessment=assessment, question_code=code, value=(index * 13) % 101)
                for assessment in assessments
                for index, code in enumerate(codes)
            ),
            batch_size=5000,
        )
        rows = Answer.objects.count()
        print(
            f"Database: {connection.vendor}; {len(assessments)} assessments, {rows:,} answers, "
            f"framework of {len(spec.indicators)} indicators."
        )
        print(f"{'':<42} {'time':>10}   {'peak memory':>15}   {'bytes / rows':>12}")
        everything = Assessment.objects.all()
        measure("export answers, long CSV", exporter(everything, "answers", "long", "csv"))
        measure("export answers, long JSON", exporter(everything, "answers", "long", "json"))
        measure("export answers, long XLSX", exporter(everything, "answers", "long", "xlsx"))
        measure("export answers, wide CSV", exporter(everything, "answers", "wide", "csv"))

        statistic_codes = [question.code for question in spec.questions][: args.indicators]
        data = statistics_file(countries, statistic_codes, 2024)
        count = len(countries) * len(statistic_codes)
        print(f"Statistics file: {len(data) / MB:.1f} MB, {count:,} rows")
        measure("import statistics, dry run", importer(framework, data, dry_run=True))
        started = time.perf_counter()
        importer(framework, data, dry_run=False)()
        print(f"{'import statistics, written':<42} {time.perf_counter() - started:8.2f} s")
        assert IndicatorStatistic.objects.count() == len(countries) * len(statistic_codes)
        measure("import statistics again (no change)", importer(framework, data, dry_run=False))
        IndicatorStatistic.objects.all().delete()
        started = time.perf_counter()
        tracemalloc.start()
        importer(framework, data, dry_run=False)()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"{'import statistics, written (traced)':<42} {time.perf_counter() - started:8.2f} s"
            f"   peak {peak / MB:7.1f} MB"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()

"""Benchmark of the PDF reports (issue 9, §9): one country report, and a batch of 200.

The report data are synthetic but shaped like a real report of the default framework
(frameworks/dcna-2026.yaml: 7 pillars, 38 indicators, 60 questions): every question answered
with a two-sentence justification, one evidence item per indicator, 37 interventions, intervals
and ranks. They are built without a database (the batch's database part, one
``country_report_data`` per country in the parent process, measured about 0.2 s per country on
the demo data and overlaps with rendering); what is timed is the rendering that
``manage.py generate_reports`` runs in its workers (:func:`reports.services.write_country_report`).

Prints the median time of one report (target: at most 1 s), then the wall time of 200 reports
rendered by a process pool with one worker per core, and the speed-up over one process,
measured on the same machine in the same run.

Run: ``.venv/bin/python benchmarks/bench_reports.py [--reports 200] [--repeat 7]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import needs_assessment.testenv  # noqa: E402, F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "needs_assessment.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from _timing import time_callable  # noqa: E402
from django.utils import translation  # noqa: E402

from charts.texts import chart_text, country_text  # noqa: E402
from reports.data import (  # noqa: E402
    AgreementLine,
    AnswerLine,
    CountryReport,
    EvidenceLine,
    InterventionLine,
    PillarSection,
    PriorityLine,
    ScoreLine,
)
from reports.pdf import country_report_pdf  # noqa: E402
from reports.services import write_country_report  # noqa: E402
from surveys.frameworks.loader import load_framework_file  # noqa: E402
from surveys.frameworks.spec import translate  # noqa: E402

FRAMEWORK = ROOT / "frameworks" / "dcna-2026.yaml"


def synthetic_report(seed: int, language: str = "en") -> CountryReport:
    """A complete country report of the default framework with seeded random scores."""
    rng = np.random.default_rng(seed)
    spec = load_framework_file(FRAMEWORK)
    with translation.override(language):
        text = country_text()
        words = chart_text()
    stages = [translate(stage.label, language) for stage in spec.scoring.stages]

    def line(code: str, title: str, target: float, pillar: str = "") -> ScoreLine:
        score = float(rng.uniform(15, 90))
        spread = float(rng.uniform(1, 8))
        return ScoreLine(
            code=code,
            title=title,
            score=score,
            target=target,
            gap=max(0.0, target - score),
            coverage=float(rng.uniform(0.7, 1.0)),
            stage=stages[min(int(score // 20), len(stages) - 1)],
            interval_low=max(0.0, score - spread),
            interval_high=min(100.0, score + spread),
            effective_weight=1 / len(spec.pillars),
            pillar_title=pillar,
        )

    sections = []
    for pillar in spec.pillars:
        title = translate(pillar.title, language)
        indicators = tuple(
            line(ind.code, translate(ind.title, language), ind.target, title)
            for ind in pillar.all_indicators
        )
        answers = tuple(
            AnswerLine(
                question_code=question.code,
                question=translate(question.text, language),
                answer="Level 3: Funded." if seed % 2 else "Partially",
                status="Answered",
                justification=(
                    "Confirmed by the ministry's 2025 annual report. "
                    "The regulator's figures agree within two points."
                ),
                score=float(rng.uniform(0, 100)),
            )
            for question in pillar.questions
        )
        evidence = tuple(
            EvidenceLine(ind.code + ".a", f"Annual report {ind.code}", "https://example.org/r.pdf")
            for ind in pillar.all_indicators
        )
        sections.append(
            PillarSection(
                pillar=line(pillar.code, title, spec.scoring.target),
                indicators=indicators,
                answers=answers,
                evidence=evidence,
                agreement=AgreementLine(0.71, 0.8, 5, False, 40.0, 60.0),
            )
        )
    indicator_lines = [ind for section in sections for ind in section.indicators]
    portfolio = tuple(
        InterventionLine(
            code=f"I{index}",
            title=f"Intervention number {index} for digital capacity",
            kind="Training course",
            cost=float(rng.integers(5, 200)) * 10_000,
            duration_months=int(rng.integers(2, 24)),
            gain=float(rng.uniform(0, 1)),
            selected=index < 10,
        )
        for index in range(37)
    )
    return CountryReport(
        language=language,
        text=text,
        chart_text=words,
        title=text["report_title"].format(country=f"Country {seed}", round=2026),
        subject="Synthetic benchmark report",
        author=text["author"],
        keywords=("BEN", "2026"),
        country_name=f"Country {seed}",
        alpha3=f"C{seed:03d}",
        round=2026,
        framework_title=translate(spec.title, language),
        framework_code=spec.code,
        framework_version=spec.version,
        run_id=seed,
        run_date="2026-11-28",
        seed=seed,
        engine_version="1.0.0",
        config_digest="0" * 64,
        inputs_digest="f" * 64,
        assessment_state="Approved",
        overall=line("overall", text["overall"], spec.scoring.target),
        pillars=tuple(sections),
        top_gaps=tuple(sorted(indicator_lines, key=lambda item: -(item.gap or 0))[:5]),
        priorities=tuple(
            PriorityLine(rank, ind.title, ind.pillar_title, ind.gap or 0.0, 0.5, "Intervention")
            for rank, ind in enumerate(indicator_lines, start=1)
        ),
        portfolio=portfolio,
        budget=1_000_000.0,
        portfolio_cost=sum(item.cost for item in portfolio if item.selected),
        portfolio_gain=3.2,
        portfolio_notes=(),
        methodology=tuple((f"Item {index}", "A sentence of method. " * 4) for index in range(12)),
        pillar_weights=tuple((s.pillar.title, "1", "14.3 %", "67 %") for s in sections),
        indicator_weights=tuple(
            (ind.code, ind.title, "1", f"{ind.target:g}") for ind in indicator_lines
        ),
        rank_low=3,
        rank_median=5,
        rank_high=8,
        cohort_size=200,
        trend_rounds=(2024, 2025, 2026),
        trend_series=(("Overall", (40.0, 44.0, 47.5)),),
    )


def _write_timed(report: CountryReport, directory: str) -> float:
    """The batch's worker function, returning the CPU seconds it used."""
    started = time.process_time()
    write_country_report(report, directory)
    return time.process_time() - started


def render_batch(reports: list[CountryReport], directory: str, workers: int) -> tuple[float, float]:
    """Wall seconds to render and write every report with ``workers`` processes, and the
    median CPU seconds of one report in the workers."""
    started = time.perf_counter()
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("fork")
    ) as pool:
        cpu = list(pool.map(_write_timed, reports, [directory] * len(reports), chunksize=4))
    return time.perf_counter() - started, float(np.median(cpu))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    options = parser.parse_args()

    one = synthetic_report(1)
    pages = country_report_pdf(one).count(b"/Type /Page\n")
    timing = time_callable(lambda: country_report_pdf(one), repeat=options.repeat, warmup=1)
    print(f"one country report ({pages} pages): " + timing.describe("render"))
    print(f"  target ≤ 1 s per report: {'met' if timing.median <= 1.0 else 'NOT met'}")
    print(f"  machine load average (1, 5, 15 min): {os.getloadavg()}")

    reports = [synthetic_report(seed) for seed in range(options.reports)]
    with tempfile.TemporaryDirectory() as directory:
        serial_sample = reports[: max(4, options.reports // 20)]
        serial_wall, _serial_cpu = render_batch(serial_sample, directory, 1)
        serial = serial_wall / len(serial_sample)
        wall, cpu = render_batch(reports, directory, options.workers)
        written = len(list(Path(directory).glob("*.pdf")))
    per_report = wall / options.reports
    print(
        f"batch of {options.reports} reports with {options.workers} worker(s): {wall:.1f} s wall, "
        f"{per_report:.3f} s per report ({written} distinct files); "
        f"median CPU per report in a worker {cpu:.3f} s"
    )
    print(
        f"  one worker on a sample of {len(serial_sample)}: {serial:.3f} s per report; "
        f"speed-up {serial / per_report:.2f}x on {os.cpu_count()} core(s)"
    )


if __name__ == "__main__":
    main()

"""Benchmark of report batches end to end (issue 18): data and PDFs, one and two workers.

Builds a throwaway database as :mod:`bench_background` does (``--countries`` approved and
scored countries of the default framework, a cohort run with ranks, the default intervention
catalogue) and loads the ITU IDI 2024 statistics, so that every report has its peer charts as
on a real platform. Then it times :func:`reports.services.reports_generate` (what
``generate_reports`` and the web's report batches run) for ``--reports`` countries with one
and with two worker processes, each run in a fresh process so that nothing is kept from the
previous one.

``--baseline DIR`` times the same batches with another copy of the code too, interleaved run
by run with this one so that the machine's load weighs on both alike: e.g. the main branch,
exported with ``git archive main | tar -x -C DIR`` (its message catalogues are compiled here
if they are missing). Both use the same database.

Reported per code and worker count: the median wall time of the batch, the CPU time per report
(the batch process and its workers, from ``os.times``; other processes on the machine disturb
it much less than the wall time), reports per second, two workers against one, and the load
average around the runs.

Run: ``.venv/bin/python benchmarks/bench_batch.py [--countries 200] [--reports 200]
[--repeat 2] [--baseline DIR]`` (``BENCH_DATABASE_URL=postgres://…`` to measure on an empty
PostgreSQL database; ``--keep`` reuses a database this script built before).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_background  # noqa: E402  (sets up the throwaway database and Django)
from django.core.management import call_command  # noqa: E402

from surveys.models import Assessment  # noqa: E402

STATISTICS = ROOT / "data" / "itu-idi-2024" / "idi2024.statistics.csv"

#: Runs one batch in the code tree given as argv[1] and prints its figures as JSON.
RUNNER = """
import json, os, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import needs_assessment.testenv  # noqa: F401
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "needs_assessment.settings")
import django
django.setup()
from surveys.models import Country
from reports.services import reports_generate
workers, reports = int(sys.argv[2]), int(sys.argv[3])
codes = [
    c.alpha3
    for c in Country.objects.filter(assessments__round=2026).order_by("alpha3")[:reports]
]
load = os.getloadavg()[0]
before = os.times()
with tempfile.TemporaryDirectory() as directory:
    result = reports_generate(
        round=2026, language=sys.argv[4], out_dir=Path(directory), workers=workers,
        countries=codes, progress=False,
    )
after = os.times()
cpu = sum(getattr(after, f) - getattr(before, f)
          for f in ("user", "system", "children_user", "children_system"))
print(json.dumps({"seconds": result.seconds, "cpu": cpu, "written": len(result.written),
                  "skipped": len(result.skipped), "load": (load + os.getloadavg()[0]) / 2}))
"""


def _compile_catalogues(tree: Path) -> None:
    """Compile a copied tree's message catalogues when they are missing (git ignores them)."""
    for po in tree.glob("**/locale/*/LC_MESSAGES/django.po"):
        if ".venv" in po.parts or po.with_suffix(".mo").exists():
            continue
        subprocess.run(  # noqa: S603
            [str(Path(sys.executable).parent / "pybabel"), "compile", "-i", str(po)]
            + ["-o", str(po.with_suffix(".mo"))],
            check=True,
            capture_output=True,
        )


def run_batch(tree: Path, workers: int, reports: int, language: str) -> dict[str, float]:
    """One batch in a fresh process running the code of ``tree``."""
    output = subprocess.run(  # noqa: S603
        [sys.executable, "-c", RUNNER, str(tree), str(workers), str(reports), language],
        cwd=tree,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--countries", type=int, default=200)
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--language", default="en")
    parser.add_argument("--baseline", type=Path, default=None, help="another code tree to time")
    parser.add_argument("--keep", action="store_true", help="reuse a database built before")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if not (args.keep and Assessment.objects.exists()):
        started = time.perf_counter()
        bench_background.build(args.countries)
        call_command("load_statistics", str(STATISTICS), verbosity=0)
        print(f"Built {args.countries} scored countries in {time.perf_counter() - started:.0f} s.")
    trees = {"this branch": ROOT}
    if args.baseline is not None:
        _compile_catalogues(args.baseline)
        trees = {"baseline": args.baseline.resolve(), **trees}
    figures: dict[tuple[str, int], list[dict[str, float]]] = {}
    for _ in range(args.repeat):
        for workers in (1, 2):
            for label, tree in trees.items():
                figures.setdefault((label, workers), []).append(
                    run_batch(tree, workers, args.reports, args.language)
                )
    print(
        f"\nReport batch of {args.reports} countries ({args.language}), end to end, "
        f"median of {args.repeat} (wall s; CPU ms per report; load average)"
    )
    medians: dict[tuple[str, int], float] = {}
    for (label, workers), runs in figures.items():
        wall = statistics.median(run["seconds"] for run in runs)
        cpu = statistics.median(run["cpu"] / max(1, run["written"]) for run in runs)
        load = statistics.median(run["load"] for run in runs)
        medians[(label, workers)] = wall
        print(
            f"   {label:12s} {workers} worker(s): {wall:6.1f} s ({args.reports / wall:5.1f} "
            f"reports/s), CPU {cpu * 1000:5.0f} ms/report, load {load:.1f}, "
            f"{runs[0]['written']} written, {runs[0]['skipped']} skipped"
        )
    for label in trees:
        print(
            f"   {label}: two workers against one {medians[(label, 1)] / medians[(label, 2)]:.2f}×"
        )
    if args.baseline is not None:
        for workers in (1, 2):
            ratio = medians[("baseline", workers)] / medians[("this branch", workers)]
            print(f"   {workers} worker(s): baseline / this branch {ratio:.2f}×")


if __name__ == "__main__":
    main()

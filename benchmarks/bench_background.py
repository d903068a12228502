"""Benchmark of background work (issue 18): requests that no longer wait, pages computed once.

Builds a throwaway database (a temporary SQLite file, or ``BENCH_DATABASE_URL``) with the
default framework, ``--countries`` approved and scored countries (generated answers, as the
demo), a cohort run with ranks, and the default intervention catalogue. Then, in one run:

1. **Submit and approve requests** (Django's test client, through the wizard's submit and the
   review page's approve): *before* = the scoring runs inside the request (the immediate
   backend, which is what the after-commit hook did before this change), *after* = the request
   only queues it (the database backend). Medians and p95, and the ratio.
2. **Approval to updated scores**: a real worker (``manage.py run_worker``) runs; the time
   from the approve request to the new run being stored and the job done.
3. **Pages with many countries**: the regional dashboard, the demand page and the planner's
   country page (a) with nothing kept, the first time (computed in the request, or for the
   regional dashboard by the job that the immediate backend runs inside the request) and
   again (kept), and the regional dashboard's first view with the database queue (a job
   computes it; the request answers with its progress); (b) the first view after one
   country's new score run: computed in the request (the other countries' portfolios kept),
   the previous page while the warm-up waits, and after the worker's warm-up
   (:mod:`reports.warmup`, timed too); with the growth of this process's resident memory.
   The planner's country page solves its portfolio with the envelope certificate of
   :func:`scoring.engine.portfolio.robust_portfolio` (on the demo, 6 MILP solves instead
   of 82).
4. **Report batch throughput** end to end (data and PDFs): ``--reports`` countries with one
   rendering process, then two.

Run: ``.venv/bin/python benchmarks/bench_background.py [--countries 200] [--repeat 15]``
(``BENCH_DATABASE_URL=postgres://…`` to measure on an empty PostgreSQL database).
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

_DATABASE_DIR = tempfile.mkdtemp(prefix="bench-background-")
# Never the platform's own database: a temporary SQLite file, or BENCH_DATABASE_URL (an empty
# PostgreSQL database made for the benchmark).
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"sqlite:///{_DATABASE_DIR}/bench.sqlite3"
)
# Computed results are kept in memory here (the platform's default is a folder per machine).
os.environ.setdefault("CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache")
os.environ.setdefault("VAR_DIR", _DATABASE_DIR)
# E-mails written to files, as the demo does (var/mail): the approval tells the focal point.
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
os.environ.setdefault("EMAIL_FILE_PATH", os.path.join(_DATABASE_DIR, "mail"))

import needs_assessment.testenv  # noqa: E402, F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "needs_assessment.settings")

import django  # noqa: E402

django.setup()

from _timing import time_callable  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from background.models import Job, JobStatus  # noqa: E402
from demo.loader import demo_framework, generated_answers  # noqa: E402
from planning.catalogue import catalogue_load, read_catalogue_file  # noqa: E402
from planning.plan_cache import PAGE_KIND, WARMUP_KIND, country_plans_warm  # noqa: E402
from reports.services import reports_generate  # noqa: E402
from reports.warmup import pages_warm  # noqa: E402
from scoring.models import RunKind, ScoreRun  # noqa: E402
from scoring.services import score_cohort_create, score_run_create  # noqa: E402
from surveys.models import (  # noqa: E402
    Answer,
    Assessment,
    AssessmentState,
    Country,
    Role,
    RoleAssignment,
)

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
CATALOGUE = ROOT / "frameworks" / "dcna-2026-interventions.yaml"
REVIEWER_PASSWORD = "bench-reviewer-signs-here"  # noqa: S105  # a throwaway database's user


def resident_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def build(countries: int) -> tuple[Assessment, list[Assessment]]:
    """``countries`` approved, scored assessments of round 2026, and one in review (SEN)."""
    framework = demo_framework()
    spec = framework.spec
    chosen = list(Country.objects.exclude(alpha3="SEN").order_by("alpha3")[: countries - 1])
    senegal = Country.objects.get(alpha3="SEN")
    assessments = []
    for number, country in enumerate([senegal, *chosen]):
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
        # Intervals where the planner needs them (its robustness samples); the others plain.
        score_run_create(
            assessment=assessment, trigger="on_demand", uncertainty=number == 0, seed=number
        )
        assessments.append(assessment)
    score_cohort_create(
        framework=framework, round=2026, assessments=assessments, seed=1, samples=500
    )
    catalogue_load(catalogue=read_catalogue_file(CATALOGUE))
    return assessments[0], assessments


def people(senegal: Country) -> dict[str, object]:
    user_model = django.contrib.auth.get_user_model()
    focal = user_model.objects.create_user("bench_focal", email="focal@example.org")
    # Approving is signed with the password (surveys.services.signature), checked with the
    # platform's own hasher (Argon2id) as in production.
    reviewer = user_model.objects.create_user(
        "bench_reviewer", email="reviewer@example.org", password=REVIEWER_PASSWORD
    )
    planner = user_model.objects.create_user("bench_planner")
    RoleAssignment.objects.create(user=focal, role=Role.FOCAL_POINT, country=senegal)
    RoleAssignment.objects.create(user=reviewer, role=Role.REVIEWER, country=senegal)
    RoleAssignment.objects.create(user=planner, role=Role.PLANNER)
    return {"focal": focal, "reviewer": reviewer, "planner": planner}


def transitions(assessment: Assessment, users: dict[str, object], repeat: int) -> None:
    focal, reviewer = Client(), Client()
    focal.force_login(users["focal"])
    reviewer.force_login(users["reviewer"])
    review_url = reverse("surveys:wizard-step", args=[assessment.pk, "review"])
    approve_url = reverse("surveys:transition", args=[assessment.pk, "approve"])

    def reset(state: str) -> None:
        # Between timed requests: back to the state the request starts from, and no earlier
        # run of the same inputs that the scoring could reuse instead of computing.
        ScoreRun.objects.filter(assessment=assessment).delete()
        Job.objects.filter(assessment=assessment).delete()
        Assessment.objects.filter(pk=assessment.pk).update(state=state)

    def submit() -> None:
        reset(AssessmentState.DRAFT)
        assessment.refresh_from_db()
        data = {
            f"assessment_{assessment.pk}-current_step": "review",
            "base_revision": assessment.revision,
            "review-confirm": "on",
            "review-message": "",
        }
        started = time.perf_counter()
        response = focal.post(review_url, data)
        elapsed.append(time.perf_counter() - started)
        assert response.status_code == 302, response.status_code
        assert Assessment.objects.get(pk=assessment.pk).state == AssessmentState.SUBMITTED

    def approve() -> None:
        reset(AssessmentState.IN_REVIEW)
        started = time.perf_counter()
        response = reviewer.post(approve_url, {"message": "", "password": REVIEWER_PASSWORD})
        elapsed.append(time.perf_counter() - started)
        assert response.status_code == 302, response.status_code
        assert Assessment.objects.get(pk=assessment.pk).state == AssessmentState.APPROVED

    print("\n1. Submit and approve requests (ms; the request only, resets excluded)")
    results = {}
    for label, function in (("submit", submit), ("approve", approve)):
        for mode, tasks in (
            ("before: scored in the request", IMMEDIATE),
            ("after: queued", DATABASE_QUEUE),
        ):
            elapsed: list[float] = []
            with override_settings(TASKS=tasks, COHORT_RUN_AFTER_APPROVAL=tasks is DATABASE_QUEUE):
                for _ in range(repeat):
                    function()
            ordered = sorted(elapsed)
            median = ordered[len(ordered) // 2] * 1000
            p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))] * 1000
            results[(label, mode)] = (median, p95)
            print(f"   {label:8s} {mode:32s} median {median:8.1f}  p95 {p95:8.1f}")
        before = results[(label, "before: scored in the request")]
        after = results[(label, "after: queued")]
        print(f"   {label:8s} p95 before/after: {before[1] / after[1]:.1f}×")
    # Approving is signed with the password (Argon2id, on purpose slow): how much of the
    # request that is, and what the request costs without it (a fast test-only hasher).
    signer = users["reviewer"]
    check = time_callable(lambda: signer.check_password(REVIEWER_PASSWORD), repeat=repeat)
    print(
        f"   the password check alone (Argon2id): median {check.median_ms:.1f} "
        f"p95 {check.p95_ms:.1f}"
    )
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(PASSWORD_HASHERS=fast, TASKS=DATABASE_QUEUE):
        signer.set_password(REVIEWER_PASSWORD)
        signer.save(update_fields=["password"])
        reviewer.force_login(signer)  # a new password ends the sessions signed with the old
        elapsed = []
        for _ in range(repeat):
            approve()
    signer.set_password(REVIEWER_PASSWORD)
    signer.save(update_fields=["password"])
    ordered = sorted(elapsed)
    median = ordered[len(ordered) // 2] * 1000
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))] * 1000
    print(
        f"   approve  after: queued, without the password hash median {median:8.1f}  p95 {p95:8.1f}"
    )
    Job.objects.all().delete()


def approval_to_scores(assessment: Assessment, users: dict[str, object], repeat: int) -> None:
    print("\n2. Approval to updated scores, with one worker running (s)")
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "run_worker", "--interval", "0.1"],
        cwd=ROOT,
        env={**os.environ, "TASKS_BACKEND": "django_tasks_db.DatabaseBackend"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    reviewer = Client()
    reviewer.force_login(users["reviewer"])
    approve_url = reverse("surveys:transition", args=[assessment.pk, "approve"])
    times = []
    try:
        for _ in range(repeat):
            ScoreRun.objects.filter(assessment=assessment, kind=RunKind.SINGLE).delete()
            Job.objects.all().delete()
            Assessment.objects.filter(pk=assessment.pk).update(state=AssessmentState.IN_REVIEW)
            with override_settings(TASKS=DATABASE_QUEUE, COHORT_RUN_AFTER_APPROVAL=False):
                started = time.perf_counter()
                reviewer.post(approve_url, {"message": "", "password": REVIEWER_PASSWORD})
                while not Job.objects.filter(assessment=assessment, status=JobStatus.DONE).exists():
                    time.sleep(0.02)
                times.append(time.perf_counter() - started)
    finally:
        worker.terminate()
        worker.wait(30)
    times.sort()
    print(
        f"   median {times[len(times) // 2]:.2f} s, worst {times[-1]:.2f} s over {repeat} "
        "(includes the worker's poll interval of 0.1 s)"
    )


def _first_view(client: Client, url: str) -> tuple[float, float]:
    """One GET: milliseconds, and this process's resident memory after it minus before."""
    memory_before = resident_mib()
    started = time.perf_counter()
    assert client.get(url).status_code == 200
    return (time.perf_counter() - started) * 1000, resident_mib() - memory_before


def pages(users: dict[str, object], first: Assessment, countries: int, repeat: int) -> None:
    planner = Client()
    planner.force_login(users["planner"])
    print(f"\n3. Pages with {countries} countries (ms; growth of this process's memory in MiB)")
    urls = {
        "regional dashboard": reverse("reports:regional-dashboard"),
        "demand page": reverse("planning:planner-demand") + "?framework=dcna&budget=500000",
        "planner country page": reverse("planning:planner-country", args=["SEN"]),
    }
    warm_urls = {
        "regional dashboard": reverse("reports:regional-dashboard"),
        "demand page": reverse("planning:planner-demand"),
        "planner country page": reverse("planning:planner-country", args=["SEN"]),
    }
    print("   a. Nothing kept (cache emptied): computed in the request; then kept")
    for label, url in urls.items():
        cache.clear()
        first_ms, growth = _first_view(planner, url)
        timing = time_callable(
            lambda url=url: planner.get(url).status_code == 200 or sys.exit(1),
            repeat=repeat,
            warmup=1,
        )
        print(
            f"      {label:22s} first {first_ms:8.1f}  then median {timing.median_ms:6.1f} "
            f"p95 {timing.p95_ms:6.1f}; memory +{growth:.0f}"
        )
    # With a worker (the database queue), a planner's first view of a regional dashboard that
    # is not kept queues its computation (reports.warmup.warm_page) and answers at once with
    # the job's progress; the figures above are what the job (or an immediate backend) spends.
    cache.clear()
    with override_settings(TASKS=DATABASE_QUEUE):
        started = time.perf_counter()
        response = planner.get(urls["regional dashboard"])
        queued_ms = (time.perf_counter() - started) * 1000
    assert response.status_code == 200
    assert b"This page is being computed with the latest scores." in response.content
    Job.objects.filter(kind=PAGE_KIND).delete()
    print(f"      {'regional, worker queue':22s} first {queued_ms:8.1f}  (progress notice)")

    def new_run() -> None:
        score_run_create(assessment=first, trigger="on_demand", uncertainty=True, seed=99)

    print("   b. First view after one country's new score run (default views, as a planner)")
    modes = {
        "computed in the request": None,
        "previous page, warm-up waiting": "waiting",
        "after the worker's warm-up": "warmed",
    }
    for mode, warmup in modes.items():
        for url in warm_urls.values():  # the pages as they were before the new run
            assert planner.get(url).status_code == 200
        new_run()
        warmup_seconds = None
        if warmup == "waiting":
            Job.objects.create(kind=WARMUP_KIND, key="bench", task_path="-")
        elif warmup == "warmed":
            started = time.perf_counter()
            pages_warm()
            country_plans_warm(country=first.country)
            warmup_seconds = time.perf_counter() - started
        figures = []
        for label, url in warm_urls.items():
            first_ms, growth = _first_view(planner, url)
            figures.append(f"{label} {first_ms:.0f} (+{growth:.0f} MiB)")
        Job.objects.filter(kind=WARMUP_KIND).delete()
        tail = f"; the warm-up took {warmup_seconds:.1f} s" if warmup_seconds else ""
        print(f"      {mode:31s} " + ", ".join(figures) + tail)


def batches(reports: int) -> None:
    print(f"\n4. Report batch of {reports} countries, end to end (data and PDFs)")
    chosen = list(Country.objects.filter(assessments__round=2026).order_by("alpha3")[:reports])
    codes = [country.alpha3 for country in chosen]
    seconds = {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as directory:
            result = reports_generate(
                round=2026,
                language="en",
                out_dir=Path(directory),
                workers=workers,
                countries=codes,
                progress=False,
            )
        seconds[workers] = result.seconds
        rate = len(result.written) / result.seconds
        print(f"   {workers} process(es): {result.seconds:6.1f} s ({rate:.1f} reports/s)")
    print(
        f"   two against one: {seconds[1] / seconds[2]:.2f}× "
        f"(200 reports would take about {200 * seconds[2] / reports:.0f} s with two)"
    )


def main() -> None:
    # The queue's own log lines (a task started, finished) would drown the figures.
    logging.getLogger("django_tasks").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--countries", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--reports", type=int, default=30)
    parser.add_argument(
        "--sections", default="1234", help="which numbered sections to run, e.g. 3 or 14"
    )
    args = parser.parse_args()
    setup_test_environment()
    print(f"Database: {connection.vendor} ({os.environ['DATABASE_URL'].split('@')[-1]})")
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    first, _assessments = build(args.countries)
    print(f"Built {args.countries} scored countries in {time.perf_counter() - started:.0f} s.")
    users = people(first.country)
    if "1" in args.sections:
        transitions(first, users, args.repeat)
    if "2" in args.sections:
        approval_to_scores(first, users, max(3, args.repeat // 3))
    if "3" in args.sections:
        pages(users, first, args.countries, max(3, args.repeat // 3))
    if "4" in args.sections:
        batches(args.reports)


if __name__ == "__main__":
    main()

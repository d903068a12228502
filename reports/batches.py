"""Report batches from the web: a round's country reports in chosen languages, as one ZIP.

A planner starts a batch (:func:`report_batch_enqueue`); a worker renders it with
:func:`reports.services.reports_generate` (data and PDFs, every core) into a scratch folder,
packs the PDFs into a ZIP that appears whole or not at all (written under a temporary name,
then renamed), and keeps it ``REPORT_BATCH_KEEP_HOURS``; ``prune_jobs`` deletes it afterwards.
A batch rerun after its worker was killed starts its scratch folder afresh.
"""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext as _

from background.files import result_path
from background.models import Job
from background.services import JobFailure, Progress, job_enqueue
from reports.data import ReportError
from reports.services import countries_with_scores, reports_generate
from scoring.models import RunKind, RunStatus, ScoreRun
from surveys.models import Country

__all__ = [
    "BATCH_KIND",
    "batch_choices",
    "batch_file_name",
    "report_batch_enqueue",
    "report_batch_run",
    "recent_batches",
]

BATCH_KIND = "report_batch"


def batch_choices() -> tuple[list[int], list[tuple[str, str]]]:
    """Rounds with scores (newest first) and the countries with scores, for the batch form."""
    runs = ScoreRun.objects.filter(
        kind=RunKind.SINGLE, status=RunStatus.COMPLETE, assessment__isnull=False
    )
    rounds = sorted(set(runs.values_list("round", flat=True)) - {None}, reverse=True)
    countries = Country.objects.filter(pk__in=runs.values("assessment__country_id"))
    return rounds, sorted(
        ((country.alpha3, country.display_name) for country in countries), key=lambda c: c[1]
    )


def recent_batches(limit: int = 20) -> list[Job]:
    """The latest report batches, newest first."""
    return list(
        Job.objects.filter(kind=BATCH_KIND).select_related("created_by").order_by("-pk")[:limit]
    )


def batch_file_name(job: Job) -> str:
    """The ZIP's name as downloaded, e.g. ``reports-2026-17.zip``."""
    return f"reports-{job.parameters['round']}-{job.pk}.zip"


def report_batch_enqueue(
    *,
    round: int,
    countries: Sequence[str],
    languages: Sequence[str],
    actor: AbstractBaseUser,
) -> Job:
    """Start a batch (or join the same one this person already has waiting or running).

    ``countries`` are ISO alpha-3 codes; empty means every country with scores in the round.
    """
    parameters: dict[str, Any] = {
        "round": round,
        "countries": sorted(code.upper() for code in countries),
        "languages": sorted(languages),
    }
    digest = hashlib.sha256(repr(sorted(parameters.items())).encode()).hexdigest()[:32]
    return job_enqueue(
        kind=BATCH_KIND,
        key=f"{BATCH_KIND}:{actor.pk}:{digest}",
        task_path="reports.tasks.report_batch",
        parameters=parameters,
        actor=actor,
    )


def report_batch_run(job: Job, progress: Progress) -> dict[str, Any]:
    """The worker's side: render every report of the batch and pack them into one ZIP."""
    parameters = job.parameters
    round_ = int(parameters["round"])
    languages: list[str] = parameters["languages"]
    countries = parameters["countries"] or None
    per_language = len(countries_with_scores(round_, countries))
    if not per_language:
        raise JobFailure(
            _("No country has scores in round %(round)s: nothing to put in the batch.")
            % {"round": round_}
        )
    total = per_language * len(languages)
    progress(0, total, _("Rendering the reports"))
    scratch = result_path(f"batches/{job.pk}.parts")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    skipped: list[list[str]] = []
    try:
        for number, language in enumerate(languages):
            offset = number * per_language
            try:
                outcome = reports_generate(
                    round=round_,
                    language=language,
                    out_dir=scratch,
                    workers=settings.REPORT_BATCH_PROCESSES or None,
                    countries=countries,
                    progress=False,
                    on_progress=lambda done, _all, offset=offset: progress(offset + done, total),
                )
            except ReportError as error:
                raise JobFailure(str(error)) from error
            skipped.extend([alpha3, reason] for alpha3, reason in outcome.skipped)
        progress(total, total, _("Packing the ZIP"))
        name = f"batches/{job.pk}.zip"
        final = result_path(name)
        partial = final.with_suffix(".zip.part")
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as archive:
            # PDFs are compressed already; storing them keeps packing fast.
            for pdf in sorted(scratch.glob("*.pdf")):
                archive.write(pdf, arcname=pdf.name)
        partial.replace(final)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    expires = timezone.now() + timedelta(hours=settings.REPORT_BATCH_KEEP_HOURS)
    Job.objects.filter(pk=job.pk).update(expires_at=expires)
    return {"file": name, "reports": total - len(skipped), "skipped": skipped}

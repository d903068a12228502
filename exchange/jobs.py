"""Large imports in the background: the upload is staged by the import page, a worker reads
and checks it (preview) or applies it, and a page follows the job and shows the outcome.

The import page hands over files larger than ``IMPORT_BACKGROUND_BYTES`` through
``exchange.views.BACKGROUND_IMPORT`` (registered in :mod:`background.apps`), so the
request returns at once. The import itself is the same all-or-nothing service the page calls;
its outcome is kept on the job as JSON (the first 500 changes and errors) for the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from background.models import Job
from background.services import JobFailure, Progress, job_enqueue, job_execute
from exchange import imports
from exchange.reading import ImportFileError
from exchange.views import _staging_dir
from surveys.models import Assessment, Framework
from surveys.services.answers import AssessmentLocked, RevisionConflict

__all__ = ["IMPORT_KIND", "import_enqueue", "run_import"]

IMPORT_KIND = "import"
SHOWN = 500


def import_enqueue(
    *,
    kind: str,
    target: Assessment | Framework,
    token: str,
    details: dict[str, Any],
    dry_run: bool,
    actor: AbstractBaseUser,
    back: str,
) -> str:
    """Queue the preview (``dry_run``) or the application of a staged import; returns the URL
    of the page that follows it."""
    job = job_enqueue(
        kind=IMPORT_KIND,
        key=f"{IMPORT_KIND}:{token}:{'preview' if dry_run else 'apply'}",
        task_path="exchange.jobs.run_import",
        parameters={
            "kind": kind,
            "target": target.pk,
            "token": token,
            "name": details["name"],
            "size": details["size"],
            "encoding": details.get("encoding", ""),
            "extra": details.get("extra", {}),
            "dry_run": dry_run,
            "back": back,
        },
        actor=actor,
        assessment=target if kind == "answers" else None,
    )
    return reverse("exchange:import-detail", kwargs={"pk": job.pk})


def _outcome(result: imports.ImportResult, parameters: dict[str, Any]) -> dict[str, Any]:
    offer_apply = result.ok and result.dry_run and bool(result.changes)
    return {
        "ok": result.ok,
        "dry_run": result.dry_run,
        "applied": result.applied,
        "summary": str(result.summary()),
        "error_count": result.error_count,
        "more_errors": result.more_errors,
        "errors": [
            {"row": error.row, "column": error.column, "reason": str(error.reason)}
            for error in result.errors[:SHOWN]
        ],
        "changes": [
            {
                "row": change.row,
                "key": change.key,
                "action": change.action,
                "before": change.before,
                "after": change.after,
            }
            for change in result.changes[:SHOWN]
        ],
        "token": parameters["token"] if offer_apply else "",
        "back": parameters["back"],
    }


def _import(job: Job, progress: Progress) -> dict[str, Any]:
    parameters = job.parameters
    path = _staging_dir() / parameters["token"]
    if not path.is_file():
        raise JobFailure(_("The uploaded file is no longer kept; upload it again."))
    progress(1, 2, _("Reading and checking the file"))
    arguments = {
        "name": parameters["name"],
        "size": parameters["size"],
        "encoding": parameters["encoding"],
        "dry_run": parameters["dry_run"],
        **parameters["extra"],
    }
    try:
        with path.open("rb") as source:
            if parameters["kind"] == "answers":
                assessment = Assessment.objects.get(pk=parameters["target"])
                result = imports.answers_import(
                    assessment=assessment, actor=job.created_by, source=source, **arguments
                )
            else:
                framework = Framework.objects.get(pk=parameters["target"])
                result = imports.statistics_import(framework=framework, source=source, **arguments)
    except (ImportFileError, AssessmentLocked, RevisionConflict) as error:
        raise JobFailure(str(error)) from error
    if not parameters["dry_run"]:
        path.unlink(missing_ok=True)
    return _outcome(result, parameters)


@task()
def run_import(job_id: int) -> dict[str, Any]:
    """Queue entry point: preview or apply a staged import."""
    return job_execute(job_id, _import)

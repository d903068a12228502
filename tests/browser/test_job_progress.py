"""In a real browser: a score page follows its background job and shows the new scores."""

from __future__ import annotations


def test_the_progress_bar_follows_the_job_and_the_page_reloads_when_it_is_done(
    transactional_db,
    live_server,
    sign_in,
    settings,
) -> None:
    from django.urls import reverse

    from background.models import Job, JobStatus
    from scoring.models import RunTrigger
    from scoring.services import score_run_create
    from scoring.tasks import score_assessment, scoring_enqueue
    from tests.factories import make_assessment, make_reviewer
    from tests.scoring.helpers import FULL_ANSWERS, add_answers

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assessment = make_assessment("SEN")
    add_answers(assessment, FULL_ANSWERS)
    score_run_create(assessment=assessment, trigger=RunTrigger.SUBMIT, seed=3)
    job = scoring_enqueue(assessment=assessment, trigger=RunTrigger.APPROVE)
    reviewer = make_reviewer("SEN", "browser_reviewer")
    page = sign_in(reviewer)
    page.goto(live_server.url + reverse("scoring:assessment-scores", args=[assessment.pk]))
    assert page.locator(".job-progress").is_visible()
    assert page.get_by_text("Previous results").is_visible()

    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, progress_done=2, progress_total=4, message="Step two of four"
    )
    page.locator("[data-job-message]").filter(has_text="Step two of four").wait_for(timeout=15_000)
    assert page.locator(".job-progress progress").evaluate("bar => bar.value") == 50

    Job.objects.filter(pk=job.pk).update(status=JobStatus.WAITING)
    score_assessment.call(job.pk)
    page.locator(".job-progress").wait_for(state="detached", timeout=15_000)
    assert page.get_by_text("Previous results").count() == 0
    assert page.get_by_text("(Approved)").count() == 1

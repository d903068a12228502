from tests.matrix import (
    ADMINISTRATOR,
    ANONYMOUS,
    FOCAL_POINT,
    LOGIN,
    NO_ROLE,
    PLANNER,
    REVIEWER,
    STRANGER_FOCAL_POINT,
    STRANGER_REVIEWER,
    Entry,
    World,
    logged_in_readers,
)


def setup_world(world: World) -> None:
    from background.models import Job, JobStatus

    world.extra["assessment_job"] = Job.objects.create(
        kind="score_assessment",
        key="matrix:assessment",
        task_path="scoring.tasks.score_assessment",
        assessment=world.assessment,
        status=JobStatus.DONE,
    )
    # A report batch started by the country's reviewer: no assessment of its own.
    world.extra["own_job"] = Job.objects.create(
        kind="report_batch",
        key="matrix:batch",
        task_path="reports.tasks.report_batch",
        parameters={"round": 2026, "countries": [], "languages": ["en"]},
        created_by=world.users[REVIEWER],
        status=JobStatus.DONE,
    )


ENTRIES = [
    # An assessment's job: whoever may see the assessment.
    Entry(
        "background:job-status",
        logged_in_readers(),
        kwargs=lambda w: {"pk": w.extra["assessment_job"].pk},
    ),
    # A job of no assessment: the person who started it, planners and administrators.
    Entry(
        "background:job-status",
        {
            ANONYMOUS: LOGIN,
            FOCAL_POINT: 404,
            REVIEWER: 200,
            PLANNER: 200,
            ADMINISTRATOR: 200,
            NO_ROLE: 404,
            STRANGER_FOCAL_POINT: 404,
            STRANGER_REVIEWER: 404,
        },
        kwargs=lambda w: {"pk": w.extra["own_job"].pk},
    ),
]

# Report batches (reports app): planners and administrators only; the matrix's batch has no
# file, so its download sends planners back to the batch page.
PLANNERS_ONLY: dict[str, int | str] = {
    ANONYMOUS: LOGIN,
    FOCAL_POINT: 403,
    REVIEWER: 403,
    PLANNER: 200,
    ADMINISTRATOR: 200,
    NO_ROLE: 403,
    STRANGER_FOCAL_POINT: 403,
    STRANGER_REVIEWER: 403,
}
ENTRIES += [
    Entry("reports:batch-create", PLANNERS_ONLY),
    Entry("reports:batch-detail", PLANNERS_ONLY, kwargs=lambda w: {"pk": w.extra["own_job"].pk}),
    Entry(
        "reports:batch-download",
        {**PLANNERS_ONLY, PLANNER: 302, ADMINISTRATOR: 302},
        kwargs=lambda w: {"pk": w.extra["own_job"].pk},
    ),
]


def _import_job(world: World):
    from background.models import Job, JobStatus

    return Job.objects.get_or_create(
        key="matrix:import",
        defaults={
            "kind": "import",
            "task_path": "exchange.jobs.run_import",
            "assessment": world.assessment,
            "status": JobStatus.FAILED,
            "parameters": {"name": "answers.csv", "dry_run": True, "back": "/"},
        },
    )[0]


# An import into country A's assessment: whoever may see the assessment follows it.
ENTRIES += [
    Entry(
        "exchange:import-detail",
        logged_in_readers(),
        kwargs=lambda w: {"pk": _import_job(w).pk},
    ),
]

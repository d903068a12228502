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
    from scoring.services import score_run_create

    world.extra["score_run"] = score_run_create(
        assessment=world.assessment, trigger="on_demand", uncertainty=False
    )


ENTRIES = [
    Entry(
        "scoring:assessment-scores", logged_in_readers(), kwargs=lambda w: {"pk": w.assessment.pk}
    ),
    # Recomputing: the country's reviewers and focal points, and administrators; planners read only.
    Entry(
        "scoring:assessment-rescore",
        {
            ANONYMOUS: LOGIN,
            FOCAL_POINT: 302,
            REVIEWER: 302,
            PLANNER: 403,
            ADMINISTRATOR: 302,
            NO_ROLE: 404,
            STRANGER_FOCAL_POINT: 404,
            STRANGER_REVIEWER: 404,
        },
        kwargs=lambda w: {"pk": w.assessment.pk},
        method="post",
        mutates=True,
    ),
    Entry(
        "scoring:run-detail",
        logged_in_readers(),
        kwargs=lambda w: {"pk": w.extra["score_run"].pk},
    ),
]

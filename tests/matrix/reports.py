"""Dashboards and PDF downloads: country pages for whoever may see country A, the regional page
for every signed-in user (showing only the countries they may see)."""

from tests.matrix import (
    ADMINISTRATOR,
    ANONYMOUS,
    FOCAL_POINT,
    LOGIN,
    NO_ROLE,
    PLANNER,
    REVIEWER,
    SIGNED_IN,
    STRANGER_FOCAL_POINT,
    STRANGER_REVIEWER,
    Entry,
    World,
    logged_in_readers,
    same_for,
)


def setup_world(world: World) -> None:
    from scoring.services import score_run_create

    world.extra["report_run"] = score_run_create(
        assessment=world.assessment, trigger="on_demand", uncertainty=False, seed=1
    )


ENTRIES = [
    Entry("reports:country-dashboard", logged_in_readers(), kwargs=lambda w: {"alpha3": "SEN"}),
    Entry("reports:country-pdf", logged_in_readers(), kwargs=lambda w: {"alpha3": "SEN"}),
    Entry("reports:regional-dashboard", {ANONYMOUS: LOGIN, **same_for(SIGNED_IN, 200)}),
    # The PDF needs scores among the visible countries: country A's people and global roles.
    Entry(
        "reports:regional-pdf",
        {
            ANONYMOUS: LOGIN,
            FOCAL_POINT: 200,
            REVIEWER: 200,
            PLANNER: 200,
            ADMINISTRATOR: 200,
            NO_ROLE: 404,
            STRANGER_FOCAL_POINT: 404,
            STRANGER_REVIEWER: 404,
        },
    ),
]

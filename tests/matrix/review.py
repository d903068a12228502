"""Permission-matrix entries for review, history, work queues and workflow transitions."""

from __future__ import annotations

from surveys.models import AssessmentState, Query, QueryMessage
from tests.factories import PASSWORD
from tests.matrix import (
    ADMINISTRATOR,
    ANONYMOUS,
    FOCAL_POINT,
    LOGIN,
    OUTSIDERS,
    PLANNER,
    REVIEWER,
    SIGNED_IN,
    Entry,
    World,
    logged_in_readers,
    same_for,
)


def setup_world(world: World) -> None:
    """Country A also has an assessment in review with an open query, and an approved one."""
    from tests.factories import make_assessment

    reviewer = world.users[REVIEWER]
    in_review = make_assessment(
        "SEN", round=2025, framework=world.assessment.framework, state=AssessmentState.IN_REVIEW
    )
    query = Query.objects.create(assessment=in_review, question_code="GOV.1.a", opened_by=reviewer)
    QueryMessage.objects.create(query=query, author=reviewer, text="Source?")
    approved = make_assessment(
        "SEN", round=2024, framework=world.assessment.framework, state=AssessmentState.APPROVED
    )
    world.extra.update(in_review=in_review, query=query, approved=approved)


def reviewers_only(ok: int | str) -> dict[str, int | str]:
    """Reviewer pages and actions: A's reviewer and administrators; A's focal point and
    planners see the assessment but may not act (403); everybody else gets 404."""
    return {
        ANONYMOUS: LOGIN,
        FOCAL_POINT: 403,
        REVIEWER: ok,
        PLANNER: 403,
        ADMINISTRATOR: ok,
        **OUTSIDERS,
    }


def in_review(world: World) -> dict[str, int]:
    return {"pk": world.extra["in_review"].pk}


ENTRIES = [
    Entry("surveys:work-queue", {ANONYMOUS: LOGIN, **same_for(SIGNED_IN, 200)}),
    Entry("surveys:review", reviewers_only(200), kwargs=lambda w: {"pk": w.assessment.pk}),
    Entry("surveys:review", reviewers_only(200), kwargs=in_review),
    Entry("surveys:history", logged_in_readers(200), kwargs=lambda w: {"pk": w.assessment.pk}),
    Entry("surveys:history-csv", logged_in_readers(200), kwargs=in_review),
    Entry(
        "surveys:query-open",
        reviewers_only(302),
        kwargs=in_review,
        method="post",
        data=lambda w: {"question_code": "GOV.1.a", "text": "Which source?"},
        mutates=True,
    ),
    Entry(
        "surveys:query-reply",
        {**reviewers_only(302), FOCAL_POINT: 302},
        kwargs=lambda w: {"pk": w.extra["query"].pk},
        method="post",
        data=lambda w: {"text": "The 2024 census."},
        mutates=True,
    ),
    Entry(
        "surveys:query-reply",
        {**reviewers_only(200), FOCAL_POINT: 200},
        kwargs=lambda w: {"pk": w.extra["query"].pk},
        query="?next=/work-queue/",
    ),
    Entry(
        "surveys:query-resolve",
        reviewers_only(302),
        kwargs=lambda w: {"pk": w.extra["query"].pk},
        method="post",
        mutates=True,
    ),
    # A focal point cannot approve, return or start a review; a reviewer of another country
    # gets 404. Locking decisions are confirmed on a page of their own (GET); approving and
    # reopening are signed with the password.
    Entry(
        "surveys:transition",
        reviewers_only(200),
        kwargs=lambda w: {**in_review(w), "action": "approve"},
    ),
    Entry(
        "surveys:transition",
        reviewers_only(302),
        kwargs=lambda w: {**in_review(w), "action": "approve"},
        method="post",
        data=lambda w: {
            "override": "on",
            "message": "Checked with the ministry.",
            "password": PASSWORD,
        },
        mutates=True,
    ),
    Entry(
        "surveys:transition",
        reviewers_only(302),
        kwargs=lambda w: {**in_review(w), "action": "return"},
        method="post",
        mutates=True,
    ),
    Entry(
        "surveys:transition",
        {
            ANONYMOUS: LOGIN,
            FOCAL_POINT: 302,
            REVIEWER: 403,
            PLANNER: 403,
            ADMINISTRATOR: 403,
            **OUTSIDERS,
        },
        kwargs=lambda w: {"pk": w.assessment.pk, "action": "submit"},
        method="post",
        mutates=True,
    ),
    Entry(
        "surveys:transition",
        {
            ANONYMOUS: LOGIN,
            FOCAL_POINT: 403,
            REVIEWER: 403,
            PLANNER: 403,
            ADMINISTRATOR: 302,
            **OUTSIDERS,
        },
        kwargs=lambda w: {"pk": w.extra["approved"].pk, "action": "reopen"},
        method="post",
        data=lambda w: {"message": "A figure was wrong.", "password": PASSWORD},
        mutates=True,
    ),
    Entry(
        "surveys:transition",
        {
            ANONYMOUS: LOGIN,
            FOCAL_POINT: 403,
            REVIEWER: 403,
            PLANNER: 403,
            ADMINISTRATOR: 200,
            **OUTSIDERS,
        },
        kwargs=lambda w: {"pk": w.extra["approved"].pk, "action": "reopen"},
    ),
    Entry(
        "surveys:transition",
        {ANONYMOUS: LOGIN, **{p: 404 for p in SIGNED_IN if p not in OUTSIDERS}, **OUTSIDERS},
        kwargs=lambda w: {"pk": w.assessment.pk, "action": "no-such-action"},
        method="post",
    ),
]

"""Permission-matrix entries for the REST API and the export/import pages.

The API answers an anonymous caller with 401 (token authentication comes first); lists are
narrowed to what the caller may see, so outsiders get 200 with empty lists, and 404 on details.
The schema needs a signed-in user (401 otherwise) and its documentation page sends anonymous
visitors to log in. Everyone signed in manages their own API tokens; another's token is 404.
"""

from __future__ import annotations

from typing import Any

from tests.matrix import (
    ADMINISTRATOR,
    ANONYMOUS,
    FOCAL_POINT,
    LOGIN,
    NO_ROLE,
    OUTSIDERS,
    PLANNER,
    REVIEWER,
    SIGNED_IN,
    STRANGER_FOCAL_POINT,
    STRANGER_REVIEWER,
    Entry,
    World,
    same_for,
)

NOT_SIGNED_IN = 401


def api_readers() -> dict[str, int | str]:
    """Details of country A's objects: its people and global roles read them, others get 404."""
    return {
        ANONYMOUS: NOT_SIGNED_IN,
        FOCAL_POINT: 200,
        REVIEWER: 200,
        PLANNER: 200,
        ADMINISTRATOR: 200,
        **OUTSIDERS,
    }


def api_lists() -> dict[str, int | str]:
    return {ANONYMOUS: NOT_SIGNED_IN, **same_for(SIGNED_IN, 200)}


def planners_only(anonymous: int | str = NOT_SIGNED_IN) -> dict[str, int | str]:
    return {
        ANONYMOUS: anonymous,
        FOCAL_POINT: 403,
        REVIEWER: 403,
        PLANNER: 200,
        ADMINISTRATOR: 200,
        NO_ROLE: 403,
        STRANGER_FOCAL_POINT: 403,
        STRANGER_REVIEWER: 403,
    }


def setup_world(world: World) -> None:
    """Country A's draft has one answer (to read through the API)."""
    from surveys.services.answers import AnswerInput, answers_save

    assessment = world.assessment
    assessment.refresh_from_db()
    answers_save(
        assessment=assessment,
        actor=world.users[FOCAL_POINT],
        answers=[AnswerInput("GOV.1.b", "yes")],
        base_revision=assessment.revision,
    )
    from surveys.services.tokens import api_token_create

    world.extra["api_token"], _key = api_token_create(
        user=world.users[FOCAL_POINT], name="matrix", scope="read", lifetime_days=30
    )


def _answer(world: World) -> dict[str, Any]:
    from surveys.models import Answer

    return {"pk": Answer.objects.filter(assessment=world.assessment).first().pk}


def _latest_score(world: World) -> dict[str, Any]:
    from api.views import latest_single_run_scores

    return {"pk": latest_single_run_scores().filter(assessment=world.assessment).first().pk}


def _assessment(world: World) -> dict[str, Any]:
    return {"pk": world.assessment.pk}


ENTRIES = [
    Entry("api-schema", {ANONYMOUS: NOT_SIGNED_IN, **same_for(SIGNED_IN, 200)}),
    Entry("api-docs", {ANONYMOUS: LOGIN, **same_for(SIGNED_IN, 200)}),
    Entry("surveys:api-tokens", {ANONYMOUS: LOGIN, **same_for(SIGNED_IN, 200)}),
    Entry(
        "surveys:api-token-revoke",
        {
            ANONYMOUS: LOGIN,
            **same_for(SIGNED_IN, 404),
            FOCAL_POINT: 302,
        },
        kwargs=lambda w: {"pk": w.extra["api_token"].pk},
        method="post",
        mutates=True,
    ),
    Entry("api-framework-list", api_lists()),
    Entry(
        "api-framework-detail",
        api_lists(),
        kwargs=lambda w: {"pk": w.assessment.framework_id},
    ),
    Entry("api-country-list", api_lists()),
    Entry("api-country-detail", api_readers(), kwargs=lambda w: {"alpha3": "SEN"}),
    Entry("api-assessment-list", api_lists()),
    Entry("api-assessment-detail", api_readers(), kwargs=_assessment),
    Entry("api-assessment-answers", api_readers(), kwargs=_assessment),
    Entry("api-assessment-scores", api_readers(), kwargs=_assessment),
    Entry("api-assessment-gaps", api_readers(), kwargs=_assessment),
    Entry("api-assessment-sensitivity", api_readers(), kwargs=_assessment),
    # Submitting a draft: its focal point only; the others may see it but not submit it. The
    # focal point is allowed through to the workflow, which refuses this draft (409): it has
    # one answer of the many required (tests/rules/ checks that rule on every path).
    Entry(
        "api-assessment-transition",
        {
            ANONYMOUS: NOT_SIGNED_IN,
            FOCAL_POINT: 409,
            REVIEWER: 403,
            PLANNER: 403,
            ADMINISTRATOR: 403,
            **OUTSIDERS,
        },
        kwargs=_assessment,
        method="post",
        data=lambda w: {"action": "submit"},
        mutates=True,
    ),
    Entry("api-answer-list", api_lists()),
    Entry("api-answer-detail", api_readers(), kwargs=_answer),
    Entry("api-score-list", api_lists()),
    Entry("api-score-detail", api_readers(), kwargs=_latest_score),
    Entry("api-gap-list", api_lists()),
    Entry("api-priority-list", planners_only()),
]

# Web pages for exports and imports.
EXCHANGE_ENTRIES = [
    Entry("exchange:export", {ANONYMOUS: LOGIN, **same_for(SIGNED_IN, 200)}),
    Entry(
        "exchange:export-download",
        {ANONYMOUS: LOGIN, **same_for(SIGNED_IN, 200)},
        query="?dataset=answers&file_format=csv&layout=long",
    ),
    Entry(
        "exchange:import-template",
        {ANONYMOUS: LOGIN, **same_for(SIGNED_IN, 200)},
        kwargs=lambda w: {
            "code": w.assessment.framework.code,
            "version": w.assessment.framework.version,
            "kind": "answers",
            "file_format": "csv",
        },
    ),
    # Importing answers is editing: the country's focal points, while the assessment is editable.
    Entry(
        "exchange:answers-import",
        {
            ANONYMOUS: LOGIN,
            FOCAL_POINT: 200,
            REVIEWER: 403,
            PLANNER: 403,
            ADMINISTRATOR: 403,
            **OUTSIDERS,
        },
        kwargs=_assessment,
    ),
    Entry(
        "exchange:statistics-import",
        {ANONYMOUS: LOGIN, **same_for(SIGNED_IN, 403), ADMINISTRATOR: 200},
    ),
]
ENTRIES += EXCHANGE_ENTRIES

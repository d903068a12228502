"""Permission-matrix entries for assessments, the wizard, autosave, evidence and stakeholders."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from surveys.models import AssessmentState, OrganisationType
from tests.matrix import (
    ADMINISTRATOR,
    ANONYMOUS,
    EVERYONE,
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
    logged_in_readers,
    same_for,
)

# A one-pixel PNG: real image content for an uploaded evidence file.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def setup_world(world: World) -> None:
    """Country A's draft has a file, a web address and a stakeholder invitation (with its raw
    token kept for the public page), plus an expired invitation; a locked copy is in review."""
    from surveys.services.evidence import evidence_add_file, evidence_add_url
    from surveys.services.stakeholders import stakeholder_expire, stakeholder_invite
    from tests.factories import make_assessment

    focal_point = world.users[FOCAL_POINT]
    assessment = world.assessment
    world.extra["evidence_file"] = evidence_add_file(
        assessment=assessment,
        question_code="GOV.1.a",
        upload=SimpleUploadedFile("strategy.png", PNG, content_type="image/png"),
        actor=focal_point,
    )
    world.extra["evidence_url"] = evidence_add_url(
        assessment=assessment,
        question_code="GOV.1.a",
        url="https://example.org/strategy",
        actor=focal_point,
    )
    invited = stakeholder_invite(
        assessment=assessment,
        actor=focal_point,
        name="Aminata Diop",
        email="aminata@example.org",
        organisation_type=OrganisationType.ACADEMIA,
        pillars=["GOV"],
        send=False,
    )
    expired = stakeholder_invite(
        assessment=assessment,
        actor=focal_point,
        name="Old Link",
        email="old@example.org",
        organisation_type=OrganisationType.OTHER,
        pillars=["NET"],
        valid_for=datetime.timedelta(days=1),
        send=False,
    )
    stakeholder_expire(invitation=expired.invitation, actor=focal_point)
    world.extra.update(
        invitation=invited.invitation, token=invited.token, expired_token=expired.token
    )
    world.extra["locked"] = make_assessment(
        "SEN", round=2023, framework=assessment.framework, state=AssessmentState.SUBMITTED
    )


def focal_points_only(ok: int | str) -> dict[str, int | str]:
    """Editing pages: A's focal point; others who may see A get 403; the rest 404."""
    return {
        ANONYMOUS: LOGIN,
        FOCAL_POINT: ok,
        REVIEWER: 403,
        PLANNER: 403,
        ADMINISTRATOR: 403,
        **OUTSIDERS,
    }


def pk(world: World) -> dict[str, int]:
    return {"pk": world.assessment.pk}


def autosave_data(world: World) -> dict[str, object]:
    return {
        f"assessment_{world.assessment.pk}-current_step": "GOV",
        "base_revision": world.assessment.revision,
        "GOV-GOV.1.a-status": "answered",
        "GOV-GOV.1.a": "2",
    }


ENTRIES = [
    Entry("surveys:assessment-list", {ANONYMOUS: LOGIN, **same_for(SIGNED_IN, 200)}),
    Entry(
        "surveys:assessment-create",
        {
            ANONYMOUS: LOGIN,
            FOCAL_POINT: 200,
            REVIEWER: 403,
            PLANNER: 403,
            ADMINISTRATOR: 200,
            NO_ROLE: 403,
            STRANGER_FOCAL_POINT: 200,
            STRANGER_REVIEWER: 403,
        },
    ),
    Entry("surveys:assessment-detail", logged_in_readers(200), kwargs=pk),
    Entry("surveys:wizard", focal_points_only(302), kwargs=pk),
    Entry("surveys:wizard-step", focal_points_only(200), kwargs=lambda w: pk(w) | {"step": "GOV"}),
    # A submitted assessment is locked: the focal point is sent to its page, not the form.
    Entry(
        "surveys:wizard-step",
        focal_points_only(302),
        kwargs=lambda w: {"pk": w.extra["locked"].pk, "step": "GOV"},
    ),
    # Autosave answers 401 (not a redirect): the script offers to sign in again in place.
    Entry(
        "surveys:autosave",
        focal_points_only(200) | {ANONYMOUS: 401},
        kwargs=pk,
        method="post",
        data=autosave_data,
        mutates=True,
    ),
    Entry(
        "surveys:autosave",
        focal_points_only(423) | {ANONYMOUS: 401},
        kwargs=lambda w: {"pk": w.extra["locked"].pk},
        method="post",
        data=lambda w: (
            autosave_data(w) | {f"assessment_{w.extra['locked'].pk}-current_step": "GOV"}
        ),
        mutates=True,
    ),
    Entry(
        "surveys:evidence-list",
        focal_points_only(200),
        kwargs=lambda w: pk(w) | {"code": "GOV.1.a"},
    ),
    Entry(
        "surveys:evidence-delete",
        focal_points_only(302),
        kwargs=lambda w: {"pk": w.extra["evidence_url"].pk},
        method="post",
        mutates=True,
    ),
    Entry(
        "surveys:evidence-download",
        logged_in_readers(200),
        kwargs=lambda w: {"pk": w.extra["evidence_file"].pk},
    ),
    Entry("surveys:stakeholder-list", logged_in_readers(200), kwargs=pk),
    Entry(
        "surveys:stakeholder-responses",
        logged_in_readers(200),
        kwargs=lambda w: pk(w) | {"invitation": w.extra["invitation"].pk},
    ),
    Entry(
        "surveys:stakeholder-revoke",
        focal_points_only(302),
        kwargs=lambda w: pk(w) | {"invitation": w.extra["invitation"].pk},
        method="post",
        mutates=True,
    ),
    # The personal link needs no account: it remembers the invitation in the session and
    # redirects to the token-free page; an expired one answers 410 Gone to everybody.
    Entry(
        "surveys:stakeholder-respond",
        same_for(EVERYONE, 302),
        kwargs=lambda w: {"token": w.extra["token"]},
    ),
    Entry(
        "surveys:stakeholder-respond",
        same_for(EVERYONE, 410),
        kwargs=lambda w: {"token": w.extra["expired_token"]},
    ),
    Entry(
        "surveys:stakeholder-respond",
        same_for(EVERYONE, 404),
        kwargs=lambda w: {"token": "not-a-token"},
    ),
    # Without a personal link opened in this session, the token-free page shows nothing.
    Entry("surveys:stakeholder-page", same_for(EVERYONE, 403)),
]

# The offline workbook of an assessment, for its focal points (issue 20).
ENTRIES += [
    Entry("exchange:offline-workbook", focal_points_only(200), kwargs=pk),
    Entry("exchange:offline-workbook-download", focal_points_only(200), kwargs=pk),
]
ENTRIES += [Entry("exchange:submissions-import", focal_points_only(200), kwargs=pk)]

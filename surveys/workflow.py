"""The assessment workflow: every allowed state change, defined once.

draft → submitted → in review → returned for revision → resubmitted → in review → approved;
an administrator may reopen an approved assessment with a written reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from surveys.models import AssessmentState as S


class Actor(StrEnum):
    FOCAL_POINT = "focal_point"
    REVIEWER = "reviewer"
    ADMINISTRATOR = "administrator"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    actors: frozenset[Actor]
    label: str
    message_required: bool = False
    #: Every visible required question must be answered (``submit`` and ``resubmit``).
    requires_complete_answers: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition(
            "submit",
            frozenset({S.DRAFT}),
            S.SUBMITTED,
            frozenset({Actor.FOCAL_POINT}),
            _("Submit for review"),
            requires_complete_answers=True,
        ),
        Transition(
            "resubmit",
            frozenset({S.RETURNED}),
            S.RESUBMITTED,
            frozenset({Actor.FOCAL_POINT}),
            _("Resubmit for review"),
            requires_complete_answers=True,
        ),
        Transition(
            "start_review",
            frozenset({S.SUBMITTED, S.RESUBMITTED}),
            S.IN_REVIEW,
            frozenset({Actor.REVIEWER, Actor.ADMINISTRATOR}),
            _("Start review"),
        ),
        Transition(
            "return",
            frozenset({S.IN_REVIEW}),
            S.RETURNED,
            frozenset({Actor.REVIEWER, Actor.ADMINISTRATOR}),
            _("Request changes"),
        ),
        Transition(
            "approve",
            frozenset({S.IN_REVIEW}),
            S.APPROVED,
            frozenset({Actor.REVIEWER, Actor.ADMINISTRATOR}),
            _("Approve"),
        ),
        Transition(
            "reopen",
            frozenset({S.APPROVED}),
            S.RETURNED,
            frozenset({Actor.ADMINISTRATOR}),
            _("Reopen"),
            message_required=True,
        ),
    ]
}


def transitions_from(state: str) -> list[Transition]:
    """The transitions leaving ``state``, in workflow order."""
    return [t for t in TRANSITIONS.values() if state in t.sources]

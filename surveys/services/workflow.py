"""Moving an assessment through its workflow, safely under concurrency."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys import permissions
from surveys.audit import Change, audit_record
from surveys.models import Assessment, StateTransition
from surveys.workflow import TRANSITIONS, Actor, Transition


class TransitionError(Exception):
    """The transition is not allowed now; the message says why, for the user."""


def actors_for(user: AbstractBaseUser, assessment: Assessment) -> set[Actor]:
    """The workflow capacities in which ``user`` may act on ``assessment``."""
    actors: set[Actor] = set()
    if permissions.is_focal_point_for(user, assessment):
        actors.add(Actor.FOCAL_POINT)
    if permissions.can_review_assessment(user, assessment):
        actors.add(Actor.REVIEWER)
    if permissions.is_administrator(user):
        actors.add(Actor.ADMINISTRATOR)
    return actors


def available_transitions(user: AbstractBaseUser, assessment: Assessment) -> list[Transition]:
    actors = actors_for(user, assessment)
    return [t for t in TRANSITIONS.values() if assessment.state in t.sources and t.actors & actors]


# Hooks run inside the transition's transaction (checks that may refuse) and after commit
# (notifications, scoring). Other modules register them; the workflow stays in one place.
BEFORE_TRANSITION: list[Callable[[Assessment, Transition, AbstractBaseUser, str, bool], None]] = []
AFTER_TRANSITION: list[Callable[[Assessment, Transition, AbstractBaseUser, str], None]] = []


def assessment_transition(
    *,
    assessment: Assessment,
    action: str,
    actor: AbstractBaseUser,
    message: str = "",
    override: bool = False,
) -> Assessment:
    """Apply workflow ``action`` to ``assessment`` on behalf of ``actor``.

    The state change is a conditional UPDATE (``WHERE state IN sources``) inside a transaction,
    so two reviewers acting at once cannot both succeed: the second finds the state changed
    and gets a :class:`TransitionError`, never an impossible state.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionError(_("Unknown action “%(action)s”.") % {"action": action})
    if not (transition.actors & actors_for(actor, assessment)):
        raise TransitionError(_("You are not allowed to do this on this assessment."))
    message = message.strip()
    if transition.message_required and not message:
        raise TransitionError(_("A written reason is required."))
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.state not in transition.sources:
            raise TransitionError(
                _("This assessment is now “%(state)s”; the action was not applied.")
                % {"state": locked.get_state_display()}
            )
        for check in BEFORE_TRANSITION:
            check(locked, transition, actor, message, override)
        now = timezone.now()
        updated = Assessment.objects.filter(pk=locked.pk, state__in=transition.sources).update(
            state=transition.target, state_changed_at=now, updated_at=now
        )
        if updated != 1:
            raise TransitionError(_("Someone else changed this assessment; please reload."))
        StateTransition.objects.create(
            assessment=locked,
            action=transition.action,
            from_state=locked.state,
            to_state=transition.target,
            actor=actor,
            message=message,
        )
        audit_record(
            assessment=locked,
            actor=actor,
            changes=[
                Change(
                    object_type="assessment",
                    object_ref=str(locked.pk),
                    field="state",
                    old_value=locked.state,
                    new_value=transition.target,
                    action=transition.action,
                )
            ],
        )
        locked.state = transition.target
        locked.state_changed_at = now
        for after in AFTER_TRANSITION:
            transaction.on_commit(lambda after=after: after(locked, transition, actor, message))
    assessment.state = locked.state
    assessment.state_changed_at = now
    return locked

"""Moving an assessment through its workflow, safely under concurrency.

Every workflow rule is checked here, so the wizard, the review pages, the API, management
commands and the demo obey the same rules: who may act, the state the assessment must be in,
a written reason where one is needed, open queries before approval, and every visible required
question answered before (re)submission. Each refusal is a typed :class:`TransitionError`, so
callers map it to a response (403, 400, 409) without checking actors or messages themselves.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from surveys import notifications, permissions
from surveys.audit import Change, audit_record
from surveys.frameworks.spec import QuestionSpec
from surveys.models import Answer, Assessment, Evidence, Query, QueryStatus, StateTransition
from surveys.wizard.progress import missing_required
from surveys.workflow import TRANSITIONS, Actor, Transition

LOCK_RETRIES = 6
LOCK_BACKOFF_SECONDS = 0.05


class TransitionError(Exception):
    """The transition is not allowed now; the message says why, for the user.

    Callers catch the subclasses to choose a response; nothing has been written.
    """


class UnknownTransition(TransitionError):
    """No workflow action has this name."""


class TransitionNotPermitted(TransitionError):
    """The user holds none of the roles the transition needs for this assessment."""


class ReasonRequired(TransitionError):
    """The transition needs a written message and none was given."""


class TransitionConflict(TransitionError):
    """The assessment's state does not allow the transition (it may have just changed), or
    open queries stand in the way of approval."""


class AssessmentIncomplete(TransitionError):
    """Visible required questions are unanswered; ``missing`` lists them in questionnaire
    order."""

    def __init__(self, missing: list[QuestionSpec]) -> None:
        self.missing = missing
        super().__init__(
            ngettext(
                "%(count)d required question is not answered yet; answer it before submitting.",
                "%(count)d required questions are not answered yet; answer them before submitting.",
                len(missing),
            )
            % {"count": len(missing)}
        )


def missing_answers(assessment: Assessment) -> list[QuestionSpec]:
    """Visible required questions of ``assessment`` without a saved answer or evidence."""
    answers = {row.question_code: row for row in Answer.objects.filter(assessment=assessment)}
    evidence_codes = set(
        Evidence.objects.filter(assessment=assessment).values_list("question_code", flat=True)
    )
    return missing_required(assessment.framework.spec, answers, evidence_codes)


def actors_for(user: AbstractBaseUser, assessment: Assessment) -> set[Actor]:
    """The workflow capacities in which ``user`` may act on ``assessment``."""
    actors: set[Actor] = set()
    if permissions.can_contribute(user, assessment):
        actors.add(Actor.FOCAL_POINT)
    if permissions.can_review_assessment(user, assessment):
        actors.add(Actor.REVIEWER)
    if permissions.is_administrator(user):
        actors.add(Actor.ADMINISTRATOR)
    return actors


def available_transitions(user: AbstractBaseUser, assessment: Assessment) -> list[Transition]:
    """The transitions ``user`` may apply to ``assessment`` in its current state."""
    actors = actors_for(user, assessment)
    return [t for t in TRANSITIONS.values() if assessment.state in t.sources and t.actors & actors]


# Hooks run inside the transition's transaction (checks that may refuse) and after commit
# (notifications, scoring). Other modules register them; the workflow stays in one place.
BEFORE_TRANSITION: list[Callable[[Assessment, Transition, AbstractBaseUser, str, bool], None]] = []
AFTER_TRANSITION: list[Callable[[Assessment, Transition, AbstractBaseUser, str], object]] = [
    notifications.notify_transition_later
]


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

    Parameters
    ----------
    assessment
        The assessment; its ``state`` and ``state_changed_at`` are refreshed on success.
    action
        A key of :data:`surveys.workflow.TRANSITIONS` (``submit``, ``approve``, ...).
    actor
        Who acts; must hold one of the transition's roles for the assessment's country.
    message
        Recorded on the :class:`StateTransition` and in the audit trail. Required to reopen, to
        approve while queries are open, and to return without open queries.
    override
        Approve although queries are still open (the reviewer's explicit decision).

    Raises
    ------
    UnknownTransition, TransitionNotPermitted, ReasonRequired, TransitionConflict,
    AssessmentIncomplete
        Subclasses of :class:`TransitionError`, with a message for the user; nothing is
        written.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise UnknownTransition(_("Unknown action “%(action)s”.") % {"action": action})
    if not (transition.actors & actors_for(actor, assessment)):
        raise TransitionNotPermitted(_("You are not allowed to do this on this assessment."))
    message = message.strip()
    if transition.message_required and not message:
        raise ReasonRequired(_("A written reason is required."))
    for attempt in range(LOCK_RETRIES + 1):
        try:
            locked = _apply(assessment, transition, actor, message, override)
        except OperationalError as error:
            # SQLite reports a concurrent writer as "database is locked" / "table is locked"
            # instead of waiting (shared-cache databases, or past the busy timeout). Nothing was
            # written, so try again: the state is re-read and a lost race ends as a clear
            # TransitionError. Inside a caller's transaction retrying is not possible.
            if "locked" not in str(error) or connection.in_atomic_block:
                raise
            if attempt == LOCK_RETRIES:
                raise TransitionConflict(
                    _("Someone else is changing this assessment; please try again.")
                ) from error
            time.sleep(LOCK_BACKOFF_SECONDS * 2**attempt)
            continue
        assessment.state = locked.state
        assessment.state_changed_at = locked.state_changed_at
        return locked
    raise AssertionError("unreachable")  # pragma: no cover


def _apply(
    assessment: Assessment,
    transition: Transition,
    actor: AbstractBaseUser,
    message: str,
    override: bool,
) -> Assessment:
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.state not in transition.sources:
            raise TransitionConflict(
                _("This assessment is now “%(state)s”; the action was not applied.")
                % {"state": locked.get_state_display()}
            )
        if transition.requires_complete_answers:
            missing = missing_answers(locked)
            if missing:
                raise AssessmentIncomplete(missing)
        open_queries = _check_open_queries(locked, transition, message, override)
        for check in BEFORE_TRANSITION:
            check(locked, transition, actor, message, override)
        now = timezone.now()
        updated = Assessment.objects.filter(pk=locked.pk, state__in=transition.sources).update(
            state=transition.target, state_changed_at=now, updated_at=now
        )
        if updated != 1:
            raise TransitionConflict(_("Someone else changed this assessment; please reload."))
        StateTransition.objects.create(
            assessment=locked,
            action=transition.action,
            from_state=locked.state,
            to_state=transition.target,
            actor=actor,
            message=message,
        )
        changes = [
            Change(
                object_type="assessment",
                object_ref=str(locked.pk),
                field="state",
                old_value=locked.state,
                new_value=transition.target,
                action=transition.action,
            )
        ]
        if message:
            changes.append(
                Change(
                    object_type="assessment",
                    object_ref=str(locked.pk),
                    field="override_reason" if open_queries and override else "message",
                    old_value=None,
                    new_value=message,
                    action=transition.action,
                )
            )
        audit_record(assessment=locked, actor=actor, changes=changes)
        locked.state = transition.target
        locked.state_changed_at = now
        for after in AFTER_TRANSITION:
            transaction.on_commit(lambda after=after: after(locked, transition, actor, message))
    return locked


def _check_open_queries(
    assessment: Assessment, transition: Transition, message: str, override: bool
) -> int:
    """Refuse approval while queries are open (unless overridden with a reason), and a return
    that tells the focal point nothing. Returns the number of open queries."""
    if transition.action not in {"approve", "return"}:
        return 0
    open_count = Query.objects.filter(assessment=assessment, status=QueryStatus.OPEN).count()
    if transition.action == "return":
        if not open_count and not message:
            raise ReasonRequired(
                _("Open a query on the answers to change, or write a message, before returning.")
            )
        return open_count
    if open_count and not override:
        raise TransitionConflict(
            ngettext(
                "%(count)d query is still open: resolve it, or approve anyway with a reason.",
                "%(count)d queries are still open: resolve them, or approve anyway with a reason.",
                open_count,
            )
            % {"count": open_count}
        )
    if open_count and not message:
        raise ReasonRequired(_("Approving with open queries needs a written reason."))
    return open_count

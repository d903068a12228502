"""Electronic signature of locking decisions: approving and reopening re-ask the password.

As REDCap's e-signature does for locking a record, the person taking a decision that locks or
unlocks a country's data re-enters their password at that moment, so an unattended signed-in
browser or a leaked API token cannot approve or reopen an assessment. The web page and the REST
API both call :func:`assessment_transition_signed`. The password is checked before anything is
written; the transition itself is :func:`surveys.services.workflow.assessment_transition`, which
keeps every workflow rule (roles, states, open queries, reasons).

Wrong passwords are throttled like sign-in (django-axes' ``AXES_FAILURE_LIMIT`` and
``AXES_COOLOFF_TIME``): each one is logged and written to the audit trail
(``signature_refused``), and after the limit within the cool-off time signing is refused,
without checking the password, until the oldest counted failure is older than the cool-off
time. A successful signature starts the count afresh, as ``AXES_RESET_ON_SUCCESS`` does.
"""

from __future__ import annotations

import logging
import math
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from surveys.audit import Change, audit_record
from surveys.models import Assessment, AuditEvent
from surveys.services.workflow import TransitionError, assessment_transition

logger = logging.getLogger(__name__)

# The decisions that lock an assessment's data or unlock it again.
SIGNED_ACTIONS = frozenset({"approve", "reopen"})
# The audit action of a wrong password given to sign; counted by the throttle.
REFUSED_ACTION = "signature_refused"


class SignatureError(TransitionError):
    """The password given to sign the decision is wrong; nothing was changed."""


class SignatureMissing(SignatureError):
    """No password was given to sign; not counted as a failure."""


class SignatureLocked(SignatureError):
    """Too many wrong passwords: signing is refused for ``wait`` seconds; nothing was changed."""

    def __init__(self, wait: timedelta) -> None:
        self.wait_seconds = max(1, math.ceil(wait.total_seconds()))
        minutes = math.ceil(self.wait_seconds / 60)
        super().__init__(
            ngettext(
                "Too many wrong passwords: signing is refused for %(minutes)s more minute. "
                "Nothing was changed.",
                "Too many wrong passwords: signing is refused for %(minutes)s more minutes. "
                "Nothing was changed.",
                minutes,
            )
            % {"minutes": minutes}
        )


def signature_required(action: str) -> bool:
    """Whether ``action`` must be signed by re-entering the password."""
    return action in SIGNED_ACTIONS


def signature_lockout_remaining(user: AbstractBaseUser) -> timedelta:
    """How long ``user`` may not sign any more (zero when they may).

    Counts the wrong passwords within the cool-off time since the user's last signed decision
    (a sliding window): locked while ``AXES_FAILURE_LIMIT`` of them are in it.
    """
    now = timezone.now()
    cooloff: timedelta = settings.AXES_COOLOFF_TIME
    limit: int = settings.AXES_FAILURE_LIMIT
    failures = AuditEvent.objects.filter(
        actor=user, action=REFUSED_ACTION, created_at__gt=now - cooloff
    )
    last_signed = (
        AuditEvent.objects.filter(actor=user, action__in=SIGNED_ACTIONS, field="state")
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if last_signed is not None:
        failures = failures.filter(created_at__gt=last_signed)
    times = list(failures.order_by("-created_at").values_list("created_at", flat=True)[:limit])
    if len(times) < limit:
        return timedelta(0)
    # The window frees a place when the limit-th most recent failure leaves it.
    return max(timedelta(0), times[-1] + cooloff - now)


def signature_verify(
    *, user: AbstractBaseUser, password: str, assessment: Assessment | None = None, action: str = ""
) -> None:
    """Raise :class:`SignatureError` unless ``password`` is ``user``'s current password.

    Raises
    ------
    SignatureMissing
        No password was given.
    SignatureLocked
        Too many wrong passwords lately; the password is not even checked.
    SignatureError
        The password is wrong; the failure is logged and audited.
    """
    if not password:
        raise SignatureMissing(_("Enter your password to sign: nothing was changed."))
    with transaction.atomic():
        # One signer's attempts are counted one at a time, so parallel guesses cannot all
        # slip under the limit.
        get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
        wait = signature_lockout_remaining(user)
        if wait:
            locked = True
        elif user.check_password(password):
            return
        else:
            locked = False
            # Logged like a failed sign-in (never the password): repeated ones deserve a look.
            logger.warning("Wrong password given to sign a decision (user id %s)", user.pk)
            audit_record(
                assessment=assessment,
                actor=user,
                changes=[
                    Change(
                        object_type="assessment",
                        object_ref=str(assessment.pk) if assessment is not None else "",
                        field="",
                        old_value=None,
                        new_value=action or None,
                        action=REFUSED_ACTION,
                    )
                ],
            )
    if locked:
        logger.warning("Signing refused while locked out (user id %s)", user.pk)
        raise SignatureLocked(wait)
    raise SignatureError(
        _("The password is not correct: nothing was changed. Enter your own password to sign.")
    )


def assessment_transition_signed(
    *,
    assessment: Assessment,
    action: str,
    actor: AbstractBaseUser,
    password: str = "",
    message: str = "",
    override: bool = False,
) -> Assessment:
    """Apply workflow ``action``, first checking the actor's password when the action is signed.

    Raises
    ------
    SignatureError
        The action needs a signature and ``password`` is missing, wrong or locked out (the
        subclasses say which); nothing is written but the audited failure.
    TransitionError
        The workflow refuses the action (see ``assessment_transition``); nothing is written.
    """
    if signature_required(action):
        signature_verify(user=actor, password=password, assessment=assessment, action=action)
    return assessment_transition(
        assessment=assessment, action=action, actor=actor, message=message, override=override
    )

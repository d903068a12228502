"""Electronic signature of locking decisions: approving and reopening re-ask the password.

As REDCap's e-signature does for locking a record, the person taking a decision that locks or
unlocks a country's data re-enters their password at that moment, so an unattended signed-in
browser cannot approve or reopen an assessment. The password is checked before anything is
written; the transition itself is :func:`surveys.services.workflow.assessment_transition`, which
keeps every workflow rule (roles, states, open queries, reasons).
"""

from __future__ import annotations

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _

from surveys.models import Assessment
from surveys.services.workflow import TransitionError, assessment_transition

logger = logging.getLogger(__name__)

# The decisions that lock an assessment's data or unlock it again.
SIGNED_ACTIONS = frozenset({"approve", "reopen"})


class SignatureError(TransitionError):
    """The password given to sign the decision is wrong; nothing was written."""


def signature_required(action: str) -> bool:
    """Whether ``action`` must be signed by re-entering the password."""
    return action in SIGNED_ACTIONS


def signature_verify(*, user: AbstractBaseUser, password: str) -> None:
    """Raise :class:`SignatureError` unless ``password`` is ``user``'s current password."""
    if not password or not user.check_password(password):
        # Failed signatures are logged like failed sign-ins: repeated ones deserve a look.
        logger.warning("Wrong password given to sign a decision (user id %s)", user.pk)
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
        The action needs a signature and ``password`` is wrong or missing; nothing is written.
    TransitionError
        The workflow refuses the action (see ``assessment_transition``); nothing is written.
    """
    if signature_required(action):
        signature_verify(user=actor, password=password)
    return assessment_transition(
        assessment=assessment, action=action, actor=actor, message=message, override=override
    )

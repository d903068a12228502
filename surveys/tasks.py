"""Queue entry points of the surveys app: workflow e-mails, sent by a worker.

A mail server answers in tens or hundreds of milliseconds, or not at all until its timeout;
the reviewer approving or the focal point submitting should not wait for it. The workflow's
after-commit hook queues :func:`transition_notify`, which renders and sends the e-mails as
:func:`surveys.notifications.notify_transition` always did (tests run it at once).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django_tasks import task

from surveys import notifications
from surveys.models import Assessment
from surveys.workflow import TRANSITIONS

__all__ = ["transition_notify"]


@task()
def transition_notify(assessment_id: int, action: str, actor_id: int, message: str) -> int:
    """E-mail the people workflow ``action`` on the assessment concerns; returns how many."""
    assessment = Assessment.objects.select_related("country").get(pk=assessment_id)
    actor = get_user_model().objects.get(pk=actor_id)
    return notifications.notify_transition(assessment, TRANSITIONS[action], actor, message)

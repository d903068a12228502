"""E-mail notifications, sent through Django's configured e-mail backend.

Each e-mail is rendered in its recipient's language — the language they last used the platform
in (:class:`surveys.models.UserPreference`), else ``settings.LANGUAGE_CODE`` — from the
templates ``templates/emails/<kind>_subject.txt`` and ``<kind>.txt``, and carries a direct link
built from ``settings.SITE_URL``.

Workflow notifications run after the transition's transaction commits (registered in
``surveys.services.workflow.AFTER_TRANSITION``), in a worker (:mod:`surveys.tasks`): a failing
mail server is logged and never undoes or hides a transition that has happened, nor slows it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMessage, get_connection
from django.db import DatabaseError
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from surveys.links import site_url
from surveys.models import Assessment, Role, UserPreference
from surveys.workflow import Transition

logger = logging.getLogger(__name__)

# Workflow action → (e-mail kind, who is told).
TRANSITION_NOTICES: dict[str, tuple[str, str]] = {
    "submit": ("assessment_submitted", Role.REVIEWER),
    "resubmit": ("assessment_submitted", Role.REVIEWER),
    "return": ("assessment_returned", Role.FOCAL_POINT),
    "reopen": ("assessment_returned", Role.FOCAL_POINT),
    "approve": ("assessment_approved", Role.FOCAL_POINT),
}

_LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}
_SESSION_KEY = "notifications_language"


def absolute_url(path: str) -> str:
    """``path`` on the public site (``surveys.links.site_url``); absolute URLs pass through."""
    if path.startswith(("http://", "https://")):
        return path
    return f"{site_url()}{path}"


def language_for(user: AbstractBaseUser) -> str:
    """The language to write to ``user`` in: their last used language, else the default."""
    preference = UserPreference.objects.filter(user=user).values_list("language", flat=True)
    language = next(iter(preference), "")
    return language if language in _LANGUAGE_CODES else settings.LANGUAGE_CODE


def remember_language(request: HttpRequest) -> None:
    """Record the language the request's user reads the platform in, for their e-mails.

    Writes only when it changed; the session remembers what was recorded, so ordinary page
    views cost no query.
    """
    user = request.user
    language = getattr(request, "LANGUAGE_CODE", "") or ""
    if not user.is_authenticated or language not in _LANGUAGE_CODES:
        return
    if request.session.get(_SESSION_KEY) == language:
        return
    updated = UserPreference.objects.filter(user=user).update(language=language)
    if not updated:
        UserPreference.objects.get_or_create(user=user, defaults={"language": language})
    request.session[_SESSION_KEY] = language


def _first_url(*candidates: tuple[str, dict[str, Any]]) -> str:
    for name, kwargs in candidates:
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return "/"


def assessment_link_for(role: str, assessment: Assessment) -> str:
    """Where the e-mail's link takes a reviewer (the workspace) or a focal point (the survey)."""
    if role == Role.REVIEWER:
        return absolute_url(_first_url(("surveys:review", {"pk": assessment.pk})))
    return absolute_url(
        _first_url(
            ("surveys:assessment-detail", {"pk": assessment.pk}),
            ("surveys:work-queue", {}),
        )
    )


def country_users(assessment: Assessment, role: str) -> list[AbstractBaseUser]:
    """Active users holding ``role`` for the assessment's country, with an e-mail address."""
    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            role_assignments__role=role,
            role_assignments__country_id=assessment.country_id,
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def render_email(kind: str, context: dict[str, Any], *, to: str, language: str) -> EmailMessage:
    """Render ``emails/<kind>_subject.txt`` and ``emails/<kind>.txt`` in ``language``."""
    with translation.override(language):
        context = {**context, "language": language}
        subject = render_to_string(f"emails/{kind}_subject.txt", context)
        body = render_to_string(f"emails/{kind}.txt", context)
    # Header injection is impossible with one line; subjects come from templates and names.
    subject = " ".join(subject.split())
    return EmailMessage(subject=subject, body=body, to=[to], headers={"Content-Language": language})


def _send(messages: Iterable[EmailMessage]) -> int:
    messages = list(messages)
    if not messages:
        return 0
    try:
        return get_connection().send_messages(messages) or 0
    except Exception:
        # The state change is committed; a mail outage must not turn it into an error page.
        logger.exception("Could not send %d notification(s)", len(messages))
        return 0


def notify_transition(
    assessment: Assessment, transition: Transition, actor: AbstractBaseUser, message: str
) -> int:
    """E-mail the people a workflow step concerns; returns the number of e-mails sent.

    submit / resubmit → reviewers of the country; return / reopen → focal points, with the open
    queries listed; approve → focal points. The actor is not told about their own action.
    """
    notice = TRANSITION_NOTICES.get(transition.action)
    if notice is None:
        return 0
    kind, role = notice
    recipients = [user for user in country_users(assessment, role) if user.pk != actor.pk]
    if not recipients:
        return 0
    open_queries: list[Any] = []
    if kind == "assessment_returned":
        from surveys.services.review import queries_with_messages

        open_queries = queries_with_messages(assessment, only_open=True)
    link = assessment_link_for(role, assessment)
    messages = []
    for user in recipients:
        context = {
            "recipient": user,
            "assessment": assessment,
            "country": assessment.country,
            "actor": actor,
            "message": message,
            "action": transition.action,
            "open_queries": open_queries,
            "link": link,
        }
        messages.append(render_email(kind, context, to=user.email, language=language_for(user)))
    return _send(messages)


def notify_transition_later(
    assessment: Assessment, transition: Transition, actor: AbstractBaseUser, message: str
) -> None:
    """Workflow hook (after commit): queue :func:`notify_transition` for a worker, so the
    request does not wait for the mail server. A queue that cannot be written to is logged;
    the transition has happened and stays."""
    if transition.action not in TRANSITION_NOTICES:
        return
    from surveys.tasks import transition_notify

    try:
        transition_notify.enqueue(assessment.pk, transition.action, actor.pk, message)
    except DatabaseError:
        logger.exception("Could not queue the e-mails of %s on %s", transition.action, assessment)


def _stakeholder_email(kind: str, invitation: Any, url: str) -> EmailMessage:
    language = getattr(invitation, "language", "") or settings.LANGUAGE_CODE
    if language not in _LANGUAGE_CODES:
        language = settings.LANGUAGE_CODE
    context = {
        "invitation": invitation,
        "name": getattr(invitation, "name", ""),
        "assessment": invitation.assessment,
        "country": invitation.assessment.country,
        "expires_at": getattr(invitation, "expires_at", None),
        "link": absolute_url(url),
    }
    return render_email(kind, context, to=invitation.email, language=language)


def stakeholder_invitation_send(*, invitation: Any, url: str) -> int:
    """E-mail a stakeholder their personal link (``url``: path or absolute URL).

    ``invitation`` needs ``email``, ``assessment`` and may have ``name``, ``expires_at`` and
    ``language``. Returns the number of e-mails sent (0 or 1).
    """
    return _send([_stakeholder_email("stakeholder_invitation", invitation, url)])


def stakeholder_reminder_send(*, invitation: Any, url: str) -> int:
    """E-mail a stakeholder who has not answered yet a reminder with their personal link."""
    return _send([_stakeholder_email("stakeholder_reminder", invitation, url)])

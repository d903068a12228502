"""Stakeholder contributions: personal links to answer chosen pillars, without an account.

A link carries a random 256-bit token; only its SHA-256 is stored, so a database leak gives no
working link. Links expire and can be revoked. Stakeholders' answers are separate responses
(``StakeholderAnswer``): the focal point's ``Answer`` rows remain the official ones, and
scoring uses the stakeholders' answers for agreement statistics.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.audit import Change, audit_record
from surveys.frameworks.spec import QuestionType
from surveys.links import site_url
from surveys.models import (
    Assessment,
    AssessmentState,
    OrganisationType,
    StakeholderAnswer,
    StakeholderInvitation,
)
from surveys.services.answers import (
    AnswerInput,
    AnswerValidationError,
    AnswerValueError,
    answer_input_clean,
    framework_spec,
)

__all__ = [
    "DEFAULT_VALIDITY",
    "InvitationError",
    "InvitationUnusable",
    "NewInvitation",
    "invitation_resolve",
    "invitation_send",
    "stakeholder_answers_save",
    "stakeholder_expire",
    "stakeholder_invite",
    "stakeholder_link",
    "stakeholder_links_open",
    "stakeholder_questions",
    "stakeholder_revoke",
    "stakeholder_submissions_record",
    "SubmissionResponse",
]

DEFAULT_VALIDITY = datetime.timedelta(days=30)
MAX_VALIDITY = datetime.timedelta(days=180)


class InvitationError(ValueError):
    """An invitation that cannot be made; the message is for the focal point."""


class InvitationUnusable(Exception):
    """A link that does not (or no longer) work. ``reason``: unknown, expired, revoked, closed."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class NewInvitation:
    invitation: StakeholderInvitation
    #: The raw token: it exists only here and in the e-mailed link, never in the database.
    token: str
    #: The site address the link is built on (see ``stakeholder_link``).
    base_url: str = ""

    @property
    def link(self) -> str:
        return stakeholder_link(self.token, base_url=self.base_url)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def stakeholder_link(token: str, *, base_url: str = "") -> str:
    """The absolute personal link for ``token`` on ``base_url`` (a page passes
    ``surveys.links.site_url(request)``), else on ``site_url()``."""
    path = reverse("surveys:stakeholder-respond", kwargs={"token": token})
    return (base_url or site_url()) + path


def stakeholder_links_open(assessment: Assessment) -> bool:
    """Whether stakeholders' links to ``assessment`` work: until it is approved."""
    return assessment.state != AssessmentState.APPROVED


def stakeholder_questions(invitation: StakeholderInvitation) -> list:
    """The questions a stakeholder may answer: those of the invited pillars, except evidence."""
    spec = framework_spec(invitation.assessment.framework)
    invited = set(invitation.pillars)
    return [
        question
        for pillar in spec.pillars
        if pillar.code in invited
        for question in pillar.questions
        if question.type is not QuestionType.EVIDENCE
    ]


def stakeholder_invite(
    *,
    assessment: Assessment,
    actor: AbstractBaseUser,
    name: str,
    email: str,
    organisation_type: str,
    pillars: Sequence[str],
    organisation: str = "",
    language: str = "",
    valid_for: datetime.timedelta = DEFAULT_VALIDITY,
    send: bool = True,
    base_url: str = "",
) -> NewInvitation:
    """Invite a stakeholder to answer ``pillars`` of ``assessment`` and e-mail the link.

    ``base_url`` is the site address the link is built on (see ``stakeholder_link``).

    Raises
    ------
    InvitationError
        For an empty name, an invalid e-mail address, an unknown organisation type, language
        or pillar, no pillar at all, a validity outside 1 day – 180 days, or an assessment
        whose links are closed (approved): its link would not work.
    """
    name = (name or "").strip()
    email = (email or "").strip()
    language = language or settings.LANGUAGE_CODE
    if not name:
        raise InvitationError(_("Give the stakeholder's name."))
    try:
        validate_email(email)
    except ValidationError:
        raise InvitationError(_("Enter a valid e-mail address.")) from None
    if organisation_type not in OrganisationType.values:
        raise InvitationError(_("Choose the type of organisation."))
    if language not in {code for code, _label in settings.LANGUAGES}:
        raise InvitationError(_("Choose one of the platform's languages."))
    spec = framework_spec(assessment.framework)
    known = [pillar.code for pillar in spec.pillars]
    chosen = [code for code in known if code in set(pillars)]
    if not chosen or len(chosen) != len(set(pillars)):
        raise InvitationError(_("Choose at least one pillar of this framework."))
    if not datetime.timedelta(days=1) <= valid_for <= MAX_VALIDITY:
        raise InvitationError(_("A link must be valid for 1 to 180 days."))
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        # Locked, so an approval cannot slip in between this check and the e-mail.
        current = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if not stakeholder_links_open(current):
            raise InvitationError(
                _(
                    "This assessment is “%(state)s”: stakeholder links are closed, so no "
                    "invitation can be sent unless an administrator reopens it."
                )
                % {"state": current.get_state_display()}
            )
        invitation = StakeholderInvitation.objects.create(
            assessment=assessment,
            name=name[:200],
            email=email,
            organisation=organisation.strip()[:200],
            organisation_type=organisation_type,
            pillars=chosen,
            language=language,
            token_hash=_token_hash(token),
            invited_by=actor,
            expires_at=timezone.now() + valid_for,
        )
        _audit(
            invitation,
            actor,
            "stakeholder_invite",
            None,
            {
                "name": invitation.name,
                "email": invitation.email,
                "organisation_type": invitation.organisation_type,
                "pillars": chosen,
                "expires_at": invitation.expires_at.isoformat(),
            },
        )
        if send:
            transaction.on_commit(lambda: invitation_send(invitation, token, base_url=base_url))
    return NewInvitation(invitation=invitation, token=token, base_url=base_url)


def invitation_send(invitation: StakeholderInvitation, token: str, *, base_url: str = "") -> int:
    """E-mail the personal link in the stakeholder's language; returns the number sent.

    The message itself (templates/emails/stakeholder_invitation*.txt) belongs to the
    notifications module, which also sends the reminders.
    """
    from surveys.notifications import stakeholder_invitation_send

    return stakeholder_invitation_send(
        invitation=invitation, url=stakeholder_link(token, base_url=base_url)
    )


def stakeholder_revoke(*, invitation: StakeholderInvitation, actor: AbstractBaseUser) -> None:
    """Stop a link from working; answers already given are kept."""
    if invitation.revoked_at is not None:
        return
    invitation.revoked_at = timezone.now()
    with transaction.atomic():
        invitation.save(update_fields=["revoked_at"])
        _audit(invitation, actor, "stakeholder_revoke", None, invitation.revoked_at.isoformat())


def stakeholder_expire(*, invitation: StakeholderInvitation, actor: AbstractBaseUser) -> None:
    """End a link's validity now (as if it had expired)."""
    old = invitation.expires_at
    invitation.expires_at = min(old, timezone.now())
    with transaction.atomic():
        invitation.save(update_fields=["expires_at"])
        _audit(
            invitation,
            actor,
            "stakeholder_expire",
            old.isoformat(),
            invitation.expires_at.isoformat(),
        )


def invitation_resolve(token: str) -> StakeholderInvitation:
    """The invitation of a personal link, if the link still works.

    Raises
    ------
    InvitationUnusable
        ``unknown`` (no such link), ``revoked``, ``expired``, or ``closed`` (the assessment
        has been approved).
    """
    if not token or len(token) > 100:
        raise InvitationUnusable("unknown")
    return _usable(
        StakeholderInvitation.objects.select_related(
            "assessment", "assessment__country", "assessment__framework"
        )
        .filter(token_hash=_token_hash(token))
        .first()
    )


def invitation_resolve_by_id(invitation_id: object) -> StakeholderInvitation:
    """The invitation a stakeholder's session remembers, if its link still works.

    The personal link is opened once; the page then works from the session (so the token
    never stays in the address bar, the history or a Referer header). Same errors as
    :func:`invitation_resolve`.
    """
    if not isinstance(invitation_id, int):
        raise InvitationUnusable("unknown")
    return _usable(
        StakeholderInvitation.objects.select_related(
            "assessment", "assessment__country", "assessment__framework"
        )
        .filter(pk=invitation_id)
        .first()
    )


def _usable(invitation: StakeholderInvitation | None) -> StakeholderInvitation:
    if invitation is None:
        raise InvitationUnusable("unknown")
    if invitation.is_revoked:
        raise InvitationUnusable("revoked")
    if invitation.is_expired:
        raise InvitationUnusable("expired")
    if not stakeholder_links_open(invitation.assessment):
        raise InvitationUnusable("closed")
    return invitation


def stakeholder_answers_save(
    *, invitation: StakeholderInvitation, answers: Sequence[AnswerInput]
) -> tuple[str, ...]:
    """Save a stakeholder's answers to their invited pillars; return the changed codes.

    Raises
    ------
    AnswerValidationError
        When a question is not one of the invited pillars or a value is invalid (nothing is
        written).
    InvitationUnusable
        When the link stopped working meanwhile.
    """
    allowed = {question.code: question for question in stakeholder_questions(invitation)}
    errors: dict[str, str] = {}
    cleaned: dict[str, AnswerInput] = {}
    for answer in answers:
        question = allowed.get(answer.question_code)
        if question is None:
            errors[answer.question_code] = _("This question is not part of your invitation.")
            continue
        try:
            cleaned[question.code] = answer_input_clean(question, answer)
        except AnswerValueError as error:
            errors[question.code] = str(error)
    if errors:
        raise AnswerValidationError(errors)
    label = f"{invitation.name} ({invitation.get_organisation_type_display()})"
    with transaction.atomic():
        locked = StakeholderInvitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.is_usable:
            raise InvitationUnusable("revoked" if locked.is_revoked else "expired")
        assessment = Assessment.objects.select_for_update().get(pk=locked.assessment_id)
        if not stakeholder_links_open(assessment):
            raise InvitationUnusable("closed")
        existing = {row.question_code: row for row in locked.answers.all()}
        changes: list[Change] = []
        to_create, to_update, to_delete = [], [], []
        for code, answer in cleaned.items():
            row = existing.get(code)
            before = (row.value, row.status, row.justification) if row else (None, None, "")
            if answer.is_blank:
                if row is not None:
                    to_delete.append(row.pk)
                    after = (None, None, "")
                else:
                    continue
            else:
                after = (answer.value, answer.status, answer.justification)
                if before == after:
                    continue
                if row is None:
                    row = StakeholderAnswer(invitation=locked, question_code=code)
                    to_create.append(row)
                else:
                    to_update.append(row)
                row.value, row.status, row.justification = after
                row.updated_at = timezone.now()
            changes.append(
                Change(
                    object_type="stakeholder_answer",
                    object_ref=f"{code}@{locked.pk}",
                    field="answer",
                    old_value=dict(zip(("value", "status", "justification"), before, strict=True)),
                    new_value=dict(zip(("value", "status", "justification"), after, strict=True)),
                    action="stakeholder_answer",
                )
            )
        if not changes:
            return ()
        StakeholderAnswer.objects.bulk_create(to_create)
        StakeholderAnswer.objects.bulk_update(
            to_update, ["value", "status", "justification", "updated_at"]
        )
        StakeholderAnswer.objects.filter(pk__in=to_delete).delete()
        locked.responded_at = timezone.now()
        locked.save(update_fields=["responded_at"])
        audit_record(assessment=locked.assessment, actor=None, changes=changes, actor_label=label)
    invitation.responded_at = locked.responded_at
    return tuple(sorted(change.object_ref.split("@")[0] for change in changes))


def _audit(
    invitation: StakeholderInvitation,
    actor: AbstractBaseUser,
    action: str,
    old: object,
    new: object,
) -> None:
    audit_record(
        assessment=invitation.assessment,
        actor=actor,
        changes=[
            Change(
                object_type="stakeholder_invitation",
                object_ref=str(invitation.pk),
                field="invitation",
                old_value=old,
                new_value=new,
                action=action,
            )
        ],
    )


@dataclass(frozen=True)
class SubmissionResponse:
    """One submission collected with ODK or KoboToolbox, already validated (issue 20)."""

    instance_id: str
    organisation_type: str
    organisation: str
    answers: Sequence[AnswerInput]
    submitted_at: datetime.datetime | None


def stakeholder_submissions_record(
    *,
    assessment: Assessment,
    actor: AbstractBaseUser | None,
    submissions: Sequence[SubmissionResponse],
) -> list[StakeholderInvitation]:
    """Store collected submissions as stakeholder responses, all or nothing.

    Each becomes a closed invitation (no working link: its token is thrown away) holding the
    answers, so the agreement statistics read it like a response given through a link. The
    instance ID is unique per assessment, so a concurrent import of the same export fails
    whole instead of counting a respondent twice.

    Raises
    ------
    InvitationUnusable
        When the assessment no longer takes stakeholder responses (it is approved).
    """
    spec = framework_spec(assessment.framework)
    now = timezone.now()
    created: list[StakeholderInvitation] = []
    changes: list[Change] = []
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if not stakeholder_links_open(locked):
            raise InvitationUnusable("closed")
        for item in submissions:
            invitation = StakeholderInvitation.objects.create(
                assessment=locked,
                name=_("Submission %(id)s") % {"id": item.instance_id.removeprefix("uuid:")[:36]},
                email="",
                organisation=item.organisation,
                organisation_type=item.organisation_type,
                pillars=[pillar.code for pillar in spec.pillars],
                language=spec.languages[0],
                token_hash=_token_hash(secrets.token_urlsafe(32)),
                invited_by=actor if actor is not None and actor.is_authenticated else None,
                expires_at=now,
                revoked_at=now,
                responded_at=item.submitted_at or now,
                instance_id=item.instance_id,
            )
            StakeholderAnswer.objects.bulk_create(
                StakeholderAnswer(
                    invitation=invitation,
                    question_code=answer.question_code,
                    value=answer.value,
                    status=answer.status,
                    justification=answer.justification,
                )
                for answer in item.answers
            )
            created.append(invitation)
            changes.append(
                Change(
                    object_type="stakeholder_invitation",
                    object_ref=str(invitation.pk),
                    field="submission",
                    old_value=None,
                    new_value={
                        "instance_id": item.instance_id,
                        "organisation_type": item.organisation_type,
                        "answers": len(item.answers),
                    },
                    action="submission_import",
                )
            )
        audit_record(assessment=locked, actor=actor, changes=changes)
    return created

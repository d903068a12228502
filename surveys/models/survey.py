"""What focal points and stakeholders produce while answering: evidence, wizard drafts,
stakeholder invitations and the stakeholders' own answers.

Official answers live in ``Answer`` (assessments.py); the rows here support them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from surveys.models.assessments import AnswerStatus


class EvidenceKind(models.TextChoices):
    URL = "url", _("Web address")
    FILE = "file", _("File")


class Evidence(models.Model):
    """A document or web address supporting the answer to one question.

    Files are stored under ``settings.EVIDENCE_ROOT`` (outside anything the web server
    serves) at ``stored_path``; their type is detected from their content, never trusted
    from the name or the browser.
    """

    assessment = models.ForeignKey(
        "surveys.Assessment", on_delete=models.CASCADE, related_name="evidence"
    )
    question_code = models.CharField(_("question code"), max_length=64)
    kind = models.CharField(_("kind"), max_length=10, choices=EvidenceKind.choices)
    url = models.URLField(_("web address"), max_length=2000, blank=True)
    # Relative to EVIDENCE_ROOT; never derived from the uploaded name.
    stored_path = models.CharField(_("stored path"), max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=120, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["assessment", "question_code", "uploaded_at", "pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        indexes = [models.Index(fields=["assessment", "question_code"])]

    def __str__(self) -> str:
        return self.original_name or self.url

    @property
    def label(self) -> str:
        return self.description or self.original_name or self.url


class WizardDraft(models.Model):
    """The wizard's envelope for one assessment: current step and raw step data (UI state only).

    Scoring, review and exports never read it; they read ``Answer`` rows.
    """

    assessment = models.OneToOneField(
        "surveys.Assessment", on_delete=models.CASCADE, related_name="wizard_draft"
    )
    data = models.JSONField(_("data"), default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("wizard draft")
        verbose_name_plural = _("wizard drafts")

    def __str__(self) -> str:
        return f"{self.assessment_id} draft"


class OrganisationType(models.TextChoices):
    MINISTRY = "ministry", _("Ministry or government agency")
    REGULATOR = "regulator", _("Regulator")
    ACADEMIA = "academia", _("Academia or research")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    OTHER = "other", _("Other")


class StakeholderInvitation(models.Model):
    """A personal, expiring, revocable link for one stakeholder to answer chosen pillars.

    Only the SHA-256 of the token is stored; the raw token exists once, in the e-mailed link.
    """

    assessment = models.ForeignKey(
        "surveys.Assessment", on_delete=models.CASCADE, related_name="stakeholder_invitations"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    organisation_type = models.CharField(
        _("organisation type"), max_length=20, choices=OrganisationType.choices
    )
    pillars = models.JSONField(_("pillars"), default=list)
    language = models.CharField(_("language"), max_length=10, default="en")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)
    #: For a response imported from ODK Central or KoboToolbox: the submission's instance ID
    #: (``uuid:…``), so that importing the same export twice adds nothing (issue 20).
    instance_id = models.CharField(_("submission instance ID"), max_length=100, blank=True)

    class Meta:
        ordering = ["assessment", "-created_at", "pk"]
        verbose_name = _("stakeholder invitation")
        verbose_name_plural = _("stakeholder invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "instance_id"],
                condition=~models.Q(instance_id=""),
                name="one_response_per_submission",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_organisation_type_display()})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired


class StakeholderAnswer(models.Model):
    """One stakeholder's answer to one question: a separate response, never the official one.

    Scoring uses these for agreement statistics; the focal point's ``Answer`` stays official.
    """

    invitation = models.ForeignKey(
        StakeholderInvitation, on_delete=models.CASCADE, related_name="answers"
    )
    question_code = models.CharField(_("question code"), max_length=64)
    value = models.JSONField(_("value"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AnswerStatus.choices, default=AnswerStatus.ANSWERED
    )
    justification = models.TextField(_("justification"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["invitation", "question_code"]
        verbose_name = _("stakeholder answer")
        verbose_name_plural = _("stakeholder answers")
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "question_code"], name="one_stakeholder_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.invitation} · {self.question_code}"

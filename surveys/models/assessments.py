"""Assessments of one country, one framework version and one round, and their canonical answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AssessmentState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    RETURNED = "returned", _("Returned for revision")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    APPROVED = "approved", _("Approved")


# States in which focal points may change answers and evidence; every other state is locked
# for them on the server, whatever path the write comes through.
EDITABLE_STATES = frozenset({AssessmentState.DRAFT, AssessmentState.RETURNED})


class Assessment(models.Model):
    country = models.ForeignKey(
        "surveys.Country", on_delete=models.PROTECT, related_name="assessments"
    )
    framework = models.ForeignKey(
        "surveys.Framework", on_delete=models.PROTECT, related_name="assessments"
    )
    round = models.PositiveSmallIntegerField(
        _("round"), help_text=_("Year of the round, e.g. 2026.")
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=AssessmentState.choices,
        default=AssessmentState.DRAFT,
        db_index=True,
    )
    # Incremented by every save of answers. A save based on an older revision is refused when
    # someone else has since changed one of the answers it sends, or removed any answer, so
    # co-editing focal points never overwrite each other silently; saves of other answers
    # (another pillar, say) go through.
    revision = models.PositiveIntegerField(_("revision"), default=0)
    # A removed answer leaves no row whose revision a later save could compare with.
    answers_removed_revision = models.PositiveIntegerField(
        _("revision of the last removed answer"), default=0
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_rounds",
        verbose_name=_("previous round"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    state_changed_at = models.DateTimeField(_("state changed"), null=True, blank=True)

    class Meta:
        ordering = ["-round", "country__name"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "framework", "round"], name="one_assessment_per_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.country.name} {self.round}"

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES


class AnswerStatus(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    DONT_KNOW = "dont_know", _("Don't know")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class Answer(models.Model):
    """The official, consolidated answer to one question: what scoring, review and exports read.

    ``value`` holds the typed value as JSON (number, text, ISO date, list of choice codes); for
    "don't know" and "not applicable" it is null and ``status`` says which, never a 0.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question_code = models.CharField(_("question code"), max_length=64)
    value = models.JSONField(_("value"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AnswerStatus.choices, default=AnswerStatus.ANSWERED
    )
    justification = models.TextField(_("justification"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    revision = models.PositiveIntegerField(
        _("revision"), default=0, help_text=_("Assessment revision at which this answer changed.")
    )

    class Meta:
        ordering = ["assessment", "question_code"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question_code"], name="one_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.question_code}"


class StateTransition(models.Model):
    """One step of an assessment's workflow: who moved it, when, from where to where, and why."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(_("from"), max_length=20, choices=AssessmentState.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=AssessmentState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("state transition")
        verbose_name_plural = _("state transitions")

    def __str__(self) -> str:
        return f"{self.assessment} {self.from_state} → {self.to_state}"

"""Review of an assessment: per-answer queries with threaded messages, and notification language."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class QueryStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class Query(models.Model):
    """A reviewer's question about one answer of an assessment, open until someone resolves it.

    Open queries block approval (unless the reviewer overrides with a reason) and are shown to
    the focal point next to the question in the wizard.
    """

    assessment = models.ForeignKey(
        "surveys.Assessment", on_delete=models.CASCADE, related_name="queries"
    )
    question_code = models.CharField(_("question code"), max_length=64)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=QueryStatus.choices,
        default=QueryStatus.OPEN,
        db_index=True,
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["assessment", "question_code", "opened_at", "pk"]
        verbose_name = _("query")
        verbose_name_plural = _("queries")
        indexes = [models.Index(fields=["assessment", "status"], name="query_assessment_status")]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.question_code} · {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status == QueryStatus.OPEN

    @property
    def latest_reply(self) -> QueryMessage | None:
        """The latest message when someone other than the opener wrote it (an answer waiting
        for the reviewer), else None. Reads the prefetched thread when there is one."""
        thread = list(self.messages.all())
        if thread and thread[-1].author_id != self.opened_by_id:
            return thread[-1]
        return None


class QueryMessage(models.Model):
    """One message of a query's thread, by the reviewer or the focal point."""

    query = models.ForeignKey(Query, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["query", "created_at", "pk"]
        verbose_name = _("query message")
        verbose_name_plural = _("query messages")

    def __str__(self) -> str:
        return f"{self.query} · {self.created_at:%Y-%m-%d %H:%M}"


class UserPreference(models.Model):
    """Per-user settings the platform remembers; for now the language e-mails are written in.

    ``language`` is the language the user last used the platform in (recorded by the pages they
    open); empty means "not known yet", and e-mails then use ``settings.LANGUAGE_CODE``.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference"
    )
    language = models.CharField(_("language"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("user preference")
        verbose_name_plural = _("user preferences")

    def __str__(self) -> str:
        return f"{self.user} · {self.language or '-'}"

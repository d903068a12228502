"""The audit trail: an append-only record of changes to answers, evidence, states and queries."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditTrailIsAppendOnly(Exception):
    """Raised when code tries to change or delete an audit row."""


class AuditEvent(models.Model):
    # PROTECT: an assessment with a history cannot be deleted, so its trail cannot vanish with it.
    assessment = models.ForeignKey(
        "surveys.Assessment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Who acted when there is no account (a stakeholder's link) or the account was removed.
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=40, db_index=True)
    object_type = models.CharField(_("object type"), max_length=40, db_index=True)
    object_ref = models.CharField(_("object"), max_length=200, blank=True)
    field = models.CharField(_("field"), max_length=60, blank=True)
    old_value = models.JSONField(_("old value"), null=True, blank=True)
    new_value = models.JSONField(_("new value"), null=True, blank=True)
    # Set by the writer before the INSERT (not auto_now_add) because the chain hash covers it.
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # The hash chain (surveys.audit_chain): this event's hash covers its content and the
    # previous event's hash, so an edited, deleted or inserted row breaks the chain.
    previous_hash = models.CharField(_("previous hash"), max_length=64, blank=True, default="")
    chain_hash = models.CharField(_("hash"), max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_ref}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditTrailIsAppendOnly("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AuditTrailIsAppendOnly("Audit events cannot be deleted.")


class AuditChainHead(models.Model):
    """The end of the audit hash chain: one row, locked by every writer of audit events.

    Locking it (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's IMMEDIATE transactions
    serialise writers already) makes concurrent writers append one after another, so the
    chain cannot fork. It also records the last event, so deleting the newest events shows.
    """

    last_event_id = models.BigIntegerField(null=True, blank=True)
    last_hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")

    def __str__(self) -> str:
        return f"#{self.last_event_id} {self.last_hash[:12]}"

"""Assessment frameworks: versioned questionnaires with their scoring rules.

(Minimal first cut written with the project skeleton so assessments can reference a framework;
the frameworks work extends it with pillars, indicators and questions.)
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class Framework(models.Model):
    code = models.SlugField(_("code"), max_length=64)
    version = models.CharField(_("version"), max_length=32)
    title = models.JSONField(_("title"), default=dict, help_text=_("Text per language code."))
    description = models.JSONField(_("description"), default=dict, blank=True)
    languages = models.JSONField(_("languages"), default=list)
    status = models.CharField(
        _("status"), max_length=20, choices=FrameworkStatus.choices, default=FrameworkStatus.DRAFT
    )
    definition = models.JSONField(
        _("definition"), default=dict, help_text=_("The complete validated framework.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["code", "version"]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="unique_framework_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.version}"

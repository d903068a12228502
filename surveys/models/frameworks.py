"""Assessment frameworks: versioned questionnaires with their scoring rules.

The whole validated framework is stored canonically as JSON on ``Framework.definition`` (the
"full" export of surveys.frameworks.export), so a wizard step or the scorer gets the complete
questionnaire with one query through ``framework.spec``. The Pillar, SubPillar, Indicator and
Question rows mirror it for browsing, admin and integrity (unique codes per framework); they are
written only by ``surveys.frameworks.persistence.framework_load``.

A published framework is immutable: changes make a new version.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import cached_property
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from surveys.frameworks.spec import FrameworkSpec


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


# Specs rebuilt from stored definitions, keyed by the definition's digest. A digest names
# immutable content, so entries never go stale; the bound keeps memory small.
_SPEC_CACHE: OrderedDict[str, FrameworkSpec] = OrderedDict()
_SPEC_CACHE_SIZE = 32
_SPEC_CACHE_LOCK = threading.Lock()


class Framework(models.Model):
    code = models.SlugField(_("code"), max_length=64)
    version = models.CharField(_("version"), max_length=32)
    title = models.JSONField(_("title"), default=dict, help_text=_("Text per language code."))
    description = models.JSONField(_("description"), default=dict, blank=True)
    methodology = models.JSONField(_("methodology"), default=dict, blank=True)
    languages = models.JSONField(_("languages"), default=list)
    status = models.CharField(
        _("status"), max_length=20, choices=FrameworkStatus.choices, default=FrameworkStatus.DRAFT
    )
    definition = models.JSONField(
        _("definition"), default=dict, help_text=_("The complete validated framework.")
    )
    definition_digest = models.CharField(
        _("definition digest"),
        max_length=64,
        blank=True,
        help_text=_("SHA-256 of the canonical definition; identifies the exact content."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["code", "version"]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="unique_framework_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.version}"

    @property
    def is_immutable(self) -> bool:
        """Published and retired frameworks never change; only drafts can be reloaded."""
        return self.status != FrameworkStatus.DRAFT

    @cached_property
    def spec(self) -> FrameworkSpec:
        """The validated FrameworkSpec rebuilt from ``definition`` (no database query).

        Raises ``surveys.frameworks.reading.FrameworkError`` if the stored definition is not a
        valid framework (only possible for rows written outside ``framework_load``).
        """
        from surveys.frameworks.loader import load_framework_data

        key = self.definition_digest
        if key:
            with _SPEC_CACHE_LOCK:
                cached = _SPEC_CACHE.get(key)
                if cached is not None:
                    _SPEC_CACHE.move_to_end(key)
                    return cached
        spec = load_framework_data(self.definition)
        if key:
            with _SPEC_CACHE_LOCK:
                _SPEC_CACHE[key] = spec
                while len(_SPEC_CACHE) > _SPEC_CACHE_SIZE:
                    _SPEC_CACHE.popitem(last=False)
        return spec


class Pillar(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="pillars")
    code = models.CharField(_("code"), max_length=64)
    order = models.PositiveIntegerField(_("order"))
    title = models.JSONField(_("title"), default=dict)
    description = models.JSONField(_("description"), default=dict, blank=True)
    weight = models.FloatField(_("weight"), default=1.0)
    min_coverage = models.FloatField(_("minimum coverage"), default=2 / 3)

    class Meta:
        ordering = ["framework", "order"]
        verbose_name = _("pillar")
        verbose_name_plural = _("pillars")
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="unique_pillar_code")
        ]

    def __str__(self) -> str:
        return f"{self.framework} · {self.code}"


class SubPillar(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="sub_pillars")
    pillar = models.ForeignKey(Pillar, on_delete=models.CASCADE, related_name="sub_pillars")
    code = models.CharField(_("code"), max_length=64)
    order = models.PositiveIntegerField(_("order"))
    title = models.JSONField(_("title"), default=dict)
    weight = models.FloatField(_("weight"), default=1.0)

    class Meta:
        ordering = ["framework", "order"]
        verbose_name = _("sub-pillar")
        verbose_name_plural = _("sub-pillars")
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="unique_sub_pillar_code")
        ]

    def __str__(self) -> str:
        return f"{self.framework} · {self.code}"


class Indicator(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="indicators")
    pillar = models.ForeignKey(Pillar, on_delete=models.CASCADE, related_name="indicators")
    sub_pillar = models.ForeignKey(
        SubPillar, on_delete=models.CASCADE, null=True, blank=True, related_name="indicators"
    )
    code = models.CharField(_("code"), max_length=64)
    order = models.PositiveIntegerField(_("order"))
    title = models.JSONField(_("title"), default=dict)
    weight = models.FloatField(_("weight"), default=1.0)
    target = models.FloatField(_("target"), default=100.0)
    aggregation = models.CharField(_("aggregation"), max_length=20, default="arithmetic")

    class Meta:
        ordering = ["framework", "order"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="unique_indicator_code")
        ]

    def __str__(self) -> str:
        return f"{self.framework} · {self.code}"


class Question(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="questions")
    pillar = models.ForeignKey(Pillar, on_delete=models.CASCADE, related_name="questions")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(_("code"), max_length=64)
    order = models.PositiveIntegerField(_("order"), help_text=_("Position in the questionnaire."))
    type = models.CharField(_("type"), max_length=20)
    text = models.JSONField(_("text"), default=dict)
    scored = models.BooleanField(_("scored"), default=True)
    required = models.BooleanField(_("required"), default=True)
    weight = models.FloatField(_("weight"), default=1.0)
    show_if = models.TextField(_("shown if"), blank=True)

    class Meta:
        ordering = ["framework", "order"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="unique_question_code")
        ]

    def __str__(self) -> str:
        return f"{self.framework} · {self.code}"

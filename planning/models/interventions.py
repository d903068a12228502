"""The intervention catalogue: the support a planner can recommend to close a country's gaps.

Each intervention belongs to one framework (by code, so it survives new framework versions whose
indicator codes are unchanged) and says which indicators or pillars it improves, by how many
score points, at what cost (USD) and over how many months. Rows are written by
``planning.services.catalogue_load`` (from a YAML or CSV file, see docs/intervention-catalogue.md)
or edited in the admin, whose form runs the same validation.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class InterventionKind(models.TextChoices):
    TRAINING_COURSE = "training_course", _("Training course")
    CENTRE_OF_EXCELLENCE = "centre_of_excellence", _("Centre-of-excellence programme")
    ADVISORY_MISSION = "advisory_mission", _("Advisory mission")
    POLICY_SUPPORT = "policy_support", _("Policy and regulatory support")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure programme")
    OTHER = "other", _("Other")


class DeliveryChannel(models.TextChoices):
    TRAINING_INSTITUTE = "training_institute", _("Training institute or academy")
    CENTRE_OF_EXCELLENCE = "centre_of_excellence", _("Centre of excellence")
    COUNTRY_PROGRAMME = "country_programme", _("Development-partner country programme")
    OTHER_PARTNER = "other_partner", _("Other partner")


class Intervention(models.Model):
    """One entry of the catalogue.

    ``targets`` maps indicator or pillar codes of the framework to the expected improvement in
    score points (0–100 scale). A pillar code means every indicator of the pillar improves by
    that many points, which raises an arithmetic pillar score by the same amount.
    """

    framework_code = models.SlugField(_("framework code"), max_length=64)
    code = models.CharField(_("code"), max_length=64)
    title = models.JSONField(_("title"), default=dict, help_text=_("Text per language code."))
    description = models.JSONField(_("description"), default=dict, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=InterventionKind.choices)
    channel = models.CharField(
        _("delivery channel"), max_length=24, choices=DeliveryChannel.choices
    )
    targets = models.JSONField(
        _("targets"),
        default=dict,
        help_text=_("Indicator or pillar code → expected improvement in score points."),
    )
    cost = models.DecimalField(
        _("cost (USD)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    duration_months = models.PositiveSmallIntegerField(_("duration (months)"))
    prerequisites = models.JSONField(
        _("prerequisites"),
        default=list,
        blank=True,
        help_text=_("Codes of interventions that must be funded first."),
    )
    exclusions = models.JSONField(
        _("exclusions"),
        default=list,
        blank=True,
        help_text=_("Codes of interventions that cannot be funded together with this one."),
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["framework_code", "code"]
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        constraints = [
            models.UniqueConstraint(
                fields=["framework_code", "code"], name="unique_intervention_code"
            ),
            models.CheckConstraint(
                condition=models.Q(cost__gt=0), name="intervention_cost_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.framework_code} · {self.code}"

    def clean(self) -> None:
        """Validate targets, prerequisites and exclusions against the framework (admin edits)."""
        from planning.catalogue import intervention_errors

        errors = intervention_errors(self)
        if errors:
            raise ValidationError(errors)

    def title_in(self, language: str) -> str:
        from surveys.frameworks.spec import translate

        return translate(self.title, language)

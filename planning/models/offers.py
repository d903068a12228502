"""The offer catalogue: providers of training and support, their offers, and demand rules.

Rows are written by ``planning.offers.offers_load`` (from a YAML or CSV file, see
docs/offers.md) or edited in the admin. The matching plan (``planning.matching``) reads them.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from surveys.models.countries import ItuRegion


class ProviderKind(models.TextChoices):
    ACADEMY_PARTNER = "academy_partner", _("ITU Academy partner")
    CENTRE_OF_EXCELLENCE = "centre_of_excellence", _("Centre of excellence")
    UNIVERSITY = "university", _("University")
    UN_AGENCY = "un_agency", _("UN agency")
    PRIVATE = "private", _("Private company")


class DeliveryMode(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")
    BLENDED = "blended", _("Blended")


class OfferLevel(models.TextChoices):
    INTRODUCTORY = "introductory", _("Introductory")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class Provider(models.Model):
    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=24, choices=ProviderKind.choices)
    country = models.ForeignKey(
        "surveys.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="providers",
        verbose_name=_("country"),
    )
    region = models.CharField(_("ITU region"), max_length=20, choices=ItuRegion.choices)
    languages = models.JSONField(_("languages"), default=list, help_text=_("ISO 639-1 codes."))
    sample = models.BooleanField(
        _("invented sample"),
        default=False,
        help_text=_("An invented provider of the demo catalogue, not a real institution."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("provider")
        verbose_name_plural = _("providers")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class Offer(models.Model):
    """One offer: seats per year on a topic, in languages and a mode, at a cost per participant.

    ``topics`` are indicator or pillar codes of the framework ``framework_code``; a pillar code
    covers each of its indicators.
    """

    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="offers", verbose_name=_("provider")
    )
    code = models.CharField(_("code"), max_length=64, unique=True)
    framework_code = models.SlugField(_("framework code"), max_length=64)
    title = models.JSONField(_("title"), default=dict, help_text=_("Text per language code."))
    topics = models.JSONField(_("topics"), default=list, help_text=_("Indicator or pillar codes."))
    mode = models.CharField(_("delivery mode"), max_length=12, choices=DeliveryMode.choices)
    languages = models.JSONField(_("languages"), default=list, help_text=_("ISO 639-1 codes."))
    seats = models.PositiveIntegerField(_("seats per year"))
    cost = models.DecimalField(
        _("cost per participant (USD)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    duration_days = models.PositiveSmallIntegerField(_("duration (days)"))
    level = models.CharField(_("level"), max_length=14, choices=OfferLevel.choices)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [
            models.CheckConstraint(condition=models.Q(cost__gte=0), name="offer_cost_not_negative")
        ]

    def __str__(self) -> str:
        return self.code

    def title_in(self, language: str) -> str:
        from surveys.frameworks.spec import translate

        return translate(self.title, language)

    def clean(self) -> None:
        """Topics and languages checked against the framework, as the loader does."""
        from planning.offers import offer_errors

        errors = offer_errors(self)
        if errors:
            raise ValidationError(errors)


class DemandRule(models.Model):
    """How a country's gaps become participants (docs/offers.md, "Demand")."""

    country = models.OneToOneField(
        "surveys.Country",
        on_delete=models.CASCADE,
        related_name="demand_rule",
        verbose_name=_("country"),
    )
    languages = models.JSONField(
        _("languages"),
        default=dict,
        help_text=_('Language code → share of participants, e.g. {"fr": 0.7, "en": 0.3}.'),
    )
    mode = models.CharField(
        _("delivery mode"), max_length=12, choices=DeliveryMode.choices, blank=True
    )
    participants_per_point = models.DecimalField(
        _("participants per gap point"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        verbose_name = _("demand rule")
        verbose_name_plural = _("demand rules")

    def __str__(self) -> str:
        return str(self.country)

"""Countries (ISO 3166-1 from pycountry) with their ITU, UN M49 and World Bank groupings."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItuRegion(models.TextChoices):
    AFRICA = "Africa", _("Africa")
    AMERICAS = "Americas", _("Americas")
    ARAB_STATES = "Arab States", _("Arab States")
    ASIA_PACIFIC = "Asia & Pacific", _("Asia & Pacific")
    CIS = "CIS", _("CIS")
    EUROPE = "Europe", _("Europe")


class IncomeGroup(models.TextChoices):
    LOW = "Low income", _("Low income")
    LOWER_MIDDLE = "Lower-middle income", _("Lower-middle income")
    UPPER_MIDDLE = "Upper-middle income", _("Upper-middle income")
    HIGH = "High income", _("High income")


class Country(models.Model):
    alpha3 = models.CharField(_("ISO alpha-3 code"), max_length=3, unique=True)
    alpha2 = models.CharField(_("ISO alpha-2 code"), max_length=2, unique=True)
    numeric = models.CharField(_("ISO numeric code"), max_length=3)
    name = models.CharField(_("name (English)"), max_length=120)
    itu_region = models.CharField(
        _("ITU region"), max_length=20, choices=ItuRegion.choices, blank=True, db_index=True
    )
    m49_region = models.CharField(_("UN M49 region"), max_length=40, blank=True)
    m49_subregion = models.CharField(_("UN M49 sub-region"), max_length=60, blank=True)
    income_group = models.CharField(
        _("World Bank income group"),
        max_length=30,
        choices=IncomeGroup.choices,
        blank=True,
        db_index=True,
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The country's name in the active language (pycountry's ISO 3166-1 translations)."""
        from surveys.countries import localized_country_name

        return localized_country_name(self.alpha3, self.name)

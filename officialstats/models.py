"""Official statistics: published sources (ITU IDI, …) and their values by economy.

A source is loaded as a whole from one statistics file (see ``docs/official-statistics.md``)
and read by the survey, the reviewers' view, the dashboards and the exports. Economies are
keyed by ISO 3166-1 alpha-3 so that a source can hold economies the platform has no
assessment for; a ``surveys.Country`` meets its economy through ``alpha3 == iso3``. This app
imports nothing from the platform's other apps, so every one of them may read it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class StatisticsSource(models.Model):
    """A published set of statistics, with what a reader needs to cite and reuse it."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    publisher = models.CharField(_("publisher"), max_length=200)
    edition = models.CharField(_("edition"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year of publication"))
    licence = models.CharField(_("licence"), max_length=300)
    attribution = models.TextField(_("attribution"))
    # A CharField: the loader checks the scheme, and a URLField form warns in the admin.
    url = models.CharField(_("URL"), max_length=500)
    loaded_at = models.DateTimeField(_("loaded"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("statistics source")
        verbose_name_plural = _("statistics sources")

    def __str__(self) -> str:
        return self.name


class SourceIndicator(models.Model):
    """One indicator of a source, in the unit its values are published in."""

    source = models.ForeignKey(
        StatisticsSource, on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=300)
    unit = models.CharField(_("unit"), max_length=64)

    class Meta:
        ordering = ["source", "code"]
        verbose_name = _("source indicator")
        verbose_name_plural = _("source indicators")
        constraints = [
            models.UniqueConstraint(fields=["source", "code"], name="one_indicator_code_per_source")
        ]

    def __str__(self) -> str:
        return f"{self.source.code}: {self.name} ({self.unit})"


class SourceEconomy(models.Model):
    """An economy as the source names and groups it (its region and income group)."""

    source = models.ForeignKey(StatisticsSource, on_delete=models.CASCADE, related_name="economies")
    iso3 = models.CharField(_("ISO alpha-3 code"), max_length=3)
    name = models.CharField(_("name"), max_length=200)
    region = models.CharField(_("region"), max_length=40, blank=True)
    income_group = models.CharField(_("income group"), max_length=40, blank=True)

    class Meta:
        ordering = ["source", "iso3"]
        verbose_name = _("source economy")
        verbose_name_plural = _("source economies")
        constraints = [
            models.UniqueConstraint(fields=["source", "iso3"], name="one_economy_per_source")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.iso3})"


class OfficialValue(models.Model):
    """One published value of an indicator for an economy and reference year."""

    indicator = models.ForeignKey(SourceIndicator, on_delete=models.CASCADE, related_name="values")
    economy = models.ForeignKey(SourceEconomy, on_delete=models.CASCADE, related_name="values")
    year = models.PositiveSmallIntegerField(_("reference year"))
    value = models.FloatField(_("value"))
    estimate = models.BooleanField(_("estimate by the publisher"), default=False)
    lagged = models.BooleanField(
        _("lagged"), default=False, help_text=_("An earlier year's value carried forward.")
    )

    class Meta:
        ordering = ["indicator", "economy", "-year"]
        verbose_name = _("official value")
        verbose_name_plural = _("official values")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "economy", "year"], name="one_official_value_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.economy.iso3} {self.indicator.code} {self.year}: {self.value:g}"

"""National statistics imported for quantitative questions (ITU, World Bank and other sources)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorStatistic(models.Model):
    """One published value of a quantitative question or indicator for a country and year.

    The scoring service uses it where an assessment has no answer to a scored number or
    percentage question: an answer of any status (including "don't know" and "not
    applicable") always wins, and among statistics the latest year not after the assessment's
    round is used. ``code`` is a question code, or an indicator code whose indicator has a
    single scored numeric question.
    """

    country = models.ForeignKey(
        "surveys.Country", on_delete=models.CASCADE, related_name="indicator_statistics"
    )
    framework_code = models.SlugField(
        _("framework code"), max_length=64, blank=True, help_text=_("Empty: any framework.")
    )
    code = models.CharField(_("question or indicator code"), max_length=64)
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.FloatField(_("value"))
    source = models.CharField(_("source"), max_length=200)
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        ordering = ["country", "code", "-year"]
        verbose_name = _("indicator statistic")
        verbose_name_plural = _("indicator statistics")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "code", "year"], name="one_statistic_per_country_code_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.year}: {self.value:g}"

"""Query-string forms of the dashboards and PDF downloads (validation only)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from surveys.models.countries import IncomeGroup, ItuRegion


class ReportOptionsForm(forms.Form):
    """``?lang=fr&round=2026`` of a PDF download or dashboard; both optional."""

    lang = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, required=False)
    round = forms.IntegerField(label=_("Round"), min_value=2000, max_value=2100, required=False)


class RegionalFilterForm(ReportOptionsForm):
    region = forms.ChoiceField(
        label=_("ITU region"), choices=[("", _("All regions")), *ItuRegion.choices], required=False
    )
    income_group = forms.ChoiceField(
        label=_("Income group"),
        choices=[("", _("All income groups")), *IncomeGroup.choices],
        required=False,
    )

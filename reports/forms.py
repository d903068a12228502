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


class ReportBatchForm(forms.Form):
    """A report batch: one round, some countries (none chosen: all), one or more languages."""

    round = forms.TypedChoiceField(label=_("Round"), coerce=int)
    countries = forms.MultipleChoiceField(
        label=_("Countries"),
        required=False,
        help_text=_("Leave empty for every country with scores in the round."),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=settings.LANGUAGES,
        initial=["en"],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: object, rounds: list[int], countries: list[tuple[str, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["round"].choices = [(value, value) for value in rounds]
        self.fields["countries"].choices = countries

"""The matching page's filters: round, region, topic, language, mode, budget, preference.

Every field is optional (a bare link shows the latest round's plan); the form validates and
cleans only, the service (planning.matching) applies the rules.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from planning.forms import MAX_BUDGET
from planning.models import DeliveryMode
from planning.offers import is_language
from surveys.models.countries import ItuRegion


class MatchingForm(forms.Form):
    framework = forms.ChoiceField(label=_("Framework"), required=False)
    round = forms.TypedChoiceField(label=_("Round"), coerce=int, required=False)
    region = forms.ChoiceField(
        label=_("ITU region"), choices=[("", _("All"))] + ItuRegion.choices, required=False
    )
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    language = forms.CharField(
        label=_("Language"),
        max_length=2,
        required=False,
        help_text=_("ISO 639-1 code, e.g. fr; empty for every language."),
    )
    mode = forms.ChoiceField(
        label=_("Delivery mode"), choices=[("", _("All"))] + DeliveryMode.choices, required=False
    )
    budget = forms.DecimalField(
        label=_("Budget per country (USD)"),
        min_value=0,
        max_value=MAX_BUDGET,
        decimal_places=2,
        required=False,
        help_text=_("Empty for no limit."),
    )
    same_region = forms.BooleanField(label=_("Prefer providers of the same region"), required=False)

    def __init__(
        self, data: Any, *, framework_codes: list[str], rounds: list[int], topics: list[tuple]
    ) -> None:
        super().__init__(data)
        self.fields["framework"].choices = [(code, code) for code in framework_codes]
        self.fields["round"].choices = [(r, r) for r in rounds]
        self.fields["topic"].choices = [("", _("All"))] + topics

    def clean_language(self) -> str:
        code = self.cleaned_data["language"].strip().lower()
        if code and not is_language(code):
            raise forms.ValidationError(_("Unknown language code."))
        return code

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("framework"):
            cleaned["framework"] = next(iter(self.fields["framework"].choices), ("", ""))[0]
        if not cleaned.get("round"):
            cleaned["round"] = next(iter(self.fields["round"].choices), (None, None))[0]
        return cleaned

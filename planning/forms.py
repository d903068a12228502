"""Planner page forms: criteria weights, portfolio constraints, demand and catalogue filters.

Every field is optional and falls back to its default, so a bare link (or a CSV export link)
shows the default ranking and portfolio; the forms validate and clean only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from planning.models import DeliveryChannel, InterventionKind
from planning.services import DEFAULT_CRITERIA_WEIGHTS
from surveys.models.countries import IncomeGroup, ItuRegion

DEFAULT_BUDGET = Decimal("1000000")
MAX_BUDGET = Decimal("1e12")
CRITERIA_LABELS = {
    "gap_size": _("Gap size"),
    "importance": _("Importance (effective weight)"),
    "urgency": _("Urgency"),
    "feasibility": _("Feasibility"),
}
METHOD_CHOICES = [("weighted_sum", _("Weighted sum")), ("topsis", _("TOPSIS"))]


class CountryPlanForm(forms.Form):
    """Criteria weights and method of the ranking, and the portfolio's budget and constraints."""

    method = forms.ChoiceField(label=_("Method"), choices=METHOD_CHOICES, required=False)
    budget = forms.DecimalField(
        label=_("Budget (USD)"),
        min_value=0,
        max_value=MAX_BUDGET,
        decimal_places=2,
        required=False,
        help_text=_("Total available for this country."),
    )
    horizon = forms.IntegerField(
        label=_("Time horizon (months)"),
        min_value=0,
        max_value=240,
        required=False,
        help_text=_("Leave empty for no limit; longer interventions are left out."),
    )

    def __init__(self, data: Any, *, pillars: list[tuple[str, str]]) -> None:
        super().__init__(data)
        self.pillars = pillars
        for name, default in DEFAULT_CRITERIA_WEIGHTS.items():
            self.fields[f"weight_{name}"] = forms.FloatField(
                label=CRITERIA_LABELS[name],
                min_value=0,
                max_value=100,
                required=False,
                widget=forms.NumberInput(
                    attrs={"step": "any", "placeholder": f"{default * 100:g}"}
                ),
            )
        for code, title in pillars:
            self.fields[f"minimum_{code}"] = forms.IntegerField(
                label=title, min_value=0, max_value=20, required=False
            )

    def weight_fields(self) -> list[forms.BoundField]:
        return [self[f"weight_{name}"] for name in DEFAULT_CRITERIA_WEIGHTS]

    def minimum_fields(self) -> list[forms.BoundField]:
        return [self[f"minimum_{code}"] for code, _title in self.pillars]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        weights = {}
        for name, default in DEFAULT_CRITERIA_WEIGHTS.items():
            value = cleaned.get(f"weight_{name}")
            weights[name] = default * 100 if value is None else value
        if not any(weights.values()):
            raise forms.ValidationError(_("At least one criteria weight must be above zero."))
        cleaned["weights"] = weights
        cleaned["method"] = cleaned.get("method") or "weighted_sum"
        if cleaned.get("budget") is None:
            cleaned["budget"] = DEFAULT_BUDGET
        cleaned["pillar_minimums"] = {
            code: cleaned[f"minimum_{code}"]
            for code, _title in self.pillars
            if cleaned.get(f"minimum_{code}")
        }
        return cleaned


class DemandFilterForm(forms.Form):
    framework = forms.ChoiceField(label=_("Framework"), required=False)
    region = forms.ChoiceField(
        label=_("ITU region"), choices=[("", _("All"))] + ItuRegion.choices, required=False
    )
    income_group = forms.ChoiceField(
        label=_("Income group"), choices=[("", _("All"))] + IncomeGroup.choices, required=False
    )
    budget = forms.DecimalField(
        label=_("Budget per country (USD)"),
        min_value=0,
        max_value=MAX_BUDGET,
        decimal_places=2,
        required=False,
    )
    horizon = forms.IntegerField(
        label=_("Time horizon (months)"), min_value=0, max_value=240, required=False
    )

    def __init__(self, data: Any, *, framework_codes: list[str]) -> None:
        super().__init__(data)
        self.fields["framework"].choices = [(code, code) for code in framework_codes]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("framework"):
            cleaned["framework"] = next(iter(self.fields["framework"].choices), ("", ""))[0]
        if cleaned.get("budget") is None:
            cleaned["budget"] = DEFAULT_BUDGET
        return cleaned


class CatalogueFilterForm(forms.Form):
    framework = forms.ChoiceField(label=_("Framework"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All"))] + InterventionKind.choices, required=False
    )
    channel = forms.ChoiceField(
        label=_("Delivery channel"),
        choices=[("", _("All"))] + DeliveryChannel.choices,
        required=False,
    )
    include_inactive = forms.BooleanField(label=_("Include inactive"), required=False)

    def __init__(self, data: Any, *, framework_codes: list[str]) -> None:
        super().__init__(data)
        self.fields["framework"].choices = [("", _("All"))] + [
            (code, code) for code in framework_codes
        ]

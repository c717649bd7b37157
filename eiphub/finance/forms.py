"""Project sheet, stage and verification forms (numbers in the user's locale)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from eiphub.web.numbers import LocaleFloatField, LocaleIntegerField, localize_model_number_fields

from .models import Project, Stage


class ProjectForm(forms.ModelForm):
    rate_pct = LocaleFloatField(
        label=gettext_lazy("Discount rate (%/year)"), min_value=0, max_value=100, initial=10
    )
    lifetime_years = LocaleIntegerField(
        label=gettext_lazy("Lifetime (years)"), min_value=1, max_value=60, initial=10
    )
    evidence = forms.MultipleChoiceField(
        label=gettext_lazy("Evidence documents available"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Project
        fields = [
            "title", "category", "park", "enterprise", "capex_vnd", "opex_vnd_per_year",
            "savings_vnd_per_year", "lifetime_years", "co2e_t_per_year", "resource_code",
            "quantity_per_year", "unit", "price_vnd_per_unit", "starts_on", "notes",
        ]  # fmt: skip
        labels = {
            "title": gettext_lazy("Title"),
            "category": gettext_lazy("Category"),
            "park": gettext_lazy("Park"),
            "enterprise": gettext_lazy("Enterprise"),
            "capex_vnd": gettext_lazy("Capital cost (VND)"),
            "opex_vnd_per_year": gettext_lazy("Operating cost (VND per year)"),
            "savings_vnd_per_year": gettext_lazy("Savings (VND per year)"),
            "co2e_t_per_year": gettext_lazy("Avoided emissions (tCO2e per year)"),
            "resource_code": gettext_lazy("Resource"),
            "quantity_per_year": gettext_lazy("Quantity per year"),
            "unit": gettext_lazy("Unit"),
            "price_vnd_per_unit": gettext_lazy("Price (VND per unit)"),
            "starts_on": gettext_lazy("Start of operation"),
            "notes": gettext_lazy("Notes"),
        }
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, parks=None, enterprises=None, evidence_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        localize_model_number_fields(self)
        if parks is not None:
            self.fields["park"].queryset = parks.order_by("code")
        if enterprises is not None:
            self.fields["enterprise"].queryset = enterprises.order_by("name_vi")
        self.fields["enterprise"].required = False
        self.fields["evidence"].choices = list(evidence_choices)
        if self.instance and self.instance.pk:
            self.initial.setdefault("rate_pct", round(self.instance.discount_rate * 100, 4))
            self.initial.setdefault("evidence", list(self.instance.evidence or []))

    def clean(self):
        data = super().clean()
        park, ent = data.get("park"), data.get("enterprise")
        if park and ent and ent.park_id != park.pk:
            self.add_error("enterprise", gettext_lazy("The enterprise is not in this park."))
        return data

    def save(self, commit=True):
        obj = super().save(commit=False)
        obj.discount_rate = self.cleaned_data["rate_pct"] / 100
        obj.evidence = list(self.cleaned_data.get("evidence") or [])
        if commit:
            obj.save()
        return obj


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=gettext_lazy("Move to"))
    on = forms.DateField(
        label=gettext_lazy("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (required when dropped)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, stages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [(s, Stage(s).label) for s in stages]


class VerifyForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Records checked"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SourceForm(forms.Form):
    """The record a new project sheet is drafted from, as posted back by the sheet's hidden
    ``from`` (match, agreement, measure, scenario) and ``id`` inputs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = forms.CharField(required=False, strip=False)  # a keyword
        self.fields["id"] = forms.CharField(required=False, strip=False)

    def source(self) -> tuple[str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("from", ""), data.get("id", "")

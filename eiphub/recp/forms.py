"""Measure form with one row per saved resource."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eiphub.core.catalogue import default_catalogue
from eiphub.core.units import UnitError
from eiphub.web.numbers import LocaleFloatField, localize_model_number_fields

from .models import Measure, Status

IMPLEMENTED = (Status.IMPLEMENTED, Status.VERIFIED)


class MeasureForm(forms.ModelForm):
    class Meta:
        model = Measure
        fields = [
            "enterprise", "title", "practice", "status", "identified_on", "implemented_on",
            "investment_vnd", "savings_vnd_per_year", "co2e_t_per_year", "assessed_by", "notes",
        ]  # fmt: skip
        labels = {
            "enterprise": gettext_lazy("Enterprise"),
            "title": gettext_lazy("Title"),
            "practice": gettext_lazy("RECP practice"),
            "status": gettext_lazy("Status"),
            "identified_on": gettext_lazy("Identified on"),
            "implemented_on": gettext_lazy("Implemented on"),
            "investment_vnd": gettext_lazy("Investment (VND)"),
            "savings_vnd_per_year": gettext_lazy("Savings (VND per year)"),
            "co2e_t_per_year": gettext_lazy("Avoided emissions (tCO2e per year)"),
            "assessed_by": gettext_lazy("Assessed by"),
            "notes": gettext_lazy("Notes"),
        }
        help_texts = {
            "co2e_t_per_year": gettext_lazy(
                "Leave empty to compute it from the resource savings and the emission factors."
            ),
        }
        widgets = {
            "identified_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "implemented_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, enterprises=None, **kwargs):
        super().__init__(*args, **kwargs)
        localize_model_number_fields(self)
        if enterprises is not None:
            self.fields["enterprise"].queryset = enterprises.select_related("park").order_by(
                "name_vi"
            )

    def clean(self):
        data = super().clean()
        status, done = data.get("status"), data.get("implemented_on")
        if status in IMPLEMENTED and not done:
            self.add_error(
                "implemented_on", _("An implemented or verified measure needs its date.")
            )
        ident = data.get("identified_on")
        if ident and done and done < ident:
            self.add_error("implemented_on", _("Implemented before it was identified."))
        for name in ("investment_vnd", "savings_vnd_per_year"):
            if data.get(name) is not None and data[name] < 0:
                self.add_error(name, _("Must not be negative."))
        return data


class SavingForm(forms.Form):
    resource = forms.CharField(
        label=gettext_lazy("Resource"),
        required=False,
        help_text=gettext_lazy("Code or name, e.g. energy.electricity.grid or “điện lưới”."),
    )
    quantity = LocaleFloatField(label=gettext_lazy("Saved per year"), required=False)
    unit = forms.CharField(
        label=gettext_lazy("Unit"),
        required=False,
        help_text=gettext_lazy("Empty = the resource's own unit."),
    )

    def clean(self):
        data = super().clean()
        text, qty = (data.get("resource") or "").strip(), data.get("quantity")
        if not text and qty is None:
            return data
        cat = default_catalogue()
        res = cat.resolve(text, unit=data.get("unit") or None)
        if res is None:
            self.add_error("resource", _("Unknown resource “%(text)s”.") % {"text": text})
            return data
        if res.is_group:
            self.add_error(
                "resource",
                _("“%(code)s” is a group; choose a specific resource.") % {"code": res.code},
            )
            return data
        if qty is None or qty <= 0:
            self.add_error("quantity", _("Enter a positive yearly saving."))
            return data
        unit = (data.get("unit") or "").strip() or res.unit
        try:
            data["canonical"] = cat.to_canonical(res.code, qty, unit)
        except UnitError:
            self.add_error(
                "unit",
                _(
                    "Unit “%(unit)s” cannot measure %(resource)s (expected a unit like %(expected)s)."
                )
                % {"unit": unit, "resource": res.name_vi, "expected": res.unit},
            )
            return data
        data["code"] = res.code
        return data


class BaseSavingFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            code = form.cleaned_data.get("code")
            if code in seen:
                raise forms.ValidationError(
                    _("%(code)s is listed twice; give one yearly saving per resource.")
                    % {"code": code}
                )
            if code:
                seen.add(code)

    def savings(self) -> dict[str, float]:
        """{resource code: saving per year in the catalogue unit}."""
        return {
            f.cleaned_data["code"]: round(f.cleaned_data["canonical"], 6)
            for f in self.forms
            if f.cleaned_data.get("code")
        }


SavingFormSet = forms.formset_factory(SavingForm, formset=BaseSavingFormSet, extra=3)


def saving_initial(measure: Measure | None) -> list[dict]:
    if measure is None:
        return []
    cat = default_catalogue()
    return [
        {"resource": code, "quantity": qty, "unit": cat[code].unit if code in cat else ""}
        for code, qty in (measure.savings or {}).items()
    ]

from django import forms
from django.utils.translation import gettext_lazy as _l

from eiphub.registry.models import Park, Province
from eiphub.web.numbers import LocaleFloatField, LocaleIntegerField

from .models import Objective
from .services import MAX_PARETO_POINTS, creatable_parks, creatable_provinces
from .studies import displaced_choices


class ScenarioForm(forms.Form):
    """A new scenario: scope ("park:<code>" or "province:<code>"), objective and options."""

    name = forms.CharField(label=_l("Name"), max_length=200)
    scope = forms.ChoiceField(label=_l("Park or province"))
    objective = forms.ChoiceField(label=_l("Objective"), choices=Objective.choices)
    carbon_price = LocaleFloatField(
        label=_l("Carbon price (VND per tCO2e)"),
        min_value=0,
        initial=0,
        required=False,
        help_text=_l("Used by the weighted objective: benefit + price × tCO2e avoided."),
    )
    fixed_cost = LocaleFloatField(
        label=_l("Fixed cost of an exchange (VND/yr)"),
        min_value=0,
        initial=20_000_000,
        help_text=_l("Contract, weighing and paperwork per exchange; annualised."),
    )
    max_distance_km = LocaleFloatField(
        label=_l("Maximum road distance (km)"), min_value=1, max_value=1000, initial=150
    )
    pareto_points = LocaleIntegerField(
        label=_l("Pareto points"),
        min_value=0,
        max_value=MAX_PARETO_POINTS,
        initial=5,
        help_text=_l("0 = no Pareto front; otherwise 2 or more points (ε-constraint)."),
    )
    sensitivity = forms.BooleanField(
        label=_l("Sensitivity to prices, distances and fixed costs"), required=False, initial=True
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        parks = [(f"park:{p.code}", f"{p.code} — {p.name_vi}") for p in creatable_parks(user)]
        provs = [(f"province:{p.code}", f"{p.name}") for p in creatable_provinces(user)]
        self.fields["scope"].choices = parks + provs

    def clean_pareto_points(self):
        n = self.cleaned_data["pareto_points"]
        if n == 1:
            raise forms.ValidationError(_l("A Pareto front needs at least 2 points."))
        return n

    def scope_objects(self):
        kind, code = self.cleaned_data["scope"].split(":", 1)
        if kind == "park":
            return Park.objects.get(code=code), None
        return None, Province.objects.get(code=code)


class WaterStudyForm(forms.Form):
    name = forms.CharField(label=_l("Name"), max_length=200, required=False)
    file = forms.FileField(
        label=_l("Limiting data (CSV)"),
        required=False,
        help_text=_l(
            "Columns: process, plant, load_kg_per_h, cin_max_ppm, cout_max_ppm. "
            "Empty: an illustrative default built from the park's largest water users."
        ),
    )
    inter_plant = forms.BooleanField(
        label=_l("Allow water exchange between plants"), required=False, initial=True
    )
    freshwater_ppm = LocaleFloatField(
        label=_l("Freshwater contaminant concentration (ppm)"), min_value=0, initial=0
    )


class HeatStudyForm(forms.Form):
    name = forms.CharField(label=_l("Name"), max_length=200, required=False)
    file = forms.FileField(
        label=_l("Heat sources and sinks (CSV)"),
        required=False,
        help_text=_l(
            "Columns: name, kind (source|sink), t_supply_c, t_target_c, duty_kw; optional "
            "plant, hours_per_year, emission_factor_t_per_mwh. Empty: an illustrative example."
        ),
    )
    dt_min = LocaleFloatField(label=_l("ΔTmin (K)"), min_value=0, max_value=200, initial=10)
    hours_per_year = LocaleFloatField(
        label=_l("Operating hours per year"), min_value=1, max_value=8784, initial=8000
    )
    displaced = forms.ChoiceField(label=_l("Recovered heat displaces"))
    efficiency = LocaleFloatField(
        label=_l("Efficiency of the displaced supply"),
        min_value=0.05,
        max_value=5,
        initial=0.85,
        help_text=_l("Boiler efficiency for fuels; 1 (or a heat pump's COP) for electricity."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["displaced"].choices = displaced_choices()


class ProposeLinkForm(forms.Form):
    """The link of a scenario to propose in the exchange workflow (its key, as the page
    posts it; the service resolves and refuses unknown keys)."""

    link = forms.CharField(required=False, strip=False)

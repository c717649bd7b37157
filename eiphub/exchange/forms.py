from django import forms
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from eiphub.core.catalogue import default_catalogue
from eiphub.core.quality import parse_quality, quality_text
from eiphub.core.units import UnitError
from eiphub.symbiosis.matching import parse_conditions
from eiphub.web.forms import PresenceField
from eiphub.web.numbers import LocaleFloatField, localize_model_number_fields

from .models import Listing


class ListingForm(forms.ModelForm):
    """Offer or want.  The resource is a catalogue code or free text (vi/en), resolved
    to the catalogue; quality is written as 'moisture_pct<=15; purity_pct>=95'."""

    resource = forms.CharField(
        label=_l("Resource"),
        max_length=255,
        help_text=_l("Catalogue code or a description in Vietnamese or English, e.g. “tro bay”."),
    )
    quality_spec = forms.CharField(
        label=_l("Quality specifications"),
        required=False,
        help_text=_l(
            "Offers: measured values, e.g. “moisture_pct=12; purity_pct=96”. "
            "Wants: limits, e.g. “moisture_pct<=15; purity_pct>=95”."
        ),
    )

    class Meta:
        model = Listing
        fields = [
            "kind",
            "resource",
            "quantity",
            "unit",
            "period",
            "recurring",
            "available_from",
            "available_to",
            "quality_spec",
            "temperature_c",
            "pressure_bar",
            "hazardous",
            "licence_required",
            "price_vnd_per_unit",
            "site",
            "disclosure",
            "status",
        ]
        widgets = {
            "available_from": forms.DateInput(attrs={"type": "date"}),
            "available_to": forms.DateInput(attrs={"type": "date"}),
        }
        labels = {
            "licence_required": _l("Licence (offers: the receiver needs; wants: you hold)"),
            "price_vnd_per_unit": _l("Indicative price, VND per unit (negative = disposal cost)"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        localize_model_number_fields(self)
        inst = self.instance
        if inst.pk:
            self.initial.setdefault("resource", inst.resource_code or inst.resource_text)
            self.initial.setdefault("quality_spec", quality_text(inst.quality))
        self.fields["resource"].widget.attrs.update(
            {
                "hx-get": reverse("exchange:resolve"),
                "hx-trigger": "input changed delay:400ms, change",
                "hx-target": "#resource-preview",
                "hx-include": "[name='unit']",
                "autocomplete": "off",
            }
        )
        self.resolved = None

    def clean(self):
        data = super().clean()
        text = (data.get("resource") or "").strip()
        res = default_catalogue().resolve(text, unit=data.get("unit") or None) if text else None
        self.resolved = res
        if res is not None and res.is_group:
            self.add_error(
                "resource", _("“%(name)s” is a group; be more specific.") % {"name": res.name_vi}
            )
        unit = data.get("unit")
        if res is not None and res.unit and unit:
            try:
                default_catalogue().to_canonical(res.code, 1.0, unit)
            except UnitError:
                self.add_error(
                    "unit",
                    _("Unit “%(unit)s” cannot measure %(resource)s (use a unit like %(expected)s).")
                    % {"unit": unit, "resource": res.name_vi, "expected": res.unit},
                )
        q = data.get("quantity")
        if q is not None and q <= 0:
            self.add_error("quantity", _("The quantity must be positive."))
        af, at = data.get("available_from"), data.get("available_to")
        if af and at and at < af:
            self.add_error("available_to", _("The end of availability is before its start."))
        try:
            data["quality"] = parse_quality(data.get("quality_spec", ""), data.get("kind"))
        except ValueError as exc:
            self.add_error(
                "quality_spec",
                _("Cannot read “%(part)s”; write e.g. “moisture_pct<=15”.")
                % {"part": getattr(exc, "part", str(exc))},
            )
        cond = parse_conditions(text)
        if data.get("temperature_c") is None and "temperature_c" in cond:
            data["temperature_c"] = cond["temperature_c"]
        if data.get("pressure_bar") is None and "pressure_bar" in cond:
            data["pressure_bar"] = cond["pressure_bar"]
        if res is not None and res.hazardous:
            data["hazardous"] = True
        if data.get("period") == Listing.Period.ONCE:
            data["recurring"] = False
        return data

    def save(self, commit=True):
        obj = super().save(commit=False)
        res = self.resolved
        obj.resource_text = self.cleaned_data["resource"].strip()
        obj.resource_code = res.code if res is not None else ""
        obj.quality = self.cleaned_data.get("quality") or {}
        obj.temperature_c = self.cleaned_data.get("temperature_c")
        obj.pressure_bar = self.cleaned_data.get("pressure_bar")
        obj.hazardous = self.cleaned_data.get("hazardous", False)
        obj.recurring = self.cleaned_data.get("recurring", True)
        if commit:
            obj.save()
        return obj


class AgreementForm(forms.Form):
    quantity_per_year = LocaleFloatField(label=_l("Quantity per year"), min_value=0.000001)
    price_vnd_per_unit = LocaleFloatField(
        label=_l("Price, VND per unit (negative = the supplier pays)"), required=False
    )
    starts_on = forms.DateField(
        label=_l("Starts on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_l("Ends on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(label=_l("Terms and notes"), required=False, widget=forms.Textarea)


class RecordForm(forms.Form):
    period = forms.DateField(
        label=_l("Month"),
        widget=forms.DateInput(attrs={"type": "month"}),
        input_formats=["%Y-%m", "%Y-%m-%d"],
    )
    quantity = LocaleFloatField(label=_l("Quantity exchanged"), min_value=0)


class InvestorForm(forms.Form):
    inputs = forms.CharField(
        label=_l("Expected inputs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_l(
            "One per line: resource; quantity per year (optional), e.g. “hơi nước; 5000”."
        ),
    )
    outputs = forms.CharField(
        label=_l("Expected outputs (wastes, by-products)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_l("One per line, e.g. “tro bay; 2000”."),
    )


class NoteForm(forms.Form):
    """A negotiation note on a match (scrubbed of contact details by the service)."""

    text = forms.CharField(required=False, strip=False)


class RunMatchingForm(forms.Form):
    """The park (code) whose matching is re-run."""

    park = forms.CharField(required=False, strip=False)


class EvidencePageForm(forms.Form):
    """Which of the evidence page's two forms was sent (the name of its submit button)."""

    evidence = PresenceField()
    upload = PresenceField()

    def sent(self, name) -> bool:
        return self.is_valid() and self.cleaned_data[name]

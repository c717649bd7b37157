import datetime as dt

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from eiphub.core.catalogue import default_catalogue

from .models import DataQuality, Direction, Fate, Origin


def resource_choices(lang: str | None = None):
    lang = lang or get_language() or "vi"
    cat = default_catalogue()
    return [(r.code, f"{r.name(lang)} [{r.unit}]") for r in cat.leaves()]


class FlowEntryForm(forms.Form):
    enterprise = forms.ModelChoiceField(queryset=None, label=_("Enterprise"))
    period = forms.DateField(
        label=_("Month"),
        input_formats=["%m/%Y", "%Y-%m", "%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.TextInput(attrs={"placeholder": "mm/yyyy"}),
    )
    resource_code = forms.ChoiceField(label=_("Resource"))
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    quantity = forms.DecimalField(label=_("Quantity"), min_value=0, max_digits=20, decimal_places=6)
    unit = forms.CharField(label=_("Unit"), max_length=20)
    origin = forms.ChoiceField(label=_("Origin (inputs)"), choices=Origin.choices, required=False)
    fate = forms.ChoiceField(label=_("Fate (outputs)"), choices=Fate.choices, required=False)
    data_quality = forms.ChoiceField(label=_("Data quality"), choices=DataQuality.choices)

    def __init__(self, *args, enterprises, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises
        self.fields["resource_code"].choices = resource_choices()

    def clean_period(self):
        value = self.cleaned_data["period"]
        value = value.replace(day=1)
        if value > dt.date.today().replace(day=1):
            raise forms.ValidationError(_("The month is in the future."))
        return value

"""Forms of issue 17 (licensed-handler directory, its import, trust records)."""

import os

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .handlers import STATE_LABELS


class HandlerSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Name, licence number or waste code"), required=False, max_length=100
    )
    state = forms.ChoiceField(
        label=gettext_lazy("Validity"),
        required=False,
        choices=[("", gettext_lazy("All")), *STATE_LABELS.items()],
    )


class HandlerImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Published list (.xlsx or .csv)"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if os.path.splitext(f.name)[1].lower() not in (".xlsx", ".xlsm", ".csv"):
            raise forms.ValidationError(_("Upload an Excel (.xlsx) or CSV (.csv) file."))
        return f


class ReviewForm(forms.Form):
    quantity_as_promised = forms.BooleanField(
        label=gettext_lazy("Quantities were as promised"), required=False
    )
    quality_as_promised = forms.BooleanField(
        label=gettext_lazy("Quality was as promised"), required=False
    )
    on_time = forms.BooleanField(label=gettext_lazy("Deliveries were on time"), required=False)
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

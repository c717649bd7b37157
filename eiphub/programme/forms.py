from django import forms
from django.utils.translation import gettext_lazy

from eiphub.exchange.services import parse_resource_lines


class ProspectForm(forms.Form):
    """A prospective investor's expected inputs and outputs (one per line, optional yearly
    quantity in the resource's unit, typed with the user's number convention)."""

    inputs = forms.CharField(
        label=gettext_lazy("Expected inputs"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "One per line: resource; quantity per year (optional), e.g. “hơi nước; 5000”."
        ),
    )
    outputs = forms.CharField(
        label=gettext_lazy("Expected outputs (wastes, by-products)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One per line, e.g. “tro bay; 2000”."),
    )

    def _lines(self, name):
        try:
            return parse_resource_lines(self.cleaned_data.get(name, ""))
        except ValueError as exc:
            raise forms.ValidationError(
                gettext_lazy("Cannot read the line “%(line)s”."), params={"line": str(exc)}
            ) from exc

    def clean_inputs(self):
        return self._lines("inputs")

    def clean_outputs(self):
        return self._lines("outputs")

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("inputs") and not data.get("outputs"):
            raise forms.ValidationError(gettext_lazy("Give at least one input or output."))
        return data

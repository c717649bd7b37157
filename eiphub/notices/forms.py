from django import forms
from django.utils.translation import gettext_lazy as _

from .events import PREFERENCE_EVENTS, label


class PreferencesForm(forms.Form):
    """Two check boxes per event: in the app, by e-mail."""

    def __init__(self, *args, current: dict[str, tuple[bool, bool]], **kw):
        super().__init__(*args, **kw)
        self.rows = []
        for event in PREFERENCE_EVENTS:
            in_app, email = current.get(event, (True, True))
            self.fields[f"{event}__app"] = forms.BooleanField(
                label=_("In the app"), required=False, initial=in_app
            )
            self.fields[f"{event}__mail"] = forms.BooleanField(
                label=_("By e-mail"), required=False, initial=email
            )
            self.rows.append((label(event), self[f"{event}__app"], self[f"{event}__mail"]))

    def values(self) -> dict[str, tuple[bool, bool]]:
        d = self.cleaned_data
        return {e: (d[f"{e}__app"], d[f"{e}__mail"]) for e in PREFERENCE_EVENTS}

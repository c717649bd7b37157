"""Forms of the flow pages' POSTs besides the monthly grid (``grid.GridForm``)."""

from __future__ import annotations

from django import forms

from eiphub.web.forms import PostedTextField


class EntryPageForm(forms.Form):
    """Which grid the entry page shows (enterprise id, month, from the query or the post)
    and, on a post, the resource row to add."""

    enterprise = PostedTextField()
    month = PostedTextField()
    add_resource = forms.CharField(required=False, strip=False)
    add_direction = forms.CharField(required=False, strip=False)


class ImportApplyForm(forms.Form):
    """Apply a previewed import, or ``cancel`` it (the cancel button's name)."""

    cancel = forms.CharField(required=False, strip=False)

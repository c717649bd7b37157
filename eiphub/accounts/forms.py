"""Forms of the account pages' POSTs (the login form is Django's AuthenticationForm)."""

from __future__ import annotations

from django import forms

from eiphub.web.forms import PostedTextField


class TokenForm(forms.Form):
    """Issue a token (its ``name``) or revoke one (``revoke`` = the token's id; None when no
    revoke button was pressed)."""

    name = forms.CharField(required=False, strip=False)
    revoke = PostedTextField()

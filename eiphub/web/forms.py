"""Form pieces shared by the apps' forms (issue 14: every POST is read through a form).

Views never read ``request.POST`` by hand (``tests/test_forms_for_post.py`` checks it);
these fields cover what a plain ``CharField`` cannot tell apart:

- :class:`PresenceField`: whether a name was posted at all (which submit button of a page
  with several forms was pressed, which rows of a grid the page sent);
- :class:`PostedTextField`: the text as posted, ``None`` when the name was not posted;
- :class:`VersionForm`: the ``version`` an edit page read (optimistic concurrency, issue 18).

Numbers go through :mod:`eiphub.web.numbers` (``LocaleDecimalField`` and friends).
"""

from __future__ import annotations

from django import forms


class PresenceInput(forms.HiddenInput):
    """Reads True when the field's name is in the posted data, whatever its value."""

    def value_from_datadict(self, data, files, name):
        return name in data

    def value_omitted_from_data(self, data, files, name):
        return False


class PresenceField(forms.BooleanField):
    """True when the name was posted (a submit button's name, a row the page sent)."""

    widget = PresenceInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        return bool(value)


class PostedTextField(forms.CharField):
    """Text as posted (not stripped unless ``strip=True``); ``None`` when not posted, where
    a ``CharField`` gives "" for both."""

    def __init__(self, *, strip=False, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(strip=strip, **kwargs)

    def to_python(self, value):
        if value is None:
            return None
        value = str(value)
        return value.strip() if self.strip else value


class VersionForm(forms.Form):
    """The ``version`` hidden input of an edit page (None when the client sent none or an
    empty one: the save is then last-write-wins, as ``claim_version`` documents)."""

    version = PostedTextField(strip=True)

    def read(self):
        return (self.cleaned_data.get("version") or None) if self.is_valid() else None

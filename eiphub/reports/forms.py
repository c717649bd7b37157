"""The forms behind every POST of the eco-criteria pages (issue 14).

Field names are the ones the templates post (``value-<code>``, ``justification-<code>``,
``comment-<code>`` ...). Numbers typed by users are read by the locale number fields
(:mod:`eiphub.web.numbers`): an ambiguous "1,234" in Vietnamese is refused, never read
as 1.234.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from eiphub.web.forms import PostedTextField
from eiphub.web.numbers import LocaleFloatField

YES_TEXTS = ("true", "yes", "1", "có")
TEXT_UNITS = ("yes/no", "document")


def _value_field(unit):
    """A number field for numeric units; the text as posted for yes/no and documents."""
    if unit in TEXT_UNITS:
        return PostedTextField(strip=True)
    return LocaleFloatField(required=False)


class _RowsForm(forms.Form):
    """A form with one ``value-<code>`` field per row; ``posted(code)`` says whether the page
    sent that row, ``raw(code)`` is the value as typed."""

    def posted(self, code) -> bool:
        return self[f"value-{code}"].data is not None

    def raw(self, code) -> str:
        return self[f"value-{code}"].data or ""

    def error(self, code):
        """The first error of the row's value, in the user's language (or None)."""
        errs = self.errors.get(f"value-{code}")
        return errs[0] if errs else None

    def value(self, code):
        return self.cleaned_data.get(f"value-{code}")


class DeclarationsForm(_RowsForm):
    """Declared facts of a subject and year: per code ``value-``, ``evidence-``, ``note-``
    and ``stamp-`` (the version token the page read, None when not sent)."""

    def __init__(self, *args, specs, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {}
        for code, unit, *_rest in specs:
            self.units[code] = unit
            self.fields[f"value-{code}"] = _value_field(unit)
            self.fields[f"evidence-{code}"] = forms.CharField(required=False)
            self.fields[f"note-{code}"] = forms.CharField(required=False)
            self.fields[f"stamp-{code}"] = PostedTextField()

    def declared(self, code):
        """The value to store: a bool for yes/no and documents (evidence given), a float or
        None otherwise."""
        unit = self.units[code]
        if unit == "document":
            return bool(self.cleaned_data.get(f"evidence-{code}"))
        value = self.value(code)
        if unit == "yes/no":
            return None if not value else value in YES_TEXTS
        return value

    def row(self, code):
        """(evidence, note, stamp) as posted for ``code``."""
        c = self.cleaned_data
        return c.get(f"evidence-{code}", ""), c.get(f"note-{code}", ""), c.get(f"stamp-{code}")


class ReportValuesForm(_RowsForm):
    """Edited values of an annual report: ``value-<code>`` and ``justification-<code>`` per
    row, the ``version`` the page read, and ``intent`` ("submit" saves then confirms)."""

    version = PostedTextField(strip=True)
    intent = forms.CharField(required=False, strip=False)

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {}
        for code, row in rows.items():
            self.units[code] = row["unit"]
            self.fields[f"value-{code}"] = _value_field(row["unit"])
            self.fields[f"justification-{code}"] = forms.CharField(required=False, strip=False)

    def raw(self, code) -> str:
        return super().raw(code).strip()

    def justification(self, code) -> str:
        return self.cleaned_data.get(f"justification-{code}", "")

    def new_value(self, code):
        """None for an emptied value, a bool for yes/no, a float for numbers, text else."""
        value = self.value(code)
        if value in (None, ""):
            return None
        if self.units[code] == "yes/no":
            return value in YES_TEXTS
        return value


class ReviewForm(forms.Form):
    """A transition of a report: the ``action`` button, the board's general comment and
    comments per indicator (``comment-<code>``), the ``stamp`` of the confirmation page and
    the ``version`` the page read."""

    action = forms.CharField(required=False, strip=False)
    comment = forms.CharField(required=False, max_length=4000)
    stamp = PostedTextField()
    version = PostedTextField(strip=True)

    def __init__(self, *args, codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.codes = list(codes)
        for code in self.codes:
            self.fields[f"comment-{code}"] = forms.CharField(required=False, strip=False)

    def indicator_comments(self) -> dict:
        c = self.cleaned_data
        return {code: c[f"comment-{code}"][:4000] for code in self.codes if c[f"comment-{code}"]}


class ReportCreateForm(forms.Form):
    """A new annual report: its kind, year and subject (``park`` code or ``enterprise`` id)."""

    kind = forms.CharField(required=False, strip=False)
    year = PostedTextField()
    park = forms.CharField(required=False, strip=False)
    enterprise = forms.CharField(required=False, strip=False)


class TargetForm(forms.Form):
    """A context target of a park (or ``delete`` = the id of one to remove)."""

    delete = forms.CharField(required=False, strip=False)
    pack_id = PostedTextField()
    code = forms.CharField(required=False, strip=False)
    threshold = LocaleFloatField(required=False, label=gettext_lazy("Threshold"))
    comparison = forms.CharField(required=False, strip=False)
    rationale = forms.CharField(required=False)


class DocumentForm(forms.Form):
    """Which generated document to queue: format and language."""

    fmt = forms.CharField(required=False, strip=False)
    lang = forms.CharField(required=False, strip=False)


class EvidenceForm(forms.Form):
    code = forms.CharField(max_length=40)
    file = forms.FileField(label=gettext_lazy("Evidence file"))

"""Locale numbers in forms: the form fields and the phrasing of the core parser's errors.

Every numeric form field of the platform is a :class:`LocaleDecimalField` or a
:class:`LocaleFloatField`: a text box with ``inputmode="decimal"`` whose value is
read by :func:`eiphub.core.numbers.parse_number` in the active language, and
rendered back with :func:`eiphub.core.numbers.format_input`.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import translation
from django.utils.translation import gettext as _

from eiphub.core.numbers import NumberError, format_input, parse_number


def active_lang() -> str:
    return "vi" if (translation.get_language() or "vi").startswith("vi") else "en"


def number_message(exc: NumberError, lang: str | None = None) -> str:
    """The user's-language message for a NumberError (the readings in that language)."""
    lang = lang or active_lang()
    if exc.code == "ambiguous":
        a, b = (format_input(r, lang) for r in exc.readings)
        return _(
            "“%(text)s” can be read two ways: %(a)s or %(b)s. Write it without doubt, "
            "e.g. %(b)s or %(a)s."
        ) % {"text": exc.text, "a": a, "b": b}
    if exc.code == "empty":
        return _("A number is required.")
    return _("“%(value)s” is not a number.") % {"value": exc.text}


def parse_user_number(value, lang: str | None = None) -> Decimal:
    """parse_number in the active language, raising a phrased forms.ValidationError."""
    lang = lang or active_lang()
    try:
        return parse_number(value, lang)
    except NumberError as exc:
        raise forms.ValidationError(number_message(exc, lang), code=exc.code) from None


class LocaleNumberInput(forms.TextInput):
    """type=text (never type=number, which ignores the locale), inputmode=decimal."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return format_input(Decimal(repr(value)) if isinstance(value, float) else value,
                                active_lang())  # fmt: skip
        return str(value)  # what the user typed, redisplayed as typed


class LocaleDecimalField(forms.DecimalField):
    widget = LocaleNumberInput

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        return parse_user_number(value)

    def widget_attrs(self, widget):
        return {}  # no min/max/step attributes: they would be localised and block submission


class LocaleFloatField(forms.FloatField):
    widget = LocaleNumberInput

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        return float(parse_user_number(value))

    def widget_attrs(self, widget):
        return {}


class LocaleIntegerField(forms.IntegerField):
    widget = LocaleNumberInput

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        d = parse_user_number(value)
        if d != d.to_integral_value():
            raise forms.ValidationError(_("Enter a whole number."), code="invalid")
        return int(d)

    def widget_attrs(self, widget):
        return {}


def localize_model_number_fields(form) -> None:
    """Swap a ModelForm's Decimal/Float fields for the locale fields (keeps label, bounds...)."""
    for name, field in list(form.fields.items()):
        if isinstance(field, LocaleDecimalField | LocaleFloatField):
            continue
        kwargs = {
            "required": field.required,
            "label": field.label,
            "help_text": field.help_text,
            "initial": field.initial,
            "min_value": getattr(field, "min_value", None),
            "max_value": getattr(field, "max_value", None),
        }
        if isinstance(field, forms.DecimalField):
            new = LocaleDecimalField(
                max_digits=field.max_digits, decimal_places=field.decimal_places, **kwargs
            )
        elif isinstance(field, forms.FloatField):
            new = LocaleFloatField(**kwargs)
        else:
            continue
        form.fields[name] = new


def number_text(value, decimals=None) -> str:
    """A number for display in the active locale, for Python code that builds text (the
    same result as the ``num`` template filter, which stays the one implementation)."""
    from eiphub.web.templatetags.eip import num

    return num(value, decimals)


def vnd_compact_text(value, *args) -> str:
    """A VND amount in compact words for display ("1,2 tỷ ₫"), as the ``vnd_compact`` filter."""
    from eiphub.web.templatetags.eip import vnd_compact

    return vnd_compact(value, *args)

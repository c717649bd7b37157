"""Template filters and tags shared by every EIP Hub page (``{% load eip %}``).

Numbers follow the active language through ``django.utils.formats`` and the project's
format modules (vi: 1.234,5; en: 1,234.5). Missing values render as an em dash.
"""

import datetime
import json
import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import formats
from django.utils.functional import Promise
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext as _

register = template.Library()

MISSING = "—"
AUTO_MAX_DECIMALS = 2

# Status codes used by the criteria engine (meets ...) and the report workflow (draft ...).
STATUS_LABELS = {
    "meets": pgettext_lazy("status", "Meets"),
    "not_met": pgettext_lazy("status", "Not met"),
    "insufficient_data": pgettext_lazy("status", "Insufficient data"),
    "declared": pgettext_lazy("status", "Declared"),
    "not_applicable": pgettext_lazy("status", "Not applicable"),
    "draft": pgettext_lazy("status", "Draft"),
    "submitted": pgettext_lazy("status", "Submitted"),
    "accepted": pgettext_lazy("status", "Accepted"),
    "returned": pgettext_lazy("status", "Returned"),
    "approval": pgettext_lazy("status", "Awaiting approval"),
    "declared_with_evidence": pgettext_lazy("status", "Declared with evidence"),
    "declared_without_evidence": pgettext_lazy("status", "Declared without evidence"),
    "reported": pgettext_lazy("status", "Reported"),
    "incomplete": pgettext_lazy("status", "Incomplete"),
    "identified": pgettext_lazy("status", "Identified"),
    "interested": pgettext_lazy("status", "Interest expressed"),
    "negotiating": pgettext_lazy("status", "Negotiating"),
    "agreed": pgettext_lazy("status", "Agreed"),
    "declined": pgettext_lazy("status", "Declined"),
    "proposed": pgettext_lazy("status", "Proposed"),
    "operating": pgettext_lazy("status", "Operating"),
    "ended": pgettext_lazy("status", "Ended"),
}
# Statuses drawn with the colour of a related one.
STATUS_CSS = {
    "declared_with_evidence": "declared",
    "declared_without_evidence": "insufficient_data",
    "reported": "declared",
    "incomplete": "insufficient_data",
    "identified": "draft",
    "interested": "submitted",
    "negotiating": "submitted",
    "agreed": "accepted",
    "declined": "returned",
    "proposed": "submitted",
    "approval": "submitted",
    "operating": "meets",
    "ended": "not_applicable",
}


def _to_decimal(value):
    """Return a finite Decimal for value, or None when it is missing or not a number."""
    if value is None or isinstance(value, bool) or (isinstance(value, str) and value == ""):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalar -> Python number
        if isinstance(value, bool):
            return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        value = repr(value)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _format(number: Decimal, decimals: int) -> str:
    quantized = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if quantized.is_zero():
        quantized = abs(quantized)  # never print "-0,0"
    return formats.number_format(quantized, decimals, use_l10n=True, force_grouping=True)


def _places(decimals, default: int) -> int:
    """Decimal places from a filter argument; None or "" means the default."""
    return default if decimals in (None, "") else int(decimals)


def _auto_decimals(number: Decimal) -> int:
    """Fewest decimals (at most AUTO_MAX_DECIMALS) that show number after rounding."""
    rounded = number.quantize(Decimal(1).scaleb(-AUTO_MAX_DECIMALS), rounding=ROUND_HALF_UP)
    exponent = rounded.normalize().as_tuple().exponent
    return max(0, -exponent)


@register.filter
def num(value, decimals=None):
    """Locale-aware number: ``{{ x|num:1 }}`` gives "1.234,5" (vi) or "1,234.5" (en).

    Without an argument, integers show no decimals and other numbers up to two,
    trailing zeros dropped. None, "" and non-numbers give "—".
    """
    number = _to_decimal(value)
    if number is None:
        return MISSING
    places = _places(decimals, _auto_decimals(number))
    return _format(number, places)


@register.filter
def vnd(value):
    """Whole VND amount: "1.234.567 ₫" (vi) or "1,234,567 VND" (en)."""
    number = _to_decimal(value)
    if number is None:
        return MISSING
    amount = _format(number, 0)
    return f"{amount} ₫" if _is_vi() else f"{amount} VND"


_COMPACT_SCALES = (
    (Decimal(10) ** 12, pgettext_lazy("VND amount scale", "trillion")),
    (Decimal(10) ** 9, pgettext_lazy("VND amount scale", "billion")),
    (Decimal(10) ** 6, pgettext_lazy("VND amount scale", "million")),
    (Decimal(10) ** 3, pgettext_lazy("VND amount scale", "thousand")),
)


@register.filter
def vnd_compact(value, decimals=1):
    """Compact VND amount: 76e9 gives "76,0 tỷ VND" (vi) or "76.0 billion VND" (en)."""
    number = _to_decimal(value)
    if number is None:
        return MISSING
    places = _places(decimals, 1)
    for scale, word in _COMPACT_SCALES:
        if abs(number) >= scale:
            return f"{_format(number / scale, places)} {word} VND"
    return f"{_format(number, 0)} VND"


@register.filter
def pct(value, decimals=1):
    """Fraction as a percentage: 0.2 gives "20,0 %" (vi) or "20.0%" (en)."""
    number = _to_decimal(value)
    if number is None:
        return MISSING
    text = _format(number * 100, _places(decimals, 1))
    return f"{text} %" if _is_vi() else f"{text}%"


def _is_vi() -> bool:
    return (get_language() or "").split("-")[0] == "vi"


def _jsonable(value):
    """Plain JSON data for a chart spec: Decimals to floats, NaN/inf to null, lazy text to str."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float | Decimal):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    raise TypeError(f"chart_spec cannot encode {type(value).__name__}: {value!r}")


def chart_json(spec) -> str:
    """JSON text of a chart spec (see static/eiphub/app.js for the format)."""
    return json.dumps(_jsonable(spec), ensure_ascii=False, allow_nan=False)


@register.filter
def chart_spec(spec):
    """Chart spec dict as HTML-escaped JSON for a ``data-chart="..."`` attribute."""
    return mark_safe(escape(chart_json(spec)))


def status_label(code) -> str:
    """Translated label of a status code; unknown codes are shown as they are."""
    label = STATUS_LABELS.get(str(code))
    return str(label) if label is not None else str(code)


@register.simple_tag
def status_badge(code):
    """``{% status_badge "meets" %}`` renders a coloured, translated badge."""
    if code in (None, ""):
        return format_html('<span class="badge badge--none">{}</span>', _("No status"))
    css = STATUS_CSS.get(str(code), str(code)) if str(code) in STATUS_LABELS else "unknown"
    return format_html(
        '<span class="badge badge--{}" data-status="{}">{}</span>',
        css,
        code,
        status_label(code),
    )


@register.simple_tag
def app_version():
    """The running EIP Hub version, for the footer."""
    from eiphub import __version__

    return __version__


@register.filter
def resource_name(code):
    """Catalogue name of a resource code in the active language (the code if unknown)."""
    from eiphub.core.catalogue import default_catalogue

    return default_catalogue().label(str(code), get_language() or "vi")


@register.filter
def input_num(value):
    """A number for an input box in the user's language, read back exactly by the parser
    (``eiphub.core.numbers``); empty for None; other values unchanged."""
    from eiphub.core.numbers import format_input
    from eiphub.web.numbers import active_lang

    if value is None or value == "" or isinstance(value, bool):
        return "" if value is None else value
    if isinstance(value, int | float | Decimal):
        if isinstance(value, float) and not math.isfinite(value):
            return ""
        return format_input(Decimal(repr(value)) if isinstance(value, float) else value,
                            active_lang())  # fmt: skip
    return value

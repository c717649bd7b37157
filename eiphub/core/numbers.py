"""The platform's one number parser and formatter: Vietnamese 1.234,5 and English 1,234.5.

``parse_number(text, lang)`` reads a number as a user of that language types it.
Input whose meaning depends on the convention ("1,234" in Vietnamese is 1.234 or
one thousand two hundred and thirty-four; "1.234" in English likewise) is refused
with a :class:`NumberError` carrying both readings; the web layer phrases it.
Unambiguous input in the other convention ("1.234,5" typed in English) is read.

``format_number`` formats for text; ``format_input`` formats a value to put back
into an input box so that parsing it again gives the same value.
No Django here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

SEPARATORS = {"vi": (",", "."), "en": (".", ",")}  # language -> (decimal, grouping)
_SPACES = re.compile(r"[\s\u00a0\u202f_']")
_GROUPED = re.compile(r"\d{1,3}(?:X\d{3})+")


@dataclass
class NumberError(ValueError):
    """``code``: "empty", "invalid", "ambiguous"; ``readings`` for ambiguous input."""

    code: str
    text: str
    readings: tuple[Decimal, ...] = ()

    def __str__(self) -> str:  # English, for logs and the CLI
        if self.code == "ambiguous":
            a, b = self.readings
            return f"“{self.text}” is ambiguous: {a} or {b}"
        if self.code == "empty":
            return "A number is required."
        return f"“{self.text}” is not a number."


def _seps(lang: str | None) -> tuple[str, str]:
    return SEPARATORS["vi" if (lang or "vi").lower().startswith("vi") else "en"]


def _grouped(int_part: str, group: str) -> bool:
    return bool(_GROUPED.fullmatch(int_part.replace(group, "X")))


def _decimal(text: str, original: str) -> Decimal:
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise NumberError("invalid", original) from None
    if not d.is_finite():
        raise NumberError("invalid", original)
    return d


def parse_number(value, lang: str | None = "vi") -> Decimal:
    """The Decimal a user of ``lang`` meant by ``value`` (str, int, float or Decimal)."""
    if isinstance(value, bool):
        raise NumberError("invalid", str(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise NumberError("invalid", str(value))
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return _decimal(repr(value), repr(value))
    original = "" if value is None else str(value)
    if original.isdigit() and original.isascii():  # the common case, fast
        return Decimal(original)
    s = _SPACES.sub("", original).replace("\u2212", "-")
    if not s:
        raise NumberError("empty", original)
    sign = ""
    if s[0] in "+-":
        sign, s = ("-" if s[0] == "-" else ""), s[1:]
    if not s or s[0] in "+-":
        raise NumberError("invalid", original)
    dec, group = _seps(lang)
    has_dot, has_comma = "." in s, "," in s
    if not has_dot and not has_comma:
        if not re.fullmatch(r"\d+(?:[eE][+-]?\d+)?", s):
            raise NumberError("invalid", original)
        return _decimal(sign + s, original)
    if has_dot and has_comma:
        last = max(s.rfind("."), s.rfind(","))
        d_sep = s[last]
        g_sep = "," if d_sep == "." else "."
        int_part, frac = s[:last], s[last + 1 :]
        if d_sep in int_part or not frac.isdigit() or not _grouped(int_part, g_sep):
            raise NumberError("invalid", original)
        return _decimal(f"{sign}{int_part.replace(g_sep, '')}.{frac}", original)
    sep = "." if has_dot else ","
    parts = s.split(sep)
    if not all(p.isdigit() for p in parts[1:]) or not (parts[0].isdigit() or parts[0] == ""):
        raise NumberError("invalid", original)
    if len(parts) > 2:  # 1.234.567: grouping only
        if not _grouped(s, sep):
            raise NumberError("invalid", original)
        return _decimal(sign + s.replace(sep, ""), original)
    int_part, frac = parts
    as_decimal = _decimal(f"{sign}{int_part or '0'}.{frac}", original)
    looks_grouped = len(frac) == 3 and int_part != "" and _grouped(s, sep) and int_part != "0"
    if not looks_grouped:
        return as_decimal  # only one reading: "120,5", "1.5", "0,125", ",5"
    as_grouped = _decimal(sign + int_part + frac, original)
    if sep == group:
        return as_grouped  # the language's own grouping: vi "1.234" = 1234
    raise NumberError("ambiguous", original, (as_decimal, as_grouped))


def format_number(value: float, lang: str = "vi", decimals: int = 1, trim: bool = True) -> str:
    """Format with thousands grouping; ``trim`` drops a zero fraction (76,0 -> 76)."""
    text = f"{value:,.{decimals}f}"
    if trim and decimals and "." in text:
        text = text.rstrip("0").rstrip(".")
    if lang.startswith("vi"):
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def format_input(value, lang: str = "vi") -> str:
    """A value for an input box in ``lang``, exact and read back identically by parse_number."""
    if value is None or value == "":
        return ""
    d = value if isinstance(value, Decimal) else parse_number(value, "en")
    d = d.normalize() if d == d.to_integral_value() else d
    if d == d.to_integral_value():
        d = d.quantize(Decimal(1))
    text = format(d, "f")
    neg = text.startswith("-")
    int_part, _, frac = text.lstrip("-").partition(".")
    frac = frac.rstrip("0")
    dec, group = _seps(lang)
    grouped = f"{int(int_part):,}".replace(",", group)
    if frac and len(frac) == 3 and int(int_part) < 1000 and int(int_part) != 0:
        frac += "0"  # "1,234" in vi would read as ambiguous: write "1,2340"
    out = grouped + (dec + frac if frac else "")
    return ("-" if neg else "") + out

"""Contact details out of negotiation messages sent before identities are revealed.

:func:`redact` removes from a free text what would tell the other side who the
sender is: e-mail addresses, web addresses, Vietnamese phone numbers (mobile
and landline, national ``0…`` or international ``+84``/``0084``, with spaces,
dots, dashes or the area code in brackets), tax codes (mã số thuế: 10 digits,
or 13 with the branch suffix ``-001``) and the firm's own names and address
(matched without regard to case or Vietnamese diacritics, also without the
legal-form words "Công ty TNHH", "JSC", ...).  Every removal is reported (kind
and the removed text) so that the sender can be told what was removed.

Pure: no Django; the exchange calls it for every message written before both
sides accepted (eiphub.exchange.negotiation).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MARK = "[…]"
EMAIL, URL, PHONE, TAX_CODE, NAME, ADDRESS = "email", "url", "phone", "tax_code", "name", "address"
KINDS = (EMAIL, URL, PHONE, TAX_CODE, NAME, ADDRESS)

_EMAIL = re.compile(
    r"[A-Za-z0-9._%+\-]+\s*(?:@|\(at\)|\[at\]|\s+at\s+)\s*[A-Za-z0-9\-]+"
    r"(?:\s*(?:\.|\(dot\)|\[dot\])\s*[A-Za-z0-9\-]+)*\s*(?:\.|\(dot\)|\[dot\])\s*[A-Za-z]{2,}",
    re.IGNORECASE,
)
_TLDS = "vn|com|net|org|biz|info|io|co|me|asia|edu|gov|xyz|site|online|store"
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"]+"
    rf"|\b[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*\.(?:{_TLDS})\b(?:/[^\s<>\"]*)?",
    re.IGNORECASE,
)
# a tax code named as such: "MST: 0301234567", "mã số thuế 0301234567-001", "tax code ..."
_TAX_NAMED = re.compile(
    r"(?:\bmst\b|m[ãa]\s*s[ốo]\s*thu[ếe]|\btax\s*(?:code|id|no\.?|number)|\bTIN\b)"
    r"\s*[:.#]?\s*(\d[\d\s.\-]{8,16}\d)",
    re.IGNORECASE,
)
_PHONE = re.compile(
    r"(?<![\w+.,])(?:"
    r"\(?(?:\+|00)\s?84\)?[\s.\-]?(?:\(0\)\s?)?"  # +84 / 0084 / (+84), optional (0)
    r"|\(?0"  # national trunk prefix, area code maybe in brackets
    r"|84[\s.\-]?(?=[35789]\d)"  # 84 followed by a mobile prefix
    r")\d{1,3}\)?(?:[\s.\-]?\d){6,8}(?!\d)"
)
_TAX = re.compile(r"(?<![\d.,])(?!00)\d{10}(?:\s?-\s?\d{3}|\d{3})?(?![\d,]|\.\d)")
_MOBILE_OR_LANDLINE = re.compile(r"0[235789]\d{8}")
_LEGAL_FORMS = (
    "cong ty trach nhiem huu han",
    "cong ty co phan",
    "cong ty tnhh mtv",
    "cong ty tnhh",
    "cong ty cp",
    "cong ty",
    "ctcp",
    "cty tnhh",
    "cty cp",
    "cty",
    "tnhh",
    "co ltd",
    "company limited",
    "joint stock company",
    "jsc",
    "ltd",
    "inc",
    "corporation",
    "corp",
    "minh hoa",
    "illustrative",
)


@dataclass(frozen=True)
class Removed:
    kind: str
    text: str


@dataclass(frozen=True)
class Redaction:
    text: str
    removed: tuple[Removed, ...] = ()

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds removed, each once, in :data:`KINDS` order."""
        found = {r.kind for r in self.removed}
        return tuple(k for k in KINDS if k in found)

    @property
    def changed(self) -> bool:
        return bool(self.removed)


def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if unicodedata.category(c) != "Mn")
    base = base.lower()
    return base[:1] if len(base) == 1 else ch.lower()[:1] or " "


def _folded(text: str) -> str:
    """The text folded character by character (same length): positions map 1:1."""
    return "".join(_fold_char(c) if c.isalpha() else (c if not c.isspace() else " ") for c in text)


def _plain(text: str) -> str:
    """A phrase reduced to folded words (for the name terms)."""
    out = _folded(text or "")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", out).split())


def name_terms(names) -> list[str]:
    """Folded phrases naming a firm: each full name and the name without its legal form
    ('Công ty TNHH Nhựa Bình Minh' -> 'nhua binh minh'); terms shorter than 4
    characters are dropped (they would remove ordinary words)."""
    out = set()
    for name in names:
        full = _plain(name)
        if not full:
            continue
        out.add(full)
        core = f" {full} "
        for form in _LEGAL_FORMS:
            core = core.replace(f" {form} ", " ")
        core = " ".join(core.split())
        if core:
            out.add(core)
    return sorted((t for t in out if len(t) >= 4), key=len, reverse=True)


def _term_regex(term: str) -> re.Pattern:
    words = [re.escape(w) for w in term.split()]
    return re.compile(r"(?<![a-z0-9])" + r"[\W_]+".join(words) + r"(?![a-z0-9])")


def redact(text: str, names=(), addresses=()) -> Redaction:
    """``text`` without contact details, tax codes and the firm's ``names`` and
    ``addresses``; each removed piece replaced by :data:`MARK` and reported."""
    text = str(text or "")
    removed: list[Removed] = []

    def sub(rx: re.Pattern, kind, source: str, group: int = 0) -> str:
        parts, last = [], 0
        for m in rx.finditer(source):
            start, end = m.span(group)
            k = kind(m.group(group)) if callable(kind) else kind
            if k is None:
                continue
            parts.append(source[last:start])
            parts.append(MARK)
            removed.append(Removed(k, source[start:end]))
            last = end
        parts.append(source[last:])
        return "".join(parts)

    text = sub(_EMAIL, EMAIL, text)
    text = sub(_URL, URL, text)
    text = sub(_TAX_NAMED, TAX_CODE, text, group=1)

    def phone_or_tax(found: str):
        digits = re.sub(r"\D", "", found)
        if (
            found.strip().isdigit()
            and len(digits) == 10
            and not _MOBILE_OR_LANDLINE.fullmatch(digits)
        ):
            return TAX_CODE  # ten plain digits that no Vietnamese phone number starts like
        return PHONE

    text = sub(_TAX, lambda s: TAX_CODE if len(re.sub(r"\D", "", s)) == 13 else None, text)
    text = sub(_PHONE, phone_or_tax, text)
    text = sub(_TAX, TAX_CODE, text)
    for kind, terms in ((NAME, name_terms(names)), (ADDRESS, name_terms(addresses))):
        for term in terms:
            rx = _term_regex(term)
            folded = _folded(text)
            parts, last = [], 0
            for m in rx.finditer(folded):
                parts.append(text[last : m.start()])
                parts.append(MARK)
                removed.append(Removed(kind, text[m.start() : m.end()]))
                last = m.end()
            parts.append(text[last:])
            text = "".join(parts)
    return Redaction(text=text, removed=tuple(removed))

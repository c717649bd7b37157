"""Licences of waste receivers: one normalisation, read from a column or from free text.

The matcher names licences by code (``hazardous_waste`` for a hazardous-waste
treatment licence, Vietnamese *giấy phép xử lý chất thải nguy hại / CTNH*;
``environmental`` for an environmental licence, *giấy phép môi trường*).
Anything else is kept as its folded words joined by ``_``.

Who needs a hazardous-waste licence is decided here too
(:func:`needs_hazardous_licence`): only wastes and by-products that are
hazardous (flagged by the firm or by the catalogue).  Commodity chemicals
(acids, solvents, lubricants bought as inputs) are hazardous goods, not
hazardous waste.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .catalogue import Resource, fold

HAZARDOUS_WASTE = "hazardous_waste"
ENVIRONMENTAL = "environmental"
WASTE_GROUPS = ("waste", "byproduct")

# Folded phrases naming a licence (matched as whole words inside a column value or a text).
_PHRASES: tuple[tuple[str, str], ...] = (
    ("chat thai nguy hai", HAZARDOUS_WASTE),
    ("ctnh", HAZARDOUS_WASTE),
    ("hazardous waste", HAZARDOUS_WASTE),
    ("hazardous", HAZARDOUS_WASTE),
    ("hw", HAZARDOUS_WASTE),
    ("giay phep moi truong", ENVIRONMENTAL),
    ("gpmt", ENVIRONMENTAL),
    ("environmental licence", ENVIRONMENTAL),
    ("environmental license", ENVIRONMENTAL),
    ("environmental permit", ENVIRONMENTAL),
)
# A text mentions a held licence only next to a licence word.
_LICENCE_WORDS = ("giay phep", "licence", "license", "licensed", "permit", "permitted")
_HAZ_TEXT = ("chat thai nguy hai", "ctnh", "hazardous waste", "hazardous")


def _has(key: str, phrase: str) -> bool:
    return f" {phrase} " in f" {key} "


def normalise_licence(text: str) -> str:
    """A licence name as a code: 'Giấy phép xử lý CTNH' -> hazardous_waste,
    'giấy phép môi trường' -> environmental, 'Fire safety' -> fire_safety."""
    key = fold(text)
    if not key:
        return ""
    for phrase, code in _PHRASES:
        if _has(key, phrase):
            return code
    return key.replace(" ", "_")


def licences_from_column(text: str) -> frozenset[str]:
    """Licences listed in a column ('CTNH; giấy phép môi trường')."""
    return frozenset(
        c for c in (normalise_licence(x) for x in re.split(r"[;,|\n]", text or "")) if c
    )


@lru_cache(maxsize=8192)
def licences_from_text(text: str) -> frozenset[str]:
    """Licences a free text says the firm holds: 'có giấy phép xử lý CTNH',
    'licensed hazardous waste handler', 'đã có giấy phép môi trường'."""
    key = fold(text)
    if not key or not any(_has(key, w) for w in _LICENCE_WORDS):
        return frozenset()
    out = set()
    if any(_has(key, p) for p in _HAZ_TEXT):
        out.add(HAZARDOUS_WASTE)
    if _has(key, "giay phep moi truong") or any(
        _has(key, f"environmental {w}") for w in ("licence", "license", "permit")
    ):
        out.add(ENVIRONMENTAL)
    return frozenset(out)


def is_waste(resource: Resource | None) -> bool:
    return resource is not None and resource.group in WASTE_GROUPS


def needs_hazardous_licence(resource: Resource | None, flagged: bool) -> bool:
    """Does the receiver of an offer of ``resource`` need a hazardous-waste licence?
    Hazardous wastes and by-products do (flagged by the firm or by the catalogue);
    commodity chemicals and other goods do not.  An unresolved resource follows the flag."""
    if resource is None:
        return flagged
    return is_waste(resource) and (flagged or resource.hazardous)


# --------------------------------------------------------------------------
# Licensed handlers (issue 17): the directory of licensed collectors, transporters
# and treatment or recycling firms, as the authority publishes it.
# --------------------------------------------------------------------------

import datetime as _dt  # noqa: E402

COLLECT, TRANSPORT, TREAT, RECYCLE = "collect", "transport", "treat", "recycle"
ACTIVITIES = (COLLECT, TRANSPORT, TREAT, RECYCLE)
# Activities that receive a waste (a hazardous offer is routed to one of these).
RECEIVING = (TREAT, RECYCLE, COLLECT)
VALID, EXPIRED, NOT_YET = "valid", "expired", "not_yet"
# The matcher's licence names for a directory holder: any valid handler licence, and
# one per waste code it covers ("ctnh:12 06 05").
LICENSED_HANDLER = "licensed_handler"
CODE_PREFIX = "ctnh:"

# Folded column headings of the authority's lists (vi and en) -> field.
HANDLER_COLUMNS: dict[str, tuple[str, ...]] = {
    "licence_number": (
        "so giay phep",
        "so gp",
        "ma so quan ly ctnh",
        "giay phep so",
        "licence number",
        "license number",
        "licence no",
        "license no",
        "permit number",
    ),
    "holder_name": (
        "ten to chuc",
        "ten co so",
        "ten doanh nghiep",
        "to chuc ca nhan",
        "holder",
        "name",
        "company",
    ),
    "tax_code": ("ma so thue", "mst", "tax code"),
    "activities": ("hoat dong", "loai hinh", "pham vi hoat dong", "activities", "activity"),
    "waste_codes": ("ma ctnh", "ma chat thai", "ma chat thai nguy hai", "waste codes", "codes"),
    "capacity_t_per_year": ("cong suat tan nam", "cong suat", "capacity t year", "capacity"),
    "valid_from": ("ngay cap", "hieu luc tu", "valid from", "issued on", "issued"),
    "valid_to": (
        "ngay het han",
        "han giay phep",
        "hieu luc den",
        "valid to",
        "valid until",
        "expires",
    ),
    "authority": ("co quan cap", "noi cap", "authority", "issued by"),
    "province": ("tinh", "dia ban", "province"),
}
REQUIRED_HANDLER_FIELDS = ("licence_number", "holder_name", "waste_codes", "valid_to")

_ACTIVITY_WORDS: tuple[tuple[str, str], ...] = (
    ("thu gom", COLLECT),
    ("collect", COLLECT),
    ("van chuyen", TRANSPORT),
    ("transport", TRANSPORT),
    ("xu ly", TREAT),
    ("treat", TREAT),
    ("tieu huy", TREAT),
    ("dispos", TREAT),
    ("tai che", RECYCLE),
    ("recycl", RECYCLE),
    ("thu hoi", RECYCLE),
)


def handler_field(heading) -> str | None:
    """The directory field a column heading names ('Số giấy phép' -> licence_number)."""
    key = fold(str(heading or ""))
    for name, aliases in HANDLER_COLUMNS.items():
        if key == name.replace("_", " ") or key in aliases:
            return name
    return None


def normalise_waste_code(text) -> str | None:
    """A hazardous-waste code (Circular 02/2022/TT-BTNMT) as 'NN NN NN' ('120605',
    '12-06-05', '12.06.05' -> '12 06 05'); a chapter ('12') or group ('12 06') as
    such; None when it is not a code.  A trailing '*' (EWC style) is ignored."""
    s = str(text or "").strip().rstrip("*").strip()
    if not s or not re.fullmatch(r"[\d\s.\-]+", s):
        return None
    digits = re.sub(r"\D", "", s)
    if len(digits) not in (2, 4, 6):
        return None
    return " ".join(digits[i : i + 2] for i in range(0, len(digits), 2))


def parse_waste_codes(text) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(codes, unreadable parts) of a list of waste codes ('12 06 05; 17 02 03')."""
    codes, bad = [], []
    for part in re.split(r"[;,|\n]", str(text or "")):
        if not part.strip():
            continue
        code = normalise_waste_code(part)
        (codes if code else bad).append(code or part.strip())
    return tuple(dict.fromkeys(codes)), tuple(bad)


def parse_activities(text) -> tuple[str, ...]:
    """Activities named in a text ('Thu gom, vận chuyển, xử lý' -> collect, transport, treat)."""
    key = fold(str(text or ""))
    found = {code for word, code in _ACTIVITY_WORDS if word in key}
    return tuple(a for a in ACTIVITIES if a in found)


def covers(codes, code: str) -> bool:
    """Does a licence listing ``codes`` cover the waste ``code``?  A chapter or group
    code covers the codes under it ('12 06' covers '12 06 05')."""
    code = normalise_waste_code(code) or ""
    if not code:
        return False
    return any(code == c or code.startswith(c + " ") for c in codes)


def licence_state(valid_from: _dt.date | None, valid_to: _dt.date | None, on: _dt.date) -> str:
    """valid / expired (after ``valid_to``) / not_yet (before ``valid_from``) on a day."""
    if valid_to is not None and on > valid_to:
        return EXPIRED
    if valid_from is not None and on < valid_from:
        return NOT_YET
    return VALID


def code_licence(code: str) -> str:
    """The matcher's licence name for 'holds a valid licence covering ``code``'."""
    return CODE_PREFIX + (normalise_waste_code(code) or code)


def offer_requires(waste_code: str, hazardous_waste: bool) -> frozenset[str]:
    """Licences the receiver of a hazardous waste must hold beyond the hazardous-waste
    licence itself: a valid directory licence, covering the code when it is known."""
    if not hazardous_waste:
        return frozenset()
    out = {LICENSED_HANDLER}
    if normalise_waste_code(waste_code):
        out.add(code_licence(waste_code))
    return frozenset(out)


def holder_licences(licences, wanted_codes, on: _dt.date) -> frozenset[str]:
    """What a directory holder holds for the matcher: ``licences`` are
    (codes, activities, valid_from, valid_to) of its licences; ``wanted_codes`` the
    waste codes of the offers being matched.  Only valid licences of a receiving
    activity count (expired ones never do)."""
    out: set[str] = set()
    for codes, activities, valid_from, valid_to in licences:
        if licence_state(valid_from, valid_to, on) != VALID:
            continue
        if activities and not set(activities) & set(RECEIVING):
            continue
        out.update((HAZARDOUS_WASTE, LICENSED_HANDLER))
        out.update(code_licence(c) for c in wanted_codes if covers(codes, c))
    return frozenset(out)

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

"""Waste codes on listings: the Vietnamese hazardous-waste code (mã CTNH, Circular
02/2022/TT-BTNMT Appendix III) and the European Waste Catalogue code (EWC, Commission
Decision 2000/532/EC as amended by 2014/955/EU).

Plain Python (no Django).  The only codes accepted as CTNH codes are those the resource
catalogue (``data/resources.yaml``) carries with its citation: this module never makes a
Vietnamese code up.  The EWC cross-reference of a CTNH code is the catalogue entry's EWC
code.  Errors are returned as codes with parameters; the web layer phrases them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .catalogue import Catalogue

# six digits in three pairs, spaces optional; an EWC code may end with "*" (hazardous)
_CODE_RE = re.compile(r"^\s*(\d{2})\s*(\d{2})\s*(\d{2})\s*(\*?)\s*$")


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of checking a code: ``code`` normalised ("10 02 02"), the catalogue
    resource it names (or ""), the EWC cross-reference and an error code (or "")."""

    code: str = ""
    resource: str = ""
    ewc: str = ""
    error: str = ""
    params: dict | None = None


def normalise(text: str) -> str | None:
    """ "100202*" / "10 02 02 *" -> "10 02 02*"; None when not six digits."""
    m = _CODE_RE.match(text or "")
    if not m:
        return None
    return f"{m.group(1)} {m.group(2)} {m.group(3)}{m.group(4)}"


def looks_like_code(text: str) -> bool:
    return normalise(text) is not None


def ctnh_index(cat: Catalogue) -> dict[str, tuple[str, str]]:
    """CTNH code -> (resource code, EWC code) for every catalogue entry that cites one."""
    return {r.waste_code: (r.code, r.ewc) for r in cat if r.waste_code}


def ewc_index(cat: Catalogue) -> dict[str, str]:
    """EWC code -> resource code (first entry in catalogue order)."""
    out: dict[str, str] = {}
    for r in cat:
        if r.ewc:
            out.setdefault(r.ewc, r.code)
    return out


def check_ctnh(cat: Catalogue, text: str, resource_code: str = "") -> CodeCheck:
    """Check a CTNH code typed on a listing of ``resource_code``.

    Errors: ``format`` (not six digits), ``unknown`` (not a code the catalogue cites),
    ``mismatch`` (the code names another resource than the listing's; params: expected)."""
    if not (text or "").strip():
        return CodeCheck()
    code = normalise(text)
    if code is None or code.endswith("*"):
        return CodeCheck(error="format", params={"text": text})
    known = ctnh_index(cat)
    if code not in known:
        return CodeCheck(code=code, error="unknown", params={"code": code})
    res, ewc = known[code]
    if resource_code and resource_code != res and not cat.is_a(resource_code, res):
        return CodeCheck(
            code=code,
            resource=res,
            ewc=ewc,
            error="mismatch",
            params={"code": code, "resource": res},
        )
    return CodeCheck(code=code, resource=res, ewc=ewc)


def check_ewc(cat: Catalogue, text: str) -> CodeCheck:
    """Check an EWC code: format only (the catalogue lists a subset of the EWC), with the
    catalogue resource when it has one.  Errors: ``format``."""
    if not (text or "").strip():
        return CodeCheck()
    code = normalise(text)
    if code is None:
        return CodeCheck(error="format", params={"text": text})
    return CodeCheck(code=code, resource=ewc_index(cat).get(code, ""), ewc=code)


def resources_for_code(cat: Catalogue, text: str) -> set[str]:
    """Catalogue resources a typed code names, as a CTNH code or an EWC code (with or
    without the hazardous star): what a code search looks for."""
    code = normalise(text)
    if code is None:
        return set()
    bare = code.rstrip("*")
    out = set()
    for r in cat:
        if r.waste_code == bare or (r.ewc and r.ewc.rstrip("*") == bare):
            out.add(r.code)
    return out

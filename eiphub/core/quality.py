"""Quality specifications of listings: one parser and one formatter.

A specification is written ``'moisture_pct<=15; purity_pct>=95'`` (``;``, ``|``
or new lines between parts).  For a want the operators become limits
(``moisture_pct_max``, ``purity_pct_min``); an offer states values, so the
operator is dropped (``moisture_pct``).
"""

from __future__ import annotations

import math
import re

_PART_RE = re.compile(r"([A-Za-z_]\w*)\s*(<=|>=|=|<|>)\s*(-?\d+(?:[.,]\d+)?)")
_SUFFIX = {"<=": "_max", "<": "_max", ">=": "_min", ">": "_min", "=": ""}
_LIMIT_RE = re.compile(r"_(max|min)$")


class QualityError(ValueError):
    """A part of a specification that is not ``name<op>number``; ``part`` names it."""

    code = "bad_quality"

    def __init__(self, part: str):
        super().__init__(f"quality must look like 'moisture_pct<=15; purity_pct>=95': {part!r}")
        self.part = part


def parse_quality(text: str, kind: str = "want") -> dict[str, float]:
    """'moisture_pct<=15; purity_pct>=95' -> {"moisture_pct_max": 15.0, "purity_pct_min": 95.0}
    for a want; offers (``kind == "offer"``) state values: {"moisture_pct": 15.0, ...}."""
    out: dict[str, float] = {}
    for part in re.split(r"[;|\n]", text or ""):
        part = part.strip()
        if not part:
            continue
        m = _PART_RE.fullmatch(part)
        if not m:
            raise QualityError(part)
        value = float(m.group(3).replace(",", "."))
        if not math.isfinite(value):
            raise QualityError(part)
        key = m.group(1).lower()
        if kind != "offer":
            key += _SUFFIX[m.group(2)]
        out[key] = value
    return out


def offer_values(quality: dict) -> dict[str, float]:
    """An offer's quality as stated values (limit suffixes dropped)."""
    return {_LIMIT_RE.sub("", k): v for k, v in (quality or {}).items()}


def has_limits(quality: dict) -> bool:
    return any(k.endswith(("_max", "_min")) for k in quality or {})


def quality_text(quality: dict) -> str:
    """The inverse of :func:`parse_quality` (for forms)."""
    parts = []
    for k, v in (quality or {}).items():
        if k.endswith("_max"):
            parts.append(f"{k[:-4]}<={v:g}")
        elif k.endswith("_min"):
            parts.append(f"{k[:-4]}>={v:g}")
        else:
            parts.append(f"{k}={v:g}")
    return "; ".join(parts)

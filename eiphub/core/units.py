"""Units: one pint registry for the whole project.

Quantities are entered in many spellings (``tấn``, ``m³``, ``lít``, ``MWh``);
:func:`parse_unit` normalises them and :func:`convert` converts, optionally
bridging mass and volume through a density.  Errors carry a machine code and
parameters so that the web layer can phrase them in the user's language.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import pint

ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
ureg.define("tonne_coal_equivalent = 29.3076 * gigajoule = tce")
ureg.define("tonne_oil_equivalent = 41.868 * gigajoule = toe")
ureg.define("normal_cubic_meter = meter ** 3 = Nm3")
ureg.define("standard_cubic_meter = meter ** 3 = Sm3")
Q_ = ureg.Quantity

# Spellings seen in Vietnamese and English forms -> pint expression.
UNIT_ALIASES: dict[str, str] = {
    "tấn": "t",
    "tan": "t",
    "ton": "t",
    "tons": "t",
    "tonne": "t",
    "tonnes": "t",
    "t": "t",
    "kt": "kilotonne",
    "nghìn tấn": "kilotonne",
    "kg": "kg",
    "g": "g",
    "m3": "m**3",
    "m³": "m**3",
    "khối": "m**3",
    "nm3": "Nm3",
    "sm3": "Sm3",
    "l": "L",
    "lít": "L",
    "lit": "L",
    "litre": "L",
    "liter": "L",
    "kwh": "kWh",
    "mwh": "MWh",
    "gwh": "GWh",
    "gj": "GJ",
    "mj": "MJ",
    "tj": "TJ",
    "kcal": "kcal",
    "gcal": "Gcal",
    "tce": "tce",
    "toe": "toe",
    "tco2": "t",
    "tco2e": "t",
    "tấn co2": "t",
    "tấn co2e": "t",
}


# Units offered in entry forms, in this order; a resource offers those it can be measured in.
ENTRY_UNITS = ("t", "kg", "kt", "m3", "L", "Nm3", "kWh", "MWh", "GWh", "GJ", "MJ", "TJ", "Gcal",
               "toe", "tce")  # fmt: skip


class UnitError(ValueError):
    """A unit problem.  ``code`` is one of: unknown_unit, incompatible_unit."""

    def __init__(self, code: str, message: str, **params):
        super().__init__(message)
        self.code = code
        self.params = params


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().lower()


@lru_cache(maxsize=512)
def parse_unit(text: str) -> pint.Unit:
    """Return the pint unit for ``text`` or raise :class:`UnitError`."""
    if text is None or not str(text).strip():
        raise UnitError("unknown_unit", "empty unit", unit=text)
    raw = unicodedata.normalize("NFC", str(text)).strip()
    expr = UNIT_ALIASES.get(_norm(raw), raw)
    expr = expr.replace("³", "**3").replace("²", "**2")
    try:
        unit = ureg.Unit(expr)
    except Exception:
        try:
            unit = ureg.parse_units(expr)
        except Exception as exc:  # pint raises several error types
            raise UnitError("unknown_unit", f"unknown unit {text!r}", unit=text) from exc
    return unit


def compatible(unit_a: str, unit_b: str) -> bool:
    return parse_unit(unit_a).dimensionality == parse_unit(unit_b).dimensionality


def convert(
    value: float,
    from_unit: str,
    to_unit: str,
    density_kg_per_m3: float | None = None,
) -> float:
    """Convert ``value`` from one unit to another.

    Mass and volume are bridged when ``density_kg_per_m3`` is given.
    Raises :class:`UnitError` when the units are unknown or incompatible.
    """
    factor = _linear_factor(from_unit, to_unit, density_kg_per_m3)
    if factor is not None:
        return float(value) * factor
    return _convert(value, from_unit, to_unit, density_kg_per_m3)


@lru_cache(maxsize=4096)
def _linear_factor(from_unit: str, to_unit: str, density: float | None) -> float | None:
    """The multiplier from one unit to another, cached; None for offset units (°C, °F)."""
    src, dst = parse_unit(from_unit), parse_unit(to_unit)
    if "[temperature]" in src.dimensionality or "[temperature]" in dst.dimensionality:
        return None
    return _convert(1.0, from_unit, to_unit, density)


def _convert(value, from_unit, to_unit, density_kg_per_m3):
    src = parse_unit(from_unit)
    dst = parse_unit(to_unit)
    q = Q_(value, src)
    if src.dimensionality == dst.dimensionality:
        return float(q.to(dst).magnitude)
    if density_kg_per_m3:
        mass, volume = ureg.kilogram.dimensionality, ureg.meter.dimensionality**3
        rho = Q_(density_kg_per_m3, "kg/m**3")
        if src.dimensionality == mass and dst.dimensionality == volume:
            return float((q / rho).to(dst).magnitude)
        if src.dimensionality == volume and dst.dimensionality == mass:
            return float((q * rho).to(dst).magnitude)
    raise UnitError(
        "incompatible_unit",
        f"cannot convert {from_unit!r} to {to_unit!r}",
        unit=from_unit,
        expected=to_unit,
    )

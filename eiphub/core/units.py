"""Units: one pint registry for the whole project.

Quantities are entered in many spellings (``tấn``, ``m³``, ``lít``, ``MWh``);
:func:`parse_unit` normalises them and :func:`convert` converts, optionally
bridging mass and volume through a density.  Errors carry a machine code and
parameters so that the web layer can phrase them in the user's language.

Units as industry bills them
----------------------------
* ``MMBtu`` (gas contracts): one million International Table Btu = 1.055056 GJ.
* ``Gcal`` and ``kcal`` (district heat, heating values): International Table calorie
  (4.1868 J), so 1 Gcal = 4.1868 GJ, as heat suppliers and the IEA use it.
* Gas volumes: a plain ``m3`` of a gas is a **standard** cubic metre, ``Sm3`` (15 °C,
  101.325 kPa, ISO 13443), which is the reference of the catalogue's gas densities.  A
  **normal** cubic metre ``Nm3`` (0 °C, 101.325 kPa, DIN 1343) holds more gas:
  1 Nm3 = 288.15 / 273.15 Sm3 = 1.05491 Sm3 (ideal gas at equal pressure).
* Steam: in tonnes with its absolute pressure (bar) and temperature (°C; saturated when
  omitted), or directly in an energy unit (GJ, MWh, Gcal, MMBtu).  Its energy is the
  enthalpy above feedwater, from the IAPWS-IF97 steam tables (``iapws`` library):
  :func:`steam_enthalpy_kj_per_kg`, :func:`steam_energy_gj`.
* :func:`dimension_of` names a unit's dimension (mass, volume, energy, ...) for callers
  such as the resource resolver.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import pint

from eiphub.core.errors import CodedError

ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
ureg.define("tonne_coal_equivalent = 29.3076 * gigajoule = tce")
ureg.define("tonne_oil_equivalent = 41.868 * gigajoule = toe")
# Gas volume at standard reference conditions (15 °C, 101.325 kPa): a plain m3 of gas.
ureg.define("standard_cubic_meter = meter ** 3 = Sm3")
# Gas volume at normal conditions (0 °C, 101.325 kPa): 288.15 / 273.15 standard m3.
ureg.define("normal_cubic_meter = 288.15 / 273.15 * standard_cubic_meter = Nm3")
ureg.define("million_btu = 1e6 * british_thermal_unit = MMBtu")
ureg.define("kilocalorie_it = 1e3 * international_calorie = kcal_IT")
ureg.define("gigacalorie_it = 1e9 * international_calorie = Gcal_IT")
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
    "kcal": "kcal_IT",
    "gcal": "Gcal_IT",
    "mmbtu": "MMBtu",
    "mm btu": "MMBtu",
    "triệu btu": "MMBtu",
    "btu": "Btu",
    "nm³": "Nm3",
    "sm³": "Sm3",
    "scm": "Sm3",
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


class UnitError(CodedError, ValueError):
    """A unit problem.  ``code`` is one of: unknown_unit, incompatible_unit."""


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


# -- dimensions ------------------------------------------------------------------------------

DIMENSIONS = {  # name -> a unit of that dimension
    "mass": "kg",
    "volume": "m**3",
    "energy": "J",
    "power": "W",
    "length": "m",
    "area": "m**2",
    "time": "s",
    "temperature": "K",
    "dimensionless": "dimensionless",
}


def dimension_of(unit: str) -> str:
    """The dimension of ``unit``: one of :data:`DIMENSIONS` (``mass``, ``volume``,
    ``energy``...) or ``other``.  Raises :class:`UnitError` for an unknown unit."""
    dim = parse_unit(unit).dimensionality
    for name, expr in DIMENSIONS.items():
        if dim == ureg.Unit(expr).dimensionality:
            return name
    return "other"


# -- steam -----------------------------------------------------------------------------------

FEEDWATER_C = 25.0  # default reference: feedwater / condensate return at 25 °C


def steam_enthalpy_kj_per_kg(pressure_bar: float, temperature_c: float | None = None) -> float:
    """Specific enthalpy (kJ/kg) of steam at ``pressure_bar`` (absolute) and
    ``temperature_c`` (None: dry saturated steam), IAPWS-IF97.  Raises :class:`UnitError`
    (``steam_state``) when the state is not steam (below saturation) or out of range."""
    from iapws import IAPWS97

    if pressure_bar is None or not 0.006 < float(pressure_bar) <= 1000:
        raise UnitError("steam_state", f"steam pressure {pressure_bar!r} bar is out of range",
                        pressure_bar=pressure_bar)  # fmt: skip
    mpa = float(pressure_bar) / 10.0
    try:
        if temperature_c is None:
            state = IAPWS97(P=mpa, x=1)
        else:
            sat = IAPWS97(P=mpa, x=1)
            if float(temperature_c) + 273.15 < sat.T - 1e-6:
                raise UnitError("steam_state",
                                f"{temperature_c} °C is below saturation ({sat.T - 273.15:.1f} °C) "
                                f"at {pressure_bar} bar: not steam",
                                pressure_bar=pressure_bar, temperature_c=temperature_c)  # fmt: skip
            state = IAPWS97(P=mpa, T=float(temperature_c) + 273.15)
    except UnitError:
        raise
    except Exception as exc:  # iapws raises NotImplementedError/ValueError out of range
        raise UnitError("steam_state", f"no steam-table value: {exc}",
                        pressure_bar=pressure_bar, temperature_c=temperature_c) from exc  # fmt: skip
    if state.h is None:
        raise UnitError("steam_state", "no steam-table value", pressure_bar=pressure_bar)
    return float(state.h)


def water_enthalpy_kj_per_kg(temperature_c: float) -> float:
    """Specific enthalpy (kJ/kg) of saturated liquid water at ``temperature_c``, IAPWS-IF97."""
    from iapws import IAPWS97

    return float(IAPWS97(T=float(temperature_c) + 273.15, x=0).h)


def steam_energy_gj(
    tonnes: float,
    pressure_bar: float,
    temperature_c: float | None = None,
    feedwater_c: float = FEEDWATER_C,
) -> float:
    """Energy (GJ) delivered by ``tonnes`` of steam: mass x (steam enthalpy - feedwater
    enthalpy), steam tables (IAPWS-IF97)."""
    dh = steam_enthalpy_kj_per_kg(pressure_bar, temperature_c) - water_enthalpy_kj_per_kg(
        feedwater_c
    )
    return float(tonnes) * dh / 1000.0  # kJ/kg x 1000 kg/t = kJ/t; / 1e6 -> GJ

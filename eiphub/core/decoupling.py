"""Decoupling of park output from resource use and emissions.

For each pair of consecutive reported years (and for the whole span, first to last year) and
each pressure (energy, water, materials, emissions, ...), with g_Y the growth of output and
g_R the growth of the pressure (relative change; ``eps`` is the band treated as "stable"):

================  ===========================================================================
flag              condition
================  ===========================================================================
``absolute``      output grows (g_Y > eps) and the pressure is stable or falls (g_R <= eps)
                  (OECD 2002: "stable or decreasing while the economic driving force grows")
``relative``      output grows, the pressure grows but more slowly (eps < g_R < g_Y)
``none``          output grows and the pressure grows as fast or faster (g_R >= g_Y > eps)
``negative``      output stable or falling (g_Y <= eps) while the pressure grows (g_R > eps)
``no_growth``     output stable or falling and the pressure stable or falling: no growth to
                  decouple from; see the productivity change instead
``insufficient``  a value is missing or not positive
================  ===========================================================================

``recoupling`` is set on a period whose flag is ``none`` or ``negative`` when the previous
period of the same pressure was ``absolute`` or ``relative``: decoupling was lost.
Resource productivity = output / pressure (e.g. billion VND per TJ); its growth is
(1 + g_Y) / (1 + g_R) - 1.  Growth over the whole span is the compound annual rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

FLAGS = ("absolute", "relative", "none", "negative", "no_growth", "insufficient")
DECOUPLED = ("absolute", "relative")


def classify(g_output: float, g_pressure: float, eps: float = 0.005) -> str:
    """Decoupling flag for growth rates of output and pressure (see the module table)."""
    if g_output > eps:
        if g_pressure <= eps:
            return "absolute"
        if g_pressure < g_output:
            return "relative"
        return "none"
    return "negative" if g_pressure > eps else "no_growth"


@dataclass
class Period:
    pressure: str
    start: int
    end: int
    output_growth: float | None  # per year (compound when end - start > 1)
    pressure_growth: float | None
    productivity_start: float | None
    productivity_end: float | None
    productivity_growth: float | None
    elasticity: float | None  # g_R / g_Y
    flag: str
    recoupling: bool = False


@dataclass
class Decoupling:
    output_key: str
    years: list[int]
    periods: dict[str, list[Period]] = field(default_factory=dict)  # pressure -> year pairs
    overall: dict[str, Period] = field(default_factory=dict)  # pressure -> first..last

    def flags(self, pressure: str) -> dict[int, str]:
        """End year -> flag of the year-to-year periods of ``pressure``."""
        return {p.end: p.flag for p in self.periods.get(pressure, [])}


def _ok(x) -> bool:
    return x is not None and x > 0


def _period(pressure, y0, y1, out0, out1, res0, res1, eps) -> Period:
    if not all(_ok(v) for v in (out0, out1, res0, res1)):
        prod0 = out0 / res0 if _ok(out0) and _ok(res0) else None
        prod1 = out1 / res1 if _ok(out1) and _ok(res1) else None
        return Period(pressure, y0, y1, None, None, prod0, prod1, None, None, "insufficient")
    n = y1 - y0
    g_y = (out1 / out0) ** (1 / n) - 1
    g_r = (res1 / res0) ** (1 / n) - 1
    p0, p1 = out0 / res0, out1 / res1
    return Period(
        pressure,
        y0,
        y1,
        g_y,
        g_r,
        p0,
        p1,
        (p1 / p0) ** (1 / n) - 1,
        g_r / g_y if g_y else None,
        classify(g_y, g_r, eps),
    )


def decoupling(
    series: Mapping[int, Mapping[str, float | None]],
    output_key: str = "output",
    pressures: tuple[str, ...] | None = None,
    eps: float = 0.005,
) -> Decoupling:
    """Decoupling analysis of one park.  ``series`` maps year -> {"output": ..., "energy":
    ..., "water": ..., ...}; ``pressures`` defaults to every other key found."""
    years = sorted(series)
    if pressures is None:
        keys = {k for y in years for k in series[y]}
        pressures = tuple(sorted(keys - {output_key}))
    result = Decoupling(output_key, years)
    for pressure in pressures:
        periods = []
        for y0, y1 in zip(years, years[1:], strict=False):
            p = _period(
                pressure, y0, y1,
                series[y0].get(output_key), series[y1].get(output_key),
                series[y0].get(pressure), series[y1].get(pressure), eps,
            )  # fmt: skip
            if periods and periods[-1].flag in DECOUPLED and p.flag in ("none", "negative"):
                p.recoupling = True
            periods.append(p)
        result.periods[pressure] = periods
        if len(years) >= 2:
            y0, y1 = years[0], years[-1]
            result.overall[pressure] = _period(
                pressure, y0, y1,
                series[y0].get(output_key), series[y1].get(output_key),
                series[y0].get(pressure), series[y1].get(pressure), eps,
            )  # fmt: skip
    return result


def park_decoupling(
    series_by_park: Mapping[str, Mapping[int, Mapping[str, float | None]]],
    output_key: str = "output",
    pressures: tuple[str, ...] | None = None,
    eps: float = 0.005,
) -> dict[str, Decoupling]:
    return {
        park: decoupling(series, output_key, pressures, eps)
        for park, series in series_by_park.items()
    }

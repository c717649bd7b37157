"""Flow services: convert entered quantities to canonical units and save rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from eiphub.core.catalogue import default_catalogue
from eiphub.core.units import UnitError

from .models import DataQuality, Direction, Fate, FlowRecord, Origin


class FlowInputError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def month_start(value: dt.date) -> dt.date:
    return value.replace(day=1)


def canonicalise(resource_code: str, quantity, unit: str) -> tuple[float, str]:
    """Return (canonical quantity, canonical unit) or raise FlowInputError."""
    cat = default_catalogue()
    res = cat.get(resource_code)
    if res is None:
        raise FlowInputError(
            "resource", _("Unknown resource “%(code)s”.") % {"code": resource_code}
        )
    if res.is_group:
        raise FlowInputError(
            "resource",
            _("“%(code)s” is a group; choose a specific resource.") % {"code": resource_code},
        )
    try:
        value = cat.to_canonical(resource_code, float(quantity), unit)
    except UnitError as exc:
        if exc.code == "unknown_unit":
            raise FlowInputError("unit", _("Unknown unit “%(unit)s”.") % {"unit": unit})
        raise FlowInputError(
            "unit",
            _("Unit “%(unit)s” cannot measure %(resource)s (expected a unit like %(expected)s).")
            % {"unit": unit, "resource": res.name_vi, "expected": res.unit},
        )
    return value, res.unit


def validate_period(period: dt.date, today: dt.date | None = None) -> dt.date:
    today = today or dt.date.today()
    period = month_start(period)
    if period > month_start(today):
        raise FlowInputError(
            "period",
            _("Period %(period)s is in the future.") % {"period": period.strftime("%m/%Y")},
        )
    return period


def check_values(quantity, period: dt.date, extra: dict) -> None:
    """Bounds and allowed values of a flow row (issue 18; limits in eiphub.core.bounds)."""
    from eiphub.core import bounds
    from eiphub.web.validation import message

    code = bounds.number_error(quantity, 0, bounds.MAX_QUANTITY)
    if code:
        raise FlowInputError("quantity", message(code, hi=bounds.MAX_QUANTITY))
    if bounds.year_error(period.year):
        raise FlowInputError("period", message("year_out_of_range"))
    for field, choices in (("origin", Origin), ("fate", Fate), ("data_quality", DataQuality)):
        value = extra.get(field) or ""
        if value and value not in choices.values:
            raise FlowInputError(
                field,
                _("“%(value)s” is not an allowed value; use one of: %(allowed)s.")
                % {"value": value, "allowed": ", ".join(v for v in choices.values if v)},
            )


def save_flow(
    *, owner, resource_code, direction, period, quantity, unit, user=None, **extra
) -> FlowRecord:
    """Create or replace one flow row (same owner, resource, direction, period, route)."""
    if Decimal(str(quantity)) < 0:
        raise FlowInputError("quantity", _("Quantity must not be negative."))
    if direction not in Direction.values:
        raise FlowInputError("direction", _("Direction must be “in” or “out”."))
    check_values(quantity, period, extra)
    period = validate_period(period)
    canonical, cunit = canonicalise(resource_code, quantity, unit)
    key = {
        "resource_code": resource_code,
        "direction": direction,
        "period": period,
        "origin": extra.get("origin", "") or "",
        "fate": extra.get("fate", "") or "",
    }
    from eiphub.registry.models import Enterprise

    key["enterprise" if isinstance(owner, Enterprise) else "facility"] = owner
    defaults = {
        "quantity": Decimal(str(quantity)),
        "unit": unit,
        "quantity_canonical": canonical,
        "canonical_unit": cunit,
        "entered_by": user,
        "counterparty": extra.get("counterparty"),
        "data_quality": extra.get("data_quality") or "measured",
    }
    obj, _created = FlowRecord.objects.update_or_create(defaults=defaults, **key)
    return obj

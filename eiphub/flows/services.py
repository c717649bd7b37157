"""Flow services: convert entered quantities to canonical units and save rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from eiphub.core.catalogue import default_catalogue
from eiphub.core.numbers import NumberError, format_input, parse_number
from eiphub.core.units import UnitError
from eiphub.web.numbers import active_lang, number_message

from .models import DataQuality, Direction, Fate, FlowRecord, FlowRevision, Origin


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


class FlowConflict(FlowInputError):
    """The record changed since the user loaded it (optimistic concurrency)."""

    def __init__(self, current: FlowRecord):
        super().__init__(
            "quantity",
            _(
                "This record was changed by %(user)s at %(when)s (now %(quantity)s %(unit)s) "
                "after you opened it. Check the current value and save again."
            )
            % {
                "user": getattr(current.entered_by, "username", None) or _("an import"),
                "when": timezone.localtime(current.entered_at).strftime("%d/%m/%Y %H:%M"),
                "quantity": format_input(current.quantity, active_lang()),
                "unit": current.unit,
            },
        )
        self.current = current


_VALUE_FIELDS = (
    "quantity",
    "unit",
    "quantity_canonical",
    "canonical_unit",
    "origin",
    "fate",
    "counterparty_id",
    "data_quality",
)  # fmt: skip  (route kept for the history)


def _revision(flow: FlowRecord, action: str, user, old: dict | None) -> FlowRevision:
    old = old or {}
    return FlowRevision.objects.create(
        flow_id=flow.pk,
        action=action,
        user=user if getattr(user, "pk", None) else None,
        enterprise_id=flow.enterprise_id,
        facility_id=flow.facility_id,
        resource_code=flow.resource_code,
        direction=flow.direction,
        period=flow.period,
        old_quantity=old.get("quantity"),
        old_unit=old.get("unit", ""),
        old_quantity_canonical=old.get("quantity_canonical"),
        old_canonical_unit=old.get("canonical_unit", ""),
        old_origin=old.get("origin", ""),
        old_fate=old.get("fate", ""),
        old_counterparty_id=old.get("counterparty_id"),
        old_data_quality=old.get("data_quality", ""),
        old_entered_by_id=old.get("entered_by_id"),
        old_batch_id=old.get("batch_id"),
        old_version=old.get("version"),
        new_quantity=flow.quantity if action != FlowRevision.Action.DELETE else None,
        new_unit=flow.unit if action != FlowRevision.Action.DELETE else "",
    )


def _snapshot(flow: FlowRecord) -> dict:
    return {k: getattr(flow, k) for k in (*_VALUE_FIELDS, "entered_by_id", "batch_id", "version")}


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
    *,
    owner,
    resource_code,
    direction,
    period,
    quantity,
    unit,
    user=None,
    expected_version: int | None = None,
    **extra,
) -> FlowRecord:
    """Create or update the one record of an owner, month, resource, direction and route
    (origin of an input, fate of an output).

    ``expected_version`` is the version the user edited: a record changed since raises
    :class:`FlowConflict` (never a silent overwrite).  Every change is kept in
    :class:`FlowRevision` (who, when, old and new values)."""
    if isinstance(quantity, str):
        try:
            quantity = parse_number(quantity, active_lang())
        except NumberError as exc:
            raise FlowInputError("quantity", number_message(exc))
    if Decimal(str(quantity)) < 0:
        raise FlowInputError("quantity", _("Quantity must not be negative."))
    if direction not in Direction.values:
        raise FlowInputError("direction", _("Direction must be “in” or “out”."))
    check_values(quantity, period, extra)
    period = validate_period(period)
    canonical, cunit = canonicalise(resource_code, quantity, unit)
    from eiphub.registry.models import Enterprise

    key = {
        "resource_code": resource_code,
        "direction": direction,
        "period": period,
        "origin": extra.get("origin", "") or "",
        "fate": extra.get("fate", "") or "",
    }
    key["enterprise" if isinstance(owner, Enterprise) else "facility"] = owner
    values = {
        "quantity": Decimal(str(quantity)),
        "unit": unit,
        "quantity_canonical": canonical,
        "canonical_unit": cunit,
        "counterparty_id": getattr(extra.get("counterparty"), "pk", None),
        "data_quality": extra.get("data_quality") or "measured",
    }
    with transaction.atomic():
        flow = FlowRecord.objects.select_for_update().filter(**key).first()
        if flow is None:
            if expected_version:
                raise FlowInputError("quantity", _("This record was deleted after you opened it."))
            try:
                with transaction.atomic():
                    flow = FlowRecord.objects.create(**key, **values, entered_by=user)
            except IntegrityError:  # created concurrently: the same key, so an update
                flow = FlowRecord.objects.select_for_update().get(**key)
            else:
                _revision(flow, FlowRevision.Action.CREATE, user, None)
                return flow
        if expected_version is not None and flow.version != expected_version:
            raise FlowConflict(flow)
        old = _snapshot(flow)
        if all(
            (getattr(flow, k) == v) if k != "quantity" else (Decimal(flow.quantity) == v)
            for k, v in values.items()
        ):
            return flow
        for k, v in values.items():
            setattr(flow, k, v)
        flow.entered_by = user if getattr(user, "pk", None) else None
        flow.batch = None  # now the user's figure: undoing an earlier import leaves it
        flow.version += 1
        flow.save()
        _revision(flow, FlowRevision.Action.UPDATE, user, old)
    return flow


def delete_flow(flow: FlowRecord, user=None, expected_version: int | None = None) -> None:
    with transaction.atomic():
        current = FlowRecord.objects.select_for_update().filter(pk=flow.pk).first()
        if current is None:
            return
        if expected_version is not None and current.version != expected_version:
            raise FlowConflict(current)
        _revision(current, FlowRevision.Action.DELETE, user, _snapshot(current))
        current.delete()

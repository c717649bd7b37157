"""The monthly grid: one screen per enterprise and month, every resource it reports.

Rows come from the enterprise's own history (every resource, direction and route —
origin of an input, fate of an output — it has reported), else from its sector (enterprises of the same two-digit VSIC code),
else a short default list.  Each row shows this month's record (editable, with its
version for optimistic concurrency) and last month's figure; the form saves every
row at once, in one transaction, or nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django import forms
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eiphub.core.catalogue import default_catalogue
from eiphub.web.numbers import LocaleDecimalField, active_lang

from .models import FlowRecord
from .services import FlowInputError, delete_flow, save_flow

DEFAULT_ROWS = (
    ("energy.electricity.grid", "in", "", ""),
    ("water.fresh", "in", "", ""),
    ("water.wastewater", "out", "", ""),
    ("waste.domestic", "out", "", ""),
)
SECTOR_ROWS = 25


def previous_month(period: dt.date) -> dt.date:
    return (period.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def parse_month(text: str | None, today: dt.date | None = None) -> dt.date:
    """ "YYYY-MM" (the month box) or "MM/YYYY"; default: last month."""
    today = today or dt.date.today()
    text = (text or "").strip()
    for fmt in ("%Y-%m", "%m/%Y", "%Y-%m-%d"):
        try:
            month = dt.datetime.strptime(text, fmt).date().replace(day=1)
        except ValueError:
            continue
        if dt.date(1990, 1, 1) <= month <= today.replace(day=1):
            return month
    return previous_month(today)


@dataclass
class GridRow:
    index: int
    resource_code: str
    direction: str
    origin: str
    fate: str
    label: str
    units: list[str]
    current: FlowRecord | None = None
    last: FlowRecord | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        return f"r{self.index}"


def row_keys(enterprise, period: dt.date) -> list[tuple[str, str, str, str]]:
    """(resource, direction, origin, fate) of the grid's rows, inputs first, catalogue order."""
    own = set(
        FlowRecord.objects.filter(enterprise=enterprise)
        .values_list("resource_code", "direction", "origin", "fate")
        .distinct()
    )
    if not own and enterprise.vsic:
        peers = (
            FlowRecord.objects.filter(enterprise__vsic__startswith=enterprise.vsic[:2])
            .exclude(enterprise=enterprise)
            .values_list("resource_code", "direction")
            .annotate(n=Count("enterprise", distinct=True))
            .order_by("-n")[:SECTOR_ROWS]
        )
        own = {(c, d, "", "") for c, d, _n in peers}
    if not own:
        own = set(DEFAULT_ROWS)
    cat = default_catalogue()
    order = {r.code: i for i, r in enumerate(cat)}
    return sorted(
        (k for k in own if k[0] in cat and not cat[k[0]].is_group),
        key=lambda k: (k[1] != "in", order.get(k[0], 10**6), k[2], k[3]),
    )


def build_rows(enterprise, period: dt.date, extra: list[tuple] = ()) -> list[GridRow]:
    from .models import Fate, Origin

    cat = default_catalogue()
    lang = active_lang()
    keys = row_keys(enterprise, period)
    keys += [k for k in extra if k not in keys and k[0] in cat and not cat[k[0]].is_group]
    last_period = previous_month(period)
    recs = FlowRecord.objects.filter(enterprise=enterprise, period__in=[period, last_period])
    by_key = {(f.period, f.resource_code, f.direction, f.origin, f.fate): f for f in recs}
    routes = {**dict(Origin.choices), **dict(Fate.choices)}
    rows = []
    for i, (code, direction, origin, fate) in enumerate(keys):
        label = cat[code].name(lang)
        if origin or fate:
            label = f"{label} ({routes.get(origin or fate, origin or fate)})"
        rows.append(
            GridRow(
                index=i,
                resource_code=code,
                direction=direction,
                origin=origin,
                fate=fate,
                label=label,
                units=cat.units_for(code),
                current=by_key.get((period, code, direction, origin, fate)),
                last=by_key.get((last_period, code, direction, origin, fate)),
            )
        )
    return rows


class GridForm(forms.Form):
    """Quantity, unit, version and delete box per row; an optional new resource row."""

    confirm_warnings = forms.BooleanField(
        required=False, label=gettext_lazy("I have checked the figures marked ⚠; save them.")
    )
    add_resource = forms.ChoiceField(required=False, label=gettext_lazy("Add a resource"))
    add_direction = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Direction"),
        choices=[("in", gettext_lazy("Input")), ("out", gettext_lazy("Output"))],
    )

    def __init__(self, *args, rows: list[GridRow], copy_last: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        cat = default_catalogue()
        lang = active_lang()
        self.fields["add_resource"].choices = [("", "—")] + sorted(
            ((r.code, r.name(lang)) for r in cat.leaves()), key=lambda c: c[1]
        )
        for row in rows:
            p = row.prefix
            source = row.current or (row.last if copy_last else None)
            self.fields[f"{p}-quantity"] = LocaleDecimalField(
                required=False, min_value=0, max_digits=20, decimal_places=6, label=row.label
            )
            self.fields[f"{p}-unit"] = forms.ChoiceField(
                choices=[(u, u) for u in row.units], label=_("Unit")
            )
            self.fields[f"{p}-version"] = forms.IntegerField(
                required=False, widget=forms.HiddenInput
            )
            self.fields[f"{p}-delete"] = forms.BooleanField(required=False, label=_("Delete"))
            if source is not None:
                self.initial[f"{p}-quantity"] = source.quantity.normalize()
                if source.unit in row.units:
                    self.initial[f"{p}-unit"] = source.unit
            if row.current is not None:
                self.initial[f"{p}-version"] = row.current.version
            elif row.last is not None and row.last.unit in row.units:
                self.initial[f"{p}-unit"] = row.last.unit
            row.fields = {
                k: self[f"{p}-{k}"] for k in ("quantity", "unit", "version", "delete")
            }  # bound fields for the template

    def changes(self) -> list[tuple[GridRow, str, dict]]:
        """(row, "save" | "delete", data) for every row the user changed."""
        out = []
        for row in self.rows:
            p = row.prefix
            q = self.cleaned_data.get(f"{p}-quantity")
            unit = self.cleaned_data.get(f"{p}-unit")
            version = self.cleaned_data.get(f"{p}-version")
            if self.cleaned_data.get(f"{p}-delete"):
                if row.current is not None:
                    out.append((row, "delete", {"version": version}))
                continue
            if q is None:
                continue
            cur = row.current
            if cur is not None and cur.quantity == q and cur.unit == unit:
                continue
            out.append((row, "save", {"quantity": q, "unit": unit, "version": version}))
        return out

    def month_values(self) -> dict[tuple, float]:
        """Canonical quantities of the month as the form would leave it, by
        (resource, direction, origin, fate)."""
        cat = default_catalogue()
        out = {}
        changed = {id(r): (a, d) for r, a, d in self.changes()}
        for row in self.rows:
            key = (row.resource_code, row.direction, row.origin, row.fate)
            if id(row) in changed:
                action, data = changed[id(row)]
                if action == "save":
                    try:
                        out[key] = cat.to_canonical(row.resource_code, float(data["quantity"]),
                                                    data["unit"])  # fmt: skip
                    except ValueError:
                        pass
            elif row.current is not None:
                out[key] = row.current.quantity_canonical
        return out


def save_grid(form: GridForm, enterprise, period: dt.date, user) -> int:
    """Save every change at once (or nothing: conflicts become form errors); count them."""
    n = 0
    try:
        with transaction.atomic():
            for row, action, data in form.changes():
                p = row.prefix
                try:
                    if action == "delete":
                        delete_flow(row.current, user, expected_version=data["version"])
                    else:
                        save_flow(
                            owner=enterprise,
                            resource_code=row.resource_code,
                            direction=row.direction,
                            period=period,
                            quantity=data["quantity"],
                            unit=data["unit"],
                            user=user,
                            expected_version=data["version"] if row.current else None,
                            origin=row.origin,
                            fate=row.fate,
                            **(
                                {"data_quality": row.current.data_quality,
                                 "counterparty": row.current.counterparty}
                                if row.current else {}
                            ),
                        )  # fmt: skip
                    n += 1
                except FlowInputError as exc:
                    form.add_error(f"{p}-quantity", exc.message)
            if form.errors:
                raise _Rollback
    except _Rollback:
        return 0
    return n


class _Rollback(Exception):
    pass

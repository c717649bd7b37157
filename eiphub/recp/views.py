"""RECP measures, GHG inventory, programme results and decoupling pages."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from eiphub.accounts.scoping import (
    enterprise_records_for,
    enterprises_for,
    enterprises_writable_by,
    parks_for,
)
from eiphub.core.catalogue import default_catalogue
from eiphub.core.ghg import intensities as core_intensities
from eiphub.core.recp import IMPLEMENTED, RecpError, measure_co2e
from eiphub.core.rollup import rollup_sentence
from eiphub.exchange import services as exchange
from eiphub.exchange.models import Agreement
from eiphub.registry.models import Enterprise, Province
from eiphub.web.forms import VersionForm

from . import services
from .forms import MeasureForm, SavingFormSet, saving_initial
from .models import Measure, Practice, Status

INTENSITY_LABELS = {
    "revenue": gettext_lazy("tCO2e per billion VND of revenue"),
    "value_added": gettext_lazy("tCO2e per billion VND of value added"),
    "product": gettext_lazy("tCO2e per tonne of product"),
}


def intensities(row, **denominators) -> dict:
    """The core's intensities with labels and reasons in the user's language."""
    out = {}
    for name, i in core_intensities(row, **denominators).items():
        if i.value is None:
            reason = _("not reported") if "not reported" in i.reason else _("not positive")
        else:
            reason = _("inventory incomplete (see gaps)") if i.reason else ""
        out[name] = {"value": i.value, "unit": INTENSITY_LABELS.get(name, i.unit), "reason": reason}
    return out


CHECK_BADGE = {
    "consistent": "meets",
    "overclaimed": "not_met",
    "underclaimed": "declared",
    "insufficient_data": "insufficient_data",
}
CHECK_LABEL = {
    "consistent": gettext_lazy("Consistent"),
    "overclaimed": gettext_lazy("Overclaimed"),
    "underclaimed": gettext_lazy("Underclaimed"),
    "insufficient_data": gettext_lazy("Insufficient data"),
}
FLAG_BADGE = {
    "absolute": "meets",
    "relative": "submitted",
    "none": "not_met",
    "negative": "not_met",
    "no_growth": "insufficient_data",
    "insufficient": "insufficient_data",
}
FLAG_LABEL = {
    "absolute": gettext_lazy("Absolute decoupling"),
    "relative": gettext_lazy("Relative decoupling"),
    "none": gettext_lazy("No decoupling"),
    "negative": gettext_lazy("Output falls, pressure grows"),
    "no_growth": gettext_lazy("No output growth"),
    "insufficient": gettext_lazy("Insufficient data"),
}
PRESSURE_LABEL = {
    "output": gettext_lazy("Output (t of product)"),
    "energy_gj": gettext_lazy("Energy (GJ)"),
    "water_m3": gettext_lazy("Water (m³)"),
    "materials_t": gettext_lazy("Materials (t)"),
    "emissions_t": gettext_lazy("Emissions (tCO2e)"),
}


def _lang() -> str:
    return get_language() or "vi"


def _res_name(code: str) -> str:
    return default_catalogue().label(code, _lang())


def _int(value, default=None):
    """An id or a year from a query parameter; a bad one is ``default`` (web/params.py)."""
    from eiphub.web.params import int_param

    return int_param(value, default, 0, 2**62)


# -- measures ----------------------------------------------------------------------------------


def visible_measures(user):
    return Measure.objects.filter(enterprise__in=enterprise_records_for(user).values("pk"))


@login_required
def measure_list(request):
    qs = visible_measures(request.user).select_related("enterprise__park")
    parks = parks_for(request.user).order_by("code")
    f = {k: request.GET.get(k) or "" for k in ("park", "status", "practice", "q")}
    if f["park"]:
        qs = qs.filter(enterprise__park__code=f["park"])
    if f["status"]:
        qs = qs.filter(status=f["status"])
    if f["practice"]:
        qs = qs.filter(practice=f["practice"])
    if f["q"]:
        qs = qs.filter(title__icontains=f["q"])
    ids = [_int(i) for i in request.GET.getlist("id") if _int(i)]
    if ids:
        qs = qs.filter(pk__in=ids)
    by_status = dict(qs.values_list("status").annotate(n=Count("pk")).order_by())
    totals = qs.filter(status__in=IMPLEMENTED).aggregate(
        inv=Sum("investment_vnd"), sav=Sum("savings_vnd_per_year")
    )
    page = Paginator(qs.order_by("enterprise__name_vi", "-implemented_on", "pk"), 50).get_page(
        request.GET.get("page")
    )
    chart = {
        "kind": "bar",
        "title": _("Measures by status"),
        "labels": [str(label) for _v, label in Status.choices],
        "series": [{"name": _("Measures"), "data": [by_status.get(v, 0) for v in Status.values]}],
    }
    return render(
        request,
        "recp/measure_list.html",
        {
            "page": page,
            "parks": parks.values("code", "name_vi"),
            "filters": f,
            "statuses": Status.choices,
            "practices": Practice.choices,
            "by_status": by_status,
            "n_total": sum(by_status.values()),
            "n_implemented": sum(by_status.get(s, 0) for s in IMPLEMENTED),
            "totals": totals,
            "chart": chart,
            "can_create": enterprises_writable_by(request.user).exists(),
        },
    )


def _measure_form(request, measure=None):
    writable = enterprises_writable_by(request.user)
    if not writable.exists():
        raise PermissionDenied(_("You cannot record RECP measures."))
    if measure is not None and not writable.filter(pk=measure.enterprise_id).exists():
        raise PermissionDenied(_("You cannot change this enterprise's measures."))
    if request.method == "POST":
        form = MeasureForm(request.POST, instance=measure, enterprises=writable)
        savings = SavingFormSet(request.POST, prefix="s")
        stale = None
        if form.is_valid() and savings.is_valid():
            from django.db import transaction

            from eiphub.web.concurrency import StaleEdit, claim_version

            try:
                with transaction.atomic():
                    obj = form.save(commit=False)
                    if measure is not None:
                        obj.version = claim_version(
                            Measure, measure.pk, VersionForm(request.POST).read()
                        )
                    obj.savings = savings.savings()
                    obj.save()
            except StaleEdit as exc:
                stale = exc
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Measure saved."))
                return redirect("recp:measure_detail", obj.pk)
        if stale is not None:
            return render(request, "recp/measure_form.html",
                          {"form": form, "savings": savings, "measure": measure},
                          status=409)  # fmt: skip
    else:
        initial = {}
        if measure is None and writable.count() == 1:
            initial["enterprise"] = writable.first()
        form = MeasureForm(instance=measure, enterprises=writable, initial=initial)
        savings = SavingFormSet(prefix="s", initial=saving_initial(measure))
    return render(
        request, "recp/measure_form.html", {"form": form, "savings": savings, "measure": measure}
    )


@login_required
def measure_create(request):
    return _measure_form(request)


@login_required
def measure_edit(request, pk):
    measure = get_object_or_404(visible_measures(request.user), pk=pk)
    return _measure_form(request, measure)


@login_required
def measure_detail(request, pk):
    m = get_object_or_404(visible_measures(request.user).select_related("enterprise__park"), pk=pk)
    checks = services.claimed_vs_observed_for(m)
    lang = _lang()
    rows = []
    codes = list((m.savings or {}).keys())
    flows, production = services.monthly_flows(m.enterprise_id, codes) if codes else ({}, {})
    for i, c in enumerate(checks):
        rows.append(
            {
                "check": c,
                "name": _res_name(c.resource_code) if c.resource_code else "—",
                "badge": CHECK_BADGE[c.status],
                "label": CHECK_LABEL[c.status],
                "text": c.explanation(lang),
                "chart": _before_after_chart(m, c, flows.get(c.resource_code, {}), i),
            }
        )
    co2e_computed = None
    if m.co2e_t_per_year is None and m.savings:
        try:
            cm = services.core_measure(m)
            if cm.reference_year:
                co2e_computed = measure_co2e(cm, latest_grid=True)
        except RecpError:
            co2e_computed = None
    return render(
        request,
        "recp/measure_detail.html",
        {
            "m": m,
            "savings": [
                {"code": k, "name": _res_name(k), "qty": v, "unit": _unit(k)}
                for k, v in (m.savings or {}).items()
            ],
            "rows": rows,
            "production": bool(production),
            "co2e_computed": co2e_computed,
            "can_edit": enterprises_writable_by(request.user).filter(pk=m.enterprise_id).exists(),
        },
    )


def _unit(code):
    res = default_catalogue().get(code)
    return res.unit if res else ""


def _before_after_chart(m, check, series: dict, i: int) -> dict | None:
    if not series or not m.implemented_on:
        return None
    start = (m.implemented_on.year, m.implemented_on.month)
    keys = sorted(k for k in series if abs((k[0] - start[0]) * 12 + k[1] - start[1]) <= 12)
    if not keys:
        return None
    before = [round(series[k], 2) if k < start else None for k in keys]
    after = [round(series[k], 2) if k > start else None for k in keys]
    return {
        "id": f"chart-check-{i}",
        "kind": "bar",
        "title": f"{_res_name(check.resource_code)} ({check.unit}/{_('month')})",
        "unit": check.unit,
        "labels": [f"{mo:02d}/{y}" for y, mo in keys],
        "series": [
            {"name": _("Before implementation"), "data": before},
            {"name": _("After implementation"), "data": after},
        ],
    }


# -- GHG ---------------------------------------------------------------------------------------


def _pick_park(request):
    parks = parks_for(request.user).select_related("province").order_by("code")
    code = request.GET.get("park")
    if code:
        return get_object_or_404(parks, code=code), parks
    park = parks.first()
    if park is None:
        raise PermissionDenied(_("No park in your scope."))
    return park, parks


@login_required
def ghg_park(request):
    park, parks = _pick_park(request)
    from .dashboards import reference_year

    n_months = services.months_by_year([park.pk])
    years = sorted(n_months, reverse=True)
    from eiphub.web.params import year_param

    # a park without flows has no reference year: this year, shown empty (never year 0)
    year = year_param(request.GET.get("year")) or reference_year([park.pk]) or dt.date.today().year
    strict = request.GET.get("strict") == "1"
    inv = services.inventory_for([park.pk], years or [year], strict=strict)
    park_rows = {y: r for (_k, y), r in inv.rows("park").items()}
    row = park_rows.get(year)
    ent_rows = {k[0]: r for k, r in inv.rows("enterprise").items() if k[1] == year}
    visible = list(
        enterprises_for(request.user)
        .filter(park=park)
        .values("pk", "name_vi", "vsic", "revenue_vnd")
        .order_by("name_vi")
    )
    table = []
    for e in visible:
        r = ent_rows.get(str(e["pk"]))
        if r is None:
            continue
        prod = inv.product_t.get((str(e["pk"]), year))
        table.append(
            {
                "pk": e["pk"],
                "name": e["name_vi"],
                "vsic": e["vsic"],
                "row": r,
                "per_t": r.total_t / prod if prod else None,
            }
        )
    agg = Enterprise.objects.filter(park=park).aggregate(
        rev=Sum("revenue_vnd"), va=Sum("value_added_vnd")
    )
    product = sum(v for (e, y), v in inv.product_t.items() if y == year)
    ints = (
        intensities(
            row,
            revenue_bn_vnd=float(agg["rev"]) / 1e9 if agg["rev"] else None,
            value_added_bn_vnd=float(agg["va"]) / 1e9 if agg["va"] else None,
            product_t=product or None,
        )
        if row
        else {}
    )
    avoided = _avoided(park, year, inv, row)
    ys = sorted(park_rows)
    trend = {
        "kind": "stacked",
        "title": _("Emissions by scope (tCO2e)"),
        "unit": "tCO2e",
        "labels": [services.year_label(y, n_months.get(y, 12)) for y in ys],
        "series": [
            {"name": _("Scope 1"), "data": [round(park_rows[y].scope1_t, 1) for y in ys]},
            {"name": _("Scope 2"), "data": [round(park_rows[y].scope2_t, 1) for y in ys]},
        ],
    }
    by_fuel = None
    if row and row.combustion_by_fuel_t:
        fuels = sorted(row.combustion_by_fuel_t.items(), key=lambda kv: -kv[1])
        by_fuel = {
            "kind": "pie",
            "title": _("Scope 1 combustion by fuel (tCO2e)"),
            "unit": "tCO2e",
            "labels": [_res_name(c) for c, _v in fuels],
            "series": [{"name": "tCO2e", "data": [round(v, 2) for _c, v in fuels]}],
        }
    return render(
        request,
        "recp/ghg_park.html",
        {
            "park": park,
            "parks": parks,
            "year": year,
            "years": years,
            "strict": strict,
            "row": row,
            "fuels": [
                {"name": _res_name(c), "t": v}
                for c, v in sorted((row.combustion_by_fuel_t if row else {}).items())
            ],
            "gases": sorted((row.by_gas_t if row else {}).items()),
            "ints": ints,
            "table": table,
            "avoided": avoided,
            "trend": trend,
            "by_fuel": by_fuel,
            "factor_version": inv.inventory.factor_version,
            "gwp_set": inv.inventory.gwp_set,
            "solar_supplied": inv.solar_supplied_mwh.get((park.code, year)),
        },
    )


def _avoided(park, year, inv, row) -> dict:
    """Avoided emissions shown apart from the inventory: RECP measures implemented by the
    year, operating symbioses and shared rooftop solar."""
    if year is None:
        return {}
    recp = Measure.objects.filter(
        enterprise__park=park, status__in=IMPLEMENTED, implemented_on__year__lte=year
    ).aggregate(t=Sum("co2e_t_per_year"), n=Count("pk"))
    sym = Agreement.objects.filter(supplier__park=park, status="operating").aggregate(
        t=Sum("co2e_t_per_year"), n=Count("pk")
    )
    solar = inv.solar_supplied_mwh.get((park.code, year)) or 0.0
    factor = row.grid_factor if row and row.grid_factor else None
    return {
        "recp_t": recp["t"] or 0.0,
        "recp_n": recp["n"],
        "symbiosis_t": sym["t"] or 0.0,
        "symbiosis_n": sym["n"],
        "solar_mwh": solar,
        "solar_t": solar * factor if factor else None,
    }


@login_required
def ghg_enterprise(request, pk):
    ent = get_object_or_404(enterprises_for(request.user).select_related("park__province"), pk=pk)
    years = sorted({d.year for d in ent.flows.dates("period", "year")}, reverse=True)
    strict = request.GET.get("strict") == "1"
    inv = services.inventory_for_enterprise(ent, years, strict=strict)
    rows = []
    rev = float(ent.revenue_vnd) / 1e9 if ent.revenue_vnd else None
    va = float(ent.value_added_vnd) / 1e9 if ent.value_added_vnd else None
    for y in years:
        r = inv.inventory.get(str(ent.pk), y)
        if r is None:
            continue
        prod = inv.product_t.get((str(ent.pk), y))
        rows.append(
            {
                "year": y,
                "row": r,
                "ints": intensities(r, revenue_bn_vnd=rev, value_added_bn_vnd=va, product_t=prod),
                "fuels": [(_res_name(c), v) for c, v in sorted(r.combustion_by_fuel_t.items())],
            }
        )
    ys = [r["year"] for r in reversed(rows)]
    trend = {
        "kind": "stacked",
        "title": _("Emissions by scope (tCO2e)"),
        "unit": "tCO2e",
        "labels": [str(y) for y in ys],
        "series": [
            {"name": _("Scope 1"), "data": [round(inv.inventory.get(str(ent.pk), y).scope1_t, 2) for y in ys]},
            {"name": _("Scope 2"), "data": [round(inv.inventory.get(str(ent.pk), y).scope2_t, 2) for y in ys]},
        ],
    }  # fmt: skip
    return render(
        request,
        "recp/ghg_enterprise.html",
        {"ent": ent, "rows": rows, "trend": trend, "strict": strict},
    )


# -- programme results -------------------------------------------------------------------------


@login_required
def rollup(request):
    scope = parks_for(request.user)
    parks = request.GET.getlist("park")
    provinces = request.GET.getlist("province")
    years = sorted({y for y in (_int(v) for v in request.GET.getlist("year")) if y})
    result = services.rollup_for(request.user, parks or None, provinces or None, years or None)
    r = result.rollup
    lang = _lang()
    measure_years = sorted(
        {d.year for d in Measure.objects.filter(enterprise__park__in=scope).dates(
            "implemented_on", "year")}
        | {d.year for d in Measure.objects.filter(enterprise__park__in=scope).dates(
            "identified_on", "year")},
        reverse=True,
    )  # fmt: skip
    implemented_ids = [int(i) for i in r.records.get("measures_implemented", [])]
    top = (
        visible_measures(request.user)
        .filter(pk__in=implemented_ids)
        .select_related("enterprise__park")
        .order_by("-savings_vnd_per_year")[:50]
    )
    practice_labels = dict(Practice.choices)
    from .services import PRACTICE_TO_CORE

    core_to_model = {v: k for k, v in PRACTICE_TO_CORE.items()}
    by_practice = sorted(r.measures_by_practice.items(), key=lambda kv: -kv[1])
    charts = [
        {
            "id": "chart-status",
            "kind": "bar",
            "title": _("Measures by status"),
            "labels": [str(label) for _v, label in Status.choices],
            "series": [
                {"name": _("Measures"), "data": [r.measures_by_status.get(v, 0) for v in Status.values]}
            ],
        },
        {
            "id": "chart-practice",
            "kind": "pie",
            "title": _("Implemented measures by practice"),
            "labels": [str(practice_labels.get(core_to_model.get(p, p), p)) for p, _n in by_practice],
            "series": [{"name": _("Measures"), "data": [n for _p, n in by_practice]}],
        },
        {
            "id": "chart-parks",
            "kind": "bar",
            "title": _("Savings by park (billion VND per year)"),
            "labels": [p["code"] for p in result.parks],
            "series": [
                {"name": _("Savings"), "data": [round(p["savings_vnd_per_year"] / 1e9, 2) for p in result.parks]}
            ],
        },
    ]  # fmt: skip
    savings = [
        {"code": c, "name": _res_name(c), "qty": q, "unit": _unit(c)}
        for c, q in sorted(r.savings_by_resource.items())
    ]
    return render(
        request,
        "recp/rollup.html",
        {
            "r": r,
            "sentence": rollup_sentence(r, lang),
            "parks": result.parks,
            "scope_parks": scope.order_by("code").values("code", "name_vi"),
            "scope_provinces": Province.objects.filter(parks__in=scope).distinct(),
            "measure_years": measure_years,
            "sel": {"parks": parks, "provinces": provinces, "years": years},
            "top": top,
            "charts": charts,
            "savings": savings,
            "symbioses": _symbiosis_rows(request.user, r.records.get("symbioses_operating", [])),
            "implemented_ids": implemented_ids[:200],
        },
    )


def _symbiosis_rows(user, ids) -> list[dict]:
    """Operating symbioses with their parties named only as the exchange lets the user see them."""
    viewer = exchange.Viewer(user)
    qs = Agreement.objects.filter(pk__in=[int(i) for i in ids]).select_related(
        "supplier", "receiver", "match"
    )
    rows = []
    for a in qs:
        supplier, receiver = exchange.party_names(viewer, a)
        rows.append({"a": a, "supplier": supplier, "receiver": receiver})
    return rows


# -- decoupling --------------------------------------------------------------------------------


@login_required
def decoupling(request):
    park, parks = _pick_park(request)
    series, dec = services.decoupling_for(park)
    all_years = sorted(series)
    years = dec.years
    chart = {
        "kind": "line",
        "title": _("Indices (first year = 100)"),
        "labels": [str(y) for y in years],
        "series": [
            {"name": str(PRESSURE_LABEL[k]), "data": services.index_series(series, k)}
            for k in ("output", *services.PRESSURES)
        ],
    }
    productivity = {
        "kind": "line",
        "title": _("Resource productivity (t of product per unit)"),
        "labels": [str(y) for y in years],
        "series": [
            {
                "name": str(PRESSURE_LABEL[k]),
                "data": [
                    round(series[y]["output"] / series[y][k], 4)
                    if series[y].get("output") and series[y].get(k)
                    else None
                    for y in years
                ],
            }
            for k in services.PRESSURES
        ],
    }
    table = []
    for k in services.PRESSURES:
        periods = dec.periods.get(k, [])
        overall = dec.overall.get(k)
        table.append(
            {
                "label": PRESSURE_LABEL[k],
                "periods": [
                    {"p": p, "badge": FLAG_BADGE[p.flag], "label": FLAG_LABEL[p.flag]}
                    for p in periods
                ],
                "overall": overall
                and {"p": overall, "badge": FLAG_BADGE[overall.flag], "label": FLAG_LABEL[overall.flag]},
            }
        )  # fmt: skip
    return render(
        request,
        "recp/decoupling.html",
        {
            "park": park,
            "parks": parks,
            "years": years,
            "series": [{"year": y, **series[y]} for y in all_years],
            "min_months": services.MIN_MONTHS,
            "chart": chart,
            "productivity": productivity,
            "table": table,
            "period_years": [(a, b) for a, b in zip(years, years[1:], strict=False)],
        },
    )

"""Set-based read queries over flows (aggregations for pages and the API)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from eiphub.core.catalogue import default_catalogue

from .models import FlowRecord


def park_flows(park):
    return FlowRecord.objects.filter(park=park)


def latest_year(park) -> int | None:
    last = park_flows(park).order_by("-period").values_list("period", flat=True).first()
    return last.year if last else None


def park_monthly_by_group(park, year: int | None = None) -> list[dict]:
    """Monthly totals per (resource group, direction); groups with one unit only.

    Groups mix units (energy: kWh, t of fuel, GJ), so totals are per resource
    family whose canonical unit is shared: the first two levels of the code.
    """
    qs = park_flows(park)
    if year:
        qs = qs.filter(period__year=year)
    rows = (
        qs.values("period", "resource_code", "direction", "canonical_unit")
        .annotate(q=Sum("quantity_canonical"))
        .order_by("period")
    )
    out: dict[tuple, float] = defaultdict(float)
    for r in rows:
        family = ".".join(r["resource_code"].split(".")[:2])
        out[(r["period"], family, r["direction"], r["canonical_unit"])] += r["q"] or 0.0
    return [
        {"period": k[0], "group": k[1], "direction": k[2], "unit": k[3], "quantity": v}
        for k, v in sorted(out.items())
    ]


def park_totals_by_resource(park, year: int) -> list[dict]:
    qs = park_flows(park).filter(period__year=year)
    return list(
        qs.values("resource_code", "direction", "canonical_unit", "fate", "origin")
        .annotate(q=Sum("quantity_canonical"))
        .order_by("resource_code")
    )


def sankey(park, year: int, group: str, min_sector_size: int = 1) -> dict:
    """Sankey nodes/links for one resource group (energy, water, material...) of a park.

    Inputs flow from their origin (or the resource) into the park's sectors
    (VSIC division), outputs from the sectors to their fate.  Sectors with fewer than
    ``min_sector_size`` enterprises are pooled as "other sectors", so that a viewer
    who must not see single enterprises' flows cannot read them off a one-firm sector.
    """
    sizes: dict[str, int] = defaultdict(int)
    for vsic in park.enterprises.values_list("vsic", flat=True):
        sizes[vsic[:2]] += 1
    qs = (
        park_flows(park)
        .filter(period__year=year, resource_code__startswith=group)
        .values(
            "resource_code",
            "direction",
            "fate",
            "enterprise__vsic",
            "facility__kind",
            "canonical_unit",
        )
        .annotate(q=Sum("quantity_canonical"))
    )
    return sankey_from_rows(list(qs), sizes, min_sector_size)


def sankey_from_rows(rows: list[dict], sizes: dict, min_sector_size: int = 1) -> dict:
    """The Sankey of :func:`sankey` from its aggregated rows and the park's sector sizes
    (enterprises per VSIC division); shared with the stored park-year results."""
    cat = default_catalogue()
    # One unit per diagram: keep the dominant canonical unit of the group.
    by_unit: dict[str, float] = defaultdict(float)
    for r in rows:
        by_unit[r["canonical_unit"]] += r["q"] or 0
    if not by_unit:
        return {"nodes": [], "links": [], "unit": ""}
    unit = max(by_unit, key=by_unit.get)
    links: dict[tuple[str, str], float] = defaultdict(float)
    for r in rows:
        if r["canonical_unit"] != unit or not r["q"]:
            continue
        res = cat.get(r["resource_code"])
        rname = res.name_vi if res else r["resource_code"]
        division = (r["enterprise__vsic"] or "")[:2]
        if not division:
            sector = f"[{r['facility__kind']}]"
        elif sizes.get(division, 0) < min_sector_size:
            sector = "VSIC …"  # pooled small sectors
        else:
            sector = f"VSIC {division}"
        if r["direction"] == "in":
            links[(rname, sector)] += r["q"]
        else:
            links[(sector, f"→ {r['fate'] or 'khác'}")] += r["q"]
    names = sorted({n for k in links for n in k})
    return {
        "nodes": [{"name": n} for n in names],
        "links": [{"source": s, "target": t, "value": round(v, 3)} for (s, t), v in links.items()],
        "unit": unit,
    }


def completeness(park, year: int, today: dt.date | None = None) -> dict:
    """Which enterprises have not reported which months of ``year``."""
    today = today or dt.date.today()
    last_month = 12 if year < today.year else max(today.month - 1, 0)
    months = [dt.date(year, m, 1) for m in range(1, last_month + 1)]
    reported = defaultdict(set)
    for ent_id, period in (
        FlowRecord.objects.filter(park=park, enterprise__isnull=False, period__year=year)
        .annotate(m=TruncMonth("period"))
        .values_list("enterprise_id", "m")
        .distinct()
    ):
        reported[ent_id].add(period if isinstance(period, dt.date) else period.date())
    missing = []
    ents = list(park.enterprises.order_by("name_vi").values("id", "name_vi"))
    for e in ents:
        gaps = [m for m in months if m not in reported.get(e["id"], set())]
        if gaps:
            missing.append({"enterprise_id": e["id"], "name": e["name_vi"], "months": gaps})
    expected = len(ents) * len(months)
    done = sum(len(reported.get(e["id"], set()) & set(months)) for e in ents)
    return {
        "year": year,
        "months": months,
        "expected": expected,
        "reported": done,
        "share": (done / expected) if expected else None,
        "missing": missing,
    }


def enterprises_by_sector(park) -> list[dict]:
    rows = park.enterprises.values("vsic").annotate(n=Count("id")).order_by("-n")
    agg: dict[str, int] = defaultdict(int)
    for r in rows:
        agg[r["vsic"][:2]] += r["n"]
    return [{"division": k, "count": v} for k, v in sorted(agg.items(), key=lambda kv: -kv[1])]

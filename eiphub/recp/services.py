"""Database side of RECP, GHG, programme results, decoupling and peer benchmarks.

Every function here turns a scoped queryset into the plain inputs of the framework-free core
(:mod:`eiphub.core.ghg`, :mod:`eiphub.core.recp`, :mod:`eiphub.core.rollup`,
:mod:`eiphub.core.decoupling`) with a fixed number of aggregated queries: flows are summed
in SQL by (owner, resource, direction, year or month), never loaded row by row.  Callers pass
querysets from :mod:`eiphub.accounts.scoping`; nothing here decides who may see what.

Conventions (documented once, used by the pages and the API):

* Flow records carry canonical quantities (catalogue unit); enterprises are entity
  ``"<pk>"``, shared facilities ``"f<pk>"``.
* Electricity follows the flow-form convention of :mod:`eiphub.core.ghg`
  (``electricity_basis="consumption"``): an enterprise's grid in-flow is its total use and
  its own ``energy.electricity.solar`` in-flow is self-consumed rooftop solar, subtracted
  before the grid factor is applied.  A shared rooftop-solar facility's out-flow is solar
  generated in the park and delivered to its enterprises (``generated`` and ``out`` in the
  inventory): it carries no emissions and is shown as park solar supply.
* Grid factors: the UI and API use ``latest_grid=True`` by default so that a year without a
  published factor uses the latest earlier one *and says so* (``grid_factor_year``); with
  ``strict`` a missing year is a gap.  A missing fuel factor is always a gap.
* Months: an enterprise that reported GHG records in a year is expected to report every
  month of its tenancy in that year (:func:`expected_months`); fewer months is a
  ``missing_months`` gap, shown as ``n/12`` on the pages, and the row is incomplete.
* Purchased steam, heat and cooling are Scope 2 (factors and defaults in
  ``core/data/emission_factors.yaml``, ``purchased_thermal``).
* Production (``material.product`` out-flows, t) is the physical output used for intensities,
  claimed-vs-observed normalisation and decoupling.  Revenue and value added are the
  enterprise's latest reported yearly figures (one value per enterprise in the registry).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear

from eiphub.core import decoupling as core_decoupling
from eiphub.core.catalogue import default_catalogue
from eiphub.core.ghg import ActivityRecord, GapError, Inventory, compute_inventory, fuel_energy_gj
from eiphub.core.recp import IMPLEMENTED, RecpError, Saving, claimed_vs_observed
from eiphub.core.recp import Measure as CoreMeasure
from eiphub.core.rollup import EnterpriseRef, Selection, SymbiosisRef, programme_rollup
from eiphub.flows.models import FlowRecord
from eiphub.registry.models import Enterprise, Park, SharedFacility
from eiphub.registry.services import tenancy_months

from .models import Measure

PRODUCT = "material.product"
SOLAR = "energy.electricity.solar"
GHG_PREFIXES = ("energy.", "emission.")
# Model practice codes -> core vocabulary (eiphub.core.recp.PRACTICES).
PRACTICE_TO_CORE = {
    "housekeeping": "good_housekeeping",
    "input_substitution": "input_substitution",
    "process_control": "better_process_control",
    "equipment": "equipment_modification",
    "technology": "technology_change",
    "onsite_recovery": "onsite_recovery_reuse",
    "byproduct": "useful_byproducts",
    "product": "product_modification",
}
OUTPUT_GROUPS = ("waste", "byproduct", "emission")  # savings of these are less output
MIN_PEERS = 3


def _prefix_q(prefixes, field_name="resource_code") -> Q:
    q = Q()
    for p in prefixes:
        q |= Q(**{f"{field_name}__startswith": p})
    return q


def entity_id(enterprise_id=None, facility_id=None) -> str:
    return str(enterprise_id) if enterprise_id is not None else f"f{facility_id}"


def park_flows(parks):
    """Flows of enterprises and shared facilities of ``parks`` (a queryset or list of ids),
    on the denormalised park column (the (park, period) index)."""
    return FlowRecord.objects.filter(park__in=parks)


def flow_years(parks) -> list[int]:
    """Years with flows in ``parks``, newest first (one query)."""
    return sorted(months_by_year(parks), reverse=True)


# -- GHG inventory ----------------------------------------------------------------------------


@dataclass
class ParkInventory:
    """An inventory with the maps needed to aggregate it and to compute intensities."""

    inventory: Inventory
    entity_park: dict[str, str]  # entity -> park code
    park_province: dict[str, str]  # park code -> province code
    product_t: dict[tuple[str, int], float]  # (entity, year) -> t of product
    solar_supplied_mwh: dict[tuple[str, int], float]  # (park code, year) -> facility solar
    years: list[int]
    latest_grid: bool

    def rows(self, level: str) -> dict:
        return self.inventory.aggregate(level, self.entity_park, self.park_province)


def activity_records(
    flows, years, *, group_by_park: bool = False, park_code: dict | None = None
) -> tuple[list, dict, dict]:
    """Yearly activity records of ``flows`` (a FlowRecord queryset, e.g.
    :func:`park_flows`) in ``years`` (one aggregated query), the product
    output per (entity, year) and the shared-solar supply per (park code, year).  With
    ``group_by_park`` the entity is the park itself (its code): national tables then handle
    one row per park instead of one per enterprise.  ``park_code`` maps park ids to codes
    (the query groups by ids to spare joins)."""
    park_code = park_code or {}
    if group_by_park:
        keys = ("park_id", "facility__kind")
    else:
        keys = ("enterprise_id", "facility_id", "facility__kind", "park_id")
    base = flows.filter(_prefix_q(GHG_PREFIXES) | Q(resource_code=PRODUCT))

    def rows_of_years():
        # One aggregated query per year, filtered by a date range: extracting the year
        # per row (ExtractYear) runs a Python function per row on SQLite.
        for year in sorted(set(years)):
            qs = base.filter(period__gte=dt.date(year, 1, 1), period__lt=dt.date(year + 1, 1, 1))
            for r in (
                qs.values(*keys, "resource_code", "direction", "canonical_unit")
                .annotate(q=Sum("quantity_canonical"))
                .order_by()
            ):
                r["y"] = year
                yield r

    records, product, solar = [], defaultdict(float), defaultdict(float)
    for r in rows_of_years():
        if group_by_park:
            ent = park_code.get(r["park_id"])
        else:
            ent = entity_id(r["enterprise_id"], r["facility_id"])
        q, code, year = r["q"] or 0.0, r["resource_code"], r["y"]
        if code == PRODUCT:
            owner = (r["facility__kind"] is None) if group_by_park else r["enterprise_id"]
            if r["direction"] == "out" and owner:
                product[(ent, year)] += q
            continue
        unit = r["canonical_unit"]
        if r["facility__kind"] == "solar" and code == SOLAR and r["direction"] == "out":
            park = park_code.get(r["park_id"])
            solar[(park, year)] += q / 1000.0 if unit == "kWh" else q
            records.append(ActivityRecord(ent, code, "generated", q, unit, year))
        records.append(ActivityRecord(ent, code, r["direction"], q, unit, year))
    return records, dict(product), dict(solar)


def inventory_for(parks, years, *, strict: bool = False, group_by_park: bool = False):
    """GHG inventory of ``parks`` (queryset) for ``years`` as a :class:`ParkInventory`.
    Enterprise-level by default; ``group_by_park`` gives one entity per park (same totals
    except where one enterprise's solar exceeds its own use, which is then not clipped)."""
    years = sorted(set(int(y) for y in years))
    park_rows = list(
        Park.objects.filter(pk__in=_ids(parks)).values_list("pk", "code", "province__code")
    )
    records, product, solar = activity_records(
        park_flows(_ids(parks)),
        years,
        group_by_park=group_by_park,
        park_code={pk: code for pk, code, _p in park_rows},
    )
    expected, reported = {}, {}
    if not group_by_park:
        expected, reported = expected_months(
            tenancy_months(_ids(parks), years), records, park_flows(_ids(parks)), years
        )
    inv = compute_inventory(
        records,
        latest_grid=not strict,
        expected_months=expected or None,
        reported_months=reported or None,
    )
    park_province = {code: prov for _pk, code, prov in park_rows}
    if group_by_park:
        entity_park = {code: code for _pk, code, _p in park_rows}
    else:
        entity_park = {
            str(pk): code
            for pk, code in Enterprise.objects.filter(park__in=_ids(parks)).values_list(
                "pk", "park__code"
            )
        }
        entity_park.update(
            {
                f"f{pk}": code
                for pk, code in SharedFacility.objects.filter(park__in=_ids(parks)).values_list(
                    "pk", "park__code"
                )
            }
        )
    return ParkInventory(inv, entity_park, park_province, product, solar, years, not strict)


def inventory_for_enterprise(enterprise: Enterprise, years, *, strict: bool = False):
    """Inventory of one enterprise (its own flows only) as a :class:`ParkInventory`."""
    years = sorted(set(int(y) for y in years))
    flows = FlowRecord.objects.filter(enterprise=enterprise)
    records, product, _solar = activity_records(flows, years)
    tenancy = {
        k: v
        for k, v in tenancy_months([enterprise.park_id], years).items()
        if k[0] == enterprise.pk
    }
    expected, reported = expected_months(tenancy, records, flows, years)
    inv = compute_inventory(
        records,
        latest_grid=not strict,
        expected_months=expected or None,
        reported_months=reported or None,
    )
    park = enterprise.park
    return ParkInventory(
        inv,
        {str(enterprise.pk): park.code},
        {park.code: park.province.code},
        product,
        {},
        years,
        not strict,
    )


def expected_months(tenancy: dict, records, flows, years) -> tuple[dict, dict]:
    """Months expected ((entity, year) -> n, from tenancy) and months reported (distinct
    months with GHG records, one query) for the enterprises that reported GHG records in the
    year: a missing month is then a gap (n/12) instead of a zero."""
    active = {(r.entity_id, r.year) for r in records if not r.entity_id.startswith("f")}
    if not active:
        return {}, {}
    reported: dict = defaultdict(set)
    for ent, period in (
        flows.filter(
            _prefix_q(GHG_PREFIXES),
            enterprise__isnull=False,
            period__gte=dt.date(min(years), 1, 1),
            period__lt=dt.date(max(years) + 1, 1, 1),
        )
        .values_list("enterprise_id", "period")
        .distinct()
    ):
        reported[(str(ent), period.year)].add(period.month)
    expected = {}
    for (ent, _park, y), n in tenancy.items():
        key = (str(ent), y)
        if key in active:
            expected[key] = max(expected.get(key, 0), n)
    return expected, {k: len(v) for k, v in reported.items() if k in expected}


def _ids(parks):
    return parks.values("pk") if hasattr(parks, "values") else parks


# -- measures: DB -> core ----------------------------------------------------------------------


def core_measure(m: dict | Measure) -> CoreMeasure:
    """A core :class:`~eiphub.core.recp.Measure` from a model instance or a ``values()`` row
    (keys of the model fields; ``enterprise_id`` for the enterprise)."""
    get = m.get if isinstance(m, dict) else lambda k: getattr(m, k)
    cat = default_catalogue()
    savings = []
    for code, qty in (get("savings") or {}).items():
        res = cat.get(code)
        if res is not None and res.unit and qty is not None:
            savings.append(Saving(code, float(qty), res.unit))
    return CoreMeasure(
        id=str(get("id")),
        enterprise_id=str(get("enterprise_id")),
        title=get("title"),
        practice=PRACTICE_TO_CORE.get(get("practice"), get("practice")),
        status=get("status"),
        identified_on=get("identified_on"),
        implemented_on=get("implemented_on"),
        investment_vnd=float(get("investment_vnd") or 0),
        savings=tuple(savings),
        savings_vnd_per_year=float(get("savings_vnd_per_year") or 0),
        co2e_t_per_year=get("co2e_t_per_year"),
        assessed_by=get("assessed_by") or "",
    )


MEASURE_FIELDS = (
    "id", "enterprise_id", "title", "practice", "status", "identified_on", "implemented_on",
    "investment_vnd", "savings", "savings_vnd_per_year", "co2e_t_per_year", "assessed_by",
)  # fmt: skip


# -- programme roll-up -------------------------------------------------------------------------


@dataclass
class RollupResult:
    rollup: object  # eiphub.core.rollup.Rollup
    parks: list[dict]  # per park: code, name, enterprises, implementing, measures, ...
    skipped: list[str] = field(default_factory=list)  # measures the core rejected


def rollup_for(user, parks=None, provinces=None, years=None) -> RollupResult:
    """Programme results over the parks the user may see, narrowed to ``parks`` (codes) and
    ``provinces`` (codes) and to ``years`` (None = all).  Four queries whatever the size."""
    from eiphub.accounts.scoping import parks_for
    from eiphub.exchange.models import Agreement

    scope = parks_for(user)
    if parks:
        scope = scope.filter(code__in=list(parks))
    if provinces:
        scope = scope.filter(province__code__in=list(provinces))
    ents = list(
        Enterprise.objects.filter(park__in=scope).values_list(
            "pk", "park__code", "park__province__code", "name_vi"
        )
    )
    refs = [EnterpriseRef(str(pk), park, prov, name) for pk, park, prov, name in ents]
    measures, skipped = [], []
    for row in Measure.objects.filter(enterprise__park__in=scope).values(*MEASURE_FIELDS):
        try:
            measures.append(core_measure(row))
        except RecpError as exc:
            skipped.append(f"{row['id']}: {exc}")
    symbioses = [
        SymbiosisRef(
            id=str(a["pk"]),
            park_id=a["supplier__park__code"],
            status=a["status"],
            participants=(str(a["supplier_id"]), str(a["receiver_id"])),
            benefits_vnd_per_year=a["benefit_vnd_per_year"] or 0.0,
            co2e_t_per_year=a["co2e_t_per_year"] or 0.0,
            start_year=a["starts_on"].year if a["starts_on"] else None,
        )
        for a in Agreement.objects.filter(supplier__park__in=scope).values(
            "pk",
            "supplier__park__code",
            "status",
            "supplier_id",
            "receiver_id",
            "benefit_vnd_per_year",
            "co2e_t_per_year",
            "starts_on",
        )  # fmt: skip
    ]
    selection = Selection(years=frozenset(int(y) for y in years) if years else None)
    r = programme_rollup(measures, symbioses, refs, selection, latest_grid=True)
    r.warnings.extend(skipped)
    # Per-park drill-down from the records the roll-up counted.
    ent_park = {str(pk): park for pk, park, _p, _n in ents}
    by_id = {m.id: m for m in measures}
    keys = ("enterprises", "implementing", "identified", "implemented", "investment_vnd",
            "savings_vnd_per_year")  # fmt: skip
    per = defaultdict(lambda: dict.fromkeys(keys, 0))
    for code in ent_park.values():
        per[code]["enterprises"] += 1
    for mid in r.records.get("measures_identified", []):
        m = by_id[mid]
        p = per[ent_park[m.enterprise_id]]
        p["identified"] += 1
        if m.implemented:
            p["implemented"] += 1
            p["investment_vnd"] += m.investment_vnd
            p["savings_vnd_per_year"] += m.savings_vnd_per_year
    for eid in r.records.get("enterprises_implementing", []):
        per[ent_park[eid]]["implementing"] += 1
    names = dict(scope.values_list("code", "name_vi"))
    park_rows = [
        {"code": code, "name": names.get(code, code), **vals}
        | {
            "recp_share": vals["implementing"] / vals["enterprises"]
            if vals["enterprises"]
            else None
        }
        for code, vals in sorted(per.items())
    ]
    return RollupResult(r, park_rows, skipped)


# -- claimed vs observed ------------------------------------------------------------------------


def _direction_for(code: str) -> str:
    return "out" if code.split(".")[0] in OUTPUT_GROUPS else "in"


def monthly_flows(enterprise_id, codes, start: dt.date | None = None, end: dt.date | None = None):
    """{code: {(year, month): canonical quantity}} of each of ``codes`` (sub-resources
    included, direction "out" for wastes/by-products/emissions, else "in") and the monthly
    production (t of product), from one aggregated query."""
    cat = default_catalogue()
    qs = FlowRecord.objects.filter(enterprise_id=enterprise_id)
    if start:
        qs = qs.filter(period__gte=start)
    if end:
        qs = qs.filter(period__lte=end)
    prefixes = [c for c in codes] + [PRODUCT]
    rows = (
        qs.filter(_prefix_q(prefixes))
        .annotate(y=ExtractYear("period"), m=ExtractMonth("period"))
        .values("resource_code", "direction", "y", "m")
        .annotate(q=Sum("quantity_canonical"))
    )
    flows = {c: {} for c in codes}
    production: dict = {}
    for r in rows:
        key = (r["y"], r["m"])
        if r["resource_code"] == PRODUCT and r["direction"] == "out":
            production[key] = production.get(key, 0.0) + r["q"]
        for c in codes:
            if r["direction"] == _direction_for(c) and cat.is_a(r["resource_code"], c):
                flows[c][key] = flows[c].get(key, 0.0) + r["q"]
    return flows, production


def claimed_vs_observed_for(measure: Measure, window_months: int = 12) -> list:
    """One :class:`eiphub.core.recp.Check` per claimed saving of ``measure``: the monthly
    flows before/after the implementation month, normalised by production when the
    enterprise reports product output in both periods."""
    try:
        cm = core_measure(measure)
    except RecpError as exc:
        from eiphub.core.recp import Check

        return [Check(str(measure.pk), None, None, None, None, "insufficient_data",
                      explanation_en=str(exc), explanation_vi=str(exc))]  # fmt: skip
    codes = [s.resource_code for s in cm.savings]
    if not codes:
        return []
    flows, production = monthly_flows(measure.enterprise_id, codes)
    checks = []
    for code in codes:
        prod = production if _covers(production, cm, window_months) else None
        checks.append(claimed_vs_observed(cm, flows, prod, window_months, resource_code=code))
    return checks


def _covers(production: dict, cm: CoreMeasure, window: int) -> bool:
    if not production or not cm.implemented_on:
        return False
    start = cm.implemented_on.year * 12 + cm.implemented_on.month - 1
    before = sum(1 for y, m in production if start - window <= y * 12 + m - 1 < start)
    after = sum(1 for y, m in production if start < y * 12 + m - 1 <= start + window)
    need = math.ceil(0.75 * window)
    return before >= need and after >= need


# -- resource totals per enterprise (decoupling, peers) -----------------------------------------


def energy_gj(code: str, quantity: float, unit: str) -> float | None:
    """Energy content (GJ) of an energy in-flow; None when it cannot be converted."""
    try:
        return fuel_energy_gj(code, quantity, unit, default_catalogue())
    except GapError:
        return None


def resource_totals(flows_qs, by=("enterprise_id",), period="year") -> dict:
    """{(key..., year[, month]): {"energy_gj", "water_m3", "materials_t", "product_t"}} from
    one aggregated query over ``flows_qs``.  Energy: energy in-flows converted to GJ
    (self-consumed solar left out, it is inside the electricity use); water: water in-flows
    except wastewater; materials: material in-flows; product: product out-flows."""
    cat = default_catalogue()
    ann = {"y": ExtractYear("period")}
    if period == "month":
        ann["m"] = ExtractMonth("period")
    rows = (
        flows_qs.filter(_prefix_q(("energy.", "water.", "material.")))
        .annotate(**ann)
        .values(*by, "resource_code", "direction", "canonical_unit", *ann)
        .annotate(q=Sum("quantity_canonical"))
    )
    out: dict = defaultdict(lambda: defaultdict(float))
    for r in rows:
        key = tuple(r[k] for k in by) + tuple(r[k] for k in ann)
        code, d, q = r["resource_code"], r["direction"], r["q"] or 0.0
        t = out[key]
        if code == PRODUCT:
            if d == "out":
                t["product_t"] += q
        elif d != "in":
            continue
        elif code.startswith("energy."):
            if code != SOLAR:
                gj = energy_gj(code, q, r["canonical_unit"])
                if gj is not None:
                    t["energy_gj"] += gj
        elif code.startswith("water."):
            if not cat.is_a(code, "water.wastewater"):
                t["water_m3"] += q
        elif code.startswith("material."):
            t["materials_t"] += q
    return out


# -- decoupling ---------------------------------------------------------------------------------

PRESSURES = ("energy_gj", "water_m3", "materials_t", "emissions_t")


def decoupling_series(park: Park, *, strict: bool = False) -> dict[int, dict[str, float]]:
    """Yearly series of ``park``: output (t of product) and pressures, annualised over the
    months with data (a year with 6 reported months counts x 12/6) so that a partial first or
    current year does not fake a fall."""
    qs = park_flows([park.pk])
    months = months_by_year([park.pk])
    totals = resource_totals(qs, by=(), period="year")
    years = sorted(months)
    inv = inventory_for(Park.objects.filter(pk=park.pk), years, strict=strict)
    ghg = {year: row.total_t for (_k, year), row in inv.rows("park").items()}
    series = {}
    for year in years:
        scale = 12 / months[year]
        t = totals.get((year,), {})
        series[year] = {
            "output": (t.get("product_t") or 0.0) * scale or None,
            "energy_gj": (t.get("energy_gj") or 0.0) * scale or None,
            "water_m3": (t.get("water_m3") or 0.0) * scale or None,
            "materials_t": (t.get("materials_t") or 0.0) * scale or None,
            "emissions_t": (ghg.get(year) or 0.0) * scale or None,
            "months": months[year],
        }
    return series


MIN_MONTHS = 6  # a year with fewer reported months is shown but not analysed


def months_by_year(parks=None, flows=None) -> dict[int, int]:
    """{year: number of months with at least one flow} in ``parks`` or in the ``flows``
    queryset (one query)."""
    qs = flows if flows is not None else park_flows(parks)
    out: dict[int, int] = defaultdict(int)
    # periods are first days of months: DISTINCT on the column avoids a per-row date_trunc
    for d in qs.order_by().values_list("period", flat=True).distinct():
        out[d.year] += 1
    return dict(out)


def year_label(year: int, months: int) -> str:
    return str(year) if months >= 12 else f"{year} ({months}/12)"


def decoupling_for(park: Park, *, strict: bool = False):
    """(series, :class:`eiphub.core.decoupling.Decoupling`) of one park; years with fewer
    than ``MIN_MONTHS`` reported months stay in the series but out of the analysis."""
    series = decoupling_series(park, strict=strict)
    data = {
        y: {k: v for k, v in s.items() if k != "months"}
        for y, s in series.items()
        if s["months"] >= MIN_MONTHS
    }
    return series, core_decoupling.decoupling(data, "output", PRESSURES)


def index_series(series: dict, key: str) -> list[float | None]:
    """Values of ``key`` as an index, first analysed year with a value = 100."""
    years = sorted(y for y in series if series[y].get("months", 12) >= MIN_MONTHS)
    base = next((series[y][key] for y in years if series[y].get(key)), None)
    return [
        round(series[y][key] / base * 100, 1) if base and series[y].get(key) else None
        for y in years
    ]


# -- peer benchmarks ------------------------------------------------------------------------------


@dataclass
class PeerStat:
    metric: str  # "energy" | "water"
    unit: str
    value: float | None
    percentile: float | None  # share (0-100) of peers more intensive than... see below
    median: float | None
    peers: int
    message: str = ""


def peer_percentiles(enterprise: Enterprise, year: int) -> list[PeerStat]:
    """Energy and water intensity of ``enterprise`` in ``year`` against the other enterprises
    of its park in the same VSIC division, per tonne of product when the enterprise reports
    product output, else per billion VND of revenue.  Returns only the percentile rank
    (0 = least intensive, 100 = most; ties count half) and the peer median: never peer names or
    identifiers.  With fewer than ``MIN_PEERS`` comparable peers it says so instead."""
    division = enterprise.vsic[:2]
    peers = Enterprise.objects.filter(park_id=enterprise.park_id, vsic__startswith=division)
    revenue = dict(peers.values_list("pk", "revenue_vnd"))
    totals = resource_totals(
        FlowRecord.objects.filter(enterprise__in=peers.values("pk"), period__year=year),
        by=("enterprise_id",),
    )
    own = totals.get((enterprise.pk, year), {})
    per_product = (own.get("product_t") or 0) > 0
    out = []
    for metric, key, unit_p, unit_r in (
        ("energy", "energy_gj", "GJ/t", "GJ/billion VND"),
        ("water", "water_m3", "m3/t", "m3/billion VND"),
    ):
        values = {
            pk: _intensity(totals.get((pk, year), {}), key, per_product, revenue.get(pk))
            for pk in revenue
        }
        mine = values.pop(enterprise.pk, None)
        others = sorted(v for v in values.values() if v is not None)
        unit = unit_p if per_product else unit_r
        if mine is None:
            out.append(PeerStat(metric, unit, None, None, None, len(others),
                                "no_own_data"))  # fmt: skip
            continue
        if len(others) < MIN_PEERS:
            out.append(PeerStat(metric, unit, mine, None, None, len(others),
                                "too_few_peers"))  # fmt: skip
            continue
        below = sum(1 for v in others if v < mine)
        ties = sum(1 for v in others if v == mine)
        pct = 100.0 * (below + 0.5 * ties) / len(others)
        out.append(PeerStat(metric, unit, mine, pct, _median(others), len(others)))
    return out


def _intensity(t: dict, key: str, per_product: bool, revenue) -> float | None:
    if not t.get(key):
        return None
    if per_product:
        return t[key] / t["product_t"] if t.get("product_t") else None
    return t[key] / (float(revenue) / 1e9) if revenue else None


def _median(values: list[float]) -> float:
    n = len(values)
    mid = n // 2
    return values[mid] if n % 2 else (values[mid - 1] + values[mid]) / 2


# -- small set-based summaries used by dashboards ------------------------------------------------


def recp_share_by_park(parks) -> dict[int, dict]:
    """{park pk: {"enterprises", "implementing", "share"}} (two queries)."""
    n = dict(
        Enterprise.objects.filter(park__in=parks)
        .values("park_id")
        .annotate(n=Count("pk"))
        .values_list("park_id", "n")
    )
    impl = dict(
        Measure.objects.filter(enterprise__park__in=parks, status__in=IMPLEMENTED)
        .values("enterprise__park_id")
        .annotate(n=Count("enterprise_id", distinct=True))
        .values_list("enterprise__park_id", "n")
    )
    return {
        pk: {
            "enterprises": total,
            "implementing": impl.get(pk, 0),
            "share": impl.get(pk, 0) / total if total else None,
        }  # fmt: skip
        for pk, total in n.items()
    }


def completeness_by_park(parks, year: int, today: dt.date | None = None) -> dict[int, float]:
    """{park pk: share of enterprise-months of ``year`` with at least one flow} (two queries:
    one row per reporting enterprise, not per flow)."""
    today = today or dt.date.today()
    months = 12 if year < today.year else max(today.month - 1, 0)
    if months == 0:
        return {}
    n = dict(
        Enterprise.objects.filter(park__in=parks)
        .values("park_id")
        .annotate(n=Count("pk"))
        .values_list("park_id", "n")
    )
    # distinct (enterprise, month) pairs: count per enterprise, then sum per park
    per_ent = (
        FlowRecord.objects.filter(park__in=parks, enterprise__isnull=False, period__year=year)
        .values("enterprise_id", "park_id")
        .annotate(m=Count("period", distinct=True))
    )
    done: dict[int, int] = defaultdict(int)
    for r in per_ent:
        done[r["park_id"]] += min(r["m"], months)
    return {pk: done.get(pk, 0) / (total * months) for pk, total in n.items() if total}

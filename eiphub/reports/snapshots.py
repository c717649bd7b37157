"""Build the criteria engine's snapshots (``eiphub.indicators.data``) from the database.

Set-based: a fixed number of aggregated queries per park (or enterprise), whatever the number
of enterprises, measures or flow rows; the previous ``history_years`` years are loaded in the
same queries and split into ``snapshot.history`` for trends.  Accepted annual reports of older
years give ``prior_values``.

Vocabulary mapping from the flow form to the engine:
- fate ``energy_recovery`` -> ``recovered``, ``discharge`` -> ``discharged``; ``reused`` or
  ``sold`` outputs whose counterparty is an enterprise of the same park -> ``symbiosis``;
- origin ``own`` -> ``onsite``, ``other_enterprise`` -> ``symbiosis`` (same park) or
  ``other_enterprise``;
- RECP status ``identified`` -> ``proposed``; ``verified`` -> ``implemented`` with
  ``verified=True``; an implemented measure whose ``savings`` are empty and whose VND savings
  are 0 has no savings figures (missing data, not "no savings");
- an exchange agreement is a symbiosis; its realised quantity is the sum of its exchange
  records in the year (None when it never recorded any); its status in a year comes from
  its dated status history (``AgreementStatusChange``), not from today's status.

History (issue 12): the enterprises of a year are the park's tenants in that year
(``registry.Tenancy``; an enterprise without tenancy rows is a tenant of its park in every
year), so an enterprise that entered later, or left earlier, changes no figure of that
year.  A symbiosis belongs to a park's year when one of its participants is a tenant then
(the cross-park rule); participants elsewhere are loaded as ``partners`` with their
certificates and ISO declarations.  ``months`` gives each tenant's reported and expected
months (GHG records) for the inventory-based criteria.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Case, F, Q, Sum, Value, When
from django.db.models.functions import ExtractYear

from eiphub.exchange.models import Agreement, AgreementStatusChange, ExchangeRecord
from eiphub.flows.models import FlowRecord
from eiphub.indicators import data as d
from eiphub.recp.models import Measure
from eiphub.registry.models import Certificate, Enterprise, Park, SharedFacility
from eiphub.registry.services import months_of_periods, tenancy_periods

from .models import AnnualReport, ContextTarget, Declaration, ReportStatus

HISTORY_YEARS = 3
COMPLIANCE_CODE = "compliance_ok"
ISO_APPLIED_PREFIX = "iso_applied:"  # declaration "iso_applied:ISO 14001" = applies it
GHG_PREFIXES = ("energy.", "emission.")
FATES = {"energy_recovery": "recovered", "discharge": "discharged"}
ORIGINS = {"own": "onsite"}
RECP_STATUS = {"identified": "proposed", "verified": "implemented"}


def _f(x):
    return None if x is None else float(x)


def _years(year: int, history_years: int) -> list[int]:
    return list(range(year - history_years, year + 1))


def _enterprise_infos(ents: Q, years: list[int]) -> dict[int, dict[int, d.EnterpriseInfo]]:
    """EnterpriseInfo per year (compliance is declared per year) for the enterprises in ents."""
    rows = list(
        Enterprise.objects.filter(ents)
        .order_by("name_vi")
        .values(
            "id",
            "name_vi",
            "vsic",
            "workers_total",
            "workers_female",
            "has_grievance_procedure",
            "publishes_information",
            "gender_equality_practice",
            "anti_harassment_rules",
            "revenue_vnd",
            "value_added_vnd",
        )
    )
    ids = [r["id"] for r in rows]
    certs = defaultdict(list)
    for c in Certificate.objects.filter(enterprise_id__in=ids).values(
        "enterprise_id", "standard", "other_name", "valid_from", "valid_to"
    ):
        standard = c["other_name"] if c["standard"] == "other" else c["standard"]
        certs[c["enterprise_id"]].append(d.Certificate(standard, c["valid_from"], c["valid_to"]))
    compliance, applied = {}, defaultdict(dict)
    for c in Declaration.objects.filter(
        Q(code=COMPLIANCE_CODE) | Q(code__startswith=ISO_APPLIED_PREFIX),
        enterprise_id__in=ids,
        year__in=years,
    ).values("enterprise_id", "year", "code", "value", "evidence"):
        key = (c["enterprise_id"], c["year"])
        if c["code"] == COMPLIANCE_CODE:
            compliance[key] = c["value"]
        elif c["value"]:  # applies the standard; counts only with evidence documents
            docs = [x.strip() for x in (c["evidence"] or "").splitlines() if x.strip()]
            applied[key][c["code"][len(ISO_APPLIED_PREFIX) :]] = docs
    out: dict[int, dict[int, d.EnterpriseInfo]] = {}
    for y in years:
        out[y] = {}
        for r in rows:
            flag = compliance.get((r["id"], y))
            out[y][r["id"]] = d.EnterpriseInfo(
                id=r["id"],
                name=r["name_vi"],
                sector_vsic=r["vsic"],
                workers_total=r["workers_total"],
                workers_female=r["workers_female"],
                has_grievance_procedure=r["has_grievance_procedure"],
                publishes_information=r["publishes_information"],
                gender_equality_practice=r["gender_equality_practice"],
                anti_harassment_rules=r["anti_harassment_rules"],
                iso_certificates=certs.get(r["id"], []),
                iso_applied=applied.get((r["id"], y), {}),
                compliance_ok=None if flag is None else bool(flag),
                revenue_vnd=_f(r["revenue_vnd"]),
                value_added_vnd=_f(r["value_added_vnd"]),
            )
    return out


def _measures(ents: Q) -> list[d.RecpMeasure]:
    out = []
    for m in (
        Measure.objects.filter(enterprise__in=Enterprise.objects.filter(ents))
        .order_by("enterprise_id", "pk")
        .values("id", "enterprise_id", "status", "implemented_on", "savings", "title")
        .annotate(vnd=F("savings_vnd_per_year"))
    ):
        savings = {k: float(v) for k, v in (m["savings"] or {}).items() if v is not None}
        vnd = _f(m["vnd"]) or None  # 0 is the form's default: no figure
        out.append(
            d.RecpMeasure(
                id=m["id"],
                enterprise_id=m["enterprise_id"],
                status=RECP_STATUS.get(m["status"], m["status"]),
                implemented_on=m["implemented_on"],
                savings=savings,
                savings_vnd=vnd,
                verified=m["status"] == "verified",
                title=m["title"],
            )
        )
    return out


def _flows(park: Park | None, owner: Q, years: list[int], split: bool = False):
    """Yearly totals per owner, resource, direction, mapped origin and fate; with ``split``,
    ``{park id: totals}`` of the parks in ``owner`` (one query either way)."""
    in_park = Q(counterparty__park_id=F("park_id"))
    qs = (
        FlowRecord.objects.filter(owner, period__year__gte=years[0], period__year__lte=years[-1])
        .annotate(
            y=ExtractYear("period"),
            cp_in_park=Case(When(in_park, then=Value(True)), default=Value(False)),
        )
        .values(
            "y",
            "park_id",
            "enterprise_id",
            "facility_id",
            "facility__name",
            "resource_code",
            "direction",
            "origin",
            "fate",
            "canonical_unit",
            "cp_in_park",
        )
        .annotate(q=Sum("quantity_canonical"))
        .order_by()
    )
    merged: dict[tuple, d.FlowTotal] = {}
    for r in qs:
        fate, origin = FATES.get(r["fate"], r["fate"]), ORIGINS.get(r["origin"], r["origin"])
        if r["cp_in_park"] and r["direction"] == "out" and r["fate"] in ("reused", "sold"):
            fate = "symbiosis"
        if r["origin"] == "other_enterprise":
            origin = "symbiosis" if r["cp_in_park"] else "other_enterprise"
        key = (r["park_id"], r["y"], r["enterprise_id"], r["facility_id"], r["resource_code"])
        key += (r["direction"],)
        key += (origin, fate, r["canonical_unit"])
        if key in merged:
            merged[key].quantity += r["q"]
            continue
        merged[key] = d.FlowTotal(
            enterprise_id=r["enterprise_id"],
            resource_code=r["resource_code"],
            direction=r["direction"],
            quantity=r["q"],
            unit=r["canonical_unit"],
            year=r["y"],
            facility=r["facility__name"] or "",
            fate=fate,
            origin=origin,
        )
    if split:
        out: dict[int, list[d.FlowTotal]] = defaultdict(list)
        for key, total in merged.items():
            out[key[0]].append(total)
        return out
    return list(merged.values())


def _facilities(park_ids, years: list[int]) -> list[d.FacilityTotal]:
    """Central WWTP and rooftop-solar yearly figures from the facilities' flow records."""
    m3 = Q(canonical_unit="m3")
    qs = (
        FlowRecord.objects.filter(
            park_id__in=park_ids,
            facility__kind__in=("wwtp", "solar"),
            period__year__gte=years[0],
            period__year__lte=years[-1],
        )
        .annotate(y=ExtractYear("period"))
        .values("y", "facility_id", "facility__kind", "facility__name")
        .annotate(
            inflow=Sum("quantity_canonical", filter=m3 & Q(direction="in")),
            inflow_domestic=Sum(
                "quantity_canonical",
                filter=m3
                & Q(direction="in", resource_code__startswith="water.wastewater.domestic"),
            ),
            outflow=Sum("quantity_canonical", filter=m3 & Q(direction="out")),
            reused=Sum(
                "quantity_canonical",
                filter=m3
                & Q(direction="out")
                & (Q(resource_code__startswith="water.reclaimed") | Q(fate="reused")),
            ),
            solar=Sum(
                "quantity_canonical",
                filter=Q(resource_code="energy.electricity.solar", direction="out"),
            ),
        )
        .order_by("facility_id", "y")
    )
    out = []
    for r in qs:
        wwtp = r["facility__kind"] == "wwtp"
        out.append(
            d.FacilityTotal(
                id=r["facility_id"],
                kind=r["facility__kind"],
                year=r["y"],
                name=r["facility__name"],
                inflow_m3=r["inflow"] if wwtp else None,
                inflow_domestic_m3=(r["inflow_domestic"] or 0.0) if wwtp else None,
                outflow_m3=r["outflow"] if wwtp else None,
                reused_m3=(r["reused"] or 0.0) if wwtp else None,
                generation_kwh=None if wwtp else (r["solar"] or 0.0),
            )
        )
    return out


def _symbioses(parties: Q, years: list[int]) -> dict[int, list[d.Symbiosis]]:
    """Exchange agreements as symbioses, per year (realised quantity differs by year)."""
    agreements = list(
        Agreement.objects.filter(parties)
        .order_by("pk")
        .values(
            "id",
            "supplier_id",
            "receiver_id",
            "resource_code",
            "status",
            "starts_on",
            "ends_on",
            "unit",
        )
    )
    realised = {
        (r["agreement_id"], r["y"]): r["q"]
        for r in ExchangeRecord.objects.filter(agreement_id__in=[a["id"] for a in agreements])
        .annotate(y=ExtractYear("period"))
        .values("agreement_id", "y")
        .annotate(q=Sum("quantity"))
        .order_by()
    }
    ever = {a for a, _y in realised}
    history = defaultdict(list)
    for h in AgreementStatusChange.objects.filter(
        agreement_id__in=[a["id"] for a in agreements]
    ).values_list("agreement_id", "on", "status"):
        history[h[0]].append((h[1] or date.min, h[2]))
    out = {}
    for y in years:
        out[y] = [
            d.Symbiosis(
                id=a["id"],
                participants=[a["supplier_id"], a["receiver_id"]],
                resource_code=a["resource_code"],
                status=a["status"],
                started_on=a["starts_on"],
                ended_on=a["ends_on"],
                realised_quantity=realised.get((a["id"], y), 0.0 if a["id"] in ever else None),
                unit=a["unit"],
                status_history=history.get(a["id"], []),
            )
            for a in agreements
        ]
    return out


def _declarations(subject: Q, years: list[int], by: str = ""):
    """{year: {code: Declaration}}; with ``by`` (a column such as ``park_id``), one such
    dict per value of the column."""
    split: dict = defaultdict(lambda: {y: {} for y in years})
    rows = Declaration.objects.filter(subject, year__in=years).exclude(code=COMPLIANCE_CODE)
    for row in rows:
        out = split[getattr(row, by) if by else None]
        out[row.year][row.code] = d.Declaration(row.value, row.documents, row.note)
    return split if by else split[None]


def _prior_values(subject: Q, before: int, by: str = ""):
    """Reported values of accepted reports of years before the loaded history (per value of
    the column ``by`` when given)."""
    split: dict = defaultdict(dict)
    for rep in AnnualReport.objects.filter(
        subject, status=ReportStatus.ACCEPTED, year__lt=before
    ).order_by("year", "pk"):
        split[getattr(rep, by) if by else None].setdefault(rep.year, {}).update(rep.values or {})
    return split if by else split[None]


def context_targets(park: Park, pack, rows=None) -> list[d.ContextTarget]:
    """The board's targets for this park and pack, as engine context targets (``rows``: the
    park's ContextTarget rows of the pack ordered by code and pk, when already loaded)."""
    out = []
    if rows is None:
        rows = ContextTarget.objects.filter(park=park, pack_id=pack.id).order_by("code", "pk")
    for t in rows:
        crit = pack.criterion(t.code)
        if crit is None:
            continue
        out.append(
            d.ContextTarget(
                code=f"{t.code} ({t.comparison} {t.threshold:g})",
                name_vi=crit.name_vi,
                name_en=crit.name_en,
                threshold=t.threshold,
                comparison=t.comparison,
                criterion=t.code,
                unit=crit.unit,
                basis=t.rationale,
                source="context target",
            )
        )
    return out


def build_park_snapshot(
    park: Park, year: int, history_years: int = HISTORY_YEARS, as_of: date | None = None
) -> d.ParkSnapshot:
    """ParkSnapshot of ``park`` for ``year`` with the previous years in ``history``."""
    return build_park_snapshots([park], year, history_years, as_of)[park.pk]


def build_park_snapshots(
    parks, year: int, history_years: int = HISTORY_YEARS, as_of: date | None = None
) -> dict[int, d.ParkSnapshot]:
    """{park id: ParkSnapshot} of ``parks`` (Park instances) for ``year``: the same snapshots
    as :func:`build_park_snapshot`, built with one query per table for all the parks.

    The enterprises of a park's year are its tenants in that year (tenancy periods); a
    symbiosis belongs to a park's year when one of its participants is a tenant then, and
    participants elsewhere are loaded as ``partners``."""
    parks = list(parks)
    pids = [p.pk for p in parks]
    years = _years(year, history_years)
    periods = tenancy_periods(pids)
    members = _tenants_by_park(periods, years, pids)
    ids = {e for by_year in members.values() for s in by_year.values() for e in s}
    ents = Q(pk__in=ids)
    measures = _measures(ents)
    flows = _flows(None, Q(park_id__in=pids), years, split=True)
    fac_park = dict(SharedFacility.objects.filter(park_id__in=pids).values_list("pk", "park_id"))
    facilities: dict[int, list] = defaultdict(list)
    for f in _facilities(pids, years):
        facilities[fac_park[f.id]].append(f)
    all_symbioses = _symbioses(Q(supplier_id__in=ids) | Q(receiver_id__in=ids), years)
    symbioses = {
        pk: {
            y: [s for s in all_symbioses[y] if set(s.participants) & members[pk][y]] for y in years
        }
        for pk in pids
    }
    outside = {p for y in years for s in all_symbioses[y] for p in s.participants} - ids
    infos = _enterprise_infos(ents | Q(pk__in=outside), years)
    declared = _declarations(Q(park_id__in=pids), years, by="park_id")
    prior = _prior_values(Q(park_id__in=pids, enterprise__isnull=True), years[0], by="park_id")
    months = _months_many(ids, years, members, periods)
    out = {}
    for park in parks:
        info = d.ParkInfo(
            code=park.code,
            name=park.name_vi,
            total_area_ha=_f(park.total_area_ha),
            industrial_land_ha=_f(park.industrial_land_ha),
            green_area_ha=_f(park.green_area_ha),
            established_on=park.established_on,
            province=park.province.name,
            region=park.province.region,
        )
        park_flows = flows.get(park.pk, [])

        def snap(y, park=park, info=info, park_flows=park_flows, **kw):
            tenants = members[park.pk][y]
            syms = symbioses[park.pk][y]
            return d.ParkSnapshot(
                park=info,
                year=y,
                enterprises=[e for e in infos[y].values() if e.id in tenants],
                recp_measures=[m for m in measures if m.enterprise_id in tenants],
                flows=[
                    f
                    for f in park_flows
                    if f.year == y and (f.enterprise_id is None or f.enterprise_id in tenants)
                ],
                facilities=[f for f in facilities[park.pk] if f.year == y],
                symbioses=syms,
                declared=declared[park.pk][y],
                months={e: m for (pk, e, yy), m in months.items() if pk == park.pk and yy == y},
                partners=[
                    infos[y][p]
                    for p in sorted({p for s in syms for p in s.participants} - tenants)
                    if p in infos[y]
                ],
                **kw,
            )

        out[park.pk] = snap(
            year,
            history={y: snap(y) for y in years[:-1]},
            prior_values=prior[park.pk],
            as_of=as_of,
        )
    return out


def _tenants_by_park(periods, years: list[int], pids) -> dict[int, dict[int, set[int]]]:
    """{park id: {year: ids of the park's tenants in that year}} (whole calendar years)."""
    full = months_of_periods(periods, years, today=date(years[-1] + 1, 1, 1))
    out: dict[int, dict[int, set[int]]] = {pk: {y: set() for y in years} for pk in pids}
    for ent, park, y in full:
        if park in out:
            out[park][y].add(ent)
    return out


def _months_many(ids, years, members, periods) -> dict[tuple[int, int, int], tuple[int, int]]:
    """{(park, enterprise, year): (months with GHG records, months expected from tenancy)}
    for the tenants that reported GHG records in the year (the inventory's month rule)."""
    expected = months_of_periods(periods, years)
    q = Q()
    for p in GHG_PREFIXES:
        q |= Q(resource_code__startswith=p)
    reported: dict = defaultdict(set)
    for ent, period in (
        FlowRecord.objects.filter(
            q,
            enterprise_id__in=ids,
            period__gte=date(years[0], 1, 1),
            period__lt=date(years[-1] + 1, 1, 1),
        )  # fmt: skip
        .values_list("enterprise_id", "period")
        .distinct()
    ):
        reported[(ent, period.year)].add(period.month)
    out = {}
    for pk, by_year in members.items():
        for (ent, y), got in reported.items():
            n = expected.get((ent, pk, y))
            if n and ent in by_year.get(y, ()):
                out[(pk, ent, y)] = (len(got), n)
    return out


def build_enterprise_snapshot(
    enterprise: Enterprise,
    year: int,
    history_years: int = HISTORY_YEARS,
    as_of: date | None = None,
) -> d.EnterpriseSnapshot:
    """EnterpriseSnapshot of ``enterprise`` for ``year`` with previous years in ``history``."""
    years = _years(year, history_years)
    ents = Q(pk=enterprise.pk)
    infos = _enterprise_infos(ents, years)
    measures = _measures(ents)
    flows = _flows(enterprise.park, Q(enterprise_id=enterprise.pk), years)
    symbioses = _symbioses(Q(supplier_id=enterprise.pk) | Q(receiver_id=enterprise.pk), years)
    declared = _declarations(Q(enterprise_id=enterprise.pk), years)
    periods = [p for p in tenancy_periods([enterprise.park_id]) if p[0] == enterprise.pk]
    members = {enterprise.park_id: {y: {enterprise.pk} for y in years}}
    months = {
        (e, y): m
        for (_p, e, y), m in _months_many({enterprise.pk}, years, members, periods).items()
    }

    def snap(y, **kw):
        return d.EnterpriseSnapshot(
            enterprise=infos[y][enterprise.pk],
            year=y,
            park_code=enterprise.park.code,
            recp_measures=measures,
            flows=[f for f in flows if f.year == y],
            symbioses=symbioses[y],
            declared=declared[y],
            months={e: m for (e, yy), m in months.items() if yy == y},
            **kw,
        )

    return snap(
        year,
        history={y: snap(y) for y in years[:-1]},
        prior_values=_prior_values(Q(enterprise_id=enterprise.pk), years[0]),
        as_of=as_of,
    )

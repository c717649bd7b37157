"""Links: how an offered resource can serve a wanted resource (directly, through the
catalogue hierarchy, or through a pathway of the knowledge base), with the
figures a pair of listings inherits (conversion ratio, prices, CO2, distance cap)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from eiphub.core.catalogue import Catalogue
from eiphub.core.transport import TransportLimits, default_transport_limits
from eiphub.core.units import UnitError, compatible, convert

from ..pathways import Pathway, PathwaySet
from .model import MatchParams

TEXT_PREFIX = "text:"


@dataclass(frozen=True)
class _Link:
    id: int
    order: int  # 0 = direct or text, i + 1 = i-th pathway of the file (tie-break)
    kind: str  # direct | pathway | text
    offer_code: str
    want_code: str
    pathway: Pathway | None
    relation: str  # same | narrower | broader | text
    sem: float  # semantic confidence 0..1
    ratio: float  # want units covered per offer unit
    max_share: float
    max_km: float
    licence: str
    processing: float  # VND per offer unit
    purchase: float  # VND per want unit (default)
    disposal: float  # VND per offer unit (default)
    transport: float  # VND per offer unit and km
    co2: float  # tCO2e per offer unit
    truck_t: float  # t per offer unit moved by road
    landfill_t: float  # t diverted per offer unit
    water_offer: float  # m3 saved per offer unit
    water_covered: float  # m3 saved per want unit covered
    heat_want: bool  # the want's temperature is a supply-temperature requirement


def _depth(code: str) -> int:
    return code.count(".") + 1


def _mass_t(unit: str | None, density: float | None) -> float:
    if not unit:
        return 0.0
    try:
        return convert(1.0, unit, "t", density_kg_per_m3=density)
    except UnitError:
        return 0.0


class _Links:
    """Builds and caches links between resource keys (catalogue codes or text keys)."""

    def __init__(
        self,
        catalogue: Catalogue,
        pathways: PathwaySet,
        params: MatchParams,
        limits: TransportLimits | None = None,
    ):
        self.cat = catalogue
        self.limits = limits or default_transport_limits()
        self.ps = pathways
        self.params = params
        self.links: list[_Link] = []
        self._cache: dict[tuple, _Link | None] = {}
        self._pair: dict[tuple[str, str], list[_Link]] = {}
        self.text_units: dict[str, str] = {}
        self._pw_index: dict[str, list[int]] | None = None

    # -- relations (the semantics both matchers share) --
    def related_direct(self, a: str, b: str) -> bool:
        return a == b or self.cat.is_a(a, b) or (_depth(a) >= 2 and self.cat.is_a(b, a))

    def related_to(self, b: str, t: str) -> bool:
        return self.cat.is_a(b, t) or (_depth(b) >= 2 and self.cat.is_a(t, b))

    # -- brute-force derivation: scan everything --
    def pair_links(self, a: str, b: str) -> list[_Link]:
        key = (a, b)
        if key not in self._pair:
            out = []
            if a.startswith(TEXT_PREFIX) or b.startswith(TEXT_PREFIX):
                if a == b:
                    out.append(self.make(a, b, None))
            else:
                if self.related_direct(a, b):
                    out.append(self.make(a, b, None))
                for p in self.ps:
                    if any(self.cat.is_a(a, f) for f in p.from_codes) and any(
                        self.related_to(b, t) for t in p.to_codes
                    ):
                        out.append(self.make(a, b, p))
            self._pair[key] = [x for x in out if x is not None]
        return self._pair[key]

    # -- indexed derivation: walk the hierarchy from the offer --
    def _pathways_from(self, a: str) -> list[int]:
        if self._pw_index is None:
            idx: dict[str, list[int]] = defaultdict(list)
            for i, p in enumerate(self.ps.pathways):
                covered = set()
                for f in p.from_codes:
                    covered.update([f, *self.cat.descendants(f)])
                for c in covered:
                    idx[c].append(i)
            self._pw_index = {c: sorted(v) for c, v in idx.items()}
        return self._pw_index.get(a, [])

    def targets(self, a: str, want_codes) -> list[_Link]:
        out: list[_Link] = []
        if a.startswith(TEXT_PREFIX):
            link = self.make(a, a, None) if a in want_codes else None
            return [link] if link else []
        if a not in self.cat:
            return out
        direct = [a, *self.cat.ancestors(a)]
        if _depth(a) >= 2:
            direct += self.cat.descendants(a)
        for b in dict.fromkeys(direct):
            if b in want_codes:
                link = self.make(a, b, None)
                if link:
                    out.append(link)
        for i in self._pathways_from(a):
            p = self.ps.pathways[i]
            seen = set()
            for t in p.to_codes:
                up = [x for x in self.cat.ancestors(t) if _depth(x) >= 2]
                for b in (t, *self.cat.descendants(t), *up):
                    if b in want_codes and b not in seen:
                        seen.add(b)
                        link = self.make(a, b, p)
                        if link:
                            out.append(link)
        return out

    # -- link construction --
    def make(self, a: str, b: str, p: Pathway | None) -> _Link | None:
        key = (a, b, p.id if p else "")
        if key not in self._cache:
            link = self._build(a, b, p)
            if link is not None:
                link = _Link(id=len(self.links), **link)
                self.links.append(link)
            self._cache[key] = link
        return self._cache[key]

    def _build(self, a: str, b: str, p: Pathway | None) -> dict | None:
        prm, ps = self.params, self.ps
        if a.startswith(TEXT_PREFIX):
            unit = self.text_units.get(a, "t")
            t_per = _mass_t(unit, None)
            return dict(
                order=0,
                kind="text",
                offer_code=a,
                want_code=b,
                pathway=None,
                relation="text",
                sem=0.6,
                ratio=1.0,
                max_share=1.0,
                max_km=prm.max_distance_km or self.limits.default_km,
                licence="",
                processing=0.0,
                purchase=0.0,
                disposal=0.0,
                transport=(
                    prm.transport_vnd_per_tkm
                    or ps.lookup("transport_vnd_per_unit_km", "material")
                    or 0
                )
                * t_per,
                co2=0.0,
                truck_t=t_per,
                landfill_t=0.0,
                water_offer=0.0,
                water_covered=0.0,
                heat_want=compatible(unit, "GJ") if unit else False,
            )
        ra, rb = self.cat[a], self.cat[b]
        if not ra.unit or not rb.unit:
            return None
        if p is None:
            try:
                ratio = convert(
                    1.0,
                    ra.unit,
                    rb.unit,
                    density_kg_per_m3=ra.density_kg_per_m3 or rb.density_kg_per_m3,
                )
            except UnitError:
                return None
            relation = "same" if a == b else ("narrower" if self.cat.is_a(a, b) else "broader")
            sem = {"same": 1.0, "narrower": 0.9, "broader": 0.7}[relation]
            processing, co2 = 0.0, ps.lookup("direct_co2e_t_per_unit", a) or 0.0
            purchase = ps.lookup("purchase_vnd_per_unit", b) or 0.0
            disposal = ps.lookup("disposal_vnd_per_unit", a) or 0.0
            order, share, licence, max_km_p = 0, 1.0, "", None
            landfill_ok, water_offer = True, None
        else:
            t = next(x for x in p.to_codes if self.related_to(b, x))
            try:
                if p.ratio is not None:
                    rt = self.cat[t]
                    ratio = p.ratio * convert(
                        1.0, rt.unit or rb.unit, rb.unit, density_kg_per_m3=rb.density_kg_per_m3
                    )
                elif compatible(rb.unit, "GJ"):
                    ratio = convert(p.energy_gj_per_unit, "GJ", rb.unit)
                elif rb.lhv_gj_per_t:
                    ratio = convert(
                        p.energy_gj_per_unit / rb.lhv_gj_per_t,
                        "t",
                        rb.unit,
                        density_kg_per_m3=rb.density_kg_per_m3,
                    )
                else:
                    return None
            except UnitError:
                return None
            relation = "narrower" if self.cat.is_a(b, t) else "broader"
            sem = p.confidence * (1.0 if b == t else 0.95 if relation == "narrower" else 0.9)
            processing, co2 = p.processing_vnd_per_unit, p.co2e_t_per_unit
            purchase = p.avoided_purchase_vnd_per_unit
            if purchase is None:
                purchase = (
                    ps.lookup("purchase_vnd_per_unit", b)
                    or ps.lookup("purchase_vnd_per_unit", t)
                    or 0.0
                )
            disposal = p.avoided_disposal_vnd_per_unit
            if disposal is None:
                disposal = ps.lookup("disposal_vnd_per_unit", a) or 0.0
            order = ps.pathways.index(p) + 1
            share, licence, max_km_p = p.max_share, p.licence, p.max_distance_km
            landfill_ok, water_offer = p.landfill is not False, p.water_saved_m3_per_unit
        if ratio <= 0:
            return None
        # the resource's transport limit (or the caller's override), capped by the pathway's
        limit = prm.max_distance_km or self.limits.max_km(a)
        max_km = min(limit, max_km_p) if max_km_p is not None else limit
        mass = _mass_t(ra.unit, ra.density_kg_per_m3)
        piped = ra.group in ("energy", "water")
        transport = ps.lookup("transport_vnd_per_unit_km", a) or 0.0
        if prm.transport_vnd_per_tkm is not None and not piped and mass:
            transport = prm.transport_vnd_per_tkm * mass
        water_covered = 0.0
        if water_offer is None:
            water_offer = 0.0
            if rb.group == "water":
                water_covered = convert(1.0, rb.unit, "m3", density_kg_per_m3=rb.density_kg_per_m3)
        return dict(
            order=order,
            kind="pathway" if p else "direct",
            offer_code=a,
            want_code=b,
            pathway=p,
            relation=relation,
            sem=sem,
            ratio=ratio,
            max_share=share,
            max_km=max_km,
            licence=licence,
            processing=processing,
            purchase=purchase,
            disposal=disposal,
            transport=transport,
            co2=co2,
            truck_t=0.0 if piped else mass,
            landfill_t=mass if landfill_ok and ra.group in ("waste", "byproduct") else 0.0,
            water_offer=water_offer,
            water_covered=water_covered,
            heat_want=rb.group == "energy"
            and compatible(rb.unit, "GJ")
            or b.startswith("energy.steam"),
        )

"""Engine input: a plain snapshot of platform data for one park (or one
enterprise) and one reporting year.

Everything here is plain Python (str/int ids, floats, dates, lists, dicts) so
that the Django layer can fill it from querysets and tests can build small
parks by hand.  Quantities in :class:`FlowTotal` are in the resource's
canonical unit from the catalogue (``eiphub/core/data/resources.yaml``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

Id = str | int

# RECP measure statuses; only IMPLEMENTED measures can qualify an enterprise.
RECP_STATUSES = ("proposed", "planned", "implementing", "implemented", "abandoned")
SYMBIOSIS_STATUSES = ("proposed", "agreed", "operating", "ended")

# Fates of an outgoing flow that count as reuse / utilisation.
REUSE_FATES = ("reused", "recirculated", "symbiosis")
UTILISED_FATES = ("reused", "recirculated", "recycled", "recovered", "symbiosis", "sold")


@dataclass
class Certificate:
    standard: str  # "ISO 14001", "ISO 9001:2015", ...
    valid_from: date | None = None
    valid_to: date | None = None
    issuer: str = ""

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def matches(self, standard: str) -> bool:
        """'ISO 14001:2015' matches 'ISO 14001' (case and spaces ignored)."""
        mine = self.standard.upper().replace(" ", "")
        want = standard.upper().replace(" ", "")
        return mine == want or mine.startswith(want + ":")


@dataclass
class EnterpriseInfo:
    id: Id
    name: str
    sector_vsic: str = ""
    workers_total: int | None = None
    workers_female: int | None = None
    has_grievance_procedure: bool | None = None
    publishes_information: bool | None = None
    gender_equality_practice: bool | None = None
    anti_harassment_rules: bool | None = None
    iso_certificates: list[Certificate] = field(default_factory=list)
    # standards the enterprise declared it applies (not certified) -> evidence documents
    iso_applied: dict[str, list[str]] = field(default_factory=dict)
    compliance_ok: bool | None = None  # legal compliance over the last 3 years
    revenue_vnd: float | None = None
    value_added_vnd: float | None = None


@dataclass
class ParkInfo:
    code: str
    name: str
    total_area_ha: float | None = None
    industrial_land_ha: float | None = None
    green_area_ha: float | None = None
    established_on: date | None = None
    province: str = ""
    region: str = ""


@dataclass
class RecpMeasure:
    id: Id
    enterprise_id: Id
    status: str = "proposed"
    implemented_on: date | None = None
    savings: dict[str, float] = field(default_factory=dict)  # resource code -> canonical qty/year
    savings_vnd: float | None = None
    verified: bool = False
    title: str = ""


@dataclass
class FlowTotal:
    """A yearly (or monthly) total of one resource into or out of an
    enterprise (``enterprise_id``) or a park facility (``enterprise_id=None``)."""

    enterprise_id: Id | None
    resource_code: str
    direction: str  # "in" | "out" | "generated" (on-site generation, as in eiphub.core.ghg)
    quantity: float
    unit: str
    year: int
    month: int | None = None
    facility: str = ""
    fate: str = ""  # for "out": reused, recirculated, recycled, central_treatment, discharged, ...
    origin: str = ""  # for "in": grid, onsite, symbiosis, central_plant, ...


@dataclass
class FacilityTotal:
    """Yearly figures of a shared park facility (central WWTP, rooftop solar)."""

    id: Id
    kind: str  # "wwtp" | "solar" | ...
    year: int
    name: str = ""
    inflow_m3: float | None = None
    inflow_domestic_m3: float | None = None  # part of inflow_m3 that is domestic wastewater
    outflow_m3: float | None = None
    reused_m3: float | None = None
    generation_kwh: float | None = None


@dataclass
class Symbiosis:
    id: Id
    participants: list[Id]
    resource_code: str = ""
    status: str = "proposed"
    started_on: date | None = None
    ended_on: date | None = None
    realised_quantity: float | None = None
    unit: str = ""
    # dated status changes [(day, status), ...]: the agreement's audit trail
    status_history: list[tuple[date, str]] = field(default_factory=list)

    def status_on(self, day: date) -> str:
        """The status on ``day``: from the status history when there is one (the last
        change on or before ``day``; before the first change, 'proposed'), else from the
        current status and the start/end dates."""
        if self.status_history:
            current = "proposed"
            for when, status in sorted(self.status_history):
                if when > day:
                    break
                current = status
            if current == "operating" and self.ended_on and day > self.ended_on:
                return "ended"
            return current
        if self.status not in ("operating", "ended"):
            return self.status
        if self.started_on is not None and day < self.started_on:
            return "agreed"
        if self.ended_on is not None:
            return "operating" if day <= self.ended_on else "ended"
        return self.status

    def is_operating_on(self, day: date) -> bool:
        return (
            self.status_on(day) == "operating"
            and (self.started_on is None or self.started_on <= day)
            and (self.ended_on is None or day <= self.ended_on)
        )

    def operated_between(self, first: date, last: date) -> bool:
        """Operating on at least one day from ``first`` to ``last`` (inclusive)."""
        days = {first, last}
        days.update(d for d, _s in self.status_history if first <= d <= last)
        days.update(d for d in (self.started_on, self.ended_on) if d and first <= d <= last)
        return any(self.is_operating_on(d) for d in days)


@dataclass
class Declaration:
    """A fact declared by the park or enterprise (yes/no or a number) with
    the ids or names of the documents that prove it."""

    value: Any
    evidence_documents: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class ContextTarget:
    """A park-specific target set by the management board (by sector mix or
    region), evaluated beside the legal thresholds and never in the verdict.

    Either ``criterion`` names a pack criterion whose computation and params
    are reused, or ``computation`` (+ ``params``) names one directly."""

    code: str
    name_vi: str
    name_en: str
    threshold: Any
    comparison: str = ">="
    criterion: str = ""
    computation: str = ""
    params: dict = field(default_factory=dict)
    unit: str = ""
    basis: str = ""  # why this target: "textile-heavy sector mix", "Mekong delta region"
    source: str = ""


@dataclass
class ParkSnapshot:
    park: ParkInfo
    year: int
    enterprises: list[EnterpriseInfo] = field(default_factory=list)
    recp_measures: list[RecpMeasure] = field(default_factory=list)
    flows: list[FlowTotal] = field(default_factory=list)
    facilities: list[FacilityTotal] = field(default_factory=list)
    symbioses: list[Symbiosis] = field(default_factory=list)
    declared: dict[str, Declaration] = field(default_factory=dict)
    history: dict[int, ParkSnapshot] = field(default_factory=dict)
    prior_values: dict[int, dict[str, Any]] = field(default_factory=dict)  # year -> code -> value
    ghg_tco2e: float | None = None
    targets: list[ContextTarget] = field(default_factory=list)
    as_of: date | None = None  # default: 31 December of ``year``
    # enterprise id -> (months reported, months expected from its tenancy) in ``year``
    months: dict[Id, tuple[int, int]] = field(default_factory=dict)
    # enterprises of other parks taking part in this park's symbioses (certificates and
    # declarations for Art. 37.2.b); never in the park's denominators
    partners: list[EnterpriseInfo] = field(default_factory=list)

    scope = "park"

    @property
    def day(self) -> date:
        return self.as_of or date(self.year, 12, 31)

    def enterprise(self, enterprise_id: Id) -> EnterpriseInfo | None:
        return next((e for e in self.enterprises if e.id == enterprise_id), None)

    def participant(self, enterprise_id: Id) -> EnterpriseInfo | None:
        """A symbiosis participant: a tenant of the park or a partner in another park."""
        return self.enterprise(enterprise_id) or next(
            (e for e in self.partners if e.id == enterprise_id), None
        )


@dataclass
class EnterpriseSnapshot:
    """One enterprise in one year, for enterprise-scope packs (eco-enterprise)."""

    enterprise: EnterpriseInfo
    year: int
    park_code: str = ""
    recp_measures: list[RecpMeasure] = field(default_factory=list)
    flows: list[FlowTotal] = field(default_factory=list)
    symbioses: list[Symbiosis] = field(default_factory=list)
    declared: dict[str, Declaration] = field(default_factory=dict)
    history: dict[int, EnterpriseSnapshot] = field(default_factory=dict)
    prior_values: dict[int, dict[str, Any]] = field(default_factory=dict)
    ghg_tco2e: float | None = None
    targets: list[ContextTarget] = field(default_factory=list)
    as_of: date | None = None
    months: dict[Id, tuple[int, int]] = field(default_factory=dict)

    scope = "enterprise"

    @property
    def day(self) -> date:
        return self.as_of or date(self.year, 12, 31)

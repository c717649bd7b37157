"""Scorecards, drill-down, benchmarking, certification checklists and report contents.

Framework glue around the criteria engine: snapshots come from ``snapshots.py``, results from
``eiphub.indicators.engine.evaluate_pack``; this module names the records behind each number
(enterprises, measures, symbioses, flows, documents) for pages and documents.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from eiphub.core.ghg import ActivityRecord, compute_inventory
from eiphub.core.numbers import format_number
from eiphub.exchange.models import Agreement
from eiphub.indicators.engine import MEETS, NOT_MET, REPORTED, Scorecard, compare, evaluate_pack
from eiphub.indicators.packs import get_pack, installed_packs
from eiphub.registry.models import Enterprise, Park, SharedFacility
from eiphub.web.numbers import number_text
from eiphub.web.templatetags.eip import resource_name

from .models import KIND_PACK, AnnualReport, Declaration, ReportKind, ReportStatus
from .snapshots import (
    COMPLIANCE_CODE,
    build_enterprise_snapshot,
    build_park_snapshot,
    context_targets,
)

PARK_SCOPES = ("park", "new_park")
DEFAULT_PARK_PACK = "decree35_art37_eip"
DEFAULT_ENTERPRISE_PACK = "decree35_eco_enterprise"
EIP_DOSSIER = [
    (
        "dossier.registration_letter",
        "Văn bản đăng ký chứng nhận KCN sinh thái",
        "Registration letter",
    ),
    (
        "dossier.operation_report",
        "Báo cáo tình hình hoạt động và thu hút đầu tư của KCN",
        "Report on the park's operation and investment attraction",
    ),
]
ENTERPRISE_DOSSIER = [
    (
        "dossier.registration_letter",
        "Văn bản đăng ký chứng nhận doanh nghiệp sinh thái",
        "Registration letter",
    ),
    (
        "dossier.activity_report",
        "Báo cáo tình hình hoạt động của doanh nghiệp trong KCN sinh thái",
        "Report on the enterprise's activity in the EIP",
    ),
]
COMPLIANCE_ITEM = (
    COMPLIANCE_CODE,
    "Tuân thủ pháp luật về đầu tư, doanh nghiệp, xây dựng, đất đai, môi trường, lao động 03 năm",
    "Legal compliance over the last 3 years",
)


def park_packs() -> list:
    return [p for p in installed_packs().values() if p.scope in PARK_SCOPES]


def enterprise_packs() -> list:
    return [p for p in installed_packs().values() if p.scope == "enterprise"]


# ------------------------------------------------------------------ scorecards


def park_scorecard(park: Park, pack_id: str, year: int, overrides=None):
    """(Scorecard, snapshot) of a park for a pack and year, with the board's targets."""
    pack = get_pack(pack_id)
    snap = build_park_snapshot(park, year)
    snap.targets = context_targets(park, pack)
    return evaluate_pack(pack, snap, overrides), snap


def enterprise_scorecard(enterprise: Enterprise, year: int, pack_id=DEFAULT_ENTERPRISE_PACK):
    snap = build_enterprise_snapshot(enterprise, year)
    return evaluate_pack(get_pack(pack_id), snap), snap


@dataclass
class Names:
    """Display names of the ids an evidence list may contain."""

    enterprises: dict = field(default_factory=dict)
    measures: dict = field(default_factory=dict)
    symbioses: dict = field(default_factory=dict)
    facilities: dict = field(default_factory=dict)

    @classmethod
    def for_snapshot(cls, snap) -> Names:
        ents = getattr(snap, "enterprises", None) or [snap.enterprise]
        names = cls(enterprises={e.id: e.name for e in ents})
        names.measures = {m.id: m.title for m in snap.recp_measures}
        missing = {p for s in snap.symbioses for p in s.participants} - set(names.enterprises)
        names.enterprises.update(
            dict(Enterprise.objects.filter(pk__in=missing).values_list("pk", "name_vi"))
        )
        for s in snap.symbioses:
            a, b = (names.enterprises.get(p, p) for p in s.participants[:2])
            names.symbioses[s.id] = f"{a} → {b} ({s.resource_code})"
        for f in getattr(snap, "facilities", []):
            names.facilities[f.id] = f.name
        return names

    def link(self, kind: str, ident) -> dict:
        if kind == "symbiosis":
            return {"name": self.symbioses.get(ident, f"#{ident}"), "url": ""}
        if ident in self.enterprises:
            url = reverse("registry:enterprise_detail", args=[ident])
            return {"name": self.enterprises[ident], "url": url}
        if ident in self.facilities:
            return {"name": self.facilities[ident], "url": ""}
        return {"name": str(ident), "url": ""}


def record_text(rec: dict, names: Names) -> str:
    """One line describing an evidence record."""
    kind = rec.get("type", "")
    ent = names.enterprises.get(rec.get("enterprise"), rec.get("enterprise"))
    if kind == "recp_measure":
        text = f"{names.measures.get(rec['id'], rec['id'])} — {ent}"
        if rec.get("qualifies"):
            saved = ", ".join(
                f"{resource_name(k)}: {number_text(v)}"
                for k, v in (rec.get("savings") or {}).items()
            )
            vnd = rec.get("savings_vnd")
            money = f"{number_text(vnd, 0)} {_('VND/yr')}" if vnd else ""
            parts = [p for p in (saved, money) if p]
            return f"{text}: {_('qualifies')} ({'; '.join(parts)})"
        return f"{text}: {rec.get('reason', rec.get('status', ''))}"
    if kind == "symbiosis":
        text = names.symbioses.get(rec["id"], rec["id"])
        if rec.get("qualifies"):
            return f"{text}: {_('qualifies')}"
        gaps = rec.get("iso_gaps")
        if gaps:
            detail = "; ".join(
                f"{names.enterprises.get(p, p)}: {', '.join(g)}" for p, g in gaps.items()
            )
            return f"{text}: {rec.get('reason', '')} ({detail})"
        return f"{text}: {rec.get('reason', rec.get('status', ''))}"
    if kind == "enterprise":
        extra = {k: v for k, v in rec.items() if k not in ("type", "id", "name")}
        detail = ", ".join(f"{k}: {_yn(v)}" for k, v in extra.items())
        return f"{rec.get('name', ent)} — {detail}"
    if kind == "flow":
        fate = f", {rec['fate']}" if rec.get("fate") else ""
        qty = rec.get("quantity", rec.get("amount"))
        unit = rec.get("unit", "")
        res = resource_name(rec.get("resource"))
        return f"{ent}: {res} {rec.get('direction', '')} {number_text(qty, 1)} {unit}{fate}"
    if kind == "document":
        return f"{_('Document')}: {rec['id']}"
    extra = {k: v for k, v in rec.items() if k != "type"}
    return f"{kind}: " + ", ".join(f"{k}: {_yn(v)}" for k, v in extra.items())


def _yn(v):
    if v is True:
        return _("yes")
    if v is False:
        return _("no")
    if v is None:
        return _("no data")
    return v


def trend_spec(result, lang="vi") -> dict | None:
    points = [(y, v) for y, v in result.trend if v is not None]
    if len(points) < 2:
        return None
    name = result.name_vi if lang == "vi" else result.name_en
    return {
        "kind": "line",
        "title": "",
        "unit": "" if result.unit in ("yes/no", "count") else result.unit,
        "labels": [str(y) for y, _v in points],
        "series": [
            {
                "name": name[:40],
                "data": [float(v) if not isinstance(v, bool) else int(v) for _y, v in points],
            }
        ],
    }


def drilldown(result, snap, names: Names, computation: str = "", lang="vi") -> dict:
    """Evidence of one criterion result for display: counted / not counted / missing data,
    each record as a line, the qualifying records first; trend chart spec."""
    ev = result.evidence
    kind = "symbiosis" if computation == "symbiosis_count" else "enterprise"
    records = [r for r in ev.records]
    qualifying = [record_text(r, names) for r in records if r.get("qualifies")]
    documents = [r["id"] for r in records if r.get("type") == "document"]
    others = [
        record_text(r, names)
        for r in records
        if not r.get("qualifies") and r.get("type") != "document"
    ]
    return {
        "summary": ev.summary_vi if lang == "vi" else ev.summary_en,
        "counted": [names.link(kind, i) for i in ev.counted],
        "not_counted": [names.link(kind, i) for i in ev.not_counted],
        "missing": [names.link(kind, i) for i in ev.missing_data],
        "qualifying": qualifying,
        "documents": documents,
        "records": others[:300],
        "records_more": max(0, len(others) - 300),
        "trend": trend_spec(result, lang),
    }


def group_label(group: str) -> str:
    labels = {
        "developer": _("Infrastructure developer"),
        "enterprises": _("Enterprises"),
        "environment": _("Environment"),
        "social": _("Social"),
        "economic": _("Economic"),
        "management": _("Park management"),
    }
    return str(labels.get(group, group.replace("_", " ").capitalize()))


def scorecard_rows(card: Scorecard, snap, pack, lang="vi") -> list[dict]:
    names = Names.for_snapshot(snap)
    rows = []
    for r in card.results:
        crit = pack.criterion(r.code)
        rows.append(
            {
                "r": r,
                "name": r.name_vi if lang == "vi" else r.name_en,
                "group": crit.group if crit else "",
                "group_label": group_label(crit.group if crit else ""),
                "note": crit.note if crit else "",
                "drill": drilldown(r, snap, names, crit.computation if crit else "", lang),
            }
        )
    return rows


def context_rows(card: Scorecard, snap, lang="vi") -> list[dict]:
    names = Names.for_snapshot(snap)
    return [
        {
            "r": r,
            "name": r.name_vi if lang == "vi" else r.name_en,
            "drill": drilldown(r, snap, names, "", lang),
        }
        for r in card.context_results
    ]


# ------------------------------------------------------------------ benchmarking


def benchmark(parks, pack_id: str, year: int) -> tuple[list, list[dict], dict]:
    """(criteria, rows, freshness): one row per park with the verdict and each criterion's
    value and status, read from the stored scorecards (eiphub/reports/stored.py; parks
    without one are computed now, in batches)."""
    from . import stored

    pack = get_pack(pack_id)
    parks = list(parks.select_related("province"))
    cards, fresh = stored.scorecards([p.pk for p in parks], pack_id, year)
    rows = []
    for park in parks:
        card = cards[park.pk]
        rows.append(
            {
                "park": park,
                "verdict": card.verdict,
                "met": sum(1 for r in card.results if r.mandatory and r.status in (MEETS,)),
                "mandatory": sum(1 for r in card.results if r.mandatory),
                "results": {r.code: r for r in card.results},
                "cells": [card.result(c.code) for c in pack.criteria],
            }
        )
    return pack.criteria, rows, fresh


# ------------------------------------------------------------------ declarations


def declared_codes_for_park() -> list[tuple[str, str, str, str]]:
    """(code, unit, name_vi, name_en) of every declared criterion of the in-force park packs,
    then the dossier items; a code shared by packs is listed once."""
    seen, out = set(), []
    for pack in park_packs():
        if pack.status != "in_force":
            continue
        for c in pack.criteria:
            if c.evaluation == "declared" and c.code not in seen:
                seen.add(c.code)
                out.append((c.code, c.unit, c.name_vi, c.name_en, pack.id))
    for code, vi, en in EIP_DOSSIER:
        out.append((code, "document", vi, en, "dossier"))
    return out


def declared_codes_for_enterprise() -> list[tuple]:
    out = [(COMPLIANCE_ITEM[0], "yes/no", COMPLIANCE_ITEM[1], COMPLIANCE_ITEM[2], "registry")]
    for pack in enterprise_packs():
        for c in pack.criteria:
            if c.evaluation == "declared":
                out.append((c.code, c.unit, c.name_vi, c.name_en, pack.id))
    for code, vi, en in ENTERPRISE_DOSSIER:
        out.append((code, "document", vi, en, "dossier"))
    return out


def declarations_of(subject: Q, year: int) -> dict[str, Declaration]:
    return {d.code: d for d in Declaration.objects.filter(subject, year=year)}


# ------------------------------------------------------------------ certification readiness


def _dossier_items(spec, decls: dict, url: str, lang: str) -> list[dict]:
    items = []
    for code, vi, en in spec:
        d = decls.get(code)
        docs = d.documents if d else []
        items.append(
            {
                "code": code,
                "label": vi if lang == "vi" else en,
                "label_vi": vi,
                "present": bool(docs),
                "documents": docs,
                "url": f"{url}#decl-{code}",
            }
        )
    return items


def eip_checklist(park: Park, year: int, lang="vi") -> dict:
    """Art. 41 dossier: registration letter, operation report, self-assessment against Art. 37
    with its evidence (every criterion with status and documents)."""
    decls = declarations_of(Q(park=park), year)
    url = reverse("reports:park_declarations", args=[park.code, year])
    card, snap = park_scorecard(park, DEFAULT_PARK_PACK, year)
    names = Names.for_snapshot(snap)
    pack = get_pack(DEFAULT_PARK_PACK)
    criteria = [
        {
            "r": r,
            "name": r.name_vi if lang == "vi" else r.name_en,
            "drill": drilldown(r, snap, names, pack.criterion(r.code).computation, lang),
            "ready": r.status in (MEETS, "declared_with_evidence"),
        }
        for r in card.results
    ]
    a5 = AnnualReport.objects.filter(
        kind=ReportKind.A5, park=park, year=year, enterprise__isnull=True
    ).first()
    items = _dossier_items(EIP_DOSSIER, decls, url, lang)
    ready = all(i["present"] for i in items) and card.verdict == MEETS
    return {
        "items": items,
        "criteria": criteria,
        "verdict": card.verdict,
        "card": card,
        "annual_report": a5,
        "ready": ready,
        "declarations_url": url,
    }


def enterprise_checklist(ent: Enterprise, year: int, lang="vi") -> dict:
    """Art. 42 dossier: registration letter, activity report, self-assessment against Art. 37
    khoản 2, documents on environmental and social responsibility."""
    decls = declarations_of(Q(enterprise=ent), year)
    url = reverse("reports:enterprise_declarations", args=[ent.pk, year])
    card, snap = enterprise_scorecard(ent, year)
    names = Names.for_snapshot(snap)
    pack = get_pack(DEFAULT_ENTERPRISE_PACK)
    criteria = [
        {
            "r": r,
            "name": r.name_vi if lang == "vi" else r.name_en,
            "drill": drilldown(r, snap, names, pack.criterion(r.code).computation, lang),
            "ready": r.status in (MEETS, "declared_with_evidence"),
        }
        for r in card.results
    ]
    items = _dossier_items(ENTERPRISE_DOSSIER, decls, url, lang)
    in_eip = ent.park.eco_status == Park.EcoStatus.CERTIFIED
    ready = all(i["present"] for i in items) and card.verdict == MEETS
    return {
        "items": items,
        "criteria": criteria,
        "verdict": card.verdict,
        "card": card,
        "in_eip": in_eip,
        "ready": ready and in_eip,
        "declarations_url": url,
    }


# ------------------------------------------------------------------ annual reports


def compute_report(kind: str, park: Park, year: int, enterprise: Enterprise | None = None) -> dict:
    """The computed content of a report, as stored in ``AnnualReport.computed``."""

    if kind == ReportKind.ENV_SOCIAL:
        return {**env_social_summary(park, year), "computed_at": timezone.now().isoformat()}
    pack_id = KIND_PACK[kind]
    if enterprise is not None:
        card, _snap = enterprise_scorecard(enterprise, year, pack_id)
    else:
        card, _snap = park_scorecard(park, pack_id, year)
    return {
        "pack_id": card.pack_id,
        "pack_version": card.pack_version,
        "verdict": card.verdict,
        "computed_at": timezone.now().isoformat(),
        "criteria": {
            r.code: {
                "value": r.value,
                "status": r.status,
                "origin": r.origin,
                "gap": r.gap,
                "summary_vi": r.evidence.summary_vi,
                "summary_en": r.evidence.summary_en,
            }
            for r in card.results
        },
    }


def report_rows(report: AnnualReport) -> list[dict]:
    """Rows of a pack report: code, names, computed and reported values, unit, accepted range,
    status of the reported value, justification of an override."""
    if not report.pack_id:
        return []

    pack = get_pack(report.pack_id)
    overrides = {o.code: o for o in report.overrides.all()}
    computed = report.computed.get("criteria", {})
    evidence: dict[str, list] = {}
    for ev in report.evidence.all():
        evidence.setdefault(ev.code, []).append(ev)
    comments: dict[str, list] = {}
    for cm in report.comments.select_related("by"):
        comments.setdefault(cm.code, []).append(cm)
    rows = []
    for c in pack.criteria:
        comp = computed.get(c.code, {})
        value = report.values.get(c.code)
        ov = overrides.get(c.code)
        outside = out_of_range(c, value)
        if outside:  # the accepted range is an assessment (issue 13): reported, not met
            status = NOT_MET
        elif ov is None:
            status = comp.get("status", "insufficient_data")
        elif value is None:
            status = "insufficient_data"
        elif c.threshold is None:
            status = REPORTED
        else:
            status = MEETS if compare(value, c.comparison, c.threshold) else NOT_MET
        rows.append(
            {
                "code": c.code,
                "name_vi": c.name_vi,
                "name_en": c.name_en,
                "computed": comp.get("value"),
                "value": value,
                "unit": c.unit,
                "range": c.range,
                "threshold": c.threshold,
                "comparison": c.comparison,
                "status": status,
                "override": ov,
                "justification": ov.justification if ov else "",
                "summary_vi": comp.get("summary_vi", ""),
                "summary_en": comp.get("summary_en", ""),
                "mandatory": c.mandatory,
                "out_of_range": outside,
                "evidence": evidence.get(c.code, []),
                "comments": comments.get(c.code, []),
            }
        )
    return rows


def format_value(value, unit: str, lang: str = "vi") -> str:
    """A value as printed in documents (yes/no in the document's language)."""
    if value is None:
        return "—"
    if isinstance(value, bool) or unit == "yes/no":
        yes, no = ("Có", "Không") if lang == "vi" else ("Yes", "No")
        return yes if value else no
    return format_number(value, lang, decimals=2 if isinstance(value, float) else 0)


def env_social_summary(park: Park, year: int, years_back: int = 3) -> dict:
    """Figures of the annual environmental and social report: RECP results, GHG emissions
    (scope 1+2, from flows), water reuse, symbiosis and social responsibility, with series
    over the last years for the charts."""
    snap = build_park_snapshot(park, year, years_back)
    years = sorted([*snap.history, year])
    by_year = {year: snap, **snap.history}
    ghg, ghg_gaps, fresh, reclaimed, recp_vnd, recp_n = {}, {}, {}, {}, {}, {}
    for y in years:
        s = by_year[y]
        activity = [
            ActivityRecord(
                str(f.enterprise_id), f.resource_code, f.direction, f.quantity, f.unit, y, None
            )
            for f in s.flows
            if f.enterprise_id is not None and f.resource_code.startswith("energy")
        ]
        # years without a published grid factor use the latest one (noted in the report)
        inv = compute_inventory(activity, latest_grid=True)
        ghg[y] = round(sum(r.total_t for r in inv.rows.values()), 1)
        ghg_gaps[y] = len(inv.gaps)
        fresh[y] = round(
            sum(
                f.quantity
                for f in s.flows
                if f.direction == "in"
                and f.enterprise_id
                and f.resource_code.startswith(("water.fresh", "water.ground", "water.surface"))
            ),
            1,
        )
        reclaimed[y] = round(
            sum(
                f.quantity
                for f in s.flows
                if f.direction == "in"
                and f.enterprise_id
                and f.resource_code.startswith("water.reclaimed")
            ),
            1,
        )
        done = [
            m
            for m in snap.recp_measures
            if m.status == "implemented" and m.implemented_on and m.implemented_on.year == y
        ]
        recp_n[y] = len(done)
        recp_vnd[y] = sum(m.savings_vnd or 0 for m in done)
    active = [
        m
        for m in snap.recp_measures
        if m.status == "implemented" and m.implemented_on and m.implemented_on <= snap.day
    ]
    ents = snap.enterprises
    workers = sum(e.workers_total or 0 for e in ents)
    female = sum(e.workers_female or 0 for e in ents)
    operating = [s for s in snap.symbioses if s.is_operating_on(snap.day)]
    agreements = Agreement.objects.filter(pk__in=[s.id for s in operating])
    sym_rows = defaultdict(lambda: [0, 0.0, ""])
    for s in operating:
        row = sym_rows[s.resource_code]
        row[0] += 1
        row[1] += s.realised_quantity or 0.0
        row[2] = s.unit
    b5, _s = park_scorecard(park, "circular05_b5", year)
    from eiphub.monitoring.services import env5_evidence

    return {
        "kind": "env_social",
        "park": park.code,
        "year": year,
        "years": years,
        "enterprises": len(ents),
        "recp": {
            "measures_implemented": len(active),
            "enterprises_applying": len({m.enterprise_id for m in active}),
            "savings_vnd_per_year": sum(m.savings_vnd or 0 for m in active),
            "co2e_t": None,
            "by_year_count": [recp_n[y] for y in years],
            "by_year_vnd": [recp_vnd[y] for y in years],
        },
        "emissions": {
            "ghg_tco2e_by_year": [ghg[y] for y in years],
            "gaps_by_year": [ghg_gaps[y] for y in years],
        },
        "water": {
            "fresh_m3_by_year": [fresh[y] for y in years],
            "reclaimed_m3_by_year": [reclaimed[y] for y in years],
        },
        "symbiosis": {
            "operating": len(operating),
            "benefit_vnd_per_year": sum(a.benefit_vnd_per_year for a in agreements),
            "co2e_t_per_year": sum(a.co2e_t_per_year for a in agreements),
            "by_resource": [
                {"resource": k, "count": v[0], "quantity": round(v[1], 1), "unit": v[2]}
                for k, v in sorted(sym_rows.items())
            ],
        },
        "social": {
            "workers": workers,
            "female_share": round(100.0 * female / workers, 1) if workers else None,
            "indicators": [
                {
                    "code": r.code,
                    "name_vi": r.name_vi,
                    "name_en": r.name_en,
                    "value": r.value,
                    "status": r.status,
                }
                for r in b5.results
            ],
        },
        # the online stations' year (ENV.5, Decree 35 Art. 37.1.c): what the data back
        "monitoring": env5_evidence(park, year),
        "facilities": list(
            SharedFacility.objects.filter(park=park).values(
                "kind", "name", "capacity", "capacity_unit"
            )
        ),
    }


def reports_awaiting_review(user):
    from eiphub.accounts.scoping import parks_for

    return AnnualReport.objects.filter(
        park__in=parks_for(user), status=ReportStatus.SUBMITTED
    ).select_related("park", "enterprise")


def out_of_range(crit, value) -> bool:
    """A reported number outside the criterion's accepted range (assessed as not met)."""
    return (
        crit is not None
        and bool(crit.range)
        and isinstance(value, int | float)
        and not isinstance(value, bool)
        and not crit.range[0] <= value <= crit.range[1]
    )

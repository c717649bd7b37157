"""Role dashboards: the context of each role's dashboard page, built with a fixed number of
set-based queries (the count does not grow with parks or enterprises; see
eiphub/reports/bench_dashboards.py and recp/tests/test_dashboards.py).

Scope always comes from :mod:`eiphub.accounts.scoping`; the role only picks the layout.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from eiphub.accounts.models import Role
from eiphub.accounts.scoping import enterprises_for, parks_for, role_of
from eiphub.core.recp import IMPLEMENTED
from eiphub.core.rollup import rollup_sentence
from eiphub.exchange.models import Agreement, Match
from eiphub.flows.models import FlowRecord
from eiphub.registry.models import Park
from eiphub.reports.access import add_map_verdicts

from . import services
from .models import Measure, Status

RECP_TARGET = 0.20  # Circular 05 A.5 / Decree 35: at least 20% of enterprises apply RECP
OPEN_MATCH = ("identified", "interested", "negotiating")


def _lang():
    return get_language() or "vi"


def reference_year(parks=None, flows=None) -> int | None:
    """The latest of the years with the most reported months in ``parks`` (or in the
    ``flows`` queryset): a complete year is preferred over a current one with a month or
    two."""
    months = services.months_by_year(parks, flows)
    if not months:
        return None
    most = max(months.values())
    return max(y for y, n in months.items() if n == most)


def territory_rows(parks, year: int | None, fresh: dict | None = None) -> list[dict]:
    """One row per park: enterprises, data completeness, RECP share, tCO2e and operating
    symbioses (about ten queries in all, whatever the number of parks).  ``fresh``, when
    given, receives when the stored figures were computed."""
    parks_l = list(
        parks.select_related("province").values(
            "pk",
            "code",
            "name_vi",
            "name_en",
            "province__name",
            "province__code",
            "latitude",
            "longitude",
            "eco_status",
        )  # fmt: skip
    )
    shares = services.recp_share_by_park(parks)
    # GHG and completeness per park-year come from the stored results (computed when missing)
    aggr = {}
    if year:
        from eiphub.reports.stored import park_years

        aggr, when = park_years([p["pk"] for p in parks_l], year)
        if fresh is not None:
            fresh.update(when)
    sym = {
        r["supplier__park_id"]: r
        for r in Agreement.objects.filter(supplier__park__in=parks, status="operating")
        .values("supplier__park_id")
        .annotate(n=Count("pk"), benefit=Sum("benefit_vnd_per_year"))
    }
    eco = dict(Park.EcoStatus.choices)
    rows = []
    for p in parks_l:
        share = shares.get(p["pk"], {})
        stored_row = aggr.get(p["pk"]) or {}
        row = stored_row.get("ghg") or {}
        s = sym.get(p["pk"], {})
        rows.append(
            {
                **p,
                "eco_label": eco.get(p["eco_status"], p["eco_status"]),
                "enterprises": share.get("enterprises", 0),
                "implementing": share.get("implementing", 0),
                "recp_share": share.get("share"),
                "completeness": stored_row.get("completeness"),
                "scope1_t": row.get("scope1_t"),
                "scope2_t": row.get("scope2_t"),
                "tco2e": row.get("total_t"),
                "ghg_complete": row.get("complete"),
                "symbioses": s.get("n", 0),
                "symbiosis_benefit": s.get("benefit") or 0.0,
            }
        )
    return rows


def _map_points(rows, user, detail_ok: bool = True) -> list[dict]:
    """Park map points: tCO2e of the park (its enterprise count while it has no inventory),
    coloured by the park's stored Decree 35 verdict where ``user`` may see it."""
    lang = _lang()
    located = [r for r in rows if r["latitude"] is not None and r["longitude"] is not None]
    points = [
        {
            "lat": r["latitude"],
            "lon": r["longitude"],
            "label": (r["name_en"] if lang.startswith("en") and r["name_en"] else r["name_vi"]),
            "url": reverse("registry:park_detail", args=[r["code"]]) if detail_ok else "",
            "value": round(r["tco2e"], 1) if r["tco2e"] is not None else r["enterprises"],
            "unit": "tCO2e"
            if r["tco2e"] is not None
            else ngettext("enterprise", "enterprises", r["enterprises"]),
        }
        for r in located
    ]
    return add_map_verdicts(points, [r["pk"] for r in located], user)


def _by_province(rows) -> list[dict]:
    agg: dict[str, dict] = {}
    for r in rows:
        a = agg.setdefault(
            r["province__code"],
            {"name": r["province__name"], "s1": 0.0, "s2": 0.0, "ent": 0, "impl": 0, "parks": 0},
        )
        a["s1"] += r["scope1_t"] or 0.0
        a["s2"] += r["scope2_t"] or 0.0
        a["ent"] += r["enterprises"]
        a["impl"] += r["implementing"]
        a["parks"] += 1
    return sorted(agg.values(), key=lambda a: -(a["s1"] + a["s2"]))


def _totals(rows) -> dict:
    ent = sum(r["enterprises"] for r in rows)
    impl = sum(r["implementing"] for r in rows)
    comp = [r["completeness"] for r in rows if r["completeness"] is not None]
    return {
        "parks": len(rows),
        "enterprises": ent,
        "recp_share": impl / ent if ent else None,
        "tco2e": sum(r["tco2e"] or 0.0 for r in rows),
        "symbioses": sum(r["symbioses"] for r in rows),
        "completeness": sum(comp) / len(comp) if comp else None,
        "parks_meeting_recp": sum(1 for r in rows if (r["recp_share"] or 0) >= RECP_TARGET),
    }


def territory(request) -> dict:
    """Ministry (nation) and board (province) dashboards."""
    user = request.user
    parks = parks_for(user)
    year = reference_year(parks)
    fresh: dict = {}
    rows = territory_rows(parks, year, fresh)
    from eiphub.reports.stored import area_rollup

    profile = getattr(user, "profile", None)
    area = "national"
    if role_of(user) == Role.BOARD:
        area = f"province:{profile.province.code if profile and profile.province else '-'}"
    rollup, _when = area_rollup(area, lambda: services.rollup_for(user).rollup)
    provinces = _by_province(rows)[:20]
    eco_counts = defaultdict(int)
    for r in rows:
        eco_counts[str(r["eco_label"])] += 1
    charts = [
        {
            "id": "chart-province-ghg",
            "kind": "stacked",
            "title": _("Emissions by province (tCO2e, %(year)s)") % {"year": year or "—"},
            "unit": "tCO2e",
            "labels": [a["name"] for a in provinces],
            "series": [
                {"name": _("Scope 1"), "data": [round(a["s1"], 1) for a in provinces]},
                {"name": _("Scope 2"), "data": [round(a["s2"], 1) for a in provinces]},
            ],
            "horizontal": True,
        },
        {
            "id": "chart-recp-share",
            "kind": "bar",
            "title": _("Share of enterprises with implemented RECP (%)"),
            "unit": "%",
            "labels": [r["code"] for r in rows][:40],
            "series": [
                {
                    "name": _("RECP share"),
                    "data": [round((r["recp_share"] or 0) * 100, 1) for r in rows][:40],
                },
                {"name": _("Target 20%"), "data": [RECP_TARGET * 100] * min(len(rows), 40)},
            ],
        },
        {
            "id": "chart-eco",
            "kind": "pie",
            "title": _("Parks by eco status"),
            "labels": list(eco_counts),
            "series": [{"name": _("Parks"), "data": list(eco_counts.values())}],
        },
    ]
    role = role_of(user)
    return {
        "role": role,
        "scope_name": (
            user.profile.province.name
            if role == Role.BOARD and getattr(user, "profile", None) and user.profile.province
            else _("Viet Nam")
        ),
        "year": year,
        "fresh": fresh,
        "rows": rows,
        "totals": _totals(rows),
        "points": _map_points(rows, user),
        "charts": charts,
        "rollup": rollup,
        "sentence": rollup_sentence(rollup, _lang()),
    }


def _scorecard(park, year):
    """Circular 05 A.5 scorecard of the park when the criteria engine and the reports
    snapshot builder are available, else None (the caller shows the direct figures)."""
    if year is None:
        return None
    try:
        from eiphub.reports.stored import scorecards
    except ImportError:
        return None
    try:
        cards, fresh = scorecards([park.pk], "circular05_a5", year)
    except Exception:  # noqa: BLE001 - an engine problem must not take the dashboard down
        return None
    card = cards.get(park.pk)
    if card is not None:
        card.fresh = fresh
    return card


def developer(request) -> dict:
    user = request.user
    parks = parks_for(user).select_related("province").order_by("code")
    code = request.GET.get("park")
    park = (parks.filter(code=code).first() if code else None) or parks.first()
    if park is None:
        return {"park": None}
    year = reference_year([park.pk])
    rows = territory_rows(parks, year)
    row = next(r for r in rows if r["pk"] == park.pk)
    pipeline = dict(
        Measure.objects.filter(enterprise__park=park)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    matches = Match.objects.filter(
        Q(offer__enterprise__park=park) | Q(want__enterprise__park=park), status__in=OPEN_MATCH
    )
    open_matches = list(
        matches.values(
            "pk", "offer__resource_code", "matched_quantity", "unit", "score", "status",
            "benefit_vnd_per_year",
        ).order_by("-score")[:10]
    )  # fmt: skip
    n_months = services.months_by_year([park.pk])
    years = sorted(n_months)
    inv = services.inventory_for([park.pk], years) if years else None
    ghg_rows = sorted((y, r) for (_k, y), r in inv.rows("park").items()) if inv else []
    monthly = (
        FlowRecord.objects.filter(park=park, enterprise__isnull=False, period__year=year)
        .values("period")
        .annotate(n=Count("enterprise_id", distinct=True))
        .order_by("period")
        if year
        else []
    )
    monthly = list(monthly)
    charts = [
        {
            "id": "chart-pipeline",
            "kind": "bar",
            "title": _("RECP pipeline (measures by status)"),
            "labels": [str(label) for _v, label in Status.choices],
            "series": [
                {"name": _("Measures"), "data": [pipeline.get(v, 0) for v in Status.values]}
            ],
            "horizontal": True,
        },
        {
            "id": "chart-ghg",
            "kind": "stacked",
            "title": _("Park emissions by scope (tCO2e)"),
            "unit": "tCO2e",
            "labels": [services.year_label(y, n_months[y]) for y, _r in ghg_rows],
            "series": [
                {"name": _("Scope 1"), "data": [round(r.scope1_t, 1) for _y, r in ghg_rows]},
                {"name": _("Scope 2"), "data": [round(r.scope2_t, 1) for _y, r in ghg_rows]},
            ],
        },
        {
            "id": "chart-reporting",
            "kind": "line",
            "title": _("Enterprises reporting each month"),
            "labels": [m["period"].strftime("%m/%Y") for m in monthly],
            "series": [
                {"name": _("Enterprises"), "data": [m["n"] for m in monthly]},
                {"name": _("Enterprises in the park"), "data": [row["enterprises"]] * len(monthly)},
            ],
        },
    ]
    card = _scorecard(park, year)
    return {
        "park": park,
        "parks": parks,
        "year": year,
        "row": row,
        "rows": rows,
        "pipeline": pipeline,
        "open_matches": open_matches,
        "open_match_count": matches.count(),
        "operating": row["symbioses"],
        "recp_target": RECP_TARGET,
        "scorecard": card,
        "charts": charts,
        "latest_ghg": ghg_rows[-1][1] if ghg_rows else None,
        "points": _map_points([row], user),
    }


def enterprise(request) -> dict:
    user = request.user
    ent = enterprises_for(user).filter(pk=getattr(user.profile, "enterprise_id", None)).first()
    if ent is None:
        return {"ent": None}
    ent = type(ent).objects.select_related("park__province").get(pk=ent.pk)
    year = reference_year(flows=ent.flows.all())
    years = sorted({d.year for d in ent.flows.dates("period", "year")})
    inv = services.inventory_for_enterprise(ent, years) if years else None
    ghg = inv.inventory.get(str(ent.pk), year) if inv and year else None
    totals = services.resource_totals(
        FlowRecord.objects.filter(enterprise=ent), by=("enterprise_id",), period="month"
    )
    months = sorted(k[1:] for k in totals)[-24:]
    own = defaultdict(float)  # the enterprise's totals of the reference year
    for (_e, y, _m), t in totals.items():
        if y == year:
            for k, v in t.items():
                own[k] += v
    peers = services.peer_percentiles(ent, year) if year else []
    measures = list(ent.recp_measures.order_by("-implemented_on", "status"))
    impl = [m for m in measures if m.status in IMPLEMENTED]
    charts = [
        {
            "id": "chart-own-energy",
            "kind": "bar",
            "title": _("Energy use (GJ per month)"),
            "unit": "GJ",
            "labels": [f"{m:02d}/{y}" for y, m in months],
            "series": [
                {
                    "name": _("Energy"),
                    "data": [round(totals[(ent.pk, y, m)].get("energy_gj", 0), 1) for y, m in months],
                }
            ],
        },
        {
            "id": "chart-own-water",
            "kind": "line",
            "title": _("Water use (m³ per month)"),
            "unit": "m³",
            "labels": [f"{m:02d}/{y}" for y, m in months],
            "series": [
                {
                    "name": _("Water"),
                    "data": [round(totals[(ent.pk, y, m)].get("water_m3", 0), 1) for y, m in months],
                }
            ],
        },
    ]  # fmt: skip
    bench = [p for p in peers if p.median is not None]
    if bench:
        charts.append(
            {
                "id": "chart-peers",
                "kind": "bar",
                "title": _("You and the peer median"),
                "labels": [f"{_('Energy') if p.metric == 'energy' else _('Water')} ({p.unit})" for p in bench],
                "series": [
                    {"name": _("Your enterprise"), "data": [round(p.value, 3) for p in bench]},
                    {"name": _("Peer median"), "data": [round(p.median, 3) for p in bench]},
                ],
            }
        )  # fmt: skip
    return {
        "ent": ent,
        "year": year,
        "ghg": ghg,
        "own": dict(own),
        "peers": peers,
        "measures": measures,
        "n_implemented": len(impl),
        "savings_vnd": sum(float(m.savings_vnd_per_year) for m in impl),
        "investment_vnd": sum(float(m.investment_vnd) for m in impl),
        "charts": charts,
    }


def consultant(request) -> dict:
    user = request.user
    parks = parks_for(user)
    year = reference_year(parks)
    rows = territory_rows(parks, year)
    p = getattr(user, "profile", None)
    names = {user.username, user.get_full_name()}
    if p and p.organization_id:
        names.add(p.organization.name)
    names.discard("")
    in_progress = (
        Measure.objects.filter(
            enterprise__park__in=parks,
            status__in=(Status.IDENTIFIED, Status.PLANNED),
            assessed_by__in=names,
        )
        .select_related("enterprise__park")
        .order_by("enterprise__park__code", "enterprise__name_vi")
    )
    pipeline = dict(
        Measure.objects.filter(enterprise__park__in=parks, assessed_by__in=names)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    res = services.rollup_for(user)
    charts = [
        {
            "id": "chart-pipeline",
            "kind": "bar",
            "title": _("Your assessments by status"),
            "labels": [str(label) for _v, label in Status.choices],
            "series": [
                {"name": _("Measures"), "data": [pipeline.get(v, 0) for v in Status.values]}
            ],
        },
        {
            "id": "chart-parks",
            "kind": "bar",
            "title": _("Share of enterprises with implemented RECP (%)"),
            "unit": "%",
            "labels": [r["code"] for r in rows],
            "series": [
                {"name": _("RECP share"), "data": [round((r["recp_share"] or 0) * 100, 1) for r in rows]},
                {"name": _("Target 20%"), "data": [RECP_TARGET * 100] * len(rows)},
            ],
        },
    ]  # fmt: skip
    return {
        "year": year,
        "rows": rows,
        "in_progress": in_progress[:200],
        "in_progress_count": in_progress.count(),
        "charts": charts,
        "points": _map_points(rows, user),
        "sentence": rollup_sentence(res.rollup, _lang()),
        "rollup": res.rollup,
    }


TEMPLATES = {
    Role.MINISTRY: ("web/dashboard_territory.html", territory),
    Role.BOARD: ("web/dashboard_territory.html", territory),
    Role.DEVELOPER: ("web/dashboard_developer.html", developer),
    Role.ENTERPRISE: ("web/dashboard_enterprise.html", enterprise),
    Role.CONSULTANT: ("web/dashboard_consultant.html", consultant),
}


def for_request(request) -> tuple[str, dict]:
    """(template, context) of the dashboard of the request's user."""
    role = role_of(request.user)
    template, build = TEMPLATES.get(role, ("web/dashboard.html", None))
    ctx = build(request) if build else {"public_parks": Park.objects.count()}
    ctx["role"] = role
    if request.user.is_authenticated:
        from eiphub.web.todo import todo_for

        ctx["todo"] = todo_for(request.user)
        from eiphub.notices.deadlines import deadlines_for

        ctx["deadlines"] = deadlines_for(request.user)
    return template, ctx

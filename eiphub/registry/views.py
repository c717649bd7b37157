import hashlib
import json

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from eiphub.accounts.scoping import enterprises_for, flows_for, parks_for, public_parks, role_of
from eiphub.core.catalogue import default_catalogue
from eiphub.flows import queries
from eiphub.reports.access import add_map_verdicts
from eiphub.web.params import year_param

from .models import Park, Province

GROUPS = [
    ("energy", _("Energy")),
    ("water", _("Water")),
    ("material", _("Materials")),
    ("waste", _("Wastes")),
]


def park_list(request):
    """All parks in the user's scope (anonymous visitors: the public list)."""
    base = parks_for(request.user) if request.user.is_authenticated else public_parks()
    qs = base.select_related("province", "developer").annotate(
        n=Count("enterprises", distinct=True)
    )
    province = request.GET.get("province") or ""
    eco = request.GET.get("eco") or ""
    q = (request.GET.get("q") or "").strip()
    if province:
        qs = qs.filter(province__code=province)
    if eco:
        qs = qs.filter(eco_status=eco)
    if q:
        qs = qs.filter(Q(name_vi__icontains=q) | Q(name_en__icontains=q) | Q(code__icontains=q))
    parks = list(qs)
    detail_allowed = (
        set(parks_for(request.user).values_list("pk", flat=True))
        if request.user.is_authenticated
        else set()
    )
    lang = get_language() or "vi"
    located = [p for p in parks if p.latitude is not None and p.longitude is not None]
    points = [
        {
            "lat": p.latitude,
            "lon": p.longitude,
            "label": p.name(lang),
            "url": reverse("registry:park_detail", args=[p.code]) if p.pk in detail_allowed else "",
            "value": p.n,
            "unit": ngettext("enterprise", "enterprises", p.n),
        }
        for p in located
    ]
    add_map_verdicts(points, [p.pk for p in located], request.user)
    return render(
        request,
        "registry/park_list.html",
        {
            "parks": parks,
            "detail_allowed": detail_allowed,
            "points_json": json.dumps(points, ensure_ascii=False),
            "provinces": Province.objects.filter(parks__in=base).distinct(),
            "eco_choices": Park.EcoStatus.choices,
            "filters": {"province": province, "eco": eco, "q": q},
        },
    )


def month_runs(months) -> str:
    """'01/2023–03/2023, 06/2023' for sorted first-of-month dates (consecutive months joined)."""
    runs: list[list] = []
    for d in months:
        if runs and (d.year * 12 + d.month) - (runs[-1][1].year * 12 + runs[-1][1].month) == 1:
            runs[-1][1] = d
        else:
            runs.append([d, d])
    return ", ".join(
        a.strftime("%m/%Y") if a == b else f"{a.strftime('%m/%Y')}–{b.strftime('%m/%Y')}"
        for a, b in runs
    )


# Seconds a rendered park overview is kept; every change that marks the park's stored results
# stale changes the cache key first (see _park_cache_key), the expiry is a backstop for writes
# that send no signal (queryset .update()).
PARK_CACHE_SECONDS = 600


def _digest(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _fields(obj) -> tuple:
    return tuple(getattr(obj, f.attname) for f in obj._meta.concrete_fields)


def _park_cache_key(request, park, year, readable, years, facilities, state) -> str:
    """Everything the overview's content depends on: the park's own fields, the viewer (role
    and the exact enterprises they may read), language, time zone and date (completeness),
    the selected year and the years offered, the facilities and the versions of the park's
    stored results.  Two viewers share an entry only if they would see the same page."""
    return "park_detail:" + _digest(
        1,  # bump when the page's content changes shape
        park.pk,
        _fields(park),
        park.province.name if park.province_id else None,
        park.developer.name if park.developer_id else None,
        str(role_of(request.user)),
        tuple(readable),
        get_language(),
        timezone.get_current_timezone_name(),
        timezone.localdate().isoformat(),
        year,
        tuple(years),
        tuple(_fields(f) for f in facilities),
        state,
    )


@login_required
def park_detail(request, code):
    park = get_object_or_404(
        parks_for(request.user).select_related("province", "developer"), code=code
    )
    # Monthly series and Sankeys come from the park's stored year (eiphub/reports/stored.py).
    from eiphub.reports.stored import park_year_state

    years = sorted({d.year for d in queries.park_flows(park).dates("period", "year")}, reverse=True)
    # the latest year with flows (queries.latest_year) is the first of ``years``
    year = year_param(request.GET.get("year")) or (years[0] if years else None)
    enterprises = enterprises_for(request.user).filter(park=park).order_by("name_vi")
    readable = list(enterprises.values_list("pk", flat=True))
    facilities = list(park.facilities.all())
    state = park_year_state(park.pk)
    key = _park_cache_key(request, park, year, readable, years, facilities, state)
    body = cache.get(key)
    if body is None:
        ctx = _park_detail_context(request, park, year, enterprises, readable)
        ctx.update(years=years, facilities=facilities)
        body = render_to_string("registry/_park_detail_body.html", ctx, request=request)
        # Only content computed from the state the key names is kept: a row created or
        # recomputed (or marked stale by a concurrent write) meanwhile leaves it to the next view.
        if park_year_state(park.pk) == state:
            cache.set(key, body, PARK_CACHE_SECONDS)
    return render(request, "registry/park_detail.html", {"park": park, "body": body})


def _park_detail_context(request, park, year, enterprises, readable) -> dict:
    from eiphub.reports.stored import park_years

    cat = default_catalogue()
    stored, fresh = park_years([park.pk], year) if year else ({}, {})
    stored = stored.get(park.pk) or {"monthly": [], "sankey": {}}
    monthly = stored["monthly"]
    charts = []
    for family in (
        "energy.electricity",
        "energy.fuel",
        "water.fresh",
        "water.ground",
        "water.wastewater",
        "waste",
    ):
        series = {"in": [0.0] * 12, "out": [0.0] * 12}
        unit = ""
        for row in monthly:
            if row["group"] == family:
                series[row["direction"]][row["month"] - 1] += row["quantity"]
                unit = row["unit"]
        if unit:
            res = cat.get(family)
            charts.append(
                {
                    "kind": "bar",
                    "title": f"{res.name(get_language() or 'vi') if res else family} ({unit})",
                    "unit": unit,
                    "labels": [f"{m:02d}/{year}" for m in range(1, 13)],
                    "series": [
                        {"name": _("Input"), "data": [round(v, 2) for v in series["in"]]},
                        {"name": _("Output"), "data": [round(v, 2) for v in series["out"]]},
                    ],
                }
            )
    sankeys = []
    for group, label in GROUPS[:3]:
        # Enterprise users see sectors of at least 3 firms only (no single neighbour's flows).
        min_size = 3 if role_of(request.user) == "enterprise" else 1
        s = stored["sankey"].get(f"{group}:{min_size}") or {"links": []}
        if s["links"]:
            sankeys.append({"kind": "sankey", "title": f"{label} ({s['unit']})", **s})
    for i, c in enumerate(charts):
        c["id"] = f"chart-monthly-{i}"
    for i, c in enumerate(sankeys):
        c["id"] = f"chart-sankey-{i}"
    sectors = queries.enterprises_by_sector(park)
    sector_chart = {
        "kind": "pie",
        "title": _("Enterprises by sector (VSIC division)"),
        "labels": [f"VSIC {s['division']}" for s in sectors],
        "series": [{"name": _("Enterprises"), "data": [s["count"] for s in sectors]}],
    }
    completeness = queries.completeness(park, year) if year else None
    if completeness:
        # The share is a park aggregate; the rows name enterprises, so only readable ones.
        readable = set(readable)
        completeness["missing"] = [
            m for m in completeness["missing"] if m["enterprise_id"] in readable
        ]
        for m in completeness["missing"][:50]:  # the page lists 50
            m["months_label"] = month_runs(m["months"])
    return {
        "park": park,
        "year": year,
        "fresh": fresh,
        "charts": charts,
        "sankeys": sankeys,
        "sector_chart": sector_chart,
        "completeness": completeness,
        "enterprises": enterprises,
        # Links to the park's other views; those views enforce their own scope.
        "park_tools": role_of(request.user) != "enterprise",
    }


@login_required
def enterprise_detail(request, pk):
    ent = get_object_or_404(enterprises_for(request.user).select_related("park"), pk=pk)
    flows = flows_for(request.user).filter(enterprise=ent)
    years = sorted({d.year for d in flows.dates("period", "year")}, reverse=True)
    year = year_param(request.GET.get("year")) or (years[0] if years else None)
    cat = default_catalogue()
    lang = get_language() or "vi"
    rows = (
        list(
            flows.filter(period__year=year)
            .values("resource_code", "direction", "canonical_unit")
            .annotate(total=Sum("quantity_canonical"))
            .order_by("direction", "resource_code")
        )
        if year
        else []
    )
    for r in rows:
        res = cat.get(r["resource_code"])
        r["name"] = res.name(lang) if res else r["resource_code"]
    return render(
        request,
        "registry/enterprise_detail.html",
        {
            "ent": ent,
            "year": year,
            "years": years,
            "totals": rows,
            "certificates": ent.certificates.all(),
            "recent": flows.order_by("-period", "resource_code")[:50],
        },
    )

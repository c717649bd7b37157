"""Marketplace search (issue 17): free text in Vietnamese or English through the one
resource resolver (``Catalogue.resolve_candidates``), waste codes (CTNH or EWC), filters,
results as a list and as map points, and saved searches with alerts.

Every result is a :class:`services.ListingView` made by ``services.listing_view``, so a
blind listing shows what the blind projection allows (resource, quantity band, park,
timing) and never the firm.  Locations follow the same rule: a listing is placed at its
park unless the viewer may see the enterprise's record (its owner, the park's board or
the ministry), so neither the map nor the distance filter can locate a hidden firm.
Quantity filter bands fall on the boundaries of the shown 1-5-10 bands, so filtering
narrows nothing beyond what the band already says.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django import forms
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from eiphub.core import wastecodes
from eiphub.core.catalogue import default_catalogue
from eiphub.registry.models import Park, Province

from . import services as S
from .models import Listing, ListingEvidence

# A candidate of the resolver is searched when it scores at least this, and not far
# below the best one ("xỉ thép" is steel slag, not steel).
MIN_SCORE = 0.2
MAX_GAP = 0.1
MAX_TEXT = 120

QUANTITY_BANDS = {  # as listed (per the listing's own period), on band boundaries
    "lt10": (None, 10),
    "10_100": (10, 100),
    "100_1000": (100, 1000),
    "gt1000": (1000, None),
}
DISTANCES_KM = (5, 20, 50, 100, 200)  # include the distance bands' boundaries (5, 20, 50)
EARTH_KM = 6371.0


def _band_choices():
    return [
        ("", _l("Any quantity")),
        ("lt10", _l("under 10")),
        ("10_100", _l("10 to 100")),
        ("100_1000", _l("100 to 1,000")),
        ("gt1000", _l("over 1,000")),
    ]


class SearchForm(forms.Form):
    """The search page's filters (GET).  Every field is optional."""

    q = forms.CharField(
        label=_l("Search"),
        required=False,
        max_length=MAX_TEXT,
        help_text=_l(
            "A resource in Vietnamese or English (“xỉ thép”, “steel slag”) or a waste code."
        ),
    )
    kind = forms.ChoiceField(
        label=_l("Kind"),
        required=False,
        choices=[("", _l("All"))] + list(Listing.Kind.choices),
    )
    family = forms.ChoiceField(label=_l("Resource family"), required=False, choices=())
    hazardous = forms.ChoiceField(
        label=_l("Hazardous"),
        required=False,
        choices=[("", _l("All")), ("yes", _l("Hazardous only")), ("no", _l("Non-hazardous only"))],
    )
    band = forms.ChoiceField(label=_l("Quantity"), required=False, choices=_band_choices)
    recurrence = forms.ChoiceField(
        label=_l("Recurrence"),
        required=False,
        choices=[("", _l("All")), ("recurring", _l("Recurring")), ("once", _l("One-off lot"))],
    )
    province = forms.ChoiceField(label=_l("Province"), required=False, choices=())
    park = forms.ChoiceField(label=_l("Park"), required=False, choices=())
    within_km = forms.TypedChoiceField(
        label=_l("Distance from my site"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _l("Any distance"))] + [(str(k), f"≤ {k} km") for k in DISTANCES_KM],
    )
    available_from = forms.DateField(
        label=_l("Available from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    available_to = forms.DateField(
        label=_l("Available until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lang = translation.get_language() or "vi"
        self.fields["family"].choices = [("", _("All"))] + [
            (k, _(v)) for k, v in S.GROUP_LABELS.items()
        ]
        self.fields["province"].choices = [("", _("All"))] + [
            (p.code, p.name) for p in Province.objects.filter(parks__isnull=False).distinct()
        ]
        self.fields["park"].choices = [("", _("All"))] + [
            (p.code, f"{p.code} · {p.name(lang)}") for p in Park.objects.order_by("code")
        ]

    def clean(self):
        data = super().clean()
        a, b = data.get("available_from"), data.get("available_to")
        if a and b and b < a:
            self.add_error("available_to", _("The end of availability is before its start."))
        return data


def params_of(form: SearchForm) -> dict:
    """The cleaned filters as plain strings (what a saved search stores)."""
    out = {}
    for k, v in form.cleaned_data.items():
        if v in (None, ""):
            continue
        out[k] = v.isoformat() if isinstance(v, dt.date) else str(v)
    return out


def form_of(params: dict) -> SearchForm:
    qd = QueryDict(mutable=True)
    for k, v in (params or {}).items():
        qd[k] = v
    return SearchForm(qd)


# --------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------


@dataclass
class TextMatch:
    """What a free text searched for: catalogue codes (with their descendants) and the
    codes typed as waste codes; ``names`` are the resolved resources, for the page."""

    codes: set[str]
    waste_code: str = ""
    names: tuple[str, ...] = ()


def codes_for_text(text: str) -> TextMatch | None:
    """None when the text is empty; else the resources it names."""
    text = (text or "").strip()[:MAX_TEXT]
    if not text:
        return None
    cat = default_catalogue()
    lang = translation.get_language() or "vi"
    if wastecodes.looks_like_code(text):
        found = wastecodes.resources_for_code(cat, text)
        return TextMatch(
            codes=_with_descendants(cat, found),
            waste_code=wastecodes.normalise(text) or "",
            names=tuple(cat.label(c, lang) for c in sorted(found)),
        )
    res = cat.resolve_candidates(text)
    best = res.confidence
    picked = [c.code for c in res.candidates if c.score >= MIN_SCORE and c.score >= best - MAX_GAP]
    return TextMatch(
        codes=_with_descendants(cat, picked), names=tuple(cat.label(c, lang) for c in picked)
    )


def _with_descendants(cat, codes) -> set[str]:
    out = set()
    for c in codes:
        out.add(c)
        out.update(cat.descendants(c))
    return out


# --------------------------------------------------------------------------
# Location
# --------------------------------------------------------------------------


def km_between(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def _coords(obj):
    lat, lon = getattr(obj, "latitude", None), getattr(obj, "longitude", None)
    if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    return (lat, lon)


def located_at(viewer: S.Viewer, listing: Listing):
    """Where this viewer may place the listing: the enterprise for its owner and for the
    board or ministry of its park; the park for everyone else (blind or named: exact
    coordinates are part of the enterprise's record)."""
    level = viewer.level(listing)
    if level in (S.OWNER, S.FULL):
        here = _coords(listing.enterprise)
        if here:
            return here
    return _coords(listing.enterprise.park)


def my_site(viewer: S.Viewer):
    """The viewer's own enterprise (its coordinates, else its park's); None for others."""
    from eiphub.registry.models import Enterprise

    ent = Enterprise.objects.filter(pk__in=viewer.own_ids).select_related("park").first()
    if ent is None:
        return None
    return _coords(ent) or _coords(ent.park)


# --------------------------------------------------------------------------
# Search
# --------------------------------------------------------------------------


@dataclass
class Result:
    view: S.ListingView
    distance_band: str
    point: tuple | None
    evidence: ListingEvidence | None


@dataclass
class Outcome:
    results: list[Result]
    text: TextMatch | None
    has_site: bool
    total: int


def base_queryset(user) -> QuerySet[Listing]:
    """Published listings of others the user may see, not expired."""
    viewer = S.Viewer(user)
    today = dt.date.today()
    return (
        S.listings_visible_to(user)
        .filter(status=Listing.Status.PUBLISHED)
        .exclude(enterprise__in=viewer.own_ids)
        .exclude(evidence__expires_on__lt=today)
        .select_related("enterprise__park__province", "evidence")
    )


def filter_queryset(qs: QuerySet[Listing], data: dict, text: TextMatch | None):
    """Apply the database filters of a cleaned search form (all but distance)."""
    if text is not None:
        q = Q(resource_code__in=text.codes)
        if text.waste_code:
            bare = text.waste_code.rstrip("*")
            q |= Q(evidence__ctnh_code=bare) | Q(evidence__ewc_code__startswith=bare)
        qs = qs.filter(q)
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("family"):
        qs = qs.filter(resource_code__startswith=data["family"] + ".")
    if data.get("hazardous") == "yes":
        qs = qs.filter(hazardous=True)
    elif data.get("hazardous") == "no":
        qs = qs.filter(hazardous=False)
    lo, hi = QUANTITY_BANDS.get(data.get("band") or "", (None, None))
    if lo is not None:
        qs = qs.filter(quantity__gte=lo)
    if hi is not None:
        qs = qs.filter(quantity__lt=hi)
    if data.get("recurrence") == "recurring":
        qs = qs.filter(recurring=True)
    elif data.get("recurrence") == "once":
        qs = qs.filter(recurring=False)
    if data.get("province"):
        qs = qs.filter(enterprise__park__province__code=data["province"])
    if data.get("park"):
        qs = qs.filter(enterprise__park__code=data["park"])
    a, b = data.get("available_from"), data.get("available_to")
    if b:  # available at some time in [a, b]
        qs = qs.filter(Q(available_from__isnull=True) | Q(available_from__lte=b))
    if a:
        qs = qs.filter(Q(available_to__isnull=True) | Q(available_to__gte=a))
    return qs


LIMIT = 200


def run_search(user, data: dict, qs: QuerySet[Listing] | None = None, limit: int = LIMIT):
    """Search the marketplace for ``user`` with the cleaned filters ``data``."""
    viewer = S.Viewer(user)
    text = codes_for_text(data.get("q") or "")
    qs = filter_queryset(base_queryset(user) if qs is None else qs, data, text)
    site = my_site(viewer)
    within = data.get("within_km")
    results = []
    total = 0
    for listing in qs.order_by("-updated", "-pk")[: limit * 5 if within else limit]:
        point = located_at(viewer, listing)
        km = km_between(*site, *point) if site and point else None
        if within and (km is None or km > within):
            continue
        total += 1
        if len(results) >= limit:
            continue
        results.append(
            Result(
                view=S.listing_view(viewer, listing),
                distance_band=S.distance_band(km),
                point=point,
                evidence=getattr(listing, "evidence", None),
            )
        )
    return Outcome(results=results, text=text, has_site=site is not None, total=total)


def map_points(results: list[Result], lang: str | None = None) -> list[dict]:
    """One map point per place: listings at the same place (a park) are one marker with
    their count, so a marker never stands for one hidden firm's site."""
    from django.urls import reverse

    by_place: dict[tuple, list[Result]] = {}
    for r in results:
        if r.point:
            by_place.setdefault(tuple(round(x, 6) for x in r.point), []).append(r)
    out = []
    for (lat, lon), rows in by_place.items():
        if len(rows) == 1:
            v = rows[0].view
            label = f"{v.resource_name} · {v.quantity_band} · {v.park_code}"
            url = reverse("exchange:listing_detail", args=[v.id])
        else:
            parks = sorted({r.view.park_code for r in rows})
            label = _("%(n)d listings · %(parks)s") % {"n": len(rows), "parks": ", ".join(parks)}
            url = ""
        out.append(
            {
                "lat": lat,
                "lon": lon,
                "label": label,
                "url": url,
                "value": len(rows),
                "color": "#c4572f" if any(r.view.hazardous for r in rows) else "#0b6b5c",
            }
        )
    return out


# --------------------------------------------------------------------------
# Saved searches and alerts
# --------------------------------------------------------------------------


def fitting(search, listing_ids) -> set[int]:
    """Which of these published listings fit a saved search, as its owner may see them
    (one search over them all)."""
    form = form_of(search.params)
    if not form.is_valid() or not listing_ids:
        return set()
    qs = base_queryset(search.user).filter(pk__in=list(listing_ids))
    found = run_search(search.user, form.cleaned_data, qs=qs, limit=len(listing_ids))
    return {r.view.id for r in found.results}


def fits(search, listing: Listing) -> bool:
    return listing.pk in fitting(search, [listing.pk])


def alert_params(search, listing: Listing) -> dict:
    """The ``search_alert`` notice's params: the listing as the search's owner may see
    it (blind unless disclosed: the resource's words redacted, the quantity as a band)."""
    from .notices import band_params, resource_params

    v = S.listing_view(S.Viewer(search.user), listing)
    return {
        "name": search.name,
        "listing_kind": listing.kind,
        **resource_params(listing, hidden=v.blind),
        **band_params(listing),
        "park": v.park_code,
    }


def alert_text(search, listing: Listing) -> str:
    """The alert's sentence in the active language."""
    from eiphub.notices.events import render

    return render("search_alert", alert_params(search, listing))


def send_alerts(listing_ids=None, since=None) -> int:
    """Alert the owners of saved searches that the given (or recently updated) published
    listings fit.  Each (search, listing) pair is alerted once.  Enterprise users'
    alerts go through ``services.notify`` (to the users of their enterprise, each in
    their language); others' to themselves."""
    from django.db import IntegrityError, transaction
    from django.urls import reverse

    from eiphub.accounts.models import Role
    from eiphub.notices.services import notify

    from .models import SavedSearch, SearchAlert
    from .notices import user_ids_of

    qs = Listing.objects.filter(status=Listing.Status.PUBLISHED).select_related("enterprise__park")
    if listing_ids is not None:
        qs = qs.filter(pk__in=list(listing_ids))
    elif since is not None:
        qs = qs.filter(updated__gte=since)
    listings = list(qs)
    if not listings:
        return 0
    sent = 0
    searches = SavedSearch.objects.filter(alerts=True, user__is_active=True).select_related(
        "user__profile"
    )
    for search in searches:
        done = set(
            SearchAlert.objects.filter(search=search, listing__in=listings).values_list(
                "listing_id", flat=True
            )
        )
        fit = fitting(search, [x.pk for x in listings if x.pk not in done])
        for listing in listings:
            if listing.pk not in fit:
                continue
            try:
                with transaction.atomic():
                    SearchAlert.objects.create(search=search, listing=listing)
            except IntegrityError:  # a concurrent run alerted it first
                continue
            url = reverse("exchange:listing_detail", args=[listing.pk])
            profile = getattr(search.user, "profile", None)
            if S.role_of(search.user) == Role.ENTERPRISE and profile and profile.enterprise_id:
                users = user_ids_of(profile.enterprise_id)
            else:
                users = [search.user.pk]
            notify(users, "search_alert", alert_params(search, listing), url)
            sent += 1
    return sent

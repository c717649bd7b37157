"""Exchange services: who sees which listing at which disclosure, matching of the
published listings, offers generated from reported flows, the match -> agreement
-> realised exchange workflow, the funnel and investor fit.

Pages, the JSON API and exports all go through :class:`Viewer` and the
projections :class:`ListingView` / :class:`MatchView`, so blindness is decided
in this one place.  Who may see a park or enterprise at all comes from
``eiphub.accounts.scoping``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from functools import cached_property, lru_cache
from types import SimpleNamespace

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from eiphub.accounts.models import Role
from eiphub.accounts.scoping import enterprises_writable_by, parks_for, role_of
from eiphub.core.catalogue import default_catalogue
from eiphub.core.licences import (
    ENVIRONMENTAL,
    HAZARDOUS_WASTE,
    licences_from_text,
    needs_hazardous_licence,
    normalise_licence,
    offer_requires,
)
from eiphub.core.quality import parse_quality, quality_text  # noqa: F401 (used by forms)
from eiphub.core.units import UnitError
from eiphub.registry.models import Enterprise, Park, Province
from eiphub.symbiosis import matching as core

from .models import Agreement, ExchangeRecord, Listing, Match, MatchNote, Notification

FULL_ROLES = {Role.MINISTRY, Role.BOARD}
BLIND, NAMED, FULL, OWNER = "blind", "named", "full", "owner"
GROUP_LABELS = {
    "energy": "Energy",
    "water": "Water",
    "material": "Materials",
    "chemical": "Chemicals",
    "waste": "Wastes",
    "byproduct": "By-products",
}
# Output fates that make a flow worth offering to others.
OFFER_FATES = ("landfill", "treatment", "discharge")
OFFER_PREFIXES = ("waste.", "byproduct.", "energy.heat", "energy.steam", "water.treated")
OFFER_EXCLUDE = ("waste.domestic",)


class TransitionError(Exception):
    """A refused workflow step.  ``status``: 403 (not your match) or 409 (wrong state),
    400 (bad input).  The message is translated and never names a hidden party."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.message = message
        self.status = status


# --------------------------------------------------------------------------
# Formatting helpers
# --------------------------------------------------------------------------


def _fmt(value: float) -> str:
    from eiphub.web.templatetags.eip import num

    return num(value, 0)


def period_suffix(period: str) -> str:
    return {
        Listing.Period.YEAR: _("/year"),
        Listing.Period.MONTH: _("/month"),
        Listing.Period.ONCE: _(" (one-off lot)"),
    }.get(period, "")


def quantity_band(quantity: float | None, unit: str, period: str = "year") -> str:
    """A 1-5-10 band around a quantity: 37 t/year -> "10–50 t/year".  Never the exact value."""
    if quantity is None or not math.isfinite(quantity) or quantity <= 0:
        return "—"
    if quantity < 1:
        text = f"< {_fmt(1)}"
    else:
        exp = 10 ** math.floor(math.log10(quantity))
        lo, hi = (exp, 5 * exp) if quantity < 5 * exp else (5 * exp, 10 * exp)
        text = f"{_fmt(lo)}–{_fmt(hi)}"
    return f"{text} {unit}{period_suffix(period)}"


# --------------------------------------------------------------------------
# Blind projection helpers (issue 18): one home for what a blind output may say
# --------------------------------------------------------------------------

DISTANCE_BANDS_KM = (5, 20, 50)
# Smallest number of enterprises behind any aggregate shown to an enterprise user.
MIN_GROUP = 3


def distance_band(km: float | None) -> str:
    """A distance as a band (< 5, 5–20, 20–50, > 50 km); never the exact value."""
    if km is None or not math.isfinite(km):
        return "—"
    lo = 0
    for hi in DISTANCE_BANDS_KM:
        if km < hi:
            return f"< {hi} km" if lo == 0 else f"{lo}–{hi} km"
        lo = hi
    return f"> {DISTANCE_BANDS_KM[-1]} km"


_KM_RE = re.compile(r"\b\d+(?:[.,]\d+)?\s*km\b")
_PCT_CLAUSES = (
    re.compile(r";?\s*covers\s+[\d.,]+\s*%\s+of the want", re.IGNORECASE),
    re.compile(r";?\s*đáp ứng\s+[\d.,]+\s*%\s+nhu cầu", re.IGNORECASE),
    re.compile(r";?\s*benefit\s*≈\s*[\d.,]+\s*million VND/year", re.IGNORECASE),
    re.compile(r";?\s*lợi ích\s*≈\s*[\d.,]+\s*triệu đồng/năm", re.IGNORECASE),
)


def blind_text(text: str, hidden: list[Enterprise]) -> str:
    """A stored explanation as a blind output may show it: no hidden party's name or tax
    code, distances as bands, no share of the want and no benefit (both give the hidden
    quantity away)."""
    text = scrub(text or "", hidden)
    if not hidden:
        return text
    for rx in _PCT_CLAUSES:
        text = rx.sub("", text)

    def band(m):
        return distance_band(float(m.group(0).split()[0].replace("km", "").replace(",", ".")))

    return _KM_RE.sub(band, text)


def money_band(vnd: float | None) -> str:
    """A yearly amount as a 1-5-10 band ("10–50 million VND/year"), never the exact value:
    with a known price an exact benefit gives the hidden quantity away."""
    from eiphub.web.templatetags.eip import vnd_compact

    if vnd is None or not math.isfinite(vnd):
        return "—"
    if vnd <= 0:
        return f"≤ {vnd_compact(0, 0)}{_('/year')}"
    exp = 10 ** math.floor(math.log10(vnd))
    lo, hi = (exp, 5 * exp) if vnd < 5 * exp else (5 * exp, 10 * exp)
    return f"{vnd_compact(lo, 0)} – {vnd_compact(hi, 0)}{_('/year')}"


def co2_band(tonnes: float | None) -> str:
    """Avoided emissions per year as a 1-5-10 band ("10–50 tCO2e/year"), never the exact
    value: with the pathway's factor an exact figure gives the hidden quantity away."""
    if tonnes is None or not math.isfinite(tonnes):
        return "—"
    if tonnes <= 0:
        return f"≤ {_fmt(0)} tCO2e{_('/year')}"
    return quantity_band(tonnes, "tCO2e", "year")


def blind_link(row: dict, hidden_side: str) -> dict:
    """A network link row as the other party may see it while ``hidden_side`` (supplier or
    receiver) is not revealed: no ids of that side, distance and flow as bands."""
    out = dict(row)
    listing_key = {"supplier": "offer_id", "receiver": "want_id"}[hidden_side]
    out[f"{hidden_side}_id"] = None
    out[listing_key] = None
    out["distance_band"] = distance_band(row.get("distance_km"))
    out["distance_km"] = None
    out["flow_band"] = quantity_band(row.get("flow"), row.get("unit") or "", "year")
    out["flow"] = None
    # money figures as a band: with a known price they give the flow away
    out["net_benefit_band"] = money_band(row.get("net_benefit_vnd_per_year"))
    out["co2e_band"] = co2_band(row.get("co2e_t_per_year"))
    out["co2e_t_per_year"] = None
    for k in ("net_benefit_vnd_per_year", "gross_vnd_per_year", "fixed_cost_vnd_per_year"):
        out[k] = None
    out["explanation"] = out["explanation_vi"] = ""
    if "link" in out:  # "offer->want" listing ids: an opaque key instead
        import hashlib

        out["link"] = "x" + hashlib.sha256(str(row["link"]).encode()).hexdigest()[:12]
    return out


def resource_name(code: str, text: str = "", lang: str | None = None) -> str:
    return default_catalogue().label(code, lang or translation.get_language() or "vi", text)


def licence_code(text: str) -> str:
    """A licence as the matcher names it ("Giấy phép xử lý CTNH" -> hazardous_waste)."""
    return normalise_licence(text or "")


# --------------------------------------------------------------------------
# Visibility
# --------------------------------------------------------------------------


def owner_enterprises(user) -> QuerySet[Enterprise]:
    """Enterprises whose listings the user manages: an enterprise user's own enterprise."""
    if role_of(user) != Role.ENTERPRISE:
        return Enterprise.objects.none()
    return enterprises_writable_by(user)


def full_view_parks(user) -> QuerySet[Park]:
    """Parks whose listings the user sees in full (board and ministry)."""
    if role_of(user) not in FULL_ROLES:
        return Park.objects.none()
    return parks_for(user)


def listings_visible_to(user) -> QuerySet[Listing]:
    """Listings the user may see at all (at some disclosure level).

    Owners: all their listings, drafts included.  Board and ministry: published
    and closed listings of their parks.  Every other signed-in user with a role:
    published listings (blind unless disclosed), and the counterparts of their
    own matches.  Drafts are visible to their owner only."""
    role = role_of(user)
    if role == Role.PUBLIC:
        return Listing.objects.none()
    own = owner_enterprises(user)
    q = Q(enterprise__in=own) | Q(status=Listing.Status.PUBLISHED)
    if role in FULL_ROLES:
        q |= Q(status=Listing.Status.CLOSED, enterprise__park__in=full_view_parks(user))
    if role == Role.ENTERPRISE:
        q |= Q(matches_as_offer__want__enterprise__in=own) & ~Q(status=Listing.Status.DRAFT)
        q |= Q(matches_as_want__offer__enterprise__in=own) & ~Q(status=Listing.Status.DRAFT)
    return Listing.objects.filter(q).distinct()


def matches_visible_to(user) -> QuerySet[Match]:
    """Matches of the user's own listings; board/ministry: matches touching their parks."""
    own = owner_enterprises(user)
    full = full_view_parks(user)
    q = Q(offer__enterprise__in=own) | Q(want__enterprise__in=own)
    q |= Q(offer__enterprise__park__in=full) | Q(want__enterprise__park__in=full)
    return Match.objects.filter(q).distinct()


def agreements_visible_to(user) -> QuerySet[Agreement]:
    own = owner_enterprises(user)
    full = full_view_parks(user)
    q = Q(supplier__in=own) | Q(receiver__in=own)
    q |= Q(supplier__park__in=full) | Q(receiver__park__in=full)
    return Agreement.objects.filter(q).distinct()


class Viewer:
    """What one user may know about listings, matches and agreements (per request)."""

    def __init__(self, user):
        self.user = user
        self.role = role_of(user)

    @cached_property
    def own_ids(self) -> set[int]:
        return set(owner_enterprises(self.user).values_list("pk", flat=True))

    @cached_property
    def own_park_ids(self) -> set[int]:
        return set(Enterprise.objects.filter(pk__in=self.own_ids).values_list("park_id", flat=True))

    @cached_property
    def full_park_ids(self) -> set[int]:
        return set(full_view_parks(self.user).values_list("pk", flat=True))

    @cached_property
    def revealed_ids(self) -> set[int]:
        """Listings named to this user because a match with one of theirs was accepted by both."""
        if not self.own_ids:
            return set()
        out = set()
        both = Match.objects.filter(offer_accepted=True, want_accepted=True)
        for o, w, oe, we in both.filter(
            Q(offer__enterprise__in=self.own_ids) | Q(want__enterprise__in=self.own_ids)
        ).values_list("offer_id", "want_id", "offer__enterprise_id", "want__enterprise_id"):
            if oe in self.own_ids:
                out.add(w)
            if we in self.own_ids:
                out.add(o)
        return out

    def enterprise_named(self, enterprise: Enterprise, match: Match | None = None) -> bool:
        """May this user see the enterprise's identity in the context of a match/agreement?"""
        if enterprise.pk in self.own_ids or enterprise.park_id in self.full_park_ids:
            return True
        return match is not None and match.revealed and self.is_party(match)

    def level(self, listing: Listing) -> str:
        if listing.enterprise_id in self.own_ids:
            return OWNER
        if listing.enterprise.park_id in self.full_park_ids:
            return FULL
        if listing.pk in self.revealed_ids:
            return NAMED
        if listing.disclosure == Listing.Disclosure.PUBLIC:
            return NAMED
        if (
            listing.disclosure == Listing.Disclosure.PARK
            and listing.enterprise.park_id in self.own_park_ids
        ):
            return NAMED
        return BLIND

    def side(self, match: Match) -> str:
        """'offer' or 'want' when the user owns that listing of the match, else ''."""
        if match.offer.enterprise_id in self.own_ids:
            return "offer"
        if match.want.enterprise_id in self.own_ids:
            return "want"
        return ""

    def is_party(self, match: Match) -> bool:
        return bool(self.side(match))

    def agreement_side(self, agreement: Agreement) -> str:
        if agreement.supplier_id in self.own_ids:
            return "supplier"
        if agreement.receiver_id in self.own_ids:
            return "receiver"
        return ""

    def hidden_enterprises(self, *enterprises: Enterprise, match: Match | None = None):
        return [e for e in enterprises if not self.enterprise_named(e, match)]


@dataclass
class ListingView:
    """A listing as one user may see it.  Blind views carry no enterprise, exact
    quantity, price, quality, site or coordinates (those fields are None)."""

    id: int
    kind: str
    status: str
    level: str
    resource_code: str
    resource_name: str
    resource_group: str
    park_code: str
    park_name: str
    period: str
    recurring: bool
    available_from: dt.date | None
    available_to: dt.date | None
    hazardous: bool
    licence_required: str
    temperature_c: float | None
    pressure_bar: float | None
    quantity_band: str
    enterprise_id: int | None = None
    enterprise_name: str | None = None
    quantity: float | None = None
    unit: str | None = None
    price_vnd_per_unit: float | None = None
    quality: dict | None = None
    site: str | None = None
    disclosure: str | None = None
    source_flow_key: str | None = None
    version: int | None = None  # the owner's: an edit names it (issue 18)

    @property
    def blind(self) -> bool:
        return self.level == BLIND

    @property
    def is_mine(self) -> bool:
        return self.level == OWNER

    @property
    def kind_label(self) -> str:
        return str(Listing.Kind(self.kind).label)

    @property
    def status_label(self) -> str:
        return str(Listing.Status(self.status).label)

    @property
    def quality_text(self) -> str:
        return quality_text(self.quality or {})

    def to_dict(self) -> dict:
        d = asdict(self)
        d["blind"] = self.blind
        return d


def _shown_text(listing: Listing, level: str, text: str) -> str:
    """A listing's own words as a blind view may show them: an unresolved free text could
    carry the firm's name, tax code, address or contact details (core/redaction.py)."""
    if level != BLIND or not text or (listing.resource_code and not listing.resource_text):
        return text
    from eiphub.core.redaction import redact

    ent = listing.enterprise
    names = [n for n in (ent.name_vi, ent.name_en, ent.tax_code) if n]
    addresses = [a for a in (ent.plot, listing.site) if a]
    return redact(text, names=names, addresses=addresses).text


def listing_view(viewer: Viewer, listing: Listing, lang: str | None = None) -> ListingView:
    lang = lang or translation.get_language() or "vi"
    level = viewer.level(listing)
    park = listing.enterprise.park
    code = listing.resource_code
    v = ListingView(
        id=listing.pk,
        kind=listing.kind,
        status=listing.status,
        level=level,
        resource_code=code,
        resource_name=_shown_text(listing, level, resource_name(code, listing.resource_text, lang)),
        resource_group=code.split(".")[0] if code else "",
        park_code=park.code,
        park_name=park.name(lang),
        period=listing.period,
        recurring=listing.recurring,
        available_from=listing.available_from,
        available_to=listing.available_to,
        hazardous=listing.hazardous,
        licence_required=listing.licence_required,
        temperature_c=listing.temperature_c,
        pressure_bar=listing.pressure_bar,
        quantity_band=quantity_band(listing.quantity, listing.unit, listing.period),
    )
    if level != BLIND:
        v.enterprise_id = listing.enterprise_id
        v.enterprise_name = listing.enterprise.name(lang)
        v.quantity = listing.quantity
        v.unit = listing.unit
        v.price_vnd_per_unit = listing.price_vnd_per_unit
        v.quality = dict(listing.quality or {})
        v.site = listing.site
        v.disclosure = listing.disclosure
    if level == OWNER:
        v.source_flow_key = listing.source_flow_key
        v.version = listing.version
    return v


def scrub(text: str, hidden: list[Enterprise]) -> str:
    """Remove the names and tax codes of hidden enterprises from a stored text."""
    for e in hidden:
        for s in (e.name_vi, e.name_en, e.tax_code):
            if s:
                text = re.sub(re.escape(s), _("[hidden enterprise]"), text, flags=re.IGNORECASE)
    return text


@dataclass
class MatchView:
    id: int
    status: str
    score: float
    distance_km: float | None
    pathway: str
    benefit_vnd_per_year: float | None  # None before the reveal: see benefit_band
    co2e_t_per_year: float | None  # None before the reveal: see co2e_band
    explanation: str
    side: str  # the user's side: offer, want or '' (board/ministry)
    revealed: bool
    offer_accepted: bool
    want_accepted: bool
    offer: ListingView
    want: ListingView
    matched_band: str
    distance_band: str = "—"
    benefit_band: str = "—"
    co2e_band: str = "—"
    matched_quantity: float | None = None
    unit: str | None = None
    agreement_id: int | None = None

    @property
    def status_label(self) -> str:
        return str(Match.Status(self.status).label)

    @property
    def mine(self) -> ListingView | None:
        return {"offer": self.offer, "want": self.want}.get(self.side)

    @property
    def other(self) -> ListingView | None:
        return {"offer": self.want, "want": self.offer}.get(self.side)

    @property
    def my_accepted(self) -> bool:
        return {"offer": self.offer_accepted, "want": self.want_accepted}.get(self.side, False)

    @property
    def their_accepted(self) -> bool:
        return {"offer": self.want_accepted, "want": self.offer_accepted}.get(self.side, False)

    @property
    def can_act(self) -> bool:
        return bool(self.side) and self.status not in (Match.Status.DECLINED, Match.Status.AGREED)

    @property
    def can_agree(self) -> bool:
        return bool(self.side) and self.revealed and self.agreement_id is None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["offer"], d["want"] = self.offer.to_dict(), self.want.to_dict()
        return d


def latest_agreement(m: Match) -> Agreement | None:
    """The match's newest agreement; uses `prefetch_latest_agreements` when applied."""
    if not m.pk:
        return None
    if "agreement_set" in getattr(m, "_prefetched_objects_cache", {}):
        rows = list(m.agreement_set.all())
        return rows[0] if rows else None
    return m.agreement_set.order_by("-created").first()


def prefetch_latest_agreements(qs: QuerySet[Match]) -> QuerySet[Match]:
    """Fetch all listed matches' agreements in one query, newest first (for `match_view`)."""
    return qs.prefetch_related(
        Prefetch("agreement_set", queryset=Agreement.objects.order_by("-created"))
    )


def match_view(viewer: Viewer, m: Match, lang: str | None = None) -> MatchView:
    lang = lang or translation.get_language() or "vi"
    side = viewer.side(m)
    offer, want = listing_view(viewer, m.offer, lang), listing_view(viewer, m.want, lang)
    if m.revealed and side:  # both accepted: the parties see each other in full
        for v, lst in ((offer, m.offer), (want, m.want)):
            if v.blind:
                v.level = NAMED
                v.enterprise_id, v.enterprise_name = lst.enterprise_id, lst.enterprise.name(lang)
                v.quantity, v.unit, v.price_vnd_per_unit = (
                    lst.quantity,
                    lst.unit,
                    lst.price_vnd_per_unit,
                )
                v.quality, v.site, v.disclosure = dict(lst.quality or {}), lst.site, lst.disclosure
    hidden = [lst.enterprise for v, lst in ((offer, m.offer), (want, m.want)) if v.blind]
    exact = not hidden
    if m.facts:
        with translation.override(lang):
            text = phrase_facts(m.facts)
    else:
        text = m.explanation if lang.startswith("en") else (m.explanation_vi or m.explanation)
    agreement = latest_agreement(m)
    return MatchView(
        id=m.pk,
        status=m.status,
        score=round(m.score, 3),
        distance_km=None if m.distance_km is None or not exact else round(m.distance_km),
        distance_band=distance_band(m.distance_km),
        pathway=m.pathway,
        benefit_vnd_per_year=m.benefit_vnd_per_year if exact else None,
        benefit_band=money_band(m.benefit_vnd_per_year),
        co2e_t_per_year=m.co2e_t_per_year if exact else None,
        co2e_band=co2_band(m.co2e_t_per_year),
        explanation=blind_text(text, hidden),
        side=side,
        revealed=m.revealed,
        offer_accepted=m.offer_accepted,
        want_accepted=m.want_accepted,
        offer=offer,
        want=want,
        matched_band=quantity_band(m.matched_quantity, m.unit, "year"),
        matched_quantity=m.matched_quantity if exact else None,
        unit=m.unit if exact else None,
        agreement_id=agreement.pk if agreement else None,
    )


def phrase_facts(facts: list[dict]) -> str:
    """A match's explanation in the active language from its structured facts
    (``symbiosis.matching.explain``), numbers in the user's locale."""
    from eiphub.web.templatetags.eip import num

    en = (translation.get_language() or "vi").startswith("en")
    f = {x.get("code"): x for x in facts}
    link, res = f.get("link", {}), f.get("resources", {})
    rel = link.get("relation")
    if rel == "pathway":
        name = link.get("pathway_name_en" if en else "pathway_name_vi", "")
        how = _("via pathway %(id)s (%(name)s)") % {"id": link.get("pathway", ""), "name": name}
    else:
        how = {
            "same": _("direct match"),
            "narrower": _("direct match (want is broader)"),
            "broader": _("direct match (offer is broader, check grade)"),
            "text": _("same description (not in the catalogue)"),
        }.get(rel, "")
    side = "en" if en else "vi"
    parts = [f"{res.get('offer_' + side, '')} → {res.get('want_' + side, '')} {how}".strip()]
    km = f.get("distance", {}).get("distance_km")
    if km is None:
        parts.append(_("same park, distance not given"))
    else:
        parts.append(_("%(km)s km") % {"km": num(km, 1)})
    if "coverage" in f:
        pct = num(100 * (f["coverage"].get("share_of_want") or 0), 0)
        parts.append(_("covers %(pct)s%% of the want") % {"pct": pct})
    if "benefit" in f:
        ben = num((f["benefit"].get("vnd_per_year") or 0) / 1e6, 0)
        parts.append(_("benefit ≈ %(million)s million VND/year") % {"million": ben})
    if "unverified" in f:
        parts.append(_("quality or temperature not stated, check before agreeing"))
    if "licence" in f:
        lic = f["licence"].get("licence", "")
        label = {
            HAZARDOUS_WASTE: _("hazardous-waste licence"),
            ENVIRONMENTAL: _("environmental licence"),
        }.get(lic) or _("licence “%(name)s”") % {"name": lic.replace("_", " ")}
        parts.append(_("receiver must hold a %(licence)s") % {"licence": label})
    return "; ".join(parts)


def party_names(viewer: Viewer, agreement: Agreement, lang: str | None = None) -> tuple[str, str]:
    """(supplier, receiver) names as this user may see them."""
    lang = lang or translation.get_language() or "vi"
    out = []
    for e in (agreement.supplier, agreement.receiver):
        named = viewer.enterprise_named(e, agreement.match) or agreement.match is None
        out.append(e.name(lang) if named else _("[hidden enterprise]"))
    return out[0], out[1]


def _listing_qs() -> QuerySet[Listing]:
    return Listing.objects.select_related("enterprise__park")


def match_qs() -> QuerySet[Match]:
    return Match.objects.select_related("offer__enterprise__park", "want__enterprise__park")


# --------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _canonical_factor(cat, code: str, unit: str) -> float | None:
    """Canonical units of ``code`` per ``unit`` (None: not convertible); one unit
    conversion per distinct (resource, unit), not per listing."""
    try:
        return cat.to_canonical(code, 1.0, unit)
    except UnitError:
        return None


def _listing_resource(cat, listing: Listing):
    res = cat.get(listing.resource_code) if listing.resource_code else None
    if res is None and listing.resource_text:
        res = cat.resolve(listing.resource_text, unit=listing.unit or None)
    return res


def to_core_listing(
    listing: Listing, cat=None, directory: dict | None = None, ctnh: dict | None = None
) -> core.Listing | None:
    """A published DB listing as the matcher's Listing (quantity per year, canonical unit).
    Returns None when the quantity cannot be expressed in the resource's unit.

    Issue 17: the receiver of a hazardous waste must be in the directory of licensed
    handlers with a valid licence covering the waste's code (core/licences.py); a want
    holds what its enterprise's directory licences allow (``directory``: enterprise id
    -> licences, from :func:`handlers.held_licences`; looked up when not given)."""
    from .handlers import held_licences, waste_code_of

    cat = cat or default_catalogue()
    res = _listing_resource(cat, listing)
    per_year = 12.0 if listing.period == Listing.Period.MONTH else 1.0
    qty, unit, factor, code = listing.quantity * per_year, listing.unit, 1.0, ""
    if res is not None and res.unit:
        factor = _canonical_factor(cat, res.code, listing.unit)
        if factor is None:
            return None
        qty, unit, code = qty * factor, res.unit, res.code
    ent = listing.enterprise
    lat, lon = ent.latitude, ent.longitude
    if lat is None or lon is None:
        lat, lon = ent.park.latitude, ent.park.longitude
    quality = dict(listing.quality or {})
    if listing.pressure_bar is not None:
        key = "pressure_bar" if listing.kind == Listing.Kind.OFFER else "pressure_bar_min"
        quality.setdefault(key, listing.pressure_bar)
    lic = licence_code(listing.licence_required)
    held = licences_from_text(listing.resource_text)
    if listing.kind == Listing.Kind.OFFER:
        if needs_hazardous_licence(res, listing.hazardous):
            own = None if ctnh is None else ctnh.get(listing.pk, "")
            held |= offer_requires(waste_code_of(listing, res, own), True)
    else:
        if directory is None:
            directory = held_licences([listing.enterprise_id])
        held |= directory.get(listing.enterprise_id, frozenset())
    price = listing.price_vnd_per_unit
    return core.Listing(
        id=str(listing.pk),
        enterprise=str(listing.enterprise_id),
        park=ent.park.code,
        kind=listing.kind,
        resource=code,
        resource_text=listing.resource_text or code,
        quantity=qty,
        unit=unit,
        lat=lat,
        lon=lon,
        hazardous=listing.hazardous,
        temperature_c=listing.temperature_c,
        price_vnd_per_unit=None if price is None else price / factor,
        available_from=listing.available_from,
        available_to=listing.available_to,
        licences=frozenset({lic} if lic else ()) | held,
        quality=quality,
        recurring=listing.recurring and listing.period != Listing.Period.ONCE,
        industry=ent.vsic,
    )


def core_listings(qs) -> list[core.Listing]:
    from .handlers import evidence_codes, held_licences, waste_code_of

    cat = default_catalogue()
    qs = list(qs)
    haz, want_ents = [], set()
    for lst in qs:
        if lst.kind == Listing.Kind.OFFER:
            res = _listing_resource(cat, lst)
            if needs_hazardous_licence(res, lst.hazardous):
                haz.append((lst, res))
        else:
            want_ents.add(lst.enterprise_id)
    ctnh = evidence_codes([lst.pk for lst, _res in haz]) if haz else {}  # one query
    codes = {waste_code_of(lst, res, ctnh.get(lst.pk, "")) for lst, res in haz} - {""}
    directory = held_licences(want_ents, codes)  # one query for every want's licences
    return [x for x in (to_core_listing(lst, cat, directory, ctnh) for lst in qs) if x is not None]


@dataclass
class MatchRun:
    listings: int = 0
    created: int = 0
    updated: int = 0
    removed: int = 0
    notified: int = 0
    match_ids: list[int] = field(default_factory=list)


def _scope_listings(scope) -> QuerySet[Listing]:
    """Published listings considered for a park (its province, so neighbours match),
    a province, or everything (scope None)."""
    qs = _listing_qs().filter(status=Listing.Status.PUBLISHED)
    if isinstance(scope, Park):
        return qs.filter(enterprise__park__province_id=scope.province_id)
    if isinstance(scope, Province):
        return qs.filter(enterprise__park__province=scope)
    return qs


def users_of(enterprise_id: int):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            profile__enterprise_id=enterprise_id, profile__role=Role.ENTERPRISE, is_active=True
        )
        .select_related("profile")
    )


def users_of_many(enterprise_ids):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            profile__enterprise_id__in=list(enterprise_ids),
            profile__role=Role.ENTERPRISE,
            is_active=True,
        )
        .select_related("profile")
    )


def notify(enterprise_id: int, message, url: str = "") -> int:
    """Notify every user of an enterprise, each in their language.  ``message`` is a
    callable returning the (translated) text, so it is evaluated per language."""
    n = 0
    for u in users_of(enterprise_id):
        with translation.override(getattr(u.profile, "language", None) or "vi"):
            text = str(message())[:300]
        Notification.objects.create(user=u, text=text, url=url)
        n += 1
    return n


MATCH_VALUE_FIELDS = (
    "score",
    "distance_km",
    "matched_quantity",
    "unit",
    "pathway",
    "explanation",
    "explanation_vi",
    "benefit_vnd_per_year",
    "co2e_t_per_year",
    "facts",
)


# what decides whether a stored match changed: its figures, unit and pathway (the texts
# and facts are formatted from these and the catalogue, so they are only rebuilt for new
# or changed matches; a renamed resource shows in a match's text when its figures change)
DIFF_FIELDS = (
    "score",
    "distance_km",
    "matched_quantity",
    "unit",
    "pathway",
    "benefit_vnd_per_year",
    "co2e_t_per_year",
)


def _match_key(m: core.Match) -> tuple:
    return (
        m.score,
        m.distance_km,
        m.matched_quantity,
        m.unit[:20],
        m.pathway[:20],
        m.benefit_vnd_per_year,
        m.co2e_t_per_year,
    )


def _match_values(m: core.Match) -> tuple:
    en, vi = m.explanations()
    return (
        m.score,
        m.distance_km,
        m.matched_quantity,
        m.unit[:20],
        m.pathway[:20],
        en,
        vi,
        m.benefit_vnd_per_year,
        m.co2e_t_per_year,
        [{"code": f.code, **f.params} for f in m.facts],
    )


# the columns matching reads (to_core_listing, notifications): fewer values to convert
MATCHING_FIELDS = (
    "enterprise_id",
    "kind",
    "resource_code",
    "resource_text",
    "quantity",
    "unit",
    "period",
    "recurring",
    "available_from",
    "available_to",
    "quality",
    "temperature_c",
    "pressure_bar",
    "hazardous",
    "licence_required",
    "price_vnd_per_unit",
    "enterprise__latitude",
    "enterprise__longitude",
    "enterprise__vsic",
    "enterprise__park_id",
    "enterprise__park__code",
    "enterprise__park__latitude",
    "enterprise__park__longitude",
)


@transaction.atomic
def run_matching(scope=None, params: core.MatchParams | None = None) -> MatchRun:
    """Match the published listings of a park (with its province's other parks), a
    province, or everything, and upsert Match rows: new pairs are created (and
    their owners notified once), known pairs keep their workflow state and get
    fresh scores, pairs no longer found are deleted only while still 'identified'.

    Set-based: existing matches are read in one query and diffed in memory; new
    rows go in with bulk_create, changed rows (only those whose figures moved)
    with bulk_update, stale rows in one delete, notifications with bulk_create."""
    listings = list(_scope_listings(scope).only(*MATCHING_FIELDS))
    by_id = {lst.pk: lst for lst in listings}
    if isinstance(scope, Park):
        focus = {lst.pk for lst in listings if lst.enterprise.park_id == scope.pk}
    else:
        focus = set(by_id)
    result = core.match(core_listings(listings), params=params)
    run = MatchRun(listings=len(listings))
    found = {}
    for m in result:
        key = (int(m.offer_id), int(m.want_id))
        if key[0] in focus or key[1] in focus:
            found[key] = m
    # existing matches between the scope's listings: one indexed IN on the offer
    # (a subquery on both sides makes PostgreSQL nest loops), the want checked here
    existing = {}
    ids = list(by_id)
    for i in range(0, len(ids), 5000):
        rows = Match.objects.filter(offer_id__in=ids[i : i + 5000]).values_list(
            "pk", "offer_id", "want_id", "status", *DIFF_FIELDS
        )
        existing.update({(r[1], r[2]): r for r in rows if r[2] in by_id})
    new, changed, kept = [], [], []
    for key, m in found.items():
        row = existing.get(key)
        if row is None:
            new.append((key[0], key[1], _match_values(m)))
        else:
            kept.append(row[0])
            if tuple(row[4:]) != _match_key(m):
                values = _match_values(m)
                changed.append(
                    Match(pk=row[0], **dict(zip(MATCH_VALUE_FIELDS, values, strict=True)))
                )
    stale = [
        row[0]
        for key, row in existing.items()
        if key not in found
        and row[3] == Match.Status.IDENTIFIED
        and (key[0] in focus or key[1] in focus)
    ]
    for i in range(0, len(stale), 900):
        Match.objects.filter(pk__in=stale[i : i + 900]).delete()
    if changed:
        Match.objects.bulk_update(changed, MATCH_VALUE_FIELDS, batch_size=500)
    created = _insert_matches(new)
    run.notified = _notify_new_matches(created, by_id)
    run.created, run.updated, run.removed = len(created), len(kept), len(stale)
    run.match_ids = [x.pk for x in created] + kept
    return run


def _insert_matches(new: list[tuple]) -> list:
    """Insert new matches ((offer id, want id, values) each); returns objects with
    pk, offer_id, want_id and score.  PostgreSQL: one COPY, then one query for the
    ids (COPY is several times faster than a multi-row INSERT built by the ORM);
    other databases: bulk_create, which returns the ids."""
    if not new:
        return []
    conn = transaction.get_connection()
    if conn.vendor != "postgresql":
        objs = [
            Match(offer_id=o, want_id=w, **dict(zip(MATCH_VALUE_FIELDS, v, strict=True)))
            for o, w, v in new
        ]
        return Match.objects.bulk_create(objs, batch_size=1000)
    meta = Match._meta
    names = ["offer", "want", *MATCH_VALUE_FIELDS, "offer_accepted", "want_accepted", "status"]
    cols = [meta.get_field(n).column for n in names] + [meta.get_field("created").column]
    now = timezone.now()
    with conn.cursor() as cur:
        sql = f"COPY {conn.ops.quote_name(meta.db_table)} ({', '.join(map(conn.ops.quote_name, cols))}) FROM STDIN"
        with cur.cursor.copy(sql) as copy:
            for o, w, v in new:
                row = (*v[:-1], json.dumps(v[-1], ensure_ascii=False))  # facts: JSON text
                copy.write_row((o, w, *row, False, False, Match.Status.IDENTIFIED, now))
    wanted = {(o, w): v[0] for o, w, v in new}
    offers = sorted({o for o, _w, _v in new})
    out = []
    for i in range(0, len(offers), 5000):
        for pk, o, w in Match.objects.filter(offer_id__in=offers[i : i + 5000]).values_list(
            "pk", "offer_id", "want_id"
        ):
            if (o, w) in wanted:
                out.append(SimpleNamespace(pk=pk, offer_id=o, want_id=w, score=wanted[o, w]))
    return out


def _notify_new_matches(created: list[Match], by_id: dict) -> int:
    """One notification per user of each side's enterprise, in the user's language;
    users read in one query, texts built once per language, one bulk insert."""
    if not created:
        return 0
    ents = {by_id[x].enterprise_id for obj in created for x in (obj.offer_id, obj.want_id)}
    users = defaultdict(list)
    for u in users_of_many(ents):
        users[u.profile.enterprise_id].append(u)
    if not users:
        return 0
    marker = 987654321  # the match URL differs only by the id: reverse once
    url_pattern = reverse("exchange:match_detail", args=[marker])
    by_lang = defaultdict(list)  # language -> (user, match, listing)
    for obj in created:
        for lst in (by_id[obj.offer_id], by_id[obj.want_id]):
            for u in users.get(lst.enterprise_id, ()):
                lang = getattr(u.profile, "language", None) or "vi"
                by_lang[lang].append((u, obj, lst))
    out = []
    for lang, items in by_lang.items():
        with translation.override(lang):
            template = _("New match for your %(kind)s “%(resource)s” (score %(score)s).")
            kinds = {k: Listing.Kind(k).label.lower() for k in Listing.Kind.values}
            names: dict = {}
            for u, obj, lst in items:
                key = (lst.resource_code, lst.resource_text)
                if key not in names:
                    names[key] = resource_name(*key)
                text = template % {
                    "kind": kinds[lst.kind],
                    "resource": names[key],
                    "score": f"{obj.score:.2f}",
                }
                url = url_pattern.replace(str(marker), str(obj.pk))
                out.append(Notification(user=u, text=text[:300], url=url))
    Notification.objects.bulk_create(out, batch_size=1000)
    return len(out)


# --------------------------------------------------------------------------
# Offers from reported flows
# --------------------------------------------------------------------------


def _offerable(code: str) -> bool:
    return code.startswith(OFFER_PREFIXES) and code not in OFFER_EXCLUDE


@dataclass
class FlowOffers:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    months: int = 0
    listing_ids: list[int] = field(default_factory=list)


@transaction.atomic
def offers_from_flows(enterprise: Enterprise) -> FlowOffers:
    """Create or refresh draft offers from the enterprise's output flows of the last
    12 reported months whose fate is landfill, treatment or discharge (wastes,
    by-products, waste heat, treated water).  Quantities are per year (scaled up
    when fewer months are reported).  Listings are keyed by ``source_flow_key``
    ("flows:<resource>") so re-running updates instead of duplicating; closed
    listings are left alone, and the owner's edits other than quantity are kept."""
    from eiphub.flows.models import FlowRecord

    out = FlowOffers()
    flows = FlowRecord.objects.filter(enterprise=enterprise, direction="out")
    last = flows.order_by("-period").values_list("period", flat=True).first()
    if last is None:
        return out
    y, m = divmod(last.year * 12 + last.month - 1 - 11, 12)
    first = dt.date(y, m + 1, 1)
    rows = flows.filter(period__gte=first, period__lte=last, fate__in=OFFER_FATES)
    totals: dict[str, float] = defaultdict(float)
    units: dict[str, str] = {}
    months: dict[str, set] = defaultdict(set)
    for code, qty, unit, period in rows.values_list(
        "resource_code", "quantity_canonical", "canonical_unit", "period"
    ):
        if _offerable(code):
            totals[code] += qty
            units[code] = unit
            months[code].add(period)
    out.months = len(set().union(*months.values())) if months else 0
    cat = default_catalogue()
    for code, total in sorted(totals.items()):
        n = len(months[code])
        qty = round(total * 12 / n, 3) if n else 0.0
        if qty <= 0:
            continue
        key = f"flows:{code}"
        res = cat.get(code)
        lst = Listing.objects.filter(enterprise=enterprise, source_flow_key=key).first()
        if lst is None:
            lst = Listing.objects.create(
                enterprise=enterprise,
                kind=Listing.Kind.OFFER,
                resource_code=code,
                resource_text=res.name_vi if res else code,
                quantity=qty,
                unit=units[code],
                period=Listing.Period.YEAR,
                recurring=True,
                hazardous=bool(res and res.hazardous),
                licence_required=HAZARDOUS_WASTE if res and res.hazardous else "",
                status=Listing.Status.DRAFT,
                source_flow_key=key,
            )
            out.created += 1
        elif lst.status == Listing.Status.CLOSED:
            continue
        elif lst.quantity == qty and lst.unit == units[code] and lst.period == "year":
            out.unchanged += 1
        else:
            lst.quantity, lst.unit, lst.period = qty, units[code], Listing.Period.YEAR
            lst.save(update_fields=["quantity", "unit", "period", "updated"])
            out.updated += 1
        out.listing_ids.append(lst.pk)
    return out


# --------------------------------------------------------------------------
# Workflow
# --------------------------------------------------------------------------


def _lock_match(match: Match) -> Match:
    return match_qs().select_for_update(of=("self",)).get(pk=match.pk)


def _require_side(viewer: Viewer, match: Match) -> str:
    side = viewer.side(match)
    if not side:
        raise TransitionError(_("Only the owners of the two listings can act on a match."), 403)
    return side


def _other_enterprise(match: Match, side: str) -> int:
    return match.want.enterprise_id if side == "offer" else match.offer.enterprise_id


def _match_url(match: Match) -> str:
    return reverse("exchange:match_detail", args=[match.pk])


def _note(match, user, side, kind, text=""):
    return MatchNote.objects.create(match=match, author=user, side=side, kind=kind, text=text)


def _open(match: Match):
    if match.status == Match.Status.DECLINED:
        raise TransitionError(_("This match was declined."))
    if match.status == Match.Status.AGREED:
        raise TransitionError(_("This match already led to an agreement."))


@transaction.atomic
def express_interest(user, match: Match) -> Match:
    viewer = Viewer(user)
    match = _lock_match(match)
    side = _require_side(viewer, match)
    _open(match)
    if match.status == Match.Status.IDENTIFIED:
        match.status = Match.Status.INTERESTED
        match.save(update_fields=["status"])
    _note(match, user, side, MatchNote.Kind.INTEREST)
    notify(
        _other_enterprise(match, side),
        lambda: (
            _("Another enterprise is interested in a match for your listing “%(resource)s”.")
            % {"resource": resource_name(match.offer.resource_code, match.offer.resource_text)}
        ),
        _match_url(match),
    )
    return match


@transaction.atomic
def accept(user, match: Match) -> Match:
    """Accept on the user's side; when both sides accepted, identities are revealed."""
    viewer = Viewer(user)
    match = _lock_match(match)
    side = _require_side(viewer, match)
    _open(match)
    if getattr(match, f"{side}_accepted"):
        raise TransitionError(_("You already accepted this match."))
    setattr(match, f"{side}_accepted", True)
    match.status = Match.Status.NEGOTIATING if match.revealed else Match.Status.INTERESTED
    match.save(update_fields=[f"{side}_accepted", "status"])
    _note(match, user, side, MatchNote.Kind.ACCEPT)
    res = resource_name(match.offer.resource_code, match.offer.resource_text)
    if match.revealed:
        for s in ("offer", "want"):
            ent = match.offer.enterprise_id if s == "offer" else match.want.enterprise_id
            notify(
                ent,
                lambda: (
                    _(
                        "Both sides accepted the match for “%(resource)s”: you can now see "
                        "each other and negotiate."
                    )
                    % {"resource": res}
                ),
                _match_url(match),
            )
    else:
        notify(
            _other_enterprise(match, side),
            lambda: (
                _(
                    "The other side accepted a match for “%(resource)s”; accept too to "
                    "reveal both identities."
                )
                % {"resource": res}
            ),
            _match_url(match),
        )
    return match


@transaction.atomic
def decline(user, match: Match, reason: str = "") -> Match:
    viewer = Viewer(user)
    match = _lock_match(match)
    side = _require_side(viewer, match)
    _open(match)
    match.status = Match.Status.DECLINED
    match.save(update_fields=["status"])
    from .negotiation import relay

    _note(match, user, side, MatchNote.Kind.DECLINE, relay(match, side, reason[:2000]).text)
    notify(
        _other_enterprise(match, side),
        lambda: (
            _("A match for “%(resource)s” was declined by the other side.")
            % {"resource": resource_name(match.offer.resource_code, match.offer.resource_text)}
        ),
        _match_url(match),
    )
    return match


@transaction.atomic
def add_note(user, match: Match, text: str) -> MatchNote:
    viewer = Viewer(user)
    match = _lock_match(match)
    side = _require_side(viewer, match)
    if match.status == Match.Status.DECLINED:
        raise TransitionError(_("This match was declined."))
    text = (text or "").strip()
    if not text:
        raise TransitionError(_("Write a note first."), 400)
    if len(text) > 2000:
        raise TransitionError(_("A note may have at most 2000 characters."), 400)
    # issue 17: before the reveal the message is relayed redacted (negotiation.py);
    # the counterparty is notified from a job (jobs_nego.py)
    from .jobs_nego import enqueue_message_notice
    from .negotiation import relay

    relayed = relay(match, side, text)
    note = MatchNote.objects.create(
        match=match,
        author=user,
        side=side,
        kind=MatchNote.Kind.NOTE,
        text=relayed.text,
        before_reveal=not match.revealed,
        removed=list(relayed.kinds),
    )
    note.redaction = relayed
    enqueue_message_notice(note, owner=user)
    return note


def _month(value) -> dt.date:
    if isinstance(value, str):
        value = dt.date.fromisoformat(value if len(value) > 7 else value + "-01")
    return value.replace(day=1)


@transaction.atomic
def create_agreement(
    user,
    match: Match,
    *,
    quantity_per_year: float | None = None,
    price_vnd_per_unit: float | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    notes: str = "",
) -> Agreement:
    """Draft an agreement from a match both sides accepted; the proposing side confirms it."""
    viewer = Viewer(user)
    match = _lock_match(match)
    side = _require_side(viewer, match)
    if not match.revealed:
        raise TransitionError(_("Both sides must accept the match before an agreement."))
    _open(match)
    if match.agreement_set.exclude(status=Agreement.Status.ENDED).exists():
        raise TransitionError(_("This match already has an agreement."))
    qty = match.matched_quantity if quantity_per_year is None else float(quantity_per_year)
    if not (qty > 0 and math.isfinite(qty)):
        raise TransitionError(_("The quantity must be positive."), 400)
    if starts_on and ends_on and ends_on < starts_on:
        raise TransitionError(_("The end date is before the start date."), 400)
    if price_vnd_per_unit is None and match.offer.unit == match.unit:
        price_vnd_per_unit = match.offer.price_vnd_per_unit
    ratio = qty / match.matched_quantity if match.matched_quantity else 1.0
    agreement = Agreement.objects.create(
        match=match,
        supplier=match.offer.enterprise,
        receiver=match.want.enterprise,
        resource_code=match.offer.resource_code or match.want.resource_code,
        quantity_per_year=qty,
        unit=match.unit or match.offer.unit,
        price_vnd_per_unit=price_vnd_per_unit,
        starts_on=starts_on,
        ends_on=ends_on,
        pathway=match.pathway,
        benefit_vnd_per_year=match.benefit_vnd_per_year * ratio,
        co2e_t_per_year=match.co2e_t_per_year * ratio,
        notes=notes[:5000],
        supplier_confirmed=side == "offer",
        receiver_confirmed=side == "want",
    )
    _note(match, user, side, MatchNote.Kind.AGREEMENT)
    notify(
        _other_enterprise(match, side),
        lambda: (
            _("An agreement was proposed for “%(resource)s”; please review and confirm.")
            % {"resource": resource_name(agreement.resource_code)}
        ),
        reverse("exchange:agreement_detail", args=[agreement.pk]),
    )
    return agreement


def _lock_agreement(agreement: Agreement, read_version=None) -> Agreement:
    """Lock the agreement's row; with ``read_version`` (the version the user's page or
    client read), refuse with a 409 when it changed since (issue 18)."""
    locked = (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("supplier", "receiver", "match")
        .get(pk=agreement.pk)
    )
    if read_version not in (None, "") and str(read_version) != str(locked.version):
        raise TransitionError(_stale_message(), 409)
    return locked


def _stale_message() -> str:
    return _("Someone else changed this record meanwhile. Reload it and apply your change again.")


def _require_party(viewer: Viewer, agreement: Agreement) -> str:
    side = viewer.agreement_side(agreement)
    if not side:
        raise TransitionError(_("Only the two parties can change an agreement."), 403)
    return side


def _agreement_event(agreement: Agreement, side: str, message):
    other = agreement.receiver_id if side == "supplier" else agreement.supplier_id
    notify(other, message, reverse("exchange:agreement_detail", args=[agreement.pk]))


@transaction.atomic
def confirm_agreement(user, agreement: Agreement, read_version=None) -> Agreement:
    viewer = Viewer(user)
    agreement = _lock_agreement(agreement, read_version)
    side = _require_party(viewer, agreement)
    if agreement.status != Agreement.Status.PROPOSED:
        raise TransitionError(_("Only a proposed agreement can be confirmed."))
    if getattr(agreement, f"{side}_confirmed"):
        raise TransitionError(_("You already confirmed this agreement."))
    setattr(agreement, f"{side}_confirmed", True)
    agreement.version += 1
    if agreement.supplier_confirmed and agreement.receiver_confirmed:
        agreement.status = Agreement.Status.AGREED
        if agreement.match_id:
            Match.objects.filter(pk=agreement.match_id).update(status=Match.Status.AGREED)
    agreement.save()
    _agreement_event(
        agreement,
        side,
        lambda: (
            _("The agreement for “%(resource)s” was confirmed by the other party.")
            % {"resource": resource_name(agreement.resource_code)}
        ),
    )
    return agreement


@transaction.atomic
def mark_operating(
    user, agreement: Agreement, starts_on: dt.date | None = None, read_version=None
) -> Agreement:
    viewer = Viewer(user)
    agreement = _lock_agreement(agreement, read_version)
    side = _require_party(viewer, agreement)
    if agreement.status != Agreement.Status.AGREED:
        raise TransitionError(_("Only an agreed agreement can start operating."))
    agreement.status = Agreement.Status.OPERATING
    agreement.starts_on = starts_on or agreement.starts_on or dt.date.today()
    agreement.version += 1
    agreement.save(update_fields=["status", "starts_on", "version"])
    _agreement_event(
        agreement,
        side,
        lambda: (
            _("The exchange of “%(resource)s” is now operating.")
            % {"resource": resource_name(agreement.resource_code)}
        ),
    )
    return agreement


@transaction.atomic
def end_agreement(
    user, agreement: Agreement, ends_on: dt.date | None = None, read_version=None
) -> Agreement:
    viewer = Viewer(user)
    agreement = _lock_agreement(agreement, read_version)
    side = _require_party(viewer, agreement)
    if agreement.status not in (Agreement.Status.AGREED, Agreement.Status.OPERATING):
        raise TransitionError(_("Only an agreed or operating agreement can be ended."))
    agreement.status = Agreement.Status.ENDED
    agreement.ends_on = ends_on or dt.date.today()
    agreement.version += 1
    agreement.save(update_fields=["status", "ends_on", "version"])
    _agreement_event(
        agreement,
        side,
        lambda: (
            _("The exchange of “%(resource)s” was ended.")
            % {"resource": resource_name(agreement.resource_code)}
        ),
    )
    return agreement


@transaction.atomic
def record_exchange(
    user, agreement: Agreement, period, quantity: float, read_version=None
) -> ExchangeRecord:
    """Record (or correct) the quantity exchanged in one month under an operating
    agreement, and bring the park's flows in line: the supplier's output with fate
    'sold' and the receiver's input with origin 'other_enterprise' for that month
    are the totals of all realised exchanges of that resource between them and
    their counterparties (one flow row per enterprise, resource, month and route)."""
    from eiphub.flows.services import FlowInputError, validate_period

    viewer = Viewer(user)
    agreement = _lock_agreement(agreement)
    _require_party(viewer, agreement)
    if agreement.status not in (Agreement.Status.OPERATING, Agreement.Status.ENDED):
        raise TransitionError(_("Exchanges can be recorded only once the agreement operates."))
    try:
        period = validate_period(_month(period))
    except (FlowInputError, ValueError) as exc:
        raise TransitionError(getattr(exc, "message", _("Give the month as YYYY-MM.")), 400)
    if agreement.starts_on and period < agreement.starts_on.replace(day=1):
        raise TransitionError(_("This month is before the agreement started."), 400)
    if agreement.ends_on and period > agreement.ends_on:
        raise TransitionError(_("This month is after the agreement ended."), 400)
    try:
        quantity = float(quantity)
    except (TypeError, ValueError):
        raise TransitionError(_("The quantity must be a number."), 400)
    if not (quantity >= 0 and math.isfinite(quantity)):
        raise TransitionError(_("The quantity must not be negative."), 400)
    with transaction.atomic():
        # The flow totals of both parties are sums over every agreement of theirs: lock both
        # enterprises (in pk order, so two recorders never deadlock) before writing, so a
        # concurrent record for the same receiver or supplier waits and then sees this one.
        list(
            Enterprise.objects.select_for_update()
            .filter(pk__in=(agreement.supplier_id, agreement.receiver_id))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        existing = ExchangeRecord.objects.filter(agreement=agreement, period=period).first()
        if (
            existing is not None
            and existing.quantity != quantity
            and read_version not in (None, "")
            and str(read_version) != str(agreement.version)
        ):  # a correction of a month that changed since the user read it (issue 18)
            raise TransitionError(_stale_message(), 409)
        rec, _created = ExchangeRecord.objects.update_or_create(
            agreement=agreement, period=period, defaults={"quantity": quantity}
        )
        agreement.version += 1
        Agreement.objects.filter(pk=agreement.pk).update(version=agreement.version)
        sync_flows(agreement, period, user=user)
    return rec


def sync_flows(agreement: Agreement, period: dt.date, user=None) -> None:
    """Write the supplier's 'sold' output and the receiver's input from other
    enterprises for one month as the totals of the realised exchange records."""
    from eiphub.flows.models import Fate, FlowRecord, Origin
    from eiphub.flows.services import FlowInputError, save_flow

    code = agreement.resource_code
    cat = default_catalogue()
    res = cat.get(code)
    if res is None or res.is_group:
        raise TransitionError(
            _(
                "The resource of this agreement is not a catalogue resource; flows cannot be "
                "updated."
            ),
            400,
        )
    live = (Agreement.Status.OPERATING, Agreement.Status.ENDED)
    for who, direction, route in (
        ("supplier", "out", {"fate": Fate.SOLD}),
        ("receiver", "in", {"origin": Origin.OTHER_ENTERPRISE}),
    ):
        ent = getattr(agreement, who)
        recs = ExchangeRecord.objects.filter(
            period=period,
            agreement__resource_code=code,
            agreement__status__in=live,
            **{f"agreement__{who}": ent},
        ).select_related("agreement")
        total, partners = 0.0, set()
        for r in recs:
            try:
                total += cat.to_canonical(code, r.quantity, r.agreement.unit)
            except UnitError:
                raise TransitionError(
                    _("Unit “%(unit)s” cannot measure this resource.") % {"unit": r.agreement.unit},
                    400,
                )
            partners.add(r.agreement.receiver_id if who == "supplier" else r.agreement.supplier_id)
        key = dict(enterprise=ent, resource_code=code, direction=direction, period=period)
        if not recs:
            FlowRecord.objects.filter(**key, **route).delete()
            continue
        counterparty = Enterprise.objects.get(pk=partners.pop()) if len(partners) == 1 else None
        try:
            save_flow(
                owner=ent,
                resource_code=code,
                direction=direction,
                period=period,
                quantity=round(total, 6),
                unit=res.unit,
                user=user,
                counterparty=counterparty,
                **route,
            )
        except FlowInputError as exc:
            raise TransitionError(exc.message, 400)


# --------------------------------------------------------------------------
# Funnel
# --------------------------------------------------------------------------

FUNNEL_STAGES = ("identified", "proposed", "agreed", "operating", "ended")


def funnel_labels() -> dict[str, str]:
    return {
        "identified": _("Identified"),
        "proposed": _("Proposed (interest expressed)"),
        "agreed": _("Agreed"),
        "operating": _("Operating"),
        "ended": _("Ended"),
    }


def funnel(parks) -> dict:
    """Cumulative symbiosis funnel for a set of parks (like KICOX's explored /
    implemented / commercialised counts): every opportunity counts in each stage
    it reached.  Agreements without a match (entered directly) count from
    'identified'.  ``declined`` counts matches declined at any stage."""
    mq = Q(offer__enterprise__park__in=parks) | Q(want__enterprise__park__in=parks)
    matches = Match.objects.filter(mq)
    agreements = Agreement.objects.filter(Q(supplier__park__in=parks) | Q(receiver__park__in=parks))
    direct = agreements.filter(match__isnull=True).values("pk").distinct().count()
    proposed_q = (
        Q(status__in=[Match.Status.INTERESTED, Match.Status.NEGOTIATING, Match.Status.AGREED])
        | Q(notes__kind=MatchNote.Kind.INTEREST)
        | Q(agreement__isnull=False)
    )
    astat = lambda *s: agreements.filter(status__in=s).values("pk").distinct().count()  # noqa: E731
    return {
        "identified": matches.values("pk").distinct().count() + direct,
        "proposed": matches.filter(proposed_q).values("pk").distinct().count() + direct,
        "agreed": astat("agreed", "operating", "ended"),
        "operating": astat("operating", "ended"),
        "ended": astat("ended"),
        "declined": matches.filter(status=Match.Status.DECLINED).values("pk").distinct().count(),
    }


def funnel_rows(parks: QuerySet[Park], by: str = "park") -> list[dict]:
    """Funnel per park or per province over the given parks."""
    lang = translation.get_language() or "vi"
    rows = []
    if by == "province":
        for prov in Province.objects.filter(parks__in=parks).distinct():
            rows.append(
                {"key": prov.code, "name": prov.name, **funnel(parks.filter(province=prov))}
            )
    else:
        for p in parks.select_related("province"):
            rows.append(
                {"key": p.code, "name": p.name(lang), **funnel(Park.objects.filter(pk=p.pk))}
            )
    return rows


def funnel_chart(counts: dict, title: str) -> dict:
    labels = funnel_labels()
    return {
        "kind": "bar",
        "title": title,
        "unit": _("opportunities"),
        "labels": [str(labels[s]) for s in FUNNEL_STAGES],
        "series": [{"name": title, "data": [counts[s] for s in FUNNEL_STAGES]}],
    }


# --------------------------------------------------------------------------
# Investor fit
# --------------------------------------------------------------------------


def unmatched_offers(parks: QuerySet[Park]) -> list[dict]:
    """Published offers of the parks not taken up by matches, with the VSIC
    industries that could use them (blind: resource, quantity band, park)."""
    lang = translation.get_language() or "vi"
    # wants anywhere in the parks' provinces may take the offers up
    qs = _listing_qs().filter(
        status=Listing.Status.PUBLISHED,
        enterprise__park__province__in=Province.objects.filter(parks__in=parks),
    )
    listings = core_listings(qs)
    by_park = core.unmatched_offers_by_park(listings, core.match(listings))
    names = {p.code: p.name(lang) for p in parks}
    rows = []
    for code, items in sorted(by_park.items()):
        if code not in names:
            continue
        for u in items:
            rows.append(
                {
                    "park_code": code,
                    "park_name": names.get(code, code),
                    "resource": u.resource,
                    "resource_name": u.resource_name_en
                    if lang.startswith("en")
                    else u.resource_name_vi,
                    "unmatched_band": quantity_band(u.unmatched_quantity, u.unit, "year"),
                    "industries": u.industries,
                    "pathways": u.pathways,
                }
            )
    return rows


def parse_resource_lines(text: str) -> list:
    """Lines 'resource[; quantity per year]' -> matcher entries (text or (text, qty))."""
    from eiphub.core.numbers import NumberError, parse_number

    out = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        name, _sep, qty = line.partition(";")
        try:  # the platform's one number parser, in the user's language
            q = (
                float(parse_number(qty.strip(), translation.get_language()))
                if qty.strip()
                else None
            )
        except NumberError:
            raise ValueError(line)
        out.append((name.strip(), q) if q else name.strip())
    return out


def rank_parks(inputs: list, outputs: list, parks: QuerySet[Park] | None = None) -> list[dict]:
    """Parks ranked by symbiosis fit for a prospective investor's inputs and outputs
    (published listings only; counts of listings, never their owners)."""
    lang = translation.get_language() or "vi"
    parks = parks if parks is not None else Park.objects.all()
    qs = _listing_qs().filter(status=Listing.Status.PUBLISHED, enterprise__park__in=parks)
    fits = core.rank_parks_for_investor(inputs, outputs, core_listings(qs))
    names = {p.code: p.name(lang) for p in parks}
    return [
        {
            "park_code": f.park,
            "park_name": names.get(f.park, f.park),
            "score": float(f.score),
            "items": [
                {
                    "resource": it.resource,
                    "side": it.side,
                    "score": float(it.score),
                    "listings": len(it.listing_ids),
                    "pathways": it.pathways,
                }
                for it in f.items
            ],
        }
        for f in fits
    ]


# --------------------------------------------------------------------------
# Edits with optimistic concurrency (issue 18)
# --------------------------------------------------------------------------

_UNVERSIONED = ("id", "created", "updated", "version")


def _json_safe(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool, type(None), list, dict)):
        return value
    return str(value)


def save_listing(user, form, read_version=None) -> Listing:
    """Save a valid :class:`ListingForm`.  An edit names the ``version`` it read: when the
    listing changed since, :class:`eiphub.web.concurrency.StaleEdit` (409) and nothing is
    written; otherwise the version is bumped and the overwritten values are kept as
    :class:`ListingEvent` rows (action ``edit``)."""
    from eiphub.web.concurrency import claim_version

    from .models import ListingEvent

    obj = form.instance
    with transaction.atomic():
        if obj.pk is None:
            return form.save()
        version = claim_version(Listing, obj.pk, read_version)  # locks the row
        names = [f.attname for f in Listing._meta.concrete_fields if f.name not in _UNVERSIONED]
        before = Listing.objects.filter(pk=obj.pk).values(*names).get()
        obj = form.save(commit=False)
        obj.version = version
        obj.save()
        who = user if user.is_authenticated else None
        ListingEvent.objects.bulk_create(
            ListingEvent(
                listing=obj,
                user=who,
                action="edit",
                field=n,
                before=_json_safe(before[n]),
                after=_json_safe(getattr(obj, n)),
                version=version,
            )
            for n in names
            if before[n] != getattr(obj, n)
        )
    return obj

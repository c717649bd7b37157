"""Listings and what each viewer sees of them: the :class:`Viewer`, the blind
projections :class:`ListingView` / :class:`MatchView`, the bands a blind output may
show, and the versioned listing edit.  Who may see a park or enterprise at all comes
from ``eiphub.accounts.scoping``."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import asdict, dataclass
from functools import cached_property

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from eiphub.accounts.models import Role
from eiphub.accounts.scoping import enterprises_writable_by, parks_for, role_of
from eiphub.core.catalogue import default_catalogue
from eiphub.core.licences import (
    ENVIRONMENTAL,
    HAZARDOUS_WASTE,
    normalise_licence,
)
from eiphub.core.quality import quality_text
from eiphub.registry.models import Enterprise, Park
from eiphub.web.numbers import number_text, vnd_compact_text

from .models import Agreement, Listing, Match

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


# --------------------------------------------------------------------------
# Formatting helpers
# --------------------------------------------------------------------------


def _fmt(value: float) -> str:
    return number_text(value, 0)


def period_suffix(period: str) -> str:
    return {
        Listing.Period.YEAR: _("/year"),
        Listing.Period.MONTH: _("/month"),
        Listing.Period.ONCE: _(" (one-off lot)"),
    }.get(period, "")


def band_bounds(quantity: float | None) -> tuple[float, float] | None:
    """The 1-5-10 band around a quantity: 37 -> (10, 50); (0, 1) below 1; None when
    there is no positive quantity."""
    if quantity is None or not math.isfinite(quantity) or quantity <= 0:
        return None
    if quantity < 1:
        return (0, 1)
    exp = 10 ** math.floor(math.log10(quantity))
    return (exp, 5 * exp) if quantity < 5 * exp else (5 * exp, 10 * exp)


def band_text(bounds: tuple[float, float] | None, unit: str, period: str = "year") -> str:
    """A band as text in the active language: "10–50 t/year" ("< 1 t/year" below 1)."""
    if bounds is None:
        return "—"
    lo, hi = bounds
    text = f"< {_fmt(hi)}" if lo == 0 else f"{_fmt(lo)}–{_fmt(hi)}"
    return f"{text} {unit}{period_suffix(period)}"


def quantity_band(quantity: float | None, unit: str, period: str = "year") -> str:
    """A 1-5-10 band around a quantity: 37 t/year -> "10–50 t/year".  Never the exact value."""
    return band_text(band_bounds(quantity), unit, period)


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
    if vnd is None or not math.isfinite(vnd):
        return "—"
    if vnd <= 0:
        return f"≤ {vnd_compact_text(0, 0)}{_('/year')}"
    exp = 10 ** math.floor(math.log10(vnd))
    lo, hi = (exp, 5 * exp) if vnd < 5 * exp else (5 * exp, 10 * exp)
    return f"{vnd_compact_text(lo, 0)} – {vnd_compact_text(hi, 0)}{_('/year')}"


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
    out["facts"] = []
    for old in ("explanation", "explanation_vi"):  # scenarios stored before exchange 0009
        out.pop(old, None)
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
    with translation.override(lang):
        facts = m.facts or []
        if is_note(facts):  # a stored text: scrubbed and its figures banded after the fact
            text = blind_text(phrase_facts(facts), hidden)
        else:  # facts: a blind reader's sentence is built without the exact figures
            text = scrub(phrase_facts(facts, blind=bool(hidden)), hidden)
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
        explanation=text,
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


def note_facts(en: str, vi: str) -> list[dict]:
    """Facts for an explanation that exists only as text (matches and scenario links stored
    before matches kept facts): one ``note`` fact, shown as written."""
    return [{"code": "note", "en": en or vi, "vi": vi or en}] if (en or vi) else []


def is_note(facts: list[dict]) -> bool:
    """Whether ``facts`` is only a stored text (:func:`note_facts`)."""
    return len(facts) == 1 and facts[0].get("code") == "note"


def phrase_facts(facts: list[dict], blind: bool = False) -> str:
    """A match's explanation in the active language from its structured facts
    (``symbiosis.matching.explain``), numbers in the user's locale.  ``blind``: as a
    reader who may not see one party reads it: the distance as a band, no share of the
    want and no benefit (with a known price either gives the hidden quantity away)."""
    en = (translation.get_language() or "vi").startswith("en")
    f = {x.get("code"): x for x in facts}
    if is_note(facts):
        # a text stored before matches kept facts (migration exchange 0009): shown as written
        return f["note"].get("en" if en else "vi") or f["note"].get("en", "")
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
    elif blind:
        parts.append(distance_band(km))
    else:
        parts.append(_("%(km)s km") % {"km": number_text(km, 1)})
    if blind:
        f = {k: v for k, v in f.items() if k not in ("coverage", "benefit")}
    if "coverage" in f:
        pct = number_text(100 * (f["coverage"].get("share_of_want") or 0), 0)
        parts.append(_("covers %(pct)s%% of the want") % {"pct": pct})
    if "benefit" in f:
        ben = number_text((f["benefit"].get("vnd_per_year") or 0) / 1e6, 0)
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

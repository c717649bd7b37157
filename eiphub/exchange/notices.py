"""Notices of the exchange: who the users of an enterprise are, the params of each
exchange event (what a recipient may see: resources by catalogue code, a listing's
free text redacted when its owner is hidden from the recipient, quantities as bands)
and how they read in the viewer's language (``display_params``, called by
``notices.events.render``).  Delivery is ``eiphub.notices.services``: ``notify_later``
from a request, ``notify``/``notify_many`` from a job."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from eiphub.accounts.models import Role


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


def user_ids_of(enterprise_id: int) -> list[int]:
    return list(users_of(enterprise_id).order_by("pk").values_list("pk", flat=True))


def notify(enterprise_id: int, event: str, params: dict, url: str = "", *, owner=None) -> int:
    """From a job: notify every user of an enterprise now.  Returns the users notified."""
    from eiphub.notices.services import notify as deliver

    ids = user_ids_of(enterprise_id)
    deliver(ids, event, params, url, owner=owner)
    return len(ids)


def notify_later(enterprise_id: int, event: str, params: dict, url: str = "", *, owner=None):
    """From a request: notify every user of an enterprise from a job queued on commit."""
    from eiphub.notices.services import notify_later as deliver_later

    deliver_later(user_ids_of(enterprise_id), event, params, url, owner=owner)


# --------------------------------------------------------------------------
# Params: what a notice may say about a listing
# --------------------------------------------------------------------------


def resource_params(listing, *, hidden: bool = False) -> dict:
    """A listing's resource for a notice: its catalogue code and its own words, redacted
    (no firm name, tax code or address) when the recipient may not see its owner."""
    text = listing.resource_text or ""
    if hidden and text:
        from .listings import BLIND, _shown_text

        text = _shown_text(listing, BLIND, text)
    return {"resource_code": listing.resource_code or "", "resource_text": text}


def match_params(match, recipient_side: str) -> dict:
    """The offer's resource, as the recipient side of the match may see it."""
    hidden = recipient_side != "offer" and not match.revealed
    return resource_params(match.offer, hidden=hidden)


def band_params(listing) -> dict:
    """A listing's quantity as the bounds of its band (never the exact value)."""
    from .listings import band_bounds

    bounds = band_bounds(listing.quantity)
    return {
        "band": list(bounds) if bounds else None,
        "unit": listing.unit or "",
        "period": listing.period or "",
    }


def display_params(params: dict) -> dict:
    """The params of an exchange notice as its sentence uses them, in the active
    language: ``resource``/``res`` (catalogue name or the listing's words), ``kind``,
    ``score``, ``date`` and ``band``."""
    from eiphub.core.catalogue import default_catalogue
    from eiphub.web.numbers import number_text

    from .listings import band_text
    from .models import Listing

    out = dict(params)
    lang = translation.get_language() or "vi"
    if "resource_code" in params or "resource_text" in params:
        name = default_catalogue().label(
            params.get("resource_code") or "", lang, params.get("resource_text") or ""
        )
        out.setdefault("resource", name)
        out.setdefault("res", name)
    if params.get("listing_kind") in Listing.Kind.values:
        out["kind"] = str(Listing.Kind(params["listing_kind"]).label).lower()
    if isinstance(params.get("score"), (int, float)):
        out["score"] = number_text(params["score"], 2)
    if params.get("expires_on"):
        from django.utils.formats import date_format

        out["date"] = date_format(dt.date.fromisoformat(params["expires_on"]), "SHORT_DATE_FORMAT")
    if "band" in params:
        b = params["band"]
        out["band"] = band_text(
            tuple(b) if b else None, params.get("unit", ""), params.get("period", "")
        )
    return out

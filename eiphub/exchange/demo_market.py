"""Demo extension for issue 17 (called from exchange/demo.py): evidence on listings and
a saved search, so that search, alerts and attachments can be tried from the demo.

On the demo province: the largest published steel-slag offer gets a photo (a generated
image, no metadata), "you collect" logistics and an expiry date; a hazardous used-oil
offer carries its CTNH code 17 02 03 (EWC 13 02 05*), needs a transporter and is a
partial listing the board may complete; the demo ``enterprise`` user has a saved
search for “xỉ thép” with alerts.  Idempotent."""

from __future__ import annotations

import datetime as dt
import struct
import zlib

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from .models import Listing, ListingAttachment, ListingEvidence, SavedSearch

SEARCH_NAME = "Xỉ thép cho gạch không nung"


def demo_png(w: int = 48, h: int = 32) -> bytes:
    """A small grey gradient PNG (a stand-in photo, made here: nothing copied)."""

    def chunk(t, body):
        return struct.pack(">I", len(body)) + t + body + struct.pack(">I", zlib.crc32(t + body))

    rows = b"".join(b"\x00" + bytes(((x * 255) // w) for x in range(w)) for _ in range(h))
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def load_market(province, username: str = "enterprise", today: dt.date | None = None) -> dict:
    today = today or dt.date.today()
    published = Listing.objects.filter(
        status=Listing.Status.PUBLISHED, enterprise__park__province=province
    )
    out = {"evidence": 0, "saved_searches": 0, "attachments": 0}
    slag = (
        published.filter(kind="offer", resource_code="waste.slag.steel")
        .order_by("-quantity")
        .first()
    )
    if slag is not None:
        ev, created = ListingEvidence.objects.get_or_create(
            listing=slag,
            defaults={"logistics": "collect", "expires_on": today + dt.timedelta(days=120)},
        )
        out["evidence"] += int(created)
        if not slag.attachments.exists():
            att = ListingAttachment(
                listing=slag, kind="photo", content_type="image/png", original_name="xi-thep.png"
            )
            data = demo_png()
            import hashlib

            att.size, att.sha256 = len(data), hashlib.sha256(data).hexdigest()
            att.file.save("demo.png", ContentFile(data), save=False)
            att.save()
            out["attachments"] += 1
    oil = published.filter(kind="offer", resource_code="waste.hazardous.used_oil").first()
    if oil is None:
        oil = _used_oil_offer(province, username)
    if oil is not None:
        _, created = ListingEvidence.objects.get_or_create(
            listing=oil,
            defaults={
                "ctnh_code": "17 02 03",
                "ewc_code": "13 02 05*",
                "logistics": "transporter",
                "expires_on": today + dt.timedelta(days=10),  # a renewal reminder is due
                "partial": True,
                "facilitator_may_edit": True,
            },
        )
        out["evidence"] += int(created)
    user = get_user_model().objects.filter(username=username).first()
    if user is not None:
        _, created = SavedSearch.objects.get_or_create(
            user=user, name=SEARCH_NAME, defaults={"params": {"q": "xỉ thép"}, "alerts": True}
        )
        out["saved_searches"] += int(created)
    return out


def _used_oil_offer(province, username):
    """A blind used-oil offer of the province's largest used-oil producer (from its
    reported flows), other than the demo enterprise user's own firm."""
    from django.db.models import Sum

    from eiphub.flows.models import FlowRecord

    user = get_user_model().objects.filter(username=username).select_related("profile").first()
    own = getattr(getattr(user, "profile", None), "enterprise_id", None)
    row = (
        FlowRecord.objects.filter(
            enterprise__park__province=province,
            resource_code="waste.hazardous.used_oil",
            direction="out",
            canonical_unit="t",
            period__gte=dt.date.today() - dt.timedelta(days=365),
        )
        .exclude(enterprise_id=own)
        .values("enterprise_id")
        .annotate(total=Sum("quantity_canonical"))
        .order_by("-total")
        .first()
    )
    if row is None or not row["total"]:
        return None
    return Listing.objects.create(
        enterprise_id=row["enterprise_id"],
        kind="offer",
        resource_code="waste.hazardous.used_oil",
        quantity=max(round(float(row["total"]), 1), 0.1),  # the last twelve months
        unit="t",
        hazardous=True,
        licence_required="Giấy phép xử lý chất thải nguy hại",
        status=Listing.Status.PUBLISHED,
    )

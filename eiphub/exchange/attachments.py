"""Evidence on listings (issue 17): attachments, waste codes, logistics, expiry and
"partial" listings completed by a facilitator.

Attachments.  Photos (JPEG, PNG), laboratory analyses and safety data sheets (PDF, or a
photo of one), at most ``MAX_BYTES`` each and ``MAX_PER_LISTING`` per listing.  The type
is decided by the content (the file's signature and structure), not by the name or the
browser's claim.  Images are rewritten without their metadata (EXIF, XMP, IPTC, comments,
text chunks: camera owner, GPS position, software registered to the firm); a JPEG or
PNG that cannot be parsed is refused.  A PDF's metadata cannot be removed safely here,
so every attachment is served only to viewers who may know the firm: the owner, the
board or ministry of its park, a viewer of a listing the firm named to them, and the
other side of a match both accepted.  A blind viewer sees how many attachments of which
kind the listing has, never the files or their names.  Files are stored through
Django's storage API under random names.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import struct
import zlib

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from eiphub.accounts.models import Role
from eiphub.accounts.scoping import parks_for, role_of
from eiphub.core import wastecodes
from eiphub.core.catalogue import default_catalogue
from eiphub.core.errors import CodedError

from . import services as S
from .models import Listing, ListingAttachment, ListingEvent, ListingEvidence

MAX_BYTES = 5 * 1024 * 1024
MAX_PER_LISTING = 10
JPEG, PNG, PDF = "image/jpeg", "image/png", "application/pdf"
EXTENSIONS = {JPEG: ".jpg", PNG: ".png", PDF: ".pdf"}
ALLOWED = {  # attachment kind -> content types
    ListingAttachment.Kind.PHOTO: {JPEG, PNG},
    ListingAttachment.Kind.LAB: {PDF, JPEG, PNG},
    ListingAttachment.Kind.SDS: {PDF, JPEG, PNG},
}
RENEW_DAYS = 180
REMIND_DAYS = 14


class EvidenceError(CodedError):
    """A refused upload or change; ``code`` and ``params``; ``message`` is translated."""

    @property
    def message(self) -> str:
        texts = {
            "too_large": _("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // 2**20},
            "empty": _("The file is empty."),
            "type": _("Only JPEG or PNG photos and PDF documents are accepted."),
            "kind_type": _("A photo must be a JPEG or PNG image."),
            "corrupt": _("The image cannot be read; it was not stored."),
            "too_many": _("A listing carries at most %(n)d attachments.") % {"n": MAX_PER_LISTING},
            "ctnh_format": _("A CTNH code has six digits, e.g. “17 02 03”."),
            "ctnh_unknown": _(
                "“%(code)s” is not a CTNH code of the platform's catalogue (Circular "
                "02/2022/TT-BTNMT, Appendix III); leave it empty or ask the board."
            ),
            "ctnh_mismatch": _(
                "CTNH code %(code)s is the code of %(resource)s, not of this listing."
            ),
            "ewc_format": _(
                "An EWC code has six digits, e.g. “10 02 02”, with * for hazardous entries."
            ),
            "not_allowed": _("The owner has not allowed facilitators to complete this listing."),
        }
        params = dict(self.params)
        if "resource" in params:
            params["resource"] = S.resource_name(params["resource"])
        return texts.get(self.code, texts["type"]) % params


# --------------------------------------------------------------------------
# Content checks and metadata removal (plain bytes in, bytes out)
# --------------------------------------------------------------------------


def sniff(data: bytes) -> str | None:
    """The content type from the file's signature (``core/filetypes.py``), or None."""
    from eiphub.core.filetypes import MIME
    from eiphub.core.filetypes import sniff as kind_of

    kind = kind_of(data)
    return MIME[kind] if kind in ("jpeg", "png", "pdf") else None


def strip_jpeg(data: bytes) -> bytes:
    """The JPEG without APP1..APP15 segments (EXIF, XMP, IPTC, ICC, vendor data) and
    comments; APP0 (JFIF) and the image segments are kept.  ValueError if malformed."""
    if data[:2] != b"\xff\xd8":
        raise ValueError("no SOI")
    out = bytearray(b"\xff\xd8")
    i = 2
    n = len(data)
    while i < n:
        if data[i] != 0xFF:
            raise ValueError("marker expected")
        while i < n and data[i] == 0xFF:  # fill bytes
            i += 1
        if i >= n:
            raise ValueError("truncated")
        marker = data[i]
        i += 1
        if marker == 0xD9:  # EOI without scan
            out += b"\xff\xd9"
            return bytes(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out += bytes((0xFF, marker))
            continue
        if i + 2 > n:
            raise ValueError("truncated")
        (length,) = struct.unpack(">H", data[i : i + 2])
        if length < 2 or i + length > n:
            raise ValueError("bad length")
        segment = data[i : i + length]
        i += length
        if 0xE1 <= marker <= 0xEF or marker == 0xFE:
            continue  # metadata: dropped
        out += bytes((0xFF, marker)) + segment
        if marker == 0xDA:  # start of scan: the entropy-coded rest is image data
            out += data[i:]
            if not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
                raise ValueError("no EOI")
            return bytes(out)
    raise ValueError("no scan")


# PNG chunks kept: the critical ones and those that only affect how pixels look.
_PNG_KEEP = {
    b"IHDR",
    b"PLTE",
    b"IDAT",
    b"IEND",
    b"tRNS",
    b"gAMA",
    b"cHRM",
    b"sRGB",
    b"pHYs",
    b"sBIT",
    b"bKGD",
}


def strip_png(data: bytes) -> bytes:
    """The PNG without its text, time, EXIF, ICC profile and private chunks; chunk CRCs
    are checked.  ValueError if malformed."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("no signature")
    out = bytearray(data[:8])
    i = 8
    seen_end = False
    while i < len(data):
        if i + 8 > len(data):
            raise ValueError("truncated")
        length, ctype = struct.unpack(">I4s", data[i : i + 8])
        end = i + 12 + length
        if end > len(data):
            raise ValueError("truncated")
        body = data[i + 8 : i + 8 + length]
        (crc,) = struct.unpack(">I", data[i + 8 + length : end])
        if zlib.crc32(ctype + body) & 0xFFFFFFFF != crc:
            raise ValueError("bad crc")
        if ctype in _PNG_KEEP:
            out += data[i:end]
        i = end
        if ctype == b"IEND":
            seen_end = True
            break
    if not seen_end or out[8:16][4:8] != b"IHDR":
        raise ValueError("no IHDR/IEND")
    return bytes(out)


def clean_upload(data: bytes, kind: str) -> tuple[bytes, str]:
    """(stored bytes, content type) for an upload of ``kind``, or EvidenceError."""
    if not data:
        raise EvidenceError("empty")
    if len(data) > MAX_BYTES:
        raise EvidenceError("too_large")
    ctype = sniff(data)
    if ctype is None:
        raise EvidenceError("type")
    if ctype not in ALLOWED.get(kind, set()):
        raise EvidenceError("kind_type")
    try:
        if ctype == JPEG:
            data = strip_jpeg(data)
        elif ctype == PNG:
            data = strip_png(data)
    except (ValueError, struct.error) as exc:
        raise EvidenceError("corrupt") from exc
    return data, ctype


# --------------------------------------------------------------------------
# Who may do what
# --------------------------------------------------------------------------


def may_see_files(viewer: S.Viewer, listing: Listing) -> bool:
    """Attachments (files and names) only to viewers who may know the firm."""
    return viewer.level(listing) != S.BLIND


def is_owner(user, listing: Listing) -> bool:
    return listing.enterprise_id in set(S.owner_enterprises(user).values_list("pk", flat=True))


def may_facilitate(user, listing: Listing) -> bool:
    """A facilitator: the board of the listing's park's province or a consultant assigned
    to the park (the park is in their scope)."""
    if role_of(user) not in (Role.BOARD, Role.CONSULTANT):
        return False
    return parks_for(user).filter(pk=listing.enterprise.park_id).exists()


def evidence_of(listing: Listing) -> ListingEvidence:
    try:
        return listing.evidence
    except ListingEvidence.DoesNotExist:
        return ListingEvidence(listing=listing)


def _log(listing, user, action, field="", before=None, after=None):
    ListingEvent.objects.create(
        listing=listing, user=user, action=action, field=field, before=before, after=after
    )


# --------------------------------------------------------------------------
# Changes
# --------------------------------------------------------------------------


def add_attachment(user, listing: Listing, kind: str, upload) -> ListingAttachment:
    """Store an upload (a Django UploadedFile) on the owner's listing."""
    if not is_owner(user, listing):
        raise PermissionDenied
    if listing.attachments.count() >= MAX_PER_LISTING:
        raise EvidenceError("too_many")
    if upload.size > MAX_BYTES:
        raise EvidenceError("too_large")
    data, ctype = clean_upload(upload.read(MAX_BYTES + 1), kind)
    att = ListingAttachment(
        listing=listing,
        kind=kind,
        content_type=ctype,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        original_name=(upload.name or "")[-120:],
        uploaded_by=user,
    )
    att.file.save("upload" + EXTENSIONS[ctype], ContentFile(data), save=False)
    att.save()
    _log(listing, user, "attach", "attachment", None, {"kind": kind, "id": att.pk})
    return att


def delete_attachment(user, att: ListingAttachment) -> None:
    if not is_owner(user, att.listing):
        raise PermissionDenied
    _log(att.listing, user, "detach", "attachment", {"kind": att.kind, "id": att.pk}, None)
    att.file.delete(save=False)
    att.delete()


EVIDENCE_FIELDS = ("ctnh_code", "ewc_code", "logistics", "expires_on", "partial")


def validate_codes(listing: Listing, ctnh: str, ewc: str) -> tuple[str, str]:
    """(CTNH, EWC) normalised; the EWC code defaults to the CTNH code's cross-reference."""
    cat = default_catalogue()
    c = wastecodes.check_ctnh(cat, ctnh, listing.resource_code)
    if c.error:
        raise EvidenceError("ctnh_" + c.error, **(c.params or {}))
    e = wastecodes.check_ewc(cat, ewc)
    if e.error:
        raise EvidenceError("ewc_" + e.error, **(e.params or {}))
    if not e.code and c.ewc:
        return c.code, c.ewc
    if not e.code and not c.code:
        r = cat.get(listing.resource_code)
        return "", (r.ewc if r else "")  # the catalogue's EWC cross-reference
    return c.code, e.code


@transaction.atomic
def update_evidence(
    user, listing: Listing, changes: dict, *, as_facilitator=False
) -> ListingEvidence:
    """Change evidence fields; every changed field is written to the audit trail.  A
    facilitator may change a partial listing only with the owner's permission."""
    ev = evidence_of(listing)
    if as_facilitator:
        if not may_facilitate(user, listing):
            raise PermissionDenied
        if not (ev.pk and ev.partial and ev.facilitator_may_edit):
            raise EvidenceError("not_allowed")
    elif not is_owner(user, listing):
        raise PermissionDenied
    if "ctnh_code" in changes or "ewc_code" in changes:
        changes["ctnh_code"], changes["ewc_code"] = validate_codes(
            listing, changes.get("ctnh_code", ev.ctnh_code), changes.get("ewc_code", ev.ewc_code)
        )
    fields = EVIDENCE_FIELDS + (() if as_facilitator else ("facilitator_may_edit",))
    action = "facilitate" if as_facilitator else "edit"
    for f in fields:
        if f not in changes:
            continue
        before, after = getattr(ev, f), changes[f]
        if before == after:
            continue
        setattr(ev, f, after)
        _log(listing, user, action, f, _jsonable(before), _jsonable(after))
    if "expires_on" in changes:
        ev.reminder_sent_on = None
    ev.save()
    if as_facilitator:
        S.notify_later(
            listing.enterprise_id,
            "listing_completed",
            S.resource_params(listing),
            _detail_url(listing),
            owner=user,
        )
    return ev


COMPLETION_FIELDS = ("quantity", "available_from", "available_to", "quality")


@transaction.atomic
def complete_listing(user, listing: Listing, changes: dict) -> int:
    """A facilitator fills in a partial listing's quantity, availability and quality (with
    the owner's permission); each change is logged and the listing's version moves on.
    Returns the number of fields changed.  The owner is told by ``update_evidence``."""
    ev = evidence_of(listing)
    if not may_facilitate(user, listing):
        raise PermissionDenied
    if not (ev.pk and ev.partial and ev.facilitator_may_edit):
        raise EvidenceError("not_allowed")
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    changed = []
    for f in COMPLETION_FIELDS:
        if f not in changes or changes[f] is None and f == "quantity":
            continue
        before, after = getattr(listing, f), changes[f]
        if before == after:
            continue
        setattr(listing, f, after)
        _log(listing, user, "facilitate", f, _jsonable(before), _jsonable(after))
        changed.append(f)
    if changed:
        listing.version += 1
        listing.save(update_fields=[*changed, "version", "updated"])
    return len(changed)


def _jsonable(v):
    return v.isoformat() if isinstance(v, dt.date) else v


def _detail_url(listing):
    from django.urls import reverse

    return reverse("exchange:listing_detail", args=[listing.pk])


def renew(user, listing: Listing, today: dt.date | None = None) -> ListingEvidence:
    """Extend the listing's life by ``RENEW_DAYS`` from today (the owner)."""
    today = today or dt.date.today()
    return update_evidence(user, listing, {"expires_on": today + dt.timedelta(days=RENEW_DAYS)})


def expiry_reminders(today: dt.date | None = None) -> dict:
    """Daily: remind the owners of published listings expiring within ``REMIND_DAYS``
    (once per expiry date) and close the listings whose date has passed."""
    today = today or dt.date.today()
    soon = ListingEvidence.objects.filter(
        listing__status=Listing.Status.PUBLISHED,
        expires_on__gte=today,
        expires_on__lte=today + dt.timedelta(days=REMIND_DAYS),
        reminder_sent_on__isnull=True,
    ).select_related("listing")
    reminded = 0
    for ev in soon:
        listing = ev.listing
        S.notify(
            listing.enterprise_id,
            "listing_expiring",
            {**S.resource_params(listing), "expires_on": ev.expires_on.isoformat()},
            _detail_url(listing),
        )
        ev.reminder_sent_on = today
        ev.save(update_fields=["reminder_sent_on"])
        reminded += 1
    expired = Listing.objects.filter(
        status=Listing.Status.PUBLISHED, evidence__expires_on__lt=today
    )
    closed = 0
    for listing in expired:
        listing.status = Listing.Status.CLOSED
        listing.version += 1
        listing.save(update_fields=["status", "version", "updated"])
        _log(listing, None, "expire", "status", "published", "closed")
        closed += 1
    return {"reminded": reminded, "closed": closed}

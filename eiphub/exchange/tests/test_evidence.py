"""Listings that carry evidence (issue 17): attachments checked by content, stripped of
metadata and served only to those who may know the firm; CTNH/EWC codes validated
against the catalogue; partial listings completed by a facilitator with the owner's
permission (audit trail); expiry reminders and renewal; logistics."""

import datetime as dt
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from eiphub.accounts.models import Role
from eiphub.exchange import attachments as A
from eiphub.exchange.models import (
    Listing,
    ListingAttachment,
    ListingEvent,
    ListingEvidence,
    Match,
)
from eiphub.exchange.tests.factories import listing
from eiphub.notices.models import Notice
from eiphub.testing import make_enterprise, make_user, make_world

pytestmark = pytest.mark.django_db
SECRET = "Công ty Dầu Bí Mật"


def jpeg(exif: bytes = b"", comment: bytes = b"") -> bytes:
    def seg(marker, body):
        return bytes((0xFF, marker)) + struct.pack(">H", len(body) + 2) + body

    out = b"\xff\xd8" + seg(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    if exif:
        out += seg(0xE1, b"Exif\x00\x00" + exif)
    if comment:
        out += seg(0xFE, comment)
    out += seg(0xDB, b"\x00" + bytes(range(64)))
    out += seg(0xC0, b"\x08\x00\x01\x00\x01\x01\x01\x11\x00")
    out += seg(0xDA, b"\x01\x01\x00\x00\x3f\x00") + b"\x12\x34\xff\x00\x56" + b"\xff\xd9"
    return out


def png(text: bytes = b"") -> bytes:
    def chunk(t, body):
        return struct.pack(">I", len(body)) + t + body + struct.pack(">I", zlib.crc32(t + body))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
    if text:
        out += chunk(b"tEXt", b"Author\x00" + text)
    out += chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")
    return out


PDF = b"%PDF-1.4\n1 0 obj<</Author (" + SECRET.encode() + b")>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = make_world(with_flows=False)
    w.firm = make_enterprise(w.k1, 4001, SECRET, vsic="3821")
    w.owner = make_user("u_firm", Role.ENTERPRISE, enterprise=w.firm)
    w.oil = listing(w.firm, "offer", "waste.hazardous.used_oil", 40, "t", hazardous=True)
    w.other = w.users[Role.ENTERPRISE]  # e1, another firm of K1
    return w


def _c(user):
    c = Client()
    c.force_login(user)
    return c


def test_jpeg_and_png_metadata_is_removed():
    data = jpeg(exif=b"GPS 20.95N " + SECRET.encode(), comment=b"Owner: " + SECRET.encode())
    clean, ctype = A.clean_upload(data, "photo")
    assert ctype == "image/jpeg" and SECRET.encode() not in clean and b"Exif" not in clean
    assert clean.startswith(b"\xff\xd8\xff\xe0") and clean.endswith(b"\xff\xd9")
    assert b"\x12\x34\xff\x00\x56" in clean  # the image data is kept
    clean, ctype = A.clean_upload(png(SECRET.encode()), "photo")
    assert ctype == "image/png" and SECRET.encode() not in clean and b"IDAT" in clean


def test_content_not_extension_decides_and_limits_hold():
    with pytest.raises(A.EvidenceError) as e:
        A.clean_upload(b"<html><script>alert(1)</script>", "photo")
    assert e.value.code == "type"
    with pytest.raises(A.EvidenceError) as e:
        A.clean_upload(PDF, "photo")  # a photo must be an image
    assert e.value.code == "kind_type"
    with pytest.raises(A.EvidenceError) as e:
        A.clean_upload(jpeg()[:-40], "photo")  # truncated
    assert e.value.code == "corrupt"
    with pytest.raises(A.EvidenceError) as e:
        A.clean_upload(b"\xff\xd8\xff" + b"\x00" * (A.MAX_BYTES + 1), "photo")
    assert e.value.code == "too_large"
    bad_crc = bytearray(png())
    bad_crc[30] ^= 0xFF
    with pytest.raises(A.EvidenceError):
        A.clean_upload(bytes(bad_crc), "photo")
    assert A.clean_upload(PDF, "sds")[1] == "application/pdf"


def test_upload_through_the_page_and_who_sees_the_file(world):
    w = world
    owner = _c(w.owner)
    up = SimpleUploadedFile(f"{SECRET}.jpg", jpeg(exif=SECRET.encode()), "image/jpeg")
    r = owner.post(
        f"/exchange/listings/{w.oil.pk}/evidence/", {"upload": "1", "kind": "photo", "file": up}
    )
    assert r.status_code == 302
    att = ListingAttachment.objects.get()
    assert SECRET not in att.file.name and att.content_type == "image/jpeg"
    assert SECRET.encode() not in att.file.read()
    fake = SimpleUploadedFile("analysis.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    r = owner.post(
        f"/exchange/listings/{w.oil.pk}/evidence/", {"upload": "1", "kind": "lab", "file": fake}
    )
    assert r.status_code == 200 and ListingAttachment.objects.count() == 1
    url = f"/exchange/attachments/{att.pk}/"
    assert owner.get(url).status_code == 200
    resp = _c(w.users[Role.BOARD]).get(url)
    assert resp.status_code == 200 and SECRET not in resp["Content-Disposition"]
    # a blind viewer: not the file, not its name; the listing page says only "1 × Photo"
    other = _c(w.other)
    assert other.get(url).status_code == 404
    html = other.get(f"/exchange/listings/{w.oil.pk}/").content.decode()
    assert 'id="attachments-hidden"' in html and url not in html and SECRET not in html
    for role in (Role.DEVELOPER, Role.CONSULTANT, Role.PUBLIC):
        assert _c(w.users[role]).get(url).status_code == 404
    # after both sides accept a match, the other side may see it
    want = listing(w.e1, "want", "waste.hazardous.used_oil", 30, "t")
    m = Match.objects.create(offer=w.oil, want=want, score=0.9, offer_accepted=True)
    assert other.get(url).status_code == 404  # one acceptance is not enough
    m.want_accepted = True
    m.save()
    assert other.get(url).status_code == 200
    # the owner removes it: logged
    assert owner.post(f"/exchange/attachments/{att.pk}/delete/").status_code == 302
    assert list(ListingEvent.objects.values_list("action", flat=True)) == ["attach", "detach"]


def test_ctnh_code_is_validated_and_gives_the_ewc_code(world):
    w = world
    ev = A.update_evidence(w.owner, w.oil, {"ctnh_code": "170203", "logistics": "transporter"})
    assert (ev.ctnh_code, ev.ewc_code, ev.logistics) == ("17 02 03", "13 02 05*", "transporter")
    with pytest.raises(A.EvidenceError) as e:
        A.update_evidence(w.owner, w.oil, {"ctnh_code": "99 99 99"})
    assert e.value.code == "ctnh_unknown" and "99 99 99" in e.value.message
    with pytest.raises(A.EvidenceError) as e:
        A.update_evidence(w.owner, w.oil, {"ctnh_code": "19 06 01"})  # batteries
    assert e.value.code == "ctnh_mismatch"
    html = (
        _c(w.owner)
        .post(
            f"/exchange/listings/{w.oil.pk}/evidence/", {"evidence": "1", "ctnh_code": "12 34 56"}
        )
        .content.decode()
    )
    assert "12 34 56" in html and "Circular" in html  # the refusal, phrased
    assert ListingEvidence.objects.get().ctnh_code == "17 02 03"


def test_partial_listing_completed_by_a_facilitator_with_permission(
    world, django_capture_on_commit_callbacks
):
    w = world
    board = w.users[Role.BOARD]
    url = f"/exchange/listings/{w.oil.pk}/evidence/"
    A.update_evidence(w.owner, w.oil, {"partial": True})
    assert _c(board).get(url).status_code == 403  # no permission yet
    with pytest.raises(A.EvidenceError):
        A.update_evidence(board, w.oil, {"logistics": "collect"}, as_facilitator=True)
    A.update_evidence(w.owner, w.oil, {"facilitator_may_edit": True})
    assert _c(board).get(url).status_code == 200
    version = w.oil.version
    bad = _c(board).post(url, {"evidence": "1", "quantity": "-3", "quality_spec": "wet!!"})
    assert bad.status_code == 200 and ListingEvent.objects.filter(user=board).count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        r = _c(board).post(
            url,
            {
                "evidence": "1",
                "ctnh_code": "17 02 03",
                "logistics": "collect",
                "quantity": "1,234.5",
                "quality_spec": "water_pct=8",
            },
        )
    assert r.status_code == 302, r.context["form"].errors
    w.oil.refresh_from_db()
    assert w.oil.quantity == 1234.5 and w.oil.quality == {"water_pct": 8.0}
    assert w.oil.version == version + 1
    ev = ListingEvidence.objects.get()
    assert ev.ctnh_code == "17 02 03" and ev.facilitator_may_edit  # cannot revoke it himself
    done = ListingEvent.objects.filter(action="facilitate", user=board)
    assert {e.field for e in done} == {
        "ctnh_code",
        "ewc_code",
        "logistics",
        "partial",
        "quantity",
        "quality",
    }
    (n,) = Notice.objects.filter(user=w.owner)  # one message per completion
    assert n.event == "listing_completed" and n.url.endswith(f"/{w.oil.pk}/")
    assert n.text.startswith("A facilitator completed your listing")
    # a consultant of another park and another enterprise may not
    assert _c(w.users[Role.CONSULTANT]).get(url).status_code == 404
    assert _c(w.other).get(url).status_code == 404


def test_expiry_reminder_once_then_close_and_renew(world):
    w = world
    today = dt.date(2026, 5, 1)
    ListingEvidence.objects.create(listing=w.oil, expires_on=today + dt.timedelta(days=10))
    assert A.expiry_reminders(today) == {"reminded": 1, "closed": 0}
    assert A.expiry_reminders(today) == {"reminded": 0, "closed": 0}
    (n,) = Notice.objects.filter(user=w.owner)
    assert n.event == "listing_expiring" and n.params["expires_on"] == "2026-05-11"
    assert "11/05/2026" in n.text or "05/11/2026" in n.text
    assert A.expiry_reminders(today + dt.timedelta(days=11)) == {"reminded": 0, "closed": 1}
    w.oil.refresh_from_db()
    assert w.oil.status == Listing.Status.CLOSED
    ev = A.renew(w.owner, w.oil, today=today)
    assert ev.expires_on == today + dt.timedelta(days=A.RENEW_DAYS) and ev.reminder_sent_on is None


def test_daily_hook_runs_reminders_and_alerts(world):
    from eiphub.jobs.api import enqueue

    ListingEvidence.objects.create(listing=world.oil, expires_on=dt.date.today())
    job = enqueue("jobs.hook", params={"name": "daily_reminders"})
    job.refresh_from_db()
    assert job.status == "succeeded"
    assert ListingEvidence.objects.get().reminder_sent_on == dt.date.today()


def test_demo_market_loader_is_idempotent(world):
    from eiphub.exchange.demo_market import load_market
    from eiphub.exchange.models import SavedSearch

    w = world
    slag = listing(w.e2, "offer", "waste.slag.steel", 500, "t")
    first = load_market(w.p1, username=w.other.username)
    assert first == {"evidence": 2, "saved_searches": 1, "attachments": 1}
    assert load_market(w.p1, username=w.other.username) == {
        "evidence": 0,
        "saved_searches": 0,
        "attachments": 0,
    }
    photo = ListingAttachment.objects.get(listing=slag)
    assert A.sniff(photo.file.read()) == "image/png"
    assert ListingEvidence.objects.get(listing=w.oil).ctnh_code == "17 02 03"
    assert SavedSearch.objects.get(user=w.other).params == {"q": "xỉ thép"}


def test_history_is_phrased_in_vietnamese(world):
    w = world
    A.update_evidence(w.owner, w.oil, {"logistics": "collect", "partial": True})
    A.add_attachment(w.owner, w.oil, "photo", SimpleUploadedFile("a.png", png(), "image/png"))
    c = _c(w.owner)
    c.cookies["django_language"] = "vi"
    html = c.get(f"/exchange/listings/{w.oil.pk}/evidence/", HTTP_ACCEPT_LANGUAGE="vi")
    text = html.content.decode()
    history = text[text.index('id="listing-history"') :]
    assert "Bên nhận tự đến lấy" in history and "Ảnh" in history and "có" in history
    for raw in ("collect", "logistics", "partial", "{&#x27;kind", "True", "None"):
        assert raw not in history

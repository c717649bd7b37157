"""Issue 17 pages (search, saved searches, evidence, attachments) in the permission
matrix; merged into ``matrix.PAGES``.  The fixture adds a photo to the blind offer of e2
(exchange_fixture): its file is served to the ministry and the board (full view of K1),
to the enterprise user (whose want was accepted by both sides) and to nobody else."""

from eiphub.accounts.models import Role
from eiphub.testing.matrix import ANON, FORBIDDEN, LOGIN, NOT_FOUND, OK, all_roles

_A = all_roles(OK)


def market_fixture(w):
    from .matrix import exchange_fixture

    exchange_fixture(w)
    if getattr(w, "xphoto", None) is not None:
        return w
    from django.core.files.base import ContentFile

    from eiphub.exchange.models import ListingAttachment

    w.xphoto = ListingAttachment(
        listing=w.xoffer, kind="photo", content_type="image/png", size=8, sha256="0" * 64
    )
    w.xphoto.file.save("x.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=False)
    w.xphoto.save()
    return w


def _u(fmt):
    return lambda w: fmt.format(w=market_fixture(w))


def _roles(ok_roles, other, anon=LOGIN, **special):
    out = {r: (OK if r in ok_roles else other) for r in _A if r != ANON} | {ANON: anon}
    return out | {getattr(Role, k.upper()): v for k, v in special.items()}


MARKET_PAGES = {
    "exchange:search": (lambda w: "/exchange/search/?q=nh%E1%BB%B1a+ph%E1%BA%BF+li%E1%BB%87u", _A),
    "exchange:saved_searches": (lambda w: "/exchange/searches/", _A),
    "exchange:saved_search_delete": (lambda w: None, {}),  # POST only; test_search
    # the owner's want; the board may facilitate K1 listings but this one is not partial
    "exchange:listing_evidence": (
        _u("/exchange/listings/{w.xwant.pk}/evidence/"),
        _roles({Role.ENTERPRISE}, NOT_FOUND, board=FORBIDDEN),
    ),
    "exchange:listing_renew": (lambda w: None, {}),  # POST only; test_evidence
    "exchange:attachment": (
        _u("/exchange/attachments/{w.xphoto.pk}/"),
        _roles({Role.MINISTRY, Role.BOARD, Role.ENTERPRISE}, NOT_FOUND),
    ),
    "exchange:attachment_delete": (lambda w: None, {}),  # POST only; test_evidence
}

MARKET_API = {
    ("get", "/api/v1/exchange/search"): (
        lambda w: "/api/v1/exchange/search?q=plastic+scrap",
        all_roles(200, anon=401),
    ),
}

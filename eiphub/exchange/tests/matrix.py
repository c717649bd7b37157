"""Exchange pages and API operations in the permission matrix.

World (eiphub.testing.make_world): e1 (K1) belongs to the enterprise user; e2 (K1) and
e3 (K3) are other enterprises.  The fixture below adds: a blind published offer of e2,
a published want of e1, the match between them (both accepted) and its agreement, and a
draft offer of e3 (owner only)."""

from eiphub.accounts.models import Role
from eiphub.testing.matrix import ANON, FORBIDDEN, LOGIN, NOT_FOUND, OK, all_roles

_A = all_roles(OK)


def exchange_fixture(w):
    """Listings, a match and an agreement on the world (created once per world)."""
    if getattr(w, "xoffer", None) is not None:
        return w
    from eiphub.exchange.models import Agreement, Listing, Match

    w.xoffer = Listing.objects.create(
        enterprise=w.e2,
        kind="offer",
        resource_code="waste.plastic",
        quantity=123.4,
        unit="t",
        status="published",
    )
    w.xwant = Listing.objects.create(
        enterprise=w.e1,
        kind="want",
        resource_code="waste.plastic",
        quantity=80,
        unit="t",
        status="published",
    )
    w.xdraft = Listing.objects.create(
        enterprise=w.e3, kind="offer", resource_code="waste.glass", quantity=5, unit="t"
    )
    w.xmatch = Match.objects.create(
        offer=w.xoffer,
        want=w.xwant,
        score=0.8,
        matched_quantity=80,
        unit="t",
        offer_accepted=True,
        want_accepted=True,
        status="negotiating",
    )
    w.xagreement = Agreement.objects.create(
        match=w.xmatch,
        supplier=w.e2,
        receiver=w.e1,
        resource_code="waste.plastic",
        quantity_per_year=80,
        unit="t",
    )
    return w


def _u(fmt):
    return lambda w: fmt.format(w=exchange_fixture(w))


def _roles(ok_roles, other, anon=LOGIN):
    return {r: (OK if r in ok_roles else other) for r in _A if r != ANON} | {ANON: anon}


_PARTIES_AND_BOARD = {Role.MINISTRY, Role.BOARD, Role.ENTERPRISE}
_SIGNED_IN = {Role.MINISTRY, Role.BOARD, Role.DEVELOPER, Role.ENTERPRISE, Role.CONSULTANT}

PAGES = {
    "exchange:listings": (lambda w: "/exchange/", _A),
    "exchange:listing_create": (
        lambda w: "/exchange/listings/new/",
        _roles({Role.ENTERPRISE}, FORBIDDEN),
    ),
    "exchange:resolve": (lambda w: "/exchange/listings/resolve/?resource=tro+bay", _A),
    "exchange:from_flows": (lambda w: None, {}),  # POST only; covered by test_offers_from_flows
    # A published blind listing: every signed-in user with a role sees its blind view.
    "exchange:listing_detail": (
        _u("/exchange/listings/{w.xoffer.pk}/"),
        _roles(_SIGNED_IN, NOT_FOUND),
    ),
    # Own want of the enterprise user only.
    "exchange:listing_edit": (
        _u("/exchange/listings/{w.xwant.pk}/edit/"),
        _roles({Role.ENTERPRISE}, NOT_FOUND),
    ),
    "exchange:matches": (lambda w: "/exchange/matches/", _A),
    "exchange:run": (lambda w: None, {}),  # POST only; covered by test_matching_service
    "exchange:match_detail": (
        _u("/exchange/matches/{w.xmatch.pk}/"),
        _roles(_PARTIES_AND_BOARD, NOT_FOUND),
    ),
    "exchange:match_action": (lambda w: None, {}),  # POST only; covered by test_workflow
    "exchange:agreement_create": (
        _u("/exchange/matches/{w.xmatch.pk}/agreement/"),
        {
            Role.MINISTRY: FORBIDDEN,
            Role.BOARD: FORBIDDEN,
            Role.DEVELOPER: NOT_FOUND,
            Role.ENTERPRISE: OK,
            Role.CONSULTANT: NOT_FOUND,
            Role.PUBLIC: NOT_FOUND,
            ANON: LOGIN,
        },
    ),
    "exchange:agreements": (lambda w: "/exchange/agreements/", _A),
    "exchange:agreement_detail": (
        _u("/exchange/agreements/{w.xagreement.pk}/"),
        _roles(_PARTIES_AND_BOARD, NOT_FOUND),
    ),
    "exchange:agreement_action": (lambda w: None, {}),  # POST only; covered by test_workflow
    "exchange:contract": (
        _u("/exchange/agreements/{w.xagreement.pk}/contract.docx"),
        _roles(_PARTIES_AND_BOARD, NOT_FOUND),
    ),
    "exchange:funnel": (lambda w: "/exchange/funnel/", _A),
    "exchange:investors": (lambda w: "/exchange/investors/", _A),
    # the old addresses: a permanent redirect to the notices pages
    "exchange:notifications": (lambda w: "/exchange/notifications/", all_roles(301)),
    "exchange:notification_badge": (lambda w: "/exchange/notifications/badge/", all_roles(301)),
    # issue 17: the licensed-handler directory (published licences) is read by every
    # signed-in user; the authority's lists are imported by the board and the ministry
    "exchange:handlers": (lambda w: "/exchange/handlers/", _A),
    "exchange:handlers_import": (
        lambda w: "/exchange/handlers/import/",
        _roles({Role.MINISTRY, Role.BOARD}, FORBIDDEN),
    ),
    "exchange:agreement_review": (lambda w: None, {}),  # POST only; covered by test_trust
}

_API_ALL = all_roles(200, anon=401)


def _api(ok_roles, other=404):
    return {r: (200 if r in ok_roles else other) for r in _A if r != ANON} | {ANON: 401}


API = {
    ("get", "/api/v1/exchange/listings"): (lambda w: "/api/v1/exchange/listings", _API_ALL),
    ("post", "/api/v1/exchange/listings"): (None, {}),  # covered by test_blind (API create)
    # owner-only edit with a version (404 for everyone else): test_version_conflicts
    ("put", "/api/v1/exchange/listings/{listing_id}"): (None, {}),
    ("get", "/api/v1/exchange/listings/{listing_id}"): (
        _u("/api/v1/exchange/listings/{w.xoffer.pk}"),
        _api(_SIGNED_IN),
    ),
    ("get", "/api/v1/exchange/matches"): (lambda w: "/api/v1/exchange/matches", _API_ALL),
    ("get", "/api/v1/exchange/matches/{match_id}"): (
        _u("/api/v1/exchange/matches/{w.xmatch.pk}"),
        _api(_PARTIES_AND_BOARD),
    ),
    ("post", "/api/v1/exchange/matches/{match_id}/interest"): (None, {}),  # test_workflow
    ("post", "/api/v1/exchange/matches/{match_id}/accept"): (None, {}),
    ("post", "/api/v1/exchange/matches/{match_id}/decline"): (None, {}),
    ("post", "/api/v1/exchange/matches/{match_id}/notes"): (None, {}),
    ("post", "/api/v1/exchange/matches/{match_id}/agreement"): (None, {}),
    ("get", "/api/v1/exchange/agreements/{agreement_id}"): (
        _u("/api/v1/exchange/agreements/{w.xagreement.pk}"),
        _api(_PARTIES_AND_BOARD),
    ),
    ("post", "/api/v1/exchange/agreements/{agreement_id}/records"): (None, {}),
    ("post", "/api/v1/exchange/agreements/{agreement_id}/{action}"): (None, {}),
    ("get", "/api/v1/exchange/funnel"): (lambda w: "/api/v1/exchange/funnel", _API_ALL),
}

# issue 17: search, saved searches and evidence (matrix_market.py)
from .matrix_market import MARKET_PAGES  # noqa: E402

PAGES.update(MARKET_PAGES)

from .matrix_market import MARKET_API  # noqa: E402

API.update(MARKET_API)

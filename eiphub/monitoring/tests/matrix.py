"""Monitoring pages and API operations in the permission matrix.

World (eiphub.testing.make_world): park K1 (province P1, developer d1) holds e1 (the enterprise
user's) and e2; the consultant is assigned K2 only.  The fixture adds the park-level wastewater
station W-K1 of K1 with a few readings."""

from eiphub.accounts.models import Role
from eiphub.testing.matrix import ANON, LOGIN, NOT_FOUND, OK, all_roles


def monitoring_fixture(w):
    if getattr(w, "mstation", None) is not None:
        return w
    from eiphub.monitoring import services as S
    from eiphub.monitoring.models import Station

    w.mstation = Station.objects.create(park=w.k1, code="W-K1", name="XLNT K1", kind="wastewater")
    S.add_series(w.mstation, "cod")
    S.ingest(w.mstation, [("cod", 1_767_200_400 + i * 300, 60.0, 0) for i in range(24)])
    return w


def _u(fmt):
    return lambda w: fmt.format(w=monitoring_fixture(w))


K1_VISIBLE = {
    Role.MINISTRY: OK,
    Role.BOARD: OK,
    Role.DEVELOPER: OK,
    Role.ENTERPRISE: OK,
    Role.CONSULTANT: NOT_FOUND,
    Role.PUBLIC: NOT_FOUND,
    ANON: LOGIN,
}

PAGES = {
    "monitoring:board": (_u("/monitoring/"), all_roles(OK)),
    "monitoring:alerts": (_u("/monitoring/alerts/"), all_roles(OK)),
    "monitoring:park": (_u("/monitoring/parks/{w.k1.code}/"), K1_VISIBLE),
    "monitoring:report": (
        _u("/monitoring/parks/{w.k1.code}/report.xlsx?month=2026-01"),
        K1_VISIBLE,
    ),
    "monitoring:station": (_u("/monitoring/stations/{w.mstation.code}/"), K1_VISIBLE),
    "monitoring:station_token": (lambda w: None, {}),  # POST only; test_pages
    "monitoring:upload": (lambda w: None, {}),  # POST only; test_pages
}

_API_K1 = {r: (200 if v == OK else 404) for r, v in K1_VISIBLE.items() if r != ANON} | {ANON: 401}

API = {
    # station token only: a user's token or session is refused
    ("post", "/api/v1/monitoring/ingest"): (
        lambda w: "/api/v1/monitoring/ingest",
        all_roles(401, anon=401),
    ),
    ("get", "/api/v1/monitoring/stations"): (
        _u("/api/v1/monitoring/stations"),
        all_roles(200, anon=401),
    ),
    ("get", "/api/v1/monitoring/stations/{code}/series/{parameter}"): (
        _u("/api/v1/monitoring/stations/{w.mstation.code}/series/cod"),
        _API_K1,
    ),
    ("get", "/api/v1/monitoring/stations/{code}/exceedances"): (
        _u("/api/v1/monitoring/stations/{w.mstation.code}/exceedances"),
        _API_K1,
    ),
    ("get", "/api/v1/monitoring/alerts"): (
        _u("/api/v1/monitoring/alerts"),
        all_roles(200, anon=401),
    ),
}

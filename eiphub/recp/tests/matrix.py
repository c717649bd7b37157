"""RECP/GHG pages and API operations in the permission matrix (see eiphub/testing/matrix.py).

Measures are created on demand for the world: e1 (park K1, province P1, developer d1, the
enterprise user's own enterprise).  The consultant is assigned park K2 only."""

import datetime as dt

from eiphub.accounts.models import Role
from eiphub.testing.matrix import ANON, FORBIDDEN, LOGIN, NOT_FOUND, OK, all_roles


def measure(w):
    from eiphub.recp.models import Measure

    m, _created = Measure.objects.get_or_create(
        enterprise=w.e1,
        title="Matrix measure",
        defaults={
            "practice": "housekeeping",
            "status": "implemented",
            "implemented_on": dt.date(2024, 1, 1),
            "savings": {"energy.electricity.grid": 1000},
        },
    )
    return m


K1_VISIBLE = {
    Role.MINISTRY: OK,
    Role.BOARD: OK,
    Role.DEVELOPER: OK,
    Role.ENTERPRISE: OK,
    Role.CONSULTANT: NOT_FOUND,
    Role.PUBLIC: NOT_FOUND,
    ANON: LOGIN,
}
E2_VISIBLE = K1_VISIBLE | {Role.ENTERPRISE: NOT_FOUND}
WRITERS = {
    Role.MINISTRY: FORBIDDEN,
    Role.BOARD: OK,
    Role.DEVELOPER: OK,
    Role.ENTERPRISE: OK,
    Role.CONSULTANT: OK,
    Role.PUBLIC: FORBIDDEN,
    ANON: LOGIN,
}

PAGES = {
    "recp:measures": (lambda w: "/recp/", all_roles(OK)),
    "recp:measure_create": (lambda w: "/recp/new/", WRITERS),
    "recp:measure_detail": (lambda w: f"/recp/{measure(w).pk}/", K1_VISIBLE),
    "recp:measure_edit": (
        lambda w: f"/recp/{measure(w).pk}/edit/",
        K1_VISIBLE | {Role.MINISTRY: FORBIDDEN},
    ),
    "recp:ghg": (lambda w: "/recp/ghg/?park=K1", K1_VISIBLE),
    "recp:ghg_enterprise": (lambda w: f"/recp/ghg/enterprises/{w.e2.pk}/", E2_VISIBLE),
    "recp:rollup": (lambda w: "/recp/results/", all_roles(OK)),
    "recp:decoupling": (lambda w: "/recp/decoupling/?park=K1", K1_VISIBLE),
}

API_K1 = {r: (200 if v == OK else 404) for r, v in K1_VISIBLE.items()} | {ANON: 401}

API = {
    ("get", "/api/v1/recp/measures"): (lambda w: "/api/v1/recp/measures", all_roles(200, anon=401)),
    ("get", "/api/v1/recp/measures/{measure_id}"): (
        lambda w: f"/api/v1/recp/measures/{measure(w).pk}",
        API_K1,
    ),
    ("post", "/api/v1/recp/measures"): (None, {}),  # recp/tests/test_api.py
    ("get", "/api/v1/recp/rollup"): (lambda w: "/api/v1/recp/rollup", all_roles(200, anon=401)),
    ("get", "/api/v1/recp/ghg/{code}"): (lambda w: "/api/v1/recp/ghg/K1", API_K1),
}

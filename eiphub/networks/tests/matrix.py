"""Network planning pages and API operations in the permission matrix.

World (eiphub.testing.make_world): park K1 (province P1, developer d1) holds e1 (the
enterprise user's) and e2; the consultant is assigned K2 only.  The fixture below adds a
scenario of K1, a province scenario of P1 and a water and a heat study of K1."""

from eiphub.accounts.models import Role
from eiphub.testing.matrix import ANON, FORBIDDEN, LOGIN, NOT_FOUND, OK, all_roles


def networks_fixture(w):
    """Scenarios and studies on the world (created once per world)."""
    if getattr(w, "nscenario", None) is not None:
        return w
    from eiphub.networks import services as S
    from eiphub.networks import studies as ST
    from eiphub.symbiosis.heat import HeatStream
    from eiphub.symbiosis.water import WaterProcess

    w.nscenario = S.run_scenario(None, name="K1 plan", park=w.k1, check_scope=False)
    w.nprovince = S.run_scenario(None, name="P1 plan", province=w.p1, check_scope=False)
    w.nwater = ST.run_water_study(
        w.k1, None, [WaterProcess("P1", 2.0, 0, 100, "A"), WaterProcess("P2", 5.0, 50, 100, "B")]
    )
    w.nheat = ST.run_heat_study(
        w.k1,
        None,
        [HeatStream("H", "source", 200, 60, 500), HeatStream("C", "sink", 30, 120, 300)],
        year=2023,
    )
    return w


def _u(fmt):
    return lambda w: fmt.format(w=networks_fixture(w))


K1_VISIBLE = {
    Role.MINISTRY: OK,
    Role.BOARD: OK,
    Role.DEVELOPER: OK,
    Role.ENTERPRISE: OK,
    Role.CONSULTANT: NOT_FOUND,
    Role.PUBLIC: NOT_FOUND,
    ANON: LOGIN,
}
CREATORS = {
    Role.MINISTRY: FORBIDDEN,
    Role.BOARD: OK,
    Role.DEVELOPER: OK,
    Role.ENTERPRISE: FORBIDDEN,
    Role.CONSULTANT: OK,
    Role.PUBLIC: FORBIDDEN,
    ANON: LOGIN,
}

PAGES = {
    "networks:index": (lambda w: "/networks/", all_roles(OK)),
    "networks:scenario_create": (lambda w: "/networks/scenarios/new/", CREATORS),
    "networks:scenario_detail": (_u("/networks/scenarios/{w.nscenario.pk}/"), K1_VISIBLE),
    "networks:scenario_propose": (lambda w: None, {}),  # POST only; test_services
    # Out-of-scope ids are silently left out: the page answers for everyone signed in.
    "networks:compare": (
        _u("/networks/compare/?id={w.nscenario.pk}&id={w.nprovince.pk}"),
        all_roles(OK),
    ),
    "networks:park": (_u("/networks/parks/{w.k1.code}/"), K1_VISIBLE),
    "networks:water": (_u("/networks/parks/{w.k1.code}/water/"), K1_VISIBLE),
    "networks:heat": (_u("/networks/parks/{w.k1.code}/heat/"), K1_VISIBLE),
    "networks:example": (lambda w: "/networks/examples/water.csv", all_roles(OK)),
}

_API_K1 = {r: (200 if v == OK else 404) for r, v in K1_VISIBLE.items() if r != ANON} | {ANON: 401}

API = {
    ("get", "/api/v1/networks/scenarios"): (
        lambda w: "/api/v1/networks/scenarios",
        all_roles(200, anon=401),
    ),
    ("get", "/api/v1/networks/scenarios/{scenario_id}"): (
        _u("/api/v1/networks/scenarios/{w.nscenario.pk}"),
        _API_K1,
    ),
    ("post", "/api/v1/networks/scenarios"): (None, {}),  # test_pages (API create)
    ("post", "/api/v1/networks/scenarios/{scenario_id}/propose"): (None, {}),  # test_services
    ("get", "/api/v1/networks/parks/{code}/water"): (
        _u("/api/v1/networks/parks/{w.k1.code}/water"),
        _API_K1,
    ),
    ("get", "/api/v1/networks/parks/{code}/heat"): (
        _u("/api/v1/networks/parks/{w.k1.code}/heat"),
        _API_K1,
    ),
}

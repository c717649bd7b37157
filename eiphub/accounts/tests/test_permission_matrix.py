"""Every role against every page and every API endpoint.

The page matrix is checked for completeness: a URL pattern that is not listed
here fails `test_every_page_is_in_the_matrix`, so a new page cannot ship
without deciding who may see it.  Likewise every operation in the OpenAPI
document must be listed in API_MATRIX.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from eiphub.accounts.models import ApiToken, Role
from eiphub.testing import make_world, matrix

ROLES, ANON, ALL_OK = matrix.ROLES, matrix.ANON, matrix.ALL_OK
OK, LOGIN, FORBIDDEN, NOT_FOUND = matrix.OK, matrix.LOGIN, matrix.FORBIDDEN, matrix.NOT_FOUND
_all = matrix.all_roles

PAGE_MATRIX = {
    "web:home": (lambda w: "/", {r: 302 for r in ROLES} | {ANON: 302}),
    "web:dashboard": (lambda w: "/dashboard/", ALL_OK),
    "notices:list": (lambda w: "/notices/", ALL_OK),
    "notices:badge": (lambda w: "/notices/badge/", ALL_OK),
    "notices:preferences": (lambda w: "/notices/preferences/", ALL_OK),
    "registry:park_list": (lambda w: "/parks/", _all(OK, anon=OK)),
    # K1: board's province, developer's own park, enterprise's park; not the consultant's.
    "registry:park_detail": (
        lambda w: f"/parks/{w.k1.code}/",
        {
            Role.MINISTRY: OK,
            Role.BOARD: OK,
            Role.DEVELOPER: OK,
            Role.ENTERPRISE: OK,
            Role.CONSULTANT: NOT_FOUND,
            Role.PUBLIC: NOT_FOUND,
            ANON: LOGIN,
        },
    ),
    # e2 is another enterprise of the enterprise user's park that does not publish.
    "registry:enterprise_detail": (
        lambda w: f"/parks/enterprises/{w.e2.pk}/",
        {
            Role.MINISTRY: OK,
            Role.BOARD: OK,
            Role.DEVELOPER: OK,
            Role.ENTERPRISE: NOT_FOUND,
            Role.CONSULTANT: NOT_FOUND,
            Role.PUBLIC: NOT_FOUND,
            ANON: LOGIN,
        },
    ),
    "flows:entry": (
        lambda w: "/flows/entry/",
        {
            Role.MINISTRY: FORBIDDEN,
            Role.BOARD: OK,
            Role.DEVELOPER: OK,
            Role.ENTERPRISE: OK,
            Role.CONSULTANT: OK,
            Role.PUBLIC: FORBIDDEN,
            ANON: LOGIN,
        },
    ),
    "accounts:login": (lambda w: "/accounts/login/", _all(OK, anon=OK)),
    "accounts:logout": (lambda w: None, {}),  # POST only; covered by test_logout
    "accounts:tokens": (lambda w: "/accounts/tokens/", ALL_OK),
    # TOTP (issue 18): with EIPHUB_REQUIRE_2FA off (the suite's setting) verify passes every
    # role on to ?next; enrolment is for the roles that need it. Flow tests: test_totp.py
    "accounts:2fa_verify": (lambda w: "/accounts/2fa/verify/", _all(302)),
    "accounts:2fa_setup": (
        lambda w: "/accounts/2fa/setup/",
        _all(FORBIDDEN) | {Role.MINISTRY: OK, Role.BOARD: OK},
    ),
    "accounts:password_reset": (lambda w: "/accounts/password-reset/", _all(OK, anon=OK)),
    "accounts:password_reset_done": (lambda w: "/accounts/password-reset/sent/", _all(OK, anon=OK)),
    "accounts:password_reset_confirm": (lambda w: None, {}),  # token link: test_accounts
    "accounts:password_reset_complete": (lambda w: "/accounts/reset/done/", _all(OK, anon=OK)),
}

# Apps register their own pages/operations in <app>/tests/matrix.py (PAGES, API dicts).
for _mod in matrix.app_matrices():
    PAGE_MATRIX.update(getattr(_mod, "PAGES", {}))

# Cross-park negatives: park K3 (other province, other developer) for every role but ministry.
FOREIGN_PAGES = [
    lambda w: f"/parks/{w.k3.code}/",
    lambda w: f"/parks/enterprises/{w.e3.pk}/",
    lambda w: f"/programme/parks/{w.k3.code}/investors/",
    lambda w: f"/programme/parks/{w.k3.code}/sheet.pdf",
]


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace
            if ns in ("admin", "api") or (p.app_name == "api"):
                continue
            yield from _walk(p.url_patterns, f"{prefix}{ns}:" if ns else prefix)
        elif isinstance(p, URLPattern) and p.name:
            if p.name == "set_language":
                continue
            yield prefix + p.name


@pytest.fixture
def world(db):
    return make_world()


def _client(world, role):
    c = Client()
    if role != ANON:
        c.force_login(world.users[role])
    return c


def _check(resp, expected, url, role):
    if expected == LOGIN:
        assert resp.status_code == 302 and "/accounts/login/" in resp["Location"], (
            url,
            role,
            resp.status_code,
        )
    else:
        assert resp.status_code == expected, (url, role, resp.status_code)


def test_every_page_is_in_the_matrix():
    names = set(_walk(get_resolver().url_patterns))
    missing = sorted(names - set(PAGE_MATRIX))
    assert not missing, f"pages without a permission decision: {missing}"


@pytest.mark.parametrize("role", ROLES + [ANON])
def test_pages(world, role):
    client = _client(world, role)
    for _name, (build, expected) in PAGE_MATRIX.items():
        url = build(world)
        if url is None or role not in expected:
            continue
        _check(client.get(url), expected[role], url, role)


@pytest.mark.parametrize("role", [r for r in ROLES if r != Role.MINISTRY])
def test_foreign_park_pages_are_hidden(world, role):
    client = _client(world, role)
    for build in FOREIGN_PAGES:
        url = build(world)
        assert client.get(url).status_code == 404, (url, role)


def test_logout(world):
    client = _client(world, Role.BOARD)
    resp = client.post("/accounts/logout/")
    assert resp.status_code == 302
    assert client.get("/dashboard/").status_code == 302


# ---------------- API ----------------
# (method, path template) -> (path builder, {role: expected})
API_MATRIX = {
    ("get", "/api/v1/me"): (lambda w: "/api/v1/me", _all(200, anon=401)),
    ("get", "/api/v1/resources"): (lambda w: "/api/v1/resources", _all(200, anon=200)),
    ("get", "/api/v1/parks"): (lambda w: "/api/v1/parks", _all(200, anon=401)),
    ("get", "/api/v1/parks/{code}"): (
        lambda w: f"/api/v1/parks/{w.k1.code}",
        {
            Role.MINISTRY: 200,
            Role.BOARD: 200,
            Role.DEVELOPER: 200,
            Role.ENTERPRISE: 200,
            Role.CONSULTANT: 404,
            Role.PUBLIC: 404,
            ANON: 401,
        },
    ),
    ("get", "/api/v1/parks/{code}/monthly"): (
        lambda w: f"/api/v1/parks/{w.k3.code}/monthly",
        {
            Role.MINISTRY: 200,
            Role.BOARD: 404,
            Role.DEVELOPER: 404,
            Role.ENTERPRISE: 404,
            Role.CONSULTANT: 404,
            Role.PUBLIC: 404,
            ANON: 401,
        },
    ),
    ("get", "/api/v1/enterprises"): (lambda w: "/api/v1/enterprises", _all(200, anon=401)),
    ("get", "/api/v1/enterprises/{enterprise_id}"): (
        lambda w: f"/api/v1/enterprises/{w.e2.pk}",
        {
            Role.MINISTRY: 200,
            Role.BOARD: 200,
            Role.DEVELOPER: 200,
            Role.ENTERPRISE: 404,
            Role.CONSULTANT: 404,
            Role.PUBLIC: 404,
            ANON: 401,
        },
    ),
    ("get", "/api/v1/flows"): (lambda w: "/api/v1/flows", _all(200, anon=401)),
    ("get", "/api/v1/flows/{flow_id}"): (
        lambda w: f"/api/v1/flows/{w.flows['e2'].pk}",
        {
            Role.MINISTRY: 200,
            Role.BOARD: 200,
            Role.DEVELOPER: 200,
            Role.ENTERPRISE: 404,
            Role.CONSULTANT: 404,
            Role.PUBLIC: 404,
            ANON: 401,
        },
    ),
    ("post", "/api/v1/flows"): (None, {}),  # covered by test_api_create_flow_scope
}
for _mod in matrix.app_matrices():
    API_MATRIX.update(getattr(_mod, "API", {}))


def test_every_api_operation_is_in_the_matrix(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    ops = {
        (m, p)
        for p, item in spec["paths"].items()
        for m in item
        if m in {"get", "post", "put", "patch", "delete"}
    }
    missing = sorted(ops - set(API_MATRIX))
    assert not missing, f"API operations without a permission decision: {missing}"


@pytest.mark.parametrize("role", ROLES + [ANON])
def test_api_with_token(world, role):
    headers = {}
    if role != ANON:
        _tok, key = ApiToken.issue(world.users[role])
        headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    c = Client()
    for (method, _path), (build, expected) in API_MATRIX.items():
        if build is None or role not in expected:
            continue
        url = build(world)
        resp = getattr(c, method)(url, **headers)
        assert resp.status_code == expected[role], (url, role, resp.status_code)


def test_api_lists_are_scoped(world):
    c = Client()
    c.force_login(world.users[Role.ENTERPRISE])
    flows = c.get("/api/v1/flows").json()
    assert {f["enterprise_id"] for f in flows} == {world.e1.pk}
    ents = c.get("/api/v1/enterprises").json()
    assert {e["id"] for e in ents} == {world.e1.pk}
    c.force_login(world.users[Role.BOARD])
    parks = {p["code"] for p in c.get("/api/v1/parks").json()}
    assert parks == {"K1", "K2"}
    flows = c.get("/api/v1/flows").json()
    assert world.flows["e3"].pk not in {f["id"] for f in flows}
    assert world.flows["wwtp"].pk in {f["id"] for f in flows}
    c.force_login(world.users[Role.CONSULTANT])
    assert {p["code"] for p in c.get("/api/v1/parks").json()} == {"K2"}
    c.force_login(world.users[Role.DEVELOPER])
    assert {p["code"] for p in c.get("/api/v1/parks").json()} == {"K1"}


def test_api_create_flow_scope(world):
    _tok, key = ApiToken.issue(world.users[Role.ENTERPRISE])
    c = Client()
    h = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    body = {
        "resource_code": "energy.electricity.grid",
        "direction": "in",
        "period": "2024-04-01",
        "quantity": 1.5,
        "unit": "MWh",
    }
    ok = c.post(
        "/api/v1/flows",
        {**body, "enterprise_id": world.e1.pk},
        content_type="application/json",
        **h,
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["quantity_canonical"] == pytest.approx(1500.0)
    denied = c.post(
        "/api/v1/flows",
        {**body, "enterprise_id": world.e2.pk},
        content_type="application/json",
        **h,
    )
    assert denied.status_code == 403
    bad = c.post(
        "/api/v1/flows",
        {**body, "enterprise_id": world.e1.pk, "unit": "m3"},
        content_type="application/json",
        **h,
    )
    assert bad.status_code == 400 and bad.json()["field"] == "unit"


def test_published_flows_become_visible_to_neighbours(world):
    c = Client()
    c.force_login(world.users[Role.ENTERPRISE])
    assert c.get(f"/api/v1/flows/{world.flows['e2'].pk}").status_code == 404
    world.e2.publish_flows = True
    world.e2.save()
    assert c.get(f"/api/v1/flows/{world.flows['e2'].pk}").status_code == 200
    # an enterprise of another park that publishes stays invisible
    world.e3.publish_flows = True
    world.e3.save()
    assert c.get(f"/api/v1/flows/{world.flows['e3'].pk}").status_code == 404

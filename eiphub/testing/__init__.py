"""Test helpers: a small two-province world with one user per role.

Used by the permission matrix and feature tests; it never touches demo data.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.contrib.auth import get_user_model

from eiphub.accounts.models import Profile, Role
from eiphub.flows.services import save_flow
from eiphub.registry.models import Enterprise, Organization, Park, Province, SharedFacility
from eiphub.registry.validators import make_tax_code

PASSWORD = "pw-test-1"


def make_user(username, role, **profile):
    User = get_user_model()
    user = User.objects.create_user(username, password=PASSWORD)
    parks = profile.pop("assigned_parks", [])
    profile.setdefault("language", "en")  # tests read English unless they ask for Vietnamese
    p = Profile.objects.create(user=user, role=role, **profile)
    if parks:
        p.assigned_parks.set(parks)
    return user


def make_enterprise(park, serial, name=None, vsic="2220", **kw):
    return Enterprise.objects.create(
        tax_code=make_tax_code(serial),
        name_vi=name or f"Công ty {serial}",
        name_en=name or f"Company {serial}",
        park=park,
        vsic=vsic,
        **kw,
    )


def make_world(with_flows: bool = True) -> SimpleNamespace:
    w = SimpleNamespace()
    w.p1 = Province.objects.create(code="P1", name="Tỉnh Một")
    w.p2 = Province.objects.create(code="P2", name="Tỉnh Hai")
    w.d1 = Organization.objects.create(kind="developer", name="Dev One", province=w.p1)
    w.d2 = Organization.objects.create(kind="developer", name="Dev Two", province=w.p1)
    w.k1 = Park.objects.create(
        code="K1",
        name_vi="KCN Một",
        name_en="Park One",
        province=w.p1,
        developer=w.d1,
        total_area_ha=100,
        green_area_ha=12,
        latitude=20.8,
        longitude=106.6,
    )
    w.k2 = Park.objects.create(
        code="K2",
        name_vi="KCN Hai",
        province=w.p1,
        developer=w.d2,
        total_area_ha=200,
        latitude=20.9,
        longitude=106.7,
    )
    w.k3 = Park.objects.create(
        code="K3",
        name_vi="KCN Ba",
        province=w.p2,
        developer=w.d2,
        total_area_ha=300,
        latitude=10.0,
        longitude=105.7,
    )
    w.wwtp = SharedFacility.objects.create(
        park=w.k1, kind="wwtp", name="Trạm XLNT K1", capacity=2000, capacity_unit="m3/ngày"
    )
    w.e1 = make_enterprise(w.k1, 1001, "Công ty Thủy tinh Một", vsic="2310")
    w.e2 = make_enterprise(w.k1, 1002, "Công ty Nhựa Hai", vsic="2220")
    w.e3 = make_enterprise(w.k3, 1003, "Công ty Thép Ba", vsic="2410")
    w.e4 = make_enterprise(w.k2, 1004, "Công ty Giấy Bốn", vsic="1701")
    w.users = {
        Role.MINISTRY: make_user("u_ministry", Role.MINISTRY),
        Role.BOARD: make_user("u_board", Role.BOARD, province=w.p1),
        Role.DEVELOPER: make_user("u_developer", Role.DEVELOPER, organization=w.d1),
        Role.ENTERPRISE: make_user("u_enterprise", Role.ENTERPRISE, enterprise=w.e1),
        Role.CONSULTANT: make_user("u_consultant", Role.CONSULTANT, assigned_parks=[w.k2]),
        Role.PUBLIC: make_user("u_public", Role.PUBLIC),
    }
    w.flows = {}
    if with_flows:
        month = dt.date(2024, 3, 1)
        for key, owner in (
            ("e1", w.e1),
            ("e2", w.e2),
            ("e3", w.e3),
            ("e4", w.e4),
            ("wwtp", w.wwtp),
        ):
            w.flows[key] = save_flow(
                owner=owner,
                resource_code="water.fresh",
                direction="in",
                period=month,
                quantity=100 + len(w.flows),
                unit="m3",
            )
    return w

"""Registry pages name only the enterprises the viewer may read (scoping.enterprises_for)."""

from __future__ import annotations

import pytest
from django.test import Client

from eiphub.accounts.models import Role
from eiphub.testing import make_world


@pytest.fixture
def world(db):
    return make_world()


def _client(w, role):
    c = Client()
    c.force_login(w.users[role])
    return c


def test_park_completeness_hides_neighbours_from_an_enterprise(world):
    # e1 and e2 (K1, not publishing) both miss months of 2024; the board may see e2's gaps,
    # the enterprise user of e1 only its own.
    board = _client(world, Role.BOARD).get("/parks/K1/?year=2024").content.decode()
    assert world.e2.name_vi in board and world.e1.name_vi in board
    resp = _client(world, Role.ENTERPRISE).get("/parks/K1/?year=2024")
    assert resp.status_code == 200
    page = resp.content.decode()
    assert world.e1.name_vi in page
    assert world.e2.name_vi not in page
    assert f"/parks/enterprises/{world.e2.pk}/" not in page


def test_park_completeness_names_a_neighbour_that_publishes(world):
    world.e2.publish_flows = True
    world.e2.save(update_fields=["publish_flows"])
    page = _client(world, Role.ENTERPRISE).get("/parks/K1/?year=2024").content.decode()
    assert world.e2.name_vi in page


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.BOARD])
def test_other_province_park_and_enterprise_are_404_without_names(world, role):
    c = _client(world, role)
    for url in (f"/parks/{world.k3.code}/", f"/parks/enterprises/{world.e3.pk}/"):
        resp = c.get(url)
        assert resp.status_code == 404, url
        body = resp.content.decode()
        assert world.e3.name_vi not in body and world.k3.name_vi not in body


@pytest.mark.django_db
def test_sankey_pools_sectors_smaller_than_the_minimum():
    from eiphub.flows.queries import sankey
    from eiphub.testing import make_world

    w = make_world()  # K1 has one glass maker (VSIC 23) and one plastics firm (VSIC 22)
    full = {n["name"] for n in sankey(w.k1, 2024, "water")["nodes"]}
    assert {"VSIC 23", "VSIC 22"} <= full
    pooled = {n["name"] for n in sankey(w.k1, 2024, "water", min_sector_size=3)["nodes"]}
    assert "VSIC 23" not in pooled and "VSIC 22" not in pooled and "VSIC …" in pooled

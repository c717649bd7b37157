"""One validation layer for writes (issue 18, finding 3): unstorable input is refused with a
clear message, nothing is written, the database rejects what slipped through, and extreme
but valid records never make a page fail."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from eiphub.accounts.models import Role
from eiphub.accounts.tests.test_permission_matrix import PAGE_MATRIX
from eiphub.flows.models import FlowRecord
from eiphub.flows.services import FlowInputError, save_flow
from eiphub.recp.models import Measure
from eiphub.testing import make_world
from eiphub.testing.matrix import OK, ROLES

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


def _client(world, role):
    c = Client()
    c.force_login(world.users[role])
    return c


def _measure(world, **kw):
    body = {"enterprise_id": world.e1.pk, "title": "LED", "practice": "equipment"} | kw
    return _client(world, Role.ENTERPRISE).post(
        "/api/v1/recp/measures", body, content_type="application/json"
    )


def test_huge_investment_is_refused_and_nothing_is_saved(world):
    resp = _measure(world, investment_vnd=1e21)
    assert resp.status_code in (400, 422) and resp.json()["field"] == "investment_vnd"
    assert Measure.objects.count() == 0
    assert _measure(world, investment_vnd=1e15).status_code == 201  # the bound itself is valid


@pytest.mark.parametrize(
    "field,value",
    [
        ("title", "LED\x00"),
        ("title", "LED\x07bell"),
        ("assessed_by", "x\x1b[31m"),
        ("notes", "\x00"),
    ],
)
def test_control_characters_are_refused_with_a_message(world, field, value):
    resp = _measure(world, **{field: value})
    assert resp.status_code == 422
    assert resp.json()["field"] == field and "Control characters" in resp.json()["detail"]
    assert Measure.objects.count() == 0


def test_nul_in_form_posts_is_a_clean_400(world):
    c = _client(world, Role.BOARD)
    resp = c.post("/networks/scenarios/new/", {"name": "plan\x00", "park": world.k1.code})
    assert resp.status_code == 400 and b"Control characters" in resp.content


@pytest.mark.parametrize(
    "extra,field",
    [
        ({"data_quality": "bad\x01"}, "data_quality"),
        ({"fate": "thrown in the river"}, "fate"),
        ({"period": "1600-01-01"}, "period"),
        ({"quantity": 1e13}, "quantity"),
    ],
)
def test_flow_api_refuses_out_of_range_values(world, extra, field):
    body = {
        "enterprise_id": world.e1.pk,
        "resource_code": "water.fresh",
        "direction": "out" if "fate" in extra else "in",
        "period": "2024-05-01",
        "quantity": 5,
        "unit": "m3",
    } | extra
    before = FlowRecord.objects.count()
    resp = _client(world, Role.ENTERPRISE).post(
        "/api/v1/flows", body, content_type="application/json"
    )
    assert resp.status_code in (400, 422), resp.content
    assert resp.json()["field"] == field
    assert FlowRecord.objects.count() == before


def test_save_flow_refuses_free_text_fate(world):
    with pytest.raises(FlowInputError) as exc:
        save_flow(owner=world.e1, resource_code="water.fresh", direction="out",
                  period=dt.date(2024, 1, 1), quantity=1, unit="m3", fate="river")  # fmt: skip
    assert exc.value.field == "fate"


def test_database_rejects_what_validation_missed(world):
    f = world.flows["e1"]
    for change in ({"fate": "river"}, {"period": dt.date(1600, 1, 1)}, {"data_quality": "x"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            FlowRecord.objects.filter(pk=f.pk).update(**change)
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.create(enterprise=world.e1, title="x", practice="equipment",
                               investment_vnd=Decimal(10**18))  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.create(enterprise=world.e1, title="x", practice="free text")


def test_extreme_but_valid_records_never_break_a_page(world):
    Measure.objects.create(enterprise=world.e1, title="x" * 255, practice="equipment",
                           status="implemented", implemented_on=dt.date(2100, 12, 31),
                           investment_vnd=10**15, savings_vnd_per_year=1)  # fmt: skip
    Measure.objects.create(enterprise=world.e2, title="y", practice="technology",
                           investment_vnd=0, savings_vnd_per_year=10**15,
                           savings={"water.fresh": 1e12})  # fmt: skip
    save_flow(owner=world.e1, resource_code="energy.electricity.grid", direction="in",
              period=dt.date(2000, 1, 1), quantity=10**12, unit="kWh")  # fmt: skip
    save_flow(owner=world.e2, resource_code="water.fresh", direction="in",
              period=dt.date(2024, 3, 1), quantity=Decimal("0.000001"), unit="m3")  # fmt: skip
    failures = []
    for role in ROLES:
        c = _client(world, role)
        for name, (make_url, expected) in PAGE_MATRIX.items():
            url = make_url(world)
            if url and expected.get(role) == OK:
                status = c.get(url).status_code
                if status >= 500:
                    failures.append((role, name, url, status))
    assert failures == []

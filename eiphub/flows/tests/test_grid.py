"""The monthly grid: rows from history, copy of last month, save all at once, conflicts,
plausibility warnings to confirm, deletes with an audit trail, the unique key."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from eiphub.flows.models import FlowRecord, FlowRevision
from eiphub.flows.services import FlowConflict, save_flow

from . import io_factories as F

pytestmark = pytest.mark.django_db
SEP, OCT = dt.date(2024, 9, 1), dt.date(2024, 10, 1)


@pytest.fixture
def w():
    w = F.world()
    for m in range(4, 10):  # six months of history of e1
        p = dt.date(2024, m, 1)
        save_flow(owner=w.e1, resource_code="energy.fuel.coal", direction="in", period=p,
                  quantity=420, unit="t")  # fmt: skip
        save_flow(owner=w.e1, resource_code="water.fresh", direction="in", period=p,
                  quantity=50, unit="m3")  # fmt: skip
    return w


def lang(client, code):
    client.cookies["django_language"] = code


def grid(client, w, month="2024-10", lang_code="en", **params):
    lang(client, lang_code)
    return client.get(reverse("flows:entry"), {"enterprise": w.e1.pk, "month": month, **params},
                      HTTP_ACCEPT_LANGUAGE=lang)  # fmt: skip


def rows_of(resp):
    return [(r.resource_code, r.direction) for r in resp.context["rows"]]


def test_grid_lists_the_history_and_preselects_the_only_enterprise(client, w):
    client.force_login(w.ent_user)
    resp = client.get(reverse("flows:entry"), {"month": "2024-10"}, HTTP_ACCEPT_LANGUAGE="en")
    assert resp.context["ent"] == w.e1
    assert "---------" not in resp.content.decode()
    assert rows_of(resp) == [("energy.fuel.coal", "in"), ("water.fresh", "in")]
    units = resp.context["rows"][0].units
    assert units[0] == "t" and "kg" in units and "kWh" not in units


def test_copy_last_month_prefills_and_save_all_at_once(client, w):
    client.force_login(w.ent_user)
    resp = grid(client, w, copy="1", lang_code="vi")
    html = resp.content.decode()
    assert 'value="420"' in html and 'value="50"' in html  # September's values
    form = resp.context["form"]
    data = {"enterprise": w.e1.pk, "month": "2024-10", "r0-quantity": "430,5", "r0-unit": "t",
            "r1-quantity": "1.050", "r1-unit": "m3"}  # fmt: skip
    # water: 1.050 in Vietnamese is 1050 m3, 21x the usual 50 m3: a warning to confirm
    resp = client.post(reverse("flows:entry"), data)
    assert resp.status_code == 200 and resp.context["warnings"], resp.context["form"].errors
    assert not FlowRecord.objects.filter(period=OCT).exists()
    resp = client.post(reverse("flows:entry"), {**data, "confirm_warnings": "on"},
                       HTTP_ACCEPT_LANGUAGE="vi")  # fmt: skip
    assert resp.status_code == 302, resp.context and resp.context["form"].errors
    got = dict(FlowRecord.objects.filter(period=OCT).values_list("resource_code", "quantity"))
    assert got == {"energy.fuel.coal": Decimal("430.5"), "water.fresh": Decimal("1050")}
    assert form is not None


def test_saving_again_updates_and_a_stale_version_is_a_conflict(client, w):
    client.force_login(w.ent_user)
    resp = grid(client, w, month="2024-09")
    rec = FlowRecord.objects.get(period=SEP, resource_code="energy.fuel.coal")
    assert resp.context["form"].initial["r0-version"] == rec.version == 1
    data = {"enterprise": w.e1.pk, "month": "2024-09", "r0-quantity": "425", "r0-unit": "t",
            "r0-version": "1", "r1-quantity": "50", "r1-unit": "m3", "r1-version": "1"}  # fmt: skip
    # meanwhile someone else saves the coal row
    save_flow(owner=w.e1, resource_code="energy.fuel.coal", direction="in", period=SEP,
              quantity=421, unit="t", user=w.dev_user, expected_version=1)  # fmt: skip
    resp = client.post(reverse("flows:entry"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 200
    assert "was changed by dev" in str(resp.context["form"].errors)
    assert FlowRecord.objects.get(pk=rec.pk).quantity == 421  # not silently overwritten
    data["r0-version"] = "2"
    assert client.post(reverse("flows:entry"), data).status_code == 302
    rec.refresh_from_db()
    assert (rec.quantity, rec.version) == (425, 3)
    assert FlowRecord.objects.filter(period=SEP).count() == 2
    hist = list(FlowRevision.objects.filter(flow_id=rec.pk, action="update").order_by("pk")
                .values_list("old_quantity", "new_quantity", "user__username"))  # fmt: skip
    assert hist == [(420, 421, "dev"), (421, 425, "ent1")]


def test_delete_from_the_grid_keeps_the_audit_trail(client, w):
    client.force_login(w.ent_user)
    data = {"enterprise": w.e1.pk, "month": "2024-09", "r0-quantity": "420", "r0-unit": "t",
            "r0-version": "1", "r1-quantity": "50", "r1-unit": "m3", "r1-version": "1",
            "r1-delete": "on"}  # fmt: skip
    first = client.post(reverse("flows:entry"), data)  # water is usual: a warning first
    assert first.status_code == 200 and len(first.context["warnings"]) == 1
    assert FlowRecord.objects.filter(period=SEP, resource_code="water.fresh").exists()
    assert (
        client.post(reverse("flows:entry"), {**data, "confirm_warnings": "on"}).status_code == 302
    )
    assert not FlowRecord.objects.filter(period=SEP, resource_code="water.fresh").exists()
    rev = FlowRevision.objects.get(action="delete")
    assert (rev.old_quantity, rev.old_unit, rev.user) == (50, "m3", w.ent_user)
    page = grid(client, w, month="2024-09").content.decode()
    assert 'id="grid-history"' in page and "Deleted" in page


def test_one_record_per_enterprise_month_resource_direction_and_route(w):
    save_flow(owner=w.e1, resource_code="energy.fuel.coal", direction="in", period=SEP,
              quantity=1, unit="t")  # fmt: skip
    coal = FlowRecord.objects.filter(period=SEP, resource_code="energy.fuel.coal")
    assert coal.count() == 1 and coal.get().quantity == 1  # saving again updates
    with pytest.raises(IntegrityError), transaction.atomic():
        FlowRecord.objects.create(enterprise=w.e1, resource_code="energy.fuel.coal",
                                  direction="in", period=SEP, quantity=2, unit="t",
                                  quantity_canonical=2, canonical_unit="t")  # fmt: skip
    # a waste split by fate keeps one record per fate (sold / landfilled)
    for fate, q in (("sold", 3), ("landfill", 1)):
        save_flow(owner=w.e1, resource_code="waste.ash.fly", direction="out", period=SEP,
                  quantity=q, unit="t", fate=fate)  # fmt: skip
    assert FlowRecord.objects.filter(period=SEP, resource_code="waste.ash.fly").count() == 2


def test_api_conflict_is_409_and_text_quantities_follow_the_language(client, w):
    client.force_login(w.ent_user)
    body = {"enterprise_id": w.e1.pk, "resource_code": "energy.fuel.coal", "direction": "in",
            "period": "2024-09-01", "quantity": "430,5", "unit": "t", "version": 1}  # fmt: skip
    resp = client.post("/api/v1/flows", body, content_type="application/json",
                       HTTP_ACCEPT_LANGUAGE="vi")  # fmt: skip
    assert resp.status_code == 201 and resp.json()["quantity"] == 430.5
    assert resp.json()["version"] == 2
    lang(client, "en")
    resp = client.post("/api/v1/flows", body, content_type="application/json")
    assert resp.status_code == 409
    assert FlowRecord.objects.get(period=SEP, resource_code="energy.fuel.coal").quantity == Decimal(
        "430.5"
    )


def test_conflict_error_names_the_current_value(w):
    with pytest.raises(FlowConflict) as info:
        save_flow(owner=w.e1, resource_code="water.fresh", direction="in", period=SEP,
                  quantity=1, unit="m3", expected_version=7)  # fmt: skip
    assert info.value.current.quantity == 50


def test_board_list_of_figures_to_check(client, w):
    save_flow(
        owner=w.e1,
        resource_code="energy.fuel.coal",
        direction="in",
        period=OCT,
        quantity=Decimal("1.234"),
        unit="t",
    )  # fmt: skip  (a slip for 1,234 t)
    client.force_login(w.dev_user)
    resp = client.get(reverse("flows:checks"), {"park": "K1", "month": "2024-10"},
                      HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    codes = sorted(r["warning"].code for r in resp.context["rows"])
    assert codes == ["far_below", "usual_missing"]  # coal 1.234 t vs 420 t; water missing
    assert "less than a tenth" in resp.content.decode()

"""Stored results go stale on bulk writes too (issue 9, point 3): ``sync_parks`` (old and new
parks), deleting an enterprise, a shared facility or a park (their flows go by cascade, which
sends no flow signal), one or a queryset at a time."""

import datetime as dt

import pytest

from eiphub.exchange.models import Agreement
from eiphub.flows.models import FlowRecord
from eiphub.registry.models import Enterprise, Park, SharedFacility
from eiphub.reports import stored
from eiphub.reports.models import StoredResult
from eiphub.testing import make_enterprise, make_world

from .builders import agreement

pytestmark = pytest.mark.django_db

YEAR = 2024


def _stored_world():
    """make_world with every park's 2024 results and the areas stored, none stale."""
    w = make_world()
    stored.store_park_year([w.k1.pk, w.k2.pk, w.k3.pk], YEAR)
    stored.store_areas(YEAR)
    assert not StoredResult.objects.filter(stale=True).exists()
    return w


def _stale_park_years():
    return set(
        StoredResult.objects.filter(kind=stored.PARK_YEAR, stale=True).values_list(
            "park_id", "year"
        )
    )


def _stale_areas():
    return set(
        StoredResult.objects.filter(kind=stored.AREA, stale=True).values_list("key", flat=True)
    )


def _fresh_in_march(park):
    row = StoredResult.objects.get(kind=stored.PARK_YEAR, park=park, year=YEAR)
    return row, sum(
        m["quantity"]
        for m in row.result["monthly"]
        if m["month"] == 3 and m["group"] == "water.fresh" and m["direction"] == "in"
    )


def test_sync_parks_marks_the_old_and_the_new_park():
    w = _stored_world()
    # a tenancy change written without signals (raw update): e1 is now in K2, its flows not yet
    Enterprise.objects.filter(pk=w.e1.pk).update(park=w.k2)
    assert FlowRecord.objects.get(enterprise=w.e1).park_id == w.k1.pk
    assert FlowRecord.objects.filter(enterprise=w.e1).sync_parks() == 1
    assert FlowRecord.objects.get(enterprise=w.e1).park_id == w.k2.pk
    assert _stale_park_years() == {(w.k1.pk, YEAR), (w.k2.pk, YEAR)}
    assert _stale_areas() == {"national", "province:P1"}
    cards = StoredResult.objects.filter(kind=stored.SCORECARD, stale=True)
    assert set(cards.values_list("park_id", flat=True)) == {w.k1.pk, w.k2.pk}


def test_sync_parks_of_rows_without_a_park_marks_their_owners_park():
    w = _stored_world()
    FlowRecord.objects.filter(facility=w.wwtp).update(park=None)  # a raw write (COPY)
    assert FlowRecord.objects.filter(park__isnull=True).sync_parks() == 1
    assert _stale_park_years() == {(w.k1.pk, YEAR)}
    # nothing to repair: nothing written, nothing marked
    StoredResult.objects.update(stale=False)
    assert FlowRecord.objects.filter(park__isnull=True).sync_parks() == 0
    assert not StoredResult.objects.filter(stale=True).exists()


def test_sync_parks_outside_an_import_queues_the_recompute(
    django_capture_on_commit_callbacks, settings
):
    w = _stored_world()
    settings.EIPHUB_RECOMPUTE = "sync"
    Enterprise.objects.filter(pk=w.e2.pk).update(park=w.k2)
    before_k1, march_k1 = _fresh_in_march(w.k1)
    before_k2, march_k2 = _fresh_in_march(w.k2)
    # the import path (bulk, the default) marks and leaves the recompute to the import
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        FlowRecord.objects.filter(enterprise=w.e2).sync_parks()
    assert callbacks == []
    assert _stale_park_years() == {(w.k1.pk, YEAR), (w.k2.pk, YEAR)}
    # a tenancy change (bulk=False, what the Enterprise signals use) recomputes after commit
    Enterprise.objects.filter(pk=w.e2.pk).update(park=w.k1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        FlowRecord.objects.filter(enterprise=w.e2).sync_parks(bulk=False)
    assert len(callbacks) == 1
    assert not StoredResult.objects.filter(kind=stored.PARK_YEAR, stale=True).exists()
    after_k1, again_k1 = _fresh_in_march(w.k1)
    assert after_k1.version > before_k1.version and again_k1 == march_k1 == 305.0


def test_deleting_a_facility_marks_its_park_and_recomputes(
    django_capture_on_commit_callbacks, settings
):
    w = _stored_world()
    _row, march = _fresh_in_march(w.k1)
    assert march == 305.0  # e1 100 + e2 101 + WWTP 104 m3 (make_world)
    wwtp = w.wwtp.pk
    w.wwtp.delete()  # its flow goes by cascade
    assert not FlowRecord.objects.filter(facility_id=wwtp).exists()
    assert _stale_park_years() == {(w.k1.pk, YEAR)}
    assert _stale_areas() == {"national", "province:P1"}
    # with recomputation after commit, the stored year no longer counts the facility's water
    StoredResult.objects.update(stale=False)
    settings.EIPHUB_RECOMPUTE = "sync"
    other = SharedFacility.objects.create(park=w.k1, kind="solar", name="Solar K1")
    FlowRecord.objects.filter(enterprise=w.e2).update(facility=other, enterprise=None)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        SharedFacility.objects.filter(pk=other.pk).delete()  # a queryset delete
    assert len(callbacks) == 1
    row, march = _fresh_in_march(w.k1)
    assert not row.stale and march == 100.0


def test_deleting_enterprises_marks_their_parks():
    w = _stored_world()
    # the registry refuses deleting an enterprise with history; a queryset delete cascades
    Enterprise.objects.filter(pk__in=[w.e2.pk, w.e3.pk]).delete()
    assert not FlowRecord.objects.filter(enterprise_id__in=[w.e2.pk, w.e3.pk]).exists()
    assert _stale_park_years() == {(w.k1.pk, YEAR), (w.k3.pk, YEAR)}
    assert _stale_areas() == {"national", "province:P1", "province:P2"}
    # an enterprise without flows still counted in its park (sizes, scorecards)
    StoredResult.objects.update(stale=False)
    e5 = make_enterprise(w.k2, 1005)
    StoredResult.objects.update(stale=False)
    e5.delete()
    assert _stale_park_years() == {(w.k2.pk, YEAR)}


def test_deleting_an_enterprise_named_as_counterparty_marks_the_flows_park():
    w = _stored_world()
    e5 = make_enterprise(w.k2, 1005)
    FlowRecord.objects.filter(enterprise=w.e3).update(counterparty=e5)
    StoredResult.objects.update(stale=False)
    e5.delete()
    assert _stale_park_years() == {(w.k2.pk, YEAR), (w.k3.pk, YEAR)}


def test_deleting_a_park_marks_its_areas():
    w = _stored_world()
    empty = Park.objects.create(code="K9", name_vi="KCN Chín", province=w.p2, total_area_ha=50)
    StoredResult.objects.update(stale=False)
    Park.objects.filter(pk=empty.pk).delete()
    assert _stale_areas() == {"national", "province:P2"}
    assert not _stale_park_years()


def test_queryset_delete_of_agreements_marks_both_parks():
    w = _stored_world()
    agreement(w.e1, w.e3, "waste.slag", starts=dt.date(2024, 1, 1))
    StoredResult.objects.update(stale=False)
    Agreement.objects.filter(supplier=w.e1).delete()  # registry/demo.py's reset
    assert _stale_park_years() == {(w.k1.pk, YEAR), (w.k3.pk, YEAR)}

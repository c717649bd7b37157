"""Optimistic concurrency on annual reports (issue 18): a stale save is a 409 that keeps
what was typed and writes nothing; a stale transition is refused."""

import pytest

from eiphub.reports.models import AnnualReport, AuditEvent

from .builders import YEAR
from .test_pages import client, w  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_stale_value_save_is_a_409_that_keeps_the_input(w):  # noqa: F811
    dev1, dev2 = client(w.dev), client(w.dev)
    dev1.post("/reports/annual/new/", {"kind": "A5", "park": w.park.code, "year": YEAR})
    rep = AnnualReport.objects.get()
    page = dev2.get(f"/reports/annual/{rep.pk}/").content.decode()
    read = rep.version
    assert f'name="version" value="{read}"' in page
    url = f"/reports/annual/{rep.pk}/values/"
    ok = dev1.post(url, {"version": read, "value-ENV.1": "3", "justification-ENV.1": "Đếm lại"})
    assert ok.status_code == 302
    rep.refresh_from_db()
    assert rep.values["ENV.1"] == 3 and rep.version > read
    stale = dev2.post(url, {"version": read, "value-ENV.1": "4", "justification-ENV.1": "Số khác"})
    assert stale.status_code == 409
    body = stale.content.decode()
    assert 'name="value-ENV.1" value="4"' in body
    assert 'name="justification-ENV.1" value="Số khác"' in body
    assert f'name="version" value="{rep.version}"' in body
    rep.refresh_from_db()
    assert rep.values["ENV.1"] == 3
    assert AuditEvent.objects.filter(report=rep, action="edit").count() == 1


def test_stale_submit_is_refused(w):  # noqa: F811
    dev = client(w.dev)
    dev.post("/reports/annual/new/", {"kind": "A5", "park": w.park.code, "year": YEAR})
    rep = AnnualReport.objects.get()
    read = rep.version
    dev.post(
        f"/reports/annual/{rep.pk}/values/",
        {"version": read, "value-ENV.1": "3", "justification-ENV.1": "Đếm lại"},
    )
    # submitting from a page that did not see that edit files nothing
    dev.post(f"/reports/annual/{rep.pk}/transition/", {"action": "submit", "version": read})
    rep.refresh_from_db()
    assert rep.status == "draft"
    api = dev.post(
        f"/api/v1/reports/annual/{rep.pk}/transition",
        {"action": "submit", "version": read},
        content_type="application/json",
    )
    assert api.status_code == 409
    rep.refresh_from_db()
    assert rep.status == "draft"
    ok = dev.post(
        f"/api/v1/reports/annual/{rep.pk}/transition",
        {"action": "submit", "version": rep.version},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "submitted"
    assert ok.json()["version"] == rep.version + 1


def test_stale_declaration_is_a_409_that_keeps_the_input(w):  # noqa: F811
    from eiphub.reports.models import Declaration

    url = f"/reports/declarations/park/{w.park.code}/{YEAR}/"
    tab1, tab2 = client(w.dev), client(w.dev)
    page = tab2.get(url).content.decode()
    assert 'name="stamp-PM.1" value=""' in page  # tab 2 read "not declared yet"
    first = {"value-PM.1": "true", "evidence-PM.1": "QĐ 45/2024", "note-PM.1": "", "stamp-PM.1": ""}
    assert tab1.post(url, first).status_code == 302
    stale = {**first, "evidence-PM.1": "QĐ 99/2024", "note-PM.1": "bản của tab 2"}
    resp = tab2.post(url, stale)
    assert resp.status_code == 409
    body = resp.content.decode()
    assert "QĐ 99/2024" in body and "bản của tab 2" in body  # kept as typed
    d = Declaration.objects.get(park=w.park, year=YEAR, code="PM.1")
    assert d.documents == ["QĐ 45/2024"]  # not overwritten
    # saving again from the refreshed form (it carries the current stamp) works
    stamp = body.split('name="stamp-PM.1" value="')[1].split('"')[0]
    assert stamp == d.updated_at.isoformat()
    assert tab2.post(url, {**stale, "stamp-PM.1": stamp}).status_code == 302
    d.refresh_from_db()
    assert d.documents == ["QĐ 99/2024"]
    # posting the same values again is no conflict even from an old page
    assert tab1.post(url, {**stale, "stamp-PM.1": ""}).status_code == 302

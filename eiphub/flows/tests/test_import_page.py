"""The import page: upload, error table, background progress, downloads, permissions."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from eiphub.flows import views_io
from eiphub.flows.models import FlowRecord, ImportBatch

from . import io_factories as F


@pytest.fixture
def w(db):
    return F.world()


def upload(client, rows, name="flows.csv"):
    data = F.csv_file(rows).getvalue()
    return client.post(reverse("flows:import"), {"file": SimpleUploadedFile(name, data)})


def test_upload_with_errors_shows_every_error_and_writes_nothing(client, w):
    client.force_login(w.ent_user)
    rows = [F.flow_row(w.e1.tax_code, period=f"{m:02d}/2024") for m in range(1, 13)]
    rows[4]["unit"] = "kg"
    rows[9]["tax_code"] = w.e2.tax_code  # same park, not the user's enterprise
    resp = client.post(
        reverse("flows:import"),
        {"file": SimpleUploadedFile("flows.csv", F.csv_file(F.table("flows", rows)).getvalue())},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'id="import-errors"' in html
    errors = [(e.row, e.column) for e in resp.context["result"].errors]
    assert errors == [(6, "Unit"), (11, "Tax code")]
    assert '<td class="num">6</td><td>Unit</td>' in html
    assert f"Unknown tax code “{w.e2.tax_code}”" in html
    assert FlowRecord.objects.count() == 0


def test_clean_upload_imports_and_shows_summary(client, w):
    client.force_login(w.ent_user)
    resp = upload(client, F.table("flows", [F.flow_row(w.e1.tax_code)]))
    assert resp.status_code == 200 and resp.context["result"].ok
    assert FlowRecord.objects.get().entered_by == w.ent_user
    rows = F.table("flows", [F.flow_row(w.e1.tax_code, period="02/2024")], lang="vi")
    xlsx = SimpleUploadedFile("t.xlsx", F.xlsx_file({"Số liệu tháng": rows}).getvalue())
    resp = client.post(reverse("flows:import"), {"file": xlsx, "kind": "flows"})
    assert resp.context["result"].ok and FlowRecord.objects.count() == 2
    assert 'id="import-result"' in resp.content.decode()


def test_public_user_gets_403_and_anonymous_is_sent_to_login(client, w):
    client.force_login(w.public)
    assert client.get(reverse("flows:import")).status_code == 403
    assert upload(client, F.table("flows", [F.flow_row(w.e1.tax_code)])).status_code == 403
    client.logout()
    assert client.get(reverse("flows:import")).status_code == 302
    assert FlowRecord.objects.count() == 0


def test_export_download_is_scoped(client, w):
    FlowRecord.objects.all().delete()
    from eiphub.flows.importer import OPERATOR, import_file

    rows = F.table("flows", [F.flow_row(w.e1.tax_code), F.flow_row(w.e2.tax_code)])
    assert import_file(F.csv_file(rows), "x.csv", OPERATOR).ok
    client.force_login(w.ent_user)
    resp = client.get(reverse("flows:export"), {"what": "flows", "park": "K1", "year": 2024,
                                                "format": "xlsx", "lang": "en"})  # fmt: skip
    assert resp.status_code == 200
    assert "eiphub-flows-K1-2024.xlsx" in resp["Content-Disposition"]
    ws = load_workbook(io.BytesIO(resp.content), read_only=True).worksheets[0]
    assert [r[0] for r in ws.iter_rows(values_only=True)][1:] == [w.e1.tax_code]
    assert client.get(reverse("flows:export"), {"park": "NOPE"}).status_code == 400


def test_template_download(client, db):
    resp = client.get(reverse("flows:template", args=["flows", "csv"]), {"lang": "vi"})
    assert resp.status_code == 200
    assert resp.content.decode("utf-8-sig").startswith("Mã số thuế;")
    assert client.get(reverse("flows:template", args=["cats", "csv"])).status_code == 400


@pytest.mark.django_db(transaction=True)
def test_large_file_runs_in_background_and_page_polls(client, monkeypatch):
    w = F.world()
    monkeypatch.setattr(views_io, "SYNC_MAX_BYTES", 0)
    # Start the worker thread once the request is over: the shared-cache in-memory test
    # database locks tables between connections instead of waiting like a file database.
    launched, real_launch = [], views_io._launch
    monkeypatch.setattr(views_io, "_launch", lambda pk, args: launched.append(args))

    def run_launched():
        args = launched.pop()
        real_launch(args[0], args).join(timeout=60)

    client.force_login(w.dev_user)
    rows = [F.flow_row(t, period=f"{m:02d}/2024") for t in (w.e1.tax_code, w.e2.tax_code)
            for m in range(1, 13)]  # fmt: skip
    resp = upload(client, F.table("flows", rows))
    assert resp.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == "pending"
    pending = client.get(resp["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in pending
    run_launched()
    page = client.get(resp["Location"])
    assert page.status_code == 200
    part = client.get(resp["Location"], HTTP_HX_REQUEST="true")
    html = part.content.decode()
    assert "hx-trigger" not in html  # finished: polling stops
    batch.refresh_from_db()
    assert (batch.status, batch.rows, batch.created_count) == ("done", 24, 24)
    assert FlowRecord.objects.filter(batch=batch).count() == 24
    # a bad file in the background: errors stored and listed, nothing written
    rows[3]["quantity"] = -1
    resp = upload(client, F.table("flows", rows))
    bad = ImportBatch.objects.exclude(pk=batch.pk).get()
    run_launched()
    bad.refresh_from_db()
    assert bad.status == "failed" and [e["row"] for e in bad.errors] == [5]
    html = client.get(resp["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'id="import-errors"' in html
    assert FlowRecord.objects.count() == 24
    # another user cannot see the batch
    client.force_login(w.ent_user)
    assert client.get(resp["Location"]).status_code == 404

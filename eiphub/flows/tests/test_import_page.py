"""The import page: upload, error table, background progress, downloads, permissions."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from eiphub.flows.models import FlowRecord, FlowRevision, ImportBatch

from . import io_factories as F


@pytest.fixture
def w(db):
    return F.world()


def upload(client, rows, name="flows.csv", **extra):
    data = F.csv_file(rows).getvalue()
    return client.post(reverse("flows:import"), {"file": SimpleUploadedFile(name, data), **extra})


def confirm(client, resp):
    batch = ImportBatch.objects.get(pk=resp["Location"].rstrip("/").split("/")[-1])
    return client.post(reverse("flows:import_apply", args=[batch.pk])), batch


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


def test_clean_upload_shows_a_preview_then_writes_on_confirmation(client, w):
    client.force_login(w.ent_user)
    resp = upload(client, F.table("flows", [F.flow_row(w.e1.tax_code)]))
    assert resp.status_code == 302 and FlowRecord.objects.count() == 0
    page = client.get(resp["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="import-confirm"' in page and 'data-count="created">1<' in page
    done, batch = confirm(client, resp)
    assert done.status_code == 302
    assert FlowRecord.objects.get().entered_by == w.ent_user
    rows = F.table("flows", [F.flow_row(w.e1.tax_code, period="02/2024")], lang="vi")
    xlsx = SimpleUploadedFile("t.xlsx", F.xlsx_file({"Số liệu tháng": rows}).getvalue())
    resp = client.post(reverse("flows:import"), {"file": xlsx, "kind": "flows"})
    confirm(client, resp)
    assert FlowRecord.objects.count() == 2


def test_preview_counts_rows_and_undo_from_history(client, w):
    """Issue 11 regression: 3 rows of a month leave the month's other records in place."""
    client.force_login(w.ent_user)
    month = [F.flow_row(w.e1.tax_code, r, period="10/2024", quantity=q, unit=u)
             for r, q, u in (("energy.electricity.grid", 100, "kWh"), ("water.fresh", 5, "m3"),
                             ("energy.fuel.diesel", 40, "L"), ("energy.fuel.coal", 420, "t"))]  # fmt: skip
    confirm(client, upload(client, F.table("flows", month)))
    assert FlowRecord.objects.filter(enterprise=w.e1).count() == 4
    new = [F.flow_row(w.e1.tax_code, "energy.electricity.grid", period="10/2024", quantity=120),
           F.flow_row(w.e1.tax_code, "water.fresh", period="10/2024", quantity=5, unit="m3"),
           F.flow_row(w.e1.tax_code, "waste.ash.fly", "out", period="10/2024", quantity=2, unit="t")]  # fmt: skip
    resp = upload(client, F.table("flows", new))
    batch = ImportBatch.objects.get(pk=resp["Location"].rstrip("/").split("/")[-1])
    assert (batch.created_count, batch.updated_count, batch.unchanged_count, batch.replaced) == (
        1,
        1,
        1,
        0,
    )
    page = client.get(resp["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count('<tr data-action="') == 3
    confirm(client, resp)
    assert FlowRecord.objects.filter(enterprise=w.e1).count() == 5  # nothing deleted
    history = client.get(
        reverse("flows:import_history"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "flows.csv" in history and reverse("flows:import_undo", args=[batch.pk]) in history
    assert client.post(reverse("flows:import_undo", args=[batch.pk])).status_code == 302
    got = dict(FlowRecord.objects.filter(enterprise=w.e1).values_list("resource_code", "quantity"))
    assert got == {"energy.electricity.grid": 100, "water.fresh": 5, "energy.fuel.diesel": 40,
                   "energy.fuel.coal": 420}  # fmt: skip
    assert FlowRevision.objects.filter(batch=batch).count() == 1  # the one update
    # replacing whole months is the checkbox
    resp = upload(client, F.table("flows", new[:1]), replace_months="on")
    confirm(client, resp)
    assert list(FlowRecord.objects.filter(enterprise=w.e1).values_list("resource_code", flat=True)) == [
        "energy.electricity.grid"]  # fmt: skip
    # another user sees neither the batch nor its undo
    client.force_login(w.dev_user)
    assert client.get(resp["Location"]).status_code == 404
    assert client.post(reverse("flows:import_undo", args=[batch.pk])).status_code == 404


def test_cancel_discards_the_preview(client, w):
    client.force_login(w.ent_user)
    resp = upload(client, F.table("flows", [F.flow_row(w.e1.tax_code)]))
    pk = resp["Location"].rstrip("/").split("/")[-1]
    client.post(reverse("flows:import_apply", args=[pk]), {"cancel": "1"})
    assert not ImportBatch.objects.exists() and not FlowRecord.objects.exists()


def test_export_year_box_is_not_localised(client, w):
    import re

    client.force_login(w.ent_user)
    for code in ("vi", "en"):
        client.cookies["django_language"] = code
        html = client.get(reverse("flows:import")).content.decode()
        assert f'lang="{code}"' in html
        box = re.search(r'<input id="ex-year"[^>]*>', html).group(0)
        assert re.search(r'max="\d{4}"', box) and re.search(r'value="\d{4}"', box), box


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

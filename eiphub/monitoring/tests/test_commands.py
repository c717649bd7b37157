"""check-packs covers the monitoring packs; the monitoring-import command ingests a logger file."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from eiphub.core import monitoring as M
from eiphub.monitoring.models import Reading
from eiphub.testing import make_world

from .helpers import T0, make_station


def test_check_packs_lists_the_monitoring_packs():
    out = StringIO()
    call_command("check_packs", stdout=out)
    text = out.getvalue()
    assert "qcvn40_2025 QCVN 40:2025/BTNMT: 10 parameters" in text
    assert "qcvn40_2011 QCVN 40:2011/BTNMT" in text and "[superseded]" in text
    assert f"{len(M.load_all_packs())} monitoring limits pack(s) valid" in text


def test_check_packs_fails_on_a_bad_monitoring_pack(tmp_path, monkeypatch):
    (tmp_path / "bad.yaml").write_text("id: x\nkind: sewage\n", encoding="utf-8")
    monkeypatch.setattr(M, "PACK_DIR", tmp_path)
    with pytest.raises(CommandError, match="bad.yaml"):
        call_command("check_packs", stdout=StringIO())


@pytest.mark.django_db
def test_monitoring_import_command(tmp_path):
    w = make_world(with_flows=False)
    st = make_station(w)
    f = tmp_path / "K1_XLNT.txt"
    f.write_text("COD 45.2 mg/L 20260101001000 00\nTSS 20 mg/L 20260101001000 02\n")
    out = StringIO()
    call_command("monitoring_import", st.code, str(f), stdout=out)
    assert Reading.objects.get(series__parameter="cod", ts=T0 + 600).value == 45.2
    assert Reading.objects.get(series__parameter="tss").flags == M.FLAG_FAULT
    assert "2" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("monitoring_import", "NOPE", str(f), stdout=out)

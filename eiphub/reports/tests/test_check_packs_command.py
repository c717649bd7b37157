"""`eiphub check-packs`: lists valid packs, fails with a precise message on a bad one."""

from __future__ import annotations

import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from eiphub.indicators.packs import PACK_DIR, load_all_packs


def test_check_packs_lists_every_installed_pack():
    out = StringIO()
    call_command("check_packs", stdout=out)
    text = out.getvalue()
    for pack in load_all_packs().values():
        assert f"{pack.id} {pack.version}: {len(pack.criteria)} criteria" in text
    assert "decree82_2018_repealed" in text and "[repealed]" in text
    assert f"{len(load_all_packs())} pack(s) valid" in text


def test_check_packs_on_given_files(tmp_path):
    good = tmp_path / "b5.yaml"
    shutil.copy(PACK_DIR / "circular05_b5.yaml", good)
    out = StringIO()
    call_command("check_packs", str(good), stdout=out)
    assert "circular05_b5 2025.1: 5 criteria" in out.getvalue()
    assert "1 pack(s) valid" in out.getvalue()


def test_check_packs_rejects_a_malformed_pack(tmp_path):
    bad = tmp_path / "bad_b5.yaml"
    text = (PACK_DIR / "circular05_b5.yaml").read_text(encoding="utf-8")
    bad.write_text(
        text.replace("computation: recp_share", "computation: recp_sharez"), encoding="utf-8"
    )
    with pytest.raises(CommandError) as exc:
        call_command("check_packs", str(bad), stdout=StringIO())
    msg = str(exc.value)
    assert (
        "bad_b5.yaml: criterion ENV.2: field 'computation': unknown computation 'recp_sharez'"
        in msg
    )

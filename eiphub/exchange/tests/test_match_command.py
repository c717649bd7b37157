"""`eiphub match` runs the matcher on a CSV file and writes CSV or JSON."""

import csv
import json

import pytest
from django.core.management import CommandError, call_command

from eiphub.symbiosis.matching import MATCH_COLUMNS

HEADER = (
    "listing_id,enterprise,park,kind,resource,quantity,unit,period,latitude,longitude,temperature_c"
)
ROWS = [
    "O1,Glass,Khanh Phu,offer,waste heat from glass furnace,1000,GJ,month,20.2146,106.0312,420",
    "W1,Fertiliser,Khanh Phu,want,nhiệt sấy,6000,GJ,year,20.2178,106.0355,",
    "O2,Power,Khanh Phu,offer,tro bay,5000,tấn,month,20.2233,106.0201,",
    "W2,Bricks,Gian Khau,want,gạch không nung,20000,t,year,20.3316,105.9341,",
    "W3,Nobody,Far away,want,tro bay,100,t,year,10.80,106.70,",
]


def _write(tmp_path, rows):
    f = tmp_path / "listings.csv"
    f.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return f


def test_csv_output(tmp_path, capsys):
    out = tmp_path / "matches.csv"
    call_command("match", listings=str(_write(tmp_path, ROWS)), out=str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert tuple(rows[0]) == MATCH_COLUMNS
    got = {(r["offer_id"], r["want_id"]): r for r in rows}
    assert set(got) == {("O1", "W1"), ("O2", "W2")}  # W3 is ~1,400 km away
    heat = got[("O1", "W1")]
    assert heat["pathway"] == "P-082" and heat["rank"] == "1" and heat["unit"] == "GJ"
    assert float(heat["matched_quantity"]) == pytest.approx(6000 / 0.85, rel=1e-3)
    ash = got[("O2", "W2")]
    assert ash["pathway"] == "P-003"
    assert float(ash["matched_quantity"]) == pytest.approx(0.6 * 20000, rel=1e-3)
    assert 10 < float(ash["distance_km"]) < 30 and float(ash["benefit_vnd_per_year"]) > 0
    assert "P-003" in ash["explanation"] and "gạch" in ash["explanation_vi"]
    assert "2 matches" in capsys.readouterr().out


def test_json_output_and_max_distance(tmp_path):
    out = tmp_path / "m.json"
    call_command(
        "match", listings=str(_write(tmp_path, ROWS)), out=str(out), format="json", max_distance=5
    )
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["count"] == 1 and doc["matches"][0]["offer_id"] == "O1"
    assert doc["matches"][0]["co2e_t_per_year"] > 0


def test_strict_bad_row_names_row_and_column(tmp_path):
    bad = ROWS + ["O9,X,Y,offer,tro bay,lots,t,year,20.2,106.0,"]
    out = tmp_path / "x.csv"
    with pytest.raises(CommandError) as exc:
        call_command("match", listings=str(_write(tmp_path, bad)), out=str(out), strict=True)
    msg = str(exc.value)
    assert "listings.csv" in msg and "row 7" in msg and "“quantity”" in msg and "lots" in msg
    assert exc.value.returncode == 2
    assert not out.exists()  # all or nothing


BAD_ROWS = [
    "O9,X,Y,offer,tro bay,lots,t,year,20.2,106.0,",  # row 7: not a number
    "O10,X,Y,sell,tro bay,5,t,year,20.2,106.0,",  # row 8: bad kind
    "O1,X,Y,offer,tro bay,5,t,year,20.2,106.0,",  # row 9: duplicate id
    "O11,Z,Khanh Phu,offer,tro bay,50,GJ,year,20.2233,106.0201,",  # row 10: unit vs guessed resource
    "O12,Z,Khanh Phu,offer,zzqx widget,5,t,year,,,",  # row 11: unknown resource, no coordinates
]


def test_bad_rows_are_skipped_and_reported(tmp_path, capsys):
    out = tmp_path / "m.csv"
    with pytest.raises(SystemExit) as exc:
        call_command("match", listings=str(_write(tmp_path, ROWS + BAD_ROWS)), out=str(out))
    assert exc.value.code == 3  # done, some rows skipped
    got = {(r["offer_id"], r["want_id"]) for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert got == {("O1", "W1"), ("O2", "W2")}  # the good rows are matched as before
    issues = list(csv.DictReader(open(f"{out}.errors.csv", encoding="utf-8")))
    by_row = {(r["row"], r["code"]): r for r in issues}
    assert by_row[("7", "bad_number")]["column"] == "quantity"
    assert by_row[("7", "bad_number")]["severity"] == "error"
    assert "lots" in by_row[("7", "bad_number")]["message"]
    assert ("8", "bad_kind") in by_row and ("9", "duplicate_id") in by_row
    mismatch = by_row[("10", "unit_mismatch")]
    assert mismatch["severity"] == "warning" and "GJ" in mismatch["message"]
    assert by_row[("11", "unresolved_resource")]["severity"] == "warning"
    assert by_row[("11", "no_coordinates")]["severity"] == "warning"
    text = capsys.readouterr()
    assert "3 skipped" in text.out and "row 7" in text.err


def test_clean_run_exits_zero_and_reports_in_vietnamese(tmp_path, capsys):
    out = tmp_path / "m.csv"
    call_command("match", listings=str(_write(tmp_path, ROWS)), out=str(out))  # no SystemExit
    assert not (tmp_path / "m.csv.errors.csv").exists()
    rows = ROWS + ["O9,X,Y,offer,tro bay,lots,t,year,20.2,106.0,"]
    with pytest.raises(SystemExit):
        call_command("match", listings=str(_write(tmp_path, rows)), out=str(out), lang="vi")
    (issue,) = list(csv.DictReader(open(f"{out}.errors.csv", encoding="utf-8")))
    assert issue["message"] == "không phải là số: “lots”"
    assert "dòng 7" in capsys.readouterr().err

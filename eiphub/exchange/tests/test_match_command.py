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


def test_bad_row_names_row_and_column(tmp_path):
    bad = ROWS + ["O9,X,Y,offer,tro bay,lots,t,year,20.2,106.0,"]
    with pytest.raises(CommandError) as exc:
        call_command("match", listings=str(_write(tmp_path, bad)), out=str(tmp_path / "x.csv"))
    msg = str(exc.value)
    assert "listings.csv" in msg and "row 7" in msg and "'quantity'" in msg
    assert exc.value.returncode == 2

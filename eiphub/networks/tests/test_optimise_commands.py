"""`eiphub optimise`, `eiphub water-target` and `eiphub heat-target` on temporary CSV files."""

import json

import pytest
from django.core.management import CommandError, call_command

HEADER = "listing_id,enterprise,park,kind,resource,quantity,unit,period,latitude,longitude"
ROWS = [
    # two fly-ash offers compete for two brick/cement buyers
    "O1,Power A,Khanh Phu,offer,tro bay,6000,tấn,year,20.2233,106.0201",
    "O2,Power B,Gian Khau,offer,tro bay,3000,tấn,year,20.3300,105.9300",
    "W1,Bricks,Gian Khau,want,tro bay,5000,t,year,20.3316,105.9341",
    "W2,Cement,Khanh Phu,want,tro bay,5000,t,year,20.2200,106.0300",
]


def _listings(tmp_path, rows=ROWS):
    f = tmp_path / "listings.csv"
    f.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return f


def test_optimise_writes_consistent_json(tmp_path, capsys):
    out = tmp_path / "result.json"
    call_command("optimise", listings=str(_listings(tmp_path)), out=str(out), pareto=3)
    r = json.loads(out.read_text(encoding="utf-8"))
    assert r["status"] == "optimal" and r["gap"] <= 1e-4
    assert r["inputs"]["offers"] == 2 and r["inputs"]["wants"] == 2
    assert r["inputs"]["candidate_links"] >= 2
    assert r["build_s"] >= 0 and r["solve_s"] >= 0
    sent = {}
    for lk in r["links"]:
        assert lk["flow"] > 0 and lk["offer_enterprise"] and lk["want_enterprise"]
        sent[lk["supply"]] = sent.get(lk["supply"], 0.0) + lk["flow"]
    assert sent.get("O1", 0) <= 6000 + 1e-6 and sent.get("O2", 0) <= 3000 + 1e-6
    got = {lk["demand"]: 0.0 for lk in r["links"]}
    for lk in r["links"]:
        got[lk["demand"]] += lk["flow"]
    assert all(v <= 5000 + 1e-6 for v in got.values())
    # all 9,000 t of ash find a buyer (10,000 t wanted)
    assert sum(sent.values()) == pytest.approx(9000.0, rel=1e-6)
    assert r["benefit_vnd_per_year"] >= r["greedy"]["benefit_vnd_per_year"] - 1e-3
    assert r["benefit_vnd_per_year"] == pytest.approx(
        sum(lk["net_benefit_vnd_per_year"] for lk in r["links"]), rel=1e-9
    )
    assert len(r["pareto"]) == 3
    assert "optimal" in capsys.readouterr().out


def test_optimise_bad_file(tmp_path):
    with pytest.raises(CommandError):
        call_command(
            "optimise", listings=str(tmp_path / "missing.csv"), out=str(tmp_path / "r.json")
        )


WANG_SMITH = """process,plant,load_kg_per_h,cin_max_ppm,cout_max_ppm
P1,A,2,0,100
P2,A,5,50,100
P3,B,30,50,800
P4,B,4,400,800
"""


def test_water_target_json(tmp_path, capsys):
    f = tmp_path / "water.csv"
    f.write_text(WANG_SMITH, encoding="utf-8")
    call_command("water_target", input=str(f), format="json")
    r = json.loads(capsys.readouterr().out)
    # Wang & Smith (1994): 90 t/h freshwater and wastewater, pinch 100 ppm
    assert r["freshwater_t_per_h"] == pytest.approx(90.0, rel=1e-6)
    assert r["wastewater_t_per_h"] == pytest.approx(90.0, rel=1e-6)
    assert r["pinch_ppm"] == pytest.approx(100.0)
    fresh = sum(x["t_per_h"] for x in r["flows"] if x["from"] == "freshwater")
    waste = sum(x["t_per_h"] for x in r["flows"] if x["to"] == "wastewater")
    assert fresh == pytest.approx(90.0, rel=1e-6) and waste == pytest.approx(90.0, rel=1e-6)
    call_command("water_target", input=str(f), format="json", no_inter_plant=True)
    r2 = json.loads(capsys.readouterr().out)
    assert r2["freshwater_t_per_h"] == pytest.approx(112.5, rel=1e-6)
    for x in r2["flows"]:
        if x["from"] in ("P1", "P2") and x["to"] != "wastewater":
            assert x["to"] in ("P1", "P2")


def test_water_target_text_and_errors(tmp_path, capsys):
    f = tmp_path / "water.csv"
    f.write_text(WANG_SMITH, encoding="utf-8")
    call_command("water_target", input=str(f))
    assert "90.000 t/h" in capsys.readouterr().out
    f.write_text("process,plant,load_kg_per_h,cin_max_ppm,cout_max_ppm\nP1,A,2,100,50\n")
    with pytest.raises(CommandError) as e:
        call_command("water_target", input=str(f))
    assert "row 2" in str(e.value) and "cout_max_ppm" in str(e.value)


def test_heat_target_json(tmp_path, capsys):
    f = tmp_path / "heat.csv"
    # Kemp (2007) four-stream example: QHmin 20 kW, QCmin 60 kW, 450 kW recovered
    f.write_text(
        "name,kind,t_supply_c,t_target_c,duty_kw\n"
        "c1,sink,20,135,230\nh2,source,170,60,330\nc3,sink,80,140,240\nh4,source,150,30,180\n",
        encoding="utf-8",
    )
    call_command("heat_target", input=str(f), format="json", emission_factor=0.25, hours=5000)
    r = json.loads(capsys.readouterr().out)
    assert r["recovered_kw"] == pytest.approx(450.0)
    assert r["hot_utility_kw"] == pytest.approx(20.0)
    assert r["mwh_per_year"] == pytest.approx(2250.0, rel=1e-6)
    assert r["co2e_t_per_year"] == pytest.approx(562.5, rel=1e-6)

"""Issue 12 case 10: every ``--format json`` command writes only JSON on stdout.

HiGHS prints its banner from C++ on file descriptor 1, which pytest's capsys never sees, so
the commands run here in a real subprocess, as ``eiphub water-target --format json |
python -m json.tool`` would."""

import json
import subprocess
import sys

import pytest

from eiphub.networks.tests.test_optimise_commands import WANG_SMITH

HEAT = (
    "name,kind,t_supply_c,t_target_c,duty_kw\n"
    "c1,sink,20,135,230\nh2,source,170,60,330\nc3,sink,80,140,240\nh4,source,150,30,180\n"
)


def _run(*args):
    proc = subprocess.run(
        [sys.executable, "-m", "eiphub.cli", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.mark.parametrize("command,csv", [("water-target", WANG_SMITH), ("heat-target", HEAT)])
def test_json_stdout_is_only_json(tmp_path, command, csv):
    f = tmp_path / "in.csv"
    f.write_text(csv, encoding="utf-8")
    proc = _run(command, "--input", str(f), "--format", "json")
    doc = json.loads(proc.stdout)  # fails on any banner line before the document
    if command == "water-target":
        assert doc["freshwater_t_per_h"] == pytest.approx(90.0, rel=1e-6)
    else:
        assert doc["recovered_kw"] == pytest.approx(450.0)
    # piping into json.tool, as the "done when" says
    tool = subprocess.run(
        [sys.executable, "-m", "json.tool"], input=proc.stdout, capture_output=True, text=True
    )
    assert tool.returncode == 0, tool.stderr
    assert "HiGHS" not in proc.stdout


def test_highs_objects_are_silent_at_the_source():
    code = (
        "from eiphub.symbiosis.lp import new_highs\n"
        "h = new_highs()\n"
        "print(h.getOptionValue('output_flag')[-1], h.getOptionValue('log_to_console')[-1])\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False False"  # nothing but our own line on stdout

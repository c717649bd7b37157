"""One coded error base: no class re-pastes ``__init__(self, code, ...)``; codes and params
round-trip through every coded error the analytical core raises."""

import ast
from pathlib import Path

import pytest

from eiphub.core.errors import CodedError, LocatedError

ROOT = Path(__file__).resolve().parents[2]  # the eiphub package
BASE = ROOT / "core" / "errors.py"


def pasted_constructors() -> list[str]:
    """Classes other than the base whose ``__init__`` takes ``code`` first and sets ``self.code``."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if path == BASE or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            for fn in cls.body:
                if not (isinstance(fn, ast.FunctionDef) and fn.name == "__init__"):
                    continue
                args = [a.arg for a in fn.args.posonlyargs + fn.args.args]
                if args[:2] != ["self", "code"]:
                    continue
                sets_code = any(
                    isinstance(t, ast.Attribute) and t.attr == "code"
                    for node in ast.walk(fn)
                    if isinstance(node, ast.Assign)
                    for target in node.targets
                    for t in (target.elts if isinstance(target, ast.Tuple) else [target])
                )
                if sets_code:
                    found.append(f"{path.relative_to(ROOT.parent)}:{fn.lineno} {cls.name}")
    return found


def test_no_class_repastes_the_coded_constructor():
    assert pasted_constructors() == [], "inherit eiphub.core.errors.CodedError instead"


def test_the_scan_finds_a_pasted_constructor(tmp_path, monkeypatch):
    # the scan is not vacuous: a pasted constructor in the tree is reported
    source = (
        "class E(Exception):\n    def __init__(self, code, message):\n        self.code = code\n"
    )
    tree = ast.parse(source)
    cls = tree.body[0]
    fn = cls.body[0]
    assert [a.arg for a in fn.args.args][:2] == ["self", "code"]
    fake = tmp_path / "eiphub"
    (fake / "x").mkdir(parents=True)
    (fake / "x" / "bad.py").write_text(source)
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", fake)
    assert pasted_constructors() == ["eiphub/x/bad.py:2 E"]


def test_code_params_message_round_trip():
    err = CodedError("bad_unit", "unit 'kgg' is unknown", unit="kgg")
    assert (err.code, err.params, err.message, str(err)) == (
        "bad_unit",
        {"unit": "kgg"},
        "unit 'kgg' is unknown",
        "unit 'kgg' is unknown",
    )
    assert str(CodedError("empty")) == "empty" and CodedError("empty").params == {}


def test_located_error_says_where_and_keeps_location_out_of_params():
    err = LocatedError(
        "bad_number", "not a number", file=Path("a.csv"), row=3, column="qty", value="x"
    )
    assert str(err) == "a.csv, row 3, column 'qty': not a number"
    assert (err.file, err.row, err.column, err.params) == ("a.csv", 3, "qty", {"value": "x"})


def _raise_unit():
    from eiphub.core.units import convert

    convert(1, "kg", "kWh")


def _raise_gap():
    from eiphub.core.ghg import GapError

    raise GapError("missing_lhv", "no LHV for coal")


@pytest.mark.parametrize("trigger", [_raise_unit, _raise_gap])
def test_core_errors_are_coded_errors(trigger):
    with pytest.raises(CodedError) as info:
        trigger()
    assert info.value.code and isinstance(info.value.params, dict)


def test_subclasses_keep_their_builtin_bases_and_phrasing():
    from eiphub.indicators.schema import PackError
    from eiphub.symbiosis.heat import HeatError
    from eiphub.symbiosis.matching.model import ListingFileError

    pack = PackError("missing_field", "required", file="p.yaml", criterion="C1", field="unit")
    assert (
        isinstance(pack, ValueError) and str(pack) == "p.yaml: criterion C1: field 'unit': required"
    )
    assert (pack.file, pack.criterion, pack.field) == ("p.yaml", "C1", "unit")
    heat = HeatError("bad_number", "not a number", file="h.csv", row=2)
    assert str(heat) == "file h.csv, row 2: not a number" and heat.params == {
        "file": "h.csv",
        "row": 2,
    }
    listing = ListingFileError(
        "bad_unit", "unknown unit", file="l.csv", row=4, column="unit", unit="kgg"
    )
    assert str(listing) == "l.csv, row 4, column 'unit': unknown unit"
    assert (listing.row, listing.params) == (4, {"unit": "kgg"})

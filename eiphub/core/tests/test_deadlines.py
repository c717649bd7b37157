import datetime as dt

import pytest

from eiphub.core import deadlines as D

REFS = {"r": "a source"}


def _doc(**entry):
    base = {"code": "x", "cycle": "annual", "report_kind": "A5", "month": 3, "day": 31}
    base.update({"roles": ["board"], "source": "r"})
    base.update(entry)
    return {"references": REFS, "deadlines": [base]}


def test_shipped_file_loads_and_every_entry_cites_a_source():
    ds = D.load()
    assert {"annual_A5", "annual_B5", "monthly_flows"} <= set(ds)
    assert all(d.source and d.verify for d in ds.values())


@pytest.mark.parametrize(
    ("entry", "code"),
    [
        ({"cycle": "weekly"}, "bad_cycle"),
        ({"month": 13}, "bad_month"),
        ({"day": 30, "month": 2}, "bad_day"),
        ({"source": "nowhere"}, "unknown_source"),
        ({"roles": ["janitor"]}, "bad_roles"),
        ({"report_kind": ""}, "no_report_kind"),
        ({"remind_days": -1}, "bad_remind_days"),
        ({"cycle": "monthly", "day": 31}, "bad_day"),
    ],
)
def test_validation_errors_are_coded(entry, code):
    with pytest.raises(D.DeadlineError) as exc:
        D.parse(_doc(**entry))
    assert exc.value.code == code


def test_duplicate_code_and_missing_list():
    doc = _doc()
    doc["deadlines"].append(dict(doc["deadlines"][0]))
    with pytest.raises(D.DeadlineError) as exc:
        D.parse(doc)
    assert exc.value.code == "duplicate_code"
    with pytest.raises(D.DeadlineError) as exc:
        D.parse({"references": REFS})
    assert exc.value.code == "no_deadlines"


def test_due_dates_states_and_override():
    ds = D.parse(_doc(remind_days=10))
    annual = ds["x"]
    assert D.current_period(annual, dt.date(2026, 3, 1)) == 2025
    assert D.due_date(annual, 2025) == dt.date(2026, 3, 31)
    assert D.state(annual, dt.date(2026, 3, 31), dt.date(2026, 3, 21)) == "near"
    assert D.state(annual, dt.date(2026, 3, 31), dt.date(2026, 3, 20)) == "later"
    assert D.state(annual, dt.date(2026, 3, 31), dt.date(2026, 3, 31)) == "near"
    assert D.state(annual, dt.date(2026, 3, 31), dt.date(2026, 4, 1)) == "passed"
    moved = annual.with_override(month=4, day=15)
    assert D.due_date(moved, 2025) == dt.date(2026, 4, 15)
    with pytest.raises(D.DeadlineError) as exc:
        annual.with_override(month=2, day=30)
    assert exc.value.code == "bad_day"
    monthly = D.parse(_doc(cycle="monthly", day=15))["x"]
    period = D.current_period(monthly, dt.date(2026, 1, 10))
    assert period == dt.date(2025, 12, 1)
    assert D.due_date(monthly, period) == dt.date(2026, 1, 15)
    assert monthly.with_override(month=5).month is None  # a monthly deadline has no month

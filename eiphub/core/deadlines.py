"""Reporting deadlines as versioned data (``data/deadlines.yaml``), validated on load.

An *annual* deadline is due on ``month``/``day`` of the year after the reporting year; a
*monthly* one on ``day`` of the month after the data month (clamped to the month's last
day).  A province may override ``month``/``day``/``remind_days`` (the caller passes the
override).  A deadline is ``near`` from ``remind_days`` before its due date up to the due
date, ``passed`` after it.  Errors are coded (:class:`DeadlineError`).  No Django here.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import yaml

from .errors import CodedError

DEFAULT_PATH = Path(__file__).parent / "data" / "deadlines.yaml"
CYCLES = ("annual", "monthly")
ROLES = ("ministry", "board", "developer", "enterprise", "consultant")


class DeadlineError(CodedError, ValueError):
    """The deadlines file is malformed: ``code`` names the problem, ``params`` its data."""


@dataclass(frozen=True)
class Deadline:
    code: str
    cycle: str
    day: int
    month: int | None = None
    report_kind: str = ""
    remind_days: int = 7
    roles: tuple[str, ...] = ()
    source: str = ""
    verify: bool = False

    def with_override(self, *, month=None, day=None, remind_days=None) -> Deadline:
        """This deadline with a province's values (None keeps the default)."""
        changed = {
            k: v
            for k, v in (("month", month), ("day", day), ("remind_days", remind_days))
            if v is not None and not (k == "month" and self.cycle == "monthly")
        }
        d = replace(self, **changed)
        _check_day(d, f"override of {self.code}")
        return d


def _fail(code, message, **params):
    raise DeadlineError(code, message, **params)


def _check_day(d: Deadline, where: str) -> None:
    if d.cycle == "annual":
        if not isinstance(d.month, int) or not 1 <= d.month <= 12:
            _fail("bad_month", f"{where}: month must be 1..12", where=where)
        last = calendar.monthrange(2001, d.month)[1]  # a non-leap year: no 29 February
    else:
        last = 28  # valid in every month
    if not isinstance(d.day, int) or not 1 <= d.day <= last:
        _fail("bad_day", f"{where}: day must be 1..{last}", where=where, last=last)
    if not isinstance(d.remind_days, int) or not 0 <= d.remind_days <= 90:
        _fail("bad_remind_days", f"{where}: remind_days must be 0..90", where=where)


def parse(doc) -> dict[str, Deadline]:
    """The deadlines of a loaded YAML document, by code."""
    if not isinstance(doc, dict) or not isinstance(doc.get("deadlines"), list):
        _fail("no_deadlines", "the file needs a 'deadlines' list")
    refs = doc.get("references") or {}
    out: dict[str, Deadline] = {}
    for i, e in enumerate(doc["deadlines"]):
        where = f"deadlines[{i}]"
        if not isinstance(e, dict) or not e.get("code"):
            _fail("bad_entry", f"{where}: needs a code", where=where)
        code = str(e["code"])
        where = f"{where} ({code})"
        if code in out:
            _fail("duplicate_code", f"{where}: code used twice", where=where, deadline=code)
        if e.get("cycle") not in CYCLES:
            _fail("bad_cycle", f"{where}: cycle must be one of {CYCLES}", where=where)
        if e["cycle"] == "annual" and not e.get("report_kind"):
            _fail("no_report_kind", f"{where}: an annual deadline names its report_kind")
        if e.get("source") not in refs:
            _fail("unknown_source", f"{where}: source must be a key of references", where=where)
        roles = tuple(e.get("roles") or ())
        if not roles or any(r not in ROLES for r in roles):
            _fail("bad_roles", f"{where}: roles must be a non-empty subset of {ROLES}")
        d = Deadline(
            code=code,
            cycle=e["cycle"],
            day=e.get("day"),
            month=e.get("month") if e["cycle"] == "annual" else None,
            report_kind=str(e.get("report_kind") or ""),
            remind_days=e.get("remind_days", 7),
            roles=roles,
            source=str(e["source"]),
            verify=bool(e.get("verify", False)),
        )
        _check_day(d, where)
        out[code] = d
    return out


@lru_cache(maxsize=4)
def load(path: str | Path = DEFAULT_PATH) -> dict[str, Deadline]:
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DeadlineError("bad_yaml", f"{path.name}: not valid YAML: {exc}") from exc
    return parse(doc)


def current_period(d: Deadline, today: dt.date):
    """The period whose deadline falls in the current cycle: last year (annual, an int)
    or the first day of last month (monthly)."""
    if d.cycle == "annual":
        return today.year - 1
    first = today.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def due_date(d: Deadline, period) -> dt.date:
    """The due date of ``d`` for ``period`` (a year, or a month's first day)."""
    if d.cycle == "annual":
        y, m = int(period) + 1, d.month
    else:
        y, m = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def state(d: Deadline, due: dt.date, today: dt.date) -> str:
    """'passed' after the due date, 'near' within remind_days of it, else 'later'."""
    if today > due:
        return "passed"
    return "near" if (due - today).days <= d.remind_days else "later"

"""The deadlines of a user (issue 13, point 2): the current cycle of every deadline of
``core/data/deadlines.yaml`` for the user's role, with the province's override, and how
many of the user's parks or enterprises still owe it.  Scoped through
``eiphub.accounts.scoping``; shown on the dashboards and used by the reminder job."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from eiphub.accounts.models import Role
from eiphub.accounts.scoping import enterprises_for, enterprises_writable_by, parks_for, role_of
from eiphub.core import deadlines as core

DONE = ("submitted", "accepted")


def period_key(period) -> str:
    return str(period) if isinstance(period, int) else period.strftime("%Y-%m")


def label(code: str, period: str) -> str:
    """The deadline's name in the active language, e.g. 'Form A.5 (park indicators) 2025'."""
    from eiphub.reports.models import ReportKind

    d = core.load().get(code)
    if d is None:
        return code
    if d.cycle == "annual":
        return _("%(report)s %(year)s") % {
            "report": ReportKind(d.report_kind).label,
            "year": period,
        }
    y, m = (int(x) for x in period.split("-"))
    return _("Flow data of %(month)s") % {
        "month": date_format(dt.date(y, m, 1), "YEAR_MONTH_FORMAT")
    }


def due_text(iso: str) -> str:
    return date_format(dt.date.fromisoformat(iso), "SHORT_DATE_FORMAT")


def _overrides(province_ids) -> dict:
    from .models import DeadlineOverride

    out = {}
    for o in DeadlineOverride.objects.filter(province_id__in=province_ids):
        out[(o.province_id, o.deadline)] = o
    return out


def _pending_annual(d, period, parks, user, role) -> int | None:
    from eiphub.reports.models import AnnualReport

    done = AnnualReport.objects.filter(kind=d.report_kind, year=period, status__in=DONE)
    if d.report_kind == "eco_enterprise":
        if role != Role.ENTERPRISE:
            return None  # the board does not know which enterprises must file
        ents = set(enterprises_writable_by(user).values_list("pk", flat=True))
        return len(
            ents - set(done.filter(enterprise_id__in=ents).values_list("enterprise_id", flat=True))
        )
    ids = {p.pk for p in parks}
    return len(ids - set(done.filter(park_id__in=ids).values_list("park_id", flat=True)))


def _pending_monthly(period, ents) -> int:
    from eiphub.flows.models import FlowRecord

    ids = {e.pk for e in ents}
    nxt = core.due_date(core.Deadline("m", "monthly", 1), period)
    seen = FlowRecord.objects.filter(
        enterprise_id__in=ids, period__gte=period, period__lt=nxt
    ).values_list("enterprise_id", flat=True)
    return len(ids - set(seen))


def deadlines_for(user, today: dt.date | None = None) -> list[dict]:
    """Items {code, period, due, state, pending, label, due_text, url} still owed, by due date."""
    today = today or dt.date.today()
    role = role_of(user)
    ds = [d for d in core.load().values() if role in d.roles]
    if not ds:
        return []
    parks = list(parks_for(user).only("pk", "province_id"))
    if role == Role.ENTERPRISE:
        ents = list(enterprises_writable_by(user).select_related("park"))
        parks = list({e.park.pk: e.park for e in ents if e.park_id}.values()) or parks
    else:
        ents = list(enterprises_for(user).select_related("park"))
    parks_by = defaultdict(list)
    for p in parks:
        parks_by[p.province_id].append(p)
    ents_by = defaultdict(list)
    for e in ents:
        ents_by[e.park.province_id if e.park_id else None].append(e)
    overrides = _overrides(set(parks_by) | set(ents_by))
    merged: dict[tuple, dict] = {}
    for d0 in ds:
        for prov in sorted(set(parks_by) | set(ents_by), key=lambda x: x or 0):
            o = overrides.get((prov, d0.code))
            d = d0.with_override(month=o.month, day=o.day, remind_days=o.remind_days) if o else d0
            period = core.current_period(d, today)
            due = core.due_date(d, period)
            if d.cycle == "annual":
                pending = _pending_annual(d, period, parks_by[prov], user, role)
                url = reverse("reports:report_list")
            else:
                if not ents_by[prov]:
                    continue
                pending = _pending_monthly(period, ents_by[prov])
                url = (
                    reverse("flows:entry")
                    if role == Role.ENTERPRISE
                    else reverse("registry:park_list")
                )
            if pending == 0:
                continue
            key = (d.code, period_key(period), due)
            item = merged.setdefault(
                key,
                {
                    "code": d.code,
                    "period": period_key(period),
                    "due": due,
                    "state": core.state(d, due, today),
                    "pending": None,
                    "url": url,
                },
            )
            if pending is not None:
                item["pending"] = (item["pending"] or 0) + pending
    items = sorted(merged.values(), key=lambda i: (i["due"], i["code"]))
    for i in items:
        i["label"] = label(i["code"], i["period"])
        i["due_text"] = due_text(i["due"].isoformat())
    return items

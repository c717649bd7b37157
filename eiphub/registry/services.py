"""Registry operations that keep history: tenancy periods, leaving a park, closing.

An enterprise is never deleted once it has history (flows, agreements, measures): it is
archived (``Enterprise.archived_on``) and its open tenancy closed, so that it stays counted
for the years it was in the park and drops out of the following ones.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction

from .models import Enterprise, Park, Tenancy


def _close_open(enterprise: Enterprise, on: dt.date) -> None:
    open_rows = list(enterprise.tenancies.filter(left__isnull=True))
    if not open_rows and not enterprise.tenancies.exists():
        # legacy enterprise (no tenancy rows): in its park since before records began
        Tenancy.objects.create(enterprise=enterprise, park=enterprise.park, entered=None, left=on)
        return
    for t in open_rows:
        t.left = on
        t.save(update_fields=["left"])


@transaction.atomic
def archive_enterprise(enterprise: Enterprise, on: dt.date) -> Enterprise:
    """The enterprise left its park or closed on ``on``: tenancy closed, record archived."""
    _close_open(enterprise, on)
    enterprise.archived_on = on
    enterprise.save(update_fields=["archived_on"])
    return enterprise


@transaction.atomic
def move_enterprise(enterprise: Enterprise, park: Park, on: dt.date) -> Enterprise:
    """The enterprise moved to ``park`` on ``on`` (left the old park the day before)."""
    _close_open(enterprise, on - dt.timedelta(days=1))
    Tenancy.objects.create(enterprise=enterprise, park=park, entered=on)
    enterprise.park = park
    enterprise.save(update_fields=["park"])
    return enterprise


def _overlap_months(entered, left, year: int, until: dt.date) -> int:
    """Calendar months of ``year`` (up to ``until``) touched by the period."""
    first = dt.date(year, 1, 1)
    last = min(dt.date(year, 12, 31), until)
    start = max(entered or first, first)
    end = min(left or last, last)
    if end < start:
        return 0
    return (end.year - start.year) * 12 + end.month - start.month + 1


def tenancy_periods(park_ids) -> list[tuple[int, int, dt.date | None, dt.date | None]]:
    """(enterprise id, park id, entered, left) of every tenancy in ``park_ids``; a legacy
    enterprise (no tenancy row) is one open period in its park.  Two queries."""
    rows = list(
        Tenancy.objects.filter(park_id__in=park_ids).values_list(
            "enterprise_id", "park_id", "entered", "left"
        )
    )
    legacy = Enterprise.objects.filter(park_id__in=park_ids, tenancies__isnull=True)
    rows += [(pk, park, None, None) for pk, park in legacy.values_list("pk", "park_id")]
    return rows


def months_of_periods(periods, years, today: dt.date | None = None) -> dict:
    """{(enterprise id, park id, year): months of the year in the park} from
    :func:`tenancy_periods`; the current year counts months up to the last complete one."""
    today = today or dt.date.today()
    out: dict = defaultdict(int)
    for ent, park, entered, left in periods:
        for y in years:
            until = dt.date(y, 12, 31) if y < today.year else _last_complete_month(today)
            n = _overlap_months(entered, left, y, until)
            if n:
                out[(ent, park, y)] += n
    return {k: min(v, 12) for k, v in out.items()}


def tenancy_months(park_ids, years, today: dt.date | None = None) -> dict:
    """:func:`months_of_periods` of the parks' tenancies (two queries)."""
    return months_of_periods(tenancy_periods(park_ids), years, today)


def _last_complete_month(today: dt.date) -> dt.date:
    return today.replace(day=1) - dt.timedelta(days=1)

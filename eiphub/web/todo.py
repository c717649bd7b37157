"""The to-do list of every dashboard (issue 13): what awaits this user now.

- board: submitted reports of its parks to review;
- developer (and its approvers): returned reports to correct, reports awaiting approval;
- enterprise: returned reports, matches of its listings awaiting its answer;
- developer, board, consultant, enterprise: months of flow data missing in the last
  twelve complete months (enterprises of the parks in scope; an enterprise its own).

Every queryset comes from ``eiphub.accounts.scoping`` (directly, or through the apps'
functions built on it: ``reports.access.reports_for``, ``exchange.services``); a few
queries per dashboard, whatever the number of parks.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Q
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from eiphub.accounts.models import Role
from eiphub.accounts.scoping import enterprises_for, enterprises_writable_by, parks_for, role_of
from eiphub.web.templatetags.eip import num  # the one number formatter

WINDOW_MONTHS = 12


def _window(today: dt.date) -> tuple[dt.date, dt.date, int]:
    """[start, end) of the last WINDOW_MONTHS complete months."""
    end = today.replace(day=1)
    y, m = end.year, end.month - WINDOW_MONTHS
    while m <= 0:
        y, m = y - 1, m + 12
    return dt.date(y, m, 1), end, WINDOW_MONTHS


def months_missing(enterprises, today: dt.date | None = None) -> tuple[int, int]:
    """(enterprises with a gap, missing enterprise-months) over the window; a month counts
    from the enterprise's first reported month, so a newcomer is not asked for the past."""
    from eiphub.flows.models import FlowRecord

    start, end, _n = _window(today or dt.date.today())
    ids = list(enterprises.values_list("pk", flat=True))
    if not ids:
        return 0, 0
    seen: dict[int, set] = {}
    rows = (
        FlowRecord.objects.filter(enterprise_id__in=ids, period__lt=end)
        .annotate(m=TruncMonth("period"))
        .values_list("enterprise_id", "m")
        .distinct()
    )
    first: dict[int, dt.date] = {}
    for ent_id, month in rows:
        month = (
            month
            if isinstance(month, dt.date) and not isinstance(month, dt.datetime)
            else month.date()
        )
        first[ent_id] = min(first.get(ent_id, month), month)
        if month >= start:
            seen.setdefault(ent_id, set()).add(month)
    gaps = Counter()
    for ent_id in ids:
        since = max(start, first.get(ent_id, start))
        expected = (end.year - since.year) * 12 + end.month - since.month
        missing = expected - len(seen.get(ent_id, set()))
        if missing > 0:
            gaps[ent_id] = missing
    return len(gaps), sum(gaps.values())


def todo_for(user, today: dt.date | None = None) -> list[dict]:
    """Items {kind, text, url, count} awaiting ``user``, most urgent first."""
    from eiphub.exchange.models import Match
    from eiphub.exchange.services import owner_enterprises
    from eiphub.reports import workflow
    from eiphub.reports.access import reports_for
    from eiphub.reports.models import AnnualReport, ReportApprover, ReportStatus

    role = role_of(user)
    items: list[dict] = []
    if role == Role.BOARD:
        n = AnnualReport.objects.filter(
            park__in=parks_for(user), status=ReportStatus.SUBMITTED
        ).count()
        if n:
            items.append(
                {
                    "kind": "review",
                    "count": n,
                    "text": ngettext(
                        "%(n)s report awaits your review",
                        "%(n)s reports await your review",
                        n,
                    )
                    % {"n": num(n)},
                    "url": reverse("reports:review_queue"),
                }
            )
    if role in (Role.DEVELOPER, Role.ENTERPRISE):
        mine = reports_for(user).select_related("park")
        returned = [
            r for r in mine.filter(status=ReportStatus.RETURNED) if workflow.report_owner(user, r)
        ]
        for r in returned:
            items.append(
                {
                    "kind": "returned",
                    "count": 1,
                    "text": _("Returned by the board: %(report)s %(year)s — correct and resubmit")
                    % {"report": r.get_kind_display(), "year": r.year},
                    "url": reverse("reports:report_detail", args=[r.pk]),
                }
            )
        if role == Role.DEVELOPER and ReportApprover.objects.filter(user=user).exists():
            for r in mine.filter(status=ReportStatus.APPROVAL):
                if workflow.is_approver(user, r):
                    items.append(
                        {
                            "kind": "approve",
                            "count": 1,
                            "text": _("Awaiting your approval: %(report)s %(year)s")
                            % {"report": r.get_kind_display(), "year": r.year},
                            "url": reverse("reports:report_confirm", args=[r.pk]),
                        }
                    )
    if role == Role.ENTERPRISE:
        own = owner_enterprises(user)
        open_ = (Match.Status.IDENTIFIED, Match.Status.INTERESTED, Match.Status.NEGOTIATING)
        n = (
            Match.objects.filter(status__in=open_)
            .filter(
                Q(offer__enterprise__in=own, offer_accepted=False)
                | Q(want__enterprise__in=own, want_accepted=False)
            )
            .distinct()
            .count()
        )
        if n:
            items.append(
                {
                    "kind": "matches",
                    "count": n,
                    "text": ngettext(
                        "%(n)s match awaits your answer",
                        "%(n)s matches await your answer",
                        n,
                    )
                    % {"n": num(n)},
                    "url": reverse("exchange:matches"),
                }
            )
    if role in (Role.DEVELOPER, Role.BOARD, Role.CONSULTANT, Role.ENTERPRISE):
        if role == Role.ENTERPRISE:
            ents, url = enterprises_writable_by(user), reverse("flows:entry")
        else:
            ents = enterprises_for(user)
            parks = list(parks_for(user).values_list("code", flat=True)[:2])
            url = (
                reverse("registry:park_detail", args=[parks[0]]) + "#completeness"
                if len(parks) == 1
                else reverse("registry:park_list")
            )
        n_ents, n_months = months_missing(ents, today)
        if n_months:
            if role == Role.ENTERPRISE:
                text = ngettext(
                    "%(m)s month of flow data missing in the last 12 months",
                    "%(m)s months of flow data missing in the last 12 months",
                    n_months,
                ) % {"m": num(n_months)}
            else:
                text = ngettext(
                    "%(e)s enterprise has months of flow data missing (%(m)s months in all, "
                    "last 12 months)",
                    "%(e)s enterprises have months of flow data missing (%(m)s months in all, "
                    "last 12 months)",
                    n_ents,
                ) % {"e": num(n_ents), "m": num(n_months)}
            items.append({"kind": "months", "count": n_months, "text": text, "url": url})
    return items

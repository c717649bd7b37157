"""Who sees which scorecards and annual reports, built on ``eiphub.accounts.scoping``.

The one home of these rules: the pages (``views.py``), the JSON API (``api.py``) and the
to-do list (``web/todo.py``) all call them.

- park scorecards, checklists, declarations, targets: ``parks_for(user)``, except enterprise users
  (the drill-down names other enterprises' RECP, social and ISO facts; they see their own
  enterprise's scorecard);
- enterprise scorecards: ``enterprises_for(user)``; enterprise users only their own;
- reports: the parks in scope; enterprise users only their own enterprise's reports.
"""

from __future__ import annotations

from eiphub.accounts.models import Role
from eiphub.accounts.scoping import enterprises_for, enterprises_writable_by, parks_for, role_of
from eiphub.registry.models import Park

from .models import AnnualReport


def scorecard_parks(user):
    if role_of(user) == Role.ENTERPRISE:
        return Park.objects.none()
    return parks_for(user)


def scorecard_enterprises(user):
    if role_of(user) == Role.ENTERPRISE:
        return enterprises_writable_by(user)
    return enterprises_for(user)


def reports_for(user):
    if role_of(user) == Role.ENTERPRISE:
        return AnnualReport.objects.filter(enterprise__in=enterprises_writable_by(user))
    return AnnualReport.objects.filter(park__in=parks_for(user))


def map_verdicts(user, park_ids) -> dict[int, tuple[int, str]]:
    """{park id: (year, verdict)}: the latest stored Decree 35 (Art. 37) park scorecard verdict
    of the parks in ``park_ids`` whose scorecards ``user`` may see (none for anonymous visitors
    and enterprise users); what park maps colour their markers by."""
    from .services import DEFAULT_PARK_PACK
    from .stored import latest_verdicts

    if not getattr(user, "is_authenticated", False):
        return {}
    visible = scorecard_parks(user).filter(pk__in=list(park_ids)).values_list("pk", flat=True)
    return latest_verdicts(visible, DEFAULT_PARK_PACK)


def add_map_verdicts(points: list[dict], park_ids: list[int], user) -> list[dict]:
    """Set ``status`` (the verdict, "" when none is shown) and ``status_year`` on each park map
    point (``park_ids[i]`` is the park of ``points[i]``), per :func:`map_verdicts`."""
    verdicts = map_verdicts(user, park_ids)
    for point, pk in zip(points, park_ids, strict=True):
        year, verdict = verdicts.get(pk, (None, ""))
        point["status"] = verdict
        point["status_year"] = year
    return points

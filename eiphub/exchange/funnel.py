"""The symbiosis funnel: identified -> proposed -> agreed -> operating -> ended."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from eiphub.registry.models import Park, Province

from .models import Agreement, Match, MatchNote

# --------------------------------------------------------------------------
# Funnel
# --------------------------------------------------------------------------

FUNNEL_STAGES = ("identified", "proposed", "agreed", "operating", "ended")


def funnel_labels() -> dict[str, str]:
    return {
        "identified": _("Identified"),
        "proposed": _("Proposed (interest expressed)"),
        "agreed": _("Agreed"),
        "operating": _("Operating"),
        "ended": _("Ended"),
    }


def funnel(parks) -> dict:
    """Cumulative symbiosis funnel for a set of parks (like KICOX's explored /
    implemented / commercialised counts): every opportunity counts in each stage
    it reached.  Agreements without a match (entered directly) count from
    'identified'.  ``declined`` counts matches declined at any stage."""
    mq = Q(offer__enterprise__park__in=parks) | Q(want__enterprise__park__in=parks)
    matches = Match.objects.filter(mq)
    agreements = Agreement.objects.filter(Q(supplier__park__in=parks) | Q(receiver__park__in=parks))
    direct = agreements.filter(match__isnull=True).values("pk").distinct().count()
    proposed_q = (
        Q(status__in=[Match.Status.INTERESTED, Match.Status.NEGOTIATING, Match.Status.AGREED])
        | Q(notes__kind=MatchNote.Kind.INTEREST)
        | Q(agreement__isnull=False)
    )
    astat = lambda *s: agreements.filter(status__in=s).values("pk").distinct().count()  # noqa: E731
    return {
        "identified": matches.values("pk").distinct().count() + direct,
        "proposed": matches.filter(proposed_q).values("pk").distinct().count() + direct,
        "agreed": astat("agreed", "operating", "ended"),
        "operating": astat("operating", "ended"),
        "ended": astat("ended"),
        "declined": matches.filter(status=Match.Status.DECLINED).values("pk").distinct().count(),
    }


def funnel_rows(parks: QuerySet[Park], by: str = "park") -> list[dict]:
    """Funnel per park or per province over the given parks."""
    lang = translation.get_language() or "vi"
    rows = []
    if by == "province":
        for prov in Province.objects.filter(parks__in=parks).distinct():
            rows.append(
                {"key": prov.code, "name": prov.name, **funnel(parks.filter(province=prov))}
            )
    else:
        for p in parks.select_related("province"):
            rows.append(
                {"key": p.code, "name": p.name(lang), **funnel(Park.objects.filter(pk=p.pk))}
            )
    return rows


def funnel_chart(counts: dict, title: str) -> dict:
    labels = funnel_labels()
    return {
        "kind": "bar",
        "title": title,
        "unit": _("opportunities"),
        "labels": [str(labels[s]) for s in FUNNEL_STAGES],
        "series": [{"name": title, "data": [counts[s] for s in FUNNEL_STAGES]}],
    }

"""Plausibility of flow figures from the database: history queries and phrasing.

The rules are in :mod:`eiphub.core.plausibility`; this module feeds them an
enterprise's history (one query for many enterprises) and phrases the warnings.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils.translation import gettext as _

from eiphub.core import plausibility as P
from eiphub.core.catalogue import default_catalogue
from eiphub.core.numbers import format_number
from eiphub.web.numbers import active_lang

from .models import FlowRecord


class History(defaultdict):
    """(enterprise id, resource, direction, origin, fate) -> {month: canonical quantity},
    with each key's sorted values cached for the medians."""

    def __init__(self):
        super().__init__(dict)
        self.sorted: dict[tuple, list[float]] = {}

    def sorted_values(self, key) -> list[float]:
        hit = self.sorted.get(key)
        if hit is None:
            hit = self.sorted[key] = sorted(self.get(key, {}).values())
        return hit


def load_history(enterprise_ids) -> History:
    """(enterprise id, resource, direction, origin, fate) -> {month: canonical quantity}."""
    hist = History()
    ids = [i for i in set(enterprise_ids) if i is not None]
    for start in range(0, len(ids), 500):
        rows = FlowRecord.objects.filter(enterprise_id__in=ids[start : start + 500]).values_list(
            "enterprise_id", "resource_code", "direction", "origin", "fate", "period",
            "quantity_canonical",
        )  # fmt: skip
        for ent, code, direction, origin, fate, period, qc in rows.iterator(chunk_size=5000):
            hist[(ent, code, direction, origin, fate)][period] = qc
    return hist


def value_warning(
    hist: History, ent_id, code, direction, period, qc, origin="", fate=""
) -> P.Warning | None:
    key = (ent_id, code, direction, origin, fate)
    past = hist.get(key)
    if not past:
        return None
    own = past.get(period)
    months = len(past) - (own is not None)
    if months < P.MIN_MONTHS:
        return None
    med = P.median_without(hist.sorted_values(key), own)
    return P.check_median(qc, med, months, code, direction)


def month_warnings(
    hist: History, ent_id: int, period: dt.date, month: dict[tuple, float] | None = None
) -> list[P.Warning]:
    """Every warning of one enterprise-month; ``month`` ((resource, direction, origin,
    fate) -> canonical quantity) overrides the stored figures."""
    if month is None:
        month = {k[1:]: v[period] for k, v in hist.items() if k[0] == ent_id and period in v}
    out = [
        w
        for (code, direction, origin, fate), qc in month.items()
        if (w := value_warning(hist, ent_id, code, direction, period, qc, origin, fate))
    ]
    months: dict[dt.date, set] = defaultdict(set)
    for (e, c, d, _o, _f), values in hist.items():
        if e == ent_id:
            for p in values:
                if p < period:
                    months[p].add((c, d))
    recent = [months[p] for p in sorted(months, reverse=True)]
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for (c, d, _o, _f), qc in month.items():
        totals[(c, d)] += qc
    out += P.usual_missing(set(totals), recent)
    out += P.negative_balance(totals)
    return out


def phrase(w: P.Warning, lang: str | None = None) -> str:
    lang = lang or active_lang()
    cat = default_catalogue()
    res = cat.get(w.resource_code)
    name = res.name(lang) if res is not None else w.resource_code
    unit = res.unit if res is not None else ""
    p = w.params
    if w.code in ("far_above", "far_below"):
        text = (
            _("%(resource)s: %(value)s %(unit)s is more than ten times the usual month (median %(median)s %(unit)s).")
            if w.code == "far_above"
            else _("%(resource)s: %(value)s %(unit)s is less than a tenth of the usual month (median %(median)s %(unit)s).")
        )  # fmt: skip
        return text % {
            "resource": name,
            "value": format_number(p["value"], lang, 2),
            "median": format_number(p["median"], lang, 2),
            "unit": unit,
        }
    if w.code == "usual_missing":
        return _(
            "%(resource)s (%(direction)s) is missing; it was reported in %(n)s of the last %(of)s months."
        ) % {
            "resource": name,
            "direction": _("input") if w.direction == "in" else _("output"),
            "n": p["months"],
            "of": p["of"],
        }
    if w.code == "negative_balance":
        return _("Water outputs (%(out)s m³) exceed water inputs (%(in)s m³) this month.") % {
            "out": format_number(p["outputs"], lang, 1),
            "in": format_number(p["inputs"], lang, 1),
        }
    return w.code


def board_checks(enterprises, period: dt.date) -> list[dict]:
    """Warnings of one month for every enterprise of ``enterprises`` (a queryset)."""
    ents = {e.pk: e for e in enterprises.select_related("park")}
    hist = load_history(ents)
    rows = []
    for ent_id, ent in sorted(ents.items(), key=lambda kv: kv[1].name_vi):
        for w in month_warnings(hist, ent_id, period):
            rows.append({"enterprise": ent, "warning": w, "text": phrase(w)})
    return rows
